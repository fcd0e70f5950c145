//! `imap-fetch` against `mock-imap`: Alice's message comes back, unread still (`BODY.PEEK`), a
//! missing server is a clear failure, and the chapter's transcript of it through the wire tap
//! is what the tap prints.

mod support;

use support::{
    assert_no_server_is_a_clear_failure, assert_transcript_is_the_chapters, chapter_block, example,
    mock_imap, wiretap,
};
use testkit::{Target, run_program, unused_port};

const PROGRAM: &str = env!("CARGO_BIN_EXE_imap-fetch");

#[test]
fn alices_message_comes_back_from_mock_imap() {
    let server = mock_imap();
    let to = server.addr().to_string();

    let run = run_program(example(PROGRAM, &["--to", &to]), "imap-fetch should fetch");

    run.success().stdout(
        "the header of Alice's first message:\n\
         From: alice@example.com\r\nTo: bob@example.com\r\nSubject: Lunch on Friday\r\n\r\n\
         its text:\n\
         Noodles at noon, at the usual place?\r\nAlice.\r\n",
    );
}

#[test]
fn no_server_is_a_clear_failure_not_a_panic() {
    let to = format!("127.0.0.1:{}", unused_port());
    let failure = format!("imap-fetch: cannot fetch from {to}: ");
    assert_no_server_is_a_clear_failure(PROGRAM, &["--to", &to], &failure);
}

#[test]
fn through_the_wire_tap_the_imap_crate_sends_what_the_chapter_shows() {
    let server = mock_imap();
    let tap = wiretap(&server);
    let to = tap.addr().to_string();

    run_program(
        example(PROGRAM, &["--to", &to]),
        "imap-fetch through the tap",
    )
    .success();

    let printed: Vec<String> = tap
        .lines_until("<connection closed")
        .into_iter()
        .filter(|line| line.starts_with("#1 "))
        .collect();
    let shown = chapter_block(
        "<!-- printed by wiretap for imap-fetch; checked by library-examples/tests/imap_fetch.rs -->",
    );
    assert_transcript_is_the_chapters(&shown, &printed, &["<connection from"]);
}
