//! `mock-smtp`: scripted sessions, each reply compared byte for byte.

mod support;

use support::{Dialogue, mock_smtp};

const GREETING: &str = "220 mail.example.com Simple Mail Transfer Service Ready";
const GO_AHEAD: &str = "354 Start mail input; end with a line holding only a dot";
const BYE: &str = "221 mail.example.com Service closing transmission channel";
const OK: &str = "250 OK";

/// Connects, reads the greeting and says EHLO.
fn greeted(server: &testkit::ChildServer) -> Dialogue {
    let mut smtp = Dialogue::open(server);
    smtp.expect(GREETING);
    smtp.says(
        "EHLO client.example.org",
        &[
            "250-mail.example.com greets client.example.org",
            "250-8BITMIME",
            "250-SIZE 1048576",
            "250 HELP",
        ],
    );
    smtp
}

#[test]
fn the_lessons_exchange_gets_the_lessons_replies() {
    let server = mock_smtp();
    let mut smtp = greeted(&server);
    smtp.says("MAIL FROM:<bob@example.com>", &[OK]);
    smtp.says("RCPT TO:<alice@example.com>", &[OK]);
    smtp.says("RCPT TO:<theboss@example.com>", &["550 No such user here"]);
    smtp.says("DATA", &[GO_AHEAD]);
    smtp.send("Subject: hello");
    smtp.send("");
    smtp.send("Hi Alice.");
    smtp.says(".", &[OK]);
    smtp.says("QUIT", &[BYE]);
    smtp.expect_closed();

    let printed = server.lines_until("--- end of message 1");
    assert_eq!(
        printed,
        [
            "--- message 1 from <bob@example.com> to <alice@example.com> (29 bytes)",
            "Subject: hello",
            "",
            "Hi Alice.",
            "--- end of message 1",
        ]
    );
}

#[test]
fn helo_gets_a_one_line_reply() {
    let server = mock_smtp();
    let mut smtp = Dialogue::open(&server);
    smtp.expect(GREETING);
    smtp.says("HELO client", &["250 mail.example.com greets client"]);
    smtp.says("MAIL FROM:<>", &[OK]);
}

#[test]
fn commands_out_of_order_get_503() {
    let server = mock_smtp();
    let mut smtp = Dialogue::open(&server);
    smtp.expect(GREETING);
    smtp.says(
        "MAIL FROM:<bob@example.com>",
        &["503 Bad sequence of commands: send EHLO or HELO first"],
    );
    smtp.says("helo client", &["250 mail.example.com greets client"]);
    smtp.says(
        "RCPT TO:<alice@example.com>",
        &["503 Bad sequence of commands: send MAIL first"],
    );
    smtp.says("DATA", &["503 Bad sequence of commands: send MAIL first"]);
    smtp.says("MAIL FROM:<bob@example.com>", &[OK]);
    smtp.says(
        "MAIL FROM:<bob@example.com>",
        &["503 Bad sequence of commands: a mail transaction is already open"],
    );
    smtp.says("DATA", &["554 No valid recipients"]);
    smtp.says("RCPT TO:<nobody@example.com>", &["550 No such user here"]);
    smtp.says("DATA", &["554 No valid recipients"]);
}

#[test]
fn unknown_commands_get_500_and_the_session_goes_on() {
    let server = mock_smtp();
    let mut smtp = greeted(&server);
    smtp.says("HELLO", &["500 Syntax error, command unrecognized"]);
    smtp.says("", &["500 Syntax error, command unrecognized"]);
    smtp.says("VRFY alice", &["502 Command not implemented"]);
    smtp.says("NOOP", &[OK]);
    smtp.says(
        "HELP",
        &["214 Commands: EHLO HELO MAIL RCPT DATA RSET NOOP QUIT HELP"],
    );
    smtp.says("quit", &[BYE]);
    smtp.expect_closed();
}

#[test]
fn syntax_errors_get_501() {
    let server = mock_smtp();
    let mut smtp = Dialogue::open(&server);
    smtp.expect(GREETING);
    smtp.says("EHLO", &["501 Syntax: EHLO domain"]);
    smtp.says("HELO", &["501 Syntax: HELO domain"]);
    smtp.says("EHLO client", &["250-mail.example.com greets client"]);
    for line in ["250-8BITMIME", "250-SIZE 1048576", "250 HELP"] {
        smtp.expect(line);
    }
    smtp.says("MAIL bob@example.com", &["501 Syntax: MAIL FROM:<address>"]);
    smtp.says(
        "MAIL FROM:bob@example.com",
        &["501 Syntax: MAIL FROM:<address>"],
    );
    smtp.says("MAIL FROM: <bob@example.com>", &[OK]);
    smtp.says(
        "RCPT TO:alice@example.com",
        &["501 Syntax: RCPT TO:<address>"],
    );
    smtp.says("RCPT TO:<alice@example.com>", &[OK]);
    smtp.says("DATA now", &["501 Syntax: DATA takes no arguments"]);
}

#[test]
fn mailboxes_are_alice_and_bob_at_example_com_in_any_case() {
    let server = mock_smtp();
    let mut smtp = greeted(&server);
    smtp.says("MAIL FROM:<carol@example.org>", &[OK]);
    smtp.says("RCPT TO:<Alice@Example.COM>", &[OK]);
    smtp.says("RCPT TO:<bob@example.com>", &[OK]);
    smtp.says("RCPT TO:<alice@example.org>", &["550 No such user here"]);
    smtp.says("RCPT TO:<carol@example.com>", &["550 No such user here"]);
}

#[test]
fn mail_parameters_are_checked() {
    let server = mock_smtp();
    let mut smtp = greeted(&server);
    smtp.says(
        "MAIL FROM:<bob@example.com> SIZE=2000000",
        &["552 Message size exceeds fixed maximum message size"],
    );
    smtp.says(
        "MAIL FROM:<bob@example.com> COLOUR=blue",
        &["555 MAIL FROM parameters not recognized or not implemented"],
    );
    smtp.says("MAIL FROM:<bob@example.com> BODY=8BITMIME SIZE=100", &[OK]);
}

#[test]
fn rset_forgets_the_transaction_but_not_the_greeting() {
    let server = mock_smtp();
    let mut smtp = greeted(&server);
    smtp.says("MAIL FROM:<bob@example.com>", &[OK]);
    smtp.says("RCPT TO:<alice@example.com>", &[OK]);
    smtp.says("RSET", &[OK]);
    smtp.says(
        "RCPT TO:<alice@example.com>",
        &["503 Bad sequence of commands: send MAIL first"],
    );
    smtp.says("MAIL FROM:<bob@example.com>", &[OK]);
}

#[test]
fn leading_dots_are_removed_from_the_message() {
    let server = mock_smtp();
    let mut smtp = greeted(&server);
    smtp.says("MAIL FROM:<bob@example.com>", &[OK]);
    smtp.says("RCPT TO:<alice@example.com>", &[OK]);
    smtp.says("RCPT TO:<bob@example.com>", &[OK]);
    smtp.says("DATA", &[GO_AHEAD]);
    smtp.send("....");
    smtp.send("..hidden");
    smtp.send(". not the end");
    smtp.says(".", &[OK]);

    let printed = server.lines_until("--- end of message 1");
    assert_eq!(
        printed,
        [
            "--- message 1 from <bob@example.com> to <alice@example.com>, <bob@example.com> \
             (28 bytes)",
            "...",
            ".hidden",
            " not the end",
            "--- end of message 1",
        ]
    );
    // The transaction is over: a new one starts with MAIL.
    smtp.says(
        "RCPT TO:<alice@example.com>",
        &["503 Bad sequence of commands: send MAIL first"],
    );
}

#[test]
fn lines_ending_in_a_bare_lf_are_accepted_and_replies_end_in_crlf() {
    let server = mock_smtp();
    let mut smtp = Dialogue::open(&server);
    smtp.expect(GREETING);
    smtp.send_raw(b"HELO nc\nMAIL FROM:<bob@example.com>\nRCPT TO:<alice@example.com>\n");
    smtp.expect("250 mail.example.com greets nc");
    smtp.expect(OK);
    smtp.expect(OK);
    smtp.send_raw(b"DATA\nwritten with nc\n.\n");
    smtp.expect(GO_AHEAD);
    smtp.expect(OK);
    let printed = server.lines_until("--- end of message 1");
    assert_eq!(printed[1], "written with nc");
}

#[test]
fn an_overlong_command_line_gets_500() {
    let server = mock_smtp();
    let mut smtp = greeted(&server);
    smtp.says(&format!("NOOP {}", "x".repeat(600)), &["500 Line too long"]);
    smtp.says("NOOP", &[OK]);
}

#[test]
fn two_clients_are_served_at_the_same_time() {
    let server = mock_smtp();
    let mut first = greeted(&server);
    let mut second = greeted(&server);
    first.says("MAIL FROM:<bob@example.com>", &[OK]);
    second.says("MAIL FROM:<alice@example.com>", &[OK]);
    first.says("QUIT", &[BYE]);
    second.says("RCPT TO:<bob@example.com>", &[OK]);
}

#[test]
fn a_client_that_hangs_up_mid_message_delivers_nothing() {
    let server = mock_smtp();
    let mut smtp = greeted(&server);
    smtp.says("MAIL FROM:<bob@example.com>", &[OK]);
    smtp.says("RCPT TO:<alice@example.com>", &[OK]);
    smtp.says("DATA", &[GO_AHEAD]);
    smtp.send("half a message");
    smtp.stop_sending();
    smtp.expect_closed();

    let mut next = greeted(&server);
    next.says("MAIL FROM:<bob@example.com>", &[OK]);
    next.says("RCPT TO:<bob@example.com>", &[OK]);
    next.says("DATA", &[GO_AHEAD]);
    next.says(".", &[OK]);
    let printed = server.lines_until("--- end of message");
    assert_eq!(
        printed,
        [
            "--- message 1 from <bob@example.com> to <bob@example.com> (0 bytes)",
            "--- end of message 1",
        ]
    );
}
