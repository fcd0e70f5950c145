//! `cargo xtask verify`'s checks of the export, on an export of every step written into
//! `target/export-check/workbook` (built in `target/export-check/target`, so that a rerun
//! rebuilds only the workbook's own packages):
//!
//! 1. it holds no answer and no file or mention of the reference (`scan.rs`);
//! 2. it builds from scratch, every package and target, offline, with its lock file as it is;
//! 3. its README's test command, `cargo test`, passes on it as on a fresh clone;
//! 4. every lab fails first as here: the same tests fail, with the same `todo!` messages;
//! 5. `cargo xtask grade` gives it 0 points, with exit status 1 (steps not done), not 2;
//! 6. `cargo xtask reset 1 --yes` puts an edited lab back to its starter;
//! 7. its README, book and CI name only tasks and packages that it has;
//! 8. an export of steps 1 to 3 builds and passes its `cargo test` too (that it holds steps 1
//!    to 3 only is a unit test of `export.rs`).

use std::fs;
use std::path::Path;
use std::time::Instant;

use super::Files;
use crate::command::{cargo_command, run_cargo};
use crate::libtest::{self, Outcome};
use crate::steps::{STEPS, Step};

/// Where the check exports and builds, from the workspace root.
const DIR: &str = "target/export-check";

/// The checks of the export: how many passed, and the problems, each with how to fix it.
pub fn check(root: &Path) -> Result<(usize, Vec<String>), String> {
    let started = Instant::now();
    let dir = root.join(DIR);
    let workbook = dir.join("workbook");
    if workbook.exists() {
        fs::remove_dir_all(&workbook)
            .map_err(|e| format!("cannot remove {}: {e}", workbook.display()))?;
    }
    let last = STEPS.len() as u8;
    let steps: Vec<&Step> = STEPS.iter().collect();
    let files = super::export(root, last, &workbook)?;
    let target = dir.join("target");
    let mut passed = 0;
    let mut problems = Vec::new();
    let mut outcome = |name: &str, found: Vec<String>| {
        println!(
            "export: {name}: {}",
            if found.is_empty() { "ok" } else { "PROBLEM" }
        );
        if found.is_empty() {
            passed += 1;
        }
        problems.extend(found.into_iter().map(|p| format!("export: {p}")));
    };

    let answers = super::scan::answers(root, &steps, &files)?;
    outcome(
        "no answer key",
        super::scan::problems(&files, &steps, &answers),
    );
    outcome("names only what it has", names_only_what_it_has(&files));

    let build = in_export(
        &workbook,
        &target,
        &[
            "build",
            "--workspace",
            "--all-targets",
            "--offline",
            "--locked",
        ],
    )?;
    let built = build.success;
    outcome(
        "a fresh build",
        failed(
            &build,
            "the export does not build: a module or dependency it needs is left out; add it to \
             STUDENT_MODULES or COPIED in xtask/src/dev/export.rs",
        ),
    );
    if !built {
        return Ok((passed, problems));
    }
    let tests = in_export(&workbook, &target, &["test", "--offline", "--locked"])?;
    outcome(
        "`cargo test` on a fresh clone",
        failed(
            &tests,
            "a test of the export's default members fails there: if it needs a file the export \
             leaves out, add what it uses to the markers in xtask/src/dev/export/rust.rs",
        ),
    );
    outcome(
        "the labs fail first as here",
        same_failures(root, &workbook, &target, &steps)?,
    );
    outcome(
        "a pristine grade",
        pristine_grade(&workbook, &dir, &target)?,
    );
    outcome("reset", reset(&workbook, &target)?);
    outcome("steps 1-3 alone", first_steps(root, &dir, &target)?);
    println!(
        "export: checked in {:.0} s ({})",
        started.elapsed().as_secs_f64(),
        workbook.display()
    );
    Ok((passed, problems))
}

/// An export of steps 1 to 3, as a course publishes it in its first weeks, builds and passes
/// its `cargo test`. (What it holds is a unit test of `export.rs`.)
fn first_steps(root: &Path, dir: &Path, target: &Path) -> Result<Vec<String>, String> {
    let workbook = dir.join("workbook-1-3");
    if workbook.exists() {
        fs::remove_dir_all(&workbook)
            .map_err(|e| format!("cannot remove {}: {e}", workbook.display()))?;
    }
    super::export(root, 3, &workbook)?;
    let build = [
        "build",
        "--workspace",
        "--all-targets",
        "--offline",
        "--locked",
    ];
    let run = in_export(&workbook, target, &build)?;
    if !run.success {
        return Ok(failed(&run, "the export of steps 1-3 does not build"));
    }
    let run = in_export(&workbook, target, &["test", "--offline", "--locked"])?;
    Ok(failed(
        &run,
        "a test fails in the export of steps 1-3: if it needs a later step, or the book (which \
         shows every step), add what it uses to the markers in xtask/src/dev/export/rust.rs",
    ))
}

/// `cargo ARGS` in the export, built in `target`.
fn in_export(workbook: &Path, target: &Path, args: &[&str]) -> Result<crate::command::Run, String> {
    let mut command = cargo_command(workbook, args);
    command.env("CARGO_TARGET_DIR", target);
    run_cargo(command)
}

fn failed(run: &crate::command::Run, fix: &str) -> Vec<String> {
    if run.success {
        Vec::new()
    } else {
        vec![format!("{}\n{fix}", tail(&run.output))]
    }
}

/// The last lines of a long output.
fn tail(output: &str) -> String {
    let lines: Vec<&str> = output.lines().collect();
    lines[lines.len().saturating_sub(40)..].join("\n")
}

/// Each lab's failing tests and messages, in the export and here.
fn same_failures(
    root: &Path,
    workbook: &Path,
    target: &Path,
    steps: &[&Step],
) -> Result<Vec<String>, String> {
    let mut problems = Vec::new();
    for step in steps {
        let package = step.package();
        let args = [
            "test",
            "-p",
            &package,
            "--offline",
            "--",
            "--include-ignored",
        ];
        let our_target = std::env::var_os("CARGO_TARGET_DIR")
            .map_or_else(|| root.join("target"), std::path::PathBuf::from);
        let run_both = || -> Result<_, String> {
            let here = crate::command::cargo(root, &args)?;
            let there = in_export(workbook, target, &args)?;
            Ok((
                results(&here.output, &our_target, root),
                results(&there.output, target, workbook),
            ))
        };
        let (mut here, mut there) = run_both()?;
        if !here.is_empty() && here != there {
            // A starter's test that a loaded machine made miss a deadline once is no difference
            // of the export's: a difference must show again.
            println!("export: {package} ran differently in the export; running both again");
            (here, there) = run_both()?;
        }
        if here.is_empty() {
            problems.push(format!("{package}: no test ran here"));
        } else if here != there {
            let differ: Vec<String> = here
                .iter()
                .filter(|test| !there.contains(test))
                .chain(there.iter().filter(|test| !here.contains(test)))
                .map(|(name, outcome, message)| format!("  {name} ({outcome}): {message}"))
                .take(6)
                .collect();
            problems.push(format!(
                "{package} fails differently in the export; these tests differ:\n{}\n\
                 the export must copy the lab, its suites and the test support as they are \
                 (xtask/src/dev/export.rs)",
                differ.join("\n")
            ));
        }
    }
    Ok(problems)
}

/// A run's tests: name, outcome and the `todo!` messages of a failure, with the build folder
/// `target` and the workspace `dir` made the same everywhere. The rest of a message depends on
/// timing (whether the test's client or the panicking server came first), so it is left out.
fn results(output: &str, target: &Path, dir: &Path) -> Vec<(String, String, String)> {
    let target = target.display().to_string();
    let dir = dir.display().to_string();
    let mut tests: Vec<_> = libtest::parse(output)
        .into_iter()
        .map(|test| {
            let outcome = match test.outcome {
                Outcome::Passed => "passed",
                Outcome::Failed => "failed",
                Outcome::Ignored => "ignored",
            };
            let failure = test.failure.replace(&target, "<target>");
            let failure = failure.replace(&dir, "<workspace>");
            let mut todo: Vec<&str> = failure
                .lines()
                .filter_map(|line| line.find("not yet implemented").map(|at| &line[at..]))
                .collect();
            todo.sort_unstable();
            todo.dedup();
            (test.name, outcome.to_string(), todo.join("\n"))
        })
        .collect();
    tests.sort();
    tests
}

/// `cargo xtask grade` on the pristine export: 0 points, exit status 1.
fn pristine_grade(workbook: &Path, dir: &Path, target: &Path) -> Result<Vec<String>, String> {
    let json = dir.join("grade.json");
    let build_dir = dir.join("grade");
    let (json_arg, build_arg) = (json.display().to_string(), build_dir.display().to_string());
    let args = [
        "xtask",
        "grade",
        "--json",
        &json_arg,
        "--build-dir",
        &build_arg,
    ];
    let mut command = cargo_command(workbook, &args);
    command.env("CARGO_TARGET_DIR", target);
    let output = command
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    let code = output.status.code();
    let printed = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    if code != Some(1) {
        return Ok(vec![format!(
            "`cargo xtask grade` on the pristine export exits with {code:?}, not 1 (steps not \
             done):\n{}",
            tail(&printed)
        )]);
    }
    let report = fs::read_to_string(&json).unwrap_or_default();
    if report.contains("\n  \"points\": 0,\n") {
        Ok(Vec::new())
    } else {
        Ok(vec![format!(
            "`cargo xtask grade` gives the pristine export points, or wrote no grade to {}; \
             a pristine lab must score 0",
            json.display()
        )])
    }
}

/// `cargo xtask reset 1 --yes` on an edited lab 1 puts its starter back.
fn reset(workbook: &Path, target: &Path) -> Result<Vec<String>, String> {
    let lib = workbook.join("labs").join(STEPS[0].dir).join("src/lib.rs");
    let pristine = fs::read_to_string(&lib).map_err(|e| format!("{}: {e}", lib.display()))?;
    fs::write(&lib, "// my work\n").map_err(|e| format!("{}: {e}", lib.display()))?;
    let run = in_export(workbook, target, &["xtask", "reset", "1", "--yes"])?;
    let after = fs::read_to_string(&lib).unwrap_or_default();
    if run.success && after == pristine {
        Ok(Vec::new())
    } else {
        Ok(vec![format!(
            "`cargo xtask reset 1 --yes` in the export did not put the starter back:\n{}\n\
             the export keeps the starters in xtask/starters/ (export/files/sync.rs)",
            tail(&run.output)
        )])
    }
}

/// Every `cargo xtask TASK` and `cargo ... -p PACKAGE` of the export's Markdown and CI names
/// a task of its xtask and one of its packages.
pub fn names_only_what_it_has(files: &Files) -> Vec<String> {
    let tasks = [
        "watch", "hint", "reset", "grade", "solution", "help", "--help",
    ];
    let packages: Vec<String> = files
        .keys()
        .filter_map(|path| path.strip_suffix("/Cargo.toml"))
        .filter_map(|folder| {
            let manifest = &files[&format!("{folder}/Cargo.toml")];
            let text = String::from_utf8_lossy(&manifest.bytes);
            let name = text.lines().find_map(|l| l.strip_prefix("name = \""))?;
            Some(name.trim_end_matches('"').to_string())
        })
        .collect();
    let mut problems = Vec::new();
    let shown = files.iter().filter(|(path, _)| {
        path.ends_with(".md") || path.as_str() == ".ci/run" || path.ends_with("ci.yml")
    });
    for (path, file) in shown {
        let text = String::from_utf8_lossy(&file.bytes);
        for (index, line) in text.lines().enumerate() {
            let words: Vec<&str> = line
                .split(|c: char| c.is_whitespace() || c == '`')
                .filter(|w| !w.is_empty())
                .collect();
            for pair in words.windows(3) {
                let task = pair[2].trim_end_matches(['.', ',', ':', ')']);
                if pair[0] == "cargo" && pair[1] == "xtask" && !tasks.contains(&task) {
                    problems.push(format!(
                        "{path}:{}: `cargo xtask {task}` is no task of the export",
                        index + 1
                    ));
                }
            }
            // A package only after `cargo` (`mkdir -p DIR` names none).
            let after_cargo = words
                .iter()
                .position(|w| *w == "cargo")
                .map_or(&[][..], |at| &words[at..]);
            for pair in after_cargo.windows(2) {
                let package = pair[1].trim_end_matches(['.', ',', ':', ')']);
                if pair[0] == "-p" && !packages.iter().any(|p| p == package) {
                    problems.push(format!(
                        "{path}:{}: `-p {package}` is no package of the export",
                        index + 1
                    ));
                }
            }
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_exports_readme_book_and_ci_name_only_what_it_has() {
        for last in [3, STEPS.len() as u8] {
            let files = super::super::plan(&crate::workspace_root(), last).unwrap();
            let problems = names_only_what_it_has(&files);
            assert!(
                problems.is_empty(),
                "steps 1-{last}:\n{}",
                problems.join("\n")
            );
        }
    }

    #[test]
    fn a_missing_task_or_package_is_named() {
        let file = super::super::File {
            bytes: b"run `cargo xtask verify` and cargo test -p protocol-tools.\n".to_vec(),
            executable: false,
        };
        let files = Files::from([("README.md".to_string(), file)]);
        let problems = names_only_what_it_has(&files);
        assert_eq!(problems.len(), 2, "{problems:#?}");
    }
}
