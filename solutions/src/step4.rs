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

use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::ExitCode;

use labcli::serving::{RequestHead, serve_on_threads};

/// Serves clients, many at once, forever: `serve_on_threads` (given, in `labcli::serving`)
/// calls `handle_connection` for each client.
pub fn serve(listener: TcpListener) -> io::Result<()> {
    // lab:starter
    //| // TODO(Step 4): have each client served by `handle_connection` instead of `echo`.
    //| serve_on_threads(listener, echo)
    // lab:solution
    serve_on_threads(listener, handle_connection)
    // lab:end
}

// lab:starter
//| /// Step 1's echo: sends back every byte the client sends, until the client stops sending.
//| /// Point a browser at this server: the page does not load. Why? See
//| /// docs "Step 4: a canned 200" › "First, watch the echo server fail".
//| pub fn echo(mut stream: TcpStream) -> io::Result<()> {
//|     let mut buffer = [0; 1024];
//|     loop {
//|         let n = stream.read(&mut buffer)?;
//|         if n == 0 {
//|             return Ok(());
//|         }
//|         stream.write_all(&buffer[..n])?;
//|     }
//| }
//|
// lab:solution
// (The starter's `echo` is gone here: `handle_connection` took its place in `serve`.)
// lab:end
/// Answers one client: reads its whole request, sends `response_ok()`, and returns, which
/// drops the stream: the connection is done.
pub fn handle_connection(mut stream: TcpStream) -> io::Result<()> {
    // lab:todo Step 4: answer one client with the canned 200 (docs "Step 4: a canned 200" › "What you write")
    read_request(&mut stream)?;
    stream.write_all(&response_ok())
    // lab:end
}

/// Reads one request: the request line and the headers, up to and including the blank line
/// (`\r\n\r\n`) that ends them, however the bytes are split across reads. Returns all the
/// bytes read, which may go on past the blank line.
///
/// Any reader will do: the server passes its `TcpStream`, the tests a pretend client.
pub fn read_request(stream: impl Read) -> io::Result<Vec<u8>> {
    // Given: past MAX_REQUEST_HEAD bytes or HEAD_DEADLINE, a read fails (see `RequestHead`).
    let mut stream = RequestHead::limit(stream);
    // lab:todo Step 4: read one whole request (docs "Step 4: a canned 200" › "What you write")
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
    // lab:end
}

/// The canned answer: `200 OK` with a short plain-text body.
pub fn response_ok() -> Vec<u8> {
    // lab:todo Step 4: the bytes of the canned 200 OK answer (docs "Step 4: a canned 200" › "On the wire")
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
    // lab:end
}

/// The program: `step4 [--host 127.0.0.1] [--port 10000]`.
pub fn run(program: &str, args: Vec<String>) -> ExitCode {
    labcli::http_server_program(program, args, serve)
}
