//! Step 3 suite: the echo client turned into an HTTP client
//! (docs chapter "Step 3: an HTTP client"). The host brings the lab's `Url`, `UrlError`,
//! `parse_url`, `request_for`, `get` and `program()` into scope.

use super::*;
use predicates::boolean::PredicateBooleanExt;
use predicates::str::contains;
use testkit::http::{self, Request};
use testkit::{Fixture, ReadUntil, assert_bytes_eq};

const HINT: &str = "see docs chapter \"Step 3: an HTTP client\"";

const RESPONSE: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 6\r\n\
    Connection: close\r\n\r\nhello\n";

fn url(host: &str, port: u16, target: &str) -> Url {
    Url {
        host: host.to_string(),
        port,
        target: target.to_string(),
    }
}

#[track_caller]
fn assert_parses(text: &str, want: Url) {
    match parse_url(text) {
        Ok(got) => assert_eq!(got, want, "parse_url({text:?}); {HINT}"),
        Err(error) => panic!("parse_url({text:?}) should succeed, but says: {error}; {HINT}"),
    }
}

#[track_caller]
fn assert_refused(text: &str, want: UrlError) {
    match parse_url(text) {
        Err(got) => assert_eq!(got, want, "parse_url({text:?}); {HINT}"),
        Ok(url) => {
            panic!("parse_url({text:?}) should fail with {want:?}, not give {url:?}; {HINT}")
        }
    }
}

#[test]
fn parse_url_finds_the_host_the_port_and_the_target() {
    assert_parses(
        "http://127.0.0.1:8000/index.html?lang=en",
        url("127.0.0.1", 8000, "/index.html?lang=en"),
    );
    assert_parses(
        "http://localhost:10000/a/b.txt",
        url("localhost", 10000, "/a/b.txt"),
    );
}

#[test]
fn parse_url_defaults_to_port_80_and_the_path_slash() {
    assert_parses("http://example.com", url("example.com", 80, "/"));
    assert_parses("http://example.com:80/", url("example.com", 80, "/"));
}

#[test]
fn parse_url_keeps_the_query_and_leaves_out_the_fragment() {
    assert_parses(
        "http://example.com?q=rust",
        url("example.com", 80, "/?q=rust"),
    );
    assert_parses(
        "http://example.com/docs/#intro",
        url("example.com", 80, "/docs/"),
    );
}

#[test]
fn parse_url_refuses_a_url_without_a_scheme() {
    assert_refused("example.com/index.html", UrlError::MissingScheme);
    assert_refused("localhost:8000", UrlError::MissingScheme);
}

#[test]
fn parse_url_says_plainly_that_https_is_not_supported() {
    let https = UrlError::UnsupportedScheme("https".into());
    assert_refused("https://example.com/", https.clone());
    let message = https.to_string();
    assert!(
        message.contains("not supported") && message.contains("http://"),
        "the message should say https is not supported and to use http://, not {message:?}"
    );
}

#[test]
fn parse_url_refuses_an_empty_host() {
    assert_refused("http:///index.html", UrlError::EmptyHost);
    assert_refused("http://:8000/", UrlError::EmptyHost);
}

#[test]
fn parse_url_refuses_a_port_that_is_not_a_port() {
    assert_refused(
        "http://localhost:http/",
        UrlError::InvalidPort("http".into()),
    );
    assert_refused(
        "http://localhost:99999/",
        UrlError::InvalidPort("99999".into()),
    );
    assert_refused("http://localhost:0/", UrlError::InvalidPort("0".into()));
}

#[test]
fn parse_url_refuses_whitespace() {
    assert_refused("http://example.com/my page.html", UrlError::Whitespace);
}

/// Fails unless `sent` is the GET request for `target` on `host:port` as HTTP/1.1 has it: the
/// request line, a `Host` header (with `:port` unless the port is 80, where it may be left
/// out), `Connection: close`, each line ending in CRLF, then the empty line. Header names may
/// be in any case and any order, and other headers (`User-Agent`...) may come too.
#[track_caller]
fn assert_request_for(sent: &[u8], host: &str, port: u16, target: &str) {
    let fail = |problem: &str| -> ! {
        panic!(
            "{problem}\nthe client sent:\n{}\n{HINT}",
            testkit::visible(sent).trim_end()
        )
    };
    let request = Request::parse(sent).unwrap_or_else(|problem| fail(&problem));
    let line = format!("GET {target} HTTP/1.1");
    if request.request_line != line {
        fail(&format!(
            "the request line should be {line:?}, not {:?}",
            request.request_line
        ));
    }
    let hosts = request.headers_named("Host");
    let with_port = format!("{host}:{port}");
    let host_ok = |value: &str| value == with_port || (port == DEFAULT_PORT && value == host);
    match hosts[..] {
        [value] if host_ok(value) => {}
        [value] => fail(&format!(
            "the Host header says {value:?}: it names the URL's host, with `:{port}` unless \
             the port is 80 (\"{with_port}\")"
        )),
        [] => fail("HTTP/1.1 requires a Host header, naming the URL's host"),
        _ => fail("there should be one Host header"),
    }
    if !request.header("Connection").is_some_and(http::says_close) {
        fail(
            "`Connection: close` asks the server to close once it has answered, which is how \
              `get` knows it has the whole response",
        );
    }
}

#[test]
fn the_request_is_a_get_line_then_host_and_connection_close() {
    let sent = request_for(&url("example.com", 80, "/"));
    assert_request_for(&sent, "example.com", 80, "/");
}

#[test]
fn the_host_header_names_the_port_unless_it_is_80() {
    let sent = request_for(&url("127.0.0.1", 8000, "/a?b=c"));
    assert_request_for(&sent, "127.0.0.1", 8000, "/a?b=c");
}

#[test]
fn get_sends_the_request_for_the_url() {
    let fixture = Fixture::start(ReadUntil::BlankLine, &[RESPONSE]);
    let port = fixture.addr().port();
    let hint = "write `request_for(url)` to the stream, then read the answer to its end";
    testkit::within("get", hint, move || {
        get(&url("127.0.0.1", port, "/hello?name=you"))
    })
    .unwrap_or_else(|error| panic!("get returned an error: {error}\nhint: {hint}"));
    assert_request_for(&fixture.received(), "127.0.0.1", port, "/hello?name=you");
}

#[test]
fn get_connects_to_the_host_the_url_names() {
    // Another loopback address than 127.0.0.1 (Linux and Windows answer on all of 127/8;
    // macOS only on 127.0.0.1, so there `localhost` on IPv6 serves).
    let (listener, host) = match std::net::TcpListener::bind("127.0.0.2:0") {
        Ok(listener) => (listener, "127.0.0.2"),
        Err(_) => (
            std::net::TcpListener::bind("[::1]:0").expect("bind a fixture to [::1]:0"),
            "localhost",
        ),
    };
    let fixture = Fixture::serve(listener, ReadUntil::BlankLine, &[RESPONSE]);
    let port = fixture.addr().port();
    let hint = "connect to the URL's host and port";
    let response = testkit::within("get", hint, move || get(&url(host, port, "/")));
    let response = response.unwrap_or_else(|error| {
        panic!(
            "get(http://{host}:{port}/) failed: {error}\nhint: connect to the URL's host and \
             port, `(url.host.as_str(), url.port)`, not to a fixed address; {HINT}"
        )
    });
    assert_bytes_eq(&response, RESPONSE, HINT);
}

#[test]
fn parse_url_takes_the_scheme_in_any_case() {
    // RFC 3986: schemes are case-insensitive, and `HTTP://` is `http://`.
    assert_parses("HTTP://example.com/", url("example.com", 80, "/"));
    assert_parses("Http://example.com:8000/", url("example.com", 8000, "/"));
}

#[test]
fn get_returns_the_whole_response_when_it_arrives_in_pieces() {
    let body = vec![b'x'; 100_000];
    let head = format!(
        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let pieces: [&[u8]; 3] = [head.as_bytes(), &body[..60_000], &body[60_000..]];
    let fixture = Fixture::start(ReadUntil::BlankLine, &pieces);
    let port = fixture.addr().port();
    let hint = "the response arrives in pieces: read until the server closes (a read returns 0)";
    let response = testkit::within("get", hint, move || get(&url("127.0.0.1", port, "/big")))
        .unwrap_or_else(|error| panic!("get returned an error: {error}\nhint: {hint}"));
    assert_bytes_eq(&response, &pieces.concat(), hint);
}

#[test]
fn the_program_prints_the_raw_response() {
    let fixture = Fixture::start(ReadUntil::BlankLine, &[&RESPONSE[..20], &RESPONSE[20..]]);
    let mut command = program();
    command.arg(fixture.url("/"));
    testkit::run_program(
        command,
        "send the request, then read the response until the server closes",
    )
    .success()
    .stdout(std::str::from_utf8(RESPONSE).unwrap());
    let port = fixture.addr().port();
    assert_request_for(&fixture.received(), "127.0.0.1", port, "/");
}

#[test]
fn the_program_refuses_https_with_exit_code_2() {
    let mut command = program();
    command.arg("https://example.com/");
    testkit::run_program(
        command,
        "parse_url refuses https:// before any connection is made",
    )
    .code(2)
    .stderr(contains("https:// is not supported").and(contains("use http://")));
}

#[test]
fn the_program_refuses_a_url_without_a_scheme_with_exit_code_2() {
    let mut command = program();
    command.arg("example.com");
    testkit::run_program(
        command,
        "parse_url refuses a URL without http:// before any connection is made",
    )
    .code(2)
    .stderr(contains(
        "invalid URL \"example.com\": it does not start with http://",
    ));
}

#[test]
fn the_program_explains_a_refused_connection_with_exit_code_1() {
    let port = testkit::unused_port();
    let mut command = program();
    command.arg(format!("http://127.0.0.1:{port}/"));
    testkit::run_program(
        command,
        "with nothing listening, connecting fails at once: return that error",
    )
    .code(1)
    .stderr(contains("is the web server running"));
}
