//! Step 9 suite: one connection, many requests: answers framed by `Content-Length` on a
//! connection that stays open, pipelined requests answered in order, `Connection: close` from
//! the client (or HTTP/1.0) honoured, an idle connection closed after IDLE_TIMEOUT; and request
//! bodies read by their length: uploads stored with `201 Created`, refused with 409, 411, 413,
//! 400 or 404 as the case is (docs chapter "Step 9: keep-alive and request bodies").
//!
//! The host brings the lab's `serve_site`, `serve_connection`, `Site`, `Shutdown`, `Incoming`,
//! `keeps_alive`, `body_length`, `BodyError`, `store_upload`, the new `response_*` functions,
//! `IDLE_TIMEOUT`, `MAX_BODY`, `WORKERS` and `program()` into scope.

use super::*;
use std::fs;
use std::io::{self, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::thread;
use std::time::Instant;
use testkit::http::Response;
use testkit::kept::KeptConnection;
use testkit::{DEADLINE, Server, Target, TempDir, assert_bytes_eq};

const HINT: &str = "docs chapter \"Step 9: keep-alive and request bodies\"";

/// A request for `target` that leaves the connection open, as a browser's does.
fn get(target: &str) -> Vec<u8> {
    format!("GET {target} HTTP/1.1\r\nHost: localhost\r\nUser-Agent: testkit\r\n\r\n").into_bytes()
}

/// The same, with `Connection: close`: the client's last request.
fn last_get(target: &str) -> Vec<u8> {
    format!("GET {target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").into_bytes()
}

/// An upload of `body` to `target`, with its length.
fn post(target: &str, body: &[u8]) -> Vec<u8> {
    let head = format!(
        "POST {target} HTTP/1.1\r\nHost: localhost\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    [head.as_bytes(), body].concat()
}

/// The workbook's sample site.
fn webroot() -> PathBuf {
    labcli::workspace_webroot()
}

fn sample(name: &str) -> Vec<u8> {
    fs::read(webroot().join(name)).expect("read a file of the sample site")
}

/// `serve_site` on a thread of the test, serving the sample site with an uploads folder of
/// its own (or none), and asked to shut down when the test ends.
struct Site9 {
    server: Server,
    shutdown: Shutdown,
    /// The uploads folder, `uploads/` inside a folder of the test's own: an upload that
    /// escapes it lands in that folder, where the test looks for it, and which goes when the
    /// test ends (not in the system's temporary folder, where it would stay for every later run).
    uploads: Option<(TempDir, PathBuf)>,
}

impl Site9 {
    fn start(with_uploads: bool) -> Site9 {
        let uploads = with_uploads.then(|| {
            let dir = TempDir::new("step9-site").unwrap_or_else(|error| panic!("{error}"));
            let uploads = dir.path().join("uploads");
            fs::create_dir(&uploads)
                .unwrap_or_else(|error| panic!("cannot create {}: {error}", uploads.display()));
            (dir, uploads)
        });
        let site = Site {
            webroot: webroot(),
            uploads: uploads.as_ref().map(|(_, uploads)| uploads.clone()),
        };
        let shutdown = Shutdown::new();
        let theirs = shutdown.clone();
        let server = Server::start(move |listener| serve_site(listener, &site, 4, &theirs));
        Site9 {
            server,
            shutdown,
            uploads,
        }
    }

    fn uploads(&self) -> &Path {
        &self.uploads.as_ref().expect("a site with uploads").1
    }

    fn open(&self) -> KeptConnection {
        KeptConnection::open(&self.server, HINT)
    }
}

impl Drop for Site9 {
    fn drop(&mut self) {
        self.shutdown.request();
    }
}

#[track_caller]
fn assert_status(response: &Response, status: u16, what: &str, hint: &str) {
    assert_eq!(
        response.status(),
        status,
        "{what}: the status line is {:?}, not a {status}.\nhint: {}",
        response.status_line,
        chapter(hint)
    );
}

/// Fails unless `response` says `Connection: close`, with `hint` and the chapter.
#[track_caller]
fn assert_closes(response: &Response, what: &str, hint: &str) {
    testkit::http::assert_says_close(response, what, &chapter(hint));
}

/// `hint` with the chapter named: in `text (› "Section")`, HINT goes before the section, and a
/// hint without a section gets HINT after it.
fn chapter(hint: &str) -> String {
    match hint.rsplit_once("› ") {
        Some(("", section)) => format!("{HINT} › {section}"),
        Some((text, section)) if text.ends_with('(') => format!("{text}{HINT} › {section}"),
        _ => format!("{hint} ({HINT})"),
    }
}

/// Whether `response` says `Connection: close`.
fn says_close(response: &Response) -> bool {
    testkit::http::says_close(response.header("Connection").unwrap_or_default())
}

#[track_caller]
fn assert_open(response: &Response, what: &str) {
    let connection = response.header("Connection").unwrap_or_default();
    assert!(
        !testkit::http::says_close(connection),
        "{what} says `Connection: {connection}`, yet the client asked for nothing of the kind.\n\
         hint: HTTP/1.1 keeps a connection open unless a side says `Connection: close`: say it \
         only on the answer after which the server closes ({HINT} › \"Who closes\")"
    );
}

#[test]
fn two_requests_on_one_connection_get_two_answers() {
    let site = Site9::start(false);
    let mut connection = site.open();
    connection.send(&get("/sample.txt"));
    let first = connection.response("the answer to the first request");
    assert_status(
        &first,
        200,
        "GET /sample.txt",
        "serve the file as in step 8",
    );
    assert_bytes_eq(&first.body, &sample("sample.txt"), "the body is the file");
    assert_open(&first, "the answer to the first request");
    connection.send(&get("/a_web_page.html"));
    let second = connection.response("the answer to a second request on the same connection");
    assert_status(
        &second,
        200,
        "GET /a_web_page.html, the second request",
        "read the next request",
    );
    assert_bytes_eq(
        &second.body,
        &sample("a_web_page.html"),
        "the second body is its file",
    );
}

#[test]
fn a_hundred_requests_on_one_connection_are_all_answered() {
    let site = Site9::start(false);
    let mut connection = site.open();
    for number in 1..=100 {
        let target = if number % 2 == 0 {
            "/sample.txt"
        } else {
            "/nothing-here"
        };
        connection.send(&get(target));
        let response = connection.response(&format!("the answer to request {number}"));
        let status = if number % 2 == 0 { 200 } else { 404 };
        assert_status(
            &response,
            status,
            &format!("request {number}, GET {target}"),
            "a 404 keeps the connection too",
        );
    }
}

#[test]
fn pipelined_requests_are_answered_in_order() {
    let site = Site9::start(false);
    let mut connection = site.open();
    // Three requests in one write: a server that reads them in one read must keep the bytes
    // past the first head for the next.
    let three = [
        get("/sample.txt"),
        get("/missing.txt"),
        get("/a_web_page.html"),
    ]
    .concat();
    connection.send(&three);
    let hint = "the bytes read past a request's blank line are the start of the next request: \
                keep them for it (› \"Many requests\")";
    let first = connection.response("the answer to the first of three requests sent at once");
    assert_status(&first, 200, "the first of three pipelined requests", hint);
    assert_bytes_eq(
        &first.body,
        &sample("sample.txt"),
        "first comes the first request's answer",
    );
    let second = connection.response("the answer to the second of three requests sent at once");
    assert_status(
        &second,
        404,
        "the second of three pipelined requests (/missing.txt)",
        hint,
    );
    let third = connection.response("the answer to the third of three requests sent at once");
    assert_status(&third, 200, "the third of three pipelined requests", hint);
    assert_bytes_eq(
        &third.body,
        &sample("a_web_page.html"),
        "last comes the third's answer",
    );
}

#[test]
fn a_request_sent_in_pieces_on_a_kept_connection_is_answered() {
    let site = Site9::start(false);
    let mut connection = site.open();
    connection.send(&get("/sample.txt"));
    connection.response("the answer to the first request");
    // The second request arrives in three pieces, its blank line split in two.
    let request = get("/a_web_page.html");
    let cut = request.len() - 2;
    for piece in [&request[..10], &request[10..cut], &request[cut..]] {
        connection.send(piece);
        thread::sleep(testkit::client::PAUSE);
    }
    let second = connection.response("the answer to a second request sent in pieces");
    assert_status(
        &second,
        200,
        "a second request sent in three pieces",
        "read until the blank line, as in step 4",
    );
}

#[test]
fn a_request_that_says_close_is_the_last_one() {
    let site = Site9::start(false);
    let mut connection = site.open();
    connection.send(&get("/sample.txt"));
    let first = connection.response("the answer to the first request");
    assert_open(&first, "the answer to the first request");
    connection.send(&last_get("/sample.txt"));
    let last = connection.response("the answer to a request with `Connection: close`");
    assert_closes(
        &last,
        "the answer to `Connection: close`",
        "› \"Who closes\"",
    );
    assert!(
        connection.closed_within(DEADLINE).is_some(),
        "after answering a request that says `Connection: close`, the server kept the \
         connection open.\nhint: close it after that answer ({HINT} › \"Who closes\")"
    );
}

#[test]
fn an_http_1_0_client_keeps_the_connection_only_if_it_asks() {
    let site = Site9::start(false);
    let mut connection = site.open();
    connection.send(b"GET /sample.txt HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    let kept =
        connection.response("the answer to an HTTP/1.0 request with `Connection: keep-alive`");
    assert_status(
        &kept,
        200,
        "GET /sample.txt HTTP/1.0",
        "serve it as any GET",
    );
    assert_open(
        &kept,
        "the answer to HTTP/1.0 with `Connection: keep-alive`",
    );
    connection.send(b"GET /sample.txt HTTP/1.0\r\n\r\n");
    let last = connection.response("the answer to an HTTP/1.0 request without keep-alive");
    assert_closes(
        &last,
        "the answer to HTTP/1.0 without keep-alive",
        "an HTTP/1.0 connection closes unless the client asks for keep-alive (› \"Who closes\")",
    );
    assert!(
        connection.closed_within(DEADLINE).is_some(),
        "an HTTP/1.0 request without `Connection: keep-alive` was answered and the connection \
         kept open.\nhint: HTTP/1.0 closes by default ({HINT} › \"Who closes\")"
    );
}

#[test]
fn keeps_alive_reads_the_connection_options() {
    let cases: [(&[u8], bool); 9] = [
        (b"GET / HTTP/1.1\r\nHost: a\r\n\r\n", true),
        (b"GET / HTTP/1.1\r\nConnection: close\r\n\r\n", false),
        (
            b"GET / HTTP/1.1\r\nconnection: Keep-Alive, CLOSE\r\n\r\n",
            false,
        ),
        (
            b"GET / HTTP/1.1\r\nConnection: keep-alive\r\nConnection: close\r\n\r\n",
            false,
        ),
        (b"GET / HTTP/1.1\r\nConnection: closed\r\n\r\n", true),
        (b"GET / HTTP/1.1\r\nX-Connection: close\r\n\r\n", true),
        (b"GET / HTTP/1.0\r\n\r\n", false),
        (b"GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", true),
        (
            b"GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n",
            false,
        ),
    ];
    for (head, expected) in cases {
        let got = keeps_alive(head);
        assert_eq!(
            got,
            expected,
            "keeps_alive({}) is {got}.\nhint: HTTP/1.1 keeps the connection unless a \
             `Connection` header (any case, any of its comma-separated options) says `close`; \
             HTTP/1.0 closes unless one says `keep-alive` ({HINT} › \"Who closes\")",
            testkit::visible(head)
        );
    }
}

#[test]
fn an_idle_connection_is_closed_after_idle_timeout() {
    let site = Site9::start(false);
    let mut connection = site.open();
    connection.send(&get("/sample.txt"));
    let answer = connection.response("the answer to the request");
    assert_open(&answer, "the answer to the request");
    let closed = connection.closed_within(IDLE_TIMEOUT + DEADLINE);
    let hint = format!(
        "between two requests, wait at most IDLE_TIMEOUT ({IDLE_TIMEOUT:?}) for the next, \
         then close ({HINT} › \"Many requests\")"
    );
    match closed {
        None => panic!(
            "the connection was still open {:?} after the last answer.\nhint: {hint}",
            IDLE_TIMEOUT + DEADLINE
        ),
        Some(after) => {
            assert!(
                after >= IDLE_TIMEOUT / 2,
                "the server closed the connection {after:?} after an answer to a request that \
                 did not say `Connection: close`: a client's next request may take a moment.\n\
                 hint: {hint}"
            );
            // The server's wait began before the test's, as it sent the answer: half of
            // IDLE_TIMEOUT more is room for a busy machine, and less than READ_TIMEOUT.
            assert!(
                after <= IDLE_TIMEOUT + IDLE_TIMEOUT / 2,
                "the server closed the quiet connection {after:?} after the last answer, well \
                 past IDLE_TIMEOUT ({IDLE_TIMEOUT:?}).\nhint: {hint}; READ_TIMEOUT \
                 ({READ_TIMEOUT:?}) is for the rest of a request under way, not for the wait \
                 between two requests"
            );
        }
    }
}

#[test]
fn a_shutdown_ends_a_kept_connection_after_its_next_answer() {
    let site = Site9::start(false);
    let mut connection = site.open();
    connection.send(&get("/sample.txt"));
    let first = connection.response("the answer before the shutdown");
    assert_open(&first, "the answer before the shutdown");
    site.shutdown.request();
    connection.send(&get("/sample.txt"));
    let hint = "once a shutdown is requested, answer the request under way with `Connection: \
                close`, then close (› \"Who closes\")";
    let last = connection.response("the answer to a request sent after the shutdown was requested");
    assert_status(&last, 200, "the request under way at the shutdown", hint);
    assert_closes(&last, "the answer after the shutdown request", hint);
    assert!(
        connection.closed_within(DEADLINE).is_some(),
        "after the shutdown request and its last answer, the connection stayed open.\nhint: {hint}"
    );
}

/// What `body_length` says of a head.
type Length = Result<Option<u64>, BodyError>;

#[test]
fn body_length_reads_content_length() {
    let head = |headers: &str| {
        format!("POST /uploads/a HTTP/1.1\r\nHost: a\r\n{headers}\r\n").into_bytes()
    };
    let too_large = format!("Content-Length: {}\r\n", MAX_BODY + 1);
    let largest = format!("Content-Length: {MAX_BODY}\r\n");
    let cases: Vec<(Vec<u8>, Length)> = vec![
        (head("Content-Length: 5\r\n"), Ok(Some(5))),
        (head("content-length:  0 \r\n"), Ok(Some(0))),
        (head(""), Ok(None)),
        (head(&largest), Ok(Some(MAX_BODY))),
        (
            head("Content-Length: 7\r\nContent-Length: 7\r\n"),
            Ok(Some(7)),
        ),
        (head("Content-Length: 7, 7\r\n"), Ok(Some(7))),
        (
            head("Content-Length: 7\r\nContent-Length: 8\r\n"),
            Err(BodyError::BadLength),
        ),
        (head("Content-Length: +5\r\n"), Err(BodyError::BadLength)),
        (head("Content-Length: -1\r\n"), Err(BodyError::BadLength)),
        (
            head("Content-Length: 5 bytes\r\n"),
            Err(BodyError::BadLength),
        ),
        (head("Content-Length: \r\n"), Err(BodyError::BadLength)),
        (
            head("Transfer-Encoding: chunked\r\n"),
            Err(BodyError::NotLengthed),
        ),
        (head(&too_large), Err(BodyError::TooLarge)),
    ];
    for (head, expected) in cases {
        let got = body_length(&head);
        assert_eq!(
            got,
            expected,
            "body_length of\n{}\nhint: the length is the digits of `Content-Length` (in any \
             case), within MAX_BODY; lengths that disagree, or that are not digits, are no \
             length ({HINT} › \"Reading a body\")",
            testkit::visible(&head)
        );
    }
    let huge = head("Content-Length: 99999999999999999999999\r\n");
    assert!(
        body_length(&huge).is_err(),
        "body_length accepted a length of 23 digits.\nhint: a length past MAX_BODY is too \
         large, however many digits it has ({HINT} › \"Reading a body\")"
    );
    // A request smuggler's head: a proxy that reads one framing and a server that reads the
    // other see different requests.
    let both = head("Transfer-Encoding: chunked\r\nContent-Length: 5\r\n");
    let got = body_length(&both);
    assert!(
        got.is_err(),
        "body_length is {got:?} for a head with both `Transfer-Encoding: chunked` and \
         `Content-Length: 5`.\nhint: Transfer-Encoding overrides Content-Length (RFC 9112 \
         § 6.3), and this server does not read it: the body's end is unknown, whatever the \
         length says ({HINT} › \"Reading a body\")"
    );
}

/// A connected pair of sockets: the test's end and the server's.
fn socket_pair() -> (TcpStream, TcpStream) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a listener to port 0");
    let client = TcpStream::connect(listener.local_addr().expect("its address")).expect("connect");
    let (server, _) = listener.accept().expect("accept");
    client
        .set_write_timeout(Some(DEADLINE))
        .expect("set a write deadline");
    server
        .set_read_timeout(Some(DEADLINE))
        .expect("set a read deadline");
    (client, server)
}

#[test]
fn incoming_hands_out_heads_and_bodies_one_at_a_time() {
    let (mut client, server) = socket_pair();
    let first = b"POST /uploads/a HTTP/1.1\r\nContent-Length: 8\r\n\r\n";
    let second = b"GET / HTTP/1.1\r\n\r\n";
    // One write, which the server may read in one read: a head, a body that looks like a head
    // of its own, and a second request.
    client
        .write_all(&[&first[..], b"\r\n\r\nGET ", second].concat())
        .expect("send");
    drop(client);
    let hint = format!(
        "keep the bytes read past what was asked for, for the next call ({HINT} › \"Many requests\")"
    );
    let read = testkit::within("Incoming's next_head and read_body", &hint, move || {
        let mut incoming = Incoming::new(&server);
        let head = incoming.next_head().map_err(|e| e.to_string());
        let body = incoming.read_body(8).map_err(|e| e.to_string());
        let next = incoming.next_head().map_err(|e| e.to_string());
        let end = incoming.next_head().map_err(|e| e.to_string());
        (head, body, next, end)
    });
    let (head, body, next, end) = read;
    assert_eq!(
        head,
        Ok(Some(first.to_vec())),
        "the first head.\nhint: {hint}"
    );
    assert_eq!(
        body,
        Ok(b"\r\n\r\nGET ".to_vec()),
        "the body: the 8 bytes after the head, whatever they look like.\nhint: {hint}"
    );
    assert_eq!(
        next,
        Ok(Some(second.to_vec())),
        "the second head.\nhint: {hint}"
    );
    assert_eq!(
        end,
        Ok(None),
        "the connection's end between two requests is `Ok(None)`, not an error.\nhint: {hint}"
    );
}

#[test]
fn incoming_fails_on_a_body_that_ends_early() {
    let (mut client, server) = socket_pair();
    client
        .write_all(b"POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nabcd")
        .expect("send");
    drop(client);
    let hint = format!("read the body to its length, or fail ({HINT} › \"Reading a body\")");
    let (head_read, body) =
        testkit::within("Incoming's next_head and read_body", &hint, move || {
            let mut incoming = Incoming::new(&server);
            let head = incoming.next_head().map_err(|e| e.to_string());
            (head.is_ok(), incoming.read_body(10).map_err(|e| e.kind()))
        });
    assert!(head_read, "next_head failed on a whole head ({HINT})");
    assert!(
        body.is_err(),
        "read_body(10) returned {body:?} for a body of 4 bytes followed by the connection's end.\n\
         hint: a body shorter than announced is an error: the client stopped sending ({HINT} › \
         \"Reading a body\")"
    );
}

#[test]
fn incoming_refuses_a_head_past_max_request_head_at_once() {
    let (mut client, server) = socket_pair();
    // 64 KiB with no blank line, from a client that then waits, its connection open.
    let sender = thread::spawn(move || {
        let _ = client.write_all(&[b'a'; 64 * 1024]);
        client
    });
    let most = labcli::serving::MAX_REQUEST_HEAD;
    let hint = format!(
        "once a head is past MAX_REQUEST_HEAD ({most} bytes) without its blank line, stop: it \
         is too long, an error, whatever comes next ({HINT} › \"Many requests\")"
    );
    let (head, took) = testkit::within("Incoming's next_head", &hint, move || {
        let started = Instant::now();
        let head = Incoming::new(&server).next_head();
        (
            head.map(|head| head.map(|head| head.len())),
            started.elapsed(),
        )
    });
    let client = sender.join();
    assert!(
        head.is_err(),
        "next_head returned {head:?} for 64 KiB with no blank line.\nhint: {hint}"
    );
    assert!(
        took < READ_TIMEOUT,
        "next_head failed only after {took:?}, as if it had waited for more of a head already \
         past MAX_REQUEST_HEAD.\nhint: {hint}"
    );
    drop(client);
}

#[test]
fn an_upload_is_stored_and_answered_201_with_its_location() {
    let site = Site9::start(true);
    let mut connection = site.open();
    let body = b"Notes from the lecture:\r\nHTTP frames a body by its length.\r\n";
    connection.send(&post("/uploads/notes.txt", body));
    let created = connection.response("the answer to an upload");
    assert_status(
        &created,
        201,
        "POST /uploads/notes.txt",
        "store the body, then answer `201 Created` (› \"Uploads\")",
    );
    assert_eq!(
        created.header("Location"),
        Some("/uploads/notes.txt"),
        "the 201's Location header says where the upload is now.\nhint: ({HINT} › \"Uploads\")"
    );
    let stored = fs::read(site.uploads().join("notes.txt")).unwrap_or_default();
    assert_bytes_eq(
        &stored,
        body,
        "the file in the uploads folder is the body, byte for byte",
    );
    connection.send(&get("/uploads/notes.txt"));
    let fetched =
        connection.response("the answer to a GET of the upload's Location, on the same connection");
    assert_status(
        &fetched,
        200,
        "GET /uploads/notes.txt after the upload",
        "read the body whole, so the next request starts after it",
    );
    assert_bytes_eq(
        &fetched.body,
        body,
        "GET of the upload's Location gives the body back",
    );
}

#[test]
fn a_large_binary_upload_is_stored_byte_for_byte() {
    let site = Site9::start(true);
    let mut connection = site.open();
    // Every byte value, and a blank line and a request line inside: the body ends where its
    // length says, not where something in it looks like an end.
    let mut body: Vec<u8> = (0..=255u8).cycle().take(300_000).collect();
    body.extend_from_slice(b"\r\n\r\nGET /sample.txt HTTP/1.1\r\n\r\n");
    connection.send(&post("/uploads/picture.bin", &body));
    let created = connection.response("the answer to an upload of 300 KB");
    assert_status(
        &created,
        201,
        "POST of a 300 KB body",
        "read exactly Content-Length bytes, over as many reads as it takes (› \"Reading a body\")",
    );
    let stored = fs::read(site.uploads().join("picture.bin")).unwrap_or_default();
    assert!(
        stored == body,
        "the stored upload has {} bytes, not the body's {}, or different ones.\nhint: read exactly Content-Length bytes, over as many reads as it takes ({HINT} › \"Reading a body\")",
        stored.len(),
        body.len()
    );
    connection.send(&get("/sample.txt"));
    let next = connection.response("the answer to the request after the upload");
    assert_status(
        &next,
        200,
        "GET /sample.txt after the upload",
        "the request after a body starts where the body ends",
    );
}

#[test]
fn an_upload_to_a_taken_name_is_409_and_the_file_stays() {
    let site = Site9::start(true);
    fs::write(site.uploads().join("taken.txt"), b"first").expect("write the first file");
    let mut connection = site.open();
    connection.send(&post("/uploads/taken.txt", b"second"));
    let conflict = connection.response("the answer to an upload to a taken name");
    assert_status(
        &conflict,
        409,
        "POST /uploads/taken.txt when it exists",
        "an upload never replaces a file: `409 Conflict` (› \"Uploads\")",
    );
    let kept = fs::read(site.uploads().join("taken.txt")).unwrap_or_default();
    assert_bytes_eq(&kept, b"first", "the file that was there is untouched");
    connection.send(&post("/uploads/free.txt", b"second"));
    let created =
        connection.response("the answer to an upload after a 409, on the same connection");
    assert_status(
        &created,
        201,
        "an upload after a 409",
        "the 409's request body was read: the connection goes on",
    );
}

#[test]
fn an_upload_name_that_is_not_plain_is_404_and_nothing_is_stored() {
    let site = Site9::start(true);
    let mut connection = site.open();
    connection.send(&post("/uploads/fine.txt", b"ok"));
    let created = connection.response("the answer to an upload");
    assert_status(
        &created,
        201,
        "POST /uploads/fine.txt",
        "store the body, then answer `201 Created` (› \"Uploads\")",
    );
    let outside = site
        .uploads()
        .parent()
        .expect("a parent folder")
        .join("step9-escaped.txt");
    for target in [
        "/uploads/..%2Fstep9-escaped.txt",
        "/uploads/",
        "/uploads/a/b.txt",
        "/uploads/..",
    ] {
        connection.send(&post(target, b"escape"));
        let answer = connection.response(&format!("the answer to POST {target}"));
        assert_status(
            &answer,
            404,
            &format!("POST {target}"),
            "an upload's name is one plain name, as in step 7 (› \"Uploads\")",
        );
    }
    assert!(
        !outside.exists(),
        "an upload reached {} ({HINT} › \"Uploads\")",
        outside.display()
    );
    let names: Vec<_> = fs::read_dir(site.uploads())
        .expect("list uploads")
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(
        names,
        ["fine.txt"],
        "the uploads folder holds only the one upload ({HINT} › \"Uploads\")"
    );
}

#[test]
fn an_upload_without_a_length_is_411() {
    // Without Content-Length or Transfer-Encoding a request has no body (RFC 9112 § 6.3): the
    // connection may go on after the 411, or close. A chunked body, unread, leaves the rest of
    // the connection unreadable: it closes.
    for (framing, what, closes) in [
        ("", "no Content-Length", false),
        (
            "Transfer-Encoding: chunked\r\n",
            "Transfer-Encoding: chunked",
            true,
        ),
    ] {
        let site = Site9::start(true);
        let mut connection = site.open();
        let request = format!("POST /uploads/a.txt HTTP/1.1\r\nHost: localhost\r\n{framing}\r\n");
        connection.send(request.as_bytes());
        let answer = connection.response(&format!("the answer to an upload with {what}"));
        assert_status(
            &answer,
            411,
            &format!("an upload with {what}"),
            "without a Content-Length, answer `411 Length Required` (› \"Reading a body\")",
        );
        if closes {
            assert_closes(
                &answer,
                &format!("the 411 to an upload with {what}"),
                "› \"Reading a body\"",
            );
            assert!(
                connection.closed_within(DEADLINE).is_some(),
                "after the 411 the connection stayed open; the body of unknown length makes the rest unreadable.\nhint: close it ({HINT} › \"Reading a body\")"
            );
        }
        assert!(
            !site.uploads().join("a.txt").exists(),
            "an upload without a length was stored ({HINT})"
        );
    }
}

#[test]
fn a_body_past_max_body_is_413_before_it_is_sent() {
    let site = Site9::start(true);
    let mut connection = site.open();
    // Only the head: the server must not wait for a body it will not take.
    let head = format!(
        "POST /uploads/big.bin HTTP/1.1\r\nHost: localhost\r\nContent-Length: {}\r\n\r\n",
        MAX_BODY + 1
    );
    let sent = Instant::now();
    connection.send(head.as_bytes());
    let answer = connection.response("the answer to an upload past MAX_BODY");
    let waited = sent.elapsed();
    assert_status(
        &answer,
        413,
        "an upload of MAX_BODY + 1 bytes",
        "refuse it by its Content-Length, before reading it: `413 Content Too Large` (› \"Reading a body\")",
    );
    assert!(
        waited < READ_TIMEOUT,
        "the 413 came {waited:?} after the head, as if the server had first waited for the body \
         it refuses.\nhint: refuse it by its Content-Length alone, before reading any of it \
         ({HINT} › \"Reading a body\")"
    );
    assert_closes(&answer, "the 413", "› \"Reading a body\"");
    assert!(
        connection.closed_within(DEADLINE).is_some(),
        "after the 413 the connection stayed open, with the unread body on its way.\nhint: close it ({HINT} › \"Reading a body\")"
    );
}

#[test]
fn a_body_shorter_than_announced_is_400_and_not_stored() {
    let site = Site9::start(true);
    let mut connection = site.open();
    connection.send(
        b"POST /uploads/short.txt HTTP/1.1\r\nHost: localhost\r\nContent-Length: 10\r\n\r\nabcd",
    );
    connection.stop_sending();
    let answer = connection.response("the answer to a body of 4 bytes where 10 were announced");
    assert_status(
        &answer,
        400,
        "a body shorter than its Content-Length",
        "the client stopped before the body's end: `400 Bad Request` (› \"Reading a body\")",
    );
    assert!(
        !site.uploads().join("short.txt").exists(),
        "a body cut short was stored ({HINT} › \"Reading a body\")"
    );
}

#[test]
fn a_content_length_that_is_no_length_is_400() {
    let site = Site9::start(true);
    let mut connection = site.open();
    connection.send(&get("/sample.txt"));
    connection.response("the answer to the first request");
    connection.send(
        b"POST /uploads/a.txt HTTP/1.1\r\nHost: localhost\r\nContent-Length: 3, 4\r\n\r\nabcd",
    );
    let answer = connection.response("the answer to `Content-Length: 3, 4`");
    assert_status(
        &answer,
        400,
        "an upload with `Content-Length: 3, 4`",
        "lengths that disagree say nothing: `400 Bad Request`, then close (› \"Reading a body\")",
    );
    assert_closes(
        &answer,
        "the 400 to lengths that disagree",
        "where the body ends is unknown: nothing after it can be read right (› \"Reading a body\")",
    );
}

#[test]
fn a_post_elsewhere_is_405_and_its_body_is_skipped() {
    let site = Site9::start(true);
    let mut connection = site.open();
    connection.send(&get("/sample.txt"));
    connection.response("the answer to the request before the POST");
    // The body looks like a request: a server that does not read it answers it as one.
    connection.send(&post("/sample.txt", &get("/a_web_page.html")));
    let refused = connection.response("the answer to POST /sample.txt");
    assert_status(
        &refused,
        405,
        "POST /sample.txt",
        "only /uploads/ takes a POST; elsewhere 405, as before",
    );
    if says_close(&refused) {
        // HTTP lets a server close after any answer that says so (RFC 9112 § 9.6): then the
        // body need not be read.
        assert!(
            connection.closed_within(DEADLINE).is_some(),
            "the 405 said `Connection: close`, yet the connection stayed open.\nhint: close \
             it after that answer, or say nothing and read the body ({HINT} › \"Who closes\")"
        );
        return;
    }
    connection.send(&get("/sample.txt"));
    let next = connection.response("the answer to the request after a refused POST and its body");
    assert_status(
        &next,
        200,
        "GET /sample.txt after a POST with a body",
        "read the body of every request, even a refused one (› \"Reading a body\")",
    );
    assert_bytes_eq(
        &next.body,
        &sample("sample.txt"),
        "the answer after the POST is the GET's",
    );
}

#[test]
fn without_an_uploads_folder_a_post_is_405() {
    let site = Site9::start(false);
    let mut connection = site.open();
    connection.send(&get("/sample.txt"));
    connection.response("the answer to the request before the POST");
    connection.send(&post("/uploads/a.txt", b"hello"));
    let refused =
        connection.response("the answer to an upload to a server without an uploads folder");
    assert_status(
        &refused,
        405,
        "POST /uploads/a.txt without --uploads",
        "without an uploads folder, a POST is refused as in step 8",
    );
    if says_close(&refused) {
        // Allowed, as after any answer that says so (RFC 9112 § 9.6).
        assert!(
            connection.closed_within(DEADLINE).is_some(),
            "the 405 said `Connection: close`, yet the connection stayed open.\nhint: close \
             it after that answer ({HINT} › \"Who closes\")"
        );
        return;
    }
    connection.send(&get("/sample.txt"));
    let next = connection.response("the answer to the request after the 405");
    assert_status(
        &next,
        200,
        "GET after a 405",
        "a 405 that does not say `Connection: close` keeps the connection",
    );
}

#[test]
fn a_client_that_expects_100_continue_gets_it_before_sending_its_body() {
    let site = Site9::start(true);
    let mut connection = site.open();
    let body = vec![b'x'; 4096];
    let head = format!(
        "POST /uploads/asked.txt HTTP/1.1\r\nHost: localhost\r\nContent-Length: {}\r\nExpect: 100-continue\r\n\r\n",
        body.len()
    );
    connection.send(head.as_bytes());
    let interim = connection.interim("`100 Continue`, the go-ahead to send the body");
    assert!(
        interim.starts_with("HTTP/1.1 100 "),
        "a client that said `Expect: 100-continue` got {interim:?} before sending its body.\n\
         hint: answer `HTTP/1.1 100 Continue` and a blank line, then read the body; curl waits \
         a second for it ({HINT} › \"Reading a body\")"
    );
    connection.send(&body);
    let created = connection.response("the answer to the upload after its 100 Continue");
    assert_status(
        &created,
        201,
        "the upload after 100 Continue",
        "then answer the upload as any other",
    );
}

#[test]
fn store_upload_makes_a_new_file_and_never_replaces_one() {
    let dir = TempDir::new("step9-store").unwrap_or_else(|error| panic!("{error}"));
    let folder = dir.path().to_path_buf();
    let hint = format!("make a new file, never replace one ({HINT} › \"Uploads\")");
    let (first, again) = testkit::within("store_upload", &hint, move || {
        let first = store_upload(&folder, "a.txt", b"first").map_err(|e| e.kind());
        let again = store_upload(&folder, "a.txt", b"second").map_err(|e| e.kind());
        (first, again)
    });
    assert_eq!(
        first,
        Ok(()),
        "store_upload into an empty folder ({HINT} › \"Uploads\")"
    );
    assert_eq!(
        again,
        Err(io::ErrorKind::AlreadyExists),
        "store_upload of a name that is taken.\nhint: create the file only if there is none (`create_new`) ({HINT} › \"Uploads\")"
    );
    let kept = fs::read(dir.path().join("a.txt")).unwrap_or_default();
    assert_bytes_eq(&kept, b"first", "the first upload stays");
}

#[test]
fn the_new_answers_have_their_status_and_no_body() {
    let hint = format!("a status line, `Content-Length: 0`, the blank line ({HINT} › \"Uploads\")");
    let answers = testkit::within("the new response functions", &hint, || {
        [
            (
                response_created("/uploads/a%20b.txt"),
                201,
                "response_created",
            ),
            (response_conflict(), 409, "response_conflict"),
            (response_length_required(), 411, "response_length_required"),
            (
                response_content_too_large(),
                413,
                "response_content_too_large",
            ),
        ]
    });
    for (raw, status, name) in answers {
        let response = Response::expect(&raw, &hint);
        assert_eq!(
            response.status(),
            status,
            "{name}() has the status line {:?}.\nhint: {hint}",
            response.status_line
        );
        assert_eq!(
            response.header("Content-Length"),
            Some("0"),
            "{name}() has no `Content-Length: 0`.\nhint: {hint}"
        );
        assert_open(&response, &format!("{name}()"));
    }
    let created = Response::expect(&response_created("/uploads/a%20b.txt"), &hint);
    assert_eq!(
        created.header("Location"),
        Some("/uploads/a%20b.txt"),
        "response_created(location) says `Location: ` and the location.\nhint: {hint}"
    );
}

#[test]
fn the_program_stores_uploads_in_the_folder_of_uploads() {
    let uploads = TempDir::new("step9-program").unwrap_or_else(|error| panic!("{error}"));
    let mut command = program();
    command
        .args(["--port", "0", "--uploads"])
        .arg(uploads.path());
    let server = testkit::ChildServer::start(command);
    let mut connection = KeptConnection::open(&server, HINT);
    connection.send(&post("/uploads/from-the-program.txt", b"hello"));
    let created = connection.response("the program's answer to an upload");
    let why = server.why_stopped().unwrap_or_default();
    assert_eq!(
        created.status(),
        201,
        "the program answered an upload with {:?}. {why}\nhint: `--uploads DIR` is the site's uploads folder ({HINT} › \"Run it\")",
        created.status_line
    );
    let stored = fs::read(uploads.path().join("from-the-program.txt")).unwrap_or_default();
    assert_bytes_eq(
        &stored,
        b"hello",
        "the program stored the upload in --uploads",
    );
}

/// A worker serves one connection at a time, so a kept connection holds it until the
/// connection ends: quiet ones must end, or they would hold every worker for good.
#[test]
fn quiet_kept_connections_free_their_workers_after_idle_timeout() {
    let site = Site9::start(false);
    // Four workers, four kept connections that go quiet after one answer each.
    let mut quiet: Vec<KeptConnection> = (0..4).map(|_| site.open()).collect();
    for connection in &mut quiet {
        connection.send(&get("/sample.txt"));
        let answer = connection.response("the answer to a connection that then goes quiet");
        assert_open(&answer, "the answer to a connection that then goes quiet");
    }
    let mut late = site.open();
    late.send(&last_get("/sample.txt"));
    // The response waits for a worker: at most IDLE_TIMEOUT, well within its DEADLINE.
    let answer = late.response(
        "the answer to a new client while every worker holds a quiet kept connection (close \
         a connection quiet for IDLE_TIMEOUT: that frees its worker)",
    );
    assert_status(
        &answer,
        200,
        "a new client after four quiet ones",
        "close quiet connections after IDLE_TIMEOUT (› \"Many requests\")",
    );
    drop(quiet);
}
