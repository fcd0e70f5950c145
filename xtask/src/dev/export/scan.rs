//! No answer key in the export. The answer to step N is the reference code of step N's own
//! `lab:todo`, `lab:solution` and `lab:omit` regions; it may appear only in the starters of later steps,
//! which begin where step N ends. Lines are compared trimmed, with their spaces collapsed, and
//! only when long enough to be code of their own (not `}` or `Ok(())`). Comments and `use`
//! lines are no answer, nor is a line that step N's own lab shows (its starter, its given
//! code), nor one of `shown.txt`: lines that the book or the suites show on purpose, or too
//! common to tell anything, each looked at by a maintainer.

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

/// Lines shown on purpose, one a line (`#` starts a comment).
const SHOWN: &str = include_str!("shown.txt");

/// The lines of the answers of `steps`, read from the reference, less those that the step's
/// own lab shows too (its starter and given code: `lab`, its files' texts) and [`SHOWN`].
pub fn answers(root: &Path, steps: &[&Step], files: &Files) -> Result<Vec<Answer>, String> {
    let mut answers = Vec::new();
    for step in steps {
        let path = format!("solutions/src/step{}.rs", step.number);
        let reference = std::fs::read_to_string(root.join(&path))
            .map_err(|e| format!("cannot read {path}: {e}"))?;
        let lab: String = files
            .iter()
            .filter(|(p, _)| p.starts_with(&format!("labs/{}/", step.dir)))
            .map(|(_, file)| String::from_utf8_lossy(&file.bytes).into_owned())
            .collect();
        answers.extend(answer_lines(step.number, &path, &reference, &lab)?);
    }
    Ok(answers)
}

/// The answer lines of one reference file, less those that `lab` (its lab's files) shows.
pub fn answer_lines(
    step: u8,
    path: &str,
    reference: &str,
    lab: &str,
) -> Result<Vec<Answer>, String> {
    markers::starter(reference).map_err(|e| format!("{path}: {e}"))?;
    let lab: Vec<String> = lab.lines().map(normal).collect();
    let shown: BTreeSet<String> = SHOWN
        .lines()
        .filter(|line| !line.starts_with('#'))
        .map(normal)
        .collect();
    let no_answer = |text: &str| {
        text.starts_with("//")
            || text.starts_with("use ")
            || shown.contains(text)
            || lab.iter().any(|line| line.contains(text))
    };
    let mut lines = Vec::new();
    for (number, line) in crate::markers::answer_lines(reference) {
        let text = normal(line);
        if text.len() >= SHORTEST && !no_answer(&text) {
            lines.push(Answer {
                step,
                source: format!("{path}:{number}"),
                text,
            });
        }
    }
    Ok(lines)
}

/// Every problem found in `files`: an answer line outside the starters of later steps, a file
/// of the reference or the protocol tools, a text that sends students to the reference.
pub fn problems(files: &Files, steps: &[&Step], answers: &[Answer]) -> Vec<String> {
    let mut problems = Vec::new();
    for (path, file) in files {
        if path.starts_with("solutions/") || path.starts_with("protocol-tools/") {
            problems.push(format!(
                "{path} is exported: the export must leave out solutions/ and protocol-tools/ \
                 (see `COPIED` in xtask/src/dev/export.rs)"
            ));
        }
        let Ok(text) = std::str::from_utf8(&file.bytes) else {
            continue;
        };
        for mention in ["cargo run -p solutions", "solutions/"] {
            if let Some(line) = text.lines().position(|l| l.contains(mention)) {
                problems.push(format!(
                    "{path}:{}: mentions `{mention}`, which students do not have: reword it, or \
                     teach xtask/src/dev/export/book.rs (the book) or export/rust.rs (code) to",
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
                     of later steps may: leave the file out of the export, reword it, or if it \
                     is shown on purpose add the line to xtask/src/dev/export/shown.txt",
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
        let answers = answer_lines(1, "solutions/src/step1.rs", REFERENCE, "").unwrap();
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
    fn the_export_of_every_step_holds_no_answer() {
        let root = crate::workspace_root();
        let steps: Vec<&Step> = crate::steps::STEPS.iter().collect();
        let files = super::super::plan(&root, steps.len() as u8).unwrap();
        let answers = answers(&root, &steps, &files).unwrap();
        assert!(
            answers.len() > 100,
            "the answers are read: {}",
            answers.len()
        );
        let found = problems(&files, &steps, &answers);
        assert!(found.is_empty(), "{}", found.join("\n"));
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
    fn what_the_lab_shows_comments_and_imports_are_no_answer() {
        let reference = "// lab:todo Step 1: x\nlet shown = \"the very same long line\";\n\
                         // a comment long enough to count\nuse std::os::unix::fs::PermissionsExt;\n\
                         // lab:end\n";
        let lab = "/// `let shown = \"the very same long line\";`\n";
        assert!(answer_lines(1, "r.rs", reference, lab).unwrap().is_empty());
        assert_eq!(answer_lines(1, "r.rs", reference, "").unwrap().len(), 1);
    }
}
