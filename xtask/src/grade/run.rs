//! Running the labs' tests, each in a process of its own with a wall-clock deadline, in the
//! sandbox when there is one (`sandbox.rs`). A test that never ends (a loop that never exits, a
//! read nothing will answer) is stopped at the deadline with the processes it started, and
//! costs that test only: the others run in their own processes, on as many workers as the
//! machine has cores.
//!
//! Each process runs the graded host's `grade_dispatch` only, which is given the test's name
//! and a secret made for that run (`testkit::verdict`). The test's outcome is the verdict line
//! that carries the secret, and nothing else the process prints or does.

use std::collections::BTreeSet;
use std::hash::{BuildHasher, Hasher};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::Duration;

use super::sandbox::{Decoys, Isolation, LEFT_RUNNING, Layout};
use crate::command::{Ending, run};
use crate::libtest;

/// How long one test may run. The suites' own deadlines end a failing test within a few
/// seconds (`testkit::DEADLINE` is 3 s, a client gets twice that), so only a test that would
/// never end reaches this.
pub const TEST_DEADLINE: Duration = Duration::from_secs(15);

/// How long listing a binary's tests may take.
const LISTING_LIMIT: Duration = Duration::from_secs(30);

/// The graded host's one test, through which every suite test runs.
pub const DISPATCH: &str = "grade_dispatch";

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Outcome {
    Passed,
    Failed,
    /// Still running at [`TEST_DEADLINE`], and stopped.
    TimedOut,
    /// The test's run showed tampering: it scores nothing, whatever its verdict.
    Tampered,
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

/// What a test did: its outcome and, unless it passed, why; and the tampering its run showed.
pub struct Ran {
    pub outcome: Outcome,
    pub message: String,
    pub tampering: Vec<String>,
}

/// Where and how the tests run: in the sandbox with the layout's decoys, or as they are.
pub struct Runner<'a> {
    isolation: &'a Isolation,
    layout: &'a Layout,
    /// Decoys that a test left as they were laid, ready for the next: laying them is most of
    /// what a sandboxed test costs, and a test almost never touches them.
    spare: Mutex<Vec<Decoys>>,
    laid: AtomicUsize,
}

impl<'a> Runner<'a> {
    pub fn new(isolation: &'a Isolation, layout: &'a Layout) -> Runner<'a> {
        Runner {
            isolation,
            layout,
            spare: Mutex::new(Vec::new()),
            laid: AtomicUsize::new(0),
        }
    }

    /// Runs `binary ARGS` in `dir`, in the sandbox with decoys as they were laid, or as it is;
    /// what it ended as, and what it changed in the decoys.
    fn run(
        &self,
        binary: &Path,
        dir: &Path,
        args: &[&str],
        input: Option<Vec<u8>>,
        limit: Duration,
    ) -> Result<(Ending, Vec<String>), String> {
        let Isolation::Sandboxed(sandbox) = self.isolation else {
            let mut command = test_command(binary, dir);
            command.args(args);
            return Ok((run(command, input, limit)?, Vec::new()));
        };
        let spare = self.spare.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let decoys = match spare {
            Some(decoys) => decoys,
            None => {
                let name = format!("decoys-{}", self.laid.fetch_add(1, Ordering::Relaxed));
                Decoys::lay(self.layout, &name, sandbox.as_nobody())?
            }
        };
        let command = sandbox.command(self.layout, &decoys, dir, binary, args);
        let ending = run(command, input, limit);
        let changes = decoys.changes(self.layout);
        if changes.is_empty() {
            self.spare
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(decoys);
        } else {
            decoys.remove();
        }
        Ok((ending?, changes))
    }
}

pub fn list(runner: &Runner, binary: &Path, dir: &Path) -> Result<Listing, String> {
    let tests = libtest::list(&harness(runner, binary, dir, &["--list"])?);
    let ignored = libtest::list(&harness(runner, binary, dir, &["--list", "--ignored"])?);
    let tests = tests.into_iter().filter(|name| name != DISPATCH).collect();
    Ok(Listing {
        tests,
        ignored: ignored.into_iter().collect(),
    })
}

fn harness(runner: &Runner, binary: &Path, dir: &Path, args: &[&str]) -> Result<String, String> {
    let (ending, changes) = runner.run(binary, dir, args, None, LISTING_LIMIT)?;
    if !changes.is_empty() {
        return Err(format!("listing the tests changed files: {changes:?}"));
    }
    match ending {
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
pub fn run_all(runner: &Runner, jobs: &[Job], workers: usize) -> Vec<Ran> {
    in_parallel(jobs, workers, |_, job| run_one(runner, job))
}

/// `work` on each of `items` (with its index), on `workers` threads taking the next item as
/// they finish one; the results are in the order of `items`.
pub fn in_parallel<T: Sync, R: Send>(
    items: &[T],
    workers: usize,
    work: impl Fn(usize, &T) -> R + Sync,
) -> Vec<R> {
    let next = AtomicUsize::new(0);
    let results: Vec<Mutex<Option<R>>> = items.iter().map(|_| Mutex::new(None)).collect();
    thread::scope(|scope| {
        for _ in 0..workers.max(1) {
            scope.spawn(|| {
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    let Some(item) = items.get(index) else { break };
                    let result = work(index, item);
                    *results[index].lock().unwrap_or_else(|e| e.into_inner()) = Some(result);
                }
            });
        }
    });
    results
        .into_iter()
        .map(|slot| {
            slot.into_inner()
                .unwrap_or_else(|e| e.into_inner())
                .expect("every item was worked on")
        })
        .collect()
}

fn run_one(runner: &Runner, job: &Job) -> Ran {
    let secret = secret();
    let args = ["--exact", DISPATCH, "--test-threads", "1"];
    let input = format!("{secret}\n{}\n", job.name).into_bytes();
    let (ending, mut tampering) =
        match runner.run(&job.binary, &job.dir, &args, Some(input), TEST_DEADLINE) {
            Ok(ran) => ran,
            Err(error) => return failed(format!("the test could not be started: {error}")),
        };
    let (output, code) = match ending {
        Ending::Stopped(output) => (output, None),
        Ending::Exited(run) => (run.output, Some(run.code)),
    };
    let verdict = read_verdict(&output, &secret, &job.name, &mut tampering);
    if matches!(runner.isolation, Isolation::Sandboxed(_)) && code == Some(Some(LEFT_RUNNING)) {
        tampering.push("left a process running when the test ended (it was killed)".into());
    }
    if verdict.is_none() && code == Some(Some(0)) {
        tampering.push(
            "the test's process ended with success before the test finished (did the code \
             call std::process::exit?)"
                .into(),
        );
    }
    let mut ran = match (verdict, code) {
        (Some(true), _) => Ran {
            outcome: Outcome::Passed,
            message: String::new(),
            tampering: Vec::new(),
        },
        (Some(false), _) => {
            let result = libtest::parse(&output)
                .into_iter()
                .find(|r| r.name == DISPATCH);
            failed(result.map_or_else(|| tail(&output, 15), |r| clean(&r.failure)))
        }
        (None, None) => timed_out(),
        (None, Some(_)) => ended_without_result(&output),
    };
    if !tampering.is_empty() {
        let what: Vec<String> = tampering.iter().map(|t| format!("  - {t}")).collect();
        ran.message = format!(
            "tampering: this test scores 0.\n{}\n{}",
            what.join("\n"),
            ran.message
        )
        .trim_end()
        .to_string();
        ran.outcome = Outcome::Tampered;
        ran.tampering = tampering;
    }
    ran
}

/// The verdict that carries `secret` (`Some(true)`: passed), noting in `tampering` what in the
/// output only pretends to be a result.
fn read_verdict(
    output: &str,
    secret: &str,
    test: &str,
    tampering: &mut Vec<String>,
) -> Option<bool> {
    let mut verdict = None;
    let mut forged = false;
    for line in output.lines() {
        if let Some(rest) = line
            .strip_prefix(testkit_tag())
            .and_then(|r| r.strip_prefix(' '))
        {
            match rest.split_once(' ') {
                Some((given, outcome)) if given == secret && verdict.is_none() => {
                    verdict = Some(outcome == "passed");
                }
                _ => forged = true,
            }
        }
    }
    if forged {
        tampering.push(
            "printed a verdict line that the grader did not ask for (a forged result)".into(),
        );
    }
    let harness_lines = libtest::parse(output)
        .into_iter()
        .filter(|result| result.name != DISPATCH)
        .count();
    if harness_lines > 0 {
        tampering.push(format!(
            "printed test results of its own, in the harness's words (only {test} was run)"
        ));
    }
    verdict
}

/// `testkit::verdict::TAG`, which xtask does not link.
fn testkit_tag() -> &'static str {
    "grade-verdict"
}

/// 128 random bits in hex, from the standard library's randomly keyed hashers.
fn secret() -> String {
    let half = || {
        let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
        hasher.write_u64(0);
        hasher.finish()
    };
    format!("{:016x}{:016x}", half(), half())
}

/// The lab's test binary, run in the lab's folder as `cargo test` runs it, without the
/// variables through which a program could write into the CI job's results.
fn test_command(binary: &Path, dir: &Path) -> Command {
    let mut command = Command::new(binary);
    command.current_dir(dir).env("RUST_BACKTRACE", "0");
    without_job_variables(&mut command);
    command
}

/// Leaves out of `command`'s environment the CI job's variables (`GITHUB_*`, `ACTIONS_*`,
/// `RUNNER_*`): paths to the run's files and tokens, which the student's code must not reach,
/// also through the compiler (`include_str!("/proc/self/environ")` reads rustc's environment).
pub fn without_job_variables(command: &mut Command) {
    for (name, _) in std::env::vars_os() {
        let text = name.to_string_lossy();
        if ["GITHUB_", "ACTIONS_", "RUNNER_"]
            .iter()
            .any(|p| text.starts_with(p))
        {
            command.env_remove(&name);
        }
    }
}

/// A test still running at [`TEST_DEADLINE`], and stopped.
pub fn timed_out() -> Ran {
    Ran {
        outcome: Outcome::TimedOut,
        message: format!(
            "the test did not finish within {}s and was stopped.\nhint: does your code loop \
             forever, or wait for something that never comes (a read, a lock, a child \
             process)?",
            TEST_DEADLINE.as_secs()
        ),
        tampering: Vec::new(),
    }
}

/// A test whose process ended, having printed `output` but no result.
pub fn ended_without_result(output: &str) -> Ran {
    failed(format!(
        "the test process ended without reporting a result: did the code exit the process or \
         overflow its stack?\n{}",
        tail(output, 15)
    ))
}

pub fn failed(message: String) -> Ran {
    Ran {
        outcome: Outcome::Failed,
        message,
        tampering: Vec::new(),
    }
}

/// A failure as the harness printed it, without its note on backtraces, and with `panicked
/// at PLACE:` instead of the thread's name and id, which only repeat the test's name.
pub fn clean(failure: &str) -> String {
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
