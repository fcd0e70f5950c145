//! `lettre-send` against `mock-smtp`: the mail arrives, a missing server is a clear failure,
//! and the chapter's transcript of it through the wire tap is what the tap prints.

mod support;

use support::{
    assert_no_server_is_a_clear_failure, assert_transcript_is_the_chapters, chapter_block, example,
    mock_smtp, wiretap,
};
use testkit::{Target, run_program, unused_port};

const PROGRAM: &str = env!("CARGO_BIN_EXE_lettre-send");

#[test]
fn the_chapters_mail_reaches_mock_smtp() {
    let server = mock_smtp();
    let to = server.addr().to_string();

    let run = run_program(example(PROGRAM, &["--to", &to]), "lettre-send should send");

    run.success()
        .stdout(predicates::str::contains("Subject: Friday\r\n"))
        .stdout(predicates::str::ends_with(
            "the server's last reply: 250 OK\n",
        ));
    let received = server.lines_until("--- end of message 1").join("\n");
    let expected = [
        "--- message 1 from <bob@example.com> to <alice@example.com>",
        "From: Bob <bob@example.com>",
        "To: Alice <alice@example.com>",
        "Subject: Friday",
        "Alice, lunch on Friday? Noodles at noon.\nBob\n--- end of message 1",
    ];
    for part in expected {
        assert!(
            received.contains(part),
            "mock-smtp should have received {part:?}; it printed:\n{received}"
        );
    }
}

#[test]
fn no_server_is_a_clear_failure_not_a_panic() {
    let to = format!("127.0.0.1:{}", unused_port());
    let failure = format!("lettre-send: cannot send to {to}: ");
    assert_no_server_is_a_clear_failure(PROGRAM, &["--to", &to], &failure);
}

#[test]
fn an_address_without_a_port_is_a_usage_error() {
    let run = run_program(example(PROGRAM, &["--to", "localhost"]), "no port");

    run.code(2)
        .stderr(predicates::str::contains("is not HOST:PORT"));
}

#[test]
fn through_the_wire_tap_lettre_sends_what_the_chapter_shows() {
    let server = mock_smtp();
    let tap = wiretap(&server);
    let to = tap.addr().to_string();

    run_program(
        example(PROGRAM, &["--to", &to]),
        "lettre-send through the tap",
    )
    .success();

    let printed: Vec<String> = tap
        .lines_until("<connection closed")
        .into_iter()
        .filter(|line| line.starts_with("#1 "))
        .collect();
    let shown = chapter_block(
        "<!-- printed by wiretap for lettre-send; checked by library-examples/tests/lettre_send.rs -->",
    );
    let varying = ["<connection from", "Date: "];
    assert_transcript_is_the_chapters(&shown, &printed, &varying);
}
