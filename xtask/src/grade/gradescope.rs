//! The grade as Gradescope reads it, its `results.json` (Gradescope's "Autograder
//! Specifications"): the overall `score` and `output`, and `tests`, each with its `name`,
//! `score`, `max_score`, `status` (`passed` or `failed`), `output` and `visibility`.
//!
//! As for GitHub Classroom, one test per step and one per step's bonus, whose scores add up to
//! the table's totals ([`super::scores`]). A bonus line's `max_score` is the step's bonus points:
//! the assignment's own total, set in Gradescope, is the table's points without bonus, so bonus
//! points come on top.

use super::classroom;
use super::json::Json;
use super::model::Kind;
use super::scores::{self, Score};
use super::{LabResult, Outcome, Report, Status};

/// How many lines of a failing test's message a step's output shows.
const MESSAGE_LINES: usize = 20;

/// How many failing tests' messages a step's output shows: a step not started fails them all,
/// and the first few say enough.
const MESSAGES: usize = 3;

/// The `results.json` of the grade.
pub fn results(report: &Report) -> String {
    let scores = scores::of(report);
    let mut output = format!(
        "Grade: {} of {} points (bonus included); tests from {}; tests ran {}.",
        scores::number(scores::total(&scores)),
        report
            .steps
            .iter()
            .map(super::StepGrade::max_points)
            .sum::<u32>(),
        report.tests_from,
        report.isolation
    );
    if !report.tampering.is_empty() {
        output += "\n\nTampering: no grade.\n";
        output += &report.tampering.join("\n");
    }
    Json::Object(vec![
        (
            "score",
            Json::Number(scores::number(scores::total(&scores))),
        ),
        ("output", Json::text(&output)),
        ("tests", Json::List(scores.iter().map(test).collect())),
    ])
    .render()
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
    Json::Object(vec![
        ("name", Json::text(&name)),
        ("score", Json::Number(scores::number(score.hundredths))),
        ("max_score", Json::Number(score.max.to_string())),
        (
            "status",
            Json::text(if passed { "passed" } else { "failed" }),
        ),
        ("output", Json::text(&output(score))),
        ("visibility", Json::text("visible")),
    ])
}

/// The step's summary, as Classroom shows it, then each failing test with its message, and
/// the compiler's error: Gradescope shows the whole text.
fn output(score: &Score) -> String {
    let mut text = classroom::message(score);
    let step = score.step;
    if let LabResult::DoesNotCompile(error) = &step.result {
        text += &format!("\n\nthe compiler's first error:\n{error}");
    }
    let kinds: &[Kind] = match score.kind {
        Kind::Bonus => &[Kind::Bonus],
        _ => &[Kind::Earlier, Kind::Required],
    };
    let failing = step
        .tests()
        .iter()
        .filter(|test| kinds.contains(&test.kind) && test.outcome != Outcome::Passed);
    for test in failing.take(MESSAGES) {
        let message: Vec<&str> = test.message.lines().take(MESSAGE_LINES).collect();
        text += &format!("\n\n{}:\n{}", test.name, message.join("\n"));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grade::fixture::{self, golden};
    use crate::grade::json_read::parse;

    #[test]
    fn the_results_are_the_golden_ones() {
        golden("gradescope.json", &results(&fixture::report()));
    }

    /// The fields Gradescope documents, with their types; the tests' scores add up to the
    /// overall score, which is the table's (bonus included), and each test's to its maximum.
    #[test]
    fn the_results_hold_the_documented_fields_and_add_up() {
        let report = fixture::report();
        let value = parse(&results(&report)).unwrap();
        let score = value.get("score").number();
        value.get("output").text();
        let mut sum = 0.0;
        let mut max = 0.0;
        for test in value.get("tests").list() {
            assert!(!test.get("name").text().is_empty());
            let (points, most) = (test.get("score").number(), test.get("max_score").number());
            assert!((0.0..=most).contains(&points), "{points} of {most}");
            let status = test.get("status").text();
            assert!(["passed", "failed"].contains(&status), "{status}");
            assert_eq!(status == "passed", points == most, "{test:?}");
            let visibility = test.get("visibility").text();
            assert!(
                ["hidden", "after_due_date", "after_published", "visible"].contains(&visibility)
            );
            test.get("output").text();
            sum += points;
            if !test.get("name").text().ends_with("(bonus)") {
                max += most;
            }
        }
        assert!(
            (sum - score).abs() < 1e-9,
            "{sum} in the tests, {score} overall"
        );
        // 10 + 6.67 + 3.33, and step 2's 3 bonus points; step 5 earns nothing.
        assert_eq!(score, 23.0);
        assert_eq!(max, 40.0);
        assert!(
            !value.has("visibility"),
            "the results as a whole keep Gradescope's default"
        );
    }

    #[test]
    fn a_failing_test_s_message_is_in_its_step_s_output() {
        let value = parse(&results(&fixture::report())).unwrap();
        let step2 = &value.get("tests").list()[1];
        let output = step2.get("output").text();
        assert!(
            output.contains("step2::c:\nassertion failed in step2::c"),
            "{output}"
        );
        let step5 = &value.get("tests").list()[3];
        assert!(step5.get("output").text().contains("--> src/lib.rs:3:5"));
    }
}
