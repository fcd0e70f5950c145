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
//! [`answer_lines`] gives to the checks that no hint and no published file shows it.

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
    let mut inside = false;
    let mut lines = Vec::new();
    for (index, line) in reference.lines().enumerate() {
        let trimmed = line.trim();
        if trimmed.starts_with("// lab:todo ")
            || trimmed == "// lab:solution"
            || trimmed == "// lab:omit"
        {
            inside = true;
        } else if trimmed == "// lab:end" {
            inside = false;
        } else if inside {
            lines.push((index + 1, line));
        }
    }
    lines
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
