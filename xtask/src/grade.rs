//! `cargo xtask grade`: each step's tests passed, points and status. A student sees their
//! progress with it; CI grades a pull request with it, taking the tests from a trusted revision.
//!
//! - `grade/options.rs`: the options and the usage
//! - `grade/model.rs`: steps, tests, kinds, outcomes, points and statuses
//! - `grade/points.rs`: what each step is worth, the one place to change the marking
//! - `grade/sources.rs`: the trusted files, the student's `labs/*/src/`, and the grading
//!   workspace made of them
//! - `grade/compile.rs`: building each lab's test binary, a lab that does not compile apart
//! - `grade/run.rs`: each test in a process of its own, with a deadline
//! - `grade/report.rs`: the table, the JSON file, the Markdown summary, and `watch`'s progress

mod compile;
mod model;
mod options;
mod points;
mod report;
mod run;
pub mod sources;

#[cfg(test)]
pub mod golden;

use std::path::Path;
use std::process::ExitCode;

#[cfg(test)]
pub use model::TestGrade;
pub use model::{Blocker, Kind, LabResult, Report, Status, StepGrade};
pub use options::Options;
use options::{USAGE, parse};
pub use report::progress;
pub use run::Outcome;
use run::{Job, Ran};
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
    if options.announce {
        println!(
            "grade: building {} in {}",
            packages.join(", "),
            workspace.display()
        );
    }
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
    if options.announce {
        println!(
            "grade: running {} tests, each in its own process, stopped after {} s",
            jobs.len(),
            run::TEST_DEADLINE.as_secs()
        );
    }
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
                LabResult::Tested(model::score(step, ran, &listing.ignored))
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
