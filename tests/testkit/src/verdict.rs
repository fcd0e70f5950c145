//! The grader's way into a test binary, so that a student's code cannot forge a test's result.
//!
//! `cargo xtask grade` builds each lab with a test host of its own, which adds one test,
//! `grade_dispatch`, to the suites, and a table of every suite test. It runs that one test in a
//! fresh process for each suite test, writing a secret made for that run and the test's name to
//! the process's standard input, then closing it. [`dispatch`] reads them to the end before any
//! student code runs, runs the test, and writes `grade-verdict SECRET passed` (or `failed`). A
//! harness line, an exit status or anything else printed counts for nothing: only a line with
//! the secret does, and the student's code never sees the secret (the maintainer guide,
//! "Grading", says why and where that stops being true).
//!
//! Students never meet this: `cargo test -p stepN` runs the suites with the usual harness.

use std::io::{Read, Write};
use std::panic::{self, AssertUnwindSafe};

/// What starts a verdict line on standard output.
pub const TAG: &str = "grade-verdict";

/// One suite test: its name as the test harness lists it, and its function.
#[derive(Clone)]
pub struct Test {
    pub name: String,
    pub run: fn(),
}

impl Test {
    /// The test `name` of the suite module `module` (its `module_path!()`, which starts with
    /// the test crate's name: the harness leaves that out of test names).
    pub fn new(module: &str, name: &str, run: fn()) -> Test {
        let within = module.split_once("::").map_or("", |(_, path)| path);
        let name = if within.is_empty() {
            name.to_string()
        } else {
            format!("{within}::{name}")
        };
        Test { name, run }
    }
}

/// Runs the test that standard input names, then writes its verdict with the secret that
/// standard input gives. A failing test's panic goes on after the verdict, so that the harness
/// prints its message as usual.
pub fn dispatch(tests: Vec<Test>) {
    let mut input = String::new();
    // To the end: the grader has closed its side, and nothing is left for the student's code.
    if let Err(error) = std::io::stdin().read_to_string(&mut input) {
        panic!("grade_dispatch: cannot read the grader's request: {error}");
    }
    let mut lines = input.lines();
    let (Some(secret), Some(name)) = (lines.next(), lines.next()) else {
        panic!("grade_dispatch: expected a secret and a test name on standard input");
    };
    let secret = secret.to_string();
    let test = tests.iter().find(|test| test.name == name);
    let test = test.unwrap_or_else(|| panic!("grade_dispatch: there is no test {name:?}"));
    let result = panic::catch_unwind(AssertUnwindSafe(test.run));
    let outcome = if result.is_ok() { "passed" } else { "failed" };
    // Straight to standard output, past the harness's capture of `print!`.
    let mut stdout = std::io::stdout().lock();
    let written = writeln!(stdout, "\n{TAG} {secret} {outcome}").and_then(|()| stdout.flush());
    drop(stdout);
    if let Err(error) = written {
        panic!("grade_dispatch: cannot write the verdict: {error}");
    }
    if let Err(payload) = result {
        panic::resume_unwind(payload);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_test_is_named_as_the_harness_names_it() {
        fn nothing() {}
        let carried = Test::new("step7::earlier_steps::step4", "answers", nothing);
        assert_eq!(carried.name, "earlier_steps::step4::answers");
        assert_eq!(
            Test::new("step1::step1", "echoes", nothing).name,
            "step1::echoes"
        );
        assert_eq!(
            Test::new("step1", "at_the_root", nothing).name,
            "at_the_root"
        );
    }
}
