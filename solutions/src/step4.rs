//! Step 4: a web server that answers every request with the same `200 OK`.
//!
//! A browser sends its request and then waits for the answer with the connection still open,
//! so this server cannot read "until the client stops sending" as the echo server did. It reads
//! until the blank line that ends the request's headers, however the bytes are split across
//! reads, then sends a complete response and closes the connection.
//!
//! - `serve`: the accept loop; one client's trouble never stops it
//! - `handle_connection`: one client: read its request, answer, close
//! - `read_request`: the bytes of one request, up to the blank line after the headers
//! - `response_ok`: the answer, a canned `200 OK` with a short text body
//!
//! Docs chapter: "Step 4: a canned 200".

use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::ExitCode;
use std::time::Duration;

/// The longest request head (request line and headers) the server reads. Without a limit, a
/// client that never sends the blank line could make the server buffer until memory runs out;
/// a browser's request head is well under 8 KiB, the limit many servers use.
pub const MAX_REQUEST_HEAD: u64 = 8 * 1024;

/// How long the server waits for the next bytes of a request. It serves one client at a time,
/// so a client that connects and says nothing (browsers open spare connections in advance)
/// would otherwise hold up everyone else.
const READ_PATIENCE: Duration = Duration::from_secs(10);

/// Serves clients one after another, forever.
pub fn serve(listener: TcpListener) -> io::Result<()> {
    // lab:starter
    //| // TODO(Step 4): pass each connection to `handle_connection` instead of `echo`.
    //| for stream in listener.incoming() {
    //|     if let Err(error) = stream.and_then(echo) {
    //|         eprintln!("echo: {error}");
    //|     }
    //| }
    //| Ok(())
    // lab:solution
    for stream in listener.incoming() {
        // One client's trouble (it hung up mid-request, it took too long) must not stop the
        // server: say what happened and go on with the next client.
        if let Err(error) = stream.and_then(handle_connection) {
            eprintln!("no answer sent: {error}");
        }
    }
    Ok(())
    // lab:end
}

// lab:starter
//| /// Step 1's echo: sends back every byte the client sends, until the client stops sending.
//| /// Point a browser at this server: the page does not load. Why? See docs chapter
//| /// "Step 4: a canned 200".
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
/// Answers one client: reads its whole request, sends `response_ok()`, and closes the
/// connection (returning drops the stream, which closes it).
pub fn handle_connection(mut stream: TcpStream) -> io::Result<()> {
    stream.set_read_timeout(Some(READ_PATIENCE))?;
    // lab:todo Step 4: read the whole request with `read_request(&mut stream)`, then write all of `response_ok()` to the stream (docs chapter "Step 4: a canned 200")
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
    // Past MAX_REQUEST_HEAD bytes, a read returns 0, as if the client had stopped sending.
    let mut stream = stream.take(MAX_REQUEST_HEAD);
    // lab:todo Step 4: read into a buffer and collect the bytes in a Vec until they contain b"\r\n\r\n", then return them; a read that returns 0 before that is an error (docs chapter "Step 4: a canned 200")
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
                "the request head did not end: the client stopped sending, or sent over 8 KiB",
            ));
        }
        request.extend_from_slice(&buffer[..n]);
    }
    Ok(request)
    // lab:end
}

/// The canned answer: `200 OK` with a short plain-text body.
pub fn response_ok() -> Vec<u8> {
    // lab:todo Step 4: return the bytes of a 200 OK response: the status line, Content-Type: text/plain, Content-Length, Connection: close, a blank line, then a short body; end every line with \r\n (docs chapter "Step 4: a canned 200")
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
