//! `cargo xtask solution N`: the reference's way of step N beside the student's, function by
//! function, once the step passes, as rustlings shows a solution only after the exercise: the
//! reference is worth reading when there is code of one's own to hold it against, not before.
//!
//! The parts are the functions of the reference that hold a marked region (`markers.rs`): each
//! a function the student wrote or changed, found in the student's file by its name. Whether the
//! step passes is the grade's verdict on the student's own build, as `watch` gets it
//! (`watch/own_build.rs`); a bonus part waits for the step's bonus tests too.

mod functions;

use std::fs;
use std::path::Path;

use functions::{Function, functions};

use crate::grade::{Kind, LabResult, Outcome, Status, StepGrade};
use crate::markers::{self, Region};
use crate::steps::Step;
use crate::watch::own_build;

pub const USAGE: &str = "usage: cargo xtask solution N

Shows the reference's way of step N beside yours: each function you wrote in the lab, then the
reference's. Only once the step passes: it runs the step's tests first, as `cargo xtask watch`
does, and until they all pass it says which still fail. A bonus function is shown once the
step's bonus tests pass too.";

/// The folder of the reference, from the workspace root. The repository that students fork has
/// none, until the course publishes it there.
const REFERENCE: &str = "solutions";

/// How wide the comparison may be: the terminal's columns, and rustfmt's longest line.
const WIDTH: usize = 100;

/// How many failing tests a refusal names; the count says the rest.
const NAMED_FAILURES: usize = 10;

pub fn main(root: &Path, args: &[&str]) -> Result<(), String> {
    let number = match args {
        ["--help" | "-h" | "help"] => {
            println!("{USAGE}");
            return Ok(());
        }
        [number] => *number,
        _ => return Err(format!("expected a step number\n\n{USAGE}")),
    };
    let step = crate::steps::parse_step(number)?;
    let text = show(root, step, || {
        eprintln!(
            "solution: testing step {} first, as `cargo test -p {}` builds it...",
            step.number,
            step.package()
        );
        let target = own_build::target_dir(root)?;
        let mut graded = own_build::test(root, &target, &[step])?;
        graded
            .pop()
            .ok_or_else(|| format!("step {} was not tested", step.number))
    })?;
    print!("{text}");
    Ok(())
}

/// The reference of `step`, relative to the workspace root.
pub fn reference_path(step: &Step) -> String {
    format!("{REFERENCE}/src/step{}.rs", step.number)
}

/// The student's file of `step`, relative to the workspace root.
fn lab_path(step: &Step) -> String {
    format!("labs/{}/src/lib.rs", step.dir)
}

/// Whether the workbook at `root` has the reference of `step`: the course's own repository
/// does, the one students fork does not (`watch` offers this task only where it does).
pub fn published(root: &Path, step: &Step) -> bool {
    root.join(reference_path(step)).is_file()
}

/// The comparison of `step`, if the workbook has its reference and `test` (the step's tests,
/// run) says the step passes; else why not.
pub fn show(
    root: &Path,
    step: &'static Step,
    test: impl FnOnce() -> Result<StepGrade, String>,
) -> Result<String, String> {
    if !published(root, step) {
        return Err(format!(
            "the course has not published the reference of step {} in this repository,\n\
             so there is nothing here to compare your code with. `cargo xtask grade` shows how\n\
             far you are, and your instructor can show you the reference's way.",
            step.number
        ));
    }
    let graded = test()?;
    if graded.status() != Status::Done {
        return Err(refusal(&graded));
    }
    let read = |path: String| {
        fs::read_to_string(root.join(&path)).map_err(|e| format!("cannot read {path}: {e}"))
    };
    let reference = read(reference_path(step))?;
    let lab = read(lab_path(step))?;
    Ok(compare(step, &graded, &reference, &lab))
}

/// Why the reference of a step that does not pass stays hidden, and what helps.
fn refusal(graded: &StepGrade) -> String {
    let number = graded.step.number;
    let package = graded.step.package();
    let mut text = match &graded.result {
        LabResult::DoesNotCompile(_) => format!(
            "step {number} does not compile yet (`cargo test -p {package}` shows the compiler's \
             errors).\n"
        ),
        LabResult::Tested(tests) => {
            let counted: Vec<_> = tests.iter().filter(|t| t.kind != Kind::Bonus).collect();
            let failing: Vec<&str> = counted
                .iter()
                .filter(|test| test.outcome != Outcome::Passed)
                .map(|test| test.name.as_str())
                .collect();
            if failing.is_empty() {
                // Every test passes, yet the step is not done: its runs showed tampering.
                let mut text =
                    format!("step {number} does not pass: its tests showed tampering:\n");
                for what in graded.tampering() {
                    text += &format!("  {what}\n");
                }
                return text;
            }
            let mut text = format!(
                "step {number} does not pass yet: {} of its {} tests still fail:\n",
                failing.len(),
                counted.len()
            );
            for name in failing.iter().take(NAMED_FAILURES) {
                text += &format!("  {name}\n");
            }
            if failing.len() > NAMED_FAILURES {
                text += &format!(
                    "  and {} more (`cargo test -p {package}` runs them all)\n",
                    failing.len() - NAMED_FAILURES
                );
            }
            text
        }
    };
    text += &format!(
        "The reference is shown once its tests all pass; `cargo xtask hint {number}` helps,\n\
         and `cargo xtask watch {number}` tests again on each save."
    );
    text
}

/// A function of the reference that the student writes.
#[derive(Debug, PartialEq)]
struct Part {
    name: String,
    /// Only bonus regions: shown once the bonus tests pass.
    bonus: bool,
    /// The function's lines in the reference, 1-based.
    lines: std::ops::RangeInclusive<usize>,
}

/// The functions of `reference` that hold a `lab:todo` or `lab:solution` region, or that such
/// a region holds whole (at the top level, as a helper a step adds), in the order of the file.
fn parts(reference: &str) -> Vec<Part> {
    let functions = functions(reference);
    let mut parts: Vec<Part> = Vec::new();
    for region in markers::regions(reference) {
        let bonus = match region.kind {
            markers::Kind::Omit => continue,
            markers::Kind::Todo(message) => message.contains("bonus"),
            markers::Kind::Solution => false,
        };
        let around = functions
            .iter()
            .filter(|f| f.lines.contains(&region.start))
            .max_by_key(|f| f.depth);
        let chosen: Vec<&Function> = match around {
            Some(function) => vec![function],
            None => functions.iter().filter(|f| within(f, &region)).collect(),
        };
        for function in chosen {
            match parts.iter_mut().find(|part| part.name == function.name) {
                Some(part) => part.bonus &= bonus,
                None => parts.push(Part {
                    name: function.name.clone(),
                    bonus,
                    lines: function.lines.clone(),
                }),
            }
        }
    }
    parts.sort_by_key(|part| *part.lines.start());
    parts
}

/// Whether `function` lies in the answer of `region`, as an item of its own.
fn within(function: &Function, region: &Region) -> bool {
    region.answer.contains(function.lines.start()) && region.answer.contains(function.lines.end())
}

/// The reference's text of `part`: its lines without the markers and the starter's `//|` lines.
fn reference_text(reference: &str, part: &Part) -> String {
    let lines = reference.lines().enumerate();
    let code = lines
        .filter(|(index, _)| part.lines.contains(&(index + 1)))
        .map(|(_, line)| line)
        .filter(|line| {
            let trimmed = line.trim();
            !trimmed.starts_with("// lab:") && trimmed != "//|" && !trimmed.starts_with("//| ")
        });
    dedent(&code.collect::<Vec<_>>())
}

/// The student's function `name` in `lab` (the outermost, if several have the name): its first
/// line and its text.
fn students_function(lab: &str, name: &str) -> Option<(usize, String)> {
    let functions = functions(lab);
    let function = functions
        .iter()
        .filter(|f| f.name == name)
        .min_by_key(|f| f.depth)?;
    let lines: Vec<&str> = lab.lines().collect();
    let text = dedent(&lines[function.lines.start() - 1..*function.lines.end()]);
    Some((*function.lines.start(), text))
}

/// The lines joined, without the indentation they all share.
fn dedent(lines: &[&str]) -> String {
    let indent = lines
        .iter()
        .filter(|line| !line.trim().is_empty())
        .map(|line| line.len() - line.trim_start().len())
        .min()
        .unwrap_or(0);
    let mut text = String::new();
    for line in lines {
        text += line.get(indent..).unwrap_or(line.trim_start()).trim_end();
        text += "\n";
    }
    text
}

/// Whether two texts are the same code, spaces and blank lines aside.
fn same_code(a: &str, b: &str) -> bool {
    let words = |text: &str| text.split_whitespace().collect::<Vec<_>>().join(" ");
    words(a) == words(b)
}

/// The comparison of a step that passes: each part, the student's then the reference's.
fn compare(step: &Step, graded: &StepGrade, reference: &str, lab: &str) -> String {
    let (lab_path, reference_path) = (lab_path(step), reference_path(step));
    let total = graded
        .tests()
        .iter()
        .filter(|t| t.kind != Kind::Bonus)
        .count();
    let (bonus_passed, bonus_total) = graded.count(Kind::Bonus);
    let bonus_done = bonus_passed == bonus_total;
    let mut text = format!(
        "{} is done: all {total} of its tests pass.\n\
         Beside yours, the reference's way: each function you wrote, then the reference's.\n\
         Yours are in {lab_path}, the reference in {reference_path}.\n\
         Yours passes the same tests; it need not look the same.\n",
        step.title
    );
    let parts = parts(reference);
    let (shown, held): (Vec<&Part>, Vec<&Part>) =
        parts.iter().partition(|part| !part.bonus || bonus_done);
    for part in shown {
        let theirs = reference_text(reference, part);
        let (name, line) = (&part.name, part.lines.start());
        text += "\n";
        match students_function(lab, name) {
            Some((_, yours)) if same_code(&yours, &theirs) => {
                text += &heading(&format!(
                    "your {name} is the reference's ({reference_path}:{line})"
                ));
                text += &theirs;
                continue;
            }
            Some((at, yours)) => {
                text += &heading(&format!("your {name} ({lab_path}:{at})"));
                text += &yours;
            }
            None => {
                text += &heading(&format!("your {name}"));
                text += &format!("(no `fn {name}` in {lab_path})\n");
            }
        }
        text += "\n";
        text += &heading(&format!("the reference's {name} ({reference_path}:{line})"));
        text += &theirs;
    }
    if !held.is_empty() {
        let names: Vec<&str> = held.iter().map(|part| part.name.as_str()).collect();
        text += &format!(
            "\nNot shown yet: the bonus {} {}, until the step's bonus tests pass too\n\
             ({bonus_passed} of {bonus_total} do; `cargo test -p {} -- --ignored` runs them).\n",
            if held.len() == 1 {
                "function"
            } else {
                "functions"
            },
            names.join(", "),
            step.package()
        );
    }
    text
}

/// `-- label ------`, as wide as the comparison.
fn heading(label: &str) -> String {
    let start = format!("-- {label} ");
    let fill = WIDTH.saturating_sub(start.chars().count());
    format!("{start}{}\n", "-".repeat(fill))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grade::TestGrade;
    use crate::grade::sources::scratch;
    use crate::steps::{STEPS, step};

    /// A grade of `step` whose tests are `outcomes`, by name, all required but those named
    /// `bonus_*`.
    fn graded(step: &'static Step, outcomes: &[(&str, Outcome)]) -> StepGrade {
        let tests = outcomes.iter().map(|(name, outcome)| {
            let kind = if name.starts_with("bonus_") {
                Kind::Bonus
            } else {
                Kind::Required
            };
            TestGrade::ended(format!("{}::{name}", step.package()), kind, *outcome)
        });
        StepGrade::tested(step, tests.collect())
    }

    fn no_test_run() -> Result<StepGrade, String> {
        panic!("the tests should not run")
    }

    #[test]
    fn without_the_reference_it_says_the_course_has_not_published_it() {
        let root = scratch("solution-unpublished");
        fs::create_dir_all(root.join(lab_path(&STEPS[0])).parent().unwrap()).unwrap();
        let refused = show(&root, &STEPS[0], no_test_run).unwrap_err();
        assert!(
            refused.starts_with(
                "the course has not published the reference of step 1 in this repository,\n"
            ),
            "{refused}"
        );
        assert!(!published(&root, &STEPS[0]));
        // Through the task's door, whose exit status is then 1.
        assert!(
            main(&root, &["1"])
                .unwrap_err()
                .contains("has not published")
        );
        fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn a_step_that_does_not_pass_is_refused_with_its_failing_tests_and_the_hint() {
        // A workbook with a reference for step 1, whatever it says: the grade decides.
        let root = scratch("solution-refused");
        let step1 = &STEPS[0];
        let reference = root.join(reference_path(step1));
        fs::create_dir_all(reference.parent().unwrap()).unwrap();
        fs::write(&reference, "pub fn echo() {}\n").unwrap();
        let failing = graded(
            step1,
            &[
                ("first", Outcome::Passed),
                ("second", Outcome::Failed),
                ("third", Outcome::TimedOut),
                ("bonus_extra", Outcome::Failed),
            ],
        );
        let refused = show(&root, step1, || Ok(failing)).unwrap_err();
        assert_eq!(
            refused,
            "step 1 does not pass yet: 2 of its 3 tests still fail:\n  step1::second\n  \
             step1::third\nThe reference is shown once its tests all pass; `cargo xtask hint 1` \
             helps,\nand `cargo xtask watch 1` tests again on each save."
        );

        let many: Vec<String> = (0..12).map(|n| format!("test_{n}")).collect();
        let many: Vec<(&str, Outcome)> =
            many.iter().map(|n| (n.as_str(), Outcome::Failed)).collect();
        let refused = show(&root, step1, || Ok(graded(step1, &many))).unwrap_err();
        assert!(
            refused.contains("12 of its 12 tests still fail"),
            "{refused}"
        );
        assert!(refused.contains("\n  step1::test_9\n  and 2 more (`cargo test -p step1` runs"));

        let broken = StepGrade {
            step: step1,
            result: LabResult::DoesNotCompile("error[E0425]".into()),
            tampering: Vec::new(),
        };
        let refused = show(&root, step1, || Ok(broken)).unwrap_err();
        assert!(
            refused.starts_with("step 1 does not compile yet"),
            "{refused}"
        );
        assert!(refused.contains("`cargo xtask hint 1` helps"), "{refused}");
        fs::remove_dir_all(&root).unwrap();
    }

    /// A reference of every kind of region, made up (the export's scan would take a real
    /// reference's lines for an answer left in this file).
    const A_REFERENCE: &str = concat!(
        "/// Given.\n",
        "pub fn given() -> u8 {\n",
        "    1\n",
        "}\n",
        "\n",
        "pub fn serve(listener: TcpListener) -> io::Result<()> {\n",
        "    // lab:starter\n",
        "    //| each_client(listener, echo)\n",
        "    // lab:solution\n",
        "    each_client(listener, handle_connection)\n",
        "    // lab:end\n",
        "}\n",
        "\n",
        "// lab:starter\n",
        "//| pub fn echo() {}\n",
        "// lab:solution\n",
        "// lab:end\n",
        "pub fn handle_connection(mut client: TcpStream) -> io::Result<()> {\n",
        "    // lab:todo Step 4: take the request, then answer\n",
        "    take_request(&mut client)?;\n",
        "    client.write_all(b\"}\")\n",
        "    // lab:end\n",
        "}\n",
        "\n",
        "// lab:solution\n",
        "fn helper() -> &'static str {\n",
        "    r#\"{\"#\n",
        "}\n",
        "// lab:end\n",
        "\n",
        "impl Server {\n",
        "    pub fn whoami(&self) -> String {\n",
        "        // lab:todo Step 4 bonus: say who\n",
        "        format!(\"{}\", self.name)\n",
        "        // lab:end\n",
        "    }\n",
        "}\n",
        "\n",
        "// lab:omit\n",
        "fn only_for_the_bonus() {}\n",
        "// lab:end\n",
    );

    #[test]
    fn the_parts_are_the_functions_that_hold_a_region_or_that_a_region_holds() {
        let parts = parts(A_REFERENCE);
        let names: Vec<(&str, bool)> = parts.iter().map(|p| (p.name.as_str(), p.bonus)).collect();
        assert_eq!(
            names,
            [
                ("serve", false),
                ("handle_connection", false),
                ("helper", false),
                ("whoami", true),
            ]
        );
        assert_eq!(
            reference_text(A_REFERENCE, &parts[0]),
            "pub fn serve(listener: TcpListener) -> io::Result<()> {\n    \
             each_client(listener, handle_connection)\n}\n"
        );
        assert_eq!(parts[1].lines, 18..=23, "the brace in a string is no end");
        assert_eq!(
            reference_text(A_REFERENCE, &parts[3]),
            "pub fn whoami(&self) -> String {\n    format!(\"{}\", self.name)\n}\n",
            "dedented"
        );
    }

    #[test]
    fn a_students_function_is_found_by_its_name_however_it_is_laid_out() {
        let lab = "// fn handle_connection() { in a comment }\n\
                   /* fn handle_connection() { /* nested */ } */\n\
                   pub fn handle_connection(mut stream: TcpStream) -> io::Result<()>\n{\n    \
                   let brace = '{'; let quote = '\\''; let s = \"}\\\"}\";\n    \
                   fn inner<'a>(x: &'a [u8; 4]) -> &'a [u8] { x }\n    \
                   stream.write_all(br#\"}\"\"#)\n}\nfn after() {}\n";
        let (line, text) = students_function(lab, "handle_connection").unwrap();
        assert_eq!(line, 3);
        assert!(
            text.ends_with("stream.write_all(br#\"}\"\"#)\n}\n"),
            "{text}"
        );
        assert_eq!(students_function(lab, "inner").unwrap().0, 6);
        assert_eq!(students_function(lab, "after").unwrap().0, 9);
        assert_eq!(students_function(lab, "missing"), None);
        let declared = functions("trait T {\n    fn f(x: [u8; 2]);\n}\nfn g() {}\n");
        let names: Vec<&str> = declared.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["g"], "a declaration without a body is no function");
    }

    #[test]
    fn a_passing_step_shows_each_part_yours_then_the_references() {
        let step4 = step(4).unwrap();
        let lab = concat!(
            "pub fn serve(listener: TcpListener)\n",
            "    -> io::Result<()> {\n",
            "        each_client(listener, handle_connection)\n",
            "\n",
            "}\n",
            "pub fn handle_connection(mut client: TcpStream) -> io::Result<()> {\n",
            "    let _ = take_request(&mut client)?;\n",
            "    client.write_all(b\"}\")\n",
            "}\n",
        );
        let passing = graded(
            step4,
            &[("a", Outcome::Passed), ("bonus_b", Outcome::Failed)],
        );
        let text = compare(step4, &passing, A_REFERENCE, lab);
        assert!(
            text.starts_with("Step 4: a canned 200 is done: all 1 of its tests pass."),
            "{text}"
        );
        let reference = reference_path(step4);
        let same = format!("\n-- your serve is the reference's ({reference}:6) ---");
        assert!(text.contains(&same), "the same code, spaces aside: {text}");
        let yours = "\n-- your handle_connection (labs/step4-canned-200/src/lib.rs:6) ---";
        let theirs = format!("\n-- the reference's handle_connection ({reference}:18) ---");
        let (at_yours, at_theirs) = (text.find(yours).unwrap(), text.find(&theirs).unwrap());
        assert!(at_yours < at_theirs, "{text}");
        assert!(text[at_yours..at_theirs].contains("let _ = take_request"));
        assert!(text.contains("\n-- your helper ---"), "{text}");
        assert!(text.contains("\n(no `fn helper` in labs/step4-canned-200/src/lib.rs)\n"));
        assert!(!text.contains("fn whoami"), "a bonus part waits: {text}");
        assert!(
            text.contains("Not shown yet: the bonus function whoami, until"),
            "{text}"
        );
        assert!(text.contains("(0 of 1 do; `cargo test -p step4 -- --ignored` runs them)"));
        assert!(
            !text.contains("only_for_the_bonus"),
            "an omitted region is no part"
        );

        let all_bonus = graded(
            step4,
            &[("a", Outcome::Passed), ("bonus_b", Outcome::Passed)],
        );
        let text = compare(step4, &all_bonus, A_REFERENCE, lab);
        assert!(text.contains("\n-- the reference's whoami ("), "{text}");
        assert!(!text.contains("Not shown yet"), "{text}");
    }

    /// Each step's reference compared with a lab solved as it is (what a student who copied
    /// it would see), and with the starter: every part is found, and the comparison fits the
    /// terminal.
    #[test]
    fn every_steps_comparison_finds_its_parts_and_fits_in_100_columns() {
        let root = crate::workspace_root();
        for step in STEPS {
            let reference = fs::read_to_string(root.join(reference_path(step))).unwrap();
            let parts = parts(&reference);
            assert!(!parts.is_empty(), "step {}: no part", step.number);
            let starter = fs::read_to_string(root.join(lab_path(step))).unwrap();
            let copied: String = reference
                .lines()
                .filter(|line| !line.trim().starts_with("// lab:") && !line.contains("//|"))
                .map(|line| format!("{line}\n"))
                .collect();
            let done = graded(
                step,
                &[("a", Outcome::Passed), ("bonus_b", Outcome::Passed)],
            );
            let text = compare(step, &done, &reference, &copied);
            for line in text.lines() {
                assert!(
                    line.chars().count() <= WIDTH,
                    "step {}: {line}",
                    step.number
                );
            }
            assert!(!text.contains("lab:") && !text.contains("//|"), "{text}");
            assert_eq!(
                text.matches("\n-- your ").count(),
                parts.len(),
                "step {}: a heading a part: {text}",
                step.number
            );
            assert_eq!(
                text.matches(" is the reference's (").count(),
                parts.len(),
                "step {}: the copy is the reference's: {text}",
                step.number
            );
            let with_starter = compare(step, &done, &reference, &starter);
            assert!(!with_starter.contains("(no `fn "), "{with_starter}");
            assert_eq!(
                with_starter.matches("\n-- the reference's ").count(),
                parts.len(),
                "{with_starter}"
            );
        }
        // Step 4's three functions and `serve`, whose starter the student changes.
        let step4 = fs::read_to_string(root.join("solutions/src/step4.rs")).unwrap();
        let names: Vec<String> = parts(&step4).into_iter().map(|p| p.name).collect();
        assert_eq!(
            names,
            ["serve", "handle_connection", "read_request", "response_ok"]
        );
        // As the chapter "Working on the labs" names them.
        let chapter = fs::read_to_string(root.join("docs/src/working-on-the-labs.md")).unwrap();
        let section = chapter.split("\n## Once a step passes").nth(1).unwrap();
        let section = section.split("\n## ").next().unwrap();
        for name in &names {
            assert!(
                section.contains(&format!("`{name}`")),
                "the chapter names `{name}`"
            );
        }
        for label in [
            "`your handle_connection`",
            "`the reference's handle_connection`",
        ] {
            assert!(section.contains(label), "the chapter shows {label}");
        }
    }
}
