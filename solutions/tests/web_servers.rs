//! Robustness of the reference web servers (steps 4 to 6), beyond what the lab suites ask of
//! students: the limits that keep one client from hurting the others.

use std::io::{self, Write};
use std::net::TcpListener;

use solutions::{step4, step5, step6};
use testkit::client::read_until_closed;
use testkit::http::{self, Response};
use testkit::{Exchange, Server};

type Serve = fn(TcpListener) -> io::Result<()>;

const SERVERS: [(&str, Serve); 3] = [
    ("step4", step4::serve),
    ("step5", step5::serve),
    ("step6", step6::serve),
];

fn status_of_get(server: &Server) -> u16 {
    let raw = Exchange::send(&http::request("GET", "/"))
        .http_answer()
        .with(server);
    Response::expect(&raw, "the reference answers a GET").status()
}

#[test]
fn a_request_head_over_the_limit_ends_its_connection_and_the_server_goes_on() {
    assert_eq!(step4::MAX_REQUEST_HEAD, step6::MAX_REQUEST_HEAD);
    let endless = vec![b'a'; step4::MAX_REQUEST_HEAD as usize + 1000];
    for (name, serve) in SERVERS {
        let server = Server::start(serve);
        let mut client = testkit::connect(&server);
        // The server may close while this is still being written: that is what it should do.
        let _ = client.write_all(&endless);
        let (received, error) = read_until_closed(client);
        assert!(received.is_empty(), "{name} answered an endless head");
        if let Some(error) = error {
            let kind = error.kind();
            assert!(
                !matches!(kind, io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut),
                "{name} kept reading past the limit: {error}"
            );
        }
        assert_eq!(status_of_get(&server), 200, "{name} stopped serving");
    }
}

#[test]
fn a_head_just_under_the_limit_is_served() {
    let head = http::request("GET", "/");
    let padding = step4::MAX_REQUEST_HEAD as usize - head.len() - "X-Padding: \r\n".len();
    let header = format!("X-Padding: {}\r\n", "p".repeat(padding));
    let mut request = head[..head.len() - 2].to_vec();
    request.extend_from_slice(header.as_bytes());
    request.extend_from_slice(b"\r\n");
    assert_eq!(request.len() as u64, step4::MAX_REQUEST_HEAD);
    for (name, serve) in SERVERS {
        let server = Server::start(serve);
        let raw = Exchange::send(&request).http_answer().with(&server);
        let status = Response::expect(&raw, "the reference answers").status();
        assert_eq!(status, 200, "{name}");
    }
}

#[test]
fn a_post_with_a_body_gets_its_405_at_step_6() {
    let server = Server::start(step6::serve);
    let post = b"POST /form HTTP/1.1\r\nHost: localhost\r\nContent-Length: 9\r\n\r\nname=rust";
    let raw = Exchange::send(post).http_answer().with(&server);
    let response = Response::expect(&raw, "the reference answers a POST");
    assert_eq!(response.status(), 405);
    assert_eq!(status_of_get(&server), 200);
}
