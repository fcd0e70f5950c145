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

/// Fails unless chapter `file` shows each of `texts` (a table's row, a line) verbatim.
#[track_caller]
fn assert_shows_texts(file: &str, texts: impl IntoIterator<Item = String>) {
    let chapter = chapter(file);
    for text in texts {
        assert!(
            chapter.contains(&text),
            "docs/src/{file} should show\n{text}"
        );
    }
}

#[test]
fn crlf_notation_marks_each_line_end() {
    assert_eq!(
        crlf_notation(b"GET / HTTP/1.1\r\n\r\n"),
        "GET / HTTP/1.1<CRLF>\n<CRLF>\n"
    );
}

mod http {
    use super::{assert_shown, assert_shows_texts};

    const CHAPTER: &str = "http.md";

    #[test]
    fn the_chapter_shows_the_request_of_the_step_3_client() {
        use solutions::step3::{parse_url, request_for};
        let url = parse_url("http://127.0.0.1:10000/sample.txt").unwrap();
        assert_shown(CHAPTER, &request_for(&url));
    }

    #[test]
    fn the_chapter_shows_the_answers_of_the_reference_servers() {
        assert_shown(CHAPTER, &solutions::step6::response_ok());
        assert_shown(CHAPTER, &solutions::step7::response_method_not_allowed());
        assert_shown(CHAPTER, &solutions::step7::response_not_found());
    }

    #[test]
    fn the_chapter_takes_its_url_apart_as_the_step_3_client_does() {
        let url =
            solutions::step3::parse_url("http://127.0.0.1:10000/images/sunset.jpg?size=small#top")
                .unwrap();
        let rows = [
            format!("| host and port | `{}`, `{}` |", url.host, url.port),
            format!("`GET {} HTTP/1.1`", url.target),
        ];
        assert_shows_texts(CHAPTER, rows);
    }
}

mod step2 {
    use super::assert_shown;
    use chrono::{TimeZone, Utc};
    use solutions::step2::{time_line, whoami_line};

    const CHAPTER: &str = "step2-time-server.md";

    #[test]
    fn the_chapter_shows_the_time_line_the_server_sends() {
        let instant = Utc.with_ymd_and_hms(2026, 11, 21, 14, 10, 42).unwrap();
        assert_shown(CHAPTER, time_line(instant).as_bytes());
    }

    #[test]
    fn the_chapter_shows_the_line_the_whoami_server_sends() {
        let client = "127.0.0.1:54321".parse().unwrap();
        assert_shown(CHAPTER, whoami_line(client).as_bytes());
    }
}

mod step3 {
    use super::{assert_shown, assert_shows_texts};
    use solutions::step3::{parse_url, request_for};

    const CHAPTER: &str = "step3-http-client.md";

    #[test]
    fn the_chapter_shows_the_requests_the_client_sends() {
        for url in ["http://127.0.0.1:8000/index.html", "http://example.com/"] {
            assert_shown(CHAPTER, &request_for(&parse_url(url).unwrap()));
        }
    }

    #[test]
    fn the_chapter_parses_urls_as_the_reference_does() {
        let examples = [
            "http://127.0.0.1:8000/index.html?lang=en",
            "http://example.com",
            "http://example.com?q=rust",
            "http://example.com/docs/#intro",
        ];
        let rows = examples.map(|example| {
            let url = parse_url(example).unwrap();
            format!(
                "| `{example}` | `{}` | {} | `{}` |",
                url.host, url.port, url.target
            )
        });
        assert_shows_texts(CHAPTER, rows);
    }

    #[test]
    fn the_chapter_shows_the_reference_error_messages() {
        let examples = [
            "example.com",
            "https://example.com/",
            "http:///index.html",
            "http://localhost:99999/",
            "http://example.com/my page.html",
        ];
        let rows = examples.map(|example| {
            let error = parse_url(example).unwrap_err();
            format!("| `{example}` | `{error:?}` | {error} |")
        });
        assert_shows_texts(CHAPTER, rows);
        let refused = parse_url("https://example.com/").unwrap_err();
        let shown = format!("invalid URL \"https://example.com/\": {refused}\n");
        assert_shows_texts(CHAPTER, [shown]);
    }
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

mod step7 {
    use super::{assert_shown, chapter};
    use chrono::{TimeZone, Utc};
    use solutions::step7::{http_date, resolve_uri, response_not_found, response_ok};

    const CHAPTER: &str = "step7-serve-files.md";

    /// The answer the reference's `response_ok` gives for what `uri` names in `webroot/`.
    fn answer_for(uri: &str) -> Vec<u8> {
        let (body, mime_type) = resolve_uri(uri, &labcli::workspace_webroot()).unwrap();
        response_ok(&body, mime_type)
    }

    #[test]
    fn the_chapter_shows_the_head_of_the_answer_for_sample_txt() {
        let answer = answer_for("/sample.txt");
        let head_end = testkit::http::head_length(&answer).unwrap();
        assert_shown(CHAPTER, &answer[..head_end]);
        let length = "the 380 bytes of `webroot/sample.txt`";
        assert_eq!(answer.len() - head_end, 380);
        assert!(chapter(CHAPTER).contains(length));
    }

    #[test]
    fn the_chapter_shows_the_listing_of_images_and_the_404() {
        assert_shown(CHAPTER, &answer_for("/images/"));
        assert_shown(CHAPTER, &response_not_found());
    }

    #[test]
    fn the_chapter_states_the_listing_rule_the_suite_quotes() {
        let rule = "gets its entries, sorted, one a line, a folder's name followed by\n`/`";
        super::assert_shows_texts(CHAPTER, [rule.to_string()]);
    }

    #[test]
    fn the_chapter_shows_a_date_as_http_date_writes_it() {
        let when = Utc.with_ymd_and_hms(1994, 11, 6, 8, 49, 37).unwrap();
        let header = format!("Date: {}\n", http_date(when));
        assert!(
            chapter(CHAPTER).contains(&header),
            "docs/src/{CHAPTER} should show\n{header}"
        );
    }
}
