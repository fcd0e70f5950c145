//! `ureq-get` against the step 7 reference: what it prints, how it fails, and the chapter's
//! transcript of it through the wire tap.

mod support;

use support::{
    assert_no_server_is_a_clear_failure, assert_transcript_is_the_chapters, chapter_block, example,
    step7_server, wiretap,
};
use testkit::{Target, run_program, unused_port};

const PROGRAM: &str = env!("CARGO_BIN_EXE_ureq-get");

fn sample_size() -> usize {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../webroot/sample.txt");
    std::fs::read(path).expect("webroot/sample.txt").len()
}

#[test]
fn a_file_of_the_sample_site_is_shown_as_status_headers_and_body_size() {
    let server = step7_server();
    let url = format!("http://{}/sample.txt", server.addr());

    let run = run_program(example(PROGRAM, &[&url]), "ureq-get should fetch the file");

    let size = sample_size();
    let output = run.success().get_output().clone();
    let stdout = String::from_utf8_lossy(&output.stdout);
    for line in [
        "HTTP/1.1 200 OK".to_string(),
        "content-type: text/plain".into(),
        format!("content-length: {size}"),
        format!("body: {size} bytes"),
    ] {
        assert!(
            stdout.lines().any(|printed| printed == line),
            "ureq-get should print {line:?}; it printed:\n{stdout}"
        );
    }
}

#[test]
fn a_missing_page_is_an_answer_to_show_not_a_failure() {
    let server = step7_server();
    let url = format!("http://{}/no-such-page", server.addr());

    let run = run_program(example(PROGRAM, &[&url]), "a 404 is an answer");

    run.success()
        .stdout(predicates::str::starts_with("HTTP/1.1 404 Not Found\n"));
}

#[test]
fn no_server_is_a_clear_failure_not_a_panic() {
    let url = format!("http://127.0.0.1:{}/", unused_port());
    let failure = format!("ureq-get: cannot fetch {url}: ");
    assert_no_server_is_a_clear_failure(PROGRAM, &[&url], &failure);
}

#[test]
fn an_https_url_is_refused_as_a_usage_error() {
    let run = run_program(example(PROGRAM, &["https://127.0.0.1/"]), "no TLS here");

    run.code(2)
        .stderr(predicates::str::contains("https needs TLS"));
}

#[test]
fn through_the_wire_tap_ureq_sends_what_the_chapter_shows() {
    let server = step7_server();
    let tap = wiretap(&server);
    let url = format!("http://{}/sample.txt", tap.addr());

    run_program(example(PROGRAM, &[&url]), "ureq-get through the tap").success();

    let printed: Vec<String> = tap
        .lines_until("<connection closed")
        .into_iter()
        .filter(|line| line.starts_with("#1 "))
        .collect();
    let shown = chapter_block(
        "<!-- printed by wiretap for ureq-get; checked by library-examples/tests/ureq_get.rs -->",
    );
    // Ports, the date, and the byte count, which the Host line's port changes.
    let varying = [
        "<connection from",
        "host: 127.0.0.1:",
        "Date: ",
        "<connection closed",
    ];
    assert_transcript_is_the_chapters(&shown, &printed, &varying);
}
