//! The lesson's notation for bytes on the wire, line by line:
//!
//! ```text
//! C (-->): GET / HTTP/1.1<CRLF>
//! S (<--): HTTP/1.1 200 OK<CRLF>
//! S (<--): <1234 bytes of binary data>
//! ```
//!
//! A [`Transcript`] turns the chunks a connection carries, as `read` returns them, into such
//! lines. TCP does not keep lines together: one read may end in the middle of a line, and the
//! next read holds the rest. So a transcript keeps the unfinished line of each side and prints
//! it once it is complete, when the side pauses ([`Transcript::flush`]), or when the other side
//! speaks (a reply cannot come before the request that caused it).
//!
//! A line is text if it is UTF-8 without control characters (a tab is fine); its line end is
//! shown as `<CRLF>` or `<LF>`, a lone carriage return inside it as `<CR>`. Anything else is
//! binary, and consecutive binary lines are counted, not shown. Random bytes contain `\n` now
//! and then; so once binary data has started, only a text line ending in `<CRLF>` (such as the
//! next response's status line) ends the count.

use std::io::Write;

/// Who sent the bytes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Side {
    Client,
    Server,
}

impl Side {
    pub fn prefix(self) -> &'static str {
        match self {
            Side::Client => "C (-->): ",
            Side::Server => "S (<--): ",
        }
    }

    fn index(self) -> usize {
        self as usize
    }

    fn other(self) -> Side {
        match self {
            Side::Client => Side::Server,
            Side::Server => Side::Client,
        }
    }
}

/// Lines longer than this are shown in pieces, so a payload without line breaks is not
/// buffered without end.
const LONGEST_LINE: usize = 4096;

#[derive(Default)]
struct Pending {
    /// Bytes of a line not yet complete.
    line: Vec<u8>,
    /// Bytes of binary data counted but not yet reported.
    binary: usize,
}

/// The transcript of one connection, written line by line to `out`, each line starting with
/// `tag` (which tells the connections apart).
pub struct Transcript<W: Write> {
    out: W,
    tag: String,
    pending: [Pending; 2],
}

impl<W: Write> Transcript<W> {
    pub fn new(out: W, tag: &str) -> Transcript<W> {
        Transcript {
            out,
            tag: tag.to_string(),
            pending: [Pending::default(), Pending::default()],
        }
    }

    /// Records `bytes` sent by `side`, printing every line they complete.
    pub fn record(&mut self, side: Side, bytes: &[u8]) {
        self.flush(side.other());
        self.pending[side.index()].line.extend_from_slice(bytes);
        loop {
            let line = &self.pending[side.index()].line;
            let end = match line.iter().take(LONGEST_LINE).position(|&b| b == b'\n') {
                Some(at) => at + 1,
                None if line.len() >= LONGEST_LINE => utf8_boundary(&line[..LONGEST_LINE]),
                None => return,
            };
            let segment: Vec<u8> = self.pending[side.index()].line.drain(..end).collect();
            self.segment(side, &segment);
        }
    }

    /// Prints what `side` has sent that is still pending: an unfinished line, binary data.
    pub fn flush(&mut self, side: Side) {
        let line = std::mem::take(&mut self.pending[side.index()].line);
        if !line.is_empty() {
            self.segment(side, &line);
        }
        self.report_binary(side);
    }

    /// Prints a note such as `<end of stream>`, for one side or (with `None`) the connection.
    pub fn note(&mut self, side: Option<Side>, text: &str) {
        self.flush(Side::Client);
        self.flush(Side::Server);
        self.print(side, &format!("<{text}>"));
    }

    /// One line, or a piece of one, or a run of bytes without a line break.
    fn segment(&mut self, side: Side, segment: &[u8]) {
        let in_binary = self.pending[side.index()].binary > 0;
        match as_text(segment) {
            Some(text) if !in_binary || (text.len() > 2 && text.ends_with("\r\n")) => {
                self.report_binary(side);
                self.print(Some(side), &shown(&text));
            }
            _ => self.pending[side.index()].binary += segment.len(),
        }
    }

    fn report_binary(&mut self, side: Side) {
        let binary = std::mem::take(&mut self.pending[side.index()].binary);
        if binary > 0 {
            let s = if binary == 1 { "" } else { "s" };
            self.print(Some(side), &format!("<{binary} byte{s} of binary data>"));
        }
    }

    fn print(&mut self, side: Option<Side>, content: &str) {
        let prefix = side.map_or("", Side::prefix);
        let line = format!("{}{prefix}{content}\n", self.tag);
        // A transcript is for watching: if nobody reads it any more, forwarding goes on.
        let _ = self.out.write_all(line.as_bytes());
        let _ = self.out.flush();
    }
}

/// The longest prefix of `bytes` that does not cut a UTF-8 character in two.
fn utf8_boundary(bytes: &[u8]) -> usize {
    match std::str::from_utf8(bytes) {
        Err(error) if error.error_len().is_none() && error.valid_up_to() > 0 => error.valid_up_to(),
        _ => bytes.len(),
    }
}

/// `segment` as text, if it is text.
fn as_text(segment: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(segment).ok()?;
    let printable = text
        .chars()
        .all(|c| !c.is_control() || matches!(c, '\t' | '\r' | '\n'));
    printable.then(|| text.to_string())
}

/// A text line with its line end, and any carriage return inside it, made visible.
fn shown(text: &str) -> String {
    let (body, end) = if let Some(body) = text.strip_suffix("\r\n") {
        (body, "<CRLF>")
    } else if let Some(body) = text.strip_suffix('\n') {
        (body, "<LF>")
    } else {
        (text, "")
    };
    format!("{}{end}", body.replace('\r', "<CR>"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn transcript() -> Transcript<Vec<u8>> {
        Transcript::new(Vec::new(), "#1 ")
    }

    fn printed(transcript: Transcript<Vec<u8>>) -> Vec<String> {
        String::from_utf8(transcript.out)
            .unwrap()
            .lines()
            .map(str::to_string)
            .collect()
    }

    #[test]
    fn lines_are_shown_with_their_line_ends() {
        let mut t = transcript();
        t.record(Side::Client, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        t.record(Side::Server, b"HTTP/1.0 200 OK\r\n\r\nhi\nthere\ra\r\n");
        assert_eq!(
            printed(t),
            [
                "#1 C (-->): GET / HTTP/1.1<CRLF>",
                "#1 C (-->): Host: x<CRLF>",
                "#1 C (-->): <CRLF>",
                "#1 S (<--): HTTP/1.0 200 OK<CRLF>",
                "#1 S (<--): <CRLF>",
                "#1 S (<--): hi<LF>",
                "#1 S (<--): there<CR>a<CRLF>",
            ]
        );
    }

    #[test]
    fn a_line_split_across_reads_is_shown_whole() {
        let mut t = transcript();
        t.record(Side::Client, b"EH");
        t.record(Side::Client, b"LO x\r");
        t.record(Side::Client, b"\nQUIT");
        t.flush(Side::Client);
        assert_eq!(printed(t), ["#1 C (-->): EHLO x<CRLF>", "#1 C (-->): QUIT"]);
    }

    #[test]
    fn the_other_side_speaking_flushes_an_unfinished_line() {
        let mut t = transcript();
        t.record(Side::Server, b"Enter a number: ");
        t.record(Side::Client, b"42\n");
        assert_eq!(
            printed(t),
            ["#1 S (<--): Enter a number: ", "#1 C (-->): 42<LF>"]
        );
    }

    #[test]
    fn binary_data_is_counted_until_a_crlf_text_line() {
        let mut t = transcript();
        t.record(Side::Server, b"HTTP/1.1 200 OK\r\n\r\n\x89PNG\r\n\x1a\n");
        t.record(Side::Server, b"\x00\x01\nA\n\xff\xfe\r\n");
        t.record(Side::Server, b"HTTP/1.1 404 Not Found\r\n");
        t.record(Side::Server, &[0u8; 10]);
        t.note(None, "connection closed");
        assert_eq!(
            printed(t),
            [
                "#1 S (<--): HTTP/1.1 200 OK<CRLF>",
                "#1 S (<--): <CRLF>",
                "#1 S (<--): <17 bytes of binary data>",
                "#1 S (<--): HTTP/1.1 404 Not Found<CRLF>",
                "#1 S (<--): <10 bytes of binary data>",
                "#1 <connection closed>",
            ]
        );
    }

    #[test]
    fn long_lines_come_in_pieces_that_keep_characters_whole() {
        let mut t = transcript();
        let mut long = vec![b'a'; LONGEST_LINE - 1];
        long.extend_from_slice("é and more\n".as_bytes());
        t.record(Side::Client, &long);
        let lines = printed(t);
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].len(), "#1 C (-->): ".len() + LONGEST_LINE - 1);
        assert_eq!(lines[1], "#1 C (-->): é and more<LF>");
    }

    #[test]
    fn one_byte_is_singular() {
        let mut t = transcript();
        t.record(Side::Client, b"\x00");
        t.flush(Side::Client);
        assert_eq!(printed(t), ["#1 C (-->): <1 byte of binary data>"]);
    }
}
