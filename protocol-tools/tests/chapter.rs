//! The chapter "What is a protocol?" (`docs/src/protocols.md`) shows conversations with the
//! mock servers; these tests replay them, so the book says exactly what the programs answer.
//!
//! A block is replayed when the line before its opening fence is the marker
//! `<!-- replayed against mock-smtp by protocol-tools/tests/chapter.rs -->` (or `mock-pop3`).

mod support;

use std::path::Path;

use support::{CLIENT, SERVER, mock_pop3, mock_smtp, replay};

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

/// The IMAP example has no mock to talk to, but its literals must announce their true size,
/// and the message it fetches is message 1 of the mock POP3 maildrop.
#[test]
fn the_imap_literals_announce_their_true_sizes() {
    let blocks = marked_blocks("<!-- literal sizes checked by protocol-tools/tests/chapter.rs -->");
    let [block] = blocks.as_slice() else {
        panic!("the chapter should show one IMAP exchange, marked");
    };
    let mut fetched = Vec::new();
    let mut lines = block.lines();
    let mut literals = 0;
    while let Some(line) = lines.next() {
        let Some(size) = line
            .strip_suffix("}<CRLF>")
            .and_then(|start| start.rsplit_once('{'))
            .map(|(_, size)| size.parse::<usize>().expect("a literal's size is a number"))
        else {
            continue;
        };
        let mut payload = Vec::new();
        for line in lines.by_ref() {
            let content = line
                .strip_prefix(SERVER)
                .expect("the server sends the literal");
            if content == ")<CRLF>" {
                break;
            }
            let text = content
                .strip_suffix("<CRLF>")
                .expect("each line ends in <CRLF>");
            payload.extend_from_slice(text.as_bytes());
            payload.extend_from_slice(b"\r\n");
        }
        assert_eq!(
            payload.len(),
            size,
            "the literal announced as {{{size}}} carries {} bytes",
            payload.len()
        );
        fetched.extend(payload);
        literals += 1;
    }
    assert_eq!(literals, 2, "the example fetches a header and a body");
    assert_eq!(
        String::from_utf8_lossy(&fetched),
        String::from_utf8_lossy(protocol_tools::pop3::MAILDROP[0]),
        "header and body together are message 1 of the mock maildrop"
    );
    assert!(
        block
            .lines()
            .all(|l| l.starts_with(CLIENT) || l.starts_with(SERVER))
    );
}

#[test]
fn the_try_it_section_uses_the_programs_default_ports() {
    let text = chapter();
    for shown in [
        format!("nc -C localhost {}", protocol_tools::smtp::PORT),
        format!("nc -C localhost {}", protocol_tools::pop3::PORT),
        format!("listening on 127.0.0.1:{}", protocol_tools::smtp::PORT),
        format!("listening on 127.0.0.1:{}", protocol_tools::pop3::PORT),
    ] {
        assert!(text.contains(&shown), "the chapter should show `{shown}`");
    }
}
