//! The sessions the chapter "What is a protocol?" shows typed into `nc -C`: what the reader
//! types and what the mock answers, mixed as a terminal shows them. Each is replayed against
//! the mock, so that what the book says the server answers is what it answers.
//!
//! A block is replayed when the line before its opening fence is the marker
//! `<!-- typed into nc, replayed against mock-smtp by protocol-tools/tests/typed.rs -->` (or
//! `mock-pop3`, `mock-imap`). In an SMTP session a line the server sends starts with a
//! three-digit code; in a POP3 session with `+OK` or `-ERR`; in an IMAP session with `* ` (data)
//! or a tag and `OK`, `NO` or `BAD` (the command's end). Every other line is typed.

mod support;

use std::path::Path;

use support::{CLIENT, SERVER, mock_imap, mock_pop3, mock_smtp, replay};

/// The sessions of the chapter after `marker`: the lines after each block's `$ nc` line.
fn sessions(marker: &str) -> Vec<Vec<String>> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/src/protocols.md");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut found = Vec::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if line.trim() != marker {
            continue;
        }
        assert_eq!(
            lines.next(),
            Some("```console"),
            "a console block after {marker}"
        );
        let block: Vec<&str> = lines
            .by_ref()
            .take_while(|l| !l.starts_with("```"))
            .collect();
        let (first, session) = block.split_first().expect("a command");
        assert!(
            first.starts_with("$ nc -C "),
            "{first:?}: the block starts with nc"
        );
        found.push(session.iter().map(|line| line.to_string()).collect());
    }
    assert!(!found.is_empty(), "no block after {marker}");
    found
}

/// `session` in the notation `replay` reads, `is_reply` telling the server's lines.
fn script(session: &[String], is_reply: impl Fn(&str) -> bool) -> String {
    session
        .iter()
        .map(|line| {
            let side = if is_reply(line) { SERVER } else { CLIENT };
            format!("{side}{line}<CRLF>\n")
        })
        .collect()
}

#[test]
fn the_smtp_session_typed_into_nc_is_what_mock_smtp_answers() {
    let marker =
        "<!-- typed into nc, replayed against mock-smtp by protocol-tools/tests/typed.rs -->";
    for session in sessions(marker) {
        let smtp_reply = |line: &str| {
            let code = line
                .get(..3)
                .is_some_and(|c| c.bytes().all(|b| b.is_ascii_digit()));
            code && matches!(line.as_bytes().get(3), Some(b' ' | b'-') | None)
        };
        replay(&mock_smtp(), &script(&session, smtp_reply));
    }
}

#[test]
fn the_pop3_session_typed_into_nc_is_what_mock_pop3_answers() {
    let marker =
        "<!-- typed into nc, replayed against mock-pop3 by protocol-tools/tests/typed.rs -->";
    for session in sessions(marker) {
        let pop3_reply = |line: &str| line.starts_with("+OK") || line.starts_with("-ERR");
        replay(&mock_pop3(), &script(&session, pop3_reply));
    }
}

#[test]
fn the_imap_session_typed_into_nc_is_what_mock_imap_answers() {
    let marker =
        "<!-- typed into nc, replayed against mock-imap by protocol-tools/tests/typed.rs -->";
    for session in sessions(marker) {
        let imap_reply = |line: &str| {
            let mut words = line.split(' ');
            let (first, second) = (words.next(), words.next());
            first == Some("*") || matches!(second, Some("OK" | "NO" | "BAD"))
        };
        replay(&mock_imap(), &script(&session, imap_reply));
    }
}
