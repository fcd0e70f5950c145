//! Step 8 suite: the server's own pool of workers serves many clients at once: a silent client
//! delays nobody and holds its worker no longer than READ_TIMEOUT, a crowd is all answered, the
//! threads stay as many as the workers, a full pool answers `503` with `Retry-After`, a panic
//! costs no worker, and a shutdown finishes the answers under way, then `serve_pool` returns
//! with no thread left (docs chapter "Step 8: many clients at once").
//!
//! The host brings the lab's `serve_pool`, `Shutdown`, `handle_connection`, `READ_TIMEOUT`,
//! `LINE_WAIT` and `program()` into scope. The tests pass `serve_pool` handlers of their own:
//! step 7's `handle_connection`, one that waits until the test lets it answer, one that panics.

use super::*;
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Condvar, Mutex};
use std::thread;
use std::time::{Duration, Instant};
use testkit::guard::catch;
use testkit::http::{self, Response};
use testkit::{DEADLINE, Exchange, Target, connect};

const HINT: &str = "docs chapter \"Step 8: many clients at once\"";

/// `serve_pool` running on a thread of the test, on `127.0.0.1:0`, with a `Shutdown` the test
/// keeps. Dropped, it asks for the shutdown, so that its workers end with the test.
struct Pool {
    addr: SocketAddr,
    shutdown: Shutdown,
    returned: Receiver<Result<io::Result<()>, String>>,
    outcome: Mutex<Option<String>>,
}

impl Pool {
    fn start<H>(workers: usize, handle: H) -> Pool
    where
        H: Fn(TcpStream) -> io::Result<()> + Clone + Send + 'static,
    {
        testkit::ending::watch();
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a test server to port 0");
        let addr = listener.local_addr().expect("the test server's address");
        let shutdown = Shutdown::new();
        let theirs = shutdown.clone();
        let (sender, returned) = mpsc::channel();
        thread::spawn(move || {
            let _ = sender.send(catch(|| serve_pool(listener, workers, &theirs, handle)));
        });
        Pool {
            addr,
            shutdown,
            returned,
            outcome: Mutex::new(None),
        }
    }

    /// Waits at most `patience` for `serve_pool` to return; `None` if it still runs.
    fn returned_within(&self, patience: Duration) -> Option<String> {
        let mut outcome = self.outcome.lock().unwrap_or_else(|e| e.into_inner());
        if outcome.is_none() {
            *outcome = self.returned.recv_timeout(patience).ok().map(|r| match r {
                Ok(Ok(())) => "serve_pool returned Ok(())".to_string(),
                Ok(Err(error)) => format!("serve_pool returned an error: {error}"),
                Err(message) => format!("your serve_pool panicked: {message}"),
            });
        }
        outcome.clone()
    }

    /// Asks for the shutdown and waits for `serve_pool` to return `Ok(())`.
    #[track_caller]
    fn stop(&self, hint: &str) {
        self.shutdown.request();
        match self.returned_within(DEADLINE) {
            Some(outcome) if outcome.ends_with("Ok(())") => {}
            Some(outcome) => panic!("after the shutdown was requested, {outcome}.\nhint: {hint}"),
            None => panic!(
                "serve_pool did not return within {DEADLINE:?} of the shutdown request.\n\
                 hint: {hint}"
            ),
        }
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        self.shutdown.request();
    }
}

impl Target for Pool {
    fn addr(&self) -> SocketAddr {
        self.addr
    }

    fn why_stopped(&self) -> Option<String> {
        self.returned_within(Duration::from_millis(100))
    }
}

/// The workbook's sample site.
fn webroot() -> PathBuf {
    labcli::workspace_webroot()
}

/// Step 7's file serving, as a handler for `serve_pool`.
fn files() -> impl Fn(TcpStream) -> io::Result<()> + Clone + Send + 'static {
    let root = webroot();
    move |stream| handle_connection(stream, &root)
}

/// A gate that handlers wait at until the test opens it; it says when each handler arrives.
#[derive(Clone)]
struct Gate {
    open: Arc<(Mutex<bool>, Condvar)>,
    arrived: Arc<Mutex<mpsc::Sender<()>>>,
}

impl Gate {
    fn new() -> (Gate, Receiver<()>) {
        let (arrived, arrivals) = mpsc::channel();
        let gate = Gate {
            open: Arc::new((Mutex::new(false), Condvar::new())),
            arrived: Arc::new(Mutex::new(arrived)),
        };
        (gate, arrivals)
    }

    /// Step 7's file serving, once the gate is open (at most 3 × DEADLINE later).
    fn files(&self) -> impl Fn(TcpStream) -> io::Result<()> + Clone + Send + 'static {
        let (gate, serve) = (self.clone(), files());
        move |stream| {
            let _ = gate.arrived.lock().map(|sender| sender.send(()));
            let (open, opened) = &*gate.open;
            let is_open = open.lock().unwrap_or_else(|e| e.into_inner());
            let _ = opened.wait_timeout_while(is_open, DEADLINE * 3, |is_open| !*is_open);
            serve(stream)
        }
    }

    /// Step 7's file serving, at once, but for a request for HELD, which waits at the gate
    /// first (as with `files`).
    fn files_held(&self) -> impl Fn(TcpStream) -> io::Result<()> + Clone + Send + 'static {
        let (held, serve) = (self.files(), files());
        move |stream: TcpStream| {
            let mut head = [0; 64];
            let n = stream.peek(&mut head)?;
            if head[..n].starts_with(format!("GET {HELD} ").as_bytes()) {
                held(stream)
            } else {
                serve(stream)
            }
        }
    }

    fn open(&self) {
        let (open, opened) = &*self.open;
        *open.lock().unwrap_or_else(|e| e.into_inner()) = true;
        opened.notify_all();
    }
}

/// The URI of a request that `Gate::files_held` holds at the gate. Its query is no part of the
/// file's name: once let through, it gets the sample file.
const HELD: &str = "/sample.txt?held";

/// The longest line the suite takes for a bounded one, in clients a worker. Any small bound is
/// right (one client, as many as the workers, twice that); one that a crowd never fills is not.
const MOST_IN_LINE_A_WORKER: usize = 8;

/// A GET for `/sample.txt`, sent on a new connection; the answer read until the server closes.
fn get_sample(server: &impl Target, hint: &str) -> Response {
    let raw = Exchange::send(&http::request("GET", "/sample.txt"))
        .http_answer()
        .hint(&format!("hint: {hint} ({HINT})"))
        .with(server);
    Response::expect(&raw, &format!("{hint} ({HINT})"))
}

/// Sends a GET for `/sample.txt` on `stream` and reads until the server closes, within
/// `patience` in all; the bytes that came, and the error that stopped the reading, if any.
fn read_answer(stream: TcpStream, patience: Duration) -> (Vec<u8>, Option<io::Error>) {
    read_answer_to(stream, "/sample.txt", patience)
}

/// As `read_answer`, for a GET of `uri`.
fn read_answer_to(
    mut stream: TcpStream,
    uri: &str,
    patience: Duration,
) -> (Vec<u8>, Option<io::Error>) {
    let started = Instant::now();
    if let Err(error) = stream.write_all(&http::request("GET", uri)) {
        return (Vec::new(), Some(error));
    }
    let mut received = Vec::new();
    let mut buffer = [0; 4096];
    loop {
        let left = patience.saturating_sub(started.elapsed());
        if left.is_zero() {
            let late = io::Error::new(
                io::ErrorKind::TimedOut,
                format!("nothing within {patience:?}"),
            );
            return (received, Some(late));
        }
        stream
            .set_read_timeout(Some(left))
            .expect("set a read deadline");
        match stream.read(&mut buffer) {
            Ok(0) => return (received, None),
            Ok(n) => received.extend_from_slice(&buffer[..n]),
            Err(error) => return (received, Some(error)),
        }
    }
}

#[test]
fn a_silent_client_does_not_delay_another() {
    let pool = Pool::start(2, files());
    // Connects and sends nothing, as a browser's spare connection does.
    let _silent = connect(&pool);
    let started = Instant::now();
    let response = get_sample(
        &pool,
        "a client that sends nothing must not keep the others waiting: hand each connection to \
         a worker and go back to accepting",
    );
    assert_eq!(response.status(), 200, "{}", response.status_line);
    let took = started.elapsed();
    assert!(
        took < READ_TIMEOUT / 2,
        "with a silent client connected first, the next client's answer took {took:?}: your \
         accept loop waited for the silent client instead of handing it to a worker.\n\
         hint: the accept loop only accepts and hands over; the workers read ({HINT} › \"The pool\")"
    );
}

#[test]
fn a_silent_client_holds_its_worker_no_longer_than_read_timeout() {
    let pool = Pool::start(1, files());
    // The only worker gets the silent client; the next client waits in line behind it.
    let _silent = connect(&pool);
    let patience = READ_TIMEOUT + DEADLINE;
    let (raw, error) = read_answer(connect(&pool), patience);
    let why = pool.why_stopped().unwrap_or_default();
    assert!(
        !raw.starts_with(b"HTTP/1.1 503"),
        "with one worker and a silent client before it, the next client got 503 rather than a \
         place in the line.\nhint: while every worker is busy, the line holds at least one \
         client (`mpsc::sync_channel(0)` holds none) ({HINT} › \"A full pool\")"
    );
    assert!(
        raw.starts_with(b"HTTP/1.1 200"),
        "with one worker and a silent client before it, a client got no answer within \
         {patience:?} ({}): the silent client held the worker for good. {why}\n\
         hint: give every connection a read timeout of READ_TIMEOUT before its worker reads \
         (`set_read_timeout`), so that a client that sends nothing frees its worker \
         ({HINT} › \"Slow and silent clients\")",
        error.map_or("it closed".to_string(), |e| e.to_string()),
    );
}

#[test]
fn two_hundred_clients_at_once_are_all_answered() {
    let pool = Pool::start(8, files());
    let addr = pool.addr;
    let clients: Vec<_> = (0..200)
        .map(|_| {
            thread::spawn(move || {
                let stream = TcpStream::connect_timeout(&addr, DEADLINE * 2);
                match stream {
                    Ok(stream) => read_answer(stream, DEADLINE * 3),
                    Err(error) => (Vec::new(), Some(error)),
                }
            })
        })
        .collect();
    let mut failures = Vec::new();
    for client in clients {
        let (raw, error) = client.join().expect("a client thread");
        if !raw.starts_with(b"HTTP/1.1 200") {
            let head = String::from_utf8_lossy(&raw[..raw.len().min(40)]).into_owned();
            failures.push(format!(
                "{head:?} {}",
                error.map(|e| e.to_string()).unwrap_or_default()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of 200 clients that came at once got no 200 OK; the first: {}\n{}\n\
         hint: quick requests should all be served: when the line is full, wait up to LINE_WAIT \
         for room before answering 503 ({HINT} › \"A full pool\")",
        failures.len(),
        failures[0],
        pool.why_stopped().unwrap_or_default()
    );
}

#[test]
fn a_full_pool_answers_503_with_retry_after() {
    let (gate, arrivals) = Gate::new();
    let workers = 2;
    let pool = Pool::start(workers, gate.files_held());
    let hint = "when every worker is busy and the line is full, the accept loop answers \
                `503 Service Unavailable` itself, with `Retry-After`, rather than let the line \
                grow without end (a bounded `mpsc::sync_channel`)";
    // The workers are held at the gate one after another; while one is free, a client is
    // served at once.
    let mut held = Vec::new();
    for busy in 0..workers {
        if busy > 0 {
            let (raw, error) = read_answer(connect(&pool), DEADLINE);
            assert!(
                raw.starts_with(b"HTTP/1.1 200"),
                "with {busy} of its {workers} workers busy, a client got {:?} ({}), not \
                 200 OK.\nhint: a client waits only while every worker is busy, and gets 503 \
                 only once the line is full too ({HINT} › \"A full pool\")",
                String::from_utf8_lossy(&raw[..raw.len().min(40)]),
                error.map_or("it closed".to_string(), |e| e.to_string())
            );
        }
        let stream = connect(&pool);
        held.push(thread::spawn(move || {
            read_answer_to(stream, HELD, DEADLINE * 4)
        }));
        let arrived = arrivals.recv_timeout(DEADLINE);
        let why = pool.why_stopped().unwrap_or_default();
        let which = match busy {
            0 => "the first client",
            _ => "a client that came while a worker was free",
        };
        assert!(
            arrived.is_ok(),
            "serve_pool never called the handler for {which}. {why}\nhint: {HINT}"
        );
    }
    // Every worker is busy. Whatever its length (one client, or as many as the workers, or
    // twice that), the line is full before this crowd is in it, and the next client gets 503.
    let crowd = workers * MOST_IN_LINE_A_WORKER + 1;
    let patience = LINE_WAIT * crowd as u32 + DEADLINE * 4;
    let (answered, answers) = mpsc::channel();
    for _ in 0..crowd {
        let (stream, answered) = (connect(&pool), answered.clone());
        thread::spawn(move || {
            let (raw, error) = read_answer(stream, patience);
            let _ = answered.send((raw, error.map(|e| e.to_string())));
        });
    }
    let first_wait = LINE_WAIT + DEADLINE;
    let first = answers.recv_timeout(first_wait);
    gate.open();
    let Ok((raw, error)) = first else {
        panic!(
            "with its {workers} workers busy, none of {crowd} more clients got an answer within \
             {first_wait:?}: the line took them all, or the accept loop waited for room without \
             end.\nhint: {hint}; a line of a few clients a worker at most, a wait of LINE_WAIT \
             at most ({HINT} › \"A full pool\")"
        );
    };
    if raw.is_empty() {
        panic!(
            "with its {workers} workers busy and {crowd} more clients, the server left one \
             without an answer ({}).\nhint: {hint} ({HINT} › \"A full pool\")",
            error.unwrap_or_else(|| "it closed the connection".to_string())
        );
    }
    let response = Response::expect(&raw, &format!("{hint} ({HINT} › \"A full pool\")"));
    assert_eq!(
        response.status(),
        503,
        "with its {workers} workers busy, the first of {crowd} more clients to be answered got \
         `{}`, not `503 Service Unavailable`.\nhint: {hint} ({HINT} › \"A full pool\")",
        response.status_line
    );
    let retry = response.header("Retry-After");
    assert!(
        retry.is_some_and(|seconds| seconds.trim().parse::<u32>().is_ok()),
        "the 503 says {retry:?} in Retry-After: it should say in how many seconds to try \
         again, such as `Retry-After: 1`.\nhint: a 503 without Retry-After tells the client \
         nothing about when to come back ({HINT} › \"A full pool\")"
    );
    // Once the workers are free again, the other clients are answered: those being served and
    // those in the line with 200, those the line had no room for with 503.
    let held = held
        .into_iter()
        .map(|client| (client.join().expect("a client thread").0, "being served"));
    let waited = (1..crowd).map(|_| {
        (
            answers.recv_timeout(patience).unwrap_or_default().0,
            "that waited",
        )
    });
    for (raw, which) in held.chain(waited) {
        let refused = which == "that waited" && raw.starts_with(b"HTTP/1.1 503");
        assert!(
            raw.starts_with(b"HTTP/1.1 200") || refused,
            "a client {which} got {:?} once the workers were free again.\nhint: a client in \
             the line is served, not dropped ({HINT})",
            String::from_utf8_lossy(&raw[..raw.len().min(40)])
        );
    }
}

#[test]
fn a_panic_in_the_handler_costs_no_worker() {
    let serve = files();
    let handle = move |stream: TcpStream| {
        let mut head = [0; 64];
        let n = stream.peek(&mut head)?;
        if head[..n].starts_with(b"GET /panic") {
            panic!("the test's handler panics on purpose, as a bug would");
        }
        serve(stream)
    };
    let pool = Pool::start(1, handle);
    let _ = read_answer_of(&pool, "/panic");
    let response = get_sample(
        &pool,
        "after a panic in the handler, the pool's only worker must still serve: catch the panic \
         in the worker (`std::panic::catch_unwind`) and go on with the next client",
    );
    assert_eq!(response.status(), 200, "{}", response.status_line);
}

/// Sends a GET for `uri` and reads what comes, within DEADLINE.
fn read_answer_of(pool: &Pool, uri: &str) -> Vec<u8> {
    let mut stream = connect(pool);
    let _ = stream.write_all(&http::request("GET", uri));
    let mut received = Vec::new();
    let _ = stream.read_to_end(&mut received);
    received
}

#[test]
fn shutdown_wakes_a_server_that_no_client_calls() {
    let pool = Pool::start(2, files());
    assert_eq!(get_sample(&pool, "serve the sample file").status(), 200);
    pool.stop(&format!(
        "a blocking `accept` waits for the next client and never looks at the shutdown flag: \
         make the listener non-blocking and look at the flag between tries \
         ({HINT} › \"Shutting down\")"
    ));
}

#[test]
fn shutdown_finishes_the_answers_under_way_then_serve_pool_returns() {
    let (gate, arrivals) = Gate::new();
    let handle = gate.files();
    // A clone that the test keeps: once every worker has ended, only this one is left.
    let held = Arc::new(());
    let marker = held.clone();
    let counted = move |stream| {
        let _marker = &marker;
        handle(stream)
    };
    let pool = Pool::start(2, counted);
    let under_way = connect(&pool);
    let under_way = thread::spawn(move || read_answer(under_way, DEADLINE * 4));
    let why = pool.why_stopped().unwrap_or_default();
    assert!(
        arrivals.recv_timeout(DEADLINE).is_ok(),
        "serve_pool never called the handler for the client. {why}\nhint: {HINT}"
    );
    pool.shutdown.request();
    if let Some(outcome) = pool.returned_within(Duration::from_millis(200)) {
        gate.open();
        panic!(
            "with an answer still under way, {outcome} as soon as the shutdown was requested.\n\
             hint: a graceful shutdown finishes what it started: close the line, then `join` \
             every worker before returning ({HINT} › \"Shutting down\")"
        );
    }
    gate.open();
    let (raw, error) = under_way.join().expect("the client thread");
    assert!(
        raw.starts_with(b"HTTP/1.1 200"),
        "the answer under way when the shutdown was requested did not arrive whole: got {:?} \
         ({}).\nhint: the workers finish their clients, and those already in the line, before \
         they end ({HINT} › \"Shutting down\")",
        String::from_utf8_lossy(&raw[..raw.len().min(40)]),
        error.map(|e| e.to_string()).unwrap_or_default()
    );
    pool.stop(&format!(
        "once the last answer is out, the workers end and serve_pool returns Ok(()) \
         ({HINT} › \"Shutting down\")"
    ));
    let holders = Arc::strong_count(&held) - 1;
    assert_eq!(
        holders, 0,
        "serve_pool returned while {holders} thread(s) still held the handler it was given: a \
         thread outlived serve_pool.\nhint: keep each worker's `JoinHandle` and `join` them all \
         before returning ({HINT} › \"Shutting down\")"
    );
    let refused = TcpStream::connect_timeout(&pool.addr, DEADLINE)
        .map(|stream| read_answer(stream, DEADLINE).0);
    assert!(
        refused.as_ref().map_or(true, Vec::is_empty),
        "after serve_pool returned, a new client was still answered.\nhint: stop accepting \
         first: drop the listener when the shutdown is requested ({HINT} › \"Shutting down\")"
    );
}

/// The number of threads of process `pid` (Linux: `/proc/PID/status`), if there is a `/proc`
/// to tell: the grade's sandbox has none.
#[cfg(target_os = "linux")]
fn threads_of(pid: u32) -> Option<usize> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|line| line.starts_with("Threads:"))?;
    line["Threads:".len()..].trim().parse().ok()
}

#[cfg(target_os = "linux")]
#[test]
fn the_program_runs_no_more_threads_than_its_workers() {
    let mut command = program();
    command.args(["--port", "0", "--workers", "2"]);
    let server = testkit::ChildServer::start(command);
    // Four silent clients: each would hold a thread of its own in a server without a pool.
    let silent: Vec<_> = (0..4).map(|_| connect(&server)).collect();
    // Once this one has its answer (a 200, or a 503 past the full line), the server has
    // accepted the four before it. In a line of three or more, it waits for two rounds of
    // silent clients to time out.
    let asked = Instant::now();
    let (raw, error) = read_answer(connect(&server), READ_TIMEOUT * 2 + DEADLINE);
    let waited = asked.elapsed();
    let why = server.why_stopped().unwrap_or_default();
    assert!(
        raw.starts_with(b"HTTP/1.1 "),
        "with 2 workers and 4 silent clients, the program did not answer the next client ({}). \
         {why}\nhint: past a full line, answer 503 ({HINT} › \"A full pool\")",
        error.map(|e| e.to_string()).unwrap_or_default()
    );
    // What a pool does, seen from outside: with every worker held, the next client waits for
    // room in the line and gets a 503, or waits for a worker. A thread per client answers at
    // once. (This holds where threads cannot be counted, as in the grade's sandbox.)
    assert!(
        raw.starts_with(b"HTTP/1.1 503") || waited >= LINE_WAIT / 2,
        "`--workers 2` with 4 silent clients answered the next client within {waited:?}, as \
         if it had a thread for it.\nhint: start the workers once, before the accept loop, \
         and never a thread per client ({HINT} › \"The pool\")"
    );
    let Some(threads) = threads_of(server.id()) else {
        return drop(silent);
    };
    assert!(
        threads <= 2 + 2,
        "`--workers 2` ran {threads} threads with 5 clients connected: more than its 2 \
         workers, the main thread and one more.\nhint: start the workers once, before the \
         accept loop, and never a thread per client ({HINT} › \"The pool\")"
    );
    drop(silent);
}

#[cfg(unix)]
#[test]
fn ctrl_c_stops_the_program_after_its_answers_are_sent() {
    let mut command = program();
    command.args(["--port", "0", "--workers", "2"]);
    let server = testkit::ChildServer::start(command);
    assert_eq!(get_sample(&server, "serve the sample file").status(), 200);
    let interrupted = std::process::Command::new("kill")
        .args(["-s", "INT", &server.id().to_string()])
        .status()
        .expect("run kill");
    assert!(interrupted.success(), "kill -s INT failed");
    let status = server.exit_status(DEADLINE);
    let why = server.why_stopped().unwrap_or_default();
    assert!(
        status.is_some_and(|status| status.success()),
        "after Ctrl-C (SIGINT) the program should finish its answers and exit with success \
         within {DEADLINE:?}; it {}. {why}\nhint: `run` sets the Shutdown flag on Ctrl-C: \
         serve_pool must look at it while no client comes ({HINT} › \"Shutting down\")",
        status.map_or("still runs".to_string(), |status| format!(
            "exited ({status})"
        ))
    );
}
