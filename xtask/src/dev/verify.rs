//! `cargo xtask verify`: the workbook's failing-first contract.
//!
//! 1. The labs are what `cargo xtask sync-labs` writes.
//! 2. `cargo test` at the root passes, bonus tests included: every suite passes against the
//!    reference. The browser tests (module `in_browser`) need Chromium: without it they are
//!    skipped with a note, except in CI, where a missing Chromium is an error.
//! 3. On each pristine starter, every test new at that step fails, with a message that teaches
//!    (it names the step or the docs, or gives a hint), and every carried-over test passes;
//!    the run takes under 10 s, so nothing hangs.
//! 4. Every command the book shows is valid, and runs as the book says (`commands.rs`).
//! 5. The export that students fork builds, fails first as the labs do here, and holds no
//!    answer (`export/check.rs`).
//! 6. Every classic student bug of `tests/mutants.md` fails its step's suite, and every
//!    correct answer there passes it (`mutants.rs`).

use std::path::Path;
use std::time::{Duration, Instant};

use crate::command::cargo;
use crate::libtest::{self, Outcome};
use crate::steps::{CARRIED_MODULE, Step};
use crate::sync;

/// The module that holds every test needing Chromium, so that they can be left out on a
/// machine without it (never in CI).
const BROWSER_TESTS: &str = "in_browser::";

/// A starter's whole failing run must end within this, deadlines included.
const STARTER_RUN_LIMIT: Duration = Duration::from_secs(10);

pub fn verify(root: &Path, steps: &[&'static Step]) -> Result<(), String> {
    let stale = sync::stale(root)?;
    if !stale.is_empty() {
        let list: Vec<String> = stale.iter().map(|p| format!("  {}", p.display())).collect();
        return Err(format!(
            "these files differ from what `cargo xtask sync-labs` writes:\n{}\n\
             fix: edit the reference (solutions/src) or the table (xtask/src/steps.rs), never \
             the labs directly, then run `cargo xtask sync-labs` and commit the result",
            list.join("\n")
        ));
    }
    println!("labs: in sync with the reference");

    let mut reference = vec!["test", "--", "--include-ignored"];
    if browser::chromium().is_none() {
        if std::env::var_os("CI").is_some() {
            return Err(
                "CI must run the browser tests, but Chromium is missing: install it \
                        (`.ci/run` does, with Debian's `chromium` package)"
                    .into(),
            );
        }
        println!(
            "NOTE: Chromium not found: the browser tests (`{BROWSER_TESTS}`) are skipped here; \
             CI runs them. Install Chromium, or set CHROMIUM to its path, to run them too."
        );
        reference.extend(["--skip", BROWSER_TESTS]);
    }
    println!("reference: cargo {}", reference.join(" "));
    let run = cargo(root, &reference)?;
    if !run.success {
        return Err(format!(
            "{}\nthe reference (or the project's own tests) failed: see above; \
             `cargo test -- --include-ignored` reproduces it",
            run.output
        ));
    }

    let reference_passed = libtest::parse(&run.output)
        .iter()
        .filter(|test| test.outcome == Outcome::Passed)
        .count();
    println!("reference: {reference_passed} tests passed");

    let mut problems = Vec::new();
    let book_passed = match book_commands(root) {
        Ok(passed) => passed,
        Err(problem) => {
            problems.push(problem);
            0
        }
    };
    // The classic student bugs of tests/mutants.md: each caught by its step's suite.
    let mutants_passed = match super::mutants::run(root, steps) {
        Ok(passed) => passed,
        Err(problem) => {
            problems.push(problem);
            0
        }
    };
    // The repository students fork, as `cargo xtask export` writes it (export/check.rs).
    let (export_passed, export_problems) = super::export::check::check(root)?;
    problems.extend(export_problems);
    // Each test of a starter that behaves as the contract says (new: red, carried: green).
    let mut as_expected = 0;
    println!(
        "\n{:<6} {:<28} {:<24} {:>9}  verdict",
        "step", "new tests failing", "carried over passing", "run"
    );
    for step in steps {
        let report = check_starter(root, step)?;
        as_expected += report.new_failing + report.carried_passing;
        let verdict = if report.problems.is_empty() {
            "ok"
        } else {
            "PROBLEM"
        };
        println!(
            "{:<6} {:<28} {:<24} {:>8.1}s  {verdict}",
            step.number,
            format!("{}/{}", report.new_failing, report.new_total),
            format!("{}/{}", report.carried_passing, report.carried_total),
            report.elapsed.as_secs_f64(),
        );
        problems.extend(
            report
                .problems
                .into_iter()
                .map(|p| format!("step {}: {p}", step.number)),
        );
    }
    // The closing count: reference tests and starter tests that behaved as they should.
    let counts = format!(
        "verify: {} passed, {} failed",
        reference_passed + book_passed + mutants_passed + export_passed + as_expected,
        problems.len()
    );
    if problems.is_empty() {
        println!("\nthe reference passes every suite; every starter fails first, as it should");
        println!("{counts}");
        Ok(())
    } else {
        Err(format!("\n{}\n{counts}", problems.join("\n")))
    }
}

/// Builds the programs and runs the book's commands; the number of commands that passed.
pub fn book_commands(root: &Path) -> Result<usize, String> {
    let binaries = super::commands::build_binaries(root)?;
    let (passed, problems) = super::commands::check_all(root, &binaries)?;
    if problems.is_empty() {
        println!("book commands: all {passed} fine");
        Ok(passed)
    } else {
        Err(format!(
            "book commands that fail:\n{}\nfix the command in the book, or the program",
            problems.join("\n")
        ))
    }
}

struct StarterReport {
    new_total: usize,
    new_failing: usize,
    carried_total: usize,
    carried_passing: usize,
    elapsed: Duration,
    problems: Vec<String>,
}

fn check_starter(root: &Path, step: &Step) -> Result<StarterReport, String> {
    let package = step.package();
    let build = cargo(root, &["test", "-p", &package, "--no-run"])?;
    if !build.success {
        return Err(format!(
            "{}\nthe pristine starter of {package} does not compile; fix the markers in \
             solutions/src/{package}.rs so that the starter builds, then run sync-labs",
            build.output
        ));
    }
    let started = Instant::now();
    let run = cargo(root, &["test", "-p", &package, "--", "--include-ignored"])?;
    let elapsed = started.elapsed();
    let results = libtest::parse(&run.output);
    let mut report = StarterReport {
        new_total: 0,
        new_failing: 0,
        carried_total: 0,
        carried_passing: 0,
        elapsed,
        problems: Vec::new(),
    };
    if results.is_empty() {
        report
            .problems
            .push(format!("no test ran:\n{}", run.output));
    }
    let carried_prefix = format!("{CARRIED_MODULE}::");
    for test in &results {
        if test.name.starts_with(&carried_prefix) {
            report.carried_total += 1;
            match test.outcome {
                Outcome::Passed => report.carried_passing += 1,
                _ => report.problems.push(format!(
                    "carried-over test {} fails on the starter: the starter must keep the \
                     earlier steps' behaviour (use a `// lab:starter` region){}",
                    test.name,
                    excerpt(&test.failure)
                )),
            }
            continue;
        }
        report.new_total += 1;
        match test.outcome {
            Outcome::Failed if teaches(&test.failure, step.number) => report.new_failing += 1,
            Outcome::Failed => report.problems.push(format!(
                "new test {} fails without teaching: its message should name `Step {}`, the \
                 docs chapter, or give a `hint:`{}",
                test.name,
                step.number,
                excerpt(&test.failure)
            )),
            Outcome::Passed => report.problems.push(format!(
                "new test {} already passes on the starter: mark the code it checks with \
                 `// lab:todo` or `// lab:starter` in solutions/src/{package}.rs",
                test.name
            )),
            Outcome::Ignored => report
                .problems
                .push(format!("test {} did not run (ignored)", test.name)),
        }
    }
    if elapsed > STARTER_RUN_LIMIT {
        report.problems.push(format!(
            "the starter's failing run took {:.1}s (limit {}s): a test waits too long; give it a \
             deadline (testkit::DEADLINE)",
            elapsed.as_secs_f64(),
            STARTER_RUN_LIMIT.as_secs()
        ));
    }
    Ok(report)
}

/// A failure teaches when it says which step to work on, where to read, or what to try.
fn teaches(failure: &str, step: u8) -> bool {
    failure.contains(&format!("Step {step}"))
        || failure.contains("docs chapter")
        || failure.contains("hint:")
}

fn excerpt(failure: &str) -> String {
    let lines: Vec<&str> = failure
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(8)
        .collect();
    if lines.is_empty() {
        String::new()
    } else {
        format!(":\n    {}", lines.join("\n    "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failure_teaches_when_it_points_somewhere() {
        assert!(teaches("not yet implemented: Step 4: return ...", 4));
        assert!(teaches("expected 3 bytes\nhint: end lines with CRLF", 4));
        assert!(!teaches("assertion failed: left == right", 4));
        assert!(!teaches("not yet implemented: Step 3: ...", 4));
    }
}
