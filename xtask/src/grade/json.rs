//! JSON for the grade's files: a value, and its text, two spaces an indentation level, with an
//! object or list of plain values kept on one line. Small on purpose: the grade writes JSON and
//! never reads it, and students build this (no serde on their path).

pub enum Json {
    Null,
    Bool(bool),
    /// A number as its text, which the caller formats.
    Number(String),
    Text(String),
    List(Vec<Json>),
    /// Fields in the order given.
    Object(Vec<(&'static str, Json)>),
}

impl Json {
    pub fn text(text: &str) -> Json {
        Json::Text(text.to_string())
    }

    /// `value`, or null.
    pub fn optional<T>(value: Option<T>, make: impl FnOnce(T) -> Json) -> Json {
        value.map_or(Json::Null, make)
    }

    /// The value's text, with a line break at the end.
    pub fn render(&self) -> String {
        let mut out = String::new();
        self.write(&mut out, 0);
        out + "\n"
    }

    fn write(&self, out: &mut String, depth: usize) {
        match self {
            Json::Null => out.push_str("null"),
            Json::Bool(value) => out.push_str(if *value { "true" } else { "false" }),
            Json::Number(text) => out.push_str(text),
            Json::Text(text) => quote(text, out),
            Json::List(items) if items.is_empty() => out.push_str("[]"),
            Json::Object(fields) if fields.is_empty() => out.push_str("{}"),
            Json::List(items) if items.iter().all(Json::is_plain) => {
                out.push('[');
                for (index, item) in items.iter().enumerate() {
                    if index > 0 {
                        out.push_str(", ");
                    }
                    item.write(out, depth);
                }
                out.push(']');
            }
            Json::List(items) => {
                out.push('[');
                for (index, item) in items.iter().enumerate() {
                    out.push_str(if index > 0 { ",\n" } else { "\n" });
                    indent(out, depth + 1);
                    item.write(out, depth + 1);
                }
                out.push('\n');
                indent(out, depth);
                out.push(']');
            }
            Json::Object(fields) if fields.iter().all(|(_, value)| value.is_plain()) => {
                out.push('{');
                for (index, (name, value)) in fields.iter().enumerate() {
                    if index > 0 {
                        out.push_str(", ");
                    }
                    quote(name, out);
                    out.push_str(": ");
                    value.write(out, depth);
                }
                out.push('}');
            }
            Json::Object(fields) => {
                out.push('{');
                for (index, (name, value)) in fields.iter().enumerate() {
                    out.push_str(if index > 0 { ",\n" } else { "\n" });
                    indent(out, depth + 1);
                    quote(name, out);
                    out.push_str(": ");
                    value.write(out, depth + 1);
                }
                out.push('\n');
                indent(out, depth);
                out.push('}');
            }
        }
    }

    /// Neither a list nor an object with something in it: what fits on one line.
    fn is_plain(&self) -> bool {
        match self {
            Json::List(items) => items
                .iter()
                .all(|item| !matches!(item, Json::List(_) | Json::Object(_))),
            Json::Object(_) => false,
            _ => true,
        }
    }
}

fn indent(out: &mut String, depth: usize) {
    out.push_str(&"  ".repeat(depth));
}

/// `text` as a JSON string.
fn quote(text: &str, out: &mut String) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_written_as_json() {
        let value = Json::Object(vec![
            ("name", Json::text("a \"b\"\n\u{1}")),
            ("none", Json::Null),
            (
                "list",
                Json::List(vec![Json::Number("1".into()), Json::Bool(true)]),
            ),
            (
                "rows",
                Json::List(vec![Json::Object(vec![("x", Json::Number("2.5".into()))])]),
            ),
            ("empty", Json::List(Vec::new())),
        ]);
        assert_eq!(
            value.render(),
            "{\n  \"name\": \"a \\\"b\\\"\\n\\u0001\",\n  \"none\": null,\n  \"list\": [1, true],\n  \
             \"rows\": [\n    {\"x\": 2.5}\n  ],\n  \"empty\": []\n}\n"
        );
    }
}
