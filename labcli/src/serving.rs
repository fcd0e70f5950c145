//! Given code, the same for the web servers of steps 4 to 7: what lets one server take a whole
//! classroom.
//!
//! Thirty browsers load the page at the same moment; each opens spare connections that send
//! nothing until it needs them; students' programs send bytes that no browser would. The
//! lesson's code (in the lab's `lib.rs`) stays as the lesson has it: `serve` hands
//! `handle_connection` to [`serve_on_threads`], and `read_request` reads through
//! [`RequestHead::limit`]. This module calls the lesson's code within limits that keep any one
//! client from holding up the others, or from making the server use ever more threads or
//! memory. You need not change it.
//!
//! Its threads: ACCEPTORS accept each client and look whether its request has arrived; if it
//! has, one of the ANSWERERS runs `handle`, else one of the HELPERS waits for the request
//! first. Each has a line of clients waiting for it, and a client past a full line is turned
//! away, so the threads and the clients held are bounded whatever the load. One more thread
//! (`serving/deadlines.rs`) cuts off an answer still going out after ANSWER_DEADLINE.

mod deadlines;

use std::any::Any;
use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::panic::{self, AssertUnwindSafe};
use std::sync::{Arc, Mutex, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use deadlines::Deadlines;

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

/// How many threads accept clients. They only accept and look: a client whose request has
/// arrived goes to an answerer, one that is slow to send it to a helper.
pub const ACCEPTORS: usize = 2;

/// How many threads answer the clients whose request has arrived, with as many again waiting
/// in line for one. An answer that a client takes slowly (a large file over a slow network,
/// a client that never reads) holds up one answerer, never the accepting of everyone else;
/// past the answerers and their line, a client gets `503 Service Unavailable`.
pub const ANSWERERS: usize = 16;

/// How long an accepting thread waits for a new client's request before handing the client
/// to a helper. Browsers and programs send their request as soon as they are connected.
const ARRIVAL_WAIT: Duration = Duration::from_millis(1);

/// How long it waits for the first bytes of a client that has sent nothing, when every
/// helper is busy: a browser's request comes within a few milliseconds of its connection.
const LATE_WAIT: Duration = Duration::from_millis(50);

/// How long a helper waits for a client's next bytes, and how long the server waits for a
/// client to take the next bytes of its answer. A browser's spare connection sends nothing
/// until the browser needs it: after this long, its helper is free again.
pub const PATIENCE: Duration = Duration::from_secs(10);

/// How long a whole answer may take to go out, from the moment its request has arrived: a
/// client that takes a large file one byte at a time frees its answering thread after this.
/// (One second in this module's own tests.)
pub const ANSWER_DEADLINE: Duration = if cfg!(test) {
    Duration::from_secs(1)
} else {
    Duration::from_secs(60)
};

/// How long a whole request head may take to arrive. Without it, a client that sends one byte
/// every few seconds would keep its helper for hours; 30 s is still time enough to type a
/// request by hand with `nc`.
pub const HEAD_DEADLINE: Duration = Duration::from_secs(30);

/// Runs `handle` for every client that connects, forever.
///
/// Nearly every client has sent its whole request head by the time it is accepted: it goes
/// to one of the ANSWERERS at once. A client whose request is not there yet goes to one of
/// the HELPERS. A panic in `handle`, on any thread, stops the server, as it would stop a loop
/// that serves one client after another: a panic is a bug to fix.
pub fn serve_on_threads<H>(listener: TcpListener, handle: H) -> io::Result<()>
where
    H: Fn(TcpStream) -> io::Result<()> + Clone + Send + 'static,
{
    let (panicked, panics) = mpsc::channel();
    let deadlines = Arc::new(Deadlines::default());
    let watching = deadlines.clone();
    start_thread("deadlines".into(), &panicked, move || watching.enforce())?;
    let (to_helpers, slow_clients) = mpsc::sync_channel(HELPERS);
    let slow_clients = Arc::new(Mutex::new(slow_clients));
    for number in 1..=HELPERS {
        let (slow_clients, handle, deadlines) =
            (slow_clients.clone(), handle.clone(), deadlines.clone());
        let helper = move || {
            work(&slow_clients, |stream| {
                serve_slow_client(stream, &handle, &deadlines)
            })
        };
        start_thread(format!("helper {number}"), &panicked, helper)?;
    }
    let (to_answerers, arrived) = mpsc::sync_channel(ANSWERERS);
    let arrived = Arc::new(Mutex::new(arrived));
    for number in 1..=ANSWERERS {
        let (arrived, handle, deadlines) = (arrived.clone(), handle.clone(), deadlines.clone());
        let answerer = move || {
            work(&arrived, |stream| {
                serve_arrived(stream, &handle, &deadlines)
            })
        };
        start_thread(format!("answerer {number}"), &panicked, answerer)?;
    }
    let listener = Arc::new(listener);
    for number in 1..=ACCEPTORS {
        let (listener, to_answerers, to_helpers) =
            (listener.clone(), to_answerers.clone(), to_helpers.clone());
        let acceptor = move || accept(&listener, &to_answerers, &to_helpers);
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

/// An accepting thread: hands each client whose request has arrived to the answerers, and
/// the others to the helpers, forever.
fn accept(
    listener: &TcpListener,
    to_answerers: &mpsc::SyncSender<TcpStream>,
    to_helpers: &mpsc::SyncSender<TcpStream>,
) {
    for stream in listener.incoming() {
        match stream {
            Ok(stream) if request_has_arrived(&stream, ARRIVAL_WAIT) => {
                hand_over(stream, to_answerers);
            }
            Ok(stream) => match to_helpers.try_send(stream) {
                Ok(()) | Err(mpsc::TrySendError::Disconnected(_)) => {}
                // Every helper busy (slow clients, or an attack of them): a client that has
                // sent nothing yet gets a last, longer look, as a browser's request may come a
                // few milliseconds after its connection. Bytes that are not a whole head end
                // the look at once: a client that trickles costs no wait.
                Err(mpsc::TrySendError::Full(stream))
                    if request_has_arrived(&stream, LATE_WAIT) =>
                {
                    hand_over(stream, to_answerers);
                }
                Err(mpsc::TrySendError::Full(_)) => {
                    eprintln!("turned a slow client away: every helper is busy, and its line full");
                }
            },
            // Accepting fails when the process has no file descriptor left, for instance:
            // pause rather than try again at once, which would only keep a core busy.
            Err(error) => {
                eprintln!("cannot accept a client: {error}");
                thread::sleep(Duration::from_millis(100));
            }
        }
    }
}

/// Whether the client's whole request head is here, waiting at most `wait` for its first
/// bytes: then reading it keeps nobody waiting.
fn request_has_arrived(stream: &TcpStream, wait: Duration) -> bool {
    let mut head = [0; MAX_REQUEST_HEAD as usize];
    // `peek` looks at the bytes that have arrived and leaves them there for `handle` to read.
    stream.set_read_timeout(Some(wait)).is_ok()
        && stream
            .peek(&mut head)
            .is_ok_and(|n| head[..n].windows(4).any(|four| four == b"\r\n\r\n"))
}

/// Serves a client whose request head is here, within PATIENCE for every read and write: a
/// client that never reads its answer would otherwise block the writing for good, once the
/// network's buffers are full, and a `handle` that reads past the head (step 4's starter
/// echoes) waits for the client as the lesson says, without holding up anyone else.
fn serve_arrived(
    stream: TcpStream,
    handle: &impl Fn(TcpStream) -> io::Result<()>,
    deadlines: &Deadlines,
) -> io::Result<()> {
    stream.set_read_timeout(Some(PATIENCE))?;
    stream.set_write_timeout(Some(PATIENCE))?;
    let _answering = deadlines.watch(stream.try_clone()?, ANSWER_DEADLINE);
    handle(stream)
}

/// How long an accepting thread waits for room in the answerers' line before it answers
/// `503`: a crowd of quick requests (thirty browsers at once) is all answered, while answers
/// that clients take slowly cannot stop the accepting for longer than this.
const LINE_WAIT: Duration = Duration::from_secs(1);

/// Puts a client whose request has arrived in the answerers' line, waiting up to LINE_WAIT
/// for room in it; past that, answers it `503 Service Unavailable` itself.
fn hand_over(mut stream: TcpStream, to_answerers: &mpsc::SyncSender<TcpStream>) {
    let started = Instant::now();
    loop {
        match to_answerers.try_send(stream) {
            Ok(()) | Err(mpsc::TrySendError::Disconnected(_)) => return,
            Err(mpsc::TrySendError::Full(back)) if started.elapsed() < LINE_WAIT => {
                stream = back;
                // std's channel cannot wait for room with a time limit: look again shortly.
                thread::sleep(Duration::from_millis(1));
            }
            Err(mpsc::TrySendError::Full(back)) => {
                eprintln!("answered 503: every answerer is busy, and its line full");
                return report(turn_away(back));
            }
        }
    }
}

/// `503 Service Unavailable`, for a client that arrives when every answerer is busy.
fn turn_away(stream: TcpStream) -> io::Result<()> {
    stream.set_write_timeout(Some(PATIENCE))?;
    (&stream).write_all(UNAVAILABLE_ANSWER)?;
    hang_up(stream)
}

const UNAVAILABLE_ANSWER: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\n\
    Retry-After: 1\r\n\
    Content-Length: 0\r\n\
    Connection: close\r\n\
    \r\n";

/// An answerer or a helper: serves the clients handed to it through `line`, one after
/// another, forever.
fn work(line: &Mutex<mpsc::Receiver<TcpStream>>, serve: impl Fn(TcpStream) -> io::Result<()>) {
    loop {
        // One thread at a time waits on the line; it lets go of it before serving its client.
        let Ok(waiting) = line.lock() else {
            return;
        };
        let Ok(stream) = waiting.recv() else { return };
        drop(waiting);
        report(serve(stream));
    }
}

/// Serves a client whose request is slow to come: within PATIENCE for every read and write,
/// HEAD_DEADLINE for the whole head, and ANSWER_DEADLINE more for the answer. A head over
/// MAX_REQUEST_HEAD gets `431 Request Header Fields Too Large`.
fn serve_slow_client(
    stream: TcpStream,
    handle: &impl Fn(TcpStream) -> io::Result<()>,
    deadlines: &Deadlines,
) -> io::Result<()> {
    stream.set_read_timeout(Some(PATIENCE))?;
    stream.set_write_timeout(Some(PATIENCE))?;
    let _serving = deadlines.watch(stream.try_clone()?, HEAD_DEADLINE + ANSWER_DEADLINE);
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
pub struct RequestHead<R> {
    stream: io::Take<R>,
    deadline: Instant,
}

impl<R: Read> RequestHead<R> {
    pub fn limit(stream: R) -> Self {
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
pub fn hang_up(mut connection: TcpStream) -> io::Result<()> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::SocketAddr;

    /// Every socket operation of these tests waits at most this long: a test must not hang.
    const DEADLINE: Duration = Duration::from_secs(5);

    const REQUEST: &[u8] = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n";

    /// An answer far larger than the sockets' buffers hold: a client that does not read it
    /// keeps its writer waiting.
    static LARGE: [u8; 8 << 20] = [b'x'; 8 << 20];

    /// Reads a request of [`REQUEST`]'s length through [`RequestHead`], then answers (finding
    /// where a request head ends is step 4's lesson, not this module's).
    fn answer_ok(stream: TcpStream) -> io::Result<()> {
        RequestHead::limit(&stream).read_exact(&mut [0; REQUEST.len()])?;
        (&stream).write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
    }

    /// Reads until the client stops sending, or [`RequestHead`] fails.
    fn read_all(stream: TcpStream) -> io::Result<()> {
        RequestHead::limit(&stream).read_to_end(&mut Vec::new())?;
        Ok(())
    }

    /// Starts `serve_on_threads` with `handle` on a port of its own; the channel gets the
    /// message of the panic that ends it, if one does.
    fn start<H>(handle: H) -> (SocketAddr, mpsc::Receiver<Option<String>>)
    where
        H: Fn(TcpStream) -> io::Result<()> + Clone + Send + 'static,
    {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap();
        let (ended, end) = mpsc::channel();
        thread::spawn(move || {
            let served =
                panic::catch_unwind(AssertUnwindSafe(|| serve_on_threads(listener, handle)));
            let message = served.err().map(|panic| match panic.downcast::<&str>() {
                Ok(text) => text.to_string(),
                Err(_) => "a panic without a text".to_string(),
            });
            let _ = ended.send(message);
        });
        (address, end)
    }

    fn connect(address: SocketAddr) -> TcpStream {
        let stream = TcpStream::connect_timeout(&address, DEADLINE).unwrap();
        stream.set_read_timeout(Some(DEADLINE)).unwrap();
        stream.set_write_timeout(Some(DEADLINE)).unwrap();
        stream
    }

    fn read_answer(mut stream: TcpStream) -> String {
        let mut answer = Vec::new();
        stream.read_to_end(&mut answer).unwrap();
        String::from_utf8_lossy(&answer).into_owned()
    }

    #[test]
    fn a_request_head_within_the_limit_reads_through() {
        let mut read = Vec::new();
        RequestHead::limit(REQUEST).read_to_end(&mut read).unwrap();
        assert_eq!(read, REQUEST);
    }

    #[test]
    fn a_read_past_the_limit_fails_with_its_own_kind() {
        let mut head = RequestHead::limit(io::repeat(b'a'));
        let mut buffer = [0; 1000];
        let mut given = 0;
        let error = loop {
            match head.read(&mut buffer) {
                Ok(n) => given += n as u64,
                Err(error) => break error,
            }
        };
        assert_eq!(given, MAX_REQUEST_HEAD);
        assert_eq!(error.kind(), HEAD_TOO_LARGE);
    }

    #[test]
    fn a_client_whose_request_has_arrived_is_answered() {
        let (address, _) = start(answer_ok);
        let mut client = connect(address);
        client.write_all(REQUEST).unwrap();
        assert!(read_answer(client).starts_with("HTTP/1.1 200 OK\r\n"));
    }

    #[test]
    fn a_slow_client_is_answered_by_a_helper() {
        let (address, _) = start(answer_ok);
        let mut client = connect(address);
        // Later than the accepting thread waits: the client goes to a helper.
        thread::sleep(ARRIVAL_WAIT * 50);
        for piece in REQUEST.chunks(4) {
            client.write_all(piece).unwrap();
            thread::sleep(Duration::from_millis(5));
        }
        assert!(read_answer(client).starts_with("HTTP/1.1 200 OK\r\n"));
    }

    #[test]
    fn a_slow_head_over_the_limit_gets_431() {
        let (address, _) = start(read_all);
        let mut client = connect(address);
        thread::sleep(ARRIVAL_WAIT * 50);
        let head = [b'x'; MAX_REQUEST_HEAD as usize + 1000];
        client.write_all(&head).unwrap();
        let answer = read_answer(client);
        assert_eq!(answer.as_bytes(), HEAD_TOO_LARGE_ANSWER, "{answer}");
    }

    #[test]
    fn a_handler_that_reads_past_the_head_waits_for_the_client() {
        // Step 4's starter: an echo, which reads again after the request.
        let echo = |stream: TcpStream| {
            io::copy(&mut &stream, &mut &stream)?;
            Ok(())
        };
        let (address, _) = start(echo);
        let mut client = connect(address);
        client.write_all(REQUEST).unwrap();
        let mut echoed = vec![0; REQUEST.len()];
        client.read_exact(&mut echoed).unwrap();
        // Still open a moment later: the echo waits for more, as the lesson says it does.
        client
            .set_read_timeout(Some(Duration::from_millis(300)))
            .unwrap();
        let error = client
            .read(&mut [0; 1])
            .expect_err("the connection should stay open");
        assert!(
            matches!(
                error.kind(),
                io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
            ),
            "{error}"
        );
    }

    #[test]
    fn clients_that_never_read_a_large_answer_hold_up_no_one_else() {
        let answer = |stream: TcpStream| {
            RequestHead::limit(&stream).read_exact(&mut [0; REQUEST.len()])?;
            (&stream).write_all(&LARGE)
        };
        let (address, _) = start(answer);
        // More non-reading clients than there are accepting threads.
        let stuck: Vec<TcpStream> = (0..ACCEPTORS + 2)
            .map(|_| {
                let mut client = connect(address);
                client.write_all(REQUEST).unwrap();
                client
            })
            .collect();
        for _ in 0..5 {
            let started = Instant::now();
            let mut client = connect(address);
            client.write_all(REQUEST).unwrap();
            let mut first = [0; 1];
            client.read_exact(&mut first).expect("an answer");
            assert!(
                started.elapsed() < Duration::from_secs(1),
                "an answer took {:?}",
                started.elapsed()
            );
        }
        drop(stuck);
    }

    // Unix only: the deadline wakes a blocked write by shutting its connection down from
    // another thread, which Linux and macOS do; under Wine, a blocked send did not wake.
    #[cfg(unix)]
    #[test]
    fn an_answer_still_going_out_at_its_deadline_is_cut_off() {
        let (sent, finished) = mpsc::channel();
        let answer = move |stream: TcpStream| {
            RequestHead::limit(&stream).read_exact(&mut [0; REQUEST.len()])?;
            let written = (&stream).write_all(&LARGE);
            let _ = sent.send(written.is_ok());
            written
        };
        let (address, _) = start(answer);
        let mut client = connect(address);
        client.write_all(REQUEST).unwrap();
        let started = Instant::now();
        // A client that takes its answer a little at a time, never long enough apart for the
        // socket's own timeout (PATIENCE) to fire.
        thread::spawn(move || {
            while let Ok(1..) = client.read(&mut [0; 1024]) {
                thread::sleep(Duration::from_millis(20)); // the scenario: a slow reader
            }
        });
        let completed = finished
            .recv_timeout(ANSWER_DEADLINE * 3)
            .expect("the answerer should be free again soon after the deadline");
        assert!(!completed, "the answer should have been cut off");
        assert!(
            started.elapsed() >= ANSWER_DEADLINE,
            "{:?}",
            started.elapsed()
        );
    }

    #[test]
    fn a_panic_in_the_handler_stops_the_server_with_that_panic() {
        let (address, end) = start(|_| panic!("a bug to fix"));
        connect(address).write_all(REQUEST).unwrap();
        let panicked = end.recv_timeout(DEADLINE).expect("the server still runs");
        assert_eq!(panicked.as_deref(), Some("a bug to fix"));
    }
}
