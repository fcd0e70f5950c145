//! Step 6 suite, part 1: every request gets an answer whose status code says how it went:
//! `405 Method Not Allowed` for a method other than GET, `400 Bad Request` for a request line the
//! server cannot read; and the server goes on serving
//! (docs chapter "Step 6: 405 Method Not Allowed").
//!
//! Holds from step 6 on: later steps keep these answers. Part 2 (`step6_closes.rs`) checks that
//! they say `Connection: close` and that HEAD gets the 405, with the helpers here; it ends at
//! step 8. The host brings
//! the lab's `response_method_not_allowed`, `response_bad_request` and `program()` into scope.

use super::*;
use testkit::http::{self, Response};
use testkit::{ChildServer, Exchange, visible};

pub(super) const HINT: &str = "docs chapter \"Step 6: 405 Method Not Allowed\"";

pub(super) const WELL_FORMED: &str = "end every line with \\r\\n, then a blank line (\\r\\n\\r\\n) after the \
                           headers (docs chapter \"Step 6: 405 Method Not Allowed\")";

pub(super) fn start_server() -> ChildServer {
    let mut command = program();
    command.args(["--port", "0"]);
    ChildServer::start(command)
}

/// The server's answer to `request`, which must be a well-formed response.
pub(super) fn answer(server: &ChildServer, request: &[u8], hint: &str) -> Response {
    let raw = Exchange::send(request)
        .http_answer()
        .hint(&format!("hint: {hint} ({HINT})"))
        .with(server);
    if raw.is_empty() {
        panic!(
            "the server closed the connection without an answer to this request:\n    {}\n\
             hint: {hint}: at Step 6 every request gets an answer; in handle_connection, match \
             on the result of parse_request to pick the response ({HINT})",
            visible(request).trim_end().replace('\n', "\n    ")
        );
    }
    Response::expect(&raw, WELL_FORMED)
}

#[track_caller]
pub(super) fn assert_status(response: &Response, status_line: &str, hint: &str) {
    assert_eq!(
        response.status_line, status_line,
        "the status line is not right\nhint: {hint} ({HINT})"
    );
}

#[test]
fn response_method_not_allowed_starts_with_the_status_line_405() {
    let response = Response::expect(&response_method_not_allowed(), WELL_FORMED);
    let hint = "the status line is the protocol, the code 405 and its reason phrase";
    assert_status(&response, "HTTP/1.1 405 Method Not Allowed", hint);
}

#[test]
fn response_method_not_allowed_says_that_get_is_allowed() {
    let response = Response::expect(&response_method_not_allowed(), WELL_FORMED);
    assert_eq!(
        response.header("Allow"),
        Some("GET"),
        "hint: a 405 must carry an `Allow` header naming the methods the server does serve: \
         `Allow: GET` ({HINT})"
    );
}

#[test]
fn response_method_not_allowed_says_how_long_its_body_is() {
    let response = Response::expect(&response_method_not_allowed(), WELL_FORMED);
    assert!(
        response.header("Content-Length").is_some(),
        "hint: with no body, say `Content-Length: 0`, so that the client knows the answer is \
         complete ({HINT})"
    );
}

#[test]
fn response_bad_request_is_a_400_that_says_how_long_its_body_is() {
    let response = Response::expect(&response_bad_request(), WELL_FORMED);
    let hint = "the status line is the protocol, the code 400 and its reason phrase";
    assert_status(&response, "HTTP/1.1 400 Bad Request", hint);
    assert!(
        response.header("Content-Length").is_some(),
        "hint: with no body, say `Content-Length: 0` ({HINT})"
    );
}

#[test]
fn the_server_answers_post_put_and_delete_with_405_allowing_get() {
    let server = start_server();
    for method in ["POST", "PUT", "DELETE"] {
        let hint = format!("answer {method} with response_method_not_allowed()");
        let response = answer(&server, &http::request(method, "/"), &hint);
        assert_status(&response, "HTTP/1.1 405 Method Not Allowed", &hint);
        assert_eq!(
            response.header("Allow"),
            Some("GET"),
            "hint: {hint} ({HINT})"
        );
    }
}

#[test]
fn the_server_answers_a_malformed_request_line_with_400() {
    let server = start_server();
    let hint = "answer a request whose first line is not `METHOD URI PROTOCOL` with \
                response_bad_request()";
    for request in [
        &b"HELLO\r\nConnection: close\r\n\r\n"[..],
        b"GET /\r\nConnection: close\r\n\r\n",
        b"GET / HTTP/1.1 now\r\nConnection: close\r\n\r\n",
    ] {
        let response = answer(&server, request, hint);
        assert_status(&response, "HTTP/1.1 400 Bad Request", hint);
    }
}

#[test]
fn the_server_answers_a_request_line_that_is_not_text_with_400() {
    let server = start_server();
    let hint = "answer RequestError::NotText with response_bad_request()";
    let response = answer(
        &server,
        b"GET /caf\xe9 HTTP/1.1\r\nConnection: close\r\n\r\n",
        hint,
    );
    assert_status(&response, "HTTP/1.1 400 Bad Request", hint);
}

#[test]
fn the_server_answers_a_get_after_a_post() {
    let server = start_server();
    let hint = "answer POST with response_method_not_allowed()";
    let response = answer(&server, &http::request("POST", "/"), hint);
    assert_status(&response, "HTTP/1.1 405 Method Not Allowed", hint);
    let hint = "after any answer, go on serving: a GET still gets response_ok()";
    let response = answer(&server, &http::request("GET", "/"), hint);
    assert_status(&response, "HTTP/1.1 200 OK", hint);
}

#[test]
fn the_server_keeps_serving_after_every_kind_of_bad_request() {
    let server = start_server();
    let bad: [(&[u8], &str); 4] = [
        (
            b"DELETE / HTTP/1.1\r\nConnection: close\r\n\r\n",
            "HTTP/1.1 405 Method Not Allowed",
        ),
        (
            b"HELLO\r\nConnection: close\r\n\r\n",
            "HTTP/1.1 400 Bad Request",
        ),
        (
            b"\xff\xfe\r\nConnection: close\r\n\r\n",
            "HTTP/1.1 400 Bad Request",
        ),
        (
            b"get / HTTP/1.1\r\nConnection: close\r\n\r\n",
            "HTTP/1.1 405 Method Not Allowed",
        ),
    ];
    for (request, status_line) in bad {
        let hint = "every bad request gets its answer, and the server goes on";
        let response = answer(&server, request, hint);
        assert_status(&response, status_line, hint);
    }
    let hint = "after bad requests, a GET still gets response_ok()";
    let response = answer(&server, &http::request("GET", "/"), hint);
    assert_status(&response, "HTTP/1.1 200 OK", hint);
}
