//! `cargo xtask dev mutants [STEPS]`: the catalogue of classic student bugs,
//! `tests/mutants.md`, tried against the suites. Each entry is an exact edit of the reference
//! of one step with a one-line description; applied alone, it must make that step's suite fail.
//! A bug that no test catches is a suite to improve. Entries marked `correct:` are the other
//! way round: answers that HTTP allows though the reference writes them otherwise, which the
//! suite must accept.
//!
//! Each step's reference, a file that stands alone, is written as the `src/lib.rs` of its lab
//! in a copy of the workspace (`target/mutants/workbook`, kept between runs with its own target
//! folder), so that an entry rebuilds one small lab and runs only its step's tests, bonus
//! included. The reference itself must pass there first: otherwise every entry would look
//! caught.

use std::fs;
use std::path::Path;
use std::time::{Duration, Instant};

use crate::command::{cargo_command, run_cargo};
use crate::grade::sources::{self, TestsFrom};
use crate::libtest::{self, Outcome};
use crate::steps::Step;

/// The catalogue, from the workspace root.
pub const CATALOGUE: &str = "tests/mutants.md";

/// Where the copy of the workspace and its build live, under the workspace root.
const WORKBOOK: &str = "target/mutants/workbook";
const TARGET: &str = "target/mutants/target";

/// An edit of a step's reference: a bug a student could write.
#[derive(Debug, PartialEq)]
pub struct Mutant {
    pub step: u8,
    pub description: String,
    /// A correct answer written differently (`### correct: ...`), which must pass.
    pub correct: bool,
    /// Text that stands exactly once in `solutions/src/stepN.rs`, and what replaces it.
    pub find: String,
    pub replace: String,
    /// The line of the catalogue where the entry starts, for messages.
    pub line: usize,
}

/// Reads the catalogue: `## Step N` sections of `### description` entries, each followed by
/// two ```` ```rust ```` blocks, the text to find and its replacement. Lines outside them are
/// the maintainers' prose.
pub fn parse(text: &str) -> Result<Vec<Mutant>, String> {
    let mut mutants = Vec::new();
    let mut step = None;
    let mut blocks: Vec<String> = Vec::new();
    let mut block: Option<String> = None;
    let mut entry: Option<(String, usize)> = None;
    let finish = |entry: &mut Option<(String, usize)>,
                  blocks: &mut Vec<String>,
                  step: Option<u8>,
                  mutants: &mut Vec<Mutant>|
     -> Result<(), String> {
        let Some((description, line)) = entry.take() else {
            return Ok(());
        };
        let [find, replace] = std::mem::take(blocks)
            .try_into()
            .map_err(|b: Vec<String>| {
                format!(
                    "{CATALOGUE}:{line}: expected two ```rust blocks, found {}",
                    b.len()
                )
            })?;
        let step = step.ok_or_else(|| format!("{CATALOGUE}:{line}: no `## Step N` above"))?;
        let correct = description.starts_with("correct:");
        mutants.push(Mutant {
            step,
            correct,
            description,
            find,
            replace,
            line,
        });
        Ok(())
    };
    for (index, line) in text.lines().enumerate() {
        let number = index + 1;
        if let Some(open) = &mut block {
            if line == "```" {
                blocks.push(block.take().expect("an open block"));
            } else {
                open.push_str(line);
                open.push('\n');
            }
        } else if line == "```rust" {
            if entry.is_none() {
                return Err(format!("{CATALOGUE}:{number}: a block outside an entry"));
            }
            block = Some(String::new());
        } else if let Some(heading) = line.strip_prefix("## Step ") {
            finish(&mut entry, &mut blocks, step, &mut mutants)?;
            let parsed = heading
                .trim()
                .parse()
                .ok()
                .filter(|n| crate::steps::step(*n).is_some());
            step = Some(parsed.ok_or_else(|| format!("{CATALOGUE}:{number}: no such step"))?);
        } else if let Some(description) = line.strip_prefix("### ") {
            finish(&mut entry, &mut blocks, step, &mut mutants)?;
            entry = Some((description.trim().to_string(), number));
        }
    }
    if block.is_some() {
        return Err(format!("{CATALOGUE}: a ```rust block is not closed"));
    }
    finish(&mut entry, &mut blocks, step, &mut mutants)?;
    Ok(mutants)
}

/// The reference of `step` with `mutant` applied: its text must stand there exactly once.
pub fn apply(reference: &str, mutant: &Mutant) -> Result<String, String> {
    match reference.matches(&mutant.find).count() {
        1 => Ok(reference.replacen(&mutant.find, &mutant.replace, 1)),
        n => Err(format!(
            "{CATALOGUE}:{} ({}): its first block stands {n} times in \
             solutions/src/step{}.rs, not once: update the entry",
            mutant.line, mutant.description, mutant.step
        )),
    }
}

/// What a run of a step's suite on one version of its reference showed.
struct Tried {
    failed: Vec<String>,
    /// The first failure's first lines, as a student would read them.
    first_failure: String,
    /// What broke the promise that tests end in seconds and leave nothing running.
    harm: Option<String>,
    /// How long the run took, the lab's build included.
    took: Duration,
}

/// How long one version's suite may take, its lab's build included: a suite must fail a
/// looping, forking or flooding version in seconds, not wait for it.
const VERSION_LIMIT: Duration = Duration::from_secs(60);

/// `cargo xtask dev mutants [STEPS]`: tries every entry for `steps`, prints each verdict, and
/// fails if an entry survives.
pub fn run(root: &Path, steps: &[&'static Step]) -> Result<usize, String> {
    let text = fs::read_to_string(root.join(CATALOGUE))
        .map_err(|e| format!("cannot read {CATALOGUE}: {e}"))?;
    let mutants = parse(&text)?;
    let workbook = root.join(WORKBOOK);
    let files = sources::trusted(root, &TestsFrom::WorkingTree)?;
    sources::mirror(&files, &workbook)?;
    let started = Instant::now();
    let mut caught = 0;
    let mut problems = Vec::new();
    // The longest run of an entry, and which: the figure the maintainer guide gives.
    let mut longest = (Duration::ZERO, String::new());
    for step in steps {
        let reference =
            fs::read_to_string(root.join(format!("solutions/src/step{}.rs", step.number)))
                .map_err(|e| format!("cannot read the reference of step {}: {e}", step.number))?;
        let entries: Vec<&Mutant> = mutants.iter().filter(|m| m.step == step.number).collect();
        let baseline = try_version(root, &workbook, step, &reference)?;
        if let Some(harm) = &baseline.harm {
            return Err(format!("step {}: the reference's run {harm}", step.number));
        }
        if !baseline.failed.is_empty() {
            return Err(format!(
                "step {}: the reference fails as a lab's code, so no entry can be judged: {:?}\n{}",
                step.number, baseline.failed, baseline.first_failure
            ));
        }
        for mutant in entries {
            let tried =
                try_version(root, &workbook, step, &apply(&reference, mutant)?).map_err(|e| {
                    format!("{CATALOGUE}:{} ({}): {e}", mutant.line, mutant.description)
                })?;
            let verdict = match (mutant.correct, tried.failed.is_empty()) {
                (false, false) => "caught",
                (false, true) => "SURVIVED",
                (true, true) => "accepted",
                (true, false) => "REJECTED",
            };
            println!("step {}  {verdict:<8}  {}", step.number, mutant.description);
            if let Some(harm) = &tried.harm {
                println!("          HARM: the run {harm}");
            }
            if tried.took > longest.0 {
                longest = (tried.took, mutant.description.clone());
            }
            if !tried.failed.is_empty() {
                println!("{}", indent(&tried.first_failure));
            }
            if let Some(harm) = &tried.harm {
                problems.push(format!(
                    "step {}: the suite's run on \"{}\" {harm} ({CATALOGUE}:{})",
                    step.number, mutant.description, mutant.line
                ));
            }
            match verdict {
                "SURVIVED" => problems.push(format!(
                    "step {}: no test catches \"{}\" ({CATALOGUE}:{})",
                    step.number, mutant.description, mutant.line
                )),
                "REJECTED" => problems.push(format!(
                    "step {}: the suite rejects a correct answer, \"{}\" ({CATALOGUE}:{})",
                    step.number, mutant.description, mutant.line
                )),
                _ => caught += 1,
            }
        }
        // The lab is put back as the reference left it, for the next run's build.
        write_lab(&workbook, step, &reference)?;
    }
    println!(
        "mutants: {caught} as they should be (bugs caught, correct answers accepted), {} not, \
         in {:.0} s; the longest run {:.1} s (\"{}\")",
        problems.len(),
        started.elapsed().as_secs_f64(),
        longest.0.as_secs_f64(),
        longest.1
    );
    if problems.is_empty() {
        Ok(caught)
    } else {
        Err(problems.join("\n"))
    }
}

fn write_lab(workbook: &Path, step: &Step, code: &str) -> Result<(), String> {
    let lib = workbook.join("labs").join(step.dir).join("src/lib.rs");
    // Unchanged bytes keep cargo's build of them.
    if fs::read_to_string(&lib).ok().as_deref() != Some(code) {
        fs::write(&lib, code).map_err(|e| format!("cannot write {}: {e}", lib.display()))?;
    }
    Ok(())
}

/// Runs the suite of `step` (bonus tests included) with `code` as the lab's library.
fn try_version(root: &Path, workbook: &Path, step: &Step, code: &str) -> Result<Tried, String> {
    write_lab(workbook, step, code)?;
    let package = step.package();
    let mut command = cargo_command(
        workbook,
        &[
            "test",
            "-p",
            &package,
            "--test",
            &package,
            "--",
            "--include-ignored",
        ],
    );
    command.env("CARGO_TARGET_DIR", root.join(TARGET));
    let started = Instant::now();
    let run = run_cargo(command)?;
    let took = started.elapsed();
    let harm = if run.left_running > 0 {
        Some(format!("left {} processes running", run.left_running))
    } else if took > VERSION_LIMIT {
        Some(format!("took {:.0} s", took.as_secs_f64()))
    } else {
        None
    };
    let results = libtest::parse(&run.output);
    if results.is_empty() {
        // A version that does not compile tests no suite: an entry is a bug that builds, as the
        // one a student hands in. (The first errors say what to update.)
        let errors: Vec<&str> = run
            .output
            .lines()
            .filter(|l| l.starts_with("error"))
            .take(3)
            .collect();
        let why = if errors.is_empty() {
            run.output.clone()
        } else {
            errors.join("\n")
        };
        return Err(format!(
            "step {}: a version of the reference that no test ran (does it build?):\n{why}",
            step.number
        ));
    }
    let failed: Vec<&libtest::TestResult> = results
        .iter()
        .filter(|t| t.outcome == Outcome::Failed)
        .collect();
    let first_failure = failed.first().map_or(String::new(), |test| {
        let lines: Vec<&str> = test
            .failure
            .lines()
            .filter(|l| !l.trim().is_empty())
            .take(4)
            .collect();
        format!("{}: {}", test.name, lines.join("\n"))
    });
    let mut failed: Vec<String> = failed.iter().map(|t| t.name.clone()).collect();
    let mut first_failure = first_failure;
    if failed.is_empty() && !run.success {
        // No test failed, yet the run did: the test binary itself failed (testkit's end of
        // a binary that a lab's code ended, or that left processes running).
        failed.push("(the test binary)".into());
        first_failure = run
            .output
            .lines()
            .filter(|l| l.starts_with("error") || l.starts_with("hint"))
            .take(3)
            .collect::<Vec<_>>()
            .join("\n");
    }
    Ok(Tried {
        failed,
        first_failure,
        harm,
        took,
    })
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|l| format!("          {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::steps::STEPS;

    #[test]
    fn entries_are_read_with_their_step_description_and_blocks() {
        let text = "# Bugs\n\nprose\n\n## Step 2\n\n### the time is read once\n\nwhy\n\n\
                    ```rust\nlet a = 1;\n```\n\n```rust\nlet a = 2;\n```\n\n\
                    ## Step 3\n\n### empty\n\n```rust\nx\n```\n```rust\n```\n";
        let mutants = parse(text).unwrap();
        assert_eq!(mutants.len(), 2);
        assert_eq!(mutants[0].step, 2);
        assert_eq!(mutants[0].description, "the time is read once");
        assert_eq!(mutants[0].find, "let a = 1;\n");
        assert_eq!(mutants[0].replace, "let a = 2;\n");
        assert_eq!(mutants[0].line, 7);
        assert!(!mutants[0].correct);
        assert_eq!((mutants[1].step, mutants[1].replace.as_str()), (3, ""));
    }

    #[test]
    fn an_entry_without_two_blocks_or_a_step_is_refused() {
        assert!(parse("## Step 1\n### one block\n```rust\nx\n```\n").is_err());
        assert!(parse("### no step\n```rust\nx\n```\n```rust\ny\n```\n").is_err());
        assert!(parse("## Step 99\n").is_err());
    }

    #[test]
    fn an_edit_must_match_exactly_once() {
        let mutant = |find: &str| Mutant {
            step: 1,
            correct: false,
            description: "d".into(),
            find: find.into(),
            replace: "Y".into(),
            line: 1,
        };
        assert_eq!(apply("a X b", &mutant("X")).unwrap(), "a Y b");
        assert!(apply("X X", &mutant("X")).is_err());
        assert!(apply("a b", &mutant("X")).is_err());
    }

    #[test]
    fn every_entry_of_the_catalogue_applies_to_its_reference() {
        let root = crate::workspace_root();
        let mutants = parse(&fs::read_to_string(root.join(CATALOGUE)).unwrap()).unwrap();
        for mutant in &mutants {
            let path = root.join(format!("solutions/src/step{}.rs", mutant.step));
            apply(&fs::read_to_string(path).unwrap(), mutant).unwrap();
        }
        for step in STEPS {
            let bugs = mutants
                .iter()
                .filter(|m| m.step == step.number && !m.correct);
            let count = bugs.count();
            assert!(
                count >= 8,
                "step {} has {count} entries; the catalogue wants 8",
                step.number
            );
        }
        let bugs = mutants.iter().filter(|m| !m.correct).count();
        assert!(
            bugs >= 60,
            "the catalogue has {bugs} bugs; it wants at least 60"
        );
    }
}
