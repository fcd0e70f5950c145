//! Step 1 suite: the echo server and the echo client (docs chapter "Step 1: echo").
//! The host brings the lab's `serve`, `echo_client` and `program()` into scope.

use super::*;
use predicates::str::contains;
use testkit::{ChildServer, Exchange, Fixture, ReadUntil, Server, assert_bytes_eq};

const HINT: &str = "see docs chapter \"Step 1: echo\"";

/// Sends `message`, stops sending, and returns the echo; a failure on the way ends with `hint`.
fn echo_of(server: &Server, message: &[u8], hint: &str) -> Vec<u8> {
    Exchange::send(message)
        .then_stop_sending()
        .hint(&format!("hint: {hint}; {HINT}"))
        .with(server)
}

#[test]
fn the_server_sends_back_a_short_message() {
    let server = Server::start(serve);
    let hint = "read what the client sends and write it back, until a read returns 0";
    assert_bytes_eq(
        &echo_of(&server, b"Hello, world", hint),
        b"Hello, world",
        hint,
    );
}

#[test]
fn the_server_sends_back_bytes_that_are_not_text() {
    let server = Server::start(serve);
    let message = [0xff, 0x00, 0xc3, 0x28, b'\r', b'\n', 0x80];
    let hint = "work with bytes, not strings";
    assert_bytes_eq(&echo_of(&server, &message, hint), &message, hint);
}

#[test]
fn the_server_sends_back_a_message_far_larger_than_one_read() {
    let server = Server::start(serve);
    let message: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
    let hint = "one read returns at most one buffer: keep reading until a read returns 0";
    let echo = Exchange::send(&message)
        .in_pieces(3)
        .then_stop_sending()
        .hint(&format!("hint: {hint}; {HINT}"))
        .with(&server);
    assert_bytes_eq(&echo, &message, hint);
}

#[test]
fn the_server_serves_one_client_after_another() {
    let server = Server::start(serve);
    let hint = "after one client is done, go back to accepting the next";
    assert_bytes_eq(&echo_of(&server, b"first", hint), b"first", hint);
    assert_bytes_eq(&echo_of(&server, b"second", hint), b"second", hint);
}

#[test]
fn the_server_survives_a_client_that_leaves_without_a_word() {
    let server = Server::start(serve);
    drop(testkit::connect(&server));
    let hint = "a client that closes at once is not an error that should stop the server";
    assert_bytes_eq(
        &echo_of(&server, b"still there?", hint),
        b"still there?",
        hint,
    );
}

#[test]
fn the_server_survives_a_client_that_resets_the_connection() {
    let server = Server::start(serve);
    // Its echo unread, this client's close resets the connection: the server's next read fails.
    testkit::client::reset_after_answer(&server, b"hello");
    let hint = "one client's error (here the connection was reset) is printed with eprintln!, \
                and the loop goes on to the next client: it must not end `serve`";
    assert_bytes_eq(
        &echo_of(&server, b"still there?", hint),
        b"still there?",
        hint,
    );
}

#[test]
fn the_client_sends_its_message_and_then_stops_sending() {
    let fixture = Fixture::start(ReadUntil::EndOfStream, &[b"ok"]);
    let address = fixture.addr().to_string();
    let hint = "after writing the message, shut down the writing half of the stream \
                (`Shutdown::Write`): only then does the server read the end of the message";
    testkit::within("echo_client", hint, move || {
        echo_client(&address, b"Hello, world")
    })
    .unwrap_or_else(|error| panic!("echo_client returned an error: {error}\nhint: {hint}"));
    assert_bytes_eq(&fixture.received(), b"Hello, world", HINT);
}

#[test]
fn the_client_returns_everything_the_server_sends_until_it_closes() {
    let big = vec![b'x'; 100_000];
    let pieces: [&[u8]; 3] = [b"Hello, ", &big, b" world"];
    let fixture = Fixture::start(ReadUntil::EndOfStream, &pieces);
    let address = fixture.addr().to_string();
    let hint = "the answer arrives in pieces: read until the server closes (a read returns 0)";
    let echo = testkit::within("echo_client", hint, move || echo_client(&address, b"Hello"))
        .unwrap_or_else(|error| panic!("echo_client returned an error: {error}\nhint: {hint}"));
    assert_bytes_eq(&echo, &pieces.concat(), hint);
}

#[test]
fn the_client_returns_bytes_that_are_not_text() {
    let bytes: &[u8] = &[0xff, 0x00, 0xc3, 0x28, b'\r', b'\n', 0x80];
    let fixture = Fixture::start(ReadUntil::EndOfStream, &[bytes]);
    let address = fixture.addr().to_string();
    let hint = "collect the answer as bytes (a Vec<u8>), never as a String";
    let echo = testkit::within("echo_client", hint, move || echo_client(&address, b"hi"))
        .unwrap_or_else(|error| {
            panic!(
                "echo_client failed on an answer that is not text: {error}\nhint: collect the \
                 answer as bytes (a Vec<u8>), never as a String; {HINT}"
            )
        });
    assert_bytes_eq(&echo, bytes, "return the bytes exactly as they came");
}

#[test]
fn the_client_program_prints_the_echo() {
    let fixture = Fixture::start(ReadUntil::EndOfStream, &[b"Hello, ", b"world"]);
    let port = fixture.addr().port().to_string();
    let mut command = program();
    command.args(["client", "--port", &port, "Hello,", "world"]);
    testkit::run_program(
        command,
        "the client sends its words, shuts down writing, and prints the echo",
    )
    .success()
    .stdout("Hello, world\n");
    assert_bytes_eq(
        &fixture.received(),
        b"Hello, world",
        "the words are sent joined by spaces",
    );
}

#[test]
fn the_client_program_explains_a_refused_connection() {
    let port = testkit::unused_port().to_string();
    let mut command = program();
    command.args(["client", "--port", &port, "hi"]);
    testkit::run_program(
        command,
        "with nothing listening, connecting fails at once: return that error",
    )
    .code(1)
    .stderr(contains("is the server running"));
}

#[test]
fn the_server_program_echoes_on_the_port_it_prints() {
    let mut command = program();
    command.args(["server", "--port", "0"]);
    let server = ChildServer::start(command);
    let echo = Exchange::send(b"over the wire")
        .then_stop_sending()
        .hint(HINT)
        .with(&server);
    assert_bytes_eq(&echo, b"over the wire", HINT);
}

/// A `write` may send only the start of its buffer. When the connection's buffers are full, a
/// send waits for room; a signal that reaches the program then (a stop and continue, from a
/// debugger or the shell's Ctrl-Z and `fg`) ends the wait with what was sent so far, and
/// `write` returns that count: the rest is the caller's to send. `write_all` does; a loop of
/// `write` calls that ignores the count drops bytes. The test fills the buffers, then stops and
/// continues the server's program each time it waits to send (Linux shows that in `/proc`).
#[cfg(target_os = "linux")]
#[test]
fn the_server_program_sends_every_byte_even_when_its_sends_are_interrupted() {
    use std::io::{Read, Write};
    let mut command = program();
    command.args(["server", "--port", "0"]);
    let server = ChildServer::start(command);
    let message: Vec<u8> = (0..8_000_000u32).map(|i| (i % 251) as u8).collect();
    let mut reading = testkit::connect(&server);
    let mut writing = reading
        .try_clone()
        .expect("a second handle on the connection");
    let sent = message.clone();
    let writer = std::thread::spawn(move || {
        let _ = writing.write_all(&sent);
        let _ = writing.shutdown(std::net::Shutdown::Write);
    });
    let mut echo = Vec::new();
    let mut chunk = vec![0; 256 * 1024];
    let started = std::time::Instant::now();
    while echo.len() < message.len() && started.elapsed() < testkit::DEADLINE * 3 {
        if testkit::program::waits_to_send(server.id(), std::time::Duration::from_millis(20)) {
            testkit::program::stop_and_continue(server.id());
        }
        match reading.read(&mut chunk) {
            Ok(0) | Err(_) => break,
            Ok(n) => echo.extend_from_slice(&chunk[..n]),
        }
    }
    drop(reading);
    let _ = writer.join();
    let hint = "`write` may send only part of its buffer and returns how much: use `write_all`, \
                which sends all of it";
    assert_bytes_eq(&echo, &message, hint);
}
