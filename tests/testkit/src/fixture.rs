//! Scripted servers for the client labs: each accepts one connection, records exactly what the
//! client sent, replies with scripted bytes (in pieces, with pauses, to catch clients that stop
//! after their first read) and closes.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::mpsc::{self, Receiver};
use std::thread;
use std::time::Instant;

use crate::DEADLINE;
use crate::client::PAUSE;
use crate::show::visible;

/// When the fixture has heard the whole request and starts replying.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ReadUntil {
    /// The client shuts down its writing side (the echo client).
    EndOfStream,
    /// The client ends its headers with a blank line, `\r\n\r\n` (an HTTP client).
    BlankLine,
}

/// A scripted server on `127.0.0.1:0`, or on a listener the test bound.
pub struct Fixture {
    addr: SocketAddr,
    until: ReadUntil,
    recorded: Receiver<(Vec<u8>, bool)>,
}

impl Fixture {
    /// Starts a fixture that reads the request until `until`, then sends `reply` piece by
    /// piece with a pause between pieces, then closes the connection.
    pub fn start(until: ReadUntil, reply: &[&[u8]]) -> Fixture {
        crate::ending::watch();
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a fixture to port 0");
        Fixture::serve(listener, until, reply)
    }

    /// [`Fixture::start`] on `listener`, bound by the test to an address of its choice.
    pub fn serve(listener: TcpListener, until: ReadUntil, reply: &[&[u8]]) -> Fixture {
        let addr = listener.local_addr().expect("the fixture's address");
        let reply: Vec<Vec<u8>> = reply.iter().map(|piece| piece.to_vec()).collect();
        let (sender, recorded) = mpsc::channel();
        thread::spawn(move || {
            let Ok((stream, _)) = listener.accept() else {
                return;
            };
            let (request, complete) = record(&stream, until);
            let _ = sender.send((request, complete));
            if complete {
                let _ = send_pieces(stream, &reply);
            }
        });
        Fixture {
            addr,
            until,
            recorded,
        }
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT` followed by `path`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// The bytes the client sent. Fails with a hint if the client never connected or never
    /// finished its request.
    pub fn received(&self) -> Vec<u8> {
        let Ok((request, complete)) = self.recorded.recv_timeout(DEADLINE * 2) else {
            panic!(
                "nothing connected to the test's server at {}, the address your client was \
                 given: connect to the host and port you are given",
                self.addr
            )
        };
        if !complete {
            let missing = match self.until {
                ReadUntil::EndOfStream => {
                    "never said it had finished sending.\nhint: after writing the message, shut \
                     down the writing side (`stream.shutdown(Shutdown::Write)`) so that the \
                     server's read returns 0"
                }
                ReadUntil::BlankLine => {
                    "never ended its request with a blank line.\nhint: every line ends with \
                     \\r\\n, and an empty line (\\r\\n\\r\\n) ends the headers"
                }
            };
            panic!(
                "your client sent {} bytes and then {missing}.\nIt sent:\n{}",
                request.len(),
                visible(&request)
            );
        }
        request
    }
}

/// Reads from `stream` until `until` or the deadline; returns the bytes and whether the
/// request was complete.
fn record(mut stream: &TcpStream, until: ReadUntil) -> (Vec<u8>, bool) {
    let started = Instant::now();
    let mut request = Vec::new();
    let mut buffer = [0; 8192];
    loop {
        if until == ReadUntil::BlankLine && crate::http::head_length(&request).is_some() {
            return (request, true);
        }
        let left = DEADLINE.saturating_sub(started.elapsed());
        if left.is_zero() || stream.set_read_timeout(Some(left)).is_err() {
            return (request, false);
        }
        match stream.read(&mut buffer) {
            Ok(0) => return (request, until == ReadUntil::EndOfStream),
            Ok(n) => request.extend_from_slice(&buffer[..n]),
            Err(_) => return (request, false),
        }
        // Far more than any lab's client sends: one that sends without end stops here.
        if request.len() > crate::client::MAX_ANSWER {
            return (request, false);
        }
    }
}

fn send_pieces(mut stream: TcpStream, pieces: &[Vec<u8>]) -> std::io::Result<()> {
    stream.set_write_timeout(Some(DEADLINE))?;
    for (i, piece) in pieces.iter().enumerate() {
        if i > 0 {
            stream.flush()?;
            thread::sleep(PAUSE); // the scenario itself: an answer that arrives in pieces
        }
        stream.write_all(piece)?;
    }
    Ok(())
}
