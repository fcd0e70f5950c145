//! `wiretap`: bytes are forwarded exactly, both ways, and the transcript shows them in the
//! lesson's notation.

mod support;

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpListener};
use std::thread;

use support::wiretap;
use testkit::{
    DEADLINE, Exchange, Fixture, ReadUntil, Server, Target, assert_bytes_eq, connect, http,
    unused_port,
};

/// An echo server that serves every connection on its own thread.
fn echo_server() -> Server {
    Server::start(|listener: TcpListener| {
        for stream in listener.incoming() {
            let mut stream = stream?;
            thread::spawn(move || {
                stream.set_read_timeout(Some(DEADLINE))?;
                let mut reader = stream.try_clone()?;
                io::copy(&mut reader, &mut stream)?;
                stream.shutdown(Shutdown::Write)
            });
        }
        Ok(())
    })
}

#[test]
fn an_http_exchange_passes_byte_for_byte_and_is_shown_in_the_lessons_notation() {
    let reply: [&[u8]; 2] = [b"HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\n", b"hello\n"];
    let fixture = Fixture::start(ReadUntil::BlankLine, &reply);
    let tap = wiretap(&fixture.addr().to_string());
    let request = http::request("GET", "/");

    let answer = Exchange::send(&request).with(&tap);

    assert_bytes_eq(&fixture.received(), &request, "the request, forwarded");
    assert_bytes_eq(&answer, &reply.concat(), "the reply, forwarded");
    let transcript = tap.lines_until("<connection closed");
    let shown = [
        "#1 C (-->): GET / HTTP/1.1<CRLF>",
        "#1 C (-->): Host: localhost<CRLF>",
        "#1 C (-->): User-Agent: testkit<CRLF>",
        "#1 C (-->): Connection: close<CRLF>",
        "#1 C (-->): <CRLF>",
        "#1 S (<--): HTTP/1.1 200 OK<CRLF>",
        "#1 S (<--): Content-Length: 6<CRLF>",
        "#1 S (<--): <CRLF>",
        "#1 S (<--): hello<LF>",
        "#1 S (<--): <end of stream: the server has finished sending>",
        "#1 C (-->): <end of stream: the client has finished sending>",
    ];
    for line in shown {
        assert!(
            transcript.iter().any(|printed| printed == line),
            "the transcript should show {line:?}; it is:\n{}",
            transcript.join("\n")
        );
    }
    let target = fixture.addr();
    assert_eq!(transcript[0], format!("forwarding to {target}"));
    assert!(
        transcript[1].starts_with("#1 <connection from 127.0.0.1:")
            && transcript[1].ends_with(&format!(", forwarded to {target}>")),
        "{transcript:?}"
    );
    assert_eq!(
        transcript.last().unwrap(),
        &format!(
            "#1 <connection closed: {} bytes from the client, 44 from the server>",
            request.len()
        )
    );
}

#[test]
fn a_half_close_is_forwarded_so_the_server_can_answer() {
    let fixture = Fixture::start(ReadUntil::EndOfStream, &[b"the whole message arrived"]);
    let tap = wiretap(&fixture.addr().to_string());

    let answer = Exchange::send(b"one\ntwo").then_stop_sending().with(&tap);

    assert_bytes_eq(&fixture.received(), b"one\ntwo", "the message, forwarded");
    assert_bytes_eq(&answer, b"the whole message arrived", "the answer");
    let transcript = tap.lines_until("<connection closed");
    let client: Vec<&String> = transcript
        .iter()
        .filter(|line| line.starts_with("#1 C"))
        .collect();
    assert_eq!(
        client,
        [
            "#1 C (-->): one<LF>",
            "#1 C (-->): two",
            "#1 C (-->): <end of stream: the client has finished sending>",
        ],
        "{transcript:?}"
    );
}

#[test]
fn binary_data_is_summarised_with_its_size() {
    let body: Vec<u8> = (0..=255u8).cycle().take(1000).collect();
    let headers = b"HTTP/1.1 200 OK\r\nContent-Type: image/png\r\n\r\n";
    let fixture = Fixture::start(ReadUntil::BlankLine, &[&[headers, &body[..]].concat()]);
    let tap = wiretap(&fixture.addr().to_string());

    let answer = Exchange::send(&http::request("GET", "/a.png")).with(&tap);

    assert_bytes_eq(&answer, &[headers, &body[..]].concat(), "the reply");
    let transcript = tap.lines_until("<connection closed");
    let server: Vec<&String> = transcript
        .iter()
        .filter(|line| line.starts_with("#1 S"))
        .collect();
    assert_eq!(
        server,
        [
            "#1 S (<--): HTTP/1.1 200 OK<CRLF>",
            "#1 S (<--): Content-Type: image/png<CRLF>",
            "#1 S (<--): <CRLF>",
            "#1 S (<--): <1000 bytes of binary data>",
            "#1 S (<--): <end of stream: the server has finished sending>",
        ],
        "{transcript:?}"
    );
}

#[test]
fn several_connections_are_forwarded_at_the_same_time() {
    let echo = echo_server();
    let tap = wiretap(&echo.addr().to_string());
    let mut first = connect(&tap);
    let mut second = connect(&tap);

    first
        .write_all(b"first\r\n")
        .expect("send on the first connection");
    second.write_all(b"second\r\n").expect("send on the second");
    let mut echoed = [0; 8];
    second
        .read_exact(&mut echoed)
        .expect("the echo on the second connection, while the first is still open");
    assert_bytes_eq(&echoed, b"second\r\n", "the second echo");
    first
        .read_exact(&mut echoed[..7])
        .expect("the echo on the first connection");
    assert_bytes_eq(&echoed[..7], b"first\r\n", "the first echo");
    first.shutdown(Shutdown::Write).expect("end the first");
    second.shutdown(Shutdown::Write).expect("end the second");

    let mut transcript = tap.lines_until("<connection closed");
    transcript.extend(tap.lines_until("<connection closed"));
    for line in [
        "C (-->): first<CRLF>",
        "S (<--): first<CRLF>",
        "C (-->): second<CRLF>",
        "S (<--): second<CRLF>",
    ] {
        let tagged: Vec<&String> = transcript.iter().filter(|l| l.ends_with(line)).collect();
        assert_eq!(tagged.len(), 1, "{line:?} once in {transcript:?}");
    }
    let first_tag = &transcript
        .iter()
        .find(|l| l.ends_with("first<CRLF>"))
        .unwrap()[..3];
    let second_tag = &transcript
        .iter()
        .find(|l| l.ends_with("second<CRLF>"))
        .unwrap()[..3];
    assert_ne!(first_tag, second_tag, "each connection has its own number");
}

#[test]
fn a_target_that_refuses_is_reported_and_the_tap_goes_on() {
    let tap = wiretap(&format!("127.0.0.1:{}", unused_port()));
    for _ in 0..2 {
        let answer = Exchange::send(b"hello\r\n").with(&tap);
        assert!(answer.is_empty(), "{answer:?}");
        let transcript = tap.lines_until("cannot connect to 127.0.0.1:");
        assert!(
            transcript
                .last()
                .unwrap()
                .ends_with("closing the client's connection>"),
            "{transcript:?}"
        );
    }
    assert_eq!(tap.why_stopped(), None, "the tap keeps running");
}

/// The request curl 7.88.1 sends for `curl http://HOST/sample.txt`.
fn curls_request(host: &str) -> Vec<u8> {
    format!(
        "GET /sample.txt HTTP/1.1\r\nHost: {host}\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n"
    )
    .into_bytes()
}

#[test]
fn a_curl_request_and_the_step_7_answer_are_shown_as_the_step_7_chapter_shows_them() {
    let server = Server::start(solutions::step7::serve);
    let tap = wiretap(&server.addr().to_string());
    let tap_host = format!("127.0.0.1:{}", tap.addr().port());

    let answer = Exchange::send(&curls_request(&tap_host)).with(&tap);

    let answer = http::Response::expect(&answer, "the step 7 server's answer, through the tap");
    assert_eq!(answer.status_line, "HTTP/1.1 200 OK");
    let transcript = tap.lines_until("<connection closed");
    for line in [
        "#1 C (-->): GET /sample.txt HTTP/1.1<CRLF>",
        "#1 S (<--): HTTP/1.1 200 OK<CRLF>",
    ] {
        assert!(
            transcript.iter().any(|printed| printed == line),
            "the transcript should show {line:?}; it is:\n{}",
            transcript.join("\n")
        );
    }
    // Every line the chapter shows, but those that change from run to run.
    let chapter = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/src/step7-serve-files.md"),
    )
    .expect("the step 7 chapter");
    let varying = ["<connection from", "Host:", "Date:"];
    let shown: Vec<&str> = chapter
        .lines()
        .filter(|line| line.starts_with("#1 "))
        .filter(|line| !varying.iter().any(|v| line.contains(v)))
        .collect();
    assert!(
        shown.len() >= 8,
        "the chapter shows a transcript: {shown:?}"
    );
    for line in shown {
        assert!(
            transcript.iter().any(|printed| printed == line),
            "docs/src/step7-serve-files.md shows {line:?}, which the tap does not print:\n{}",
            transcript.join("\n")
        );
    }
}
