//! The grade as GitHub Classroom's reporter (`classroom-resources/autograding-grading-reporter`)
//! reads a runner's result: `{"version": 1, "status", "max_score", "tests": [...]}`, each test
//! with its `name`, `status` (`pass`, `fail` or `error`), `score` and `message`. The reporter
//! adds up the tests' scores against `max_score` and fails the check when the status is not
//! `pass`. It takes the result in base64, from an environment variable named after the runner
//! (`GRADE_RESULTS` for the runner `grade`); `classroom.yml` passes it the step output that
//! [`step_output`] writes.
//!
//! One test per step, and one per step's bonus: a suite test's share of the points is not
//! always a round number, but a step's points are what the table shows, and the scores add up
//! to the table's total ([`super::scores`]). `max_score` is the steps' points without bonus, as
//! the table's; bonus points come on top.

use super::json::Json;
use super::model::Kind;
use super::scores::{self, Score};
use super::{Outcome, Report, Status, StepGrade, base64};

/// The step output's name, which `classroom.yml` hands to the reporter.
pub const OUTPUT: &str = "result";

/// How many failing tests a step's message names before "and N more".
const NAMED_FAILURES: usize = 5;

/// The runner's result, as JSON.
pub fn result(report: &Report) -> String {
    let scores = scores::of(report);
    let mut tests: Vec<Json> = scores.iter().map(test).collect();
    if !report.tampering.is_empty() {
        tests.insert(
            0,
            Json::Object(vec![
                ("name", Json::text("Tampering")),
                ("status", Json::text("fail")),
                ("score", Json::Number("0".into())),
                ("message", Json::text(&report.tampering.join("\n"))),
            ]),
        );
    }
    let max: u32 = report.steps.iter().map(StepGrade::max_points).sum();
    let status = if report.passes() { "pass" } else { "fail" };
    Json::Object(vec![
        ("version", Json::Number("1".into())),
        ("status", Json::text(status)),
        ("max_score", Json::Number(max.to_string())),
        ("tests", Json::List(tests)),
    ])
    .render()
}

/// The line a step appends to `$GITHUB_OUTPUT`: `result=` and the result in base64 (which
/// holds no line break, so it needs no delimiter).
pub fn step_output(result: &str) -> String {
    format!("{OUTPUT}={}\n", base64::encode(result.as_bytes()))
}

fn test(score: &Score) -> Json {
    let step = score.step;
    let (name, passed) = match score.kind {
        Kind::Bonus => {
            let (passed, total) = step.count(Kind::Bonus);
            (format!("{} (bonus)", step.step.title), passed == total)
        }
        _ => (step.step.title.to_string(), step.status() == Status::Done),
    };
    // The reporter marks each test with it; only the result's own status fails the check.
    let status = if passed { "pass" } else { "fail" };
    Json::Object(vec![
        ("name", Json::text(&name)),
        ("status", Json::text(status)),
        ("score", Json::Number(scores::number(score.hundredths))),
        ("message", Json::text(&message(score))),
        (
            "test_code",
            Json::text(&format!("cargo test -p {}", step.step.package())),
        ),
    ])
}

/// What the student reads under the test: the points, then why they are not all there.
pub fn message(score: &Score) -> String {
    let step = score.step;
    let kind = score.kind;
    let mut text = format!(
        "{} of {} points",
        scores::number(score.hundredths),
        score.max
    );
    let compile_error = match &step.result {
        super::LabResult::DoesNotCompile(error) => Some(error.lines().next().unwrap_or_default()),
        super::LabResult::Tested(_) => None,
    };
    if let Some(first) = compile_error {
        text += &format!("; does not compile: {first}");
    } else {
        let (passed, total) = step.count(kind);
        text += &format!("; {passed} of {total} tests pass");
    }
    if kind == Kind::Required && compile_error.is_none() {
        text += &format!("; {}", step.status().words());
    }
    let tampering = step.tampering();
    if !tampering.is_empty() && kind == Kind::Required {
        text += "\ntampering (what it touched scores 0):";
        for what in tampering {
            text += &format!("\n  {}", what.replace(['\n', '\r'], " "));
        }
    }
    let kinds: &[Kind] = match kind {
        Kind::Bonus => &[Kind::Bonus],
        _ => &[Kind::Earlier, Kind::Required],
    };
    let failing: Vec<&str> = kinds
        .iter()
        .flat_map(|&kind| {
            step.tests()
                .iter()
                .filter(move |t| t.kind == kind && t.outcome != Outcome::Passed)
        })
        .map(|t| t.name.as_str())
        .collect();
    if !failing.is_empty() {
        text += &format!(
            "\nfailing (`cargo test -p {}` says why): {}",
            step.step.package(),
            failing[..failing.len().min(NAMED_FAILURES)].join(", ")
        );
        if failing.len() > NAMED_FAILURES {
            text += &format!(" and {} more", failing.len() - NAMED_FAILURES);
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grade::fixture::{self, golden};
    use crate::grade::json_read::{Value, parse};
    use crate::grade::report;

    /// The table's last line, `grade: P of M points, bonus B of N; ...`: (P + B, M).
    fn table_totals(report: &Report) -> (f64, f64) {
        let table = report::table(report);
        let line = table.lines().rfind(|l| l.starts_with("grade: ")).unwrap();
        let words: Vec<&str> = line.split([' ', ',', ';']).collect();
        let points: f64 = words[1].parse().unwrap();
        let max: f64 = words[3].parse().unwrap();
        let bonus = match words.iter().position(|w| *w == "bonus") {
            Some(at) => words[at + 1].parse().unwrap(),
            None => 0.0,
        };
        (points + bonus, max)
    }

    /// What the reporter gets: the step output, decoded as `Buffer.from(.., "base64")` does.
    fn decoded(report: &Report) -> String {
        let line = step_output(&result(report));
        let encoded = line
            .strip_suffix('\n')
            .unwrap()
            .strip_prefix("result=")
            .unwrap();
        assert!(!encoded.contains(['\n', '\r']), "one line of GITHUB_OUTPUT");
        String::from_utf8(base64::decode(encoded).unwrap()).unwrap()
    }

    /// Checks the fields the reporter reads, and returns the tests' scores added up.
    fn check_schema(result: &Value) -> f64 {
        assert_eq!(result.get("version").number(), 1.0);
        let status = result.get("status").text();
        assert!(["pass", "fail", "error"].contains(&status), "{status}");
        assert!(result.get("max_score").number() > 0.0);
        let mut sum = 0.0;
        for test in result.get("tests").list() {
            assert!(!test.get("name").text().is_empty());
            let status = test.get("status").text();
            assert!(["pass", "fail", "error"].contains(&status), "{status}");
            assert!(test.get("score").number() >= 0.0);
            test.get("message").text();
            sum += test.get("score").number();
        }
        sum
    }

    #[test]
    fn the_runner_result_is_the_golden_one() {
        golden("classroom.json", &result(&fixture::report()));
    }

    /// The reporter adds the tests' scores up against `max_score`: the table's total, bonus
    /// included, against the table's maximum.
    #[test]
    fn the_decoded_result_adds_up_to_the_table_s_points() {
        let report = fixture::report();
        let text = decoded(&report);
        assert_eq!(text, result(&report));
        let value = parse(&text).unwrap();
        let sum = check_schema(&value);
        let (points, max) = table_totals(&report);
        assert!(
            (sum - points).abs() < 1e-9,
            "{sum} in the result, {points} in the table"
        );
        assert_eq!(value.get("max_score").number(), max);
        assert_eq!(value.get("status").text(), "fail");
    }

    #[test]
    fn each_step_is_a_test_and_its_bonus_another() {
        let value = parse(&result(&fixture::report())).unwrap();
        let tests = value.get("tests").list();
        let names: Vec<&str> = tests.iter().map(|t| t.get("name").text()).collect();
        assert_eq!(
            names,
            [
                "Step 1: echo",
                "Step 2: the time server",
                "Step 3: an HTTP client",
                "Step 5: GET only",
                "Step 2: the time server (bonus)",
            ]
        );
        let step3 = &tests[2];
        assert_eq!(step3.get("status").text(), "fail");
        assert!(step3.get("message").text().contains(
            "tampering (what it touched scores 0):\n  step3::c: wrote to /job/grade.json"
        ));
        assert!(
            tests[3]
                .get("message")
                .text()
                .contains("0 of 10 points; does not compile: error[E0308]")
        );
        assert_eq!(tests[0].get("status").text(), "pass");
        assert_eq!(tests[1].get("score").number(), 6.67);
    }

    /// A grade refused as a whole (a pull request that changes .github/, say) scores nothing.
    #[test]
    fn tampering_with_the_whole_grade_scores_0_and_says_why() {
        let mut report = fixture::report();
        report.steps.clear();
        report.tampering = vec!["the pull request changes .github/".into()];
        let value = parse(&decoded(&report)).unwrap();
        let tests = value.get("tests").list();
        assert_eq!(tests[0].get("name").text(), "Tampering");
        assert_eq!(tests[0].get("score").number(), 0.0);
        assert_eq!(value.get("status").text(), "fail");
    }
}
