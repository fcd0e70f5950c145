//! Step 5 suite, part 1: `parse_request` reads the request line, returns the URI of a GET,
//! and refuses anything else with a `RequestError`, never a panic
//! (docs chapter "Step 5: GET only").
//!
//! Holds from step 5 on: later steps use `parse_request` as it is. The host brings the lab's
//! `parse_request` and `RequestError` into scope.

use super::*;
use testkit::guard::catch;
use testkit::{http, visible};

const HINT: &str = "docs chapter \"Step 5: GET only\"";

/// Checks that `parse_request(request)` returns `want`, turning a panic into a hint.
#[track_caller]
fn check(request: &[u8], want: Result<&str, RequestError>, hint: &str) {
    let got = catch(|| parse_request(request)).unwrap_or_else(|message| {
        if message.starts_with("not yet implemented") {
            panic!("{message}");
        }
        panic!(
            "parse_request panicked on this request:\n{}\nits message: {message}\nhint: a \
             request comes from the network and can be anything: return a RequestError \
             instead of panicking (no unwrap, no indexing without a check) ({HINT})",
            visible(request)
        )
    });
    assert!(
        got == want,
        "parse_request of this request:\n{}\nreturned {got:?}, but it should return \
         {want:?}.\nhint: {hint} ({HINT})",
        visible(request)
    );
}

#[test]
fn parse_request_returns_the_uri_of_a_get() {
    for uri in ["/", "/index.html", "/images/sample_1.png", "/search?q=rust"] {
        let hint = "the URI is the second of the three words of the first line";
        check(&http::request("GET", uri), Ok(uri), hint);
    }
}

#[test]
fn parse_request_reads_only_the_first_line() {
    let hint = "only the first line matters: cut the request at the first \\r\\n";
    check(b"GET /about.html HTTP/1.0\r\n\r\n", Ok("/about.html"), hint);
    let with_spaces = b"GET /a.txt HTTP/1.1\r\nUser-Agent: Mozilla/5.0 (X11; Linux)\r\n\r\n";
    check(with_spaces, Ok("/a.txt"), hint);
    let hint = "only the first line must be text: the headers after it may hold other bytes";
    check(
        b"GET /b.txt HTTP/1.1\r\nCookie: caf\xe9\r\n\r\n",
        Ok("/b.txt"),
        hint,
    );
}

#[test]
fn parse_request_takes_only_the_exact_word_get_for_a_get() {
    let hint = "the method is the whole first word, compared with \"GET\" as it is: a method \
                that only starts with GET (GETX, GETS) is another method";
    for method in ["GETX", "GETS", "GET_"] {
        check(
            &http::request(method, "/"),
            Err(RequestError::MethodNotAllowed),
            hint,
        );
    }
}

#[test]
fn parse_request_refuses_a_protocol_without_its_slash() {
    let hint = "the protocol is `HTTP/` and a version: `HTTP` alone, or `HTTP1.1`, is no \
                protocol this server speaks";
    for line in [
        &b"GET / HTTP1.1\r\n\r\n"[..],
        b"GET / HTTP\r\n\r\n",
        b"GET / HTTPX/1.1\r\n\r\n",
    ] {
        check(line, Err(RequestError::MalformedRequestLine), hint);
    }
}

#[test]
fn parse_request_refuses_every_method_but_get() {
    for method in ["POST", "PUT", "DELETE", "HEAD", "PATCH", "OPTIONS"] {
        let hint = "this server serves GET only: any other method is not allowed";
        let request = http::request(method, "/");
        check(&request, Err(RequestError::MethodNotAllowed), hint);
    }
}

#[test]
fn parse_request_treats_the_method_as_case_sensitive() {
    let hint = "methods are case-sensitive: `get` is not `GET`";
    let request = http::request("get", "/");
    check(&request, Err(RequestError::MethodNotAllowed), hint);
}

#[test]
fn parse_request_calls_a_first_line_without_three_words_malformed() {
    let hint = "a request line is exactly three words: method, URI and protocol";
    for request in [
        &b""[..],
        b"\r\n\r\n",
        b"GET\r\n\r\n",
        b"GET /\r\n\r\n",
        b"GET / HTTP/1.1 now\r\n\r\n",
    ] {
        check(request, Err(RequestError::MalformedRequestLine), hint);
    }
}

#[test]
fn parse_request_calls_a_protocol_other_than_http_malformed() {
    let hint = "the third word, the protocol, starts with `HTTP/`";
    for request in [&b"GET / FTP/1.0\r\n\r\n"[..], b"GET / hello\r\n\r\n"] {
        check(request, Err(RequestError::MalformedRequestLine), hint);
    }
}

#[test]
fn parse_request_refuses_a_first_line_that_is_not_text_without_panicking() {
    let hint = "std::str::from_utf8 says whether bytes are text; turn its error into \
                RequestError::NotText";
    for request in [&b"GET /caf\xe9 HTTP/1.1\r\n\r\n"[..], b"\xff\xfe\r\n\r\n"] {
        check(request, Err(RequestError::NotText), hint);
    }
}
