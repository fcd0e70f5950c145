//! A connection kept open across requests, as a browser keeps one: requests go out one after
//! another, or several at once (pipelined), and each answer is read by its `Content-Length`,
//! never to the end of the connection, which a kept-alive server leaves open.

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use crate::DEADLINE;
use crate::client::{MAX_ANSWER, connect};
use crate::http::{Response, head_length};
use crate::server::Target;
use crate::show::visible;

/// One connection to a server under test, and the bytes read from it that no answer has taken
/// yet (the start of the next answer).
pub struct KeptConnection {
    stream: TcpStream,
    unread: Vec<u8>,
    /// Said in every failure: where the student looks.
    hint: String,
}

impl KeptConnection {
    /// Connects to `target`; `hint` ends every failure message.
    pub fn open(target: &impl Target, hint: &str) -> KeptConnection {
        KeptConnection {
            stream: connect(target),
            unread: Vec::new(),
            hint: hint.to_string(),
        }
    }

    /// The test's own address, as the server sees it.
    pub fn local_addr(&self) -> SocketAddr {
        self.stream.local_addr().expect("the test's own address")
    }

    /// Sends `bytes`, all of them.
    #[track_caller]
    pub fn send(&mut self, bytes: &[u8]) {
        if let Err(error) = self.stream.write_all(bytes) {
            panic!(
                "could not send {} bytes on the kept connection: {error}\nhint: the server \
                 closed it: keep the connection open after an answer, for the client's next \
                 request ({})",
                bytes.len(),
                self.hint
            );
        }
    }

    /// Says that the test sends nothing more, as a client does once its body is sent.
    pub fn stop_sending(&self) {
        let _ = self.stream.shutdown(Shutdown::Write);
    }

    /// Reads the next answer, `what` (such as "the answer to the second request"): its head,
    /// then exactly as many body bytes as its `Content-Length` says. Fails the test if the
    /// server closes or goes quiet first, or if a head has no `Content-Length`: on a
    /// connection kept open, nothing else says where the answer ends.
    #[track_caller]
    pub fn response(&mut self, what: &str) -> Response {
        self.read_response(what, true)
    }

    /// Reads the next answer, `what`, to a HEAD request: a head without a body, whatever its
    /// `Content-Length` says (the length GET's body would have).
    #[track_caller]
    pub fn response_to_head(&mut self, what: &str) -> Response {
        self.read_response(what, false)
    }

    /// Reads the next interim `100 Continue`, `what`, which is a head alone.
    #[track_caller]
    pub fn interim(&mut self, what: &str) -> String {
        let head = self.head(what);
        String::from_utf8_lossy(&head).into_owned()
    }

    #[track_caller]
    fn read_response(&mut self, what: &str, with_body: bool) -> Response {
        let head = self.head(what);
        let parsed = Response::parse_head(&head).unwrap_or_else(|problem| {
            panic!(
                "{what} is not a well-formed HTTP response: {problem}.\nreceived:\n{}\nhint: {}",
                visible(&head),
                self.hint
            )
        });
        let status = parsed.status();
        let bodiless = !with_body || status == 204 || status == 304 || (100..200).contains(&status);
        let length = match parsed.header("Content-Length") {
            _ if bodiless => 0,
            Some(length) => length.parse::<usize>().unwrap_or_else(|_| {
                panic!(
                    "{what} says `Content-Length: {length}`, which is not a length.\nhint: {}",
                    self.hint
                )
            }),
            None => panic!(
                "{what} has no Content-Length, so the client cannot tell where it ends on a \
                 connection that stays open.\nreceived:\n{}\nhint: frame every answer with \
                 `Content-Length` ({})",
                visible(&head),
                self.hint
            ),
        };
        let started = Instant::now();
        while length > self.unread.len() {
            if self.fill(started) == 0 {
                panic!(
                    "the server closed the connection after {} of the {length} bytes of the \
                     body of {what}.\nhint: {}",
                    self.unread.len(),
                    self.hint
                );
            }
        }
        let rest = self.unread.split_off(length);
        let body = std::mem::replace(&mut self.unread, rest);
        Response { body, ..parsed }
    }

    /// The next head, up to and including its blank line.
    #[track_caller]
    fn head(&mut self, what: &str) -> Vec<u8> {
        let started = Instant::now();
        loop {
            if let Some(end) = head_length(&self.unread) {
                let rest = self.unread.split_off(end);
                return std::mem::replace(&mut self.unread, rest);
            }
            if self.fill(started) == 0 {
                let got = if self.unread.is_empty() {
                    "instead of sending".to_string()
                } else {
                    format!("after only:\n{}\nof", visible(&self.unread))
                };
                panic!(
                    "the server closed the connection {got} {what}.\nhint: keep the \
                     connection open after an answer, for the client's next request ({})",
                    self.hint
                );
            }
        }
    }

    /// Reads what has arrived; 0 when the server has closed. Fails the test past DEADLINE
    /// from `started`, or past MAX_ANSWER bytes unread.
    #[track_caller]
    fn fill(&mut self, started: Instant) -> usize {
        let left = DEADLINE.saturating_sub(started.elapsed());
        let mut buffer = [0; 16 * 1024];
        let read = if left.is_zero() {
            Err(std::io::ErrorKind::TimedOut.into())
        } else {
            self.stream
                .set_read_timeout(Some(left))
                .and_then(|()| self.stream.read(&mut buffer))
        };
        match read {
            Ok(count) if self.unread.len() + count > MAX_ANSWER => panic!(
                "the server sent more than {MAX_ANSWER} bytes, more than any answer here.\n\
                 hint: {}",
                self.hint
            ),
            Ok(count) => {
                self.unread.extend_from_slice(&buffer[..count]);
                count
            }
            // A reset: the server closed with bytes of ours unread.
            Err(error) if error.kind() == std::io::ErrorKind::ConnectionReset => 0,
            Err(error) => panic!(
                "the server sent no answer within {DEADLINE:?} ({error}).\nreceived so far:\n\
                 {}\nhint: {}",
                visible(&self.unread),
                self.hint
            ),
        }
    }

    /// How long the server takes to close the connection, if it does within `patience` and
    /// sends nothing before; `None` if it is still open then. Bytes that arrive instead fail
    /// the test: no request asked for them.
    #[track_caller]
    pub fn closed_within(&mut self, patience: Duration) -> Option<Duration> {
        let started = Instant::now();
        if !self.unread.is_empty() {
            self.unexpected(started);
        }
        let mut byte = [0; 1];
        self.stream
            .set_read_timeout(Some(patience))
            .expect("set a read deadline");
        match self.stream.read(&mut byte) {
            Ok(0) => Some(started.elapsed()),
            Ok(_) => {
                self.unread.push(byte[0]);
                self.unexpected(started)
            }
            Err(error) if error.kind() == std::io::ErrorKind::ConnectionReset => {
                Some(started.elapsed())
            }
            Err(_) => None,
        }
    }

    #[track_caller]
    fn unexpected(&mut self, started: Instant) -> ! {
        let _ = self
            .stream
            .set_read_timeout(Some(Duration::from_millis(50)));
        let mut more = [0; 4096];
        if let Ok(count) = self.stream.read(&mut more) {
            self.unread.extend_from_slice(&more[..count]);
        }
        panic!(
            "after its answers, the server sent bytes that no request asked for ({:?} in):\n\
             {}\nhint: send one answer for each request, its body exactly as long as its \
             Content-Length ({})",
            started.elapsed(),
            visible(&self.unread),
            self.hint
        )
    }
}
