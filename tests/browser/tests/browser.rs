//! The browser helper's own tests, which need no web server of the workbook: a page served by
//! a testkit `Fixture` (one scripted answer), and a page that never loads. The tests that load
//! the sample site from the step 7 server live with the reference, in
//! `solutions/tests/browser.rs`.
//!
//! Browser tests are ignored by a plain `cargo test`; run them with
//! `cargo test -p browser -- --include-ignored` (Chromium must be installed).

use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::thread;
use std::time::{Duration, Instant};

use browser::{Browser, WINDOW};
use testkit::{Fixture, ReadUntil};

/// A small page whose body is one block of a colour nothing else on screen has.
const PAGE: &str = "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>fixture</title>\
                    </head><body style=\"margin:0;background:#fff\"><p>caf\u{e9} \u{2192} ok</p>\
                    <div style=\"width:200px;height:100px;background:#3366cc\"></div></body></html>";

/// A fixture that answers one request with [`PAGE`].
fn page_fixture() -> Fixture {
    let head = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n",
        PAGE.len()
    );
    Fixture::start(ReadUntil::BlankLine, &[head.as_bytes(), PAGE.as_bytes()])
}

/// Every test here needs Chromium: `cargo xtask verify` leaves this module out on a machine
/// without it, and never in CI.
mod in_browser {
    use super::*;

    #[test]
    #[ignore = "browser test: needs Chromium; run with --include-ignored (cargo xtask verify does)"]
    fn dump_dom_gives_the_page_as_chromium_built_it() {
        let fixture = page_fixture();
        let dom = browser::dump_dom(&fixture.url("/page.html"));
        assert!(dom.contains("<title>fixture</title>"), "{dom}");
        assert!(dom.contains("caf\u{e9} \u{2192} ok"), "{dom}");
        let request = String::from_utf8_lossy(&fixture.received()).into_owned();
        assert!(
            request.starts_with("GET /page.html HTTP/1.1\r\n"),
            "{request}"
        );
    }

    #[test]
    #[ignore = "browser test: needs Chromium; run with --include-ignored (cargo xtask verify does)"]
    fn a_screenshot_has_the_window_s_size_and_the_page_s_colours() {
        let fixture = page_fixture();
        let file = Path::new(env!("CARGO_TARGET_TMPDIR")).join("fixture-page.png");
        let image = browser::screenshot(&fixture.url("/"), &file, WINDOW);
        assert_eq!((image.width, image.height), WINDOW);
        let blue = image.count_near([0x33, 0x66, 0xcc], 2);
        assert!(
            (19_000..=21_000).contains(&blue),
            "{blue} pixels of the 200x100 block"
        );
    }

    #[test]
    #[ignore = "browser test: needs Chromium; run with --include-ignored (cargo xtask verify does)"]
    fn a_page_that_never_loads_is_cut_off_and_chromium_is_killed() {
        // A server that accepts connections and never answers: the page never finishes loading.
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        thread::spawn(move || {
            let held: Vec<TcpStream> = listener.incoming().map_while(Result::ok).collect();
            drop(held);
        });
        let started = Instant::now();
        let limit = Duration::from_secs(3);
        let error = Browser::new()
            .deadline(limit)
            .dump_dom(&format!("http://{addr}/"))
            .expect_err("a page that never loads cannot give a DOM");
        let took = started.elapsed();
        assert!(error.contains("did not finish within 3s"), "{error}");
        assert!(took < limit + Duration::from_secs(3), "took {took:?}");
        // Nothing is left of that run: its profile folder (named in the error) is gone, and no
        // process runs with it.
        let profile = error
            .split_whitespace()
            .find_map(|word| word.strip_prefix("--user-data-dir="))
            .unwrap_or_else(|| panic!("the error names the profile: {error}"));
        assert!(!Path::new(profile).exists(), "{profile} is left behind");
        #[cfg(target_os = "linux")]
        {
            let left = processes_mentioning(profile);
            assert!(left.is_empty(), "Chromium processes left behind: {left:?}");
        }
    }

    /// The ids of the processes that have `text` in their command line.
    #[cfg(target_os = "linux")]
    fn processes_mentioning(text: &str) -> Vec<String> {
        let mut found = Vec::new();
        for entry in std::fs::read_dir("/proc").unwrap().map_while(Result::ok) {
            let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) else {
                continue;
            };
            if String::from_utf8_lossy(&cmdline).contains(text) {
                found.push(entry.file_name().to_string_lossy().into_owned());
            }
        }
        found
    }
}
