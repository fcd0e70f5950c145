//! `send MESSAGE --to HOST:PORT`: the lesson's simple client, against testkit's fixtures.

use assert_cmd::Command;
use testkit::{DEADLINE, Fixture, ReadUntil, assert_bytes_eq, unused_port};

fn send(message: &str, to: &str) -> assert_cmd::assert::Assert {
    Command::new(env!("CARGO_BIN_EXE_send"))
        .args([message, "--to", to])
        .timeout(DEADLINE * 2)
        .assert()
}

#[test]
fn escapes_are_sent_as_bytes_and_the_reply_is_printed_raw() {
    let reply = b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n";
    let fixture = Fixture::start(ReadUntil::EndOfStream, &[reply]);
    let done = send(r"POST / HTTP/1.0\r\n\r\n", &fixture.addr().to_string()).success();
    assert_bytes_eq(
        &fixture.received(),
        b"POST / HTTP/1.0\r\n\r\n",
        "send turns \\r and \\n into CR and LF, then shuts down writing",
    );
    assert_bytes_eq(
        &done.get_output().stdout,
        reply,
        "send prints the reply exactly as it came",
    );
}

#[test]
fn every_escape_and_a_reply_in_pieces() {
    let fixture = Fixture::start(ReadUntil::EndOfStream, &[b"one ", b"two\xff", b"\n"]);
    let done = send(r"tab\there\\ \x00\xFFé", &fixture.addr().to_string()).success();
    assert_bytes_eq(
        &fixture.received(),
        b"tab\there\\ \x00\xff\xc3\xa9",
        "\\t, \\\\ and \\xNN become one byte each; other text is sent as UTF-8",
    );
    assert_bytes_eq(
        &done.get_output().stdout,
        b"one two\xff\n",
        "the whole reply, read until the server closes",
    );
}

#[test]
fn an_unknown_escape_is_a_usage_error() {
    let fixture_port = unused_port();
    let done = send(r"GET /\q", &format!("127.0.0.1:{fixture_port}")).code(2);
    let stderr = String::from_utf8_lossy(&done.get_output().stderr).into_owned();
    assert!(stderr.contains(r"unknown escape \q"), "{stderr}");
    for bad in [r"\x4", r"\xZZ", "ends with \\"] {
        send(bad, &format!("127.0.0.1:{fixture_port}")).code(2);
    }
}

#[test]
fn a_refused_connection_exits_with_1() {
    let done = send("hello", &format!("127.0.0.1:{}", unused_port())).code(1);
    let stderr = String::from_utf8_lossy(&done.get_output().stderr).into_owned();
    assert!(stderr.contains("is the server running"), "{stderr}");
}

#[test]
fn a_target_without_a_port_is_a_usage_error() {
    send("hello", "127.0.0.1").code(2);
    send("hello", "127.0.0.1:http").code(2);
}
