//! The grade four ways: a table for the terminal, JSON for programs, Markdown for the summary
//! of a CI run, and the progress bars that `cargo xtask watch` shows. Test names come from the trusted suites, but failure messages and
//! compiler errors can hold anything the student's code prints: the Markdown fences them so
//! that they cannot change the summary around them.

use super::json::Json;
use super::model::TestGrade;
use super::{Kind, LabResult, Outcome, Report, Status, StepGrade};

/// How many lines of a failure message the Markdown summary shows.
const MESSAGE_LINES: usize = 20;

/// The terminal's view: one row per step, totals, then what to look at.
pub fn table(report: &Report) -> String {
    let mut text = format!(
        "\ngrade: labs of {}; tests from {}\n",
        report.labs_from.display(),
        report.tests_from
    );
    text += &format!("Tests ran {}.\n", report.isolation);
    text += &scope(report);
    text += "\n";
    text += &tampering_words(report, "  ");
    if report.steps.is_empty() {
        return text;
    }
    text += &format!(
        "{:<6}{:>7}  {:>8}  {:>11}  {:>6}  {:>9}  status\n",
        "step", "tests", "earlier", "points", "bonus", "bonus pts"
    );
    for step in &report.steps {
        let [tests, earlier, points, bonus, bonus_points] = cells(step);
        text += &format!(
            "{:<6}{tests:>7}  {earlier:>8}  {points:>11}  {bonus:>6}  {bonus_points:>9}  {}\n",
            step.step.number,
            step.status().words()
        );
    }
    let totals = Totals::of(report);
    text += &format!(
        "{:<6}{:>7}  {:>8}  {:>11}  {:>6}  {:>9}\n",
        "total",
        "",
        "",
        format!("{}/{}", number(totals.points), totals.max_points),
        "",
        match totals.max_bonus {
            0 => "-".to_string(),
            max => format!("{}/{max}", number(totals.bonus)),
        },
    );

    for step in &report.steps {
        let number = step.step.number;
        if let LabResult::DoesNotCompile(error) = &step.result {
            text += &format!("\nstep {number} does not compile; the compiler's first error:\n");
            text += &indent(error);
        }
        // The failures worth a look: an earlier step's test that broke, and the remaining
        // tests of a step under way (those of a step not started are all of them).
        let listed: Vec<String> = step
            .tests()
            .iter()
            .filter(|test| test.outcome != Outcome::Passed)
            .filter(|test| {
                test.kind == Kind::Earlier
                    || test.outcome == Outcome::Tampered
                    || (test.kind == Kind::Required && step.status() == Status::InProgress)
            })
            .map(|test| match test.outcome {
                Outcome::TimedOut => format!("  {} (stopped: it did not end)\n", test.name),
                Outcome::Tampered => format!("  {} (tampering: scores 0)\n", test.name),
                _ => format!("  {}\n", test.name),
            })
            .collect();
        if !listed.is_empty() {
            text += &format!(
                "\nstep {number}: failing tests (`cargo test -p {}` says why):\n",
                step.step.package()
            );
            text += &listed.concat();
        }
    }
    let done = report
        .steps
        .iter()
        .filter(|s| s.status() == Status::Done)
        .count();
    text += &format!(
        "\ngrade: {} of {} points{}; {done} of {} steps done\n",
        number(totals.points),
        totals.max_points,
        totals.bonus_words(),
        report.steps.len()
    );
    text
}

/// How many characters a bar is wide.
const BAR_WIDTH: usize = 20;

/// `watch`'s view of the grade: the steps done as a bar, then a bar of each step's own tests,
/// with `>` before step `current`. Bonus tests do not count: a step is done without them.
pub fn progress(report: &Report, current: u8) -> String {
    let done = report
        .steps
        .iter()
        .filter(|s| s.status() == Status::Done)
        .count();
    let total = report.steps.len();
    let mut text = format!("  {}  {done} of {total} steps done\n\n", bar(done, total));
    for step in &report.steps {
        let number = step.step.number;
        let pointer = if number == current { '>' } else { ' ' };
        let (passed, tests) = step.count(Kind::Required);
        let mut status = step.status().words().to_string();
        let (earlier_passed, earlier) = step.count(Kind::Earlier);
        if earlier_passed < earlier {
            status += &format!(
                "; {} of the earlier steps' tests fail",
                earlier - earlier_passed
            );
        }
        text += &match step.result {
            LabResult::DoesNotCompile(_) => {
                format!(
                    "{pointer} step {number}  {:<w$}  {status}\n",
                    "",
                    w = BAR_WIDTH + 9
                )
            }
            LabResult::Tested(_) => format!(
                "{pointer} step {number}  {}  {:>5}  {status}\n",
                bar(passed, tests),
                format!("{passed}/{tests}")
            ),
        };
    }
    text
}

/// `[#####...............]`: `part` of `whole`, rounded down so that only a whole is full.
fn bar(part: usize, whole: usize) -> String {
    let filled = (part * BAR_WIDTH).checked_div(whole).unwrap_or(0);
    format!("[{}{}]", "#".repeat(filled), ".".repeat(BAR_WIDTH - filled))
}

/// The Markdown summary of a CI run: the table, then the details of every failure, folded.
pub fn markdown(report: &Report) -> String {
    let totals = Totals::of(report);
    let mut text = format!(
        "## Grade: {} of {} points{}\n\nTests from `{}`. {}\n\n",
        number(totals.points),
        totals.max_points,
        totals.bonus_words(),
        report.tests_from,
        scope(report).trim_end()
    );
    text += &format!("Tests ran {}.\n\n", report.isolation);
    let tampering = tampering_words(report, "- ");
    if !tampering.is_empty() {
        text += &format!("### ⚠️ Tampering\n\n{}\n", fenced(tampering.trim_end()));
        text += "\n\n";
    }
    if report.steps.is_empty() {
        return text;
    }
    text +=
        "| step | tests | earlier steps' tests | points | bonus tests | bonus points | status |\n";
    text += "|---:|---:|---:|---:|---:|---:|---|\n";
    for step in &report.steps {
        let mark = match step.status() {
            Status::Done => "✅",
            Status::InProgress => "🟡",
            Status::NotStarted => "⬜",
            Status::DoesNotCompile => "❌",
            Status::Tampered => "⚠️",
        };
        let [tests, earlier, points, bonus, bonus_points] = cells(step);
        text += &format!(
            "| {} | {tests} | {earlier} | {points} | {bonus} | {bonus_points} | {mark} {} |\n",
            step.step.title,
            step.status().words()
        );
    }
    for step in &report.steps {
        let title = step.step.title;
        if let LabResult::DoesNotCompile(error) = &step.result {
            text += &format!(
                "\n<details><summary>{title}: does not compile</summary>\n\n{}\n</details>\n",
                fenced(error)
            );
        }
        let failing: Vec<_> = step
            .tests()
            .iter()
            .filter(|test| test.outcome != Outcome::Passed)
            .collect();
        if failing.is_empty() {
            continue;
        }
        text += &format!(
            "\n<details><summary>{title}: {} failing test(s)</summary>\n",
            failing.len()
        );
        for test in failing {
            let kind = match test.kind {
                Kind::Required => "",
                Kind::Earlier => " (an earlier step's test)",
                Kind::Bonus => " (bonus)",
            };
            let message: Vec<&str> = test.message.lines().take(MESSAGE_LINES).collect();
            text += &format!("\n`{}`{kind}\n{}\n", test.name, fenced(&message.join("\n")));
        }
        text += "</details>\n";
    }
    text
}

/// The version of the JSON's fields, its first field: a reader (`cargo xtask roll-up`) refuses
/// a version it does not know rather than misread it. Raise it when a field changes meaning or
/// goes; a new field needs no new version.
pub const JSON_FORMAT_VERSION: u32 = 1;

/// The grade as JSON: its format, what was graded, the totals, then each step with each of its
/// tests.
pub fn json(report: &Report) -> String {
    let totals = Totals::of(report);
    let texts = |items: &[String]| Json::List(items.iter().map(|t| Json::text(t)).collect());
    let tampering: Vec<String> = report
        .tampering
        .iter()
        .cloned()
        .chain(report.steps.iter().flat_map(StepGrade::tampering))
        .collect();
    Json::Object(vec![
        (
            "format_version",
            Json::Number(JSON_FORMAT_VERSION.to_string()),
        ),
        ("tests_from", Json::text(&report.tests_from)),
        (
            "labs_from",
            Json::text(&report.labs_from.display().to_string()),
        ),
        (
            "commit",
            Json::optional(report.commit.as_deref(), Json::text),
        ),
        (
            "repository",
            Json::optional(report.repository.as_deref(), Json::text),
        ),
        (
            "pull_request",
            Json::optional(report.pull_request, |n| Json::Number(n.to_string())),
        ),
        ("isolation", Json::text(&report.isolation)),
        ("tampered", Json::Bool(report.tampered())),
        ("tampering", texts(&tampering)),
        (
            "changed_since",
            Json::optional(report.changed_since.as_deref(), Json::text),
        ),
        ("changed_elsewhere", texts(&report.changed_elsewhere)),
        ("points", Json::Number(number(totals.points))),
        ("max_points", Json::Number(totals.max_points.to_string())),
        ("bonus_points", Json::Number(number(totals.bonus))),
        (
            "max_bonus_points",
            Json::Number(totals.max_bonus.to_string()),
        ),
        ("all_done", Json::Bool(report.passes())),
        (
            "steps",
            Json::List(report.steps.iter().map(step_json).collect()),
        ),
    ])
    .render()
}

fn step_json(step: &StepGrade) -> Json {
    let test_json = |test: &TestGrade| {
        let kind = match test.kind {
            Kind::Required => "required",
            Kind::Earlier => "earlier",
            Kind::Bonus => "bonus",
        };
        let outcome = match test.outcome {
            Outcome::Passed => "passed",
            Outcome::Failed => "failed",
            Outcome::TimedOut => "timed out",
            Outcome::Tampered => "tampering",
        };
        let tampering = test.tampering.iter().map(|t| Json::text(t)).collect();
        Json::Object(vec![
            ("name", Json::text(&test.name)),
            ("kind", Json::text(kind)),
            ("outcome", Json::text(outcome)),
            ("points", Json::Number(number(test.points))),
            ("message", Json::text(&test.message)),
            ("tampering", Json::List(tampering)),
        ])
    };
    let compile_error = match &step.result {
        LabResult::DoesNotCompile(error) => Json::text(error),
        LabResult::Tested(_) => Json::Null,
    };
    Json::Object(vec![
        ("step", Json::Number(step.step.number.to_string())),
        ("package", Json::text(&step.step.package())),
        ("status", Json::text(step.status().words())),
        ("points", Json::Number(number(step.points(Kind::Required)))),
        ("max_points", Json::Number(step.max_points().to_string())),
        (
            "bonus_points",
            Json::Number(number(step.points(Kind::Bonus))),
        ),
        (
            "max_bonus_points",
            Json::Number(step.max_bonus().to_string()),
        ),
        ("compile_error", compile_error),
        (
            "tests",
            Json::List(step.tests().iter().map(test_json).collect()),
        ),
    ])
}

/// The cells of a step's row, shared by the table and the Markdown.
/// A step's cells of the tables, in their order: tests, earlier steps' tests, points, bonus
/// tests, bonus points.
fn cells(step: &StepGrade) -> [String; 5] {
    let compiled = matches!(step.result, LabResult::Tested(_));
    let ratio = |kind| match step.count(kind) {
        (_, 0) => "-".to_string(),
        (passed, total) => format!("{passed}/{total}"),
    };
    let points = |kind, max: u32| match (compiled, max) {
        (_, 0) => "-".to_string(),
        (false, max) => format!("0/{max}"),
        (true, max) => format!("{}/{max}", number(step.points(kind))),
    };
    [
        ratio(Kind::Required),
        ratio(Kind::Earlier),
        points(Kind::Required, step.max_points()),
        ratio(Kind::Bonus),
        points(Kind::Bonus, step.max_bonus()),
    ]
}

struct Totals {
    points: f64,
    max_points: u32,
    bonus: f64,
    max_bonus: u32,
}

impl Totals {
    /// `, bonus 3 of 5`, or nothing when the graded steps have no bonus.
    fn bonus_words(&self) -> String {
        match self.max_bonus {
            0 => String::new(),
            max => format!(", bonus {} of {max}", number(self.bonus)),
        }
    }

    fn of(report: &Report) -> Totals {
        let steps = &report.steps;
        Totals {
            points: steps.iter().map(|s| s.points(Kind::Required)).sum(),
            max_points: steps.iter().map(StepGrade::max_points).sum(),
            bonus: steps.iter().map(|s| s.points(Kind::Bonus)).sum(),
            max_bonus: steps.iter().map(StepGrade::max_bonus).sum(),
        }
    }
}

/// Every sign of tampering, one a line after `bullet`, under a heading; nothing if none.
fn tampering_words(report: &Report, bullet: &str) -> String {
    let all: Vec<String> = report
        .tampering
        .iter()
        .cloned()
        .chain(report.steps.iter().flat_map(|step| {
            let number = step.step.number;
            step.tampering()
                .into_iter()
                .map(move |t| format!("step {number}: {t}"))
        }))
        .collect();
    if all.is_empty() {
        return String::new();
    }
    let mut text = String::from(
        "TAMPERING: the student's code or files did what no honest solution does; what they \
         touched scores 0.\n",
    );
    for what in all {
        // One line each: a path or a message could hold a line break.
        text += &format!("{bullet}{}\n", what.replace(['\n', '\r'], " "));
    }
    text + "\n"
}

/// Which labs were graded, when `--changed-since` chose them, and which changed files the
/// grade left aside.
fn scope(report: &Report) -> String {
    let Some(since) = &report.changed_since else {
        return String::new();
    };
    let mut text = if report.steps.is_empty() {
        format!("No lab changed since {since}: nothing to grade.\n")
    } else {
        let steps: Vec<String> = report
            .steps
            .iter()
            .map(|s| format!("step {}", s.step.number))
            .collect();
        format!(
            "Only the labs changed since {since} are graded: {}.\n",
            steps.join(", ")
        )
    };
    if !report.changed_elsewhere.is_empty() {
        let paths: Vec<String> = report
            .changed_elsewhere
            .iter()
            // A file name could hold a backtick, which would end the code span early.
            .map(|path| format!("`{}`", path.replace('`', "'")))
            .collect();
        text += &format!(
            "Changed outside labs/*/src/, so not taken by the grade (worth a look): {}.\n",
            paths.join(", ")
        );
    }
    text
}

/// Points with at most two decimals: `10`, `2.5`, `3.33`.
pub fn number(points: f64) -> String {
    // `+ 0.0` turns the -0 of an empty sum into 0.
    let text = format!("{:.2}", (points * 100.0).round() / 100.0 + 0.0);
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

fn indent(text: &str) -> String {
    text.lines().map(|line| format!("    {line}\n")).collect()
}

/// `text` in a Markdown code block whose fence is longer than any run of backticks in it, so
/// that nothing in it can end the block.
fn fenced(text: &str) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest.max(2) + 1);
    format!("{fence}text\n{text}\n{fence}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grade::model::TestGrade;
    use crate::steps::step;
    use std::path::PathBuf;

    fn test(name: &str, kind: Kind, outcome: Outcome, points: f64) -> TestGrade {
        let message = if outcome == Outcome::Passed {
            String::new()
        } else {
            format!("it broke: \"{name}\"\n```\n# a heading\n```")
        };
        TestGrade {
            message,
            points,
            ..TestGrade::ended(name.into(), kind, outcome)
        }
    }

    fn report() -> Report {
        Report {
            tests_from: "abc1234 (origin/main)".into(),
            labs_from: PathBuf::from("/work/student"),
            commit: Some("0123456789abcdef0123456789abcdef01234567".into()),
            repository: Some("ada/web-protocols".into()),
            pull_request: Some(7),
            isolation: "sandboxed (bubblewrap)".into(),
            tampering: Vec::new(),
            changed_since: Some("abc1234".into()),
            changed_elsewhere: vec!["tests/suites/step2.rs".into()],
            steps: vec![
                StepGrade {
                    step: step(2).unwrap(),
                    result: LabResult::Tested(vec![
                        test("step2::a", Kind::Required, Outcome::Passed, 5.0),
                        test("step2::b", Kind::Required, Outcome::TimedOut, 0.0),
                        test("step2::c", Kind::Bonus, Outcome::Passed, 3.0),
                    ]),
                    tampering: Vec::new(),
                },
                StepGrade {
                    step: step(5).unwrap(),
                    result: LabResult::DoesNotCompile("error[E0308]: mismatched types".into()),
                    tampering: Vec::new(),
                },
            ],
        }
    }

    #[test]
    fn the_table_shows_each_step_and_the_totals() {
        let table = table(&report());
        assert!(table.contains("Only the labs changed since abc1234 are graded: step 2, step 5."));
        assert!(
            table.contains("so not taken by the grade (worth a look): `tests/suites/step2.rs`.")
        );
        let row = table.lines().find(|l| l.starts_with("2 ")).unwrap();
        let cells: Vec<&str> = row.split_whitespace().collect();
        assert_eq!(
            cells,
            ["2", "1/2", "-", "5/10", "1/1", "3/3", "in", "progress"]
        );
        let row = table.lines().find(|l| l.starts_with("5 ")).unwrap();
        let cells: Vec<&str> = row.split_whitespace().collect();
        assert_eq!(
            cells,
            ["5", "-", "-", "0/10", "-", "-", "does", "not", "compile"]
        );
        assert!(table.contains("    error[E0308]: mismatched types\n"));
        assert!(table.contains("  step2::b (stopped: it did not end)\n"));
        assert!(table.contains("grade: 5 of 20 points, bonus 3 of 3; 0 of 2 steps done"));
    }

    #[test]
    fn the_markdown_fences_what_the_code_printed() {
        let markdown = markdown(&report());
        assert!(markdown.starts_with("## Grade: 5 of 20 points, bonus 3 of 3\n"));
        assert!(
            markdown.contains(
                "| Step 2: the time server | 1/2 | - | 5/10 | 1/1 | 3/3 | 🟡 in progress |"
            )
        );
        // The message holds a fence of three backticks, so its own fence is longer.
        assert!(markdown.contains("````text\nit broke: \"step2::b\"\n```\n# a heading\n```\n````"));
        assert!(markdown.contains("<summary>Step 5: GET only: does not compile</summary>"));
    }

    #[test]
    fn the_json_holds_every_test_with_its_points() {
        let json = json(&report());
        assert!(json.starts_with("{\n  \"format_version\": 1,\n"), "{json}");
        assert!(
            json.contains("\"points\": 5,\n  \"max_points\": 20,"),
            "{json}"
        );
        assert!(json.contains(
            "{\"name\": \"step2::b\", \"kind\": \"required\", \"outcome\": \"timed out\", \
             \"points\": 0, \"message\": \"it broke: \\\"step2::b\\\"\\n```\\n# a heading\\n```\", \
             \"tampering\": []}"
        ));
        assert!(json.contains("\"compile_error\": \"error[E0308]: mismatched types\""));
        assert!(json.contains("\"all_done\": false"));
        assert!(json.contains("\"changed_elsewhere\": [\"tests/suites/step2.rs\"]"));
        assert!(json.contains("\"commit\": \"0123456789abcdef0123456789abcdef01234567\""));
        assert!(json.contains("\"repository\": \"ada/web-protocols\""));
        assert!(json.contains("\"pull_request\": 7,"));
        assert!(json.contains("\"tampered\": false,"));
    }

    #[test]
    fn tampering_is_shown_in_the_table_the_markdown_and_the_json() {
        let mut report = report();
        let LabResult::Tested(tests) = &mut report.steps[0].result else {
            unreachable!()
        };
        tests[0].outcome = Outcome::Tampered;
        tests[0].points = 0.0;
        tests[0].tampering = vec!["wrote to /job/grade.json".into()];
        let contains_all = |text: &str, parts: &[&str]| {
            for part in parts {
                assert!(text.contains(part), "{part:?} is missing from:\n{text}");
            }
        };
        let table = table(&report);
        contains_all(
            &table,
            &[
                "TAMPERING: ",
                "  step 2: step2::a: wrote to /job/grade.json\n",
                "  step2::a (tampering: scores 0)\n",
            ],
        );
        let row = table.lines().find(|l| l.starts_with("2 ")).unwrap();
        assert!(row.ends_with("tampering"), "{row}");
        contains_all(&markdown(&report), &["### ⚠️ Tampering", "⚠️ tampering |"]);
        contains_all(
            &json(&report),
            &[
                "\"tampered\": true,",
                "\"tampering\": [\"step2::a: wrote to /job/grade.json\"]",
                "\"outcome\": \"tampering\", \"points\": 0",
            ],
        );
    }

    /// The instructor guide shows a grade as the terminal prints it.
    #[test]
    fn the_instructor_guide_shows_the_table_as_it_is_printed() {
        let path = crate::workspace_root().join("docs/src/instructor-guide.md");
        let guide = std::fs::read_to_string(path).unwrap();
        let table = table(&report());
        let header = table.lines().find(|l| l.starts_with("step ")).unwrap();
        assert!(
            guide.contains(&format!("\n{header}\n")),
            "the guide's table: {header:?}"
        );
        for start in [
            "\ngrade: labs of ",
            "\nOnly the labs changed since ",
            "\nChanged outside ",
        ] {
            assert!(guide.contains(start), "the guide should show {start:?}");
        }
    }

    #[test]
    fn the_progress_shows_a_bar_per_step_and_points_at_the_current_one() {
        let progress = progress(&report(), 2);
        assert_eq!(
            progress,
            "  [....................]  0 of 2 steps done\n\n\
             > step 2  [##########..........]    1/2  in progress\n\
             \x20 step 5                                 does not compile\n"
        );
        assert_eq!(bar(19, 20), format!("[{}.]", "#".repeat(19)));
        assert_eq!(bar(0, 0), format!("[{}]", ".".repeat(20)));
    }

    #[test]
    fn points_keep_at_most_two_decimals() {
        assert_eq!(number(10.0), "10");
        assert_eq!(number(2.5), "2.5");
        assert_eq!(number(10.0 / 3.0), "3.33");
        assert_eq!(number(0.0), "0");
    }
}
