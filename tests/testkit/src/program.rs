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

/// Whether a thread of process `pid` is in a system call that sends (`write`, `sendto`,
/// `sendmsg`), looking again for up to `within`: where a server waits for room to send, once
/// the connection's buffers are full. Linux only, where `/proc` shows each thread's system
/// call; elsewhere it is never seen.
pub fn waits_to_send(pid: u32, within: std::time::Duration) -> bool {
    let started = std::time::Instant::now();
    loop {
        if sending(pid) {
            return true;
        }
        if started.elapsed() >= within {
            return false;
        }
        std::thread::yield_now();
    }
}

/// The numbers of the sending system calls, as `/proc/PID/task/TID/syscall` shows them.
#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
const SENDING_CALLS: &[&str] = &["1", "44", "46"];
#[cfg(all(target_os = "linux", target_arch = "aarch64"))]
const SENDING_CALLS: &[&str] = &["64", "206", "211"];
#[cfg(not(all(
    target_os = "linux",
    any(target_arch = "x86_64", target_arch = "aarch64")
)))]
const SENDING_CALLS: &[&str] = &[];

fn sending(pid: u32) -> bool {
    let Ok(threads) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return false;
    };
    threads.flatten().any(|thread| {
        let call = std::fs::read_to_string(thread.path().join("syscall")).unwrap_or_default();
        call.split_whitespace()
            .next()
            .is_some_and(|number| SENDING_CALLS.contains(&number))
    })
}

/// Stops process `pid` and lets it go on at once (`kill -STOP`, then `-CONT`), as a debugger or
/// the shell's Ctrl-Z and `fg` would: a send it was waiting in returns what it had sent so far.
#[cfg(unix)]
pub fn stop_and_continue(pid: u32) {
    for signal in ["-STOP", "-CONT"] {
        // A process that has ended cannot be signalled: nothing to do then.
        Command::new("kill")
            .args([signal, &pid.to_string()])
            .stdin(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .ok();
    }
}
