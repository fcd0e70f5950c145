//! Showing bytes to a student: `\r` and `\n` made visible, long payloads cut around the place
//! that matters, and the first differing byte named.

/// How much of a payload a failure message shows, in bytes and in lines; the rest is
/// summarised, so that a message fits on a screen.
const SHOWN: usize = 600;
const SHOWN_LINES: usize = 20;

/// `bytes` as text with `\r`, `\n`, `\t`, `\\` and non-printable bytes escaped. A line break
/// follows each `\n`, so that a multi-line message still reads as lines. Long payloads are
/// cut to their start and end.
pub fn visible(bytes: &[u8]) -> String {
    let lines = bytes.iter().filter(|&&b| b == b'\n').count();
    if bytes.len() <= SHOWN && lines < SHOWN_LINES {
        return escape(bytes);
    }
    let head = lines_from_start(&bytes[..bytes.len().min(SHOWN - 100)], SHOWN_LINES - 5);
    let rest = &bytes[head.len()..];
    let tail = lines_from_end(&rest[rest.len().saturating_sub(100)..], 4);
    let cut = bytes.len() - head.len() - tail.len();
    format!("{}[... {cut} more bytes ...]{}", escape(head), escape(tail))
}

/// The start of `bytes`, up to and including its `lines`-th line break.
fn lines_from_start(bytes: &[u8], lines: usize) -> &[u8] {
    let end = bytes
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'\n')
        .nth(lines.saturating_sub(1))
        .map_or(bytes.len(), |(at, _)| at + 1);
    &bytes[..end]
}

/// The end of `bytes`, after its `lines`-th line break from the end.
fn lines_from_end(bytes: &[u8], lines: usize) -> &[u8] {
    let start = bytes
        .iter()
        .enumerate()
        .rev()
        .filter(|(_, b)| **b == b'\n')
        .nth(lines)
        .map_or(0, |(at, _)| at + 1);
    &bytes[start..]
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

/// The part of `bytes` around `at`, escaped: a few lines on each side at most, with a note of
/// what was left out.
fn around(bytes: &[u8], at: usize) -> String {
    let at = at.min(bytes.len());
    let before = lines_from_end(
        &bytes[at.saturating_sub(SHOWN / 4)..at],
        SHOWN_LINES / 2 - 2,
    );
    let start = at - before.len();
    let after = &bytes[at..bytes.len().min(at + SHOWN / 4)];
    let after = lines_from_start(after, SHOWN_LINES / 2 - 2);
    let end = at + after.len();
    let left_before = match start {
        0 => String::new(),
        n => format!("[... {n} bytes ...]"),
    };
    let left_after = match bytes.len() - end {
        0 => String::new(),
        n => format!("[... {n} bytes ...]"),
    };
    format!("{left_before}{}{left_after}", escape(&bytes[start..end]))
}

fn indent(text: &str) -> String {
    text.lines().map(|line| format!("    {line}\n")).collect()
}

/// One byte as a failure names it: `\r (0x0d)`, `a (0x61)`, or `the end`.
fn describe(byte: Option<&u8>) -> String {
    match byte {
        Some(byte) => format!("{} (0x{byte:02x})", escape(&[*byte]).trim_end()),
        None => "the end".to_string(),
    }
}

/// Fails the test unless `got` equals `want` byte for byte. The first line says where they
/// differ, the hint follows, then both around that place, with `\r\n` visible.
#[track_caller]
pub fn assert_bytes_eq(got: &[u8], want: &[u8], hint: &str) {
    if got == want {
        return;
    }
    let at = got.iter().zip(want).take_while(|(g, w)| g == w).count();
    panic!(
        "the bytes differ from byte {at} on: expected {}, got {} ({} bytes expected, {} \
         received).\nhint: {hint}\nexpected:\n{}got:\n{}",
        describe(want.get(at)),
        describe(got.get(at)),
        want.len(),
        got.len(),
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
        let lines = visible(&b"line\n".repeat(1000));
        assert!(lines.lines().count() <= SHOWN_LINES, "{lines}");
    }

    #[test]
    fn a_difference_deep_in_a_large_payload_is_shown_with_a_few_lines_around_it() {
        let want: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
        let mut got = want.clone();
        got[150_000] ^= 1;
        let message = crate::guard::catch(|| assert_bytes_eq(&got, &want, "h")).unwrap_err();
        assert!(
            message.starts_with("the bytes differ from byte 150000 on"),
            "{message}"
        );
        assert!(message.lines().count() <= 2 * SHOWN_LINES + 4, "{message}");
        assert!(message.len() < 4000, "{} bytes", message.len());
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
        let first = message.lines().next().unwrap();
        assert!(
            first.starts_with(
                "the bytes differ from byte 15 on: expected \\r (0x0d), got \\n (0x0a)"
            ),
            "{message}"
        );
        assert_eq!(
            message.lines().nth(1),
            Some("hint: end lines with CRLF"),
            "{message}"
        );
    }

    #[test]
    fn a_short_answer_names_the_end() {
        let message = crate::guard::catch(|| assert_bytes_eq(b"ab", b"abc", "h")).unwrap_err();
        assert!(
            message.contains("expected c (0x63), got the end"),
            "{message}"
        );
    }
}
