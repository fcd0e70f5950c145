//! The test's side of a conversation with a server under test. Every connect, read and write
//! has a deadline, and every way the conversation can go wrong becomes a message with a hint.

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use crate::DEADLINE;
use crate::server::Target;
use crate::show::visible;

/// The pause between the pieces of a request sent in several pieces: long enough that a
/// server reads them separately, short enough that students barely notice it.
pub const PAUSE: Duration = Duration::from_millis(30);

/// Connects to `target` with [`DEADLINE`] on the connect and on every later read and write.
pub fn connect(target: &impl Target) -> TcpStream {
    let stream = TcpStream::connect_timeout(&target.addr(), DEADLINE).unwrap_or_else(|error| {
        let why = target
            .why_stopped()
            .unwrap_or_else(|| "it is not accepting connections".into());
        panic!(
            "cannot connect to your server at {}: {error}\n{why}",
            target.addr()
        )
    });
    stream
        .set_read_timeout(Some(DEADLINE))
        .expect("set a read deadline");
    stream
        .set_write_timeout(Some(DEADLINE))
        .expect("set a write deadline");
    stream
}

/// What the test sends, and how: the whole request at once or in pieces, and whether it then
/// shuts down its writing side (as the echo client does) or keeps it open (as browsers do).
#[derive(Clone, Debug)]
pub struct Exchange {
    request: Vec<u8>,
    pieces: usize,
    close_writing: bool,
    hint: String,
    http_answer: bool,
    answer_after_last_piece: bool,
}

/// Sends `request` to `target` and returns everything the server sends until it closes.
pub fn exchange(target: &impl Target, request: &[u8]) -> Vec<u8> {
    Exchange::send(request).with(target)
}

impl Exchange {
    pub fn send(request: &[u8]) -> Exchange {
        Exchange {
            request: request.to_vec(),
            pieces: 1,
            close_writing: false,
            hint: String::new(),
            http_answer: false,
            answer_after_last_piece: false,
        }
    }

    /// Sends the request in `pieces` parts with a short pause between them, as a slow network
    /// would: a server must keep reading until it has the whole request.
    pub fn in_pieces(mut self, pieces: usize) -> Exchange {
        self.pieces = pieces.max(1);
        self
    }

    /// Shuts down the test's writing side after the request: the server reads end-of-stream.
    pub fn then_stop_sending(mut self) -> Exchange {
        self.close_writing = true;
        self
    }

    /// Expects an HTTP answer: fails as soon as the first bytes cannot begin a status line
    /// (`HTTP/...`), instead of waiting for the deadline. A server that sends the request back,
    /// as an echo server does, fails at once, and the message says that it echoes.
    pub fn http_answer(mut self) -> Exchange {
        self.http_answer = true;
        self
    }

    /// Expects no answer before the last piece of the request is on its way: fails if the
    /// server starts answering earlier, as one does that takes a short read for the whole
    /// request.
    pub fn answer_after_last_piece(mut self) -> Exchange {
        self.answer_after_last_piece = true;
        self
    }

    /// Adds a line to every failure message, such as the docs chapter that helps.
    pub fn hint(mut self, hint: &str) -> Exchange {
        self.hint = format!("\n{hint}");
        self
    }

    /// Runs the exchange: writes on one thread while reading on this one (so a server that
    /// answers while it reads, like the echo server, never deadlocks against the test), and
    /// reads until the server closes the connection or the deadline passes.
    pub fn with(&self, target: &impl Target) -> Vec<u8> {
        self.with_local_addr(target).0
    }

    /// Runs the exchange like [`Exchange::with`], and also returns the address the test
    /// connected from: the client's address as the server sees it.
    pub fn with_local_addr(&self, target: &impl Target) -> (Vec<u8>, SocketAddr) {
        let stream = connect(target);
        let local = stream.local_addr().expect("the test socket's own address");
        let writer = stream.try_clone().expect("clone the test's socket");
        let pieces = split(&self.request, self.pieces);
        let total = pieces.len();
        // How many pieces the sender has started to write: an answer that arrives while this
        // is below `total` came before the server could have had the whole request.
        let begun = Arc::new(AtomicUsize::new(0));
        let close_writing = self.close_writing;
        let sending = thread::spawn({
            let begun = Arc::clone(&begun);
            move || send(writer, &pieces, close_writing, &begun)
        });
        let (received, ended) = read_watching(stream, |received| {
            self.problem_so_far(received, begun.load(Ordering::SeqCst), total)
        });
        let error = match ended {
            Ended::Closed => None,
            Ended::Stopped(problem) => {
                panic!("{problem}{}\n{}", self.why(target), self.what_was_sent())
            }
            Ended::Failed(error) => Some(error),
        };
        let sent = sending
            .join()
            .unwrap_or_else(|_| Err(io::Error::other("the sender panicked")));
        if let Some(error) = error {
            panic!("{}", self.explain(target, &received, &error, sent.err()));
        }
        if received.is_empty()
            && let Some(why) = target.why_stopped()
        {
            panic!(
                "your server closed the connection without an answer.\n{why}{}",
                self.hint
            );
        }
        (received, local)
    }

    /// What is already wrong with the answer's first bytes, if anything: checked after each
    /// read, so that such a failure is reported at once.
    fn problem_so_far(&self, received: &[u8], begun: usize, total: usize) -> Option<String> {
        let start = &received[..received.len().min(5)];
        if self.http_answer && !b"HTTP/".starts_with(start) {
            let echo = if !received.is_empty() && self.request.starts_with(received) {
                "\nthat is what the test sent: your server sends the request back, as an echo \
                 server does, instead of answering it."
            } else {
                ""
            };
            return Some(format!(
                "your server's answer should begin with a status line such as \
                 `HTTP/1.1 200 OK`, but it begins:\n{}{echo}",
                indent(received)
            ));
        }
        if self.answer_after_last_piece && !received.is_empty() && begun < total {
            return Some(format!(
                "your server began to answer when only {begun} of the {total} pieces of the \
                 request had been sent:\n{}\nhint: a read returns whatever has arrived so far, \
                 so a short read does not mean that the request is complete.",
                indent(received)
            ));
        }
        None
    }

    /// The end of every failure message: what the test sent, and how.
    fn what_was_sent(&self) -> String {
        let stopped_sending = if self.close_writing {
            "then stopped sending"
        } else {
            "and kept the connection open for the answer, as a browser does"
        };
        let pieces = match self.pieces {
            1 => String::new(),
            n => format!(" in {n} pieces"),
        };
        format!(
            "the test sent {} bytes{pieces} {stopped_sending}:\n{}\n",
            self.request.len(),
            indent(&self.request)
        )
    }

    /// Why the server stopped, if it did, then the hint.
    fn why(&self, target: &impl Target) -> String {
        match target.why_stopped() {
            Some(why) => format!("\n{why}{}", self.hint),
            None => self.hint.clone(),
        }
    }

    fn explain(
        &self,
        target: &impl Target,
        received: &[u8],
        error: &io::Error,
        send_error: Option<io::Error>,
    ) -> String {
        let timed_out = matches!(
            error.kind(),
            io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
        );
        let mut text = match (timed_out, received.is_empty()) {
            (true, true) => format!(
                "your server sent nothing within {DEADLINE:?}: it never accepted the connection, \
                 or it accepted it and waited.\nhint: did it wait for more input than the \
                 client sends?"
            ),
            (true, false) => format!(
                "your server sent {} bytes but did not close the connection within \
                 {DEADLINE:?}.\nhint: close the connection (drop the stream) once the answer is \
                 sent.",
                received.len()
            ),
            (false, _) => format!(
                "reading the answer failed after {} bytes: {error}",
                received.len()
            ),
        };
        if let Some(send_error) = send_error {
            text += &format!("\n(sending the request failed too: {send_error})");
        }
        // What went wrong and what to do first, then the bytes.
        text += &self.why(target);
        if !received.is_empty() {
            text += &format!("\nthe test received:\n{}", indent(received));
        }
        text + "\n" + &self.what_was_sent()
    }
}

/// `request` cut into `pieces` parts of (nearly) equal size; an empty request is one piece.
fn split(request: &[u8], pieces: usize) -> Vec<Vec<u8>> {
    let size = request.len().div_ceil(pieces).max(1);
    let mut parts: Vec<Vec<u8>> = request.chunks(size).map(<[u8]>::to_vec).collect();
    if parts.is_empty() {
        parts.push(Vec::new());
    }
    parts
}

/// Writes the pieces with a pause between them, counting in `begun` each piece it starts.
fn send(
    mut stream: TcpStream,
    pieces: &[Vec<u8>],
    close: bool,
    begun: &AtomicUsize,
) -> io::Result<()> {
    for (i, piece) in pieces.iter().enumerate() {
        if i > 0 {
            thread::sleep(PAUSE); // the scenario itself: a request that arrives in pieces
        }
        begun.store(i + 1, Ordering::SeqCst);
        stream.write_all(piece)?;
    }
    if close {
        stream.shutdown(Shutdown::Write)?;
    }
    Ok(())
}

/// Connects, sends `message`, waits until the server's first answer byte has arrived, then
/// closes without reading it. Closing a socket with unread bytes resets the connection (a TCP
/// RST, not the polite FIN), as a client that crashes or is killed does: the server's next
/// read or write on it fails with "connection reset".
pub fn reset_after_answer(target: &impl Target, message: &[u8]) {
    let mut stream = connect(target);
    stream.write_all(message).expect("send the message");
    // `peek` leaves the byte unread, which is what makes the close a reset.
    match stream.peek(&mut [0; 1]) {
        Ok(1..) => {}
        Ok(0) => panic!(
            "the server closed the connection without answering {}",
            visible(message).trim_end()
        ),
        Err(error) => panic!(
            "no answer to {} within {DEADLINE:?}: {error}",
            visible(message).trim_end()
        ),
    }
}

/// How long after connecting the server's first byte arrives, when the test says nothing;
/// `None` if none comes within `patience`.
pub fn first_byte_after(target: &impl Target, patience: Duration) -> Option<Duration> {
    let stream = connect(target);
    stream
        .set_read_timeout(Some(patience))
        .expect("set a read deadline");
    let started = Instant::now();
    match stream.peek(&mut [0; 1]) {
        Ok(1..) => Some(started.elapsed()),
        _ => None,
    }
}

/// Reads until end-of-stream; returns what arrived and the error that stopped it, if any.
/// The deadline covers the whole read, not each call, so a trickle of bytes cannot hang a test.
pub fn read_until_closed(stream: TcpStream) -> (Vec<u8>, Option<io::Error>) {
    match read_watching(stream, |_| None) {
        (received, Ended::Failed(error)) => (received, Some(error)),
        (received, _) => (received, None),
    }
}

/// How reading an answer ended.
enum Ended {
    /// The server closed the connection.
    Closed,
    /// A read failed, or the deadline passed.
    Failed(io::Error),
    /// `problem` found something wrong with what had arrived so far.
    Stopped(String),
}

/// How much of an answer a test keeps: far more than any lab sends, little enough that a
/// server that sends without end cannot exhaust the test's memory.
pub const MAX_ANSWER: usize = 16 << 20;

/// Reads until end-of-stream, the deadline, [`MAX_ANSWER`] bytes, or `problem` (asked after
/// each read) finds fault with what has arrived so far.
fn read_watching(
    mut stream: TcpStream,
    problem: impl Fn(&[u8]) -> Option<String>,
) -> (Vec<u8>, Ended) {
    let started = Instant::now();
    let mut received = Vec::new();
    let mut buffer = [0; 8192];
    loop {
        let left = DEADLINE.saturating_sub(started.elapsed());
        if left.is_zero() {
            return (received, Ended::Failed(io::ErrorKind::TimedOut.into()));
        }
        if let Err(error) = stream.set_read_timeout(Some(left)) {
            return (received, Ended::Failed(error));
        }
        match stream.read(&mut buffer) {
            Ok(0) => return (received, Ended::Closed),
            Ok(n) => received.extend_from_slice(&buffer[..n]),
            Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
            Err(error) => return (received, Ended::Failed(error)),
        }
        if let Some(problem) = problem(&received) {
            return (received, Ended::Stopped(problem));
        }
        if received.len() > MAX_ANSWER {
            let problem = format!(
                "your server sent more than {} MiB without closing the connection, far more \
                 than this test's answer; the test stopped reading there.",
                MAX_ANSWER >> 20
            );
            return (received, Ended::Stopped(problem));
        }
    }
}

fn indent(bytes: &[u8]) -> String {
    visible(bytes)
        .lines()
        .map(|line| format!("    {line}"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Server;
    use crate::guard::catch;
    use std::net::TcpListener;

    /// Step 1's kind of server: sends back whatever arrives, until the client stops sending.
    fn echo(listener: TcpListener) -> io::Result<()> {
        loop {
            let (stream, _) = listener.accept()?;
            io::copy(&mut &stream, &mut &stream)?;
        }
    }

    /// Answers after its first read, whatever that read returned.
    fn hasty(listener: TcpListener) -> io::Result<()> {
        loop {
            let (mut stream, _) = listener.accept()?;
            let _first_read_only = stream.read(&mut [0; 1024])?;
            stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")?;
        }
    }

    /// Sends without end to each client.
    fn endless(listener: TcpListener) -> io::Result<()> {
        loop {
            let (stream, _) = listener.accept()?;
            let _ = io::copy(&mut io::repeat(b'x'), &mut &stream);
        }
    }

    #[test]
    fn a_server_that_sends_without_end_is_cut_off_at_the_cap() {
        let server = Server::start(endless);
        let message = catch(|| Exchange::send(b"hi").with(&server)).unwrap_err();
        assert!(
            message.starts_with("your server sent more than 16 MiB"),
            "{message}"
        );
    }

    #[test]
    fn an_echo_is_not_taken_for_an_http_answer_and_fails_at_once() {
        let server = Server::start(echo);
        let started = Instant::now();
        let exchange = Exchange::send(b"GET / HTTP/1.1\r\n\r\n").http_answer();
        let message = catch(|| exchange.with(&server)).unwrap_err();
        assert!(message.contains("sends the request back"), "{message}");
        assert!(started.elapsed() < DEADLINE, "it waited for the deadline");
    }

    #[test]
    fn an_answer_before_the_last_piece_is_too_early() {
        let server = Server::start(hasty);
        let exchange = Exchange::send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            .in_pieces(3)
            .answer_after_last_piece();
        let message = catch(|| exchange.with(&server)).unwrap_err();
        assert!(message.contains("only 1 of the 3 pieces"), "{message}");
        assert!(message.contains("in 3 pieces"), "{message}");
    }

    #[test]
    fn an_empty_request_is_one_empty_piece() {
        assert_eq!(split(b"", 3), [Vec::<u8>::new()]);
        assert_eq!(split(b"abcde", 2), [b"abc".to_vec(), b"de".to_vec()]);
    }
}
