//! Backslash escapes in a message typed on the command line: the shell passes `\r\n` as four
//! characters, and [`unescape`] turns them into the two bytes the protocol needs.

/// The escapes [`unescape`] knows, for error messages and `--help`.
pub const KNOWN: &str = r"\r \n \t \\ \xNN";

/// `text` with `\r`, `\n`, `\t`, `\\` and `\xNN` (two hex digits, any byte) replaced by the
/// bytes they stand for; every other character is sent as its UTF-8 bytes.
pub fn unescape(text: &str) -> Result<Vec<u8>, String> {
    let mut bytes = Vec::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            let mut buffer = [0; 4];
            bytes.extend_from_slice(c.encode_utf8(&mut buffer).as_bytes());
            continue;
        }
        match chars.next() {
            Some('r') => bytes.push(b'\r'),
            Some('n') => bytes.push(b'\n'),
            Some('t') => bytes.push(b'\t'),
            Some('\\') => bytes.push(b'\\'),
            Some('x') => {
                let digits: String = chars.by_ref().take(2).collect();
                let hex = digits.len() == 2 && digits.chars().all(|d| d.is_ascii_hexdigit());
                match u8::from_str_radix(&digits, 16) {
                    Ok(byte) if hex => bytes.push(byte),
                    _ => {
                        return Err(format!(
                            r"\x needs two hex digits, as in \x0d, not \x{digits}"
                        ));
                    }
                }
            }
            Some(other) => return Err(format!(r"unknown escape \{other} (known: {KNOWN})")),
            None => return Err(r"the message ends with a lone \ (write \\ for one)".into()),
        }
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_become_bytes() {
        assert_eq!(
            unescape(r"GET / HTTP/1.0\r\n\r\n").unwrap(),
            b"GET / HTTP/1.0\r\n\r\n"
        );
        assert_eq!(unescape(r"a\tb\\c\x00\xfF").unwrap(), b"a\tb\\c\x00\xff");
        assert_eq!(unescape("é").unwrap(), "é".as_bytes());
    }

    #[test]
    fn mistakes_are_named() {
        assert!(unescape(r"\q").unwrap_err().contains(r"unknown escape \q"));
        assert!(unescape(r"\x4").unwrap_err().contains("two hex digits"));
        assert!(unescape(r"\x+1").unwrap_err().contains("two hex digits"));
        assert!(unescape("end\\").unwrap_err().contains("lone"));
    }
}
