//! Showing bytes to a student: `\r` and `\n` made visible, long payloads cut around the place
//! that matters, and the first differing byte named.

/// How many bytes of a payload a failure message shows; the rest is summarised.
const SHOWN: usize = 600;

/// `bytes` as text with `\r`, `\n`, `\t`, `\\` and non-printable bytes escaped. A line break
/// follows each `\n`, so that a multi-line message still reads as lines. Long payloads are
/// cut to their start and end.
pub fn visible(bytes: &[u8]) -> String {
    if bytes.len() <= SHOWN {
        return escape(bytes);
    }
    let (head, tail) = (&bytes[..SHOWN - 100], &bytes[bytes.len() - 100..]);
    let cut = bytes.len() - head.len() - tail.len();
    format!("{}[... {cut} more bytes ...]{}", escape(head), escape(tail))
}

fn escape(bytes: &[u8]) -> String {
    let mut text = String::with_capacity(bytes.len());
    for &byte in bytes {
        match byte {
            b'\r' => text.push_str("\\r"),
            b'\n' => text.push_str("\\n\n"),
            b'\t' => text.push_str("\\t"),
            b'\\' => text.push_str("\\\\"),
            b' '..=b'~' => text.push(byte as char),
            _ => text.push_str(&format!("\\x{byte:02x}")),
        }
    }
    text
}

/// The part of `bytes` near `at`, escaped, with a note of what was left out.
fn around(bytes: &[u8], at: usize) -> String {
    if bytes.len() <= SHOWN {
        return escape(bytes);
    }
    let start = at.saturating_sub(SHOWN / 2);
    let end = (start + SHOWN).min(bytes.len());
    let before = if start > 0 {
        format!("[... {start} bytes ...]")
    } else {
        String::new()
    };
    let after = if end < bytes.len() {
        format!("[... {} bytes ...]", bytes.len() - end)
    } else {
        String::new()
    };
    format!("{before}{}{after}", escape(&bytes[start..end]))
}

fn indent(text: &str) -> String {
    text.lines().map(|line| format!("    {line}\n")).collect()
}

fn describe(byte: Option<&u8>) -> String {
    match byte {
        Some(byte) => format!("{:?} (0x{byte:02x})", escape(&[*byte])),
        None => "the end".to_string(),
    }
}

/// Fails the test unless `got` equals `want` byte for byte. The message shows both with `\r\n`
/// visible, names the first byte where they differ, and ends with `hint`.
#[track_caller]
pub fn assert_bytes_eq(got: &[u8], want: &[u8], hint: &str) {
    if got == want {
        return;
    }
    let at = got.iter().zip(want).take_while(|(g, w)| g == w).count();
    panic!(
        "expected {} bytes, got {}; they differ at byte {at}: expected {}, got {}.\n\
         expected:\n{}got:\n{}hint: {hint}",
        want.len(),
        got.len(),
        describe(want.get(at)),
        describe(got.get(at)),
        indent(&around(want, at)),
        indent(&around(got, at)),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_endings_are_made_visible() {
        assert_eq!(
            visible(b"GET / HTTP/1.1\r\n\r\n"),
            "GET / HTTP/1.1\\r\\n\n\\r\\n\n"
        );
        assert_eq!(visible(&[0xff, b'\t', b'\\']), "\\xff\\t\\\\");
    }

    #[test]
    fn long_payloads_are_cut() {
        let text = visible(&[b'a'; 5000]);
        assert!(text.contains("[... 4400 more bytes ...]"), "{text}");
        assert!(text.len() < 700);
    }

    #[test]
    fn equal_bytes_pass() {
        assert_bytes_eq(b"same", b"same", "unused");
    }

    #[test]
    fn the_first_difference_is_named() {
        let failure = crate::guard::catch(|| {
            assert_bytes_eq(
                b"HTTP/1.1 200 OK\n",
                b"HTTP/1.1 200 OK\r\n",
                "end lines with CRLF",
            )
        });
        let message = failure.unwrap_err();
        assert!(
            message.contains("differ at byte 15: expected \"\\\\r\" (0x0d)"),
            "{message}"
        );
        assert!(message.contains("got \"\\\\n\\n\" (0x0a)"), "{message}");
        assert!(message.ends_with("hint: end lines with CRLF"), "{message}");
    }

    #[test]
    fn a_short_answer_names_the_end() {
        let message = crate::guard::catch(|| assert_bytes_eq(b"ab", b"abc", "h")).unwrap_err();
        assert!(
            message.contains("expected \"c\" (0x63), got the end"),
            "{message}"
        );
    }
}
