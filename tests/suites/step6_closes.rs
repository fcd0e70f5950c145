//! Step 6 suite, part 2: the 405 and the 400 say `Connection: close`, and HEAD gets the 405
//! without a body (docs chapter "Step 6: 405 Method Not Allowed").
//!
//! Holds at steps 6 to 8, whose server closes the connection after every answer and serves GET
//! only. Step 9 keeps connections open, so its responses no longer say `Connection: close`, and
//! it answers HEAD. The host brings the lab's `response_method_not_allowed`,
//! `response_bad_request` and `program()` into scope.

use super::*;
// Part 1 holds wherever part 2 does (steps 6 to 8), beside it in the same module: its helpers
// serve both.
use super::step6::{HINT, WELL_FORMED, answer, assert_status, start_server};
use testkit::http::{self, Response};
use testkit::visible;

#[test]
fn response_method_not_allowed_says_that_the_connection_will_close() {
    let response = Response::expect(&response_method_not_allowed(), WELL_FORMED);
    http::assert_says_close(&response, "response_method_not_allowed()", HINT);
}

#[test]
fn response_bad_request_says_that_the_connection_will_close() {
    let response = Response::expect(&response_bad_request(), WELL_FORMED);
    http::assert_says_close(&response, "response_bad_request()", HINT);
}

#[test]
fn the_server_answers_head_with_405_and_no_body() {
    let server = start_server();
    let hint = "answer HEAD with response_method_not_allowed()";
    let response = answer(&server, &http::request("HEAD", "/"), hint);
    assert_status(&response, "HTTP/1.1 405 Method Not Allowed", hint);
    assert!(
        response.body.is_empty(),
        "the answer to HEAD has a body:\n{}\nhint: a client never reads a body after HEAD, so \
         those bytes would be taken for the start of the next answer: give the 405 no body \
         and `Content-Length: 0` ({HINT})",
        visible(&response.body)
    );
}
