//! `cargo xtask grade`: each step's tests passed, points and status. A student sees their
//! progress with it; CI grades a pull request with it, taking the tests from a trusted revision.
//!
//! - `grade/options.rs`: the options and the usage
//! - `grade/model.rs`: steps, tests, kinds, outcomes, points and statuses
//! - `grade/points.rs`: what each step is worth, the one place to change the marking
//! - `grade/sources.rs`: the trusted files, the student's `labs/*/src/`, and the grading
//!   workspace made of them
//! - `grade/graded.rs`: the grading workspace's test hosts and suites, with the way in
//!   through which a test's verdict cannot be forged
//! - `grade/compile.rs`: building each lab's test binary, a lab that does not compile apart
//! - `grade/sandbox.rs`: the bubblewrap sandbox each test runs in, and its decoys
//! - `grade/run.rs`: each test in a process of its own, with a deadline, and its verdict
//! - `grade/report.rs`, `grade/json.rs`: the table, the JSON file, the Markdown summary, and
//!   `watch`'s progress
//! - `grade/classroom.rs`, `grade/gradescope.rs`, `grade/scores.rs`, `grade/base64.rs`: the
//!   grade as GitHub Classroom's reporter and Gradescope read it, per step

mod base64;
mod classroom;
mod compile;
mod graded;
mod gradescope;
mod json;
mod model;
mod options;
mod points;
pub mod report;
mod run;
pub mod sandbox;
mod scores;
pub mod sources;

#[cfg(test)]
mod fixture;
#[cfg(test)]
mod json_read;

#[cfg(test)]
pub mod golden;

use std::path::Path;
use std::process::ExitCode;

pub use compile::{Built, build as build_tests};
#[cfg(test)]
pub use model::TestGrade;
pub use model::{Blocker, Kind, LabResult, Report, Status, StepGrade};
pub use options::Options;
use options::Sandboxing;
use options::{USAGE, parse};
pub use report::progress;
use run::{Job, Runner};
pub use run::{
    Outcome, Ran, TEST_DEADLINE, clean, ended_without_result, failed, in_parallel, timed_out,
};
use sandbox::{Isolation, Layout};
use sources::TestsFrom;

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
    if let Some(path) = &options.gradescope {
        std::fs::write(path, gradescope::results(report))
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    if let Some(path) = &options.classroom {
        let result = classroom::result(report);
        std::fs::write(path, &result)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        // The reporter takes the result from a step output, in base64.
        append_to_job_file("GITHUB_OUTPUT", &classroom::step_output(&result))?;
    }
    append_to_job_file("GITHUB_STEP_SUMMARY", &report::markdown(report))
}

/// Appends `text` to the file that the job's variable `name` names, when it is set.
fn append_to_job_file(name: &str, text: &str) -> Result<(), String> {
    let Some(path) = std::env::var_os(name).filter(|p| !p.is_empty()) else {
        return Ok(());
    };
    use std::io::Write;
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(&path)
        .map_err(|e| format!("cannot open {name}: {e}"))?;
    file.write_all(text.as_bytes())
        .map_err(|e| format!("cannot write {name}: {e}"))
}

/// Grades the labs that `options` choose: builds them in the grading workspace with the
/// trusted files, runs every test with its deadline (in the sandbox where there is one), and
/// scores them.
pub fn grade(options: &Options) -> Result<Report, String> {
    let checkout = &options.labs_from;
    let mut report = Report {
        tests_from: match &options.tests_from {
            TestsFrom::WorkingTree => "the checkout as it is".to_string(),
            TestsFrom::Revision(revision) => describe(checkout, revision)?,
            TestsFrom::Checkout(dir) => format!("the files of {}", dir.display()),
        },
        labs_from: checkout.clone(),
        commit: sources::commit(checkout),
        repository: options.repository.clone(),
        pull_request: options.pull_request,
        isolation: String::new(),
        tampering: Vec::new(),
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
        // A pull request that edits the workflows may print a grade of its own: it gets none
        // from us, so that the two cannot be mistaken for each other.
        let workflows: Vec<&String> = report
            .changed_elsewhere
            .iter()
            .filter(|path| path.starts_with(".github/"))
            .collect();
        if !workflows.is_empty() {
            let paths: Vec<&str> = workflows.iter().map(|p| p.as_str()).collect();
            report.tampering.push(format!(
                "the pull request changes {}: no grade is given to a pull request that \
                 changes .github/ (a grade it shows is not the course's)",
                paths.join(", ")
            ));
            report.isolation = "not run: no grade".into();
            return Ok(report);
        }
    }
    if steps.is_empty() {
        report.isolation = "not run: nothing to grade".into();
        return Ok(report);
    }

    let mut files = sources::trusted(checkout, &options.tests_from)?;
    // The book is not needed to build or test a lab, and is most of the files' size.
    files.retain(|path, _| !path.starts_with("docs/"));
    sources::take_labs(&mut files, checkout, &steps)?;
    graded::prepare(&mut files, &steps)?;
    let workspace = options.build_dir.join("workspace");
    sources::mirror(&files, &workspace)?;
    let packages: Vec<String> = steps.iter().map(|s| s.package()).collect();
    if options.announce {
        println!(
            "grade: building {} in {}",
            packages.join(", "),
            workspace.display()
        );
    }
    let target = options.build_dir.join("target");
    let built = compile::build(&workspace, &target, &steps)?;

    // The grade's files, which the tests must not reach.
    let json = [&options.json, &options.classroom, &options.gradescope]
        .into_iter()
        .flatten()
        .filter_map(|p| std::path::absolute(p).ok());
    let outputs = json.chain(options.job_files.iter().cloned()).collect();
    let layout = Layout {
        trusted_checkout: std::path::absolute(&options.trusted_checkout)
            .map_err(|e| format!("{}: {e}", options.trusted_checkout.display()))?,
        workspace: workspace.clone(),
        files,
        target,
        init: sandbox::init_program()?,
        outputs,
        job_folders: options.job_folders.clone(),
        // In the system's temporary folder, where files are made fastest (on this machine's
        // /work, laying a test's decoys took 25 times longer than in /tmp).
        scratch: std::env::temp_dir().join(format!("xtask-grade-{}", std::process::id())),
    };
    let isolation = sandbox::detect(&layout);
    if let (Sandboxing::Required, Isolation::NotIsolated(why)) = (options.sandbox, &isolation) {
        return Err(format!("--sandbox: {why}"));
    }
    report.isolation = isolation.words();
    let runner = Runner::new(&isolation, &layout);

    // Every test of every lab that compiles, in one queue, so that the workers stay busy.
    let mut jobs = Vec::new();
    let mut listings = Vec::new();
    for (step, built) in steps.iter().zip(built) {
        let listing = match built {
            compile::Built::DoesNotCompile(error) => Err(error),
            compile::Built::Tests(binary) => {
                let dir = workspace.join("labs").join(step.dir);
                let listing = run::list(&runner, &binary, &dir)?;
                graded::check_listing(&layout.files, step, &listing.tests)?;
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
    if options.announce {
        println!(
            "grade: running {} tests, each in its own process, stopped after {} s; {}",
            jobs.len(),
            run::TEST_DEADLINE.as_secs(),
            report.isolation
        );
    }
    let mut results = run::run_all(&runner, &jobs, workers).into_iter();
    drop(runner);
    let _ = std::fs::remove_dir_all(&layout.scratch);
    if let Isolation::NotIsolated(_) = isolation {
        // The tests ran in the grading workspace itself: what they changed there shows now.
        // (In the sandbox each test had a copy of its own, checked after it.)
        for change in sources::differences(&layout.files, &workspace, &[]) {
            report
                .tampering
                .push(format!("a test {change} in the grading workspace"));
        }
    }

    for (step, listing) in steps.iter().zip(listings) {
        let result = match listing {
            Err(error) => LabResult::DoesNotCompile(error),
            Ok(listing) => {
                let ran: Vec<(String, Ran)> = listing
                    .tests
                    .iter()
                    .map(|name| (name.clone(), results.next().expect("a result per test")))
                    .collect();
                LabResult::Tested(model::score(step, ran, &listing.ignored))
            }
        };
        let tampering = sources::extra_targets(checkout, step);
        report.steps.push(StepGrade {
            step,
            result,
            tampering,
        });
    }
    Ok(report)
}

/// The tests of `step` as they ran (`ran`, named as the lab's test binary names them; the
/// `ignored` ones are its bonus tests), scored as a grade scores them: for `watch`, which runs
/// them from the student's own build.
pub fn scored(
    step: &'static crate::steps::Step,
    ran: Vec<(String, Ran)>,
    ignored: &std::collections::BTreeSet<String>,
) -> StepGrade {
    StepGrade {
        step,
        result: LabResult::Tested(model::score(step, ran, ignored)),
        tampering: Vec::new(),
    }
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
