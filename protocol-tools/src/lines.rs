//! Reading a line-based protocol: one command per line, with a limit on a line's length so
//! that a client cannot make the server buffer without end.
//!
//! The protocols say every line ends with CRLF. The mock servers accept a bare LF as well, so
//! that `nc` without `-C` works; what they send always ends with CRLF.

use std::io::{self, BufRead, BufReader, Read};

/// What [`LineReader::next_line`] found.
#[derive(Debug, PartialEq)]
pub enum Line {
    /// A line, without its `\r\n` (or bare `\n`).
    Text(Vec<u8>),
    /// A line longer than the limit; it was read to its end and thrown away.
    TooLong,
    /// The client closed its side. An unfinished last line is dropped.
    End,
}

pub struct LineReader<R> {
    reader: BufReader<R>,
}

impl<R: Read> LineReader<R> {
    pub fn new(inner: R) -> LineReader<R> {
        LineReader {
            reader: BufReader::new(inner),
        }
    }

    /// The next line, if its content (without the line end) is at most `limit` bytes.
    pub fn next_line(&mut self, limit: usize) -> io::Result<Line> {
        let mut line = Vec::new();
        let mut too_long = false;
        loop {
            let available = match self.reader.fill_buf() {
                Ok(available) => available,
                Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
                Err(error) => return Err(error),
            };
            if available.is_empty() {
                return Ok(Line::End);
            }
            let (taken, complete) = match available.iter().position(|&b| b == b'\n') {
                Some(at) => (&available[..at], true),
                None => (available, false),
            };
            // The limit counts a trailing `\r` too, so one spare byte is allowed for it.
            if !too_long && line.len() + taken.len() <= limit + 1 {
                line.extend_from_slice(taken);
            } else {
                too_long = true;
                line.clear();
            }
            let used = taken.len() + usize::from(complete);
            self.reader.consume(used);
            if complete {
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
                if too_long || line.len() > limit {
                    return Ok(Line::TooLong);
                }
                return Ok(Line::Text(line));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(input: &[u8], limit: usize) -> Vec<Line> {
        let mut reader = LineReader::new(input);
        let mut found = Vec::new();
        loop {
            let line = reader.next_line(limit).unwrap();
            let end = line == Line::End;
            found.push(line);
            if end {
                return found;
            }
        }
    }

    fn text(line: &str) -> Line {
        Line::Text(line.as_bytes().to_vec())
    }

    #[test]
    fn crlf_and_bare_lf_both_end_a_line() {
        assert_eq!(
            lines(b"EHLO a\r\nNOOP\n\r\nx\ry\r\n", 100),
            [
                text("EHLO a"),
                text("NOOP"),
                text(""),
                text("x\ry"),
                Line::End
            ]
        );
    }

    #[test]
    fn an_unfinished_last_line_is_dropped() {
        assert_eq!(lines(b"QUIT\r\nQU", 100), [text("QUIT"), Line::End]);
    }

    #[test]
    fn long_lines_are_skipped_to_their_end() {
        assert_eq!(
            lines(b"12345\r\n123456\r\n1234567\nok\r\n", 6),
            [
                text("12345"),
                text("123456"),
                Line::TooLong,
                text("ok"),
                Line::End
            ]
        );
        let long = [vec![b'x'; 20_000], b"\r\nafter\r\n".to_vec()].concat();
        assert_eq!(lines(&long, 512), [Line::TooLong, text("after"), Line::End]);
    }
}
