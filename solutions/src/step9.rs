//! Step 9: keep-alive and request bodies.
//!
//! Up to step 8 the server closed the connection after every answer, and said so with
//! `Connection: close`. HTTP/1.1's default is the other way round: a connection stays open for
//! the next request, and the next, until one side says `Connection: close` or the client goes
//! quiet. This step reads request after request on one connection (also requests sent before
//! their turn: pipelining), and reads a request's body by its `Content-Length`, the header that
//! says where the body ends: `POST /uploads/NAME` stores it in the uploads folder.
//!
//! - `serve_connection`: one connection, many requests (new at this step)
//! - `Incoming`: a connection's bytes, a request head or a body at a time (new)
//! - `keeps_alive`, `body_length`: what a head says about the connection and the body (new)
//! - `store_upload` and the answers `response_created`, `response_conflict`,
//!   `response_length_required`, `response_content_too_large` (new)
//! - `serve`, `serve_webroot`, `serve_site`, `handle_connection`: serving a folder on the pool
//! - given: step 8's pool (`serve_pool`, `Shutdown`), step 7's files, and `read_request`,
//!   `parse_request`, `resolve_uri` and the other `response_*` functions, which no longer say
//!   `Connection: close`: the server adds it to the answer after which it closes
//! - bonus: `HEAD`, `Last-Modified` and `304 Not Modified`, `gzip` (the `flate2` crate)
//!
//! Docs chapter: "Step 9: keep-alive and request bodies".

use std::fmt;
use std::fs;
use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use labcli::serving::{HEAD_DEADLINE, MAX_REQUEST_HEAD, RequestHead};

/// How many workers `serve` and `serve_webroot` start, and the program without `--workers`.
pub const WORKERS: usize = 8;

/// How long a worker waits for the next bytes of a request under way, or for the client to
/// take the next bytes of its answer, before it gives up on that client.
pub const READ_TIMEOUT: Duration = Duration::from_secs(2);

/// How long a kept-alive connection may stay quiet between two requests before the server
/// closes it. A quiet connection holds a worker: a browser keeps a few open after loading a
/// page, and without a limit eight of them would leave no worker for anyone else.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(1);

/// The largest request body the server reads (1 MiB); past it, `413 Content Too Large`. The
/// body is held in memory until it is stored, once for each worker at most.
pub const MAX_BODY: u64 = 1024 * 1024;

/// How long a whole request body may take to arrive: a client that sends a byte a second
/// would otherwise hold its worker for days, within READ_TIMEOUT at every read.
pub const BODY_DEADLINE: Duration = Duration::from_secs(30);

/// How long the accept loop waits for room in the line before it answers `503`.
pub const LINE_WAIT: Duration = Duration::from_millis(500);

/// What `serve_pool` sends a client when every worker is busy and the line is full: try again
/// in a second.
pub const SERVICE_UNAVAILABLE: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\n\
    Retry-After: 1\r\n\
    Content-Length: 0\r\n\
    Connection: close\r\n\
    \r\n";

/// Given: asks a running `serve_pool` to stop. Its clones share one flag, so the test (or
/// Ctrl-C, in `run`) keeps one and `serve_pool` looks at another.
#[derive(Clone, Debug, Default)]
pub struct Shutdown(Arc<AtomicBool>);

impl Shutdown {
    pub fn new() -> Shutdown {
        Shutdown::default()
    }

    /// Asks the server to stop accepting, finish the answers under way, and return.
    pub fn request(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    /// Whether a shutdown has been asked for.
    pub fn is_requested(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }

    /// The flag itself, for a signal handler to set (see `run`).
    pub fn flag(&self) -> Arc<AtomicBool> {
        self.0.clone()
    }
}

/// What the server serves: the files of a web root, and, when it has an uploads folder, the
/// files that clients store there with `POST /uploads/NAME` (and fetch with
/// `GET /uploads/NAME`).
#[derive(Clone, Debug)]
pub struct Site {
    pub webroot: PathBuf,
    /// Without one, a POST is refused with 405, as in step 8.
    pub uploads: Option<PathBuf>,
}

impl Site {
    /// The files under `webroot`, and no uploads.
    pub fn files(webroot: &Path) -> Site {
        Site {
            webroot: webroot.to_path_buf(),
            uploads: None,
        }
    }
}

/// Serves the workbook's sample site, `webroot/`, with WORKERS workers, forever.
pub fn serve(listener: TcpListener) -> io::Result<()> {
    serve_webroot(listener, &labcli::workspace_webroot())
}

/// Serves the files under `webroot` with WORKERS workers, forever.
pub fn serve_webroot(listener: TcpListener, webroot: &Path) -> io::Result<()> {
    serve_site(listener, &Site::files(webroot), WORKERS, &Shutdown::new())
}

/// Serves `site` with `workers` workers, until `shutdown` is requested: what `serve_webroot`
/// and the program (`run`) do.
pub fn serve_site(
    listener: TcpListener,
    site: &Site,
    workers: usize,
    shutdown: &Shutdown,
) -> io::Result<()> {
    // Each worker gets its own copy of the site, and a flag that says when to stop keeping
    // connections open.
    let (site, stopping) = (site.clone(), shutdown.clone());
    let handle = move |stream| serve_connection(stream, &site, &stopping);
    serve_pool(listener, workers, shutdown, handle)
}

/// One connection to the files under `webroot`, until it ends: step 8's `handle_connection`,
/// now answering as many requests as the client sends.
pub fn handle_connection(stream: TcpStream, webroot: &Path) -> io::Result<()> {
    serve_connection(stream, &Site::files(webroot), &Shutdown::new())
}

/// Runs `handle` for every client that connects, on `workers` threads started here, until
/// `shutdown` is requested; then stops accepting (new clients are refused), lets the workers
/// finish every client already accepted, and returns once they all have ended.
///
/// A client waits in a line for a free worker; the line holds at most `workers` clients. When
/// it is full, the accept loop waits up to LINE_WAIT for room, then answers the client
/// SERVICE_UNAVAILABLE itself. Every client's reads and writes wait at most READ_TIMEOUT. A
/// panic in `handle` ends that client's connection, never its worker.
pub fn serve_pool<H>(
    listener: TcpListener,
    workers: usize,
    shutdown: &Shutdown,
    handle: H,
) -> io::Result<()>
where
    H: Fn(TcpStream) -> io::Result<()> + Clone + Send + 'static,
{
    let workers = workers.max(1);
    // The line: a channel that holds at most `workers` clients. The workers share its
    // receiving end, one waiting on it at a time.
    let (line, waiting) = mpsc::sync_channel(workers);
    let waiting = Arc::new(Mutex::new(waiting));
    let mut pool = Vec::with_capacity(workers);
    for number in 1..=workers {
        let (waiting, handle) = (waiting.clone(), handle.clone());
        let worker = thread::Builder::new()
            .name(format!("worker {number}"))
            .spawn(move || work(&waiting, &handle))?;
        pool.push(worker);
    }
    // A blocking `accept` would not look at `shutdown` until the next client came: a listener
    // that does not block returns at once, and the loop looks again in a millisecond (a new
    // client waits that long at most; a thousand looks a second cost next to nothing).
    listener.set_nonblocking(true)?;
    while !shutdown.is_requested() {
        match listener.accept() {
            Ok((stream, _)) => hand_over(stream, &line),
            Err(error) if error.kind() == io::ErrorKind::WouldBlock => {
                thread::sleep(Duration::from_millis(1));
            }
            Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
            // No file descriptor left, for instance: pause rather than try again at once.
            Err(error) => {
                eprintln!("accept failed, trying again shortly: {error}");
                thread::sleep(Duration::from_millis(50));
            }
        }
    }
    // Closing the listener refuses new clients; closing the line tells each worker to end once
    // the clients already in it are served.
    drop(listener);
    drop(line);
    for worker in pool {
        // A worker catches its clients' panics, so joining fails only if the thread was
        // killed some other way: nothing left to finish then.
        let _ = worker.join();
    }
    Ok(())
}

/// Puts a client in the line, waiting up to LINE_WAIT for room; past that, answers it 503.
fn hand_over(mut stream: TcpStream, line: &mpsc::SyncSender<TcpStream>) {
    // On some systems a connection accepted from a non-blocking listener does not block
    // either: the workers want one that does, with time limits.
    let ready = stream
        .set_nonblocking(false)
        .and_then(|()| set_timeouts(&stream));
    if let Err(error) = ready {
        return eprintln!("cannot serve a client: {error}");
    }
    let arrived = Instant::now();
    loop {
        match line.try_send(stream) {
            Ok(()) | Err(mpsc::TrySendError::Disconnected(_)) => return,
            Err(mpsc::TrySendError::Full(back)) if arrived.elapsed() < LINE_WAIT => {
                stream = back;
                // std's channel cannot wait for room with a time limit: look again shortly.
                thread::sleep(Duration::from_millis(1));
            }
            Err(mpsc::TrySendError::Full(mut back)) => {
                eprintln!("answered 503: every worker is busy, and the line is full");
                if let Err(error) = back.write_all(SERVICE_UNAVAILABLE) {
                    eprintln!("no answer sent: {error}");
                }
                return;
            }
        }
    }
}

/// Every read and write on `stream` waits at most READ_TIMEOUT.
fn set_timeouts(stream: &TcpStream) -> io::Result<()> {
    stream.set_read_timeout(Some(READ_TIMEOUT))?;
    stream.set_write_timeout(Some(READ_TIMEOUT))
}

/// A worker: serves the clients of the line one after another, until the line is closed and
/// empty.
fn work(waiting: &Mutex<mpsc::Receiver<TcpStream>>, handle: &impl Fn(TcpStream) -> io::Result<()>) {
    loop {
        // One worker at a time waits on the line; it lets go of it before serving its client.
        let next = match waiting.lock() {
            Ok(line) => line.recv(),
            Err(_) => return,
        };
        let Ok(stream) = next else { return };
        // A panic (a bug in `handle`) is this client's trouble: the worker lives on, or the
        // pool would shrink with every bug until no worker was left.
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| handle(stream))) {
            Ok(Ok(())) => {}
            Ok(Err(error)) => eprintln!("no answer sent: {error}"),
            Err(_) => eprintln!("a worker's client ended in a panic; the worker goes on"),
        }
    }
}

/// Answers every request the client sends on `stream`, one after another and in the order they
/// came, until the connection ends: the client closes it or stays quiet for IDLE_TIMEOUT between
/// two requests, a request says `Connection: close`, `shutdown` has been requested, or a
/// request cannot be read to its end. The answer after which the server closes says
/// `Connection: close`; every answer says where it ends, with `Content-Length`.
pub fn serve_connection(stream: TcpStream, site: &Site, shutdown: &Shutdown) -> io::Result<()> {
    // lab:starter
    //| // TODO(Step 9): answer request after request on this connection, and read their bodies
    //| // (docs "Step 9: keep-alive and request bodies" › "What you write").
    //| // Until then, it answers one request and closes, as in step 8.
    //| let _ = shutdown;
    //| let mut stream = stream;
    //| let request = read_request(&mut stream)?;
    //| let answer = answer_request(&request, None, site).unwrap_or_else(|refusal| refusal);
    //| answer.closing().send(&mut stream, Utc::now())
    // lab:solution
    // A small answer goes out at once, rather than wait until the client has acknowledged the
    // previous one (Nagle's algorithm): a kept-alive client waits for each answer before it
    // sends the next request, so the two would wait for each other.
    stream.set_nodelay(true)?;
    let mut incoming = Incoming::new(&stream);
    while let Some(head) = incoming.next_head()? {
        let reply = match read_announced_body(&mut incoming, &head, &stream) {
            Ok(body) => answer_request(&head, body.as_deref(), site),
            Err(refusal) => Err(refusal),
        };
        match reply {
            Ok(answer) if keeps_alive(&head) && !shutdown.is_requested() => {
                // An HTTP/1.0 client keeps the connection only if the answer says so too.
                let answer = match request_line(&head) {
                    Ok((_, _, "HTTP/1.0")) => answer.with_header("Connection: keep-alive"),
                    _ => answer,
                };
                answer.send(&mut &stream, Utc::now())?;
            }
            // A refused request may have left bytes on the way that are neither a body nor a
            // request: after its answer, nothing on this connection can be read right.
            Ok(answer) | Err(answer) => {
                answer.closing().send(&mut &stream, Utc::now())?;
                return labcli::serving::hang_up(stream);
            }
        }
    }
    Ok(())
    // lab:end
}

// lab:omit
/// The body that `head` announces, read from `incoming` (`None` if it announces none), or the
/// answer that refuses it, after which the connection closes.
fn read_announced_body(
    incoming: &mut Incoming,
    head: &[u8],
    mut stream: &TcpStream,
) -> Result<Option<Vec<u8>>, Answer> {
    let length = match body_length(head) {
        Ok(Some(length)) => length,
        Ok(None) => return Ok(None),
        Err(error) => return Err(Answer::Made(error.response())),
    };
    // A client that asks before it sends its body (curl does, for a large one) waits a second
    // for our go. HTTP/1.0 has no such answer.
    let http_1_1 = matches!(request_line(head), Ok((_, _, protocol)) if protocol != "HTTP/1.0");
    let asks = http_1_1
        && header_values(head, "Expect").any(|value| value.eq_ignore_ascii_case("100-continue"));
    if asks && length > 0 && stream.write_all(b"HTTP/1.1 100 Continue\r\n\r\n").is_err() {
        return Err(Answer::Made(response_bad_request()));
    }
    incoming
        .read_body(length)
        .map(Some)
        .map_err(|_| Answer::Made(response_bad_request()))
}

// lab:end
/// The bytes of one connection, read as they arrive and handed out a request head or a body at
/// a time. A read returns whatever has arrived, which may be the end of one request and the
/// start of the next (a client may send its requests without waiting for the answers): bytes
/// read past what was asked for wait here for the next call.
pub struct Incoming<'s> {
    stream: &'s TcpStream,
    /// Bytes read and not yet handed out.
    unread: Vec<u8>,
    /// The read timeout set on the stream, so that it is set again only when it changes.
    timeout: Option<Duration>,
    /// When the head or body being read must have arrived.
    deadline: Option<Instant>,
}

impl<'s> Incoming<'s> {
    pub fn new(stream: &'s TcpStream) -> Incoming<'s> {
        Incoming {
            stream,
            unread: Vec::new(),
            timeout: None,
            deadline: None,
        }
    }

    /// The next request's head: its request line and headers, up to and including the blank
    /// line that ends them. `Ok(None)` when the connection ends between two requests: the
    /// client has closed it, or sent nothing for IDLE_TIMEOUT. A head that stops half-way,
    /// grows past MAX_REQUEST_HEAD or takes longer than HEAD_DEADLINE is an error.
    pub fn next_head(&mut self) -> io::Result<Option<Vec<u8>>> {
        // lab:todo Step 9: the next request's head (docs "Step 9: keep-alive and request bodies" › "Many requests")
        self.deadline = None;
        loop {
            if let Some(end) = head_end(&self.unread) {
                return Ok(Some(self.take(end)));
            }
            if self.unread.len() as u64 > MAX_REQUEST_HEAD {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    "the request head is longer than MAX_REQUEST_HEAD",
                ));
            }
            // Between two requests the client may think, up to IDLE_TIMEOUT; once it has
            // started one, the rest must follow within READ_TIMEOUT, and the whole within
            // HEAD_DEADLINE.
            let between_requests = self.unread.is_empty();
            let waited = if between_requests {
                self.fill(IDLE_TIMEOUT)
            } else {
                let deadline = *self.deadline.get_or_insert(Instant::now() + HEAD_DEADLINE);
                self.fill_before(deadline)
            };
            match waited {
                Ok(0) | Err(_) if between_requests && self.unread.is_empty() => {
                    return Ok(None);
                }
                Ok(0) => {
                    return Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "the client stopped sending in the middle of a request head",
                    ));
                }
                Ok(_) => {}
                Err(error) => return Err(error),
            }
        }
        // lab:end
    }

    /// The body that follows the head just read: the next `length` bytes, exactly. Fails if
    /// the client stops sending before them, or takes longer than BODY_DEADLINE.
    pub fn read_body(&mut self, length: u64) -> io::Result<Vec<u8>> {
        // lab:todo Step 9: a body of `length` bytes (docs "Step 9: keep-alive and request bodies" › "Reading a body")
        let length = usize::try_from(length).map_err(|_| io::ErrorKind::OutOfMemory)?;
        let deadline = Instant::now() + BODY_DEADLINE;
        while self.unread.len() < length {
            if self.fill_before(deadline)? == 0 {
                let message = format!(
                    "the body ended after {} of the {length} bytes announced",
                    self.unread.len()
                );
                return Err(io::Error::new(io::ErrorKind::UnexpectedEof, message));
            }
        }
        Ok(self.take(length))
        // lab:end
    }

    /// Given: hands out the first `count` unread bytes.
    fn take(&mut self, count: usize) -> Vec<u8> {
        let rest = self.unread.split_off(count);
        std::mem::replace(&mut self.unread, rest)
    }

    /// Given: reads what has arrived, waiting at most READ_TIMEOUT, and fails with `TimedOut`
    /// once `deadline` has passed. Returns how many bytes came; 0 when the client has closed.
    fn fill_before(&mut self, deadline: Instant) -> io::Result<usize> {
        if Instant::now() > deadline {
            let late = "the client took too long to send its request";
            return Err(io::Error::new(io::ErrorKind::TimedOut, late));
        }
        self.fill(READ_TIMEOUT)
    }

    /// Given: reads what has arrived, waiting at most `timeout`. Returns how many bytes came;
    /// 0 when the client has closed the connection.
    fn fill(&mut self, timeout: Duration) -> io::Result<usize> {
        if self.timeout != Some(timeout) {
            self.stream.set_read_timeout(Some(timeout))?;
            self.timeout = Some(timeout);
        }
        let mut buffer = [0; 16 * 1024];
        loop {
            match (&mut &*self.stream).read(&mut buffer) {
                Ok(count) => {
                    self.unread.extend_from_slice(&buffer[..count]);
                    return Ok(count);
                }
                Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
                Err(error) => return Err(error),
            }
        }
    }
}

/// Where the head of `bytes` ends: just after its blank line, if it has arrived.
fn head_end(bytes: &[u8]) -> Option<usize> {
    let blank_line = bytes.windows(4).position(|four| four == b"\r\n\r\n")?;
    Some(blank_line + 4)
}

/// Whether the connection stays open after the answer to the request whose head is `head`.
/// In HTTP/1.1 it does, unless a `Connection` header has the option `close`; in HTTP/1.0 it
/// does not, unless one has the option `keep-alive`. Options are a comma-separated list, in any
/// case (`Keep-Alive, Close`), and there may be several `Connection` headers.
pub fn keeps_alive(head: &[u8]) -> bool {
    // lab:todo Step 9: does the connection stay open? (docs "Step 9: keep-alive and request bodies" › "Who closes")
    let options: Vec<&str> = header_values(head, "Connection")
        .flat_map(|value| value.split(','))
        .map(str::trim)
        .collect();
    let says = |option: &str| options.iter().any(|o| o.eq_ignore_ascii_case(option));
    if says("close") {
        return false;
    }
    match request_line(head) {
        Ok((_, _, "HTTP/1.0")) => says("keep-alive"),
        _ => true,
    }
    // lab:end
}

/// Why a request's body cannot be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BodyError {
    /// `Content-Length` is not a number, or two of them disagree (`400 Bad Request`).
    BadLength,
    /// The body is framed some other way (`Transfer-Encoding`), which this server does not
    /// read (`411 Length Required`).
    NotLengthed,
    /// The body is longer than MAX_BODY (`413 Content Too Large`).
    TooLarge,
}

impl fmt::Display for BodyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            BodyError::BadLength => "the Content-Length is not a length",
            BodyError::NotLengthed => "the body has no Content-Length",
            BodyError::TooLarge => "the body is too large",
        })
    }
}

impl std::error::Error for BodyError {}

impl BodyError {
    /// Given: the answer that refuses such a body.
    pub fn response(self) -> Vec<u8> {
        match self {
            BodyError::BadLength => response_bad_request(),
            BodyError::NotLengthed => response_length_required(),
            BodyError::TooLarge => response_content_too_large(),
        }
    }
}

/// How long the body after `head` is, by its `Content-Length` header: `Ok(None)` when the head
/// announces no body. The length is digits only (`+5` and `5 bytes` are not lengths); several
/// `Content-Length` headers, or a list of lengths in one, must all agree.
pub fn body_length(head: &[u8]) -> Result<Option<u64>, BodyError> {
    // lab:todo Step 9: the length of the body (docs "Step 9: keep-alive and request bodies" › "Reading a body")
    if header_values(head, "Transfer-Encoding").next().is_some() {
        return Err(BodyError::NotLengthed);
    }
    let mut lengths = header_values(head, "Content-Length").flat_map(|value| value.split(','));
    let Some(first) = lengths.next() else {
        return Ok(None);
    };
    let length = parse_length(first)?;
    if lengths.any(|other| parse_length(other) != Ok(length)) {
        return Err(BodyError::BadLength);
    }
    if length > MAX_BODY {
        return Err(BodyError::TooLarge);
    }
    Ok(Some(length))
    // lab:end
}

// lab:omit
/// One length of a `Content-Length` header.
fn parse_length(text: &str) -> Result<u64, BodyError> {
    let digits = text.trim();
    if digits.is_empty() || !digits.bytes().all(|byte| byte.is_ascii_digit()) {
        return Err(BodyError::BadLength);
    }
    // Digits, yet too many for a u64: longer than any body this server takes.
    digits.parse().map_err(|_| BodyError::TooLarge)
}

// lab:end
/// The answer to the request whose head is `head` and body `body` (`None`: it announced none),
/// or, as `Err`, the answer to a request so wrong that the connection closes after it.
fn answer_request(head: &[u8], body: Option<&[u8]>, site: &Site) -> Result<Answer, Answer> {
    // Given: a request whose header lines are not all `Name: value` is refused at once
    // (see `headers_are_well_formed`).
    if !headers_are_well_formed(head) {
        return Err(Answer::Made(response_bad_request()));
    }
    let Ok((method, uri, _)) = request_line(head) else {
        return Err(Answer::Made(response_bad_request()));
    };
    let uploading = site.uploads.as_deref().zip(upload_name(uri));
    match (method, uploading) {
        ("GET", _) => Ok(answer_get(uri, head, site)),
        // lab:omit
        // Bonus: HEAD is GET without the body; the head says what GET's would be.
        ("HEAD", _) => Ok(answer_get(uri, head, site).head_only()),
        // lab:end
        ("POST", Some((uploads, name))) => match body {
            Some(body) => Ok(Answer::Made(upload(uploads, &name, body))),
            // A request without a length has no body (RFC 9112 § 6.3): an upload without one
            // comes from a client that frames its body some other way, whose bytes would be
            // read as the next request. The connection ends here.
            None => Err(Answer::Made(response_length_required())),
        },
        _ => Ok(Answer::Made(response_method_not_allowed())),
    }
}

/// The name in an upload's URI (`/uploads/NAME`), decoded; `None` for any other URI. A name
/// that is not plain (`..`, `a/b`) is `Some("")`, which no file can be called.
fn upload_name(uri: &str) -> Option<String> {
    let path = uri.split(['?', '#']).next().unwrap_or_default();
    let name = path.strip_prefix("/uploads/")?;
    let decoded = percent_decode(name).filter(|name| is_plain_name(name));
    Some(decoded.unwrap_or_default())
}

/// Stores `body` as the upload `name` and answers: 201 with its place, 409 if the name is
/// taken, 404 if it cannot be a file's name.
fn upload(uploads: &Path, name: &str, body: &[u8]) -> Vec<u8> {
    if name.is_empty() {
        return response_not_found();
    }
    match store_upload(uploads, name, body) {
        Ok(()) => response_created(&format!("/uploads/{}", percent_encode(name))),
        Err(error) if error.kind() == io::ErrorKind::AlreadyExists => response_conflict(),
        Err(error) => {
            eprintln!("cannot store the upload {}: {error}", shown_uri(name));
            response_internal_server_error()
        }
    }
}

/// Stores `body` in a new file `name` in the folder `uploads`. Fails with `AlreadyExists`
/// if there is one by that name: an upload never replaces another's file. A body that cannot
/// be written whole leaves no file.
pub fn store_upload(uploads: &Path, name: &str, body: &[u8]) -> io::Result<()> {
    // lab:todo Step 9: store the body (docs "Step 9: keep-alive and request bodies" › "Uploads")
    let path = uploads.join(name);
    // `create_new` checks and creates in one step: two uploads of one name at once cannot
    // both succeed, and a symlink of that name is not followed.
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)?;
    if let Err(error) = file.write_all(body) {
        drop(file);
        let _ = fs::remove_file(&path);
        return Err(error);
    }
    Ok(())
    // lab:end
}

/// What the server sends for a request: an answer made in memory, or the head of a file's
/// answer followed by the file, read from the disk as it goes out. A file may be larger than
/// the server's memory, and twenty clients may ask for it at once: holding it whole, once for
/// each client, is what a server must not do.
enum Answer {
    Made(Vec<u8>),
    File {
        head: Vec<u8>,
        file: fs::File,
        length: u64,
    },
}

/// A file up to this size goes out with its head in one write, read into memory first: one
/// packet rather than two for a small page, and a body that the bonus can compress.
const SMALL_FILE: u64 = 1024 * 1024;

impl Answer {
    /// The answer with `Connection: close`: the server closes the connection after it.
    fn closing(self) -> Answer {
        self.with_header("Connection: close")
    }

    /// The answer with the header `line` (such as `Connection: close`) after its status line.
    fn with_header(self, line: &str) -> Answer {
        match self {
            Answer::Made(response) => Answer::Made(with_header(response, line)),
            Answer::File { head, file, length } => Answer::File {
                head: with_header(head, line),
                file,
                length,
            },
        }
    }

    /// Sends the answer, with a `Date` header saying `now` (step 7's bonus).
    fn send(self, stream: &mut impl Write, now: DateTime<Utc>) -> io::Result<()> {
        match self {
            Answer::Made(response) => stream.write_all(&with_date(response, now)),
            Answer::File { head, file, length } => {
                stream.write_all(&with_date(head, now))?;
                // At most the length the head announced, should the file grow meanwhile. (On
                // Linux `io::copy` hands the copy to the kernel: no buffer here at all.)
                let sent = io::copy(&mut file.take(length), stream)?;
                if sent < length {
                    // It shrank: the client, which counts on `length` bytes, must not take
                    // what came for the whole file.
                    return Err(file_shrank(sent, length));
                }
                Ok(())
            }
        }
    }
    // lab:omit

    /// Bonus: the answer to HEAD, the same head without the body.
    fn head_only(self) -> Answer {
        match self {
            Answer::Made(mut response) => {
                response.truncate(head_end(&response).unwrap_or(response.len()));
                Answer::Made(response)
            }
            Answer::File { head, .. } => Answer::Made(head),
        }
    }
    // lab:end
}

/// The error of a file that ended after `sent` bytes, before the `length` its answer announced.
fn file_shrank(sent: u64, length: u64) -> io::Error {
    let message = format!("the file ended after {sent} of its {length} bytes");
    io::Error::new(io::ErrorKind::UnexpectedEof, message)
}

/// The answer to a GET for `uri`, whose head is `head`: the resource, or the reason there is
/// none. `/uploads/...` names the site's uploads, when it has an uploads folder.
fn answer_get(uri: &str, head: &[u8], site: &Site) -> Answer {
    let (root, uri) = match (&site.uploads, uri.strip_prefix("/uploads")) {
        // `/uploads` itself, or with a query, is the uploads folder.
        (Some(uploads), Some(rest)) if rest.starts_with('/') => (uploads.as_path(), rest),
        (Some(uploads), Some("")) => (uploads.as_path(), "/"),
        (Some(uploads), Some(query)) if query.starts_with(['?', '#']) => (uploads.as_path(), "/"),
        _ => (site.webroot.as_path(), uri),
    };
    // `resolve_uri` in its two halves, `path_in_webroot` then `resolve_path`, so that the bonus
    // looks at the path in between without looking it up twice.
    let path = match path_in_webroot(uri, root) {
        Ok(path) => path,
        Err(error) => return answer_nothing_to_send(uri, error),
    };
    // Bonus: a program in the webroot is run, and what it prints is the page (Unix only: only
    // there does a file say, with its permissions, that it is a program).
    #[cfg(unix)]
    if program::is_program(&path) {
        return match program::run(&path) {
            Ok(page) => Answer::Made(response_ok(&page, "text/html")),
            Err(error) => answer_nothing_to_send(uri, ResolveError::Failed(error)),
        };
    }
    // Bonus: a browser, which prefers HTML, gets a folder's listing as a page of links.
    if prefers_html(head) && path.is_dir() {
        return match folder_page(uri, &path) {
            Ok(page) => Answer::Made(response_ok(page.as_bytes(), "text/html")),
            Err(error) => answer_nothing_to_send(uri, ResolveError::Failed(error)),
        };
    }
    // lab:omit
    if let Some(answer) = bonus_file_answer(&path, head) {
        return answer.unwrap_or_else(|error| answer_nothing_to_send(uri, error));
    }
    // lab:end
    // A file is sent as it is read from the disk; the rest is what `resolve_path` makes of it.
    let answer = match fs::metadata(&path) {
        Ok(meta) if meta.is_file() => file_answer(&path),
        _ => {
            resolve_path(&path).map(|(body, mime_type)| Answer::Made(response_ok(&body, mime_type)))
        }
    };
    answer.unwrap_or_else(|error| answer_nothing_to_send(uri, error))
}

/// The answer that sends the file at `path`. Its length is the open file's, the one that is
/// sent, even if another takes its name meanwhile.
fn file_answer(path: &Path) -> Result<Answer, ResolveError> {
    let mut file = fs::File::open(path)?;
    let length = file.metadata()?.len();
    let mut head = ok_head(length, mime_type(path));
    if length > SMALL_FILE {
        return Ok(Answer::File { head, file, length });
    }
    // Room for the whole file at once: `read_to_end` then reads it in one call, not in
    // ever larger pieces.
    head.reserve_exact(length as usize);
    let sent = (&mut file).take(length).read_to_end(&mut head)? as u64;
    if sent < length {
        return Err(ResolveError::Failed(file_shrank(sent, length)));
    }
    Ok(Answer::Made(head))
}

// lab:omit
/// Bonus: the answer for the file at `path`, if it is one, with its `Last-Modified`: `304 Not
/// Modified` to a client that has it as it is (`head` says so with `If-Modified-Since`), and
/// compressed to a client that takes gzip, if it is text.
fn bonus_file_answer(path: &Path, head: &[u8]) -> Option<Result<Answer, ResolveError>> {
    let meta = fs::metadata(path).ok().filter(fs::Metadata::is_file)?;
    let Some(modified) = meta.modified().ok().map(DateTime::<Utc>::from) else {
        return Some(file_answer(path));
    };
    if not_modified_since(head, modified) {
        return Some(Ok(Answer::Made(response_not_modified(modified))));
    }
    let answer = file_answer(path).map(|answer| match answer {
        Answer::Made(response) if accepts_gzip(head) => Answer::Made(gzipped(response)),
        large => large,
    });
    Some(
        answer.map(|answer| answer.with_header(&format!("Last-Modified: {}", http_date(modified)))),
    )
}

// lab:end
/// The head that `response_ok` puts before a body of `length` bytes of type `mime_type`: the
/// start of a file's answer, for the server that sends the file from the disk. A test keeps the
/// two the same.
fn ok_head(length: u64, mime_type: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 200 OK\r\n\
         Content-Type: {mime_type}\r\n\
         Content-Length: {length}\r\n\
         \r\n"
    )
    .into_bytes()
}

#[test]
fn a_file_s_head_is_the_head_of_response_ok() {
    for body in [&b""[..], b"a picture, or any bytes: \x00\xff\r\n"] {
        let head = ok_head(body.len() as u64, "image/png");
        assert_eq!([&head[..], body].concat(), response_ok(body, "image/png"));
    }
}

/// The answer when there is nothing to send for `uri`: 404, or 500 when the server failed.
fn answer_nothing_to_send(uri: &str, error: ResolveError) -> Answer {
    Answer::Made(match error {
        ResolveError::NotFound => response_not_found(),
        ResolveError::Failed(error) => {
            // The client learns only that it is the server's fault; the details are for
            // whoever runs the server.
            eprintln!("{}: {error}", shown_uri(uri));
            response_internal_server_error()
        }
    })
}

/// `uri` as the server's log shows it: cut to 100 characters, its control characters (which
/// could drive the terminal) shown as U+FFFD.
fn shown_uri(uri: &str) -> String {
    let mut shown: String = uri
        .chars()
        .take(100)
        .map(|c| if c.is_control() { '\u{fffd}' } else { c })
        .collect();
    if uri.chars().count() > 100 {
        shown.push('…');
    }
    shown
}

#[cfg(test)]
#[test]
fn a_uri_in_the_log_is_cut_and_cannot_drive_the_terminal() {
    assert_eq!(shown_uri("/a\x1b[2Jb"), "/a\u{fffd}[2Jb");
    let long = format!("/{}", "x".repeat(500));
    assert_eq!(shown_uri(&long).chars().count(), 101);
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
    let (method, uri, _) = request_line(request)?;
    // Methods are case-sensitive: `get` is not GET.
    if method != "GET" {
        return Err(RequestError::MethodNotAllowed);
    }
    Ok(uri)
}

/// The three words of the request line of `request`: its method, URI and protocol
/// (`HTTP/1.1`), whatever the method. `parse_request` without its GET only.
fn request_line(request: &[u8]) -> Result<(&str, &str, &str), RequestError> {
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
    Ok((method, uri, protocol))
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
    let path = path_in_webroot(uri, webroot)?;
    resolve_path(&path)
}

/// What `resolve_uri` sends for `path`, found in the webroot already. A function of its own so
/// that `answer_get` looks the path up once for the bonus and the answer alike: following it to
/// its real place takes a dozen system calls, a good part of what an answer costs.
fn resolve_path(path: &Path) -> Result<(Vec<u8>, &'static str), ResolveError> {
    // One look at the disk says which it is (`is_dir` then `is_file` would take two).
    let kind = fs::metadata(path)?.file_type();
    if kind.is_dir() {
        let listing: String = folder_entries(path)?
            .iter()
            .map(|name| format!("{name}\n"))
            .collect();
        Ok((listing.into_bytes(), "text/plain"))
    } else if kind.is_file() {
        Ok((fs::read(path)?, mime_type(path)))
    } else {
        // Not a file, not a folder: a device or a pipe, nothing a web page is made of.
        Err(ResolveError::NotFound)
    }
}

/// The file or folder that `uri` names under `webroot`, as a real path: symlinks followed,
/// no `.` or `..` left. It is always inside the webroot: a URI that would lead anywhere else
/// gets `ResolveError::NotFound`, as does a URI that names nothing.
///
/// `/images/sunset.jpg` names `webroot/images/sunset.jpg`: the path after the first `/`, cut
/// at each `/` into segments; each segment, once its `%XX` escapes are decoded, is the name of
/// a folder or file, one inside the other. Empty segments (`//`, a trailing `/`) add nothing.
fn path_in_webroot(uri: &str, webroot: &Path) -> Result<PathBuf, ResolveError> {
    // The query (`?lang=en`) and the fragment (`#top`) are for the resource, not its name.
    let path = uri.split(['?', '#']).next().unwrap_or_default();
    // A path that does not start at the root (`*`, `http://host/...`) names no file here.
    let path = path.strip_prefix('/').ok_or(ResolveError::NotFound)?;
    let mut file = webroot.to_path_buf();
    for segment in path.split('/').filter(|segment| !segment.is_empty()) {
        // Decode each segment on its own, after cutting at `/`: an encoded slash (`%2F`) is
        // then part of a name, where `is_plain_name` refuses it, instead of a separator.
        let name = percent_decode(segment).ok_or(ResolveError::NotFound)?;
        if !is_plain_name(&name) {
            return Err(ResolveError::NotFound);
        }
        file.push(name);
    }
    // Every name is plain, yet a symlink inside the webroot may still point outside it. The
    // real path (symlinks followed) of what we would send must lie inside the real webroot.
    // `canonicalize` fails when the path leads to nothing real: a name that does not exist,
    // one too long for the file system, a loop of symlinks. Each is the client's URI naming
    // nothing, a `NotFound`, not the server's trouble.
    let webroot = webroot.canonicalize()?;
    let file = file.canonicalize().map_err(|_| ResolveError::NotFound)?;
    if file.starts_with(&webroot) {
        Ok(file)
    } else {
        Err(ResolveError::NotFound)
    }
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
    name != ".." && name != "." && !name.contains(['/', '\\', ':', '\0'])
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
    let mut names = Vec::new();
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let mut name = entry.file_name().to_string_lossy().into_owned();
        // `is_dir` follows a symlink, so a link to a folder is listed as one.
        if entry.path().is_dir() {
            name.push('/');
        }
        names.push(name);
    }
    // The disk lists a folder in no particular order; sorted, the listing is the same on
    // every machine.
    names.sort();
    Ok(names)
}

/// The MIME type of the file at `path`, guessed from its extension (`.html` is `text/html`,
/// `.png` is `image/png`), or `application/octet-stream`, "some bytes", when it says nothing.
/// The client decides with it what to do with the body: lay out a page, show a picture...
fn mime_type(path: &Path) -> &'static str {
    mime_guess::from_path(path)
        .first_raw()
        .unwrap_or("application/octet-stream")
}

/// `200 OK` with `body`, whose type is `mime_type`, such as `text/html` or `image/png`.
pub fn response_ok(body: &[u8], mime_type: &str) -> Vec<u8> {
    // Content-Length tells the client where the body ends: on a connection kept open, the
    // next answer starts right after it.
    let head = format!(
        "HTTP/1.1 200 OK\r\n\
         Content-Type: {mime_type}\r\n\
         Content-Length: {}\r\n\
         \r\n",
        body.len()
    );
    // The body may be any bytes, a picture as well as text: append it as bytes.
    [head.as_bytes(), body].concat()
}

/// The answer when the URI names nothing the server can send: `404 Not Found`, with a short
/// text saying so, for the person who reads it in a browser.
pub fn response_not_found() -> Vec<u8> {
    let body = "Not Found\n";
    format!(
        "HTTP/1.1 404 Not Found\r\n\
         Content-Type: text/plain\r\n\
         Content-Length: {}\r\n\
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
    b"HTTP/1.1 405 Method Not Allowed\r\n\
      Allow: GET\r\n\
      Content-Length: 0\r\n\
      \r\n"
        .to_vec()
}

/// The answer to a request line the server cannot read: `400 Bad Request`, with no body.
pub fn response_bad_request() -> Vec<u8> {
    b"HTTP/1.1 400 Bad Request\r\n\
      Content-Length: 0\r\n\
      \r\n"
        .to_vec()
}

/// The answer to an upload stored as `location` (`/uploads/notes.txt`): `201 Created`, with
/// the `Location` header that says where the client finds it now. It has no body.
pub fn response_created(location: &str) -> Vec<u8> {
    // lab:todo Step 9: the bytes of a 201 (docs "Step 9: keep-alive and request bodies" › "Uploads")
    format!(
        "HTTP/1.1 201 Created\r\n\
         Location: {location}\r\n\
         Content-Length: 0\r\n\
         \r\n"
    )
    .into_bytes()
    // lab:end
}

/// The answer to an upload whose name is taken: `409 Conflict`, with no body.
pub fn response_conflict() -> Vec<u8> {
    // lab:todo Step 9: the bytes of a 409 (docs "Step 9: keep-alive and request bodies" › "Uploads")
    b"HTTP/1.1 409 Conflict\r\n\
      Content-Length: 0\r\n\
      \r\n"
        .to_vec()
    // lab:end
}

/// The answer to an upload whose head says nothing of its length: `411 Length Required`,
/// with no body.
pub fn response_length_required() -> Vec<u8> {
    // lab:todo Step 9: the bytes of a 411 (docs "Step 9: keep-alive and request bodies" › "Reading a body")
    b"HTTP/1.1 411 Length Required\r\n\
      Content-Length: 0\r\n\
      \r\n"
        .to_vec()
    // lab:end
}

/// The answer to a body longer than MAX_BODY: `413 Content Too Large`, with no body.
pub fn response_content_too_large() -> Vec<u8> {
    // lab:todo Step 9: the bytes of a 413 (docs "Step 9: keep-alive and request bodies" › "Reading a body")
    b"HTTP/1.1 413 Content Too Large\r\n\
      Content-Length: 0\r\n\
      \r\n"
        .to_vec()
    // lab:end
}

/// Given (step 7's bonus): the answer when serving failed on the server's side (a program that failed, a file
/// that could not be read): `500 Internal Server Error`, with a short text.
pub fn response_internal_server_error() -> Vec<u8> {
    let body = "Internal Server Error\n";
    format!(
        "HTTP/1.1 500 Internal Server Error\r\n\
         Content-Type: text/plain\r\n\
         Content-Length: {}\r\n\
         \r\n\
         {body}",
        body.len()
    )
    .into_bytes()
}

/// Given (step 7's bonus): `when` as HTTP writes dates (RFC 9110's IMF-fixdate), always in GMT:
/// `Sun, 06 Nov 1994 08:49:37 GMT`.
pub fn http_date(when: DateTime<Utc>) -> String {
    when.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

/// `response` with a `Date` header saying `now`, right after its status line.
fn with_date(response: Vec<u8>, now: DateTime<Utc>) -> Vec<u8> {
    with_header(response, &format!("Date: {}", http_date(now)))
}

/// `response` with the header `line` right after its status line. (Inserted in place: a copy
/// of a large answer would cost more than the rest of this function.)
fn with_header(mut response: Vec<u8>, line: &str) -> Vec<u8> {
    if let Some(line_end) = response.windows(2).position(|pair| pair == b"\r\n") {
        let after_status_line = line_end + 2;
        let header = [line.as_bytes(), b"\r\n"].concat();
        response.splice(after_status_line..after_status_line, header);
    }
    response
}

// lab:omit
/// Bonus: `304 Not Modified`, for a file last modified at `modified`: the client's copy is
/// the file as it is. Like the answer to HEAD, it has the head of a 200 and no body; it has no
/// `Content-Length`, which would be the length of the file.
fn response_not_modified(modified: DateTime<Utc>) -> Vec<u8> {
    format!(
        "HTTP/1.1 304 Not Modified\r\n\
         Last-Modified: {}\r\n\
         \r\n",
        http_date(modified)
    )
    .into_bytes()
}

/// Bonus: whether the client's copy, of `If-Modified-Since`, is the file last modified at
/// `modified`. HTTP dates count whole seconds: the file's time is cut to the second.
fn not_modified_since(head: &[u8], modified: DateTime<Utc>) -> bool {
    let Some(since) = header(head, "If-Modified-Since") else {
        return false;
    };
    // A date that is not an HTTP date is ignored, as RFC 9110 asks: the client gets the file.
    let Ok(since) = DateTime::parse_from_rfc2822(since) else {
        return false;
    };
    modified.timestamp() <= since.timestamp()
}

/// Bonus: whether the client takes a gzip-compressed body: its `Accept-Encoding` lists `gzip`
/// (or `*`) with a quality above 0.
fn accepts_gzip(head: &[u8]) -> bool {
    let accepted = header_values(head, "Accept-Encoding").flat_map(|value| value.split(','));
    // gzip's own quality if it is named, else that of `*`, "any other".
    let (mut gzip, mut any) = (None, None);
    for coding in accepted {
        let mut parts = coding.split(';');
        let name = parts.next().unwrap_or_default().trim();
        let q = parts
            .filter_map(|parameter| parameter.trim().strip_prefix("q="))
            .find_map(|q| q.parse::<f32>().ok())
            .unwrap_or(1.0);
        if name.eq_ignore_ascii_case("gzip") {
            gzip = Some(q);
        } else if name == "*" {
            any = Some(q);
        }
    }
    let gzip = gzip.or(any);
    gzip.is_some_and(|q| q > 0.0)
}

/// Bonus: `response` (a 200 with its body) with its body compressed by gzip, if it is text;
/// `Content-Length` is then the compressed length. Pictures are compressed already: they stay
/// as they are.
fn gzipped(response: Vec<u8>) -> Vec<u8> {
    let Some(end) = head_end(&response) else {
        return response;
    };
    let (head, body) = response.split_at(end);
    let text = header(head, "Content-Type").is_some_and(|kind| {
        kind.starts_with("text/")
            || ["json", "javascript", "xml", "svg"]
                .iter()
                .any(|word| kind.contains(word))
    });
    if !text || body.is_empty() || !head.starts_with(b"HTTP/1.1 200 ") {
        return response;
    }
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let Ok(compressed) = encoder.write_all(body).and_then(|()| encoder.finish()) else {
        return response;
    };
    // The head again, with the compressed length, and the headers that say what was done.
    let lines = head[..end - 4]
        .split(|&byte| byte == b'\n')
        .map(|line| line.trim_ascii_end());
    let mut new_head = Vec::with_capacity(head.len() + 64);
    for line in lines {
        if line.to_ascii_lowercase().starts_with(b"content-length:") {
            new_head.extend_from_slice(format!("Content-Length: {}", compressed.len()).as_bytes());
        } else {
            new_head.extend_from_slice(line);
        }
        new_head.extend_from_slice(b"\r\n");
    }
    new_head.extend_from_slice(b"Content-Encoding: gzip\r\nVary: Accept-Encoding\r\n\r\n");
    [new_head, compressed].concat()
}

// lab:end
/// Whether the client would rather have HTML than plain text, as a browser would: its
/// `Accept` header gives `text/html` a higher quality (`q`) than `text/plain`. curl sends
/// `Accept: */*`, which likes both the same: it keeps the plain listing.
fn prefers_html(request: &[u8]) -> bool {
    let accept = header(request, "Accept").unwrap_or("*/*");
    quality(accept, "text/html") > quality(accept, "text/plain")
}

/// The value of the first header called `name` (in any case) in `request`, if it is text.
fn header<'r>(request: &'r [u8], name: &str) -> Option<&'r str> {
    header_values(request, name).next()
}

/// The values of every header called `name` (in any case) in `request` that are text.
fn header_values<'r>(request: &'r [u8], name: &str) -> impl Iterator<Item = &'r str> {
    // Only the head: bytes read past the blank line belong to a body.
    let end = head_end(request).map_or(request.len(), |end| end - 4);
    let lines = request[..end].split(|&byte| byte == b'\n').skip(1);
    lines
        .filter_map(|line| std::str::from_utf8(line).ok())
        .filter_map(|line| line.split_once(':'))
        .filter(move |(field, _)| field.trim().eq_ignore_ascii_case(name))
        .map(|(_, value)| value.trim())
}

/// How much a client whose `Accept` header is `accept` wants `mime_type`, from 0 to 1: the
/// `q` of the most specific media range that matches it (`text/html` before `text/*` before
/// `*/*`), 1 when none is given, 0 when no range matches.
fn quality(accept: &str, mime_type: &str) -> f32 {
    let (kind, _) = mime_type.split_once('/').unwrap_or((mime_type, ""));
    let mut best = (0, 0.0); // (how specific the range is, its q)
    for range in accept.split(',') {
        let mut parts = range.split(';');
        let media = parts.next().unwrap_or_default().trim();
        let specific = if media.eq_ignore_ascii_case(mime_type) {
            3
        } else if media.eq_ignore_ascii_case(&format!("{kind}/*")) {
            2
        } else if media == "*/*" {
            1
        } else {
            continue;
        };
        let q = parts
            .filter_map(|parameter| parameter.trim().strip_prefix("q="))
            .find_map(|q| q.parse::<f32>().ok())
            .unwrap_or(1.0);
        if specific > best.0 {
            best = (specific, q);
        }
    }
    best.1
}

/// A folder's listing as a web page: a link to each entry, and to the folder above.
fn folder_page(uri: &str, dir: &Path) -> io::Result<String> {
    // The links start from the folder's own path, so that they work whether the URI ended with
    // `/` or not. It is rebuilt from decoded segments, escaped again: characters such as `"` or
    // `<` in the URI must not reach the page as they are.
    let path = uri.split(['?', '#']).next().unwrap_or_default();
    let segments: Vec<String> = path
        .split('/')
        .filter(|segment| !segment.is_empty())
        .filter_map(percent_decode)
        .collect();
    let mut base = String::from("/");
    for segment in &segments {
        base += &percent_encode(segment);
        base.push('/');
    }
    let title = html_escape(&format!("Index of {}", path_text(&segments)));
    let mut items = String::new();
    if !segments.is_empty() {
        let parent = &base[..base[..base.len() - 1].rfind('/').unwrap_or(0) + 1];
        items += &format!("<li><a href=\"{parent}\">../</a></li>\n");
    }
    for name in folder_entries(dir)? {
        let (bare, slash) = match name.strip_suffix('/') {
            Some(bare) => (bare, "/"),
            None => (name.as_str(), ""),
        };
        let href = format!("{base}{}{slash}", percent_encode(bare));
        let text = html_escape(&name);
        items += &format!("<li><a href=\"{href}\">{text}</a></li>\n");
    }
    Ok(format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>{title}</title>\n</head>\n<body>\n<h1>{title}</h1>\n<ul>\n{items}</ul>\n\
         </body>\n</html>\n"
    ))
}

/// `/images/icons/` for the segments `images`, `icons`.
fn path_text(segments: &[String]) -> String {
    let mut text = String::from("/");
    for segment in segments {
        text += segment;
        text.push('/');
    }
    text
}

/// `name` with every byte that may not stand as it is in a URI's path written `%XX`.
fn percent_encode(name: &str) -> String {
    let mut encoded = String::new();
    for byte in name.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            encoded.push(byte as char);
        } else {
            encoded += &format!("%{byte:02X}");
        }
    }
    encoded
}

/// `text` safe to put in HTML, in an element or a quoted attribute.
fn html_escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped += "&amp;",
            '<' => escaped += "&lt;",
            '>' => escaped += "&gt;",
            '"' => escaped += "&quot;",
            '\'' => escaped += "&#39;",
            c => escaped.push(c),
        }
    }
    escaped
}

/// Bonus, Unix only: running a program found in the webroot and sending what it prints, as the
/// lesson's "re-invented CGI" does. On Unix a file's permissions say whether it is a program
/// (its `x` bits); elsewhere there is no such mark, and the server sends the file as it is.
#[cfg(unix)]
mod program {
    use std::io;
    use std::os::unix::fs::PermissionsExt;
    use std::os::unix::process::CommandExt;
    use std::path::Path;
    use std::process::{Command, Stdio};
    use std::sync::mpsc;
    use std::thread;
    use std::time::Duration;

    /// How long a program may take. A program that never ends would otherwise hold up the
    /// server for good; a page like `make_time`'s takes a few milliseconds.
    pub const PROGRAM_PATIENCE: Duration = Duration::from_secs(2);

    /// Whether `path` is a file that someone may run: one of its `x` permission bits is set.
    pub fn is_program(path: &Path) -> bool {
        path.metadata()
            .is_ok_and(|meta| meta.is_file() && meta.permissions().mode() & 0o111 != 0)
    }

    /// Runs `program` in its own folder and returns what it printed. Fails if it cannot start,
    /// exits with a failure, or takes longer than [`PROGRAM_PATIENCE`].
    pub fn run(program: &Path) -> io::Result<Vec<u8>> {
        let mut command = Command::new(program);
        if let Some(folder) = program.parent() {
            command.current_dir(folder);
        }
        // Its own process group, so that on a timeout everything it started can be stopped
        // with it (a shell script's `sleep` would otherwise live on).
        command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .process_group(0);
        let child = command.spawn()?;
        let group = child.id();
        // std cannot wait for a process with a time limit: a thread waits, this one waits
        // for the thread's message, at most PROGRAM_PATIENCE.
        let (sender, finished) = mpsc::channel();
        thread::spawn(move || {
            let _ = sender.send(child.wait_with_output());
        });
        let output = match finished.recv_timeout(PROGRAM_PATIENCE) {
            Ok(output) => output?,
            Err(_) => {
                // Kills the whole group; the waiting thread then sees the program end and
                // finishes too. `-KILL`, not `-s KILL`: after `-s KILL`, procps-ng 4.0.2's kill
                // refuses some small group ids (65 and 75 were seen), and in a PID namespace
                // (the grade's sandbox) ids are that small.
                let _ = Command::new("kill")
                    .args(["-KILL", "--", &format!("-{group}")])
                    .stdin(Stdio::null())
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .status();
                return Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    format!("{} took more than {PROGRAM_PATIENCE:?}", program.display()),
                ));
            }
        };
        if !output.status.success() {
            return Err(io::Error::other(format!(
                "{} failed ({})",
                program.display(),
                output.status
            )));
        }
        Ok(output.stdout)
    }
}

/// The program: `step9 [--host 127.0.0.1] [--port 10000] [--webroot DIR] [--workers 8]
/// [--uploads DIR]`. Without `--uploads`, a POST gets 405. Ctrl-C asks for a graceful
/// shutdown; a second Ctrl-C, while the answers under way are still going out, ends the program
/// at once.
pub fn run(program: &str, args: Vec<String>) -> ExitCode {
    let shutdown = Shutdown::new();
    // std cannot catch a signal, and this workspace writes no unsafe code: `signal-hook` sets
    // the flag for us. The first registration ends the program if the flag is already set.
    for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        let caught = signal_hook::flag::register_conditional_shutdown(signal, 1, shutdown.flag())
            .and_then(|_| signal_hook::flag::register(signal, shutdown.flag()));
        if let Err(error) = caught {
            eprintln!("{program}: Ctrl-C will end the server at once: {error}");
        }
    }
    labcli::upload_server_program(
        program,
        args,
        WORKERS,
        |listener, webroot, uploads, workers| {
            let site = Site {
                webroot: webroot.to_path_buf(),
                uploads: uploads.map(Path::to_path_buf),
            };
            serve_site(listener, &site, workers, &shutdown)
        },
    )
}
