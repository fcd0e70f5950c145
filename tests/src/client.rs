//! The test's side of a conversation with a server under test. Every connect, read and write
//! has a deadline, and every way the conversation can go wrong becomes a message with a hint.

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
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
        let (request, pieces, close_writing) =
            (self.request.clone(), self.pieces, self.close_writing);
        let sending = thread::spawn(move || send(writer, &request, pieces, close_writing));
        let (received, error) = read_until_closed(stream);
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
        let stopped_sending = if self.close_writing {
            "then stopped sending"
        } else {
            "and kept the connection open for the answer, as a browser does"
        };
        let mut text = format!(
            "the test sent {} bytes {stopped_sending}:\n{}\n",
            self.request.len(),
            indent(&self.request)
        );
        text += &match (timed_out, received.is_empty()) {
            (true, true) => format!(
                "your server accepted the connection but sent nothing within {DEADLINE:?}.\n\
                 hint: did it wait for more input than the client sends?"
            ),
            (true, false) => format!(
                "your server sent {} bytes but did not close the connection within {DEADLINE:?}:\n\
                 {}\nhint: close the connection (drop the stream) once the answer is sent.",
                received.len(),
                indent(received)
            ),
            (false, _) => format!(
                "reading the answer failed after {} bytes: {error}\n{}",
                received.len(),
                indent(received)
            ),
        };
        if let Some(send_error) = send_error {
            text += &format!("\n(sending the request failed too: {send_error})");
        }
        if let Some(why) = target.why_stopped() {
            text += &format!("\n{why}");
        }
        text + &self.hint
    }
}

fn send(mut stream: TcpStream, request: &[u8], pieces: usize, close: bool) -> io::Result<()> {
    let size = request.len().div_ceil(pieces).max(1);
    for (i, piece) in request.chunks(size).enumerate() {
        if i > 0 {
            thread::sleep(PAUSE); // the scenario itself: a request that arrives in pieces
        }
        stream.write_all(piece)?;
    }
    if close {
        stream.shutdown(Shutdown::Write)?;
    }
    Ok(())
}

/// Reads until end-of-stream; returns what arrived and the error that stopped it, if any.
/// The deadline covers the whole read, not each call, so a trickle of bytes cannot hang a test.
pub fn read_until_closed(mut stream: TcpStream) -> (Vec<u8>, Option<io::Error>) {
    let started = Instant::now();
    let mut received = Vec::new();
    let mut buffer = [0; 8192];
    loop {
        let left = DEADLINE.saturating_sub(started.elapsed());
        if left.is_zero() {
            return (received, Some(io::ErrorKind::TimedOut.into()));
        }
        if let Err(error) = stream.set_read_timeout(Some(left)) {
            return (received, Some(error));
        }
        match stream.read(&mut buffer) {
            Ok(0) => return (received, None),
            Ok(n) => received.extend_from_slice(&buffer[..n]),
            Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
            Err(error) => return (received, Some(error)),
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
