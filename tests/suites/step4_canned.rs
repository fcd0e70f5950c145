//! Step 4 suite, part 2: the canned answer, `response_ok()`, and the server sending exactly it
//! (docs chapter "Step 4: a canned 200").
//!
//! Holds at steps 4 to 6, while `response_ok()` takes no arguments and every GET gets the same
//! short text. Step 7 gives `response_ok` the body and its type, to serve files.

use super::*;
use testkit::http::{self, Response};
use testkit::{ChildServer, Exchange, assert_bytes_eq};

const HINT: &str = "see docs chapter \"Step 4: a canned 200\"";

/// `response_ok()`, which must be a well-formed response.
fn canned() -> Response {
    Response::expect(
        &response_ok(),
        "end every line with \\r\\n; a blank line (\\r\\n\\r\\n) separates the headers from \
         the body (docs chapter \"Step 4: a canned 200\")",
    )
}

#[test]
fn response_ok_starts_with_the_status_line_200_ok() {
    assert_eq!(
        canned().status_line,
        "HTTP/1.1 200 OK",
        "hint: the first line is the protocol, the status code and its reason phrase ({HINT})"
    );
}

#[test]
fn response_ok_has_a_short_plain_text_body() {
    let response = canned();
    assert_eq!(
        response.media_type().as_deref(),
        Some("text/plain"),
        "hint: the header `Content-Type: text/plain` says the body is plain text ({HINT})"
    );
    assert!(
        !response.body.is_empty(),
        "hint: put a short text after the blank line ({HINT})"
    );
}

#[test]
fn response_ok_says_how_long_its_body_is() {
    let response = canned();
    assert!(
        response.header("Content-Length").is_some(),
        "response_ok() has no Content-Length header.\nhint: `Content-Length: N`, where N is \
         the body's length in bytes, lets the client know when it has the whole body ({HINT})"
    );
}

#[test]
fn response_ok_says_that_the_connection_will_close() {
    http::assert_says_close(&canned(), "response_ok()", HINT);
}

#[test]
fn the_server_sends_exactly_response_ok_to_a_get() {
    let mut command = program();
    command.args(["--port", "0"]);
    let server = ChildServer::start(command);
    let received = Exchange::send(&http::request("GET", "/"))
        .http_answer()
        .hint(&format!("hint: answer with response_ok() ({HINT})"))
        .with(&server);
    assert_bytes_eq(
        &received,
        &response_ok(),
        "after reading the request, write all of response_ok() and nothing else",
    );
}
