//! A JSON reader for the tests of the grade's files: enough to check that what the platforms
//! read parses, and holds the fields they take with the types they take. Test-only, so that the
//! students' build has no JSON reader to compile (and no crate for one).

use std::collections::BTreeMap;

#[derive(Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Number(f64),
    Text(String),
    List(Vec<Value>),
    Object(BTreeMap<String, Value>),
}

impl Value {
    /// The field `name` of an object; a panic that names it when there is none.
    pub fn get(&self, name: &str) -> &Value {
        match self {
            Value::Object(fields) => fields
                .get(name)
                .unwrap_or_else(|| panic!("no field {name:?} in {self:?}")),
            _ => panic!("{self:?} is not an object, so it has no {name:?}"),
        }
    }

    pub fn has(&self, name: &str) -> bool {
        matches!(self, Value::Object(fields) if fields.contains_key(name))
    }

    pub fn number(&self) -> f64 {
        match self {
            Value::Number(n) => *n,
            _ => panic!("{self:?} is not a number"),
        }
    }

    pub fn text(&self) -> &str {
        match self {
            Value::Text(t) => t,
            _ => panic!("{self:?} is not a string"),
        }
    }

    pub fn list(&self) -> &[Value] {
        match self {
            Value::List(items) => items,
            _ => panic!("{self:?} is not a list"),
        }
    }
}

/// The value `text` holds, with nothing but white space after it.
pub fn parse(text: &str) -> Result<Value, String> {
    let mut reader = Reader {
        bytes: text.as_bytes(),
        at: 0,
    };
    let value = reader.value()?;
    reader.space();
    match reader.at == reader.bytes.len() {
        true => Ok(value),
        false => Err(format!("text after the value, at byte {}", reader.at)),
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn space(&mut self) {
        while self.bytes.get(self.at).is_some_and(u8::is_ascii_whitespace) {
            self.at += 1;
        }
    }

    fn peek(&mut self) -> Option<u8> {
        self.space();
        self.bytes.get(self.at).copied()
    }

    fn expect(&mut self, byte: u8) -> Result<(), String> {
        match self.peek() {
            Some(b) if b == byte => {
                self.at += 1;
                Ok(())
            }
            other => Err(format!(
                "expected {:?} at byte {}, found {:?}",
                byte as char,
                self.at,
                other.map(char::from)
            )),
        }
    }

    fn word(&mut self, word: &str, value: Value) -> Result<Value, String> {
        match self.bytes[self.at..].starts_with(word.as_bytes()) {
            true => {
                self.at += word.len();
                Ok(value)
            }
            false => Err(format!("unexpected text at byte {}", self.at)),
        }
    }

    fn value(&mut self) -> Result<Value, String> {
        match self.peek().ok_or("the text ends before a value")? {
            b'n' => self.word("null", Value::Null),
            b't' => self.word("true", Value::Bool(true)),
            b'f' => self.word("false", Value::Bool(false)),
            b'"' => self.string().map(Value::Text),
            b'[' => {
                self.at += 1;
                let mut items = Vec::new();
                if self.peek() == Some(b']') {
                    self.at += 1;
                    return Ok(Value::List(items));
                }
                loop {
                    items.push(self.value()?);
                    if self.peek() == Some(b',') {
                        self.at += 1;
                    } else {
                        self.expect(b']')?;
                        return Ok(Value::List(items));
                    }
                }
            }
            b'{' => {
                self.at += 1;
                let mut fields = BTreeMap::new();
                if self.peek() == Some(b'}') {
                    self.at += 1;
                    return Ok(Value::Object(fields));
                }
                loop {
                    self.space();
                    let name = self.string()?;
                    self.expect(b':')?;
                    if fields.insert(name.clone(), self.value()?).is_some() {
                        return Err(format!("the field {name:?} is there twice"));
                    }
                    if self.peek() == Some(b',') {
                        self.at += 1;
                    } else {
                        self.expect(b'}')?;
                        return Ok(Value::Object(fields));
                    }
                }
            }
            _ => {
                let start = self.at;
                let number = |b: &u8| b.is_ascii_digit() || b"-+.eE".contains(b);
                while self.bytes.get(self.at).is_some_and(number) {
                    self.at += 1;
                }
                let text = std::str::from_utf8(&self.bytes[start..self.at]).unwrap_or("");
                text.parse()
                    .map(Value::Number)
                    .map_err(|_| format!("not a value at byte {start}: {text:?}"))
            }
        }
    }

    fn string(&mut self) -> Result<String, String> {
        self.expect(b'"')?;
        let mut bytes = Vec::new();
        loop {
            let byte = *self.bytes.get(self.at).ok_or("a string that never ends")?;
            self.at += 1;
            match byte {
                b'"' => return String::from_utf8(bytes).map_err(|e| e.to_string()),
                b'\\' => {
                    let escaped = *self.bytes.get(self.at).ok_or("an escape at the end")?;
                    self.at += 1;
                    let plain = match escaped {
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'"' | b'\\' | b'/' => char::from(escaped),
                        b'u' => {
                            let hex = self.bytes.get(self.at..self.at + 4).ok_or("short \\u")?;
                            self.at += 4;
                            let hex = std::str::from_utf8(hex).map_err(|e| e.to_string())?;
                            let code = u32::from_str_radix(hex, 16).map_err(|e| e.to_string())?;
                            char::from_u32(code).ok_or("a \\u that is no character")?
                        }
                        other => return Err(format!("unknown escape \\{}", other as char)),
                    };
                    bytes.extend_from_slice(plain.encode_utf8(&mut [0; 4]).as_bytes());
                }
                byte if byte < 0x20 => return Err("a control character in a string".into()),
                byte => bytes.push(byte),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grade::json::Json;

    /// What the grade's writer writes, this reads back.
    #[test]
    fn the_writer_s_json_is_read_back() {
        let written = Json::Object(vec![
            ("text", Json::text("a \"b\"\n\u{1} é")),
            (
                "list",
                Json::List(vec![Json::Number("2.5".into()), Json::Null]),
            ),
            ("yes", Json::Bool(true)),
        ])
        .render();
        let value = parse(&written).unwrap();
        assert_eq!(value.get("text").text(), "a \"b\"\n\u{1} é");
        assert_eq!(value.get("list").list()[0].number(), 2.5);
        assert_eq!(value.get("list").list()[1], Value::Null);
        assert_eq!(*value.get("yes"), Value::Bool(true));
        assert!(parse("{\"a\": 1} x").is_err());
        assert!(parse("{\"a\": 1, \"a\": 2}").is_err());
    }
}
