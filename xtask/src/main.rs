//! Maintenance and classroom tasks for the workbook: `cargo xtask <task>`.
//!
//! - `book.rs`: checks that the book and README match the code
//! - `commands.rs`: `book-commands`, running every command the book shows
//! - `steps.rs`: the table of labs and suites, the one place that lists them
//! - `markers.rs`: turning the reference into a starter (`// lab:todo`, `// lab:starter`)
//! - `sync.rs`: `sync-labs`, writing every lab from the reference
//! - `hosts.rs`: the test hosts, the students' and the reference's and the grade's
//! - `verify.rs`, `libtest.rs`: `verify`, the failing-first contract
//! - `grade.rs`: `grade`, the students' progress and the grading of pull requests
//! - `command.rs`: running cargo and test binaries with a time limit
//! - `hint.rs`: `hint`, the hints of `xtask/hints.md`, one more at a time
//! - `reset.rs`: `reset`, a lab back to its starter, the student's files saved beside it
//! - `watch.rs`: `watch`, the tests of the current lab again on each save
//! - `workflows.rs`: checks of the GitHub workflows
//! - `bench.rs`: `bench`, the reference against nginx and Python, and the student's loop
//! - `export.rs`: `export`, the repository students fork, without the answers

mod bench;
mod book;
mod command;
mod commands;
mod export;
mod grade;
mod hint;
mod hosts;
mod libtest;
mod markers;
mod reset;
mod steps;
mod sync;
mod verify;
mod watch;
mod workflows;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

const USAGE: &str = "usage: cargo xtask <task>

for students:
  watch [N] [--poll] the tests of step N (default: the first not done) again on each save of its
                     lab, with every step's progress and the first failing test's message
                     (`cargo xtask watch --help`)
  hint N [--more]    the hints of step N seen so far; with --more, the next one
  reset N [--yes]    put lab N back to its starter, after saving your files beside it
  grade [OPTIONS]    each step's tests passed, points and status, on the labs as they are;
                     with --tests-from REF the tests are the course's, and in the sandbox
                     (--sandbox, Linux) what the code tampers with is reported and scores 0
                     (`cargo xtask grade --help`)

for maintainers:
  sync-labs          write every lab (labs/*) from the reference (solutions/src)
  sync-labs --check  only say whether the labs are what sync-labs would write
  verify [STEPS]     the project's tests: the labs are in sync, the reference passes every
                     suite, and each pristine starter fails exactly its step's new tests, with
                     teaching messages and within 10 s, and the book's commands run.
                     STEPS: `3` or `4-7` (default: all)
  book-commands      only run every command the book and the README show (see
                     xtask/src/commands.rs); needs sh (Unix), curl, nc and python3
  bench [--seconds N] [--rounds N] [--own-load]
                     the step 7 reference (release) against nginx and `python3 -m http.server`
                     on loopback, loaded by wrk (or our own generator), then `cargo test -p
                     stepN` timed for every lab; writes docs/src/bench.md. Takes minutes.
  export DIR [--steps 1-N]
                     write into DIR the repository students fork: steps 1 to N (default:
                     all), without the answers (`cargo xtask export --help`)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let root = workspace_root();
    let result = match args.as_slice() {
        ["sync-labs"] => sync::write(&root).map(|changed| {
            for path in &changed {
                println!("wrote {}", path.display());
            }
            println!("sync-labs: {} file(s) changed", changed.len());
        }),
        ["sync-labs", "--check"] => sync::stale(&root).and_then(|stale| match stale.as_slice() {
            [] => {
                println!("sync-labs: the labs are up to date");
                Ok(())
            }
            stale => Err(format!(
                "out of date, run `cargo xtask sync-labs`: {stale:?}"
            )),
        }),
        ["verify"] => verify::verify(&root, &steps::STEPS.iter().collect::<Vec<_>>()),
        ["book-commands"] => verify::book_commands(&root).map(|passed| {
            println!("book commands: {passed} passed, 0 failed");
        }),
        ["verify", range] => parse_steps(range).and_then(|steps| verify::verify(&root, &steps)),
        ["grade", options @ ..] => return grade::main(&root, options),
        // PID 1 of the grade's sandbox (not for people: not in the usage).
        ["sandbox-init", "--", program, args @ ..] => return grade::sandbox::init(program, args),
        ["bench", options @ ..] => bench::bench(&root, options),
        ["export", options @ ..] => export::main(&root, options),
        ["watch", options @ ..] => watch::main(&root, options),
        ["reset", options @ ..] => reset::main(&root, options),
        ["hint", options @ ..] => hint::main(&root, options),
        [] | ["help" | "--help" | "-h"] => {
            println!("{USAGE}");
            Ok(())
        }
        _ => Err(format!("unknown task {:?}\n{USAGE}", args.join(" "))),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
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
