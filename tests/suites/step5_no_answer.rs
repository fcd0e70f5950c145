//! Step 5 suite, part 2: the server answers a GET and nothing else; any other request gets no
//! answer at all, the connection just closes, and the server goes on serving (docs chapter
//! "Step 5: GET only").
//!
//! Holds at step 5 only: step 6 answers those requests with `405` or `400` instead.

use super::*;
use testkit::http::{self, Response};
use testkit::{ChildServer, Exchange, visible};

const HINT: &str = "docs chapter \"Step 5: GET only\"";

fn start_server() -> ChildServer {
    let mut command = program();
    command.args(["--port", "0"]);
    ChildServer::start(command)
}

/// Sends `request` (described by `what`) and checks that the server closes without a word.
#[track_caller]
fn assert_no_answer(server: &ChildServer, request: &[u8], what: &str) {
    let received = Exchange::send(request)
        .hint(&format!("hint: see {HINT}"))
        .with(server);
    assert!(
        received.is_empty(),
        "at Step 5 the server closes the connection without an answer to {what}, but it \
         answered:\n    {}\nhint: in handle_connection, call parse_request(&request) and send \
         response_ok() only when it returns Ok; return its error otherwise (turned into an \
         io::Error), which ends the connection ({HINT})",
        visible(&received).trim_end().replace('\n', "\n    ")
    );
}

#[test]
fn the_server_does_not_answer_post_put_delete_or_head() {
    let server = start_server();
    for method in ["POST", "PUT", "DELETE", "HEAD"] {
        let what = format!("a {method} request");
        assert_no_answer(&server, &http::request(method, "/"), &what);
    }
}

#[test]
fn the_server_does_not_answer_a_request_line_it_cannot_read() {
    let server = start_server();
    assert_no_answer(&server, b"HELLO\r\n\r\n", "a malformed request line");
    let not_text = b"GET /caf\xe9 HTTP/1.1\r\n\r\n";
    assert_no_answer(&server, not_text, "a request line that is not text");
}

#[test]
fn the_server_still_answers_a_get_after_refusing_other_requests() {
    let server = start_server();
    assert_no_answer(&server, &http::request("POST", "/"), "a POST request");
    assert_no_answer(&server, b"\xff\r\n\r\n", "a request line that is not text");
    let raw = Exchange::send(&http::request("GET", "/"))
        .http_answer()
        .hint(&format!(
            "hint: a refused request ends its own connection, not the server: `serve` \
             reports the error and goes on ({HINT})"
        ))
        .with(&server);
    let response = Response::expect(&raw, HINT);
    assert_eq!(
        response.status(),
        200,
        "a GET after refused requests should get 200 OK\nhint: see {HINT}"
    );
}
