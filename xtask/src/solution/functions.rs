//! Finding the functions of a Rust file by its braces, for `solution`: the reference's and the
//! student's, whatever their layout.

/// A function of a Rust file: its name, its lines (from the `fn` to its closing `}`), and how
/// many functions hold it.
#[derive(Debug, PartialEq)]
pub struct Function {
    pub name: String,
    pub lines: std::ops::RangeInclusive<usize>,
    pub depth: usize,
}

/// Every function with a body in `source`, found by its braces with the comments, strings and
/// character literals skipped: a student's file need not be laid out as rustfmt would.
pub fn functions(source: &str) -> Vec<Function> {
    let chars: Vec<char> = source.chars().collect();
    let mut found = Vec::new();
    // The functions whose body is open: name, first line, and the brace depth of the body.
    let mut open: Vec<(String, usize, usize)> = Vec::new();
    // A `fn NAME` whose body has not started: name, line, and the bracket depth at the name.
    let mut pending: Option<(String, usize, usize)> = None;
    let (mut line, mut braces, mut brackets) = (1, 0_usize, 0_usize);
    let mut at = 0;
    let next_is = |at: usize, text: &str| {
        text.chars()
            .enumerate()
            .all(|(i, c)| chars.get(at + i) == Some(&c))
    };
    while at < chars.len() {
        let c = chars[at];
        if c == '\n' {
            line += 1;
            at += 1;
        } else if next_is(at, "//") {
            while at < chars.len() && chars[at] != '\n' {
                at += 1;
            }
        } else if next_is(at, "/*") {
            let mut nested = 0;
            while at < chars.len() {
                if next_is(at, "/*") {
                    nested += 1;
                    at += 2;
                } else if next_is(at, "*/") {
                    nested -= 1;
                    at += 2;
                    if nested == 0 {
                        break;
                    }
                } else {
                    line += usize::from(chars[at] == '\n');
                    at += 1;
                }
            }
        } else if c == '"' {
            at = skip_string(&chars, at + 1, None, &mut line);
        } else if c == '\'' {
            // A character literal, or a lifetime (`'a`), which has no closing quote.
            if chars.get(at + 1) == Some(&'\\') {
                // Past the backslash and the character it escapes, then to the closing quote.
                at += 3;
                while at < chars.len() && chars[at] != '\'' {
                    at += 1;
                }
                at += 1;
            } else if chars.get(at + 2) == Some(&'\'') {
                at += 3;
            } else {
                at += 1;
            }
        } else if c.is_alphabetic() || c == '_' {
            let start = at;
            while at < chars.len() && (chars[at].is_alphanumeric() || chars[at] == '_') {
                at += 1;
            }
            let word: String = chars[start..at].iter().collect();
            // A raw string: `r"..."`, `r#"..."#`, `br"..."`.
            if (word == "r" || word == "br") && matches!(chars.get(at), Some('"' | '#')) {
                let hashes = chars[at..].iter().take_while(|&&c| c == '#').count();
                if chars.get(at + hashes) == Some(&'"') {
                    at = skip_string(&chars, at + hashes + 1, Some(hashes), &mut line);
                }
            } else if word == "fn" {
                let mut name_at = at;
                while chars.get(name_at).is_some_and(|c| c.is_whitespace()) {
                    name_at += 1;
                }
                let name: String = chars[name_at..]
                    .iter()
                    .take_while(|c| c.is_alphanumeric() || **c == '_')
                    .collect();
                // `fn(u8) -> u8`, a pointer's type, has no name.
                if !name.is_empty() {
                    pending = Some((name, line, brackets));
                }
            }
        } else {
            match c {
                '(' | '[' => brackets += 1,
                // (Saturating: a file that does not compile may close more than it opens.)
                ')' | ']' => brackets = brackets.saturating_sub(1),
                ';' if pending.as_ref().is_some_and(|p| p.2 == brackets) => pending = None,
                '{' => {
                    if let Some((name, first, _)) = pending.take() {
                        open.push((name, first, braces));
                    }
                    braces += 1;
                }
                '}' => {
                    braces = braces.saturating_sub(1);
                    if open.last().is_some_and(|f| f.2 == braces) {
                        let (name, first, _) = open.pop().expect("an open function");
                        found.push(Function {
                            name,
                            lines: first..=line,
                            depth: open.len(),
                        });
                    }
                }
                _ => {}
            }
            at += 1;
        }
    }
    found.sort_by_key(|f| *f.lines.start());
    found
}

/// Past the end of a string whose text starts at `at`: a `"` not escaped by a backslash, or
/// for a raw string with `raw` hashes, a `"` followed by as many `#`s. Counts the lines it holds.
fn skip_string(chars: &[char], mut at: usize, raw: Option<usize>, line: &mut usize) -> usize {
    let hashes = raw.unwrap_or(0);
    let closes = |at: usize| (1..=hashes).all(|i| chars.get(at + i) == Some(&'#'));
    while at < chars.len() {
        match chars[at] {
            '\\' if raw.is_none() => {
                *line += usize::from(chars.get(at + 1) == Some(&'\n'));
                at += 2;
            }
            '"' if closes(at) => return at + 1 + hashes,
            c => {
                *line += usize::from(c == '\n');
                at += 1;
            }
        }
    }
    at
}
