//! Running the labs' tests, each in a process of its own with a wall-clock deadline. A test
//! that never ends (a loop that never exits, a read nothing will answer) is stopped at the
//! deadline with the processes it started, and costs that test only: the others run in their
//! own processes, on as many workers as the machine has cores.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::Duration;

use crate::command::{Ending, run_within};
use crate::libtest::{self, Outcome as Harness};

/// How long one test may run. The suites' own deadlines end a failing test within a few
/// seconds (`testkit::DEADLINE` is 3 s, a client gets twice that), so only a test that would
/// never end reaches this.
pub const TEST_DEADLINE: Duration = Duration::from_secs(15);

/// How long listing a binary's tests may take.
const LISTING_LIMIT: Duration = Duration::from_secs(30);

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Outcome {
    Passed,
    Failed,
    /// Still running at [`TEST_DEADLINE`], and stopped.
    TimedOut,
}

/// The tests of one test binary: all of them, and which are ignored unless asked for (in a lab,
/// the bonus tests).
pub struct Listing {
    pub tests: Vec<String>,
    pub ignored: BTreeSet<String>,
}

/// One test to run: `name` in the binary `binary`, started in the lab's folder `dir` as
/// `cargo test` would.
pub struct Job {
    pub binary: PathBuf,
    pub dir: PathBuf,
    pub name: String,
}

/// What a test did: its outcome and, unless it passed, why.
pub struct Ran {
    pub outcome: Outcome,
    pub message: String,
}

pub fn list(binary: &Path, dir: &Path) -> Result<Listing, String> {
    let tests = libtest::list(&harness(binary, dir, &["--list"])?);
    let ignored = libtest::list(&harness(binary, dir, &["--list", "--ignored"])?);
    Ok(Listing {
        tests,
        ignored: ignored.into_iter().collect(),
    })
}

fn harness(binary: &Path, dir: &Path, args: &[&str]) -> Result<String, String> {
    let mut command = test_command(binary, dir);
    command.args(args);
    match run_within(command, LISTING_LIMIT, true)? {
        Ending::Exited(run) if run.success => Ok(run.output),
        Ending::Exited(run) => Err(format!(
            "{} {args:?} failed:\n{}",
            binary.display(),
            run.output
        )),
        Ending::Stopped(_) => Err(format!("{} {args:?} did not end", binary.display())),
    }
}

/// Runs every job on `workers` threads, each job in its own process; the results are in the
/// order of `jobs`.
pub fn run_all(jobs: &[Job], workers: usize) -> Vec<Ran> {
    let next = AtomicUsize::new(0);
    let results: Vec<Mutex<Option<Ran>>> = jobs.iter().map(|_| Mutex::new(None)).collect();
    thread::scope(|scope| {
        for _ in 0..workers.max(1) {
            scope.spawn(|| {
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    let Some(job) = jobs.get(index) else { break };
                    let ran = run_one(job);
                    *results[index].lock().unwrap_or_else(|e| e.into_inner()) = Some(ran);
                }
            });
        }
    });
    results
        .into_iter()
        .map(|slot| {
            slot.into_inner()
                .unwrap_or_else(|e| e.into_inner())
                .expect("every job ran")
        })
        .collect()
}

fn run_one(job: &Job) -> Ran {
    let mut command = test_command(&job.binary, &job.dir);
    command.args([
        "--exact",
        &job.name,
        "--include-ignored",
        "--test-threads",
        "1",
    ]);
    let output = match run_within(command, TEST_DEADLINE, true) {
        Err(error) => return failed(format!("the test could not be started: {error}")),
        Ok(Ending::Stopped(_)) => {
            return Ran {
                outcome: Outcome::TimedOut,
                message: format!(
                    "the test did not finish within {}s and was stopped.\nhint: does your code \
                     loop forever, or wait for something that never comes (a read, a lock, a \
                     child process)?",
                    TEST_DEADLINE.as_secs()
                ),
            };
        }
        Ok(Ending::Exited(run)) => run.output,
    };
    let result = libtest::parse(&output)
        .into_iter()
        .find(|result| result.name == job.name);
    match result {
        Some(result) if result.outcome == Harness::Passed => Ran {
            outcome: Outcome::Passed,
            message: String::new(),
        },
        Some(result) => failed(clean(&result.failure)),
        None => failed(format!(
            "the test process ended without reporting a result: did the code exit the \
             process or overflow its stack?\n{}",
            tail(&output, 15)
        )),
    }
}

/// The lab's test binary, run in the lab's folder as `cargo test` runs it, without the
/// variables through which a program could write into the CI job's results.
fn test_command(binary: &Path, dir: &Path) -> Command {
    let mut command = Command::new(binary);
    command.current_dir(dir).env("RUST_BACKTRACE", "0");
    for (name, _) in std::env::vars_os() {
        let name_text = name.to_string_lossy();
        if name_text.starts_with("GITHUB_") || name_text.starts_with("ACTIONS_") {
            command.env_remove(&name);
        }
    }
    command
}

fn failed(message: String) -> Ran {
    Ran {
        outcome: Outcome::Failed,
        message,
    }
}

/// A failure as the harness printed it, without its note on backtraces, and with `panicked
/// at PLACE:` instead of the thread's name and id, which only repeat the test's name.
fn clean(failure: &str) -> String {
    let lines: Vec<&str> = failure
        .lines()
        .filter(|line| !line.starts_with("note: run with `RUST_BACKTRACE=1`"))
        .map(|line| match line.split_once(" panicked at ") {
            Some((thread, _)) if thread.starts_with("thread '") => &line[thread.len() + 1..],
            _ => line,
        })
        .collect();
    lines.join("\n").trim().to_string()
}

fn tail(text: &str, count: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(count)..].join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failure_is_cleaned_of_what_only_repeats_the_test() {
        let failure = "\nthread 'step6::a' (14275) panicked at src/lib.rs:3:5:\nStep 6: write it\n\
                       note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace\n";
        assert_eq!(
            clean(failure),
            "panicked at src/lib.rs:3:5:\nStep 6: write it"
        );
    }
}
