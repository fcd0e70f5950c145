//! The grading workspace's test hosts and suites. Each graded lab gets the graded host (the
//! suites plus the trusted test `grade_dispatch`, `hosts::Host::Graded`), and each suite a
//! `graded_tests()` appended at its end, which lists its tests for the dispatcher
//! (`testkit::verdict`). Appending leaves every line where it was, so a failure points at the
//! same line of the suite as `cargo test` does.
//!
//! These files exist only in the grading workspace, built from trusted files; the suites the
//! students run are unchanged. The grade checks that the tests listed here are exactly those
//! the harness lists, so a suite this reader misunderstood cannot go ungraded.

use super::sources::{File, Files};
use crate::hosts::{Host, lab_host};
use crate::steps::{CARRIED_MODULE, SUITES, Step};

/// A `#[test]` function of a suite file.
#[derive(Debug, PartialEq)]
pub struct SuiteTest {
    pub name: String,
    /// Its `#[cfg(...)]` attributes, which its line in the table needs too.
    pub cfgs: Vec<String>,
}

/// Rewrites `files` for grading `steps`: their graded hosts, and every suite with its table.
pub fn prepare(files: &mut Files, steps: &[&Step]) -> Result<(), String> {
    for suite in SUITES {
        let path = format!("tests/suites/{}.rs", suite.file);
        let file = files
            .get_mut(&path)
            .ok_or_else(|| format!("the trusted files have no {path}"))?;
        let text = String::from_utf8_lossy(&file.bytes).into_owned();
        let tests = suite_tests(&text).map_err(|e| format!("{path}: {e}"))?;
        file.bytes.extend_from_slice(table(&tests).as_bytes());
    }
    for step in steps {
        let path = format!("labs/{}/tests/{}.rs", step.dir, step.package());
        let host = lab_host(step, Host::Graded);
        files.insert(
            path,
            File {
                bytes: host.into_bytes(),
                executable: false,
            },
        );
    }
    Ok(())
}

/// Checks that the tests the harness lists for `step` are those the tables list: a test the
/// tables missed could not be run, one they invented would not exist.
pub fn check_listing(files: &Files, step: &Step, listed: &[String]) -> Result<(), String> {
    let mut tabled = Vec::new();
    let suites = step
        .new_suites()
        .map(|suite| (suite, suite.file.to_string()))
        .chain(
            step.carried_suites()
                .map(|suite| (suite, format!("{CARRIED_MODULE}::{}", suite.file))),
        );
    for (suite, module) in suites {
        let path = format!("tests/suites/{}.rs", suite.file);
        let text = files
            .get(&path)
            .map(|f| String::from_utf8_lossy(&f.bytes).into_owned());
        let text = text.ok_or_else(|| format!("the trusted files have no {path}"))?;
        for test in suite_tests(&text)? {
            tabled.push((format!("{module}::{}", test.name), test.cfgs.is_empty()));
        }
    }
    let unknown: Vec<&String> = listed
        .iter()
        .filter(|name| !tabled.iter().any(|(t, _)| t == *name))
        .collect();
    // A test under a `#[cfg]` may be missing on this platform; the others may not.
    let missing: Vec<&String> = tabled
        .iter()
        .filter(|(name, always)| *always && !listed.contains(name))
        .map(|(name, _)| name)
        .collect();
    if unknown.is_empty() && missing.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "step {}: the grade's table of tests differs from the harness's list (a suite the \
             grade cannot read: see xtask/src/grade/graded.rs): not in the table {unknown:?}, \
             not listed {missing:?}",
            step.number
        ))
    }
}

/// The test functions of a suite: a `fn` at the top level whose attributes include `#[test]`.
pub fn suite_tests(text: &str) -> Result<Vec<SuiteTest>, String> {
    let mut tests = Vec::new();
    let mut attributes: Vec<&str> = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let trimmed = line.trim();
        let nested = line.starts_with(char::is_whitespace);
        if trimmed.starts_with("#[") {
            if nested && trimmed.starts_with("#[test]") {
                return Err(format!(
                    "line {}: a test inside a nested module, which the grade cannot list",
                    number + 1
                ));
            }
            attributes.push(trimmed);
            continue;
        }
        if trimmed.starts_with("//") && !attributes.is_empty() {
            continue; // a comment between attributes
        }
        if !nested && attributes.contains(&"#[test]") {
            let name = trimmed
                .strip_prefix("fn ")
                .and_then(|rest| rest.split_once('('))
                .map(|(name, _)| name.trim())
                .ok_or_else(|| {
                    format!("line {}: `#[test]` on something else than a fn", number + 1)
                })?;
            if let Some(other) = attributes.iter().find(|a| a.starts_with("#[should_panic")) {
                return Err(format!(
                    "line {}: {other} is not supported by the grade",
                    number + 1
                ));
            }
            let cfgs = attributes
                .iter()
                .filter(|a| a.starts_with("#[cfg("))
                .map(|a| a.to_string())
                .collect();
            tests.push(SuiteTest {
                name: name.to_string(),
                cfgs,
            });
        }
        attributes.clear();
    }
    Ok(tests)
}

/// The function appended to a suite: its tests, for the dispatcher.
fn table(tests: &[SuiteTest]) -> String {
    let mut text = String::from(
        "\n// Appended by `cargo xtask grade`, in the grading workspace only.\n\
         pub(crate) fn graded_tests() -> Vec<testkit::verdict::Test> {\n    \
         #[allow(unused_mut)]\n    \
         let mut tests = Vec::new();\n",
    );
    for test in tests {
        for cfg in &test.cfgs {
            text += &format!("    {cfg}\n");
        }
        text += &format!(
            "    tests.push(testkit::verdict::Test::new(module_path!(), {:?}, {}));\n",
            test.name, test.name
        );
    }
    text += "    tests\n}\n";
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    const SUITE: &str = "//! A suite.\nuse super::*;\n\n#[track_caller]\nfn helper() {}\n\n\
        /// Echoes.\n#[test]\nfn echoes() {\n    helper();\n}\n\n#[cfg(unix)]\n#[test]\n\
        // why it is ignored\n#[ignore = \"bonus: ...\"]\nfn on_unix() {}\n\n#[test]\nfn last() {}\n";

    #[test]
    fn the_tests_of_a_suite_are_found_with_their_cfgs() {
        let tests = suite_tests(SUITE).unwrap();
        let names: Vec<&str> = tests.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["echoes", "on_unix", "last"]);
        assert_eq!(tests[1].cfgs, ["#[cfg(unix)]"]);
        assert!(tests[0].cfgs.is_empty());
    }

    #[test]
    fn what_the_table_cannot_list_is_an_error() {
        let nested = "mod inner {\n    #[test]\n    fn hidden() {}\n}\n";
        assert!(suite_tests(nested).unwrap_err().contains("nested module"));
        let should_panic = "#[test]\n#[should_panic]\nfn panics() {}\n";
        assert!(
            suite_tests(should_panic)
                .unwrap_err()
                .contains("should_panic")
        );
    }

    #[test]
    fn the_table_lists_every_test_under_its_cfgs() {
        let table = table(&suite_tests(SUITE).unwrap());
        assert!(table.contains(
            "    #[cfg(unix)]\n    tests.push(testkit::verdict::Test::new(module_path!(), \
             \"on_unix\", on_unix));\n"
        ));
        assert!(table.contains("\"echoes\", echoes));\n"));
    }

    /// Every suite of the workbook can be read, and names as many tests as it has `#[test]`s.
    #[test]
    fn every_suite_of_the_workbook_is_read() {
        let root = crate::workspace_root();
        for suite in SUITES {
            let path = root.join(format!("tests/suites/{}.rs", suite.file));
            let text = std::fs::read_to_string(&path).unwrap();
            let tests = suite_tests(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            assert_eq!(
                tests.len(),
                text.matches("#[test]").count(),
                "{}",
                suite.file
            );
        }
    }
}
