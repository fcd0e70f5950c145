// Your starting point for Step 5: GET only, written by `cargo xtask sync-labs` from solutions/src/step5.rs.
// This file is yours: edit it until `cargo test -p step5` passes.
//! Step 5: a web server that answers GET, and only GET.
//!
//! Step 4's server answered anything with `200 OK`. This one reads the request line first:
//! `parse_request` splits it into method, URI and protocol, and refuses what it cannot serve
//! with an error that names the problem, never a panic. A GET gets the canned `200 OK`; any
//! other request gets no answer at all, the connection just closes (step 6 does better).
//!
//! - `serve`: hands every client to `handle_connection`, many clients at once
//! - `handle_connection`: one client: read its request, check it, answer a GET, close
//! - `read_request`: the bytes of one request, up to the blank line after the headers
//! - `parse_request`, `RequestError`: the request line, and why a request was refused
//! - `response_ok`: the answer, a canned `200 OK` with a short text body
//! - given, in `labcli::serving`: what lets one server take a whole classroom (clients
//!   served at once or by helper threads, time limits, 431 for a request head over the limit)
//!
//! Docs chapter: "Step 5: GET only".

// The stubs below do not use their parameters and imports yet; delete these
// two lines once you have written them, to see the compiler's warnings again.
#![allow(unused_variables, unused_imports, unused_mut, dead_code)]

use std::fmt;
use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::ExitCode;

use labcli::serving::{RequestHead, serve_on_threads};

/// Serves clients, many at once, forever: `serve_on_threads` (given, in `labcli::serving`)
/// calls `handle_connection` for each client.
pub fn serve(listener: TcpListener) -> io::Result<()> {
    serve_on_threads(listener, handle_connection)
}

/// Answers one client: reads its whole request and answers a GET with `response_ok()`; any
/// other request gets no answer. Either way the connection closes (returning drops the
/// stream, which closes it).
pub fn handle_connection(mut stream: TcpStream) -> io::Result<()> {
    let request = read_request(&mut stream)?;
    // TODO(Step 5): check the request with `parse_request` first, and answer only a GET.
    stream.write_all(&response_ok())
}

/// Reads one request: the request line and the headers, up to and including the blank line
/// (`\r\n\r\n`) that ends them, however the bytes are split across reads. Returns all the
/// bytes read, which may go on past the blank line.
///
/// Any reader will do: the server passes its `TcpStream`, the tests a pretend client.
pub fn read_request(stream: impl Read) -> io::Result<Vec<u8>> {
    // Given: past MAX_REQUEST_HEAD bytes or HEAD_DEADLINE, a read fails (see `RequestHead`).
    let mut stream = RequestHead::limit(stream);
    let mut request = Vec::new();
    let mut buffer = [0; 1024];
    // One read returns whatever has arrived so far, so a short read says nothing about the
    // request being complete: only the blank line does. Look for it in everything read so
    // far, since it can be split across two reads.
    while !request.windows(4).any(|four| four == b"\r\n\r\n") {
        let n = stream.read(&mut buffer)?;
        if n == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the client stopped sending before the blank line that ends the request head",
            ));
        }
        request.extend_from_slice(&buffer[..n]);
    }
    Ok(request)
}

/// Why `parse_request` refused a request: one variant for each thing that can be wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RequestError {
    /// The request line is not text (not UTF-8).
    NotText,
    /// The request line is not three words, `METHOD URI PROTOCOL`, with a protocol that
    /// starts with `HTTP/`.
    MalformedRequestLine,
    /// The method is not GET, the only one this server serves.
    MethodNotAllowed,
}

impl fmt::Display for RequestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RequestError::NotText => "request line is not text",
            RequestError::MalformedRequestLine => "malformed request line",
            RequestError::MethodNotAllowed => "method not allowed",
        })
    }
}

impl std::error::Error for RequestError {}

/// Reads the request line, the first line of `request` (such as `GET /index.html HTTP/1.1`),
/// and returns the URI if the method is GET. The headers after it do not matter here.
pub fn parse_request(request: &[u8]) -> Result<&str, RequestError> {
    todo!(
        "Step 5: a GET's URI, or why the request is refused (docs \"Step 5: GET only\" › \"What you write\")"
    )
}

/// The canned answer: `200 OK` with a short plain-text body.
pub fn response_ok() -> Vec<u8> {
    let body = "Hello from your Rust web server!\n";
    // Content-Length tells the client where the body ends, so it knows it has all of it;
    // Connection: close tells it not to send another request on this connection.
    format!(
        "HTTP/1.1 200 OK\r\n\
         Content-Type: text/plain\r\n\
         Content-Length: {}\r\n\
         Connection: close\r\n\
         \r\n\
         {body}",
        body.len()
    )
    .into_bytes()
}

/// The program: `step5 [--host 127.0.0.1] [--port 10000]`.
pub fn run(program: &str, args: Vec<String>) -> ExitCode {
    labcli::http_server_program(program, args, serve)
}
