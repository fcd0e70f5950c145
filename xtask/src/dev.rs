//! The maintainers' tasks: `cargo xtask dev <task>`. They keep the workbook honest (the labs
//! in sync with the reference, the failing-first contract, the book's commands) and publish it;
//! students never need them, and their build does not compile them (the feature `dev`).
//!
//! - `dev/verify.rs`: `verify`, the failing-first contract, and all the project's checks
//! - `dev/book.rs`: checks that the book and README match the code
//! - `dev/commands.rs`: `book-commands`, running every command the book shows
//! - `dev/mutants.rs`: `mutants`, the catalogue of classic student bugs against the suites
//! - `dev/bench.rs`, `dev/bench/`: `bench`, the reference against nginx and Python
//! - `dev/export.rs`, `dev/export/`: `export`, the repository students fork, without the answers
//! - `dev/workflows.rs`: checks of the GitHub workflows
//! - `dev/roll_up.rs`, `dev/roll_up/`: `roll-up`, an instructor's view of a class's grades

mod bench;
mod book;
mod commands;
mod devcontainer;
mod export;
mod mutants;
mod roll_up;
mod verify;
mod workflows;

use std::path::Path;
use std::process::ExitCode;

use crate::{parse_steps, steps, sync};

pub const USAGE: &str = "usage: cargo xtask dev <task>

  sync-labs          write every lab (labs/*) from the reference (solutions/src)
  sync-labs --check  only say whether the labs are what sync-labs would write
  verify [STEPS]     the project's tests: the labs are in sync, the reference passes every
                     suite, and each pristine starter fails exactly its step's new tests, with
                     teaching messages and within 10 s, and the book's commands run.
                     STEPS: `3` or `4-7` (default: all). Also `cargo xtask verify`.
  book-commands      only run every command the book and the README show (see
                     xtask/src/dev/commands.rs); needs sh (Unix), curl, nc and python3
  mutants [STEPS]    apply each classic student bug of tests/mutants.md to the reference,
                     one at a time, and run its step's suite: each must be caught (also
                     part of `verify`)
  bench [--seconds N] [--rounds N] [--own-load]
                     the step 7 reference (release) against nginx and `python3 -m http.server`
                     on loopback, loaded by wrk (or our own generator), then `cargo test -p
                     stepN` timed for every lab; writes docs/src/bench.md. Takes minutes.
  export DIR [--steps 1-N]
                     write into DIR the repository students fork: steps 1 to N (default:
                     all), without the answers (`cargo xtask dev export --help`)
  roll-up [--csv FILE] [--tests-csv FILE] GRADE.json...
                     for instructors: a class's grades (the JSON files of `grade --json`) at a
                     glance, a row per submission, then the tests most failed; also
                     `cargo xtask roll-up` (`cargo xtask roll-up --help`)";

/// `cargo xtask dev TASK`.
pub fn main(root: &Path, task: &[&str]) -> ExitCode {
    let result = match task {
        ["sync-labs"] => sync::write(root).map(|changed| {
            for path in &changed {
                println!("wrote {}", path.display());
            }
            println!("sync-labs: {} file(s) changed", changed.len());
        }),
        ["sync-labs", "--check"] => sync::stale(root).and_then(|stale| match stale.as_slice() {
            [] => {
                println!("sync-labs: the labs are up to date");
                Ok(())
            }
            stale => Err(format!(
                "out of date, run `cargo xtask dev sync-labs`: {stale:?}"
            )),
        }),
        ["verify"] => verify::verify(root, &steps::STEPS.iter().collect::<Vec<_>>()),
        ["verify", range] => parse_steps(range).and_then(|steps| verify::verify(root, &steps)),
        ["book-commands"] => verify::book_commands(root).map(|passed| {
            println!("book commands: {passed} passed, 0 failed");
        }),
        ["mutants"] => mutants::run(root, &steps::STEPS.iter().collect::<Vec<_>>()).map(drop),
        ["mutants", range] => parse_steps(range)
            .and_then(|steps| mutants::run(root, &steps))
            .map(drop),
        ["bench", options @ ..] => bench::bench(root, options),
        ["export", options @ ..] => export::main(root, options),
        ["roll-up", options @ ..] => roll_up::main(options),
        [] | ["help" | "--help" | "-h"] => {
            println!("{USAGE}");
            Ok(())
        }
        _ => Err(format!("unknown task {:?}\n{USAGE}", task.join(" "))),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask dev: {message}");
            ExitCode::FAILURE
        }
    }
}
