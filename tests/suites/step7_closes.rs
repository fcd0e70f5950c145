//! Step 7 suite, part 2: `response_ok(body, mime_type)` and `response_not_found()` say
//! `Connection: close` (docs chapter "Step 7: serving files").
//!
//! Holds at steps 7 and 8, whose server closes the connection after every answer. Step 9 keeps
//! connections open, so its responses no longer say `Connection: close`: the server adds it to
//! the answer after which it closes. The host brings the lab's `response_ok` and
//! `response_not_found` into scope.

use super::*;
use testkit::assert_bytes_eq;
use testkit::http::{self, Response};

const HINT: &str = "docs chapter \"Step 7: serving files\"";

const WELL_FORMED: &str = "a status line, headers, each line ending with \\r\\n, a blank line, \
                           then the body (docs chapter \"Step 7: serving files\")";

#[test]
fn response_ok_says_that_the_connection_will_close() {
    let body: &[u8] = b"<p>a page of its own</p>\n";
    let response = Response::expect(&response_ok(body, "text/html"), WELL_FORMED);
    // The answer with the body it was given, not step 6's canned one, which said it already.
    assert_bytes_eq(
        &response.body,
        body,
        &format!("after the blank line, send `body` itself, every byte ({HINT})"),
    );
    http::assert_says_close(&response, "response_ok(body, mime_type)", HINT);
}

#[test]
fn response_not_found_says_that_the_connection_will_close() {
    let response = Response::expect(&response_not_found(), WELL_FORMED);
    http::assert_says_close(&response, "response_not_found()", HINT);
}
