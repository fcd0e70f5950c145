// Your starting point for Step 2: the time server, written by `cargo xtask sync-labs` from solutions/src/step2.rs.
// This file is yours: edit it until `cargo test -p step2` passes.
//! Step 2: the time server.
//!
//! The echo server waited for its client to speak. This one speaks first and never listens:
//! every client that connects is sent one line, the current time, and then the server hangs
//! up. Who talks first, and who ends the conversation, are part of a protocol too (the old
//! Daytime protocol works exactly like this). Docs chapter: "Step 2: the time server".
//!
//! - `time_line`: the bytes to send, worked out from the time alone
//! - `serve`: the accept loop, one client after another
//! - `hang_up`: closing a connection without losing the line we sent (given)
//! - bonus: `whoami_line` and `serve_whoami` tell each client its own address

// The stubs below do not use their parameters and imports yet; delete these
// two lines once you have written them, to see the compiler's warnings again.
#![allow(unused_variables, unused_imports, unused_mut, dead_code)]

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use chrono::{DateTime, SecondsFormat, Utc};

/// The line the server sends: `now` in RFC 3339, in UTC, to the whole second, ending in CRLF,
/// such as `2026-11-21T14:10:42Z\r\n`.
pub fn time_line(now: DateTime<Utc>) -> String {
    todo!(
        "Step 2: the line that tells the time `now` (docs \"Step 2: the time server\" › \"On the wire\")"
    )
}

/// Serves clients one after another, forever: each is told the time, then hung up on.
pub fn serve(listener: TcpListener) -> io::Result<()> {
    // This is Step 1's echo server. Step 2: make it tell each client the time, then hang up
    // (docs "Step 2: the time server" › "What you write").
    for stream in listener.incoming() {
        if let Err(error) = stream.and_then(echo) {
            eprintln!("echo: {error}");
        }
    }
    Ok(())
}

/// Step 1's echo: sends back every byte the client sends, until the client stops sending.
/// The time server has no use for it: delete it once `serve` tells the time.
pub fn echo(mut stream: TcpStream) -> io::Result<()> {
    let mut buffer = [0; 1024];
    loop {
        let n = stream.read(&mut buffer)?;
        if n == 0 {
            return Ok(());
        }
        stream.write_all(&buffer[..n])?;
    }
}

/// How long [`hang_up`] waits for the client to close its side before closing anyway.
pub const LINGER: Duration = Duration::from_secs(1);

/// Ends a connection without losing what was sent: shuts down our writing side (the client
/// reads the end of the stream), then reads and throws away whatever the client sent, until
/// the client closes its side too or [`LINGER`] has passed.
///
/// Why not simply drop the stream? Closing a socket while bytes it received are still unread
/// makes the operating system reset the connection instead of ending it politely, and a client
/// that receives a reset may drop the answer it has not read yet. This server never reads what
/// its clients send, so without this a client that typed something could lose the time.
pub fn hang_up(mut stream: TcpStream) -> io::Result<()> {
    stream.shutdown(Shutdown::Write)?;
    let deadline = Instant::now() + LINGER;
    let mut discarded = [0; 1024];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Ok(());
        }
        stream.set_read_timeout(Some(left))?;
        match stream.read(&mut discarded) {
            Ok(0) => return Ok(()),
            Ok(_) => {}
            Err(error) => match error.kind() {
                io::ErrorKind::Interrupted => {}
                io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => return Ok(()),
                _ => return Err(error),
            },
        }
    }
}

/// Bonus: the line that tells a client its own address as the server sees it, IP and port,
/// such as `127.0.0.1:54321\r\n`.
pub fn whoami_line(peer: SocketAddr) -> String {
    todo!(
        "Step 2 bonus: the address line for `peer` (docs \"Step 2: the time server\" › \"Bonus: who am I?\")"
    )
}

/// Bonus: serves clients one after another, forever: each is told its own address, then hung
/// up on.
pub fn serve_whoami(listener: TcpListener) -> io::Result<()> {
    todo!(
        "Step 2 bonus: tell each client its address (docs \"Step 2: the time server\" › \"Bonus: who am I?\")"
    )
}

/// The program: `step2 [--port 50000]`, or `step2 --whoami [--port 50000]` for the bonus.
pub fn run(program: &str, args: Vec<String>) -> ExitCode {
    labcli::time_program(program, args, serve, serve_whoami)
}
