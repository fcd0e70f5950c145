//! No answer key in the export. The answer to step N is the reference code of step N's own
//! `lab:todo` and `lab:solution` regions; it may appear only in the starters of later steps,
//! which begin where step N ends. Lines are compared trimmed, with their spaces collapsed, and
//! only when long enough to be code of their own (not `}` or `Ok(())`).

use std::collections::BTreeSet;
use std::path::Path;

use super::{Files, STARTERS};
use crate::markers;
use crate::steps::Step;

/// Shorter lines are too common to tell anything.
const SHORTEST: usize = 25;

/// One line of a step's answer.
pub struct Answer {
    pub step: u8,
    /// Where it is: `solutions/src/stepN.rs:LINE`.
    pub source: String,
    pub text: String,
}

/// The lines of the answers of `steps`, read from the reference, less those that the step's
/// own starter shows too (given code is no secret).
pub fn answers(root: &Path, steps: &[&Step]) -> Result<Vec<Answer>, String> {
    let mut answers = Vec::new();
    for step in steps {
        let path = format!("solutions/src/step{}.rs", step.number);
        let reference = std::fs::read_to_string(root.join(&path))
            .map_err(|e| format!("cannot read {path}: {e}"))?;
        answers.extend(answer_lines(step.number, &path, &reference)?);
    }
    Ok(answers)
}

/// The answer lines of one reference file.
pub fn answer_lines(step: u8, path: &str, reference: &str) -> Result<Vec<Answer>, String> {
    let starter = markers::starter(reference).map_err(|e| format!("{path}: {e}"))?;
    let shown: BTreeSet<String> = starter.text.lines().map(normal).collect();
    let mut inside = false;
    let mut lines = Vec::new();
    for (index, line) in reference.lines().enumerate() {
        let trimmed = line.trim();
        if trimmed.starts_with("// lab:todo ") || trimmed == "// lab:solution" {
            inside = true;
        } else if trimmed == "// lab:end" {
            inside = false;
        } else if inside {
            let text = normal(line);
            if text.len() >= SHORTEST && !shown.contains(&text) {
                lines.push(Answer {
                    step,
                    source: format!("{path}:{}", index + 1),
                    text,
                });
            }
        }
    }
    Ok(lines)
}

/// Every problem found in `files`: an answer line outside the starters of later steps, a file
/// of the reference or the kit, a text that sends students to the reference.
pub fn problems(files: &Files, steps: &[&Step], answers: &[Answer]) -> Vec<String> {
    let mut problems = Vec::new();
    for (path, file) in files {
        if path.starts_with("solutions/") || path.starts_with("kit/") {
            problems.push(format!(
                "{path} is exported: the export must leave out solutions/ and kit/ \
                 (see `COPIED` in xtask/src/export.rs)"
            ));
        }
        let Ok(text) = std::str::from_utf8(&file.bytes) else {
            continue;
        };
        for mention in ["cargo run -p solutions", "solutions/"] {
            if let Some(line) = text.lines().position(|l| l.contains(mention)) {
                problems.push(format!(
                    "{path}:{}: mentions `{mention}`, which students do not have: reword it, or \
                     teach xtask/src/export/book.rs (the book) or export/rust.rs (code) to",
                    line + 1
                ));
            }
        }
        // The starters of these steps may hold the answers of the steps before them.
        let lab_of = steps.iter().find(|step| {
            path.starts_with(&format!("labs/{}/", step.dir))
                || path.starts_with(&format!("{STARTERS}/{}/", step.dir))
        });
        for (index, line) in text.lines().enumerate() {
            let line = normal(line);
            if line.len() < SHORTEST {
                continue;
            }
            let leaked = answers.iter().find(|answer| {
                lab_of.is_none_or(|lab| lab.number <= answer.step) && line.contains(&answer.text)
            });
            if let Some(answer) = leaked {
                problems.push(format!(
                    "{path}:{}: holds a line of step {}'s answer ({}): `{}`; only the starters \
                     of later steps may; leave the file out of the export or reword it",
                    index + 1,
                    answer.step,
                    answer.source,
                    answer.text
                ));
            }
        }
    }
    problems
}

/// A line trimmed, its runs of spaces made one.
fn normal(line: &str) -> String {
    line.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::super::File;
    use super::*;
    use crate::steps::step;

    const REFERENCE: &str = "pub fn echo() {\n    // lab:todo Step 1: echo\n    \
                             let mut buffer = [0u8; 1024]; // the answer\n    Ok(())\n    \
                             // lab:end\n}\n";

    fn files(entries: &[(&str, &str)]) -> Files {
        entries
            .iter()
            .map(|(path, text)| {
                let file = File {
                    bytes: text.as_bytes().to_vec(),
                    executable: false,
                };
                (path.to_string(), file)
            })
            .collect()
    }

    #[test]
    fn an_answer_is_found_outside_the_later_starters_only() {
        let answers = answer_lines(1, "solutions/src/step1.rs", REFERENCE).unwrap();
        let texts: Vec<&str> = answers.iter().map(|a| a.text.as_str()).collect();
        assert_eq!(texts, ["let mut buffer = [0u8; 1024]; // the answer"]);
        assert_eq!(answers[0].source, "solutions/src/step1.rs:3");

        let line = "        let mut buffer   = [0u8; 1024]; // the answer\n";
        let steps = [step(1).unwrap(), step(2).unwrap()];
        let found = problems(
            &files(&[
                ("labs/step2-time-server/src/lib.rs", line),
                ("xtask/starters/step2-time-server/src/lib.rs", line),
                ("labs/step1-echo/src/lib.rs", "todo!()\n"),
                ("xtask/hints.md", line),
                ("labs/step1-echo/notes.rs", line),
            ]),
            &steps,
            &answers,
        );
        assert_eq!(found.len(), 2, "{found:#?}");
        assert!(found[0].starts_with("labs/step1-echo/notes.rs:1: holds a line of step 1"));
        assert!(found[1].starts_with("xtask/hints.md:1: holds a line of step 1"));
    }

    #[test]
    fn the_reference_and_its_mentions_are_problems() {
        let found = problems(
            &files(&[
                ("solutions/src/step1.rs", "x\n"),
                ("docs/src/a.md", "run `cargo run -p solutions -- step1`\n"),
            ]),
            &[],
            &[],
        );
        assert_eq!(found.len(), 2, "{found:#?}");
    }

    #[test]
    fn given_code_that_the_starter_shows_is_no_answer() {
        let reference = "// lab:starter\n//| let shown = \"the very same long line\";\n\
                         // lab:solution\nlet shown = \"the very same long line\";\n// lab:end\n";
        assert!(answer_lines(1, "r.rs", reference).unwrap().is_empty());
    }
}
