//! The workbook's tasks: `cargo xtask <task>`. Two doors, as in rustlings: the students' tasks
//! here, and the maintainers' under `cargo xtask dev` (`dev.rs`, `dev/`), which the students'
//! build does not compile (the cargo feature `dev`, left out by the `xtask` alias).
//!
//! For students:
//! - `watch.rs`: `watch`, the tests of the current lab again on each save
//! - `hint.rs`: `hint`, the hints of `xtask/hints.md`, one more at a time
//! - `reset.rs`: `reset`, a lab back to its starter, the student's files saved beside it
//! - `solution.rs`: `solution`, the reference's way beside the student's, once a step passes
//! - `grade.rs`: `grade`, the students' progress and the grading of pull requests
//!
//! Shared by both doors:
//! - `steps.rs`: the table of labs and suites, the one place that lists them
//! - `sync.rs`, `markers.rs`, `hosts.rs`: the labs as the reference makes them (`reset` puts a
//!   lab back to that), with their markers and test hosts
//! - `command.rs`: running cargo and test binaries with a time limit
//! - `libtest.rs`: reading the test harness's output

// The students' build leaves the maintainers' tasks out, and with them some callers of the
// shared modules.
#![cfg_attr(not(feature = "dev"), allow(dead_code))]

mod command;
#[cfg(feature = "dev")]
mod dev;
mod grade;
mod hint;
mod hosts;
mod libtest;
mod markers;
mod reset;
mod solution;
mod steps;
mod sync;
mod watch;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

const USAGE: &str = "usage: cargo xtask <task>

for students:
  watch [N]          the tests of step N (default: the first not done) again on each save of its
                     lab, with every step's progress and the first failing test's message
                     (`cargo xtask watch --help`)
  hint N [--more]    the hints of step N seen so far; with --more, the next one; with
                     --bonus [TASK], those of its bonus tasks (`cargo xtask hint --help`)
  reset N [--yes]    put lab N back to its starter, after saving your files beside it
  solution N         once step N passes, each function you wrote beside the reference's
                     (`cargo xtask solution --help`)
  grade [OPTIONS]    each step's tests passed, points and status, on the labs as they are;
                     with --tests-from REF the tests are the course's, and in the sandbox
                     (--sandbox, Linux) what the code tampers with is reported and scores 0
                     (`cargo xtask grade --help`)

for maintainers:
  dev <task>         the maintainers' tasks (`cargo xtask dev --help`), which also answer to
                     their own names: `cargo xtask verify` runs the project's tests, and
                     `cargo xtask roll-up GRADE.json...` shows a class's grades at a glance";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let root = workspace_root();
    if let Some(code) = student_task(&root, &args) {
        return code;
    }
    match args.as_slice() {
        ["dev", task @ ..] => maintainers(&root, task),
        // The maintainers' tasks by their own names too: `cargo xtask verify` is the README's
        // test command, generated files name `cargo xtask sync-labs`, and the instructor guide
        // `cargo xtask roll-up`.
        [
            "verify" | "sync-labs" | "book-commands" | "mutants" | "bench" | "export" | "roll-up",
            ..,
        ] => maintainers(&root, &args),
        _ => exit(Err(format!("unknown task {:?}\n{USAGE}", args.join(" ")))),
    }
}

/// The students' task that `args` names, run; `None` if they name none. The exported
/// repository's xtask has these tasks only (`dev/export/files/main.rs`).
fn student_task(root: &Path, args: &[&str]) -> Option<ExitCode> {
    let result = match args {
        // The sandbox's PID 1 is a build of xtask with the feature `sandbox`.
        ["grade", options @ ..] if options.contains(&"--sandbox") && !cfg!(feature = "sandbox") => {
            return Some(rerun_with("sandbox", args));
        }
        ["grade", options @ ..] => return Some(grade::main(root, options)),
        // PID 1 of the grade's sandbox (not for people: not in the usage).
        ["sandbox-init", "--", program, args @ ..] => {
            return Some(grade::sandbox::init(program, args));
        }
        ["watch", options @ ..] => watch::main(root, options),
        ["reset", options @ ..] => reset::main(root, options),
        ["hint", options @ ..] => hint::main(root, options),
        ["solution", options @ ..] => solution::main(root, options),
        [] | ["help" | "--help" | "-h"] => {
            println!("{USAGE}");
            Ok(())
        }
        _ => return None,
    };
    Some(exit(result))
}

/// A task's result as the exit status, its error on stderr.
fn exit(result: Result<(), String>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

/// A maintainers' task: run here when this build has them, else by the build that does.
#[cfg(feature = "dev")]
fn maintainers(root: &Path, task: &[&str]) -> ExitCode {
    dev::main(root, task)
}

#[cfg(not(feature = "dev"))]
fn maintainers(_root: &Path, task: &[&str]) -> ExitCode {
    rerun_with("dev", &[&["dev"], task].concat())
}

/// Runs `args` again in a build of xtask with the cargo `feature`, which this build lacks: the
/// students' build leaves out the maintainers' tasks and the grade's sandbox.
fn rerun_with(feature: &str, args: &[&str]) -> ExitCode {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = std::process::Command::new(cargo)
        .args([
            "run",
            "--quiet",
            "--package",
            "xtask",
            "--no-default-features",
        ])
        .args(["--features", feature, "--"])
        .args(args)
        .status();
    match status {
        Ok(status) if status.success() => ExitCode::SUCCESS,
        Ok(status) => ExitCode::from(status.code().map_or(1, |code| code as u8)),
        Err(error) => {
            eprintln!("xtask: cannot build xtask with its feature `{feature}`: {error}");
            ExitCode::FAILURE
        }
    }
}

/// `3` or `4-7`, checked against the table of steps.
fn parse_steps(range: &str) -> Result<Vec<&'static steps::Step>, String> {
    let bad = || format!("STEPS is a step number like `3` or a range like `4-7`, not {range:?}");
    let (first, last) = range.split_once('-').unwrap_or((range, range));
    let first: u8 = first.parse().map_err(|_| bad())?;
    let last: u8 = last.parse().map_err(|_| bad())?;
    let chosen: Vec<_> = (first..=last)
        .map(steps::step)
        .collect::<Option<_>>()
        .ok_or_else(bad)?;
    if chosen.is_empty() {
        Err(bad())
    } else {
        Ok(chosen)
    }
}

/// The workspace root, found from this package's manifest, whatever the current directory.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask sits in the workspace")
        .to_path_buf()
}
