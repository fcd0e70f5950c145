//! Step 2 suite: the time server, and the bonus "what is my address" server (docs chapter
//! "Step 2: the time server"). The host brings the lab's `time_line`, `serve`, `whoami_line`,
//! `serve_whoami` and `program()` into scope.

use super::*;
use chrono::{DateTime, SecondsFormat, TimeDelta, TimeZone, Utc};
use std::io::Write;
use std::net::{Shutdown, SocketAddr};
use testkit::{ChildServer, Exchange, Server, Target, assert_bytes_eq, visible};

const HINT: &str = "see docs chapter \"Step 2: the time server\"";

/// What to do when the server does not answer, or resets the connection.
const SERVE_HINT: &str = "hint: write the time without reading first, then end the connection \
    with `hang_up(stream)`; see docs chapter \"Step 2: the time server\"";

/// What to do when the connection is reset instead of closed.
const RESET_HINT: &str = "hint: a connection closed while the client's bytes sit unread is \
    reset, and the client may lose the answer: end it with `hang_up(stream)`, which reads them \
    first; see docs chapter \"Step 2: the time server\"";

/// How far the time a server sends may be from the test's clock: the line is cut to the whole
/// second, and a loaded machine may take a moment to run the test.
const CLOCK_TOLERANCE: TimeDelta = TimeDelta::seconds(5);

/// Fails unless `reply`, the answer to `sent`, is one line: the time now in RFC 3339, UTC, to
/// the second, then CRLF.
fn assert_is_the_time_now(reply: &[u8], sent: &[u8]) {
    let fail = |problem: String| -> ! {
        let got = match reply {
            [] => "the server closed the connection without sending anything".to_string(),
            _ if reply == sent => format!(
                "the server sent back what the test sent, as the echo server does:\n    {}",
                visible(reply).trim_end()
            ),
            _ => format!(
                "the server sent {} bytes:\n    {}",
                reply.len(),
                visible(reply).trim_end()
            ),
        };
        panic!(
            "{problem}\n{got}\nhint: write `time_line(Utc::now())` and nothing else, then \
             `hang_up`; {HINT}"
        )
    };
    let Ok(text) = std::str::from_utf8(reply) else {
        fail("the reply is not text".into())
    };
    let Some(line) = text.strip_suffix("\r\n") else {
        fail("the reply should be one line ending in \\r\\n".into())
    };
    if line.contains(['\r', '\n']) {
        fail("the reply should be exactly one line".into());
    }
    let told = match DateTime::parse_from_rfc3339(line) {
        Ok(time) => time.with_timezone(&Utc),
        Err(error) => fail(format!("{line:?} is not an RFC 3339 time ({error})")),
    };
    if told.to_rfc3339_opts(SecondsFormat::Secs, true) != line {
        fail(format!(
            "{line:?} should be in UTC written with Z, to the whole second"
        ));
    }
    let now = Utc::now();
    if (now - told).abs() > CLOCK_TOLERANCE {
        fail(format!(
            "the server says it is {line} but the test's clock says {}: send the time now",
            now.to_rfc3339_opts(SecondsFormat::Secs, true)
        ));
    }
}

/// Connects, sends `text`, stops sending, and checks that the reply is the time.
fn assert_told_the_time(target: &impl Target, text: &[u8]) {
    let reply = Exchange::send(text)
        .then_stop_sending()
        .hint(SERVE_HINT)
        .with(target);
    assert_is_the_time_now(&reply, text);
}

#[test]
fn time_line_writes_rfc_3339_in_utc_to_the_second() {
    let instant = Utc.with_ymd_and_hms(2026, 11, 21, 14, 10, 42).unwrap();
    assert_bytes_eq(
        time_line(instant).as_bytes(),
        b"2026-11-21T14:10:42Z\r\n",
        "date T time Z, then \\r\\n; chrono's `to_rfc3339_opts` does most of it",
    );
}

#[test]
fn time_line_leaves_out_the_fraction_of_a_second() {
    let instant = Utc.with_ymd_and_hms(1999, 12, 31, 23, 59, 59).unwrap();
    let almost_midnight = instant + TimeDelta::milliseconds(999);
    assert_bytes_eq(
        time_line(almost_midnight).as_bytes(),
        b"1999-12-31T23:59:59Z\r\n",
        "whole seconds: the fraction is left out, not rounded (`SecondsFormat::Secs`)",
    );
}

#[test]
fn a_client_that_sends_nothing_is_told_the_time_at_once() {
    let server = Server::start(serve);
    // The test keeps its side open and says nothing, as `nc` does until you type.
    let reply = Exchange::send(b"")
        .hint("hint: do not read before writing: this client will not say a word")
        .with(&server);
    assert_is_the_time_now(&reply, b"");
}

#[test]
fn a_client_that_sends_text_is_told_the_time_all_the_same() {
    let server = Server::start(serve);
    // Sent at once, before reading, so the text is there before the server can hang up.
    let text = b"what time is it?\r\n";
    let mut stream = testkit::connect(&server);
    stream.write_all(text).expect("send the text");
    stream.shutdown(Shutdown::Write).expect("stop sending");
    let (reply, error) = testkit::client::read_until_closed(stream);
    if let Some(error) = error {
        panic!(
            "the server sent {} bytes:\n    {}\nthen reading failed: {error}\n{RESET_HINT}",
            reply.len(),
            visible(&reply).trim_end()
        );
    }
    assert_is_the_time_now(&reply, text);
}

#[test]
fn the_time_is_written_as_soon_as_a_client_connects() {
    let server = Server::start(serve);
    // Loopback answers in well under a millisecond; this leaves room for a busy machine.
    let limit = std::time::Duration::from_millis(500);
    match testkit::client::first_byte_after(&server, limit * 2) {
        Some(waited) if waited <= limit => {}
        waited => panic!(
            "the first byte of the time came {} after the client connected, not within {limit:?}\n\
             hint: the server speaks first: write the time at once, without waiting for the \
             client to send anything (no read, no timeout); {HINT}",
            waited.map_or("never".to_string(), |w| format!("{w:?}"))
        ),
    }
}

#[test]
fn each_client_is_told_the_time_it_connects_not_when_the_server_started() {
    let server = Server::start(serve);
    // The line has whole seconds: wait for the clock to reach the next one (a second at most),
    // so that a time read when the server started is a second behind.
    let started = Utc::now().timestamp();
    while Utc::now().timestamp() == started {
        std::thread::sleep(std::time::Duration::from_millis(10)); // waiting for the clock
    }
    let reply = Exchange::send(b"")
        .then_stop_sending()
        .hint(SERVE_HINT)
        .with(&server);
    let line = String::from_utf8_lossy(&reply);
    let told = DateTime::parse_from_rfc3339(line.trim_end()).map(|t| t.timestamp());
    match told {
        Ok(told) if told > started => {}
        _ => panic!(
            "the server started at {} and the client connected a second later, yet it was \
             told {:?}\nhint: read the clock for each client, inside the loop, not once before \
             it; {HINT}",
            Utc.timestamp_opt(started, 0)
                .unwrap()
                .to_rfc3339_opts(SecondsFormat::Secs, true),
            line.trim_end()
        ),
    }
}

#[test]
fn the_server_survives_a_client_that_resets_the_connection() {
    let server = Server::start(serve);
    // Its time unread, this client's close resets the connection: `hang_up`'s read fails.
    testkit::client::reset_after_answer(&server, b"hello");
    assert_told_the_time(&server, b"still there?");
}

#[test]
fn the_server_tells_one_client_after_another() {
    let server = Server::start(serve);
    assert_told_the_time(&server, b"first");
    assert_told_the_time(&server, b"second");
}

#[test]
fn the_server_survives_a_client_that_leaves_at_once() {
    let server = Server::start(serve);
    drop(testkit::connect(&server));
    assert_told_the_time(&server, b"still there?");
}

#[test]
fn a_client_that_never_hangs_up_does_not_hold_up_the_next_one() {
    let server = Server::start(serve);
    // Connected, silent, and never closing, like `nc` left open in a terminal.
    let lingering = testkit::connect(&server);
    assert_told_the_time(&server, b"my turn?");
    drop(lingering);
}

#[test]
fn the_program_tells_the_time_on_the_port_it_prints() {
    let mut command = program();
    command.args(["--port", "0"]);
    let server = ChildServer::start(command);
    assert_told_the_time(&server, b"");
}

#[test]
#[ignore = "bonus: cargo test -p step2 -- --ignored"]
fn whoami_line_is_the_clients_ip_and_port() {
    let hint = "the address, IP and port as `SocketAddr` displays it, then \\r\\n";
    let v4: SocketAddr = "192.0.2.7:54321".parse().unwrap();
    assert_bytes_eq(whoami_line(v4).as_bytes(), b"192.0.2.7:54321\r\n", hint);
    let v6: SocketAddr = "[2001:db8::1]:8080".parse().unwrap();
    assert_bytes_eq(whoami_line(v6).as_bytes(), b"[2001:db8::1]:8080\r\n", hint);
}

#[test]
#[ignore = "bonus: cargo test -p step2 -- --ignored"]
fn the_whoami_server_tells_each_client_its_own_address() {
    let server = Server::start(serve_whoami);
    let hint = "each client has its own port: tell it `stream.peer_addr()`";
    for _ in 0..2 {
        let (reply, client) = Exchange::send(b"").hint(HINT).with_local_addr(&server);
        assert_bytes_eq(&reply, format!("{client}\r\n").as_bytes(), hint);
    }
}

#[test]
#[ignore = "bonus: cargo test -p step2 -- --ignored"]
fn the_program_with_whoami_tells_the_client_its_address() {
    let mut command = program();
    command.args(["--whoami", "--port", "0"]);
    let server = ChildServer::start(command);
    let (reply, client) = Exchange::send(b"").hint(HINT).with_local_addr(&server);
    let hint = "with --whoami the program runs `serve_whoami`";
    assert_bytes_eq(&reply, format!("{client}\r\n").as_bytes(), hint);
}
