//! The options of `cargo xtask grade`, and its usage.

use std::path::{Path, PathBuf};

use super::sources::TestsFrom;
use crate::steps::{STEPS, Step};

pub const USAGE: &str = "usage: cargo xtask grade [OPTIONS]

Runs the lab suites on the labs' code and prints, for each step, the tests passed, the points
and the status (not started, in progress, done); bonus tests count apart.

options:
  --steps STEPS        `3` or `4-7` (default: every step)
  --changed-since REF  grade only the labs changed since the checkout branched off REF
  --tests-from REF     take everything but labs/*/src (suites, test hosts, Cargo files, test
                       support) from git revision REF, so that an edited test changes nothing
                       (default: the checkout as it is; in a GitHub pull request run, the
                       pull request's base, origin/$GITHUB_BASE_REF)
  --tests-from-dir DIR take everything but labs/*/src from the files of checkout DIR as they
                       are: the course's, when the labs come from elsewhere (GitHub Classroom,
                       Gradescope)
  --labs-from DIR      the checkout whose labs are graded (default: this one)
  --json FILE          write the grade, per step and per test, to FILE as JSON
  --classroom FILE     write the grade, per step, to FILE as GitHub Classroom's reporter reads a
                       runner's result; when GITHUB_OUTPUT is set, also the step output `result`,
                       that result in base64, which the reporter takes
  --gradescope FILE    write the grade, per step, to FILE as Gradescope's results.json
  --build-dir DIR      where the grading workspace is built (default: target/grade)
  --sandbox            run the tests in the bubblewrap sandbox or not at all (without it, the
                       sandbox is used where it works, and the grade says when it is not)
  --repository NAME    the submission's repository (OWNER/NAME), recorded in the JSON
                       (default: $GITHUB_REPOSITORY)
  --pull-request N     the pull request's number, recorded in the JSON

Only the labs' test targets are built, from the trusted manifests. Each test runs in a process
of its own, is stopped after 15 s, and counts only by the verdict it hands back with a secret
its code never sees. In the sandbox (Linux, with bubblewrap) the student's code cannot see the
trusted checkout, the grade's outputs or the CI job's files, only copies that are checked after
each test; what it changes there, or a result it forges, is reported as tampering and scores 0
(the instructor guide's threat model says what is protected, and what is not). When
GITHUB_STEP_SUMMARY is set, a Markdown summary is added to that file.

exit status: 0 when every graded step is done, 1 when a graded step has a failing required
test (its own or an earlier step's), does not compile or shows tampering, 2 when no grade could
be made (a bad option, or --sandbox where the sandbox cannot run)";

pub struct Options {
    pub steps: Vec<&'static Step>,
    pub changed_since: Option<String>,
    pub tests_from: TestsFrom,
    pub labs_from: PathBuf,
    pub json: Option<PathBuf>,
    pub classroom: Option<PathBuf>,
    pub gradescope: Option<PathBuf>,
    pub build_dir: PathBuf,
    /// Print what the grade is doing (building, running) before the table.
    pub announce: bool,
    /// The checkout the grader runs from, which the tests must not touch.
    pub trusted_checkout: PathBuf,
    pub sandbox: Sandboxing,
    pub repository: Option<String>,
    pub pull_request: Option<u64>,
    /// The CI job's files and folders that the tests must not reach (GitHub's step summary,
    /// RUNNER_TEMP, ...), besides the JSON file.
    pub job_files: Vec<PathBuf>,
    pub job_folders: Vec<PathBuf>,
}

impl Options {
    /// A grade of `steps` of the checkout at `root` as it is, without announcing: what the
    /// golden cases start from.
    #[cfg(test)]
    pub fn working_tree(root: &Path, steps: Vec<&'static Step>) -> Options {
        Options {
            steps,
            changed_since: None,
            tests_from: TestsFrom::WorkingTree,
            labs_from: root.to_path_buf(),
            json: None,
            classroom: None,
            gradescope: None,
            build_dir: root.join(BUILD_DIR),
            announce: false,
            trusted_checkout: root.to_path_buf(),
            sandbox: Sandboxing::WhereItWorks,
            repository: None,
            pull_request: None,
            job_files: Vec::new(),
            job_folders: Vec::new(),
        }
    }
}

/// Whether the tests run in the sandbox.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Sandboxing {
    /// Or not at all: `--sandbox`, for grading others' code.
    Required,
    /// Where it works, saying so where it does not: `cargo xtask grade`.
    WhereItWorks,
}

/// Where the grade builds, from the workspace root.
const BUILD_DIR: &str = "target/grade";

pub fn parse(root: &Path, args: &[&str]) -> Result<Options, String> {
    let base = std::env::var("GITHUB_BASE_REF")
        .ok()
        .filter(|b| !b.is_empty());
    let mut options = Options {
        steps: STEPS.iter().collect(),
        changed_since: None,
        tests_from: match base {
            Some(base) => TestsFrom::Revision(format!("origin/{base}")),
            None => TestsFrom::WorkingTree,
        },
        labs_from: root.to_path_buf(),
        json: None,
        classroom: None,
        gradescope: None,
        build_dir: root.join(BUILD_DIR),
        announce: true,
        trusted_checkout: root.to_path_buf(),
        sandbox: Sandboxing::WhereItWorks,
        repository: std::env::var("GITHUB_REPOSITORY")
            .ok()
            .filter(|r| !r.is_empty()),
        pull_request: None,
        job_files: Vec::new(),
        job_folders: Vec::new(),
    };
    (options.job_files, options.job_folders) = super::sandbox::job_paths();
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        // `--option value` or `--option=value`.
        let (option, inline) = match arg.split_once('=') {
            Some((option, value)) if option.starts_with("--") => (option, Some(value)),
            _ => (*arg, None),
        };
        let mut value = || {
            inline
                .or_else(|| rest.next().copied())
                .ok_or_else(|| format!("{option} needs a value\n\n{USAGE}"))
        };
        if option == "--sandbox" && inline.is_none() {
            options.sandbox = Sandboxing::Required;
            continue;
        }
        match option {
            "--repository" => options.repository = Some(value()?.to_string()),
            "--pull-request" => {
                let number = value()?;
                let number = number
                    .parse()
                    .map_err(|_| format!("--pull-request takes a number, not {number:?}"))?;
                options.pull_request = Some(number);
            }
            "--steps" => options.steps = crate::parse_steps(value()?)?,
            "--changed-since" => options.changed_since = Some(value()?.to_string()),
            "--tests-from" => options.tests_from = TestsFrom::Revision(value()?.to_string()),
            "--labs-from" => options.labs_from = PathBuf::from(value()?),
            "--json" => options.json = Some(PathBuf::from(value()?)),
            "--classroom" => options.classroom = Some(PathBuf::from(value()?)),
            "--gradescope" => options.gradescope = Some(PathBuf::from(value()?)),
            "--tests-from-dir" => {
                let dir = value()?;
                let dir =
                    std::path::absolute(dir).map_err(|e| format!("--tests-from-dir {dir}: {e}"))?;
                if !dir.join("labs").is_dir() {
                    return Err(format!(
                        "--tests-from-dir {}: not a checkout of the workbook (no labs/ folder)",
                        dir.display()
                    ));
                }
                options.tests_from = TestsFrom::Checkout(dir);
            }
            // Absolute: cargo runs in the workspace inside it, and would read a relative
            // target folder from there.
            "--build-dir" => {
                let dir = value()?;
                options.build_dir =
                    std::path::absolute(dir).map_err(|e| format!("--build-dir {dir}: {e}"))?;
            }
            _ => return Err(format!("unknown option {arg:?}\n\n{USAGE}")),
        }
    }
    if !options.labs_from.join("labs").is_dir() {
        return Err(format!(
            "{} is not a checkout of the workbook (it has no labs/ folder)",
            options.labs_from.display()
        ));
    }
    Ok(options)
}
