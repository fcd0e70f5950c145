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
//! - given, near the end of the file: what lets one server take a whole classroom (clients
//!   served at once or by helper threads, time limits, 431 for a request head over the limit)
//!
//! Docs chapter: "Step 7: serving files".

// The stubs below do not use their parameters and imports yet; delete these
// two lines once you have written them, to see the compiler's warnings again.
#![allow(unused_variables, unused_imports, unused_mut, dead_code)]

use std::any::Any;
use std::fmt;
use std::fs;
use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Arc, Mutex, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

/// Serves the workbook's sample site, `webroot/`, to many clients at once, forever.
pub fn serve(listener: TcpListener) -> io::Result<()> {
    serve_webroot(listener, &labcli::workspace_webroot())
}

/// Serves the files under `webroot` to many clients at once, forever: `serve_on_threads`
/// (given, near the end of this file) calls `handle_connection` for each client.
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
    // TODO(Step 7): answer a GET with what its URI names: `resolve_uri(uri, webroot)` gives
    // the body and its MIME type for `response_ok`; `ResolveError::NotFound` gets
    // `response_not_found()`; `ResolveError::Failed` is the server's trouble: return it as
    // an io::Error (the bonus answers it with a 500 instead).
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
        "Step 7: find the path with `path_in_webroot(uri, webroot)?`; for a folder, send `folder_entries`, one a line, as text/plain; for a file, its bytes (`fs::read`) and `mime_type`; anything else is ResolveError::NotFound (docs chapter \"Step 7: serving files\")"
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
        "Step 7: leave out the query and fragment; the rest must start with `/`; push each non-empty segment, decoded with `percent_decode`, onto the webroot if `is_plain_name` says so (else NotFound); then `canonicalize` both paths and check that the file's still `starts_with` the webroot (docs chapter \"Step 7: serving files\")"
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
        "Step 7: return false for \"..\", \".\" and any name that contains '/', '\\\\', ':' or '\\0'; true otherwise (docs chapter \"Step 7: serving files\")"
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
        "Step 7: read the folder with `fs::read_dir(dir)?`; for each entry, its `file_name()` as a String (`to_string_lossy`), plus \"/\" if `entry.path().is_dir()`; then sort them (docs chapter \"Step 7: serving files\")"
    )
}

/// The MIME type of the file at `path`, guessed from its extension (`.html` is `text/html`,
/// `.png` is `image/png`), or `application/octet-stream`, "some bytes", when it says nothing.
/// The client decides with it what to do with the body: lay out a page, show a picture...
fn mime_type(path: &Path) -> &'static str {
    todo!(
        "Step 7: return `mime_guess::from_path(path).first_raw()`, or \"application/octet-stream\" if that is None (docs chapter \"Step 7: serving files\")"
    )
}

/// `200 OK` with `body`, whose type is `mime_type`, such as `text/html` or `image/png`.
pub fn response_ok(body: &[u8], mime_type: &str) -> Vec<u8> {
    // TODO(Step 7): send `body` with the header `Content-Type: {mime_type}`, instead of
    // step 6's canned text. The body may be any bytes (a picture is not text).
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
    todo!(
        "Step 7: return the bytes of a 404 Not Found response: the status line, Content-Type: text/plain, Content-Length, Connection: close, the blank line, then a short text body (docs chapter \"Step 7: serving files\")"
    )
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
    todo!(
        "Step 7 bonus: return the bytes of a 500 Internal Server Error response: the status line, Content-Type: text/plain, Content-Length, Connection: close, the blank line, then a short text body (docs chapter \"Step 7: serving files\")"
    )
}

/// Bonus: `when` as HTTP writes dates (RFC 9110's IMF-fixdate), always in GMT:
/// `Sun, 06 Nov 1994 08:49:37 GMT`.
pub fn http_date(when: DateTime<Utc>) -> String {
    todo!(
        "Step 7 bonus: format `when` like `Sun, 06 Nov 1994 08:49:37 GMT` with `when.format(\"...\")`: %a, %d, %b, %Y, %H:%M:%S (docs chapter \"Step 7: serving files\")"
    )
}

// Given: what lets one server take a whole classroom. Thirty browsers load the page at the
// same moment; each opens spare connections that send nothing until it needs them; students'
// programs send bytes that no browser would. The lesson's code above stays as it is: the code
// below calls it, within limits that keep any one client from holding up the others, or from
// making the server use ever more threads or memory.

/// The longest request head (request line and headers) the server reads. Without a limit, a
/// client that never sends the blank line could make the server buffer until memory runs out;
/// a browser's request head is well under 8 KiB, the limit many servers use.
pub const MAX_REQUEST_HEAD: u64 = 8 * 1024;

/// How many threads wait for the clients that are slow to send their request (a browser's
/// spare connection, someone typing a request by hand), so that the accepting threads never
/// do. They start with the server and there are never more; as many slow clients again can
/// wait in line for one, and past that a new slow client is turned away (its connection
/// closed) rather than hold up everyone else.
pub const HELPERS: usize = 64;

/// How many threads accept clients and answer those whose request has arrived. Two: while
/// one waits for a client to take a long answer, the other goes on.
pub const ACCEPTORS: usize = 2;

/// How long an accepting thread waits for a new client's request before handing the client
/// to a helper. Browsers and programs send their request as soon as they are connected.
const ARRIVAL_WAIT: Duration = Duration::from_millis(1);

/// How long a helper waits for a client's next bytes, and how long the server waits for a
/// client to take the next bytes of its answer. A browser's spare connection sends nothing
/// until the browser needs it: after this long, its helper is free again.
pub const PATIENCE: Duration = Duration::from_secs(10);

/// How long a whole request head may take to arrive. Without it, a client that sends one byte
/// every few seconds would keep its helper for hours; 30 s is still time enough to type a
/// request by hand with `nc`.
pub const HEAD_DEADLINE: Duration = Duration::from_secs(30);

/// Runs `handle` for every client that connects, forever.
///
/// Nearly every client has sent its whole request head by the time it is accepted: the
/// thread that accepted it answers it at once, which is as fast as a server can be (handing
/// it to another thread would cost more than answering it). A client whose request is not there yet
/// goes to one of the HELPERS. A panic in `handle`, on any thread, stops the server, as it
/// would stop a loop that serves one client after another: a panic is a bug to fix.
fn serve_on_threads<H>(listener: TcpListener, handle: H) -> io::Result<()>
where
    H: Fn(TcpStream) -> io::Result<()> + Clone + Send + 'static,
{
    let (panicked, panics) = mpsc::channel();
    let (to_helpers, slow_clients) = mpsc::sync_channel(HELPERS);
    let slow_clients = Arc::new(Mutex::new(slow_clients));
    for number in 1..=HELPERS {
        let (slow_clients, handle) = (slow_clients.clone(), handle.clone());
        let helper = move || help(&slow_clients, &handle);
        start_thread(format!("helper {number}"), &panicked, helper)?;
    }
    let listener = Arc::new(listener);
    for number in 1..=ACCEPTORS {
        let (listener, handle, to_helpers) = (listener.clone(), handle.clone(), to_helpers.clone());
        let acceptor = move || accept(&listener, &handle, &to_helpers);
        start_thread(format!("acceptor {number}"), &panicked, acceptor)?;
    }
    // The threads serve forever: only a panic ends one. Stop the server with the first panic
    // (its message was printed when it happened).
    drop(panicked);
    match panics.recv() {
        Ok(panic) => panic::resume_unwind(panic),
        Err(_) => Ok(()), // every thread ended without a panic, which they never do
    }
}

/// Starts a thread called `name` that runs `work`, and sends its panic, if it panics.
fn start_thread(
    name: String,
    panicked: &mpsc::Sender<Box<dyn Any + Send>>,
    work: impl FnOnce() + Send + 'static,
) -> io::Result<()> {
    let panicked = panicked.clone();
    thread::Builder::new().name(name).spawn(move || {
        if let Err(panic) = panic::catch_unwind(AssertUnwindSafe(work)) {
            let _ = panicked.send(panic);
        }
    })?;
    Ok(())
}

/// An accepting thread: answers each client whose request has arrived, and hands the others
/// to the helpers, forever.
fn accept(
    listener: &TcpListener,
    handle: &impl Fn(TcpStream) -> io::Result<()>,
    to_helpers: &mpsc::SyncSender<TcpStream>,
) {
    for stream in listener.incoming() {
        match stream {
            Ok(stream) if request_has_arrived(&stream) => report(serve_at_once(stream, handle)),
            Ok(stream) => {
                if to_helpers.try_send(stream).is_err() {
                    eprintln!("turned a slow client away: every helper is busy, and its line full");
                }
            }
            // Accepting fails when the process has no file descriptor left, for instance:
            // pause rather than try again at once, which would only keep a core busy.
            Err(error) => {
                eprintln!("cannot accept a client: {error}");
                thread::sleep(Duration::from_millis(100));
            }
        }
    }
}

/// Whether the client's whole request head is already here, waiting at most ARRIVAL_WAIT for
/// it: then reading it keeps nobody waiting.
fn request_has_arrived(stream: &TcpStream) -> bool {
    let mut head = [0; MAX_REQUEST_HEAD as usize];
    // `peek` looks at the bytes that have arrived and leaves them there for `handle` to read.
    stream.set_read_timeout(Some(ARRIVAL_WAIT)).is_ok()
        && stream
            .peek(&mut head)
            .is_ok_and(|n| head[..n].windows(4).any(|four| four == b"\r\n\r\n"))
}

/// Serves a client whose request head is here. Its reads still wait at most ARRIVAL_WAIT,
/// which is plenty for bytes that have arrived.
fn serve_at_once(
    stream: TcpStream,
    handle: &impl Fn(TcpStream) -> io::Result<()>,
) -> io::Result<()> {
    // A client that never reads its answer would otherwise block the writing for good, once
    // the network's buffers are full.
    stream.set_write_timeout(Some(PATIENCE))?;
    handle(stream)
}

/// A helper thread: serves the slow clients handed to it, one after another, forever.
fn help(
    slow_clients: &Mutex<mpsc::Receiver<TcpStream>>,
    handle: &impl Fn(TcpStream) -> io::Result<()>,
) {
    loop {
        // One helper at a time waits on the line; it lets go of it before serving its client.
        let Ok(line) = slow_clients.lock() else {
            return;
        };
        let Ok(stream) = line.recv() else { return };
        drop(line);
        report(serve_slow_client(stream, handle));
    }
}

/// Serves a client whose request is slow to come: within PATIENCE for every read and write,
/// and HEAD_DEADLINE for the whole head. A head over MAX_REQUEST_HEAD gets
/// `431 Request Header Fields Too Large`.
fn serve_slow_client(
    stream: TcpStream,
    handle: &impl Fn(TcpStream) -> io::Result<()>,
) -> io::Result<()> {
    stream.set_read_timeout(Some(PATIENCE))?;
    stream.set_write_timeout(Some(PATIENCE))?;
    // A second handle on the same connection, to answer once `handle` has dropped its own.
    let connection = stream.try_clone()?;
    match handle(stream) {
        Err(error) if error.kind() == HEAD_TOO_LARGE => {
            (&connection).write_all(HEAD_TOO_LARGE_ANSWER)?;
            // The client is still sending its endless head: read it away before closing.
            hang_up(connection)
        }
        served => served,
    }
}

/// One client's trouble (it hung up mid-request, it took too long) must not stop the server:
/// say what happened, and go on with the next client.
fn report(served: io::Result<()>) {
    if let Err(error) = served {
        eprintln!("no answer sent: {error}");
    }
}

/// The error kind of a read past MAX_REQUEST_HEAD bytes, so that `serve_slow_client` can tell
/// it from a client that stopped sending.
const HEAD_TOO_LARGE: io::ErrorKind = io::ErrorKind::FileTooLarge;

const HEAD_TOO_LARGE_ANSWER: &[u8] = b"HTTP/1.1 431 Request Header Fields Too Large\r\n\
    Content-Length: 0\r\n\
    Connection: close\r\n\
    \r\n";

/// A request head as it arrives: a reader that fails with HEAD_TOO_LARGE once it has given
/// MAX_REQUEST_HEAD bytes, and with `TimedOut` once HEAD_DEADLINE has passed.
struct RequestHead<R> {
    stream: io::Take<R>,
    deadline: Instant,
}

impl<R: Read> RequestHead<R> {
    fn limit(stream: R) -> Self {
        RequestHead {
            stream: stream.take(MAX_REQUEST_HEAD),
            deadline: Instant::now() + HEAD_DEADLINE,
        }
    }
}

impl<R: Read> Read for RequestHead<R> {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        if self.stream.limit() == 0 {
            return Err(io::Error::new(
                HEAD_TOO_LARGE,
                "the request head is over 8 KiB",
            ));
        }
        // Checked before each read, and a read waits at most PATIENCE: a request head ends,
        // complete or not, within HEAD_DEADLINE + PATIENCE.
        if Instant::now() > self.deadline {
            let late = "the request head did not arrive within 30 s";
            return Err(io::Error::new(io::ErrorKind::TimedOut, late));
        }
        self.stream.read(buffer)
    }
}

/// Ends a connection whose client may still be sending: shuts down our writing side (the
/// client reads the answer, then the end of the stream), then reads and drops what the client
/// sends, for at most a second, before closing. Closing with the client's bytes unread would
/// make the operating system reset the connection, and a reset can destroy the answer before
/// the client has read it.
fn hang_up(mut connection: TcpStream) -> io::Result<()> {
    connection.shutdown(Shutdown::Write)?;
    let deadline = Instant::now() + Duration::from_secs(1);
    let mut discarded = [0; 1024];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Ok(());
        }
        connection.set_read_timeout(Some(left))?;
        match connection.read(&mut discarded) {
            Ok(0) => return Ok(()),
            Ok(_) => {}
            Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
            // A timeout, or a client that reset the connection: either way, it is over.
            Err(_) => return Ok(()),
        }
    }
}

/// The program: `step7 [--host 127.0.0.1] [--port 10000] [--webroot DIR]`.
pub fn run(program: &str, args: Vec<String>) -> ExitCode {
    labcli::webroot_server_program(program, args, serve_webroot)
}
