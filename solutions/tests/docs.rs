//! The book shows the bytes the reference puts on the wire; these tests keep the two equal.
//! A chapter writes a response as the lesson does, each `\r\n` as `<CRLF>` at a line's end.

use std::path::Path;

/// The text of `docs/src/{file}`.
fn chapter(file: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../docs/src")
        .join(file);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// `bytes` as the book writes them: `<CRLF>` for each `\r\n`, then a line break.
fn crlf_notation(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).replace("\r\n", "<CRLF>\n")
}

/// Fails unless chapter `file` shows `bytes` in `<CRLF>` notation, verbatim.
#[track_caller]
fn assert_shown(file: &str, bytes: &[u8]) {
    let shown = crlf_notation(bytes);
    assert!(
        chapter(file).contains(&shown),
        "docs/src/{file} should show these bytes exactly (the reference sends them):\n{shown}"
    );
}

#[test]
fn crlf_notation_marks_each_line_end() {
    assert_eq!(
        crlf_notation(b"GET / HTTP/1.1\r\n\r\n"),
        "GET / HTTP/1.1<CRLF>\n<CRLF>\n"
    );
}

#[test]
fn step_4_shows_the_canned_200() {
    assert_shown("step4-canned-200.md", &solutions::step4::response_ok());
}

#[test]
fn step_5_shows_the_200_a_get_still_gets() {
    assert_shown("step5-get-only.md", &solutions::step5::response_ok());
}

#[test]
fn step_6_shows_the_405_and_the_400() {
    use solutions::step6::{response_bad_request, response_method_not_allowed};
    let chapter = "step6-method-not-allowed.md";
    assert_shown(chapter, &response_method_not_allowed());
    assert_shown(chapter, &response_bad_request());
}
