//! Reading the arguments of IMAP commands (a subset of RFC 3501's formal syntax): atoms,
//! quoted strings and parenthesized lists; sequence sets; fetch items; search keys.
//!
//! Every function returns `Err(why)` for what it cannot read: the server answers `BAD why`.

/// What a command's arguments are made of.
#[derive(Debug, Clone, PartialEq)]
pub enum Token {
    /// A word without spaces, such as `INBOX`, `1:*` or `BODY.PEEK[HEADER]`.
    Atom(String),
    /// `"..."`, with `\"` and `\\` read as `"` and `\`.
    Quoted(String),
    /// `( ... )`.
    List(Vec<Token>),
}

impl Token {
    /// The text of an atom or a quoted string (RFC 3501's "astring").
    pub fn text(&self) -> Option<&str> {
        match self {
            Token::Atom(text) | Token::Quoted(text) => Some(text),
            Token::List(_) => None,
        }
    }

    /// An atom's text, upper-cased: the way keywords are compared.
    pub fn keyword(&self) -> Option<String> {
        match self {
            Token::Atom(text) => Some(text.to_ascii_uppercase()),
            _ => None,
        }
    }
}

pub type Syntax<T> = Result<T, String>;

/// The tokens of `text`, the part of a command line after the command's name.
pub fn tokens(text: &str) -> Syntax<Vec<Token>> {
    let mut open: Vec<Vec<Token>> = vec![Vec::new()];
    let mut chars = text.chars().peekable();
    while let Some(&c) = chars.peek() {
        match c {
            ' ' => {
                chars.next();
            }
            '(' => {
                chars.next();
                open.push(Vec::new());
            }
            ')' => {
                chars.next();
                let list = open.pop().unwrap_or_default();
                let Some(outer) = open.last_mut() else {
                    return Err("a ) closes nothing".into());
                };
                outer.push(Token::List(list));
            }
            '"' => {
                chars.next();
                let mut quoted = String::new();
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(escaped @ ('"' | '\\')) => quoted.push(escaped),
                            _ => return Err("in a quoted string, \\ escapes only \" and \\".into()),
                        },
                        Some(c) => quoted.push(c),
                        None => return Err("a quoted string is not closed".into()),
                    }
                }
                push(&mut open, Token::Quoted(quoted));
            }
            '{' => {
                return Err("this server reads no literals from clients: \
                            send the string quoted instead"
                    .into());
            }
            c if c.is_control() => return Err("a control character in the command".into()),
            _ => {
                let mut atom = String::new();
                let mut in_brackets = false;
                while let Some(&c) = chars.peek() {
                    let ends = !in_brackets && matches!(c, ' ' | '(' | ')' | '"' | '{');
                    if ends || c.is_control() {
                        break;
                    }
                    in_brackets = match c {
                        '[' => true,
                        ']' => false,
                        _ => in_brackets,
                    };
                    atom.push(c);
                    chars.next();
                }
                push(&mut open, Token::Atom(atom));
            }
        }
    }
    match <[Vec<Token>; 1]>::try_from(open) {
        Ok([tokens]) => Ok(tokens),
        Err(_) => Err("a ( is not closed".into()),
    }
}

fn push(open: &mut [Vec<Token>], token: Token) {
    if let Some(innermost) = open.last_mut() {
        innermost.push(token);
    }
}

/// One end of a range in a sequence set: a number, or `*`, the largest in use.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Bound {
    Number(u32),
    Largest,
}

/// `1`, `1:2`, `2:*`, `1,3:4`: message numbers, or UIDs after `UID`.
#[derive(Debug, Clone, PartialEq)]
pub struct SequenceSet(Vec<(Bound, Bound)>);

impl SequenceSet {
    pub fn parse(text: &str) -> Syntax<SequenceSet> {
        let bad = || format!("{text:?} is not a sequence set such as 1, 1:2, 1:* or 1,3");
        let bound = |part: &str| match part {
            "*" => Ok(Bound::Largest),
            _ => match part.parse::<u32>() {
                Ok(n) if n > 0 && part.bytes().all(|b| b.is_ascii_digit()) => Ok(Bound::Number(n)),
                _ => Err(bad()),
            },
        };
        let mut ranges = Vec::new();
        for range in text.split(',') {
            let (first, last) = range.split_once(':').unwrap_or((range, range));
            ranges.push((bound(first)?, bound(last)?));
        }
        Ok(SequenceSet(ranges))
    }

    /// Whether `n` is in the set, when `*` stands for `largest`.
    pub fn contains(&self, n: u32, largest: u32) -> bool {
        let value = |bound| match bound {
            Bound::Number(n) => n,
            Bound::Largest => largest,
        };
        self.0.iter().any(|&(a, b)| {
            let (a, b) = (value(a), value(b));
            a.min(b) <= n && n <= a.max(b)
        })
    }

    /// The largest number the set names outright (`*` aside).
    pub fn largest_named(&self) -> u32 {
        let named = |bound| match bound {
            Bound::Number(n) => n,
            Bound::Largest => 0,
        };
        self.0
            .iter()
            .map(|&(a, b)| named(a).max(named(b)))
            .max()
            .unwrap_or(0)
    }
}

/// Which part of a message a body fetch sends.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Part {
    /// `BODY[]`: the whole message.
    Whole,
    /// `BODY[HEADER]`: the header lines and the blank line after them.
    Header,
    /// `BODY[TEXT]`: what follows the blank line.
    Text,
}

/// What FETCH may ask for about a message.
#[derive(Debug, Clone, PartialEq)]
pub enum FetchItem {
    Flags,
    Uid,
    Size,
    /// A part of the message, sent as a literal under `name`. Unless `peek`, fetching it
    /// sets `\Seen`.
    Body {
        part: Part,
        peek: bool,
        name: String,
    },
}

/// The items of FETCH: one, or a parenthesized list.
pub fn fetch_items(token: &Token) -> Syntax<Vec<FetchItem>> {
    let items = match token {
        Token::List(items) if !items.is_empty() => items.as_slice(),
        Token::List(_) => return Err("FETCH needs at least one item".into()),
        single => std::slice::from_ref(single),
    };
    items.iter().map(fetch_item).collect()
}

fn fetch_item(token: &Token) -> Syntax<FetchItem> {
    let Some(name) = token.keyword() else {
        return Err("a FETCH item is a word such as FLAGS or BODY[TEXT]".into());
    };
    let body = |part, peek, name: &str| FetchItem::Body {
        part,
        peek,
        name: name.into(),
    };
    let item = match name.as_str() {
        "FLAGS" => FetchItem::Flags,
        "UID" => FetchItem::Uid,
        "RFC822.SIZE" => FetchItem::Size,
        "RFC822" => body(Part::Whole, false, "RFC822"),
        "RFC822.HEADER" => body(Part::Header, true, "RFC822.HEADER"),
        "RFC822.TEXT" => body(Part::Text, false, "RFC822.TEXT"),
        _ => {
            let (peek, section) = if let Some(section) = name.strip_prefix("BODY.PEEK[") {
                (true, section)
            } else if let Some(section) = name.strip_prefix("BODY[") {
                (false, section)
            } else {
                return Err(format!(
                    "FETCH {name} is not known here: ask for FLAGS, UID, RFC822.SIZE, \
                     BODY[], BODY[HEADER] or BODY[TEXT] (or BODY.PEEK[...])"
                ));
            };
            let part = match section {
                "]" => Part::Whole,
                "HEADER]" => Part::Header,
                "TEXT]" => Part::Text,
                _ => return Err(format!("the section of {name} is not known here")),
            };
            let shown = &section[..section.len() - 1];
            body(part, peek, &format!("BODY[{shown}]"))
        }
    };
    Ok(item)
}

/// A search criterion; a message matches a list of them if it matches each.
#[derive(Debug, Clone, PartialEq)]
pub enum SearchKey {
    All,
    Seen(bool),
    Deleted(bool),
    /// The header field's value contains the text, in any case.
    Header {
        field: String,
        text: String,
    },
    /// The body (the text after the header) contains the text, in any case.
    Body(String),
    /// The header or the body contains the text.
    Text(String),
    Numbers(SequenceSet),
    Uids(SequenceSet),
    Not(Box<SearchKey>),
    Or(Box<SearchKey>, Box<SearchKey>),
    And(Vec<SearchKey>),
}

/// The criteria of SEARCH (after any `CHARSET`), all of which must match.
pub fn search_keys(tokens: &[Token]) -> Syntax<SearchKey> {
    if tokens.is_empty() {
        return Err("SEARCH needs a criterion, such as ALL or FROM \"alice\"".into());
    }
    let mut rest = tokens;
    let mut keys = Vec::new();
    while !rest.is_empty() {
        keys.push(search_key(&mut rest)?);
    }
    Ok(SearchKey::And(keys))
}

fn search_key(rest: &mut &[Token]) -> Syntax<SearchKey> {
    let (first, after) = rest.split_first().ok_or("a search criterion is missing")?;
    *rest = after;
    let keyword = match first {
        Token::List(inner) => return search_keys(inner),
        Token::Quoted(_) => return Err("a search criterion starts with a word".into()),
        Token::Atom(atom) => atom.to_ascii_uppercase(),
    };
    let mut text = |what: &str| -> Syntax<String> {
        let (value, after) = rest
            .split_first()
            .ok_or_else(|| format!("{what} needs a string after it"))?;
        *rest = after;
        value
            .text()
            .map(str::to_string)
            .ok_or_else(|| format!("{what} needs a string after it"))
    };
    let key = match keyword.as_str() {
        "ALL" => SearchKey::All,
        "SEEN" => SearchKey::Seen(true),
        "UNSEEN" => SearchKey::Seen(false),
        "DELETED" => SearchKey::Deleted(true),
        "UNDELETED" => SearchKey::Deleted(false),
        "FROM" | "TO" | "CC" | "SUBJECT" => SearchKey::Header {
            text: text(&keyword)?,
            field: keyword,
        },
        "HEADER" => SearchKey::Header {
            field: text("HEADER")?.to_ascii_uppercase(),
            text: text("HEADER FIELD")?,
        },
        "BODY" => SearchKey::Body(text("BODY")?),
        "TEXT" => SearchKey::Text(text("TEXT")?),
        "UID" => SearchKey::Uids(SequenceSet::parse(&text("UID")?)?),
        "NOT" => SearchKey::Not(Box::new(search_key(rest)?)),
        "OR" => {
            let either = search_key(rest)?;
            SearchKey::Or(Box::new(either), Box::new(search_key(rest)?))
        }
        _ if keyword.starts_with(|c: char| c.is_ascii_digit() || c == '*') => {
            SearchKey::Numbers(SequenceSet::parse(&keyword)?)
        }
        _ => return Err(format!("the search criterion {keyword} is not known here")),
    };
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn atom(text: &str) -> Token {
        Token::Atom(text.into())
    }

    #[test]
    fn atoms_strings_and_lists_are_read() {
        assert_eq!(
            tokens(r#"bob "red \"queen\"" (FLAGS BODY.PEEK[HEADER]) ()"#),
            Ok(vec![
                atom("bob"),
                Token::Quoted("red \"queen\"".into()),
                Token::List(vec![atom("FLAGS"), atom("BODY.PEEK[HEADER]")]),
                Token::List(vec![]),
            ])
        );
        assert_eq!(tokens(""), Ok(vec![]));
        for bad in ["(FLAGS", "FLAGS)", "\"open", "{5}", "\"a\\b\"", "a\u{1b}b"] {
            assert!(tokens(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn sequence_sets_name_numbers_ranges_and_the_largest() {
        let set = SequenceSet::parse("1,3:*").unwrap();
        let picked: Vec<u32> = (1..=5).filter(|&n| set.contains(n, 5)).collect();
        assert_eq!(picked, [1, 3, 4, 5]);
        assert!(SequenceSet::parse("2:1").unwrap().contains(1, 2));
        assert_eq!(SequenceSet::parse("1:*").unwrap().largest_named(), 1);
        for bad in ["", "0", "1:", "a", "1,,2", "+1"] {
            assert!(SequenceSet::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn fetch_items_know_their_part_and_whether_they_peek() {
        let items = fetch_items(&tokens("(flags body.peek[header] BODY[])").unwrap()[0]).unwrap();
        assert_eq!(
            items,
            [
                FetchItem::Flags,
                FetchItem::Body {
                    part: Part::Header,
                    peek: true,
                    name: "BODY[HEADER]".into()
                },
                FetchItem::Body {
                    part: Part::Whole,
                    peek: false,
                    name: "BODY[]".into()
                },
            ]
        );
        for bad in ["ENVELOPE", "BODY[1]", "BODY[TEXT]<0.10>", "()", "\"FLAGS\""] {
            let token = &tokens(bad).unwrap()[0];
            assert!(fetch_items(token).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn search_keys_combine() {
        let keys = search_keys(&tokens(r#"(FROM "alice") OR SEEN NOT DELETED 1:2"#).unwrap());
        assert_eq!(
            keys,
            Ok(SearchKey::And(vec![
                SearchKey::And(vec![SearchKey::Header {
                    field: "FROM".into(),
                    text: "alice".into()
                }]),
                SearchKey::Or(
                    Box::new(SearchKey::Seen(true)),
                    Box::new(SearchKey::Not(Box::new(SearchKey::Deleted(true))))
                ),
                SearchKey::Numbers(SequenceSet::parse("1:2").unwrap()),
            ]))
        );
        for bad in ["", "FROM", "OR SEEN", "FLAGGED", "\"ALL\""] {
            assert!(search_keys(&tokens(bad).unwrap()).is_err(), "{bad:?}");
        }
    }
}
