//! The chapter "What is a protocol?" (`docs/src/protocols.md`) shows conversations with the
//! mock servers; these tests replay them, so the book says exactly what the programs answer.
//!
//! A block is replayed when the line before its opening fence is the marker
//! `<!-- replayed against mock-smtp by protocol-tools/tests/chapter.rs -->` (or `mock-pop3`).
//! The IMAP session is shown as the wire tap prints it, and made again through a tap.

mod support;

use std::path::Path;

use std::io::{BufRead, BufReader, Read, Write};

use support::{CLIENT, LECTURE, SERVER, have, mock_imap, mock_pop3, mock_smtp, replay, wiretap};
use testkit::{ChildServer, DEADLINE, Target, connect};

fn docs(file: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../docs/src")
        .join(file);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

fn chapter() -> String {
    docs("protocols.md")
}

/// The fenced blocks that follow `marker` in the chapter.
fn marked_blocks(marker: &str) -> Vec<String> {
    let text = chapter();
    let mut blocks = Vec::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if line.trim() != marker {
            continue;
        }
        let fence = lines.next().unwrap_or_default();
        assert!(
            fence.starts_with("```"),
            "the line after {marker:?} should open a fenced block, not {fence:?}"
        );
        let body: Vec<&str> = lines
            .by_ref()
            .take_while(|l| !l.starts_with("```"))
            .collect();
        blocks.push(body.join("\n"));
    }
    blocks
}

#[test]
fn the_smtp_conversations_in_the_chapter_are_what_mock_smtp_answers() {
    let blocks =
        marked_blocks("<!-- replayed against mock-smtp by protocol-tools/tests/chapter.rs -->");
    assert!(
        !blocks.is_empty(),
        "the chapter should show an SMTP exchange"
    );
    for block in blocks {
        replay(&mock_smtp(), &block);
    }
}

#[test]
fn the_chapter_shows_what_mock_smtp_prints_for_its_exchange() {
    let printed = marked_blocks(
        "<!-- printed by mock-smtp after the SMTP exchange above; checked by protocol-tools/tests/chapter.rs -->",
    );
    let [printed] = printed.as_slice() else {
        panic!("the chapter should show, once, what mock-smtp prints");
    };
    let exchange =
        marked_blocks("<!-- replayed against mock-smtp by protocol-tools/tests/chapter.rs -->");
    let server = mock_smtp();
    replay(&server, &exchange[0]);
    assert_eq!(
        &server.lines_until("--- end of message").join("\n"),
        printed,
        "the chapter should show what mock-smtp prints after the exchange"
    );
}

#[test]
fn the_pop3_conversations_in_the_chapter_are_what_mock_pop3_answers() {
    let blocks =
        marked_blocks("<!-- replayed against mock-pop3 by protocol-tools/tests/chapter.rs -->");
    assert!(
        !blocks.is_empty(),
        "the chapter should show a POP3 exchange"
    );
    for block in blocks {
        replay(&mock_pop3(), &block);
    }
}

#[test]
fn the_try_it_section_uses_the_programs_default_ports() {
    let text = chapter();
    for shown in [
        format!("nc -C localhost {}", protocol_tools::smtp::PORT),
        format!("nc -C localhost {}", protocol_tools::pop3::PORT),
        format!("listening on 127.0.0.1:{}", protocol_tools::smtp::PORT),
        format!("listening on 127.0.0.1:{}", protocol_tools::pop3::PORT),
        format!("listening on 127.0.0.1:{}", protocol_tools::imap::PORT),
    ] {
        assert!(text.contains(&shown), "the chapter should show `{shown}`");
    }
}

const IMAP_MARKER: &str =
    "<!-- printed by wiretap in front of mock-imap; checked by protocol-tools/tests/chapter.rs -->";

/// The wire tap's lines for one connection, without the `#1 ` that numbers it and without
/// the line that names the client's port, which changes from run to run.
fn tapped(tap: &ChildServer) -> Vec<String> {
    tap.lines_until("<connection closed")
        .iter()
        .filter_map(|line| line.strip_prefix("#1 "))
        .filter(|line| !line.starts_with("<connection from"))
        .map(str::to_string)
        .collect()
}

/// The chapter's client lines, without the `<CRLF>`.
fn commands(transcript: &str) -> Vec<String> {
    transcript
        .lines()
        .filter_map(|line| line.strip_prefix(CLIENT)?.strip_suffix("<CRLF>"))
        .map(str::to_string)
        .collect()
}

/// The chapter shows an IMAP session as the wire tap prints it. The test sends the same
/// commands through a tap in front of mock-imap, each after the answer to the one before, and
/// compares what the tap prints with the chapter, line for line.
#[test]
fn the_imap_session_in_the_chapter_is_what_the_wiretap_prints() {
    let blocks = marked_blocks(IMAP_MARKER);
    let [shown] = blocks.as_slice() else {
        panic!("the chapter should show one IMAP session, marked {IMAP_MARKER:?}");
    };
    let server = mock_imap();
    let tap = wiretap(&server.addr().to_string());
    let stream = connect(&tap);
    let mut writer = stream.try_clone().expect("clone the test's socket");
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).expect("the greeting");
    for command in commands(shown) {
        writer
            .write_all(format!("{command}\r\n").as_bytes())
            .expect("send a command");
        let tag = command.split(' ').next().unwrap_or_default().to_string();
        loop {
            line.clear();
            let read = reader.read_line(&mut line).expect("read the answer");
            if read == 0 || line.starts_with(&format!("{tag} ")) {
                break;
            }
        }
    }
    let mut rest = Vec::new();
    reader
        .read_to_end(&mut rest)
        .expect("the server closes after LOGOUT");
    drop((reader, writer));
    let printed = tapped(&tap).join("\n");
    assert_eq!(
        shown, &printed,
        "docs/src/protocols.md should show what the tap prints:\n{printed}"
    );
}

/// The chapter's session is the lecture's: imaplib sends the same commands, with tags of its
/// own making, and the lines it receives are the chapter's too (tags aside).
#[test]
fn imaplib_sends_the_chapters_imap_commands() {
    if !have("python3") {
        return;
    }
    let server = mock_imap();
    let tap = wiretap(&server.addr().to_string());
    let output = assert_cmd::Command::new("python3")
        .args(["-c", LECTURE, &tap.addr().port().to_string()])
        .timeout(DEADLINE)
        .output()
        .expect("run python3");
    assert!(output.status.success(), "{output:?}");
    let blocks = marked_blocks(IMAP_MARKER);
    let shown = blocks.first().expect("the chapter's IMAP session");
    let chapter: Vec<String> = shown.lines().map(untag).collect();
    let imaplib: Vec<String> = tapped(&tap).iter().map(|line| untag(line)).collect();
    assert_eq!(chapter, imaplib, "imaplib's session, through the tap");
}

/// `C (-->): A0001 LOGOUT<CRLF>` and `S (<--): A0001 OK ...` with the tag as `TAG`.
fn untag(line: &str) -> String {
    for side in [CLIENT, SERVER] {
        if let Some(content) = line.strip_prefix(side) {
            if let Some((tag, rest)) = content.split_once(' ') {
                let is_tag = tag.chars().all(|c| c.is_ascii_alphanumeric()) && !tag.is_empty();
                if is_tag
                    && (side == CLIENT
                        || ["OK ", "NO ", "BAD "]
                            .iter()
                            .any(|word| rest.starts_with(word)))
                {
                    return format!("{side}TAG {rest}");
                }
            }
        }
    }
    line.to_string()
}
