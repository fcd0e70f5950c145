//! Running a lab's program to its end, as a command-line test does: with a deadline, and a
//! failure that says what the program printed when it does not end, instead of assert_cmd's
//! bare `code=<interrupted>`.

use std::process::{Command, Output};

use assert_cmd::assert::Assert;
use runner::{OUTPUT_GRACE, Options, Process};

use crate::DEADLINE;
use crate::show::visible;

/// Runs `command` until it exits, at most [`DEADLINE`], and returns assert_cmd's view of how it
/// ended. A program still running then is killed with what it started, and the test fails
/// with `hint` and what it had printed; what a program that ended left running is killed too.
#[track_caller]
pub fn run_program(command: Command, hint: &str) -> Assert {
    let mut process = Process::start(command, Options::default()).unwrap_or_else(|e| panic!("{e}"));
    let status = process.wait(DEADLINE);
    // Also what it left running when it ended, which would hold its output open.
    process.kill();
    let stdout = process.stdout.bytes(OUTPUT_GRACE);
    let stderr = process.stderr.bytes(OUTPUT_GRACE);
    let Some(status) = status else {
        panic!(
            "the program did not end within {DEADLINE:?}, so the test stopped it.\nhint: {hint}\n\
             command: {}\nits stdout:\n    {}\nits stderr:\n    {}",
            process.shown(),
            visible(&stdout).trim_end().replace('\n', "\n    "),
            visible(&stderr).trim_end().replace('\n', "\n    "),
        )
    };
    Assert::new(Output {
        status,
        stdout,
        stderr,
    })
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use crate::guard::catch;

    fn sh(script: &str) -> Command {
        let mut command = Command::new("sh");
        command.args(["-c", script]);
        command
    }

    #[test]
    fn a_program_that_ends_is_asserted_on_as_assert_cmd_does() {
        run_program(sh("echo out; echo err >&2; exit 3"), "h")
            .code(3)
            .stdout("out\n")
            .stderr("err\n");
    }

    #[test]
    fn a_program_that_never_ends_fails_with_the_hint_and_what_it_printed() {
        let message = catch(|| run_program(sh("echo waiting; sleep 30"), "send less")).unwrap_err();
        assert!(
            message.starts_with("the program did not end within"),
            "{message}"
        );
        assert!(message.contains("hint: send less"), "{message}");
        assert!(message.contains("waiting"), "{message}");
    }
}
