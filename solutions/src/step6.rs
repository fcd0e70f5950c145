//! Step 6: a web server that answers every request, with a status code that says how it went.
//!
//! Step 5's server closed the connection without a word when it refused a request. This one
//! answers each one: `200 OK` for a GET, `405 Method Not Allowed` (with `Allow: GET`) for any
//! other method, `400 Bad Request` for a request line it cannot read. Then it goes on serving.
//!
//! - `serve`: hands every client to `handle_connection`, many clients at once
//! - `handle_connection`: one client: read its request, pick the answer, send it, close
//! - `read_request`: the bytes of one request, up to the blank line after the headers
//! - `parse_request`, `RequestError`: the request line, and why a request was refused
//! - `response_ok`, `response_method_not_allowed`, `response_bad_request`: the answers
//! - given, in `labcli::serving`: what lets one server take a whole classroom (clients
//!   served at once or by helper threads, time limits, 431 for a request head over the limit)
//!
//! Docs chapter: "Step 6: 405 Method Not Allowed".

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

/// Answers one client: reads its whole request, then answers it with the status code that
/// fits: 200, 405 or 400. Then the connection closes (returning drops the stream, which closes
/// it).
pub fn handle_connection(mut stream: TcpStream) -> io::Result<()> {
    let request = read_request(&mut stream)?;
    // Given: a request whose header lines are not all `Name: value` is refused at once
    // (see `headers_are_well_formed`).
    if !headers_are_well_formed(&request) {
        return stream.write_all(&response_bad_request());
    }
    // lab:starter
    //| // TODO(Step 6): answer every request, refused ones too, with the status code that fits
    //| // (docs "Step 6: 405 Method Not Allowed" › "Status codes").
    //| parse_request(&request).map_err(|error| io::Error::new(io::ErrorKind::InvalidData, error))?;
    //| stream.write_all(&response_ok())
    // lab:solution
    // A refused request is a normal outcome with its own answer, not an error of the server.
    let response = match parse_request(&request) {
        Ok(_uri) => response_ok(),
        Err(RequestError::MethodNotAllowed) => response_method_not_allowed(),
        Err(RequestError::NotText | RequestError::MalformedRequestLine) => response_bad_request(),
    };
    stream.write_all(&response)
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
    let line_end = request
        .windows(2)
        .position(|pair| pair == b"\r\n")
        .unwrap_or(request.len());
    // Bytes from the network can be anything: a line that is not UTF-8 is refused, not a panic.
    let line = std::str::from_utf8(&request[..line_end]).map_err(|_| RequestError::NotText)?;
    let words: Vec<&str> = line.split_whitespace().collect();
    let [method, uri, protocol] = words[..] else {
        return Err(RequestError::MalformedRequestLine);
    };
    if !protocol.starts_with("HTTP/") {
        return Err(RequestError::MalformedRequestLine);
    }
    // Methods are case-sensitive: `get` is not GET.
    if method != "GET" {
        return Err(RequestError::MethodNotAllowed);
    }
    Ok(uri)
}

/// Whether every header line of `request` has the shape `Name: value`: a name without spaces,
/// then a colon. RFC 9112 asks a server to refuse anything else with 400: a server and a proxy
/// in front of it that read a strange line differently could be made to see two different
/// requests. (Given: the lesson reads only the request line.)
fn headers_are_well_formed(request: &[u8]) -> bool {
    let head_end = request
        .windows(4)
        .position(|four| four == b"\r\n\r\n")
        .unwrap_or(request.len());
    let mut header_lines = request[..head_end].split(|&byte| byte == b'\n').skip(1);
    header_lines.all(|line| {
        let name_end = line.iter().position(|&byte| byte == b':');
        name_end.is_some_and(|end| end > 0 && !line[..end].iter().any(u8::is_ascii_whitespace))
    })
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

/// The answer to a method other than GET: `405 Method Not Allowed`, with the `Allow` header a
/// 405 must carry, naming the methods the server does serve. It has no body, which also makes
/// it right for HEAD, whose answer never has one.
pub fn response_method_not_allowed() -> Vec<u8> {
    // lab:todo Step 6: the bytes of the 405 answer (docs "Step 6: 405 Method Not Allowed" › "On the wire")
    b"HTTP/1.1 405 Method Not Allowed\r\n\
      Allow: GET\r\n\
      Content-Length: 0\r\n\
      Connection: close\r\n\
      \r\n"
        .to_vec()
    // lab:end
}

/// The answer to a request line the server cannot read: `400 Bad Request`, with no body.
pub fn response_bad_request() -> Vec<u8> {
    // lab:todo Step 6: the bytes of the 400 answer (docs "Step 6: 405 Method Not Allowed" › "On the wire")
    b"HTTP/1.1 400 Bad Request\r\n\
      Content-Length: 0\r\n\
      Connection: close\r\n\
      \r\n"
        .to_vec()
    // lab:end
}

/// The program: `step6 [--host 127.0.0.1] [--port 10000]`.
pub fn run(program: &str, args: Vec<String>) -> ExitCode {
    labcli::http_server_program(program, args, serve)
}
