//! The student's own build: each lab's test target built in the workspace's own target folder,
//! exactly as `cargo test -p stepN` builds it, so that `watch` and `cargo test` reuse each
//! other's work; then each of its tests run in a process of its own with the grade's deadline,
//! and scored by the grade.
//!
//! One process a test, rather than the whole binary once: a test that never ends costs that
//! test [`TEST_DEADLINE`] and nothing else, the others report as usual, and no deadline for a
//! whole run has to guess how long a lab's slow but honest tests may take. A process costs a
//! few milliseconds.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::command::{Ending, cargo, run};
use crate::grade::{self, Built, Ran, Report, StepGrade, TEST_DEADLINE};
use crate::libtest;
use crate::steps::Step;

/// How long listing a binary's tests may take.
const LISTING_LIMIT: Duration = Duration::from_secs(30);

/// The target folder that `cargo test` uses in the workspace at `root` (`target/`, unless
/// `CARGO_TARGET_DIR` or cargo's configuration says otherwise), as `cargo metadata` reports it.
pub fn target_dir(root: &Path) -> Result<PathBuf, String> {
    let run = cargo(root, &["metadata", "--format-version", "1", "--no-deps"])?;
    let found = run
        .success
        .then(|| json_string(&run.output, "target_directory"));
    found
        .flatten()
        .map(PathBuf::from)
        .ok_or_else(|| format!("`cargo metadata` named no target folder:\n{}", run.output))
}

/// The string value of the first `"key":"..."` in `json`, unescaped.
fn json_string(json: &str, key: &str) -> Option<String> {
    let start = json.find(&format!("\"{key}\":\""))? + key.len() + 4;
    let mut value = String::new();
    let mut chars = json[start..].chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => return Some(value),
            // Paths hold only `\\` and `\"` escapes (a Windows path's separators).
            '\\' => value.push(chars.next()?),
            c => value.push(c),
        }
    }
    None
}

/// Builds the labs of `steps` in `root` with the target folder `target`, runs their tests and
/// scores them; a lab that does not compile is reported with the compiler's first error.
pub fn test(root: &Path, target: &Path, steps: &[&'static Step]) -> Result<Vec<StepGrade>, String> {
    let built = grade::build_tests(root, target, steps)?;
    let mut listed = Vec::new();
    let mut jobs = Vec::new();
    for (step, built) in steps.iter().zip(built) {
        let listing = match built {
            Built::DoesNotCompile(error) => Err(error),
            Built::Tests(binary) => {
                // Cargo names it from where it ran, the root; the tests run in the lab's folder.
                let binary = root.join(binary);
                let dir = root.join("labs").join(step.dir);
                let (tests, ignored) = list(&binary, &dir)?;
                jobs.extend(
                    tests
                        .iter()
                        .map(|name| (binary.clone(), dir.clone(), name.clone())),
                );
                Ok((tests, ignored))
            }
        };
        listed.push((step, listing));
    }
    let workers = std::thread::available_parallelism().map_or(2, usize::from);
    let mut results = grade::in_parallel(&jobs, workers, |_, (binary, dir, name)| {
        run_one(binary, dir, name)
    })
    .into_iter();
    let graded = listed.into_iter().map(|(step, listing)| match listing {
        Err(error) => StepGrade {
            step,
            result: grade::LabResult::DoesNotCompile(error),
            tampering: Vec::new(),
        },
        Ok((tests, ignored)) => {
            let ran = tests.into_iter().map(|name| {
                let ran = results.next().expect("a result per test");
                (name, ran)
            });
            grade::scored(step, ran.collect(), &ignored)
        }
    });
    Ok(graded.collect())
}

/// The tests of the test binary `binary`, and which of them are ignored (the bonus tests).
fn list(binary: &Path, dir: &Path) -> Result<(Vec<String>, BTreeSet<String>), String> {
    let tests = libtest::list(&harness(binary, dir, &["--list"])?);
    let ignored = libtest::list(&harness(binary, dir, &["--list", "--ignored"])?);
    Ok((tests, ignored.into_iter().collect()))
}

fn harness(binary: &Path, dir: &Path, args: &[&str]) -> Result<String, String> {
    let shown = format!("{} {}", binary.display(), args.join(" "));
    match run(test_command(binary, dir, args), None, LISTING_LIMIT)? {
        Ending::Exited(run) if run.success => Ok(run.output),
        Ending::Exited(run) => Err(format!("`{shown}` failed:\n{}", run.output)),
        Ending::Stopped(_) => Err(format!("`{shown}` did not end")),
    }
}

/// Runs the test `name` alone, bonus or not, and reads its outcome off the harness's output.
fn run_one(binary: &Path, dir: &Path, name: &str) -> Ran {
    let args = ["--exact", name, "--include-ignored", "--test-threads", "1"];
    let ending = match run(test_command(binary, dir, &args), None, TEST_DEADLINE) {
        Ok(ending) => ending,
        Err(error) => return grade::failed(format!("the test could not be started: {error}")),
    };
    let (output, stopped) = match ending {
        Ending::Exited(run) => (run.output, false),
        Ending::Stopped(output) => (output, true),
    };
    let result = libtest::parse(&output).into_iter().find(|r| r.name == name);
    match result {
        Some(result) if result.outcome == libtest::Outcome::Passed => Ran {
            outcome: grade::Outcome::Passed,
            message: String::new(),
            tampering: Vec::new(),
        },
        Some(result) => grade::failed(grade::clean(&result.failure)),
        None if stopped => grade::timed_out(),
        None => grade::ended_without_result(&output),
    }
}

/// The lab's test binary `ARGS`, started in the lab's folder as `cargo test` starts it.
fn test_command(binary: &Path, dir: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(binary);
    command
        .args(args)
        .current_dir(dir)
        .env("RUST_BACKTRACE", "0");
    command
}

/// A report of `steps` tested by `watch`: only the steps count, the rest says where from.
pub fn report(root: &Path, steps: Vec<StepGrade>) -> Report {
    Report {
        tests_from: "the checkout as it is".into(),
        labs_from: root.to_path_buf(),
        commit: None,
        repository: None,
        pull_request: None,
        isolation: "not isolated: a student's own view".into(),
        tampering: Vec::new(),
        changed_since: None,
        changed_elsewhere: Vec::new(),
        steps,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_string_is_read_off_json_with_its_escapes() {
        let json = r#"{"packages":[],"target_directory":"C:\\w\\\"t\"","version":1}"#;
        assert_eq!(
            json_string(json, "target_directory").as_deref(),
            Some(r#"C:\w\"t""#)
        );
        assert_eq!(json_string(json, "workspace_root"), None);
    }
}
