//! `cargo xtask grade`: each step's tests passed, points and status. A student sees their
//! progress with it; CI grades a pull request with it, taking the tests from a trusted revision.
//!
//! - `grade/points.rs`: what each step is worth, the one place to change the marking
//! - `grade/sources.rs`: the trusted files, the student's `labs/*/src/`, and the grading
//!   workspace made of them
//! - `grade/compile.rs`: building each lab's test binary, a lab that does not compile apart
//! - `grade/run.rs`: each test in a process of its own, with a deadline
//! - `grade/report.rs`: the table, the JSON file and the Markdown summary

mod compile;
mod points;
mod report;
mod run;
mod sources;

#[cfg(test)]
mod golden;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::steps::{CARRIED_MODULE, STEPS, Step};
pub use run::Outcome;
use run::{Job, Ran};
use sources::TestsFrom;

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
  --labs-from DIR      the checkout whose labs are graded (default: this one)
  --json FILE          write the grade, per step and per test, to FILE as JSON
  --build-dir DIR      where the grading workspace is built (default: target/grade)

Each test runs in a process of its own and is stopped after 15 s. When GITHUB_STEP_SUMMARY
is set, a Markdown summary is added to that file.

exit status: 0 when every graded step is done, 1 when a graded step has a failing required
test (its own or an earlier step's) or does not compile, 2 when no grade could be made";

pub struct Options {
    pub steps: Vec<&'static Step>,
    pub changed_since: Option<String>,
    pub tests_from: TestsFrom,
    pub labs_from: PathBuf,
    pub json: Option<PathBuf>,
    pub build_dir: PathBuf,
}

pub struct Report {
    /// Where the trusted files came from, in words.
    pub tests_from: String,
    pub labs_from: PathBuf,
    /// With `--changed-since`: the revision, in words.
    pub changed_since: Option<String>,
    /// With `--changed-since`: the changed files that the grade does not take from the
    /// student, because they are not in a lab's `src/` (an edited test, for example).
    pub changed_elsewhere: Vec<String>,
    pub steps: Vec<StepGrade>,
}

pub struct StepGrade {
    pub step: &'static Step,
    pub result: LabResult,
}

pub enum LabResult {
    /// The compiler's first error.
    DoesNotCompile(String),
    Tested(Vec<TestGrade>),
}

pub struct TestGrade {
    /// The test's path in the lab's test binary, as `cargo test -p stepN NAME` takes it.
    pub name: String,
    pub kind: Kind,
    pub outcome: Outcome,
    /// Why it failed; empty when it passed.
    pub message: String,
    pub points: f64,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Kind {
    /// New at this step: earns a share of the step's points.
    Required,
    /// Carried over from an earlier step: earns nothing, but must pass.
    Earlier,
    /// A bonus test: earns a share of the step's bonus points.
    Bonus,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Status {
    NotStarted,
    InProgress,
    Done,
    DoesNotCompile,
}

/// `cargo xtask grade ARGS`: prints the grade, writes the files asked for, and exits with the
/// status the usage documents.
pub fn main(root: &Path, args: &[&str]) -> ExitCode {
    if matches!(args, ["--help" | "-h" | "help"]) {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    match parse(root, args).and_then(|options| grade(&options).map(|r| (options, r))) {
        Ok((options, report)) => match publish(&options, &report) {
            Ok(()) if report.passes() => ExitCode::SUCCESS,
            Ok(()) => ExitCode::FAILURE,
            Err(message) => fail(&message),
        },
        Err(message) => fail(&message),
    }
}

fn fail(message: &str) -> ExitCode {
    eprintln!("xtask grade: {message}");
    ExitCode::from(2)
}

fn publish(options: &Options, report: &Report) -> Result<(), String> {
    print!("{}", report::table(report));
    if let Some(path) = &options.json {
        std::fs::write(path, report::json(report))
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    if let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty()) {
        use std::io::Write;
        let mut file = std::fs::OpenOptions::new()
            .append(true)
            .create(true)
            .open(&path)
            .map_err(|e| format!("cannot open GITHUB_STEP_SUMMARY: {e}"))?;
        file.write_all(report::markdown(report).as_bytes())
            .map_err(|e| format!("cannot write GITHUB_STEP_SUMMARY: {e}"))?;
    }
    Ok(())
}

fn parse(root: &Path, args: &[&str]) -> Result<Options, String> {
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
        build_dir: root.join("target/grade"),
    };
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
        match option {
            "--steps" => options.steps = crate::parse_steps(value()?)?,
            "--changed-since" => options.changed_since = Some(value()?.to_string()),
            "--tests-from" => options.tests_from = TestsFrom::Revision(value()?.to_string()),
            "--labs-from" => options.labs_from = PathBuf::from(value()?),
            "--json" => options.json = Some(PathBuf::from(value()?)),
            "--build-dir" => options.build_dir = PathBuf::from(value()?),
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

/// Grades the labs that `options` choose: builds them in the grading workspace with the
/// trusted files, runs every test with its deadline, and scores them.
pub fn grade(options: &Options) -> Result<Report, String> {
    let checkout = &options.labs_from;
    let mut report = Report {
        tests_from: match &options.tests_from {
            TestsFrom::WorkingTree => "the checkout as it is".to_string(),
            TestsFrom::Revision(revision) => describe(checkout, revision)?,
        },
        labs_from: checkout.clone(),
        changed_since: None,
        changed_elsewhere: Vec::new(),
        steps: Vec::new(),
    };
    let mut steps = options.steps.clone();
    if let Some(revision) = &options.changed_since {
        report.changed_since = Some(describe(checkout, revision)?);
        let changed = sources::changed_since(checkout, revision)?;
        steps.retain(|step| {
            let folder = format!("labs/{}/", step.dir);
            changed.iter().any(|path| path.starts_with(&folder))
        });
        report.changed_elsewhere = changed
            .into_iter()
            .filter(|path| !sources::is_lab_source(path))
            .collect();
    }
    if steps.is_empty() {
        return Ok(report);
    }

    let mut files = sources::trusted(checkout, &options.tests_from)?;
    sources::take_labs(&mut files, checkout, &steps)?;
    let workspace = options.build_dir.join("workspace");
    sources::mirror(&files, &workspace)?;
    let packages: Vec<String> = steps.iter().map(|s| s.package()).collect();
    println!(
        "grade: building {} in {}",
        packages.join(", "),
        workspace.display()
    );
    let built = compile::build(&workspace, &options.build_dir.join("target"), &steps)?;

    // Every test of every lab that compiles, in one queue, so that the workers stay busy.
    let mut jobs = Vec::new();
    let mut listings = Vec::new();
    for (step, built) in steps.iter().zip(built) {
        let listing = match built {
            compile::Built::DoesNotCompile(error) => Err(error),
            compile::Built::Tests(binary) => {
                let dir = workspace.join("labs").join(step.dir);
                let listing = run::list(&binary, &dir)?;
                for name in &listing.tests {
                    jobs.push(Job {
                        binary: binary.clone(),
                        dir: dir.clone(),
                        name: name.clone(),
                    });
                }
                Ok(listing)
            }
        };
        listings.push(listing);
    }
    let workers = std::thread::available_parallelism().map_or(2, usize::from);
    println!(
        "grade: running {} tests, each in its own process, stopped after {} s",
        jobs.len(),
        run::TEST_DEADLINE.as_secs()
    );
    let mut results = run::run_all(&jobs, workers).into_iter();

    for (step, listing) in steps.iter().zip(listings) {
        let result = match listing {
            Err(error) => LabResult::DoesNotCompile(error),
            Ok(listing) => {
                let ran: Vec<(String, Ran)> = listing
                    .tests
                    .iter()
                    .map(|name| (name.clone(), results.next().expect("a result per test")))
                    .collect();
                LabResult::Tested(score(step, ran, &listing.ignored))
            }
        };
        report.steps.push(StepGrade { step, result });
    }
    Ok(report)
}

/// `revision` in words: its short commit id, and its name when that is not the id.
fn describe(checkout: &Path, revision: &str) -> Result<String, String> {
    let commit = sources::short_commit(checkout, revision).map_err(|e| {
        format!(
            "{e}\nhint: is {revision:?} fetched in {}? (in a workflow, check out with \
             fetch-depth: 0)",
            checkout.display()
        )
    })?;
    Ok(if revision.starts_with(&commit) {
        commit
    } else {
        format!("{commit} ({revision})")
    })
}

/// Each test's kind and points: the step's points are shared by its new tests, its bonus
/// points by its bonus tests (the ignored ones).
fn score(
    step: &Step,
    ran: Vec<(String, Ran)>,
    ignored: &std::collections::BTreeSet<String>,
) -> Vec<TestGrade> {
    let carried = format!("{CARRIED_MODULE}::");
    let kind_of = |name: &str| {
        if ignored.contains(name) {
            Kind::Bonus
        } else if name.starts_with(&carried) {
            Kind::Earlier
        } else {
            Kind::Required
        }
    };
    let count = |kind| ran.iter().filter(|(name, _)| kind_of(name) == kind).count();
    let worth = points::of(step.number);
    let required_share = points::share(worth.required, count(Kind::Required));
    let bonus_share = points::share(worth.bonus, count(Kind::Bonus));
    ran.into_iter()
        .map(|(name, ran)| {
            let kind = kind_of(&name);
            let share = match kind {
                Kind::Required => required_share,
                Kind::Bonus => bonus_share,
                Kind::Earlier => 0.0,
            };
            TestGrade {
                points: if ran.outcome == Outcome::Passed {
                    share
                } else {
                    0.0
                },
                name,
                kind,
                outcome: ran.outcome,
                message: ran.message,
            }
        })
        .collect()
}

impl Report {
    /// Every graded step is done: the exit status is then success.
    pub fn passes(&self) -> bool {
        self.steps.iter().all(|step| step.status() == Status::Done)
    }
}

impl StepGrade {
    pub fn tests(&self) -> &[TestGrade] {
        match &self.result {
            LabResult::Tested(tests) => tests,
            LabResult::DoesNotCompile(_) => &[],
        }
    }

    /// How many tests of `kind` passed, and how many there are.
    pub fn count(&self, kind: Kind) -> (usize, usize) {
        let of_kind = self.tests().iter().filter(|test| test.kind == kind);
        let passed = of_kind
            .clone()
            .filter(|test| test.outcome == Outcome::Passed)
            .count();
        (passed, of_kind.count())
    }

    /// The points earned by tests of `kind`: the step's points in proportion to the tests
    /// passed (a sum of shares would not always add up to the whole).
    pub fn points(&self, kind: Kind) -> f64 {
        let worth = points::of(self.step.number);
        let max = match kind {
            Kind::Required => worth.required,
            Kind::Bonus => worth.bonus,
            Kind::Earlier => 0,
        };
        match self.count(kind) {
            (_, 0) => 0.0,
            (passed, total) => f64::from(max) * passed as f64 / total as f64,
        }
    }

    pub fn max_points(&self) -> u32 {
        points::of(self.step.number).required
    }

    pub fn max_bonus(&self) -> u32 {
        points::of(self.step.number).bonus
    }

    pub fn status(&self) -> Status {
        if let LabResult::DoesNotCompile(_) = self.result {
            return Status::DoesNotCompile;
        }
        let (new_passed, new_total) = self.count(Kind::Required);
        let (earlier_passed, earlier_total) = self.count(Kind::Earlier);
        if new_passed == new_total && earlier_passed == earlier_total {
            Status::Done
        } else if new_passed == 0 {
            Status::NotStarted
        } else {
            Status::InProgress
        }
    }
}

impl Status {
    pub fn words(self) -> &'static str {
        match self {
            Status::NotStarted => "not started",
            Status::InProgress => "in progress",
            Status::Done => "done",
            Status::DoesNotCompile => "does not compile",
        }
    }
}
