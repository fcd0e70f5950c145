//! `mock-pop3`: scripted sessions, each reply compared byte for byte.

mod support;

use support::{Dialogue, mock_pop3};

const GREETING: &str = "+OK POP3 server ready";

/// Message 1 of bob's maildrop as RETR sends it: 120 octets, then the terminating dot.
const MESSAGE_1: [&str; 7] = [
    "From: alice@example.com",
    "To: bob@example.com",
    "Subject: Lunch on Friday",
    "",
    "Noodles at noon, at the usual place?",
    "Alice.",
    ".",
];

/// Connects and logs in as bob.
fn logged_in(server: &testkit::ChildServer) -> Dialogue {
    let mut pop = Dialogue::open(server);
    pop.expect(GREETING);
    pop.says("USER bob", &["+OK bob"]);
    pop.says(
        "PASS redqueen",
        &["+OK bob's maildrop has 2 messages (320 octets)"],
    );
    pop
}

#[test]
fn the_lessons_exchange_gets_the_lessons_replies() {
    let server = mock_pop3();
    let mut pop = logged_in(&server);
    pop.says("STAT", &["+OK 2 320"]);
    pop.says(
        "LIST",
        &["+OK 2 messages (320 octets)", "1 120", "2 200", "."],
    );
    pop.send("RETR 1");
    pop.expect("+OK 120 octets");
    for line in MESSAGE_1 {
        pop.expect(line);
    }
    pop.says("DELE 1", &["+OK message 1 deleted"]);
    pop.says("QUIT", &["+OK POP3 server signing off (1 message left)"]);
    pop.expect_closed();
}

#[test]
fn retr_doubles_a_dot_at_the_start_of_a_line() {
    let server = mock_pop3();
    let mut pop = logged_in(&server);
    pop.says(
        "RETR 2",
        &[
            "+OK 200 octets",
            "From: carol@example.com",
            "To: bob@example.com",
            "Subject: Dots",
            "",
            "POP3 doubles the dot that starts a line,",
            "so the next line travels with four dots:",
            "....",
            "and a line with one dot alone ends it.",
            "Carol.",
            ".",
        ],
    );
}

#[test]
fn deletions_take_effect_only_at_quit() {
    let server = mock_pop3();
    let mut first = logged_in(&server);
    first.says("DELE 1", &["+OK message 1 deleted"]);
    first.stop_sending(); // hangs up without QUIT: nothing is deleted
    first.expect_closed();

    let mut second = logged_in(&server);
    second.says("DELE 2", &["+OK message 2 deleted"]);
    second.says("QUIT", &["+OK POP3 server signing off (1 message left)"]);
    second.expect_closed();

    let mut third = Dialogue::open(&server);
    third.expect(GREETING);
    third.says("USER bob", &["+OK bob"]);
    third.says(
        "PASS redqueen",
        &["+OK bob's maildrop has 1 message (120 octets)"],
    );
    third.says("LIST", &["+OK 1 message (120 octets)", "1 120", "."]);
    third.says("DELE 1", &["+OK message 1 deleted"]);
    third.says("QUIT", &["+OK POP3 server signing off (maildrop empty)"]);
}

#[test]
fn deleted_messages_are_gone_until_rset() {
    let server = mock_pop3();
    let mut pop = logged_in(&server);
    pop.says("DELE 1", &["+OK message 1 deleted"]);
    pop.says("DELE 1", &["-ERR message 1 already deleted"]);
    pop.says("RETR 1", &["-ERR message 1 already deleted"]);
    pop.says("LIST 1", &["-ERR message 1 already deleted"]);
    pop.says("STAT", &["+OK 1 200"]);
    pop.says("LIST", &["+OK 1 message (200 octets)", "2 200", "."]);
    pop.says("RSET", &["+OK maildrop has 2 messages (320 octets)"]);
    pop.says("LIST 1", &["+OK 1 120"]);
}

#[test]
fn message_numbers_are_checked() {
    let server = mock_pop3();
    let mut pop = logged_in(&server);
    pop.says("LIST 2", &["+OK 2 200"]);
    for command in ["LIST 3", "RETR 0", "DELE 7"] {
        pop.says(
            command,
            &["-ERR no such message, only 2 messages in maildrop"],
        );
    }
    pop.says("RETR", &["-ERR RETR needs a message number"]);
    pop.says("dele one", &["-ERR DELE needs a message number"]);
    pop.says("NOOP", &["+OK"]);
}

#[test]
fn a_wrong_password_or_an_unknown_user_is_refused() {
    let server = mock_pop3();
    let mut pop = Dialogue::open(&server);
    pop.expect(GREETING);
    pop.says("PASS redqueen", &["-ERR send USER first"]);
    pop.says("USER alice", &["-ERR no mailbox for alice here"]);
    pop.says("USER", &["-ERR USER needs a mailbox name"]);
    pop.says("USER bob", &["+OK bob"]);
    pop.says("PASS whiteknight", &["-ERR invalid password"]);
    pop.says("PASS redqueen", &["-ERR send USER first"]);
    pop.says("user bob", &["+OK bob"]);
    pop.says(
        "pass redqueen",
        &["+OK bob's maildrop has 2 messages (320 octets)"],
    );
    pop.says("USER bob", &["-ERR already logged in"]);
}

#[test]
fn commands_need_the_right_state() {
    let server = mock_pop3();
    let mut pop = Dialogue::open(&server);
    pop.expect(GREETING);
    for command in ["STAT", "LIST", "RETR 1", "DELE 1", "RSET"] {
        pop.says(command, &["-ERR log in first, with USER and PASS"]);
    }
    pop.says("HELLO", &["-ERR unknown command"]);
    pop.says("QUIT", &["+OK POP3 server signing off"]);
    pop.expect_closed();
}

#[test]
fn the_maildrop_is_locked_while_a_session_holds_it() {
    let server = mock_pop3();
    let mut first = logged_in(&server);
    let mut second = Dialogue::open(&server);
    second.expect(GREETING);
    second.says("USER bob", &["+OK bob"]);
    second.says("PASS redqueen", &["-ERR unable to lock maildrop"]);
    first.says("QUIT", &["+OK POP3 server signing off (2 messages left)"]);
    first.expect_closed();
    second.says("USER bob", &["+OK bob"]);
    second.says(
        "PASS redqueen",
        &["+OK bob's maildrop has 2 messages (320 octets)"],
    );
}

#[test]
fn lines_ending_in_a_bare_lf_are_accepted_and_an_overlong_one_refused() {
    let server = mock_pop3();
    let mut pop = Dialogue::open(&server);
    pop.expect(GREETING);
    pop.send_raw(b"USER bob\nPASS redqueen\nSTAT\n");
    pop.expect("+OK bob");
    pop.expect("+OK bob's maildrop has 2 messages (320 octets)");
    pop.expect("+OK 2 320");
    pop.says(
        &format!("NOOP {}", "x".repeat(600)),
        &["-ERR line too long"],
    );
    pop.says("NOOP", &["+OK"]);
}
