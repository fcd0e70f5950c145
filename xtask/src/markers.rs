//! Turning a reference step into a lab's starter.
//!
//! The reference marks the code a student writes:
//!
//! ```text
//! // lab:todo Step 4: the bytes of ... (docs "Step 4: ..." › "Section")
//! ...reference code...
//! // lab:end
//! ```
//! becomes `todo!("Step 4: ...")` at the marker's indentation, and
//!
//! ```text
//! // lab:starter
//! //| code the starter has instead
//! // lab:solution
//! ...reference code...
//! // lab:end
//! ```
//! becomes the `//|` lines, uncommented: the earlier step's behaviour that the student changes.
//! And
//!
//! ```text
//! // lab:omit
//! ...reference code...
//! // lab:end
//! ```
//! is left out of the lab altogether: code that only a task beyond the step needs (a bonus).
//!
//! The code inside `lab:todo`, `lab:solution` and `lab:omit` regions is the answer, which
//! [`answer_lines`] gives to the checks that no hint and no published file shows it, and
//! [`regions`] to `cargo xtask solution`, which shows it once a step passes.

use std::fmt;

/// A marker that does not fit the grammar above, with its 1-based line number.
#[derive(Debug, PartialEq)]
pub struct MarkerError {
    pub line: usize,
    pub message: String,
}

impl fmt::Display for MarkerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

/// The starter made from `reference`, and whether it contains `todo!()` stubs.
pub struct Starter {
    pub text: String,
    pub has_stubs: bool,
}

enum State {
    Reference,
    Todo { line: usize },
    Omit { line: usize },
    Starter { line: usize },
    Solution { line: usize },
}

pub fn starter(reference: &str) -> Result<Starter, MarkerError> {
    let mut text = String::new();
    let mut has_stubs = false;
    let mut state = State::Reference;
    let error = |line: usize, message: &str| MarkerError {
        line,
        message: message.to_string(),
    };
    for (index, raw) in reference.lines().enumerate() {
        let line = index + 1;
        let trimmed = raw.trim_start();
        let indent = &raw[..raw.len() - trimmed.len()];
        state = match (state, trimmed) {
            (State::Reference, _) if trimmed.starts_with("// lab:todo ") => {
                text += &stub(indent, trimmed["// lab:todo ".len()..].trim());
                has_stubs = true;
                State::Todo { line }
            }
            (State::Reference, "// lab:starter") => State::Starter { line },
            (State::Reference, "// lab:omit") => State::Omit { line },
            (State::Reference, _) if trimmed.starts_with("// lab:") => {
                return Err(error(line, &format!("unexpected marker {trimmed:?}")));
            }
            (State::Reference, _) => {
                text += raw;
                text += "\n";
                State::Reference
            }
            (State::Todo { .. } | State::Solution { .. } | State::Omit { .. }, "// lab:end") => {
                State::Reference
            }
            (State::Starter { line: start }, "// lab:solution") => State::Solution { line: start },
            (State::Starter { line: start }, _)
                if trimmed == "//|" || trimmed.starts_with("//| ") =>
            {
                let code = trimmed.strip_prefix("//|").unwrap_or_default();
                let code = code.strip_prefix(' ').unwrap_or(code);
                if code.is_empty() {
                    text += "\n";
                } else {
                    text += &format!("{indent}{code}\n");
                }
                State::Starter { line: start }
            }
            (State::Starter { .. }, _) => {
                return Err(error(
                    line,
                    "inside lab:starter every line starts with `//|`",
                ));
            }
            (state @ (State::Todo { .. } | State::Solution { .. } | State::Omit { .. }), _) => {
                if trimmed.starts_with("// lab:") {
                    return Err(error(line, &format!("unexpected marker {trimmed:?}")));
                }
                state
            }
        };
    }
    match state {
        State::Reference => Ok(Starter { text, has_stubs }),
        State::Todo { line }
        | State::Starter { line }
        | State::Solution { line }
        | State::Omit { line } => Err(error(line, "this marker has no `// lab:end`")),
    }
}

/// The lines of `reference` that are the answer: inside `lab:todo`, `lab:solution` and
/// `lab:omit` regions, with their 1-based line numbers.
pub fn answer_lines(reference: &str) -> Vec<(usize, &str)> {
    let lines: Vec<&str> = reference.lines().collect();
    regions(reference)
        .into_iter()
        .flat_map(|region| region.answer)
        .map(|number| (number, lines[number - 1]))
        .collect()
}

/// What a region of the reference is.
#[derive(Debug, PartialEq)]
pub enum Kind<'a> {
    /// `lab:todo MESSAGE`: the student writes it from a `todo!(MESSAGE)`.
    Todo(&'a str),
    /// `lab:starter` ... `lab:solution`: the student changes the starter's code into it.
    Solution,
    /// `lab:omit`: left out of the lab.
    Omit,
}

/// One marked region of the reference, by its 1-based line numbers.
#[derive(Debug, PartialEq)]
pub struct Region<'a> {
    pub kind: Kind<'a>,
    /// The line of the marker that opens it (`lab:todo`, `lab:starter` or `lab:omit`).
    pub start: usize,
    /// The line of its `lab:end`.
    pub end: usize,
    /// The lines of the answer: after `lab:todo`, `lab:solution` or `lab:omit`, before
    /// `lab:end` (the `//|` lines of a starter are not the answer).
    pub answer: std::ops::Range<usize>,
}

/// The regions of `reference`, in order. It reads the grammar leniently ([`starter`] is the
/// one that refuses a broken marker): a region left open ends where the next one starts, or
/// at the end of the text.
pub fn regions(reference: &str) -> Vec<Region<'_>> {
    let mut regions = Vec::new();
    // The region being read, and where its answer starts (none yet in a starter's lines).
    let mut open: Option<(Kind, usize, Option<usize>)> = None;
    let mut last = 0;
    for (index, line) in reference.lines().enumerate() {
        let number = index + 1;
        last = number;
        let trimmed = line.trim();
        let opening = match trimmed {
            "// lab:omit" => Some((Kind::Omit, Some(number + 1))),
            "// lab:starter" => Some((Kind::Solution, None)),
            "// lab:solution" => match &mut open {
                Some((Kind::Solution, _, answer_from @ None)) => {
                    *answer_from = Some(number + 1);
                    None
                }
                _ => Some((Kind::Solution, Some(number + 1))),
            },
            "// lab:end" => {
                regions.extend(open.take().map(|region| close(region, number)));
                None
            }
            _ => trimmed
                .strip_prefix("// lab:todo ")
                .map(|message| (Kind::Todo(message.trim()), Some(number + 1))),
        };
        if let Some((kind, answer_from)) = opening {
            regions.extend(open.take().map(|region| close(region, number)));
            open = Some((kind, number, answer_from));
        }
    }
    regions.extend(open.take().map(|region| close(region, last + 1)));
    regions
}

/// The region `open` (its kind, first line, and where its answer starts), closed at line `end`.
fn close(open: (Kind<'_>, usize, Option<usize>), end: usize) -> Region<'_> {
    let (kind, start, answer_from) = open;
    let from = answer_from.unwrap_or(end);
    Region {
        kind,
        start,
        end,
        answer: from..end.max(from),
    }
}

/// `todo!("message")`, laid out as rustfmt would: on three lines when one would be too long.
/// rustfmt counts characters, not bytes (a message's `›` is one column, three bytes).
fn stub(indent: &str, message: &str) -> String {
    let one_line = format!("{indent}todo!({message:?})");
    if one_line.chars().count() <= RUSTFMT_MAX_WIDTH {
        one_line + "\n"
    } else {
        format!("{indent}todo!(\n{indent}    {message:?}\n{indent})\n")
    }
}

const RUSTFMT_MAX_WIDTH: usize = 100;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_omitted_region_is_left_out_and_is_part_of_the_answer() {
        let reference = "fn f() {}\n// lab:omit\nfn bonus() {}\n// lab:end\nfn g() {}\n";
        assert_eq!(starter(reference).unwrap().text, "fn f() {}\nfn g() {}\n");
        assert_eq!(answer_lines(reference), [(3, "fn bonus() {}")]);
    }

    #[test]
    fn regions_are_read_with_their_answer_lines() {
        let reference = "fn f() {\n    // lab:todo Step 9: x\n    1\n    // lab:end\n}\n\
                         // lab:starter\n//| old();\n// lab:solution\nnew();\n// lab:end\n";
        assert_eq!(
            regions(reference),
            [
                Region {
                    kind: Kind::Todo("Step 9: x"),
                    start: 2,
                    end: 4,
                    answer: 3..4,
                },
                Region {
                    kind: Kind::Solution,
                    start: 6,
                    end: 10,
                    answer: 9..10,
                },
            ]
        );
        assert_eq!(answer_lines(reference), [(3, "    1"), (9, "new();")]);
        let unclosed = regions("// lab:omit\na\nb\n");
        assert_eq!(unclosed[0].answer, 2..4, "to the end of the text");
    }

    #[test]
    fn a_todo_region_becomes_a_stub_at_its_indentation() {
        let reference =
            "fn f() -> u8 {\n    // lab:todo Step 9: return 1\n    1\n    // lab:end\n}\n";
        let starter = starter(reference).unwrap();
        assert_eq!(
            starter.text,
            "fn f() -> u8 {\n    todo!(\"Step 9: return 1\")\n}\n"
        );
        assert!(starter.has_stubs);
    }

    #[test]
    fn a_long_stub_is_laid_out_as_rustfmt_would() {
        let message = "x".repeat(100);
        let text = starter(&format!("    // lab:todo {message}\n    // lab:end\n"))
            .unwrap()
            .text;
        assert_eq!(text, format!("    todo!(\n        \"{message}\"\n    )\n"));
        // 100 columns, but more bytes: one line still.
        let message = format!("{} › x", "x".repeat(83));
        let text = starter(&format!("    // lab:todo {message}\n    // lab:end\n"))
            .unwrap()
            .text;
        assert_eq!(text, format!("    todo!(\"{message}\")\n"));
    }

    #[test]
    fn a_starter_region_becomes_its_uncommented_lines() {
        let reference = "  // lab:starter\n  //| old();\n  //|\n  //|     // nested\n  // lab:solution\n  new();\n  // lab:end\n";
        let starter = starter(reference).unwrap();
        assert_eq!(starter.text, "  old();\n\n      // nested\n");
        assert!(!starter.has_stubs);
    }

    #[test]
    fn an_empty_starter_region_leaves_the_code_out() {
        let reference = "a\n// lab:starter\n// lab:solution\nfn helper() {}\n// lab:end\nb\n";
        assert_eq!(starter(reference).unwrap().text, "a\nb\n");
    }

    #[test]
    fn text_without_markers_is_unchanged() {
        assert_eq!(starter("x\n  y\n").unwrap().text, "x\n  y\n");
    }

    #[test]
    fn broken_markers_are_named_with_their_line() {
        let unclosed = starter("a\n// lab:todo Step 1: x\nb\n").err().unwrap();
        assert_eq!(
            unclosed,
            MarkerError {
                line: 2,
                message: "this marker has no `// lab:end`".into()
            }
        );
        let stray = starter("// lab:end\n").err().unwrap();
        assert_eq!(stray.line, 1);
        let uncommented = starter("// lab:starter\ncode\n// lab:solution\n// lab:end\n")
            .err()
            .unwrap();
        assert_eq!(uncommented.line, 2);
        let nested = starter("// lab:todo x\n// lab:todo y\n// lab:end\n")
            .err()
            .unwrap();
        assert_eq!(nested.line, 2);
    }
}
