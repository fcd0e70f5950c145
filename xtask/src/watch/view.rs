//! What `watch` shows after each run: the grade's progress, what happened, and under it the one
//! thing to do next, the first failing test's message.

use std::path::Path;

use crate::grade::{Blocker, Kind, Report, Status, StepGrade};
use crate::steps::{STEPS, SUITES};

/// How many lines of a failure message the view shows; `cargo test` shows the rest.
const MESSAGE_LINES: usize = 30;

/// The screen after a run: `news` (what just happened) above the progress of `report`, with
/// step `current` the one being watched, and at the end how to quit.
pub fn render(
    report: &Report,
    current: u8,
    news: &[String],
    suites: &Suites,
    how_to_quit: &str,
) -> String {
    let title = report.steps.iter().find(|s| s.step.number == current);
    let mut text = format!(
        "cargo xtask watch: {}\n\n",
        title.map_or("", |s| s.step.title)
    );
    for line in news {
        text += &format!("{line}\n");
    }
    if !news.is_empty() {
        text += "\n";
    }
    text += &progress(report, current);
    let Some(step) = report.steps.iter().find(|s| s.step.number == current) else {
        return text;
    };
    text += "\n";
    text += &next_thing_to_do(step, suites);
    text += &format!(
        "\nwatching labs/{}/src: save to test again; `cargo xtask hint {current}` gives a \
         hint; {how_to_quit}\n",
        step.step.dir
    );
    text
}

/// The grade's progress of `report`; until every step is tested, the steps not tested yet
/// have a line that says so, in their place, and the count of steps done waits for them.
fn progress(report: &Report, current: u8) -> String {
    let table = crate::grade::progress(report, current);
    let tested = |number| report.steps.iter().any(|s| s.step.number == number);
    let untested = STEPS.iter().filter(|step| !tested(step.number));
    let mut rows: Vec<(u8, String)> = untested
        .map(|step| {
            (
                step.number,
                format!("  step {}  being tested...", step.number),
            )
        })
        .collect();
    if rows.is_empty() {
        return table;
    }
    // The grade's table: the top bar, a blank line, then one line a step, in the report's order.
    let steps = report.steps.iter().map(|s| s.step.number);
    rows.extend(steps.zip(table.lines().skip(2).map(String::from)));
    rows.sort_by_key(|(number, _)| *number);
    let mut text = "  testing the other steps, to show how far each is\n\n".to_string();
    for (_, row) in rows {
        text += &row;
        text += "\n";
    }
    text
}

fn next_thing_to_do(step: &StepGrade, suites: &Suites) -> String {
    let number = step.step.number;
    let package = step.step.package();
    match step.first_blocker(|name| suites.place(name)) {
        Some(Blocker::DoesNotCompile(error)) => format!(
            "step {number} does not compile; the compiler's first error:\n{}",
            excerpt(error)
        ),
        Some(Blocker::Fails(test)) => {
            let whose = match test.kind {
                Kind::Earlier => "an earlier step's test, which passed on the starter",
                _ => "the first failing test",
            };
            format!(
                "step {number}, {whose}: {}\n{}(`cargo test -p {package}` runs them all)\n",
                test.name,
                excerpt(&test.message)
            )
        }
        None if step.status() == Status::Done => {
            let (passed, bonus) = step.count(Kind::Bonus);
            let mut text = format!("step {number} is done.\n");
            if passed < bonus {
                text += &format!(
                    "Bonus: {passed} of {bonus} bonus tests pass (`cargo test -p {package} -- \
                     --ignored`), if you want more.\n"
                );
            }
            text
        }
        None => format!("step {number} has no tests\n"),
    }
}

/// The first [`MESSAGE_LINES`] lines of `message`, indented.
fn excerpt(message: &str) -> String {
    let lines: Vec<&str> = message.lines().collect();
    let mut text: String = lines
        .iter()
        .take(MESSAGE_LINES)
        .map(|line| format!("    {line}\n"))
        .collect();
    if lines.len() > MESSAGE_LINES {
        text += &format!("    ... {} more lines\n", lines.len() - MESSAGE_LINES);
    }
    text
}

/// The suites' text, to order a step's tests as they are written: the order in which the
/// chapters say they turn green, where the test harness sorts them by name.
pub struct Suites(Vec<(&'static str, String)>);

impl Suites {
    pub fn read(root: &Path) -> Suites {
        let texts = SUITES.iter().map(|suite| {
            let path = root.join(format!("tests/suites/{}.rs", suite.file));
            (
                suite.file,
                std::fs::read_to_string(path).unwrap_or_default(),
            )
        });
        Suites(texts.collect())
    }

    /// Where the test `module::name` (or `earlier_steps::module::name`) is written: its
    /// suite's place in the table of suites, then its place in the file.
    pub fn place(&self, test: &str) -> (usize, usize) {
        let mut parts = test.rsplit("::");
        let (name, module) = (parts.next().unwrap_or(test), parts.next().unwrap_or(""));
        self.0
            .iter()
            .enumerate()
            .find(|(_, (file, _))| *file == module)
            .and_then(|(index, (_, text))| {
                let at = text.find(&format!("fn {name}("))?;
                Some((index, at))
            })
            .unwrap_or((usize::MAX, usize::MAX))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grade::{Outcome, TestGrade};

    #[test]
    fn tests_are_ordered_as_their_suite_writes_them() {
        let suites = Suites::read(&crate::workspace_root());
        let first = suites.place("step1::the_server_sends_back_a_short_message");
        let later = suites.place("step1::the_client_sends_its_message_and_then_stops_sending");
        assert!(first < later, "{first:?} {later:?}");
        let carried = suites.place("earlier_steps::step4::read_request_returns_the_request_once_its_blank_line_has_arrived");
        assert!(carried.0 > first.0 && carried.0 < usize::MAX);
        assert_eq!(
            suites.place("step1::no_such_test"),
            (usize::MAX, usize::MAX)
        );
    }

    /// A report of every step: step 1 done, two of step 2's eight tests passing, the rest
    /// not started; the failing test of step 2 says `message`.
    fn report(message: &str) -> Report {
        let steps = crate::steps::STEPS.iter().map(|step| {
            // The numbers of tests the chapter shows.
            let (passing, total) = match step.number {
                1 => (12, 12),
                2 => (2, 11),
                3 => (0, 18),
                4 => (0, 15),
                7 => (0, 21),
                _ => (0, 12),
            };
            let tests = (0..total).map(|index| {
                let name = format!("step{}::test_{index}", step.number);
                let outcome = if index < passing {
                    Outcome::Passed
                } else {
                    Outcome::Failed
                };
                let message = message.to_string();
                TestGrade {
                    message,
                    ..TestGrade::ended(name, Kind::Required, outcome)
                }
            });
            StepGrade::tested(step, tests.collect())
        });
        Report {
            tests_from: String::new(),
            labs_from: Default::default(),
            commit: None,
            repository: None,
            pull_request: None,
            isolation: String::new(),
            tampering: Vec::new(),
            changed_since: None,
            changed_elsewhere: Vec::new(),
            steps: steps.collect(),
        }
    }

    /// The chapter "Working on the labs" shows the view as `watch` prints it.
    #[test]
    fn the_chapter_shows_the_view_as_it_is_printed() {
        let root = crate::workspace_root();
        let chapter = std::fs::read_to_string(root.join("docs/src/working-on-the-labs.md"));
        let chapter = chapter.unwrap();
        let view = render(&report("boom"), 2, &[], &Suites::read(&root), "q quits");
        for line in view.lines().filter(|line| !line.contains("test_")) {
            if line.contains("boom") {
                continue;
            }
            assert!(
                chapter.contains(&format!("\n{line}\n")),
                "the chapter should show this line of the view: {line:?}\n{view}"
            );
        }
    }

    #[test]
    fn steps_not_tested_yet_say_so_in_their_place() {
        let mut report = report("boom");
        report.steps.retain(|s| s.step.number == 2);
        let view = render(
            &report,
            2,
            &[],
            &Suites::read(&crate::workspace_root()),
            "q",
        );
        let rows: Vec<&str> = view
            .lines()
            .filter(|l| l.get(1..7) == Some(" step "))
            .collect();
        // As many rows as steps, also in an export of fewer steps.
        let last = STEPS.len();
        assert_eq!(rows.len(), last, "{view}");
        assert_eq!(rows[0], "  step 1  being tested...");
        assert!(rows[1].starts_with("> step 2  [###.................]   2/11  in progress"));
        if last > 2 {
            assert_eq!(rows[last - 1], format!("  step {last}  being tested..."));
        }
        assert!(view.contains("\n  testing the other steps, to show how far each is\n\n"));
        assert!(!view.contains("steps done"), "{view}");
    }

    #[test]
    fn a_long_message_is_cut_with_a_count_of_what_is_left() {
        let message: String = (1..=40).map(|n| format!("line {n}\n")).collect();
        let excerpt = excerpt(&message);
        assert!(excerpt.starts_with("    line 1\n"));
        assert!(excerpt.ends_with("    line 30\n    ... 10 more lines\n"));
    }
}
