//! `cargo xtask hint N [--more]`: the hints of `xtask/hints.md`, one more at a time, and
//! `cargo xtask hint N --bonus [TASK] [--more]` those of a bonus task. How many hints a student
//! has seen is kept in `target/hints/stepN` (`stepN-bonus-TASK` for a bonus task), so that
//! `hint N` shows them again and `--more` goes one further.

use std::fs;
use std::path::Path;

use crate::steps::Step;

pub const USAGE: &str = "usage: cargo xtask hint N [--more]
       cargo xtask hint N --bonus [TASK] [--more]

Shows the hints of step N you have seen so far (at least the first); with --more, the next one.
They go from a nudge to a near-answer, and each names the book's section to read. With --bonus,
the hints of the bonus task TASK of step N; without TASK, the list of the step's bonus tasks
(or the hints of its only one).";

/// Every hint, as the workbook ships them.
const HINTS: &str = include_str!("../hints.md");

/// One hint: the book's chapter and section it comes from, and what it says.
#[derive(Debug)]
pub struct Hint {
    pub chapter: String,
    pub section: String,
    pub text: String,
}

/// The hints of a step (`## Step N`), or of one of its bonus tasks
/// (`## Step N bonus TASK: what the task is`).
#[derive(Debug)]
pub struct Section {
    pub step: u8,
    pub bonus: Option<Bonus>,
    pub hints: Vec<Hint>,
}

/// A bonus task: the one word that names it after `--bonus`, and what it is.
#[derive(Debug)]
pub struct Bonus {
    pub name: String,
    pub title: String,
}

pub fn main(root: &Path, args: &[&str]) -> Result<(), String> {
    if let ["--help" | "-h" | "help"] = args {
        println!("{USAGE}");
        return Ok(());
    }
    let (mut more, mut bonus, mut words) = (false, false, Vec::new());
    for arg in args {
        match *arg {
            "--more" => more = true,
            "--bonus" => bonus = true,
            option if option.starts_with('-') => {
                return Err(format!("unknown option {option:?}\n\n{USAGE}"));
            }
            word => words.push(word),
        }
    }
    let (number, task) = match (words.as_slice(), bonus) {
        ([number], _) => (*number, None),
        ([number, task], true) => (*number, Some(*task)),
        _ => return Err(format!("expected a step number\n\n{USAGE}")),
    };
    let step = crate::steps::parse_step(number)?;
    let seen = root.join("target/hints");
    let text = match (bonus, task) {
        (true, None) => bonus_tasks(&seen, step, more)?,
        _ => show(&seen, step, task, more)?,
    };
    print!("{text}");
    Ok(())
}

/// `cargo xtask hint N --bonus` without a task: the hints of the step's only bonus task, or the
/// list of its bonus tasks.
pub fn bonus_tasks(seen_dir: &Path, step: &Step, more: bool) -> Result<String, String> {
    let sections = parse(HINTS)?;
    let tasks: Vec<&Bonus> = bonus_of(&sections, step.number).collect();
    match tasks.as_slice() {
        [] => Err(format!("step {} has no bonus tasks", step.number)),
        [only] => show(seen_dir, step, Some(&only.name), more),
        tasks => {
            let mut text = format!(
                "{} has {} bonus tasks, each with hints of its own:\n",
                step.title,
                tasks.len()
            );
            let width = tasks.iter().map(|task| task.name.len()).max().unwrap_or(0);
            for task in tasks {
                text += &format!(
                    "  cargo xtask hint {} --bonus {:width$}  {}\n",
                    step.number, task.name, task.title
                );
            }
            Ok(text)
        }
    }
}

/// The bonus tasks of step `number` in `sections`.
fn bonus_of(sections: &[Section], number: u8) -> impl Iterator<Item = &Bonus> {
    let of_step = sections
        .iter()
        .filter(move |section| section.step == number);
    of_step.filter_map(|section| section.bonus.as_ref())
}

/// The hints of `step` to show (of its bonus task `task`, if given), keeping count of those seen
/// in `seen_dir`.
pub fn show(
    seen_dir: &Path,
    step: &Step,
    task: Option<&str>,
    more: bool,
) -> Result<String, String> {
    let sections = parse(HINTS)?;
    let number = step.number;
    let section = sections
        .iter()
        .find(|s| s.step == number && s.bonus.as_ref().map(|b| b.name.as_str()) == task)
        .ok_or_else(|| match task {
            None => format!("xtask/hints.md has no hints for step {number}"),
            Some(task) => format!(
                "step {number} has no bonus task {task:?}: `cargo xtask hint {number} --bonus` \
                 lists those it has"
            ),
        })?;
    let hints = &section.hints;
    let (title, command, counter, what) = match &section.bonus {
        None => (
            step.title.to_string(),
            format!("cargo xtask hint {number}"),
            step.package(),
            "this step",
        ),
        Some(bonus) => (
            format!("{}, bonus: {}", step.title, bonus.title),
            format!("cargo xtask hint {number} --bonus {}", bonus.name),
            format!("{}-bonus-{}", step.package(), bonus.name),
            "this bonus task",
        ),
    };
    let count_file = seen_dir.join(counter);
    let seen: usize = fs::read_to_string(&count_file)
        .ok()
        .and_then(|text| text.trim().parse().ok())
        .unwrap_or(0);
    let (first, last) = if more {
        (seen + 1, seen + 1)
    } else {
        (1, seen.max(1))
    };
    let last = last.min(hints.len());
    let first = first.min(last);
    fs::create_dir_all(seen_dir)
        .and_then(|()| fs::write(&count_file, last.to_string()))
        .map_err(|e| format!("cannot write {}: {e}", count_file.display()))?;

    let mut text = String::new();
    if more && seen >= hints.len() {
        text += &format!("That was the last hint for {what}; here it is again.\n\n");
    }
    for (index, hint) in hints.iter().enumerate().take(last).skip(first - 1) {
        text += &format!(
            "{title}, hint {} of {}\n  read: \"{}\", section \"{}\" (docs/src/{}.md)\n{}\n\n",
            index + 1,
            hints.len(),
            hint.chapter,
            hint.section,
            step.dir,
            wrap(&hint.text)
        );
    }
    text += &match hints.len() - last {
        0 => format!("That is every hint for {what}: the sections they name tell the rest.\n"),
        1 => format!("One more, the closest to the answer: {command} --more\n"),
        left => format!("{left} more, each closer to the answer: {command} --more\n"),
    };
    if section.bonus.is_none()
        && hints.len() == last
        && bonus_of(&sections, number).next().is_some()
    {
        text += &format!("The bonus tasks have hints of their own: {command} --bonus\n");
    }
    Ok(text)
}

/// `text` indented, in lines of at most 80 characters, a span in backticks (a command, a
/// name) kept on one line.
fn wrap(text: &str) -> String {
    let mut words: Vec<String> = Vec::new();
    let mut in_backticks = false;
    for word in text.split_whitespace() {
        match words.last_mut() {
            Some(span) if in_backticks => {
                *span += " ";
                *span += word;
            }
            _ => words.push(word.into()),
        }
        in_backticks ^= word.matches('`').count() % 2 == 1;
    }
    let mut lines = vec![String::from("   ")];
    for word in words {
        let line = lines.last_mut().expect("a line");
        if line.len() + 1 + word.len() > 80 && line.len() > 3 {
            lines.push(format!("    {word}"));
        } else {
            *line += " ";
            *line += &word;
        }
    }
    lines.join("\n")
}

/// The sections of hints in `text` (the format is at the top of `xtask/hints.md`).
pub fn parse(text: &str) -> Result<Vec<Section>, String> {
    let mut sections: Vec<Section> = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let problem = |message: &str| format!("xtask/hints.md, line {}: {message}", index + 1);
        if let Some(heading) = line.strip_prefix("## Step ") {
            let (number, bonus) = match heading.split_once(" bonus ") {
                None => (heading, None),
                Some((number, task)) => {
                    let (name, title) = task
                        .split_once(": ")
                        .filter(|(name, _)| !name.is_empty() && !name.contains(' '))
                        .ok_or_else(|| problem("`## Step N bonus TASK: what the task is`"))?;
                    let (name, title) = (name.into(), title.into());
                    (number, Some(Bonus { name, title }))
                }
            };
            let step = number
                .trim()
                .parse()
                .map_err(|_| problem("a step number"))?;
            sections.push(Section {
                step,
                bonus,
                hints: Vec::new(),
            });
        } else if let Some(item) = line.strip_prefix("- [") {
            let hints = &mut sections
                .last_mut()
                .ok_or_else(|| problem("a hint before a step"))?
                .hints;
            let (place, text) = item
                .split_once("] ")
                .ok_or_else(|| problem("`- [...] text`"))?;
            let (chapter, section) = place
                .split_once(" › ")
                .ok_or_else(|| problem("`[Chapter › Section]`"))?;
            hints.push(Hint {
                chapter: chapter.into(),
                section: section.into(),
                text: text.into(),
            });
        } else if let Some(more) = line.strip_prefix("  ") {
            if let Some(hint) = sections.last_mut().and_then(|s| s.hints.last_mut()) {
                hint.text += " ";
                hint.text += more.trim();
            }
        }
    }
    Ok(sections)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grade::sources::scratch;
    use crate::steps::STEPS;
    use crate::steps::step;

    #[test]
    fn every_step_and_every_bonus_task_has_hints_from_a_nudge_to_a_near_answer() {
        let sections = parse(HINTS).unwrap();
        let numbers: Vec<u8> = sections
            .iter()
            .filter(|section| section.bonus.is_none())
            .map(|section| section.step)
            .collect();
        let expected: Vec<u8> = STEPS.iter().map(|step| step.number).collect();
        assert_eq!(numbers, expected, "one `## Step N` per step, in order");
        for (index, section) in sections.iter().enumerate() {
            let number = section.step;
            let name = match &section.bonus {
                None => format!("step {number}"),
                Some(bonus) => format!("step {number}'s bonus task {}", bonus.name),
            };
            assert!(
                section.hints.len() >= 3,
                "{name} has {} hints: give it at least three, from a nudge to a near-answer",
                section.hints.len()
            );
            for hint in &section.hints {
                assert!(
                    hint.chapter.starts_with(&format!("Step {number}: ")),
                    "{name}: a hint from another step's chapter: {hint:?}"
                );
                assert!(
                    section.bonus.is_none() || hint.section.starts_with("Bonus"),
                    "{name}: a hint from outside the chapter's bonus section: {hint:?}"
                );
            }
            if let Some(bonus) = &section.bonus {
                let earlier = &sections[..index];
                assert!(
                    earlier
                        .iter()
                        .any(|s| s.step == number && s.bonus.is_none()),
                    "{name} comes before `## Step {number}`"
                );
                assert!(
                    bonus_of(earlier, number).all(|other| other.name != bonus.name),
                    "{name} twice"
                );
            }
        }
    }

    /// The public functions of `reference` whose doc comment starts with `Bonus`.
    fn bonus_functions(reference: &str) -> Vec<&str> {
        let mut functions = Vec::new();
        let mut doc: Option<&str> = None;
        for line in reference.lines().map(str::trim) {
            if let Some(text) = line.strip_prefix("///") {
                doc = doc.or(Some(text.trim()));
            } else if let Some(rest) = line.strip_prefix("pub fn ") {
                if doc.is_some_and(|text| text.starts_with("Bonus")) {
                    functions.extend(rest.split('(').next());
                }
                doc = None;
            } else if !line.starts_with("#[") {
                doc = None;
            }
        }
        functions
    }

    #[test]
    fn every_bonus_function_of_the_reference_has_hints() {
        let root = crate::workspace_root();
        let sections = parse(HINTS).unwrap();
        let mut found = 0;
        for step in STEPS {
            let path = format!("solutions/src/step{}.rs", step.number);
            let reference = fs::read_to_string(root.join(&path)).unwrap();
            let bonus_hints: String = sections
                .iter()
                .filter(|s| s.step == step.number && s.bonus.is_some())
                .flat_map(|s| &s.hints)
                .map(|hint| hint.text.as_str())
                .collect();
            for function in bonus_functions(&reference) {
                found += 1;
                assert!(
                    bonus_hints.contains(&format!("`{function}`")),
                    "{path}: the bonus function {function} is named by no hint of a \
                     `## Step {} bonus` section of xtask/hints.md",
                    step.number
                );
            }
        }
        // The check can fail: the reference has bonus functions.
        assert!(found >= 2, "found {found} bonus functions");
    }

    /// The names in backticks in `text` that are code the reference must have: a function, a
    /// method or a path (`read_to_end`, `response_ok()`, `fs::read`, `listener.incoming()`), by
    /// their last part. Single words without `()` (`serve`, `GET`) are left alone.
    fn code_names(text: &str) -> Vec<&str> {
        let quoted = text.split('`').skip(1).step_by(2);
        quoted
            .filter_map(|quoted| {
                let called = quoted.strip_suffix(')').and_then(|q| q.split_once('('));
                let name = called.map_or(quoted, |(name, _)| name);
                let is_path = name.starts_with(|c: char| c.is_ascii_alphabetic())
                    && name
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || "_:.".contains(c));
                let is_code = called.is_some() || name.contains(['_', ':', '.']);
                (is_path && is_code).then(|| name.rsplit([':', '.']).next().unwrap_or(name))
            })
            .collect()
    }

    #[test]
    fn every_function_a_hint_names_is_one_the_reference_has() {
        let root = crate::workspace_root();
        let mut checked = 0;
        for section in parse(HINTS).unwrap() {
            let path = format!("solutions/src/step{}.rs", section.step);
            let reference = fs::read_to_string(root.join(&path)).unwrap();
            for hint in &section.hints {
                for name in code_names(&hint.text) {
                    checked += 1;
                    let known = if name.starts_with(|c: char| c.is_ascii_uppercase()) {
                        reference.contains(name)
                    } else {
                        ["(", "::", "!"]
                            .iter()
                            .any(|after| reference.contains(&format!("{name}{after}")))
                    };
                    assert!(
                        known,
                        "xtask/hints.md, step {}: `{name}` is nowhere in {path}: {hint:?}",
                        section.step
                    );
                }
            }
        }
        assert!(checked > 50, "only {checked} names checked");
        assert_eq!(
            code_names("`http_get` `fs::read` `listener.incoming()` `serve` `get(url)` `&str`"),
            ["http_get", "read", "incoming", "get"]
        );
    }

    /// The lines of the reference that a student writes, long enough to be code of their own
    /// (not `}` or `Ok(())`).
    fn solution_lines(reference: &str) -> Vec<&str> {
        let lines = crate::markers::answer_lines(reference).into_iter();
        lines
            .map(|(_, line)| line.trim())
            .filter(|line| line.len() >= 12)
            .collect()
    }

    #[test]
    fn no_hint_shows_a_line_of_the_reference() {
        let root = crate::workspace_root();
        let hints: String = HINTS.split_whitespace().collect::<Vec<_>>().join(" ");
        for step in STEPS {
            let path = format!("solutions/src/step{}.rs", step.number);
            let reference = fs::read_to_string(root.join(&path)).unwrap();
            let lines = solution_lines(&reference);
            assert!(!lines.is_empty(), "{path} has no solution lines");
            for line in lines {
                let line = line.split_whitespace().collect::<Vec<_>>().join(" ");
                assert!(
                    !hints.contains(&line),
                    "xtask/hints.md shows a line of {path}: {line}"
                );
            }
        }
        // The check can fail: a hint that quoted the reference would be caught.
        let step1 = fs::read_to_string(root.join("solutions/src/step1.rs")).unwrap();
        assert!(solution_lines(&step1).contains(&"stream.shutdown(Shutdown::Write)?;"));
    }

    #[test]
    fn each_more_shows_one_more_hint_and_the_count_is_kept() {
        let seen = scratch("hints");
        let step = step(1).unwrap();
        let count = parse(HINTS).unwrap()[0].hints.len();
        let first = show(&seen, step, None, false).unwrap();
        assert!(first.starts_with(&format!(
            "Step 1: echo, hint 1 of {count}\n  read: \"Step 1: echo\", section \"On the wire\" \
             (docs/src/step1-echo.md)\n    You write three functions."
        )));
        assert!(first.ends_with(&format!(
            "{} more, each closer to the answer: cargo xtask hint 1 --more\n",
            count - 1
        )));
        let second = show(&seen, step, None, true).unwrap();
        assert!(second.starts_with("Step 1: echo, hint 2 of"), "{second}");
        assert!(
            !second.contains("hint 1 of"),
            "--more shows only the next one"
        );
        let again = show(&seen, step, None, false).unwrap();
        assert!(again.contains("hint 1 of") && again.contains("hint 2 of"));
        assert!(!again.contains("hint 3 of"));
        for _ in 2..count {
            show(&seen, step, None, true).unwrap();
        }
        let past_the_end = show(&seen, step, None, true).unwrap();
        assert!(past_the_end.starts_with("That was the last hint for this step"));
        assert!(past_the_end.contains(&format!("hint {count} of {count}")));
        assert!(past_the_end.ends_with("the sections they name tell the rest.\n"));
        assert!(
            show(&seen, crate::steps::step(2).unwrap(), None, false)
                .unwrap()
                .contains("hint 1 of"),
            "each step counts on its own"
        );
        fs::remove_dir_all(&seen).unwrap();
    }

    #[test]
    fn a_bonus_task_has_hints_and_a_count_of_its_own() {
        let seen = scratch("bonus-hints");
        let (step2, step7) = (step(2).unwrap(), step(7).unwrap());
        let list = bonus_tasks(&seen, step7, false).unwrap();
        assert!(list.starts_with("Step 7: serving files has "), "{list}");
        assert!(
            list.contains("\n  cargo xtask hint 7 --bonus date "),
            "{list}"
        );
        let date = show(&seen, step7, Some("date"), false).unwrap();
        assert!(
            date.starts_with(
                "Step 7: serving files, bonus: a Date header on every answer, hint 1 of"
            ),
            "{date}"
        );
        assert!(
            date.ends_with("cargo xtask hint 7 --bonus date --more\n"),
            "{date}"
        );
        let next = show(&seen, step7, Some("date"), true).unwrap();
        assert!(next.contains(", hint 2 of"), "{next}");
        let steps_own = show(&seen, step7, None, false).unwrap();
        assert!(
            steps_own.starts_with("Step 7: serving files, hint 1 of"),
            "{steps_own}"
        );
        assert!(
            !steps_own.contains("hint 2 of"),
            "a bonus task counts on its own"
        );
        let only = bonus_tasks(&seen, step2, false).unwrap();
        assert!(
            only.starts_with("Step 2: the time server, bonus: "),
            "{only}"
        );
        let unknown = show(&seen, step7, Some("nope"), false).unwrap_err();
        assert!(unknown.ends_with("`cargo xtask hint 7 --bonus` lists those it has"));
        let none = bonus_tasks(&seen, step(1).unwrap(), false).unwrap_err();
        assert_eq!(none, "step 1 has no bonus tasks");
        // Once a step's own hints are all seen, it says that its bonus tasks have theirs.
        let count = parse(HINTS)
            .unwrap()
            .iter()
            .find(|s| s.step == 2)
            .unwrap()
            .hints
            .len();
        for _ in 0..count {
            show(&seen, step2, None, true).unwrap();
        }
        let last = show(&seen, step2, None, false).unwrap();
        assert!(
            last.ends_with("hints of their own: cargo xtask hint 2 --bonus\n"),
            "{last}"
        );
        fs::remove_dir_all(&seen).unwrap();
    }

    /// The chapter "Working on the labs" shows the first hint of step 2 as `hint` prints it.
    #[test]
    fn the_chapter_shows_a_hint_as_it_is_printed() {
        let seen = scratch("chapter-hints");
        let first = show(&seen, step(2).unwrap(), None, false).unwrap();
        let path = crate::workspace_root().join("docs/src/working-on-the-labs.md");
        let chapter = fs::read_to_string(path).unwrap();
        assert!(
            chapter.contains(&format!("```text\n{first}```")),
            "docs/src/working-on-the-labs.md should show `cargo xtask hint 2` as it prints:\n{first}"
        );
        fs::remove_dir_all(&seen).unwrap();
    }

    #[test]
    fn lines_are_wrapped_and_indented() {
        let long = "word ".repeat(30);
        let wrapped = wrap(&long);
        assert!(
            wrapped
                .lines()
                .all(|l| l.len() <= 80 && l.starts_with("    word"))
        );
        assert_eq!(wrapped.lines().count(), 2);
        let command = format!(
            "{}run `cargo test -p step2 -- --ignored` now",
            "word ".repeat(12)
        );
        assert!(
            wrap(&command).ends_with("\n    `cargo test -p step2 -- --ignored` now"),
            "a span in backticks stays on one line: {}",
            wrap(&command)
        );
    }
}
