// Your starting point for Step 7: serving files, written by `cargo xtask sync-labs` from solutions/src/step7.rs.
// This file is yours: edit it until `cargo test -p step7` passes.
//! Step 7: a web server that serves the files of a folder, the webroot.
//!
//! Step 6's server gave every GET the same canned text. This one reads the URI of the request
//! line as a path under the webroot and answers with what is there: a file's exact bytes, with
//! a `Content-Type` guessed from its name; a folder's listing; or `404 Not Found`. The URI comes
//! from the network, so it is checked before it touches the disk: no path that it names may lead
//! out of the webroot (`/../secret`, `/%2e%2e/secret`, a symlink pointing outside...).
//!
//! - `serve`, `serve_webroot`: serving the workbook's `webroot/` or any folder, many clients
//!   at once
//! - `handle_connection`: one client: read its request, pick the answer, send it, close
//! - `read_request`, `parse_request`, `RequestError`: the request, as in step 6
//! - `resolve_uri`, `ResolveError`: from a URI to the bytes to send and their MIME type
//! - `response_ok`, `response_not_found`, `response_method_not_allowed`,
//!   `response_bad_request`: the answers
//! - bonus (the lesson's "a few steps further"): HTML folder listings for browsers, a `Date`
//!   header (`http_date`), `response_internal_server_error`, and running a program found in
//!   the webroot to send its output (Unix only)
//! - given, in `labcli::serving`: what lets one server take a whole classroom (clients
//!   served at once or by helper threads, time limits, 431 for a request head over the limit)
//!
//! Docs chapter: "Step 7: serving files".

// The stubs below do not use their parameters and imports yet; delete these
// two lines once you have written them, to see the compiler's warnings again.
#![allow(unused_variables, unused_imports, unused_mut, dead_code)]

use std::fmt;
use std::fs;
use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chrono::{DateTime, Utc};
use labcli::serving::{RequestHead, serve_on_threads};

/// Serves the workbook's sample site, `webroot/`, to many clients at once, forever.
pub fn serve(listener: TcpListener) -> io::Result<()> {
    serve_webroot(listener, &labcli::workspace_webroot())
}

/// Serves the files under `webroot` to many clients at once, forever: `serve_on_threads`
/// (given, in `labcli::serving`) calls `handle_connection` for each client.
pub fn serve_webroot(listener: TcpListener, webroot: &Path) -> io::Result<()> {
    // Each thread that serves clients gets its own copy of the folder's path.
    let webroot = webroot.to_path_buf();
    serve_on_threads(listener, move |stream| handle_connection(stream, &webroot))
}

/// Answers one client: reads its whole request, then answers a GET with the file or folder
/// its URI names (or 404), another method with 405, an unreadable request line with 400.
/// Then the connection closes (returning drops the stream, which closes it).
pub fn handle_connection(mut stream: TcpStream, webroot: &Path) -> io::Result<()> {
    let request = read_request(&mut stream)?;
    // Given: a request whose header lines are not all `Name: value` is refused at once
    // (see `headers_are_well_formed`).
    if !headers_are_well_formed(&request) {
        return stream.write_all(&response_bad_request());
    }
    // TODO(Step 7): answer a GET with what `resolve_uri` finds for its URI, or a 404 when it
    // finds nothing (docs "Step 7: serving files" › "What you write").
    let response = match parse_request(&request) {
        Ok(_uri) => response_ok(b"Hello from your Rust web server!\n", "text/plain"),
        Err(RequestError::MethodNotAllowed) => response_method_not_allowed(),
        Err(RequestError::NotText | RequestError::MalformedRequestLine) => response_bad_request(),
    };
    stream.write_all(&response)
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

/// Why `resolve_uri` has nothing to send.
#[derive(Debug)]
pub enum ResolveError {
    /// Nothing in the webroot answers to the URI: no such file or folder, or a URI refused
    /// because it would lead out of the webroot. Both get a 404: a client probing for files
    /// outside learns nothing it could not learn from a typo.
    NotFound,
    /// The resource is there but could not be read (a permission, a disk error...): the
    /// server's trouble, not the client's.
    Failed(io::Error),
}

impl fmt::Display for ResolveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ResolveError::NotFound => f.write_str("not found"),
            ResolveError::Failed(error) => write!(f, "cannot read it: {error}"),
        }
    }
}

impl std::error::Error for ResolveError {}

/// Lets `?` turn a file-system error into a `ResolveError`: a path that does not exist (or
/// goes through a file as if it were a folder, as `/sample.txt/more` does) is `NotFound`;
/// anything else is `Failed`.
impl From<io::Error> for ResolveError {
    fn from(error: io::Error) -> Self {
        match error.kind() {
            io::ErrorKind::NotFound | io::ErrorKind::NotADirectory => ResolveError::NotFound,
            _ => ResolveError::Failed(error),
        }
    }
}

/// What the URI `uri` names under `webroot`, ready to send: the body and its MIME type.
///
/// - a file: its exact bytes, and the type its name suggests (`text/html` for `.html`...);
/// - a folder (`/images` or `/images/`): the names it holds, sorted, one a line, a folder's
///   name followed by `/`, as `text/plain`;
/// - anything else, or a URI that would lead out of the webroot: `ResolveError::NotFound`.
///
/// The query string and the fragment (`?lang=en`, `#top`) do not name a file: they are left out.
pub fn resolve_uri(uri: &str, webroot: &Path) -> Result<(Vec<u8>, &'static str), ResolveError> {
    todo!(
        "Step 7: what `uri` names in the web root (docs \"Step 7: serving files\" › \"From a URI to a file\")"
    )
}

/// The file or folder that `uri` names under `webroot`, as a real path: symlinks followed,
/// no `.` or `..` left. It is always inside the webroot: a URI that would lead anywhere else
/// gets `ResolveError::NotFound`, as does a URI that names nothing.
///
/// `/images/sunset.jpg` names `webroot/images/sunset.jpg`: the path after the first `/`, cut
/// at each `/` into segments; each segment, once its `%XX` escapes are decoded, is the name of
/// a folder or file, one inside the other. Empty segments (`//`, a trailing `/`) add nothing.
fn path_in_webroot(uri: &str, webroot: &Path) -> Result<PathBuf, ResolveError> {
    todo!(
        "Step 7: `uri` as a path in the web root (docs \"Step 7: serving files\" › \"Never out of the web root\")"
    )
}

/// Whether `name`, one segment of a URI's path once decoded, is the plain name of something in
/// a folder, which is all a segment may be. Each refusal closes a way out of the webroot:
///
/// - `..` is the parent folder: `/../Cargo.toml` would climb out. (`.` is the folder itself:
///   harmless, but no file is called that either.)
/// - `/` in a name (sent as `%2F`) would be a separator after all: `/images%2F..%2F..` would
///   hide a `..`; and pushing a name that starts with `/` onto a path *replaces* the path.
/// - `\` is a separator on Windows (sent as `%5C`: `/..%5CCargo.toml`).
/// - `:` makes `C:` a drive on Windows, where pushing `C:` onto a path also replaces it.
/// - NUL ends a name for the operating system: `secret.txt%00.html` must not pass for HTML.
fn is_plain_name(name: &str) -> bool {
    todo!(
        "Step 7: is `name` a plain name? (docs \"Step 7: serving files\" › \"Never out of the web root\")"
    )
}

/// Decodes the `%XX` escapes of one segment of a URI's path: `my%20page.html` is
/// `my page.html`. A URI can carry only some characters as they are; any other byte is sent
/// as `%` and two hexadecimal digits. Returns `None` if a `%` is not followed by two
/// hexadecimal digits, or if the decoded bytes are not UTF-8 text.
///
/// (Given: it is a detail of how URIs are written, not of serving files. `+` stands for a
/// space only in query strings, so here it stays a `+`.)
fn percent_decode(segment: &str) -> Option<String> {
    let bytes = segment.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut at = 0;
    while at < bytes.len() {
        if bytes[at] == b'%' {
            let hex = bytes.get(at + 1..at + 3)?;
            if !hex.iter().all(u8::is_ascii_hexdigit) {
                return None;
            }
            let hex = std::str::from_utf8(hex).ok()?;
            decoded.push(u8::from_str_radix(hex, 16).ok()?);
            at += 3;
        } else {
            decoded.push(bytes[at]);
            at += 1;
        }
    }
    String::from_utf8(decoded).ok()
}

/// The names in the folder `dir`, sorted, each folder's name followed by `/` (`icons/`), so
/// that a reader tells folders from files.
fn folder_entries(dir: &Path) -> io::Result<Vec<String>> {
    todo!(
        "Step 7: the sorted names in the folder `dir` (docs \"Step 7: serving files\" › \"On the wire\")"
    )
}

/// The MIME type of the file at `path`, guessed from its extension (`.html` is `text/html`,
/// `.png` is `image/png`), or `application/octet-stream`, "some bytes", when it says nothing.
/// The client decides with it what to do with the body: lay out a page, show a picture...
fn mime_type(path: &Path) -> &'static str {
    todo!(
        "Step 7: the MIME type of the file at `path` (docs \"Step 7: serving files\" › \"MIME types\")"
    )
}

/// `200 OK` with `body`, whose type is `mime_type`, such as `text/html` or `image/png`.
pub fn response_ok(body: &[u8], mime_type: &str) -> Vec<u8> {
    // TODO(Step 7): send `body`, of type `mime_type`, instead of step 6's canned text
    // (docs "Step 7: serving files" › "On the wire").
    let body = "Hello from your Rust web server!\n";
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

/// The answer when the URI names nothing the server can send: `404 Not Found`, with a short
/// text saying so, for the person who reads it in a browser.
pub fn response_not_found() -> Vec<u8> {
    todo!("Step 7: the bytes of the 404 answer (docs \"Step 7: serving files\" › \"On the wire\")")
}

/// The answer to a method other than GET: `405 Method Not Allowed`, with the `Allow` header a
/// 405 must carry, naming the methods the server does serve. It has no body, which also makes
/// it right for HEAD, whose answer never has one.
pub fn response_method_not_allowed() -> Vec<u8> {
    b"HTTP/1.1 405 Method Not Allowed\r\n\
      Allow: GET\r\n\
      Content-Length: 0\r\n\
      Connection: close\r\n\
      \r\n"
        .to_vec()
}

/// The answer to a request line the server cannot read: `400 Bad Request`, with no body.
pub fn response_bad_request() -> Vec<u8> {
    b"HTTP/1.1 400 Bad Request\r\n\
      Content-Length: 0\r\n\
      Connection: close\r\n\
      \r\n"
        .to_vec()
}

/// Bonus: the answer when serving failed on the server's side (a program that failed, a file
/// that could not be read): `500 Internal Server Error`, with a short text.
pub fn response_internal_server_error() -> Vec<u8> {
    todo!("Step 7 bonus: the bytes of a 500 answer (docs \"Step 7: serving files\" › \"Bonus\")")
}

/// Bonus: `when` as HTTP writes dates (RFC 9110's IMF-fixdate), always in GMT:
/// `Sun, 06 Nov 1994 08:49:37 GMT`.
pub fn http_date(when: DateTime<Utc>) -> String {
    todo!("Step 7 bonus: `when` as HTTP writes dates (docs \"Step 7: serving files\" › \"Bonus\")")
}

/// The program: `step7 [--host 127.0.0.1] [--port 10000] [--webroot DIR]`.
pub fn run(program: &str, args: Vec<String>) -> ExitCode {
    labcli::webroot_server_program(program, args, serve_webroot)
}
