//! A program's stdout or stderr, read on a thread of its own until it closes, so that a program
//! never blocks on a full pipe. What is kept is bounded: a program that prints without end
//! costs no more memory than [`KEPT_HEAD`] and [`KEPT_TAIL`].

use std::collections::VecDeque;
use std::io::Read;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread;
use std::time::{Duration, Instant};

/// How much of a stream's beginning, and of its end, is kept. Lines are read from the
/// beginning only: a program's first mebibyte of lines is more than any test reads.
pub const KEPT_HEAD: usize = 1 << 20;
pub const KEPT_TAIL: usize = 64 << 10;

/// One output stream, drained on a thread.
pub struct Output(Arc<Shared>);

#[derive(Default)]
struct Shared {
    kept: Mutex<Kept>,
    /// Signalled when bytes arrive and when the stream closes.
    changed: Condvar,
}

/// The beginning and the end of a stream, and how much was left out between them.
#[derive(Default)]
struct Kept {
    head: Vec<u8>,
    tail: VecDeque<u8>,
    left_out: usize,
    closed: bool,
    /// How much of `head` [`Output::line`] has given out.
    lines_read: usize,
}

impl Kept {
    fn extend(&mut self, bytes: &[u8]) {
        let into_head = bytes.len().min(KEPT_HEAD - self.head.len());
        self.head.extend_from_slice(&bytes[..into_head]);
        self.tail.extend(&bytes[into_head..]);
        let excess = self.tail.len().saturating_sub(KEPT_TAIL);
        self.tail.drain(..excess);
        self.left_out += excess;
    }

    fn bytes(&self) -> Vec<u8> {
        let mut bytes = self.head.clone();
        if self.left_out > 0 {
            let note = format!("\n[... {} bytes of output left out ...]\n", self.left_out);
            bytes.extend_from_slice(note.as_bytes());
        }
        bytes.extend(&self.tail);
        bytes
    }

    /// The next whole line of the head, without its line ending; at the end of the stream,
    /// the unfinished last line too.
    fn next_line(&mut self) -> Option<String> {
        let rest = &self.head[self.lines_read..];
        let (line, used) = match rest.iter().position(|&b| b == b'\n') {
            Some(end) => (&rest[..end], end + 1),
            None if self.closed && !rest.is_empty() => (rest, rest.len()),
            None => return None,
        };
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let line = String::from_utf8_lossy(line).into_owned();
        self.lines_read += used;
        Some(line)
    }
}

impl Output {
    /// Starts reading `stream` (none: an empty stream, already closed).
    pub fn drain(stream: Option<impl Read + Send + 'static>) -> Output {
        let shared = Arc::new(Shared::default());
        let filled = Arc::clone(&shared);
        thread::spawn(move || {
            if let Some(mut stream) = stream {
                let mut buffer = [0; 8192];
                while let Ok(n @ 1..) = stream.read(&mut buffer) {
                    lock(&filled.kept).extend(&buffer[..n]);
                    filled.changed.notify_all();
                }
            }
            lock(&filled.kept).closed = true;
            filled.changed.notify_all();
        });
        Output(shared)
    }

    /// The next line, waiting for it at most `within`; `None` if none comes by then or the
    /// stream has ended.
    pub fn line(&self, within: Duration) -> Option<String> {
        let deadline = Instant::now() + within;
        let mut kept = lock(&self.0.kept);
        loop {
            if let Some(line) = kept.next_line() {
                return Some(line);
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if kept.closed || left.is_zero() {
                return None;
            }
            kept = self
                .0
                .changed
                .wait_timeout(kept, left)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }

    /// What was kept, once the stream has closed or `grace` has passed: a process the program
    /// started and left running can hold its output open.
    pub fn bytes(&self, grace: Duration) -> Vec<u8> {
        let kept = lock(&self.0.kept);
        let (kept, _) = self
            .0
            .changed
            .wait_timeout_while(kept, grace, |kept| !kept.closed)
            .unwrap_or_else(|e| e.into_inner());
        kept.bytes()
    }

    /// [`Output::bytes`] as text, invalid UTF-8 replaced.
    pub fn text(&self, grace: Duration) -> String {
        String::from_utf8_lossy(&self.bytes(grace)).into_owned()
    }
}

fn lock(kept: &Mutex<Kept>) -> MutexGuard<'_, Kept> {
    kept.lock().unwrap_or_else(|e| e.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endless_output_keeps_its_beginning_and_its_end() {
        let mut kept = Kept::default();
        kept.extend(b"first\n");
        for _ in 0..40 {
            kept.extend(&[b'x'; 64 << 10]);
        }
        kept.extend(b"\nlast\n");
        let text = String::from_utf8(kept.bytes()).unwrap();
        assert!(text.starts_with("first\n"));
        assert!(text.ends_with("\nlast\n"));
        assert!(text.len() < KEPT_HEAD + KEPT_TAIL + 100, "{}", text.len());
        assert!(text.contains("bytes of output left out"));
    }

    #[test]
    fn lines_come_whole_without_their_endings_and_the_last_one_at_the_end() {
        let output = Output::drain(Some(&b"one\r\ntwo\nthree"[..]));
        let within = Duration::from_secs(5);
        assert_eq!(output.line(within).as_deref(), Some("one"));
        assert_eq!(output.line(within).as_deref(), Some("two"));
        assert_eq!(output.line(within).as_deref(), Some("three"));
        assert_eq!(output.line(within), None);
        assert_eq!(output.text(within), "one\r\ntwo\nthree");
    }
}
