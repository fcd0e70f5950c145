// Your starting point for Step 4: a canned 200, written by `cargo xtask sync-labs` from solutions/src/step4.rs.
// This file is yours: edit it until `cargo test -p step4` passes.
//! Step 4: a web server that answers every request with the same `200 OK`.
//!
//! A browser sends its request and then waits for the answer with the connection still open,
//! so this server cannot read "until the client stops sending" as the echo server did. It reads
//! until the blank line that ends the request's headers, however the bytes are split across
//! reads, then sends a complete response and closes the connection.
//!
//! - `serve`: hands every client to `handle_connection`, many clients at once
//! - `handle_connection`: one client: read its request, answer, close
//! - `read_request`: the bytes of one request, up to the blank line after the headers
//! - `response_ok`: the answer, a canned `200 OK` with a short text body
//! - given, in `labcli::serving`: what lets one server take a whole classroom (clients
//!   served at once or by helper threads, time limits, 431 for a request head over the limit)
//!
//! Docs chapter: "Step 4: a canned 200".

// The stubs below do not use their parameters and imports yet; delete these
// two lines once you have written them, to see the compiler's warnings again.
#![allow(unused_variables, unused_imports, unused_mut, dead_code)]

use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::ExitCode;

use labcli::serving::{RequestHead, serve_on_threads};

/// Serves clients, many at once, forever: `serve_on_threads` (given, in `labcli::serving`)
/// calls `handle_connection` for each client.
pub fn serve(listener: TcpListener) -> io::Result<()> {
    // TODO(Step 4): have each client served by `handle_connection` instead of `echo`.
    serve_on_threads(listener, echo)
}

/// Step 1's echo: sends back every byte the client sends, until the client stops sending.
/// Point a browser at this server: the page does not load. Why? See
/// docs "Step 4: a canned 200" › "First, watch the echo server fail".
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

/// Answers one client: reads its whole request, sends `response_ok()`, and returns, which
/// drops the stream: the connection is done.
pub fn handle_connection(mut stream: TcpStream) -> io::Result<()> {
    todo!(
        "Step 4: answer one client with the canned 200 (docs \"Step 4: a canned 200\" › \"What you write\")"
    )
}

/// Reads one request: the request line and the headers, up to and including the blank line
/// (`\r\n\r\n`) that ends them, however the bytes are split across reads. Returns all the
/// bytes read, which may go on past the blank line.
///
/// Any reader will do: the server passes its `TcpStream`, the tests a pretend client.
pub fn read_request(stream: impl Read) -> io::Result<Vec<u8>> {
    // Given: past MAX_REQUEST_HEAD bytes or HEAD_DEADLINE, a read fails (see `RequestHead`).
    let mut stream = RequestHead::limit(stream);
    todo!("Step 4: read one whole request (docs \"Step 4: a canned 200\" › \"What you write\")")
}

/// The canned answer: `200 OK` with a short plain-text body.
pub fn response_ok() -> Vec<u8> {
    todo!(
        "Step 4: the bytes of the canned 200 OK answer (docs \"Step 4: a canned 200\" › \"On the wire\")"
    )
}

/// The program: `step4 [--host 127.0.0.1] [--port 10000]`.
pub fn run(program: &str, args: Vec<String>) -> ExitCode {
    labcli::http_server_program(program, args, serve)
}
