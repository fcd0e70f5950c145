//! `cargo xtask hint N [--more]`: the hints of `xtask/hints.md`, one more at a time. How many of
//! a step's hints a student has seen is kept in `target/hints/stepN`, so that `hint N` shows
//! them again and `--more` goes one further.

use std::fs;
use std::path::Path;

use crate::steps::Step;

pub const USAGE: &str = "usage: cargo xtask hint N [--more]

Shows the hints of step N you have seen so far (at least the first); with --more, the next one.
They go from a nudge to a near-answer, and each names the book's section to read.";

/// Every hint, as the workbook ships them.
const HINTS: &str = include_str!("../hints.md");

/// One hint: the book's chapter and section it comes from, and what it says.
#[derive(Debug)]
pub struct Hint {
    pub chapter: String,
    pub section: String,
    pub text: String,
}

pub fn main(root: &Path, args: &[&str]) -> Result<(), String> {
    let (number, more) = match args {
        ["--help" | "-h" | "help"] => {
            println!("{USAGE}");
            return Ok(());
        }
        [number] => (*number, false),
        [number, "--more"] | ["--more", number] => (*number, true),
        _ => return Err(format!("expected a step number\n\n{USAGE}")),
    };
    let step = crate::steps::parse_step(number)?;
    print!("{}", show(&root.join("target/hints"), step, more)?);
    Ok(())
}

/// The hints of `step` to show, keeping count of those seen in `seen_dir`.
pub fn show(seen_dir: &Path, step: &Step, more: bool) -> Result<String, String> {
    let all = parse(HINTS)?;
    let hints = &all
        .iter()
        .find(|(number, _)| *number == step.number)
        .ok_or_else(|| format!("xtask/hints.md has no hints for step {}", step.number))?
        .1;
    let count_file = seen_dir.join(step.package());
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
        text += &format!(
            "That was the last hint for step {}; here it is again.\n\n",
            step.number
        );
    }
    for (index, hint) in hints.iter().enumerate().take(last).skip(first - 1) {
        text += &format!(
            "{}, hint {} of {}\n  read: \"{}\", section \"{}\" (docs/src/{}.md)\n{}\n\n",
            step.title,
            index + 1,
            hints.len(),
            hint.chapter,
            hint.section,
            step.dir,
            wrap(&hint.text)
        );
    }
    text += &match hints.len() - last {
        0 => "That is every hint for this step: the sections they name tell the rest.\n".into(),
        1 => format!(
            "One more, the closest to the answer: cargo xtask hint {} --more\n",
            step.number
        ),
        left => format!(
            "{left} more, each closer to the answer: cargo xtask hint {} --more\n",
            step.number
        ),
    };
    Ok(text)
}

/// `text` indented, in lines of at most 80 characters.
fn wrap(text: &str) -> String {
    let mut lines = vec![String::from("   ")];
    for word in text.split_whitespace() {
        let line = lines.last_mut().expect("a line");
        if line.len() + 1 + word.len() > 80 && line.len() > 3 {
            lines.push(format!("    {word}"));
        } else {
            *line += " ";
            *line += word;
        }
    }
    lines.join("\n")
}

/// The hints of each step in `text` (the format is at the top of `xtask/hints.md`).
pub fn parse(text: &str) -> Result<Vec<(u8, Vec<Hint>)>, String> {
    let mut steps: Vec<(u8, Vec<Hint>)> = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let problem = |message: &str| format!("xtask/hints.md, line {}: {message}", index + 1);
        if let Some(number) = line.strip_prefix("## Step ") {
            let number = number
                .trim()
                .parse()
                .map_err(|_| problem("a step number"))?;
            steps.push((number, Vec::new()));
        } else if let Some(item) = line.strip_prefix("- [") {
            let hints = &mut steps
                .last_mut()
                .ok_or_else(|| problem("a hint before a step"))?
                .1;
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
            if let Some(hint) = steps.last_mut().and_then(|(_, hints)| hints.last_mut()) {
                hint.text += " ";
                hint.text += more.trim();
            }
        }
    }
    Ok(steps)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grade::sources::scratch;
    use crate::steps::STEPS;
    use crate::steps::step;

    #[test]
    fn every_step_has_hints_from_a_nudge_to_a_near_answer() {
        let steps = parse(HINTS).unwrap();
        let numbers: Vec<u8> = steps.iter().map(|(number, _)| *number).collect();
        let expected: Vec<u8> = STEPS.iter().map(|step| step.number).collect();
        assert_eq!(numbers, expected, "one `## Step N` per step, in order");
        for (number, hints) in &steps {
            assert!(hints.len() >= 3, "step {number} has {} hints", hints.len());
            for hint in hints {
                assert!(
                    hint.chapter.starts_with(&format!("Step {number}: ")),
                    "step {number}: a hint from another step's chapter: {hint:?}"
                );
            }
        }
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
        let count = parse(HINTS).unwrap()[0].1.len();
        let first = show(&seen, step, false).unwrap();
        assert!(first.starts_with(&format!(
            "Step 1: echo, hint 1 of {count}\n  read: \"Step 1: echo\", section \"On the wire\" \
             (docs/src/step1-echo.md)\n    You write three functions."
        )));
        assert!(first.ends_with(&format!(
            "{} more, each closer to the answer: cargo xtask hint 1 --more\n",
            count - 1
        )));
        let second = show(&seen, step, true).unwrap();
        assert!(second.starts_with("Step 1: echo, hint 2 of"), "{second}");
        assert!(
            !second.contains("hint 1 of"),
            "--more shows only the next one"
        );
        let again = show(&seen, step, false).unwrap();
        assert!(again.contains("hint 1 of") && again.contains("hint 2 of"));
        assert!(!again.contains("hint 3 of"));
        for _ in 2..count {
            show(&seen, step, true).unwrap();
        }
        let past_the_end = show(&seen, step, true).unwrap();
        assert!(past_the_end.starts_with("That was the last hint for step 1"));
        assert!(past_the_end.contains(&format!("hint {count} of {count}")));
        assert!(past_the_end.ends_with("the sections they name tell the rest.\n"));
        assert!(
            show(&seen, crate::steps::step(2).unwrap(), false)
                .unwrap()
                .contains("hint 1 of"),
            "each step counts on its own"
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
    }
}
