//! Step 4 suite, part 1: a web server reads the whole request, however it arrives, and only
//! then answers and closes the connection (docs chapter "Step 4: a canned 200").
//!
//! Holds at every web server step from 4 on: later steps answer differently, but every answer
//! still waits for the whole request, and a GET for `/` still gets `200 OK`. The host brings
//! the lab's `read_request` and `program()` into scope.

use super::*;
use std::collections::VecDeque;
use std::io::{self, Read, Write};
use testkit::http::{self, Response};
use testkit::{ChildServer, Exchange, assert_bytes_eq, visible, within};

const HINT: &str = "see docs chapter \"Step 4: a canned 200\"";

/// Why a browser hangs on the starter's echo server, and what to do instead.
const BROWSER_HINT: &str = "hint: a browser sends its request, then waits for the answer with \
    the connection still open. An echo server waits for the client to stop sending, so both \
    wait forever: that is why the browser hangs. Read until the blank line (\\r\\n\\r\\n) that \
    ends the headers, then send the response; returning from handle_connection closes the \
    connection (docs chapter \"Step 4: a canned 200\")";

/// What to do about a server that stops reading too early.
const PIECES_HINT: &str = "hint: a read returns whatever has arrived so far, so a read shorter \
    than the buffer does not mean the request is over. Keep reading until the bytes read so \
    far contain \\r\\n\\r\\n (docs chapter \"Step 4: a canned 200\")";

/// The lab's program, listening on a free port.
fn start_server() -> ChildServer {
    let mut command = program();
    command.args(["--port", "0"]);
    ChildServer::start(command)
}

/// Sends `request` as a browser would (the connection stays open for the answer), in
/// `pieces`, and returns the answer, which must be a well-formed HTTP response.
fn answer(server: &ChildServer, request: &[u8], pieces: usize, hint: &str) -> Response {
    let raw = Exchange::send(request)
        .in_pieces(pieces)
        .http_answer()
        .answer_after_last_piece()
        .hint(hint)
        .with(server);
    Response::expect(&raw, HINT)
}

#[track_caller]
fn assert_ok(response: &Response, hint: &str) {
    assert_eq!(
        response.status_line, "HTTP/1.1 200 OK",
        "the answer to a GET for / should start with the status line `HTTP/1.1 200 OK`\n{hint}"
    );
}

/// A GET for `/` with the headers a browser sends, longer than one 1024-byte buffer; but
/// `Connection: close` where a browser says `keep-alive`, as the test reads the answer until
/// the server closes.
fn browser_request() -> Vec<u8> {
    let cookie: String = (0..1500).map(|i| (b'a' + (i % 26) as u8) as char).collect();
    format!(
        "GET / HTTP/1.1\r\n\
         Host: localhost:10000\r\n\
         User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0\r\n\
         Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n\
         Accept-Language: en-US,en;q=0.5\r\n\
         Accept-Encoding: gzip, deflate\r\n\
         Connection: close\r\n\
         Cookie: session={cookie}\r\n\
         Upgrade-Insecure-Requests: 1\r\n\
         \r\n"
    )
    .into_bytes()
}

/// A client as `read_request` sees it: it hands over its request in the given pieces, at most
/// one piece per read. After the last piece it either waits for the answer, as a browser
/// does, or hangs up, so that every further read returns 0.
struct PretendClient {
    pieces: VecDeque<Vec<u8>>,
    hangs_up: bool,
}

impl PretendClient {
    fn browser(pieces: &[&[u8]]) -> PretendClient {
        let pieces = pieces.iter().map(|piece| piece.to_vec()).collect();
        PretendClient {
            pieces,
            hangs_up: false,
        }
    }

    fn hanging_up_after(pieces: &[&[u8]]) -> PretendClient {
        PretendClient {
            hangs_up: true,
            ..PretendClient::browser(pieces)
        }
    }
}

impl Read for PretendClient {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        let Some(piece) = self.pieces.front_mut() else {
            if self.hangs_up {
                return Ok(0);
            }
            panic!(
                "read_request read again after the whole request had arrived. A browser sends \
                 nothing more and waits for the answer, so on a real connection this read \
                 would wait forever.\nhint: stop reading as soon as the bytes read so far \
                 contain \\r\\n\\r\\n: it may be split across two reads, and more bytes may \
                 follow it in the same read ({HINT})"
            );
        };
        let n = piece.len().min(buffer.len());
        buffer[..n].copy_from_slice(&piece[..n]);
        piece.drain(..n);
        if piece.is_empty() {
            self.pieces.pop_front();
        }
        Ok(n)
    }
}

/// `read_request(client)`, failing with a hint if it panics, loops or returns an error.
fn read_all_of(client: PretendClient) -> Vec<u8> {
    let hint = format!("return the bytes once they contain \\r\\n\\r\\n ({HINT})");
    within("read_request", &hint, move || read_request(client)).unwrap_or_else(|error| {
        panic!(
            "read_request returned an error for a complete request: {error}\n\
             hint: return the bytes once they contain \\r\\n\\r\\n ({HINT})"
        )
    })
}

const REQUEST: &[u8] = b"GET /index.html HTTP/1.1\r\nHost: localhost\r\n\r\n";

#[test]
fn read_request_returns_the_request_once_its_blank_line_has_arrived() {
    let request = read_all_of(PretendClient::browser(&[REQUEST]));
    assert_bytes_eq(&request, REQUEST, "return every byte read, in order");
}

#[test]
fn read_request_keeps_reading_until_the_blank_line_however_the_bytes_are_split() {
    let pieces: [&[u8]; 5] = [
        b"G",
        b"ET /index.html HTTP/1.1\r\n",
        b"Host: local",
        b"host\r\n\r",
        b"\n",
    ];
    let request = read_all_of(PretendClient::browser(&pieces));
    let hint = "keep reading until all the bytes read so far contain \\r\\n\\r\\n; a short read \
                is not the end, and the blank line itself may arrive split across two reads";
    assert_bytes_eq(&request, REQUEST, hint);
}

#[test]
fn read_request_stops_at_the_blank_line_even_when_more_bytes_follow_it() {
    let head: &[u8] = b"POST /form HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\n\r\n";
    let whole = [head, b"hello"].concat();
    let request = read_all_of(PretendClient::browser(&[&whole]));
    assert!(
        request.starts_with(head) && whole.starts_with(&request),
        "read_request should return the bytes it read, up to at least the blank line, but it \
         returned:\n{}\nhint: collect every byte you read, in order ({HINT})",
        visible(&request)
    );
}

#[test]
fn read_request_fails_when_the_client_hangs_up_before_the_blank_line() {
    let client = PretendClient::hanging_up_after(&[b"GET / HTTP/1.1\r\n", b"Host: loc"]);
    let hint = format!(
        "a read that returns 0 means the client has hung up: before \\r\\n\\r\\n, return an \
         error of kind UnexpectedEof, never read again ({HINT})"
    );
    if let Ok(request) = within("read_request", &hint, move || read_request(client)) {
        panic!(
            "the client hung up (a read returned 0) before the blank line, yet read_request \
             returned Ok with this incomplete request:\n{}\nhint: when a read returns 0 before \
             the bytes contain \\r\\n\\r\\n, return an error, such as \
             io::Error::new(io::ErrorKind::UnexpectedEof, \"...\") ({HINT})",
            visible(&request)
        );
    }
}

#[test]
fn read_request_gives_up_on_a_request_head_that_never_ends() {
    let endless = io::repeat(b'a');
    let hint = format!(
        "keep the line `let mut stream = RequestHead::limit(stream);` and read from that \
         `stream`: past MAX_REQUEST_HEAD bytes its reads fail, and `?` passes the error on \
         ({HINT})"
    );
    if let Ok(request) = within("read_request", &hint, move || read_request(endless)) {
        panic!(
            "read_request returned Ok with {} bytes that contain no blank line.\nhint: keep the \
             line `let mut stream = RequestHead::limit(stream);` and read from that `stream`: \
             past MAX_REQUEST_HEAD bytes its reads fail, and `?` passes the error on ({HINT})",
            request.len()
        );
    }
}

#[test]
fn the_server_answers_a_get_with_200_ok_and_closes_the_connection() {
    let server = start_server();
    let response = answer(&server, &http::request("GET", "/"), 1, BROWSER_HINT);
    assert_ok(&response, BROWSER_HINT);
}

#[test]
fn the_server_answers_only_once_the_whole_request_has_arrived_in_pieces() {
    let server = start_server();
    let response = answer(&server, &http::request("GET", "/"), 5, PIECES_HINT);
    assert_ok(&response, PIECES_HINT);
}

#[test]
fn the_server_answers_a_browser_request_longer_than_one_buffer() {
    let server = start_server();
    let response = answer(&server, &browser_request(), 3, PIECES_HINT);
    assert_ok(&response, PIECES_HINT);
}

#[test]
fn the_server_answers_one_client_after_another() {
    let server = start_server();
    for _ in 0..3 {
        let hint = "hint: after answering one client, go back to accepting the next";
        let response = answer(&server, &http::request("GET", "/"), 1, hint);
        assert_ok(&response, hint);
    }
}

#[test]
fn the_server_keeps_serving_after_a_client_hangs_up_mid_request() {
    let server = start_server();
    let mut quitter = testkit::connect(&server);
    quitter
        .write_all(b"GET / HTTP/1.1\r\nHo")
        .expect("send half a request");
    drop(quitter);
    let hint = "hint: a client that hangs up mid-request makes an error for its connection only: \
                `serve` reports it and goes on with the next client";
    let response = answer(&server, &http::request("GET", "/"), 1, hint);
    assert_ok(&response, hint);
}
