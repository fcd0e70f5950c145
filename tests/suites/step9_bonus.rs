//! Step 9 bonus suite: `HEAD` answered with GET's head and no body, `Last-Modified` and
//! `304 Not Modified` for a client whose copy is up to date, and text compressed with gzip for
//! a client that takes it (docs chapter "Step 9: keep-alive and request bodies").
//!
//! The host brings the lab's `serve_webroot` into scope; the lab depends on `flate2`, which
//! the tests use to uncompress.

use super::*;
use std::io::Read;
use testkit::Server;
use testkit::kept::KeptConnection;

const HINT: &str = "docs chapter \"Step 9: keep-alive and request bodies\" › \"Bonus\"";

fn sample(name: &str) -> Vec<u8> {
    std::fs::read(labcli::workspace_webroot().join(name)).expect("read a file of the sample site")
}

fn open() -> (Server, KeptConnection) {
    let server = Server::start(|listener| serve_webroot(listener, &labcli::workspace_webroot()));
    let connection = KeptConnection::open(&server, HINT);
    (server, connection)
}

fn request(target: &str, method: &str, headers: &str) -> Vec<u8> {
    format!("{method} {target} HTTP/1.1\r\nHost: localhost\r\n{headers}\r\n").into_bytes()
}

#[test]
#[ignore = "bonus: add -- --ignored to your cargo test to run it"]
fn head_gets_the_head_of_get_and_no_body() {
    let (_server, mut connection) = open();
    connection.send(&request("/sample.txt", "GET", ""));
    let get = connection.response("the answer to GET /sample.txt");
    connection.send(&request("/sample.txt", "HEAD", ""));
    let head = connection.response_to_head("the answer to HEAD /sample.txt");
    assert_eq!(
        head.status(),
        200,
        "HEAD /sample.txt got {:?}.\nhint: answer HEAD as GET, without the body ({HINT})",
        head.status_line
    );
    for name in ["Content-Type", "Content-Length"] {
        assert_eq!(
            head.header(name),
            get.header(name),
            "HEAD's {name} is not GET's.\nhint: the head of HEAD's answer says what GET's body \
             would be ({HINT})"
        );
    }
    // Had a body come after the head, it would be read as the next answer's head.
    connection.send(&request("/a_web_page.html", "GET", ""));
    let next = connection.response("the answer to the GET after a HEAD");
    assert_eq!(
        next.body,
        sample("a_web_page.html"),
        "the answer after HEAD's is not the next GET's.\nhint: HEAD's answer has no body at \
         all, whatever its Content-Length says ({HINT})"
    );
}

#[test]
#[ignore = "bonus: add -- --ignored to your cargo test to run it"]
fn an_up_to_date_copy_gets_304_not_modified() {
    let (_server, mut connection) = open();
    connection.send(&request("/sample.txt", "GET", ""));
    let first = connection.response("the answer to GET /sample.txt");
    let Some(modified) = first.header("Last-Modified").map(str::to_string) else {
        panic!(
            "a file's answer has no Last-Modified header.\nhint: say when the file was last modified, as an HTTP date ({HINT})"
        );
    };
    connection.send(&request(
        "/sample.txt",
        "GET",
        &format!("If-Modified-Since: {modified}\r\n"),
    ));
    let again = connection.response("the answer to GET with If-Modified-Since its Last-Modified");
    assert_eq!(
        again.status(),
        304,
        "GET with `If-Modified-Since: {modified}`, the file's own Last-Modified, got {:?}.\n\
         hint: a copy as new as the file gets `304 Not Modified`, with no body ({HINT})",
        again.status_line
    );
    assert!(again.body.is_empty(), "a 304 has no body ({HINT})");
    let old = "If-Modified-Since: Sun, 06 Nov 1994 08:49:37 GMT\r\n";
    connection.send(&request("/sample.txt", "GET", old));
    let fresh = connection.response("the answer to GET with an If-Modified-Since of 1994");
    assert_eq!(
        fresh.body,
        sample("sample.txt"),
        "a copy from 1994 did not get the file.\nhint: only a copy at least as new as the file \
         gets 304 ({HINT})"
    );
}

#[test]
#[ignore = "bonus: add -- --ignored to your cargo test to run it"]
fn text_goes_out_gzipped_to_a_client_that_takes_gzip() {
    let (_server, mut connection) = open();
    connection.send(&request(
        "/a_web_page.html",
        "GET",
        "Accept-Encoding: gzip, deflate\r\n",
    ));
    let zipped = connection.response("the answer to GET with `Accept-Encoding: gzip`");
    assert_eq!(
        zipped.header("Content-Encoding"),
        Some("gzip"),
        "a page asked for with `Accept-Encoding: gzip` came without `Content-Encoding: gzip`.\n\
         hint: compress text with the flate2 crate's GzEncoder ({HINT})"
    );
    let mut unzipped = Vec::new();
    let decoded = flate2::read::GzDecoder::new(&zipped.body[..]).read_to_end(&mut unzipped);
    assert!(
        decoded.is_ok() && unzipped == sample("a_web_page.html"),
        "the gzipped body does not uncompress to the page ({decoded:?}).\nhint: Content-Length \
         is the length of the compressed body ({HINT})"
    );
}

#[test]
#[ignore = "bonus: add -- --ignored to your cargo test to run it"]
fn nothing_is_gzipped_for_a_client_that_does_not_take_it() {
    let (_server, mut connection) = open();
    let cases = [
        ("/a_web_page.html", "", "no Accept-Encoding"),
        (
            "/a_web_page.html",
            "Accept-Encoding: gzip;q=0, identity\r\n",
            "gzip;q=0",
        ),
    ];
    for (target, headers, what) in cases {
        connection.send(&request(target, "GET", headers));
        let answer = connection.response(&format!("the answer to GET {target} with {what}"));
        assert!(
            answer.header("Content-Encoding").is_none() && answer.body == sample("a_web_page.html"),
            "GET {target} with {what} got a body encoded {:?}.\nhint: compress only for a \
             client whose Accept-Encoding takes gzip ({HINT})",
            answer.header("Content-Encoding")
        );
    }
    // A client that takes gzip still proves the server compresses (a server that never does
    // passes the cases above).
    connection.send(&request(
        "/a_web_page.html",
        "GET",
        "Accept-Encoding: gzip\r\n",
    ));
    let zipped = connection.response("the answer to GET with `Accept-Encoding: gzip`");
    assert_eq!(
        zipped.header("Content-Encoding"),
        Some("gzip"),
        "a page asked for with `Accept-Encoding: gzip` came uncompressed ({HINT})"
    );
}
