//! The reference servers as a person sees them: headless Chromium loads pages from the step 7
//! file server (`solutions step7`) and from step 4's canned server, and the tests check the
//! DOM it built and the pixels it drew.
//!
//! Browser tests are ignored by a plain `cargo test`; `cargo xtask verify` runs them with
//! `--include-ignored` (Chromium must be installed; see the `browser` package). The screenshot
//! of the sample page is saved in cargo's temporary folder for tests: copy it to
//! `docs/src/images/step7-browser.png` to refresh the book's picture.

use std::path::Path;
use std::process::Command;

use browser::{Image, TempDir, WINDOW};
use testkit::{ChildServer, Target};

/// Colours that only the pictures have (see `tools/make-images.py`): the teal and orange
/// arrows of the PNG drawing, and the dark hills of the JPEG sunset.
const TEAL: [u8; 3] = [0x00, 0x89, 0x7b];
const ORANGE: [u8; 3] = [0xf5, 0x7c, 0x00];
const HILLS: [u8; 3] = [32, 24, 46];

/// The reference program of `step`, listening on a free port, with `args` after `--port 0`.
fn reference_server(step: &str, args: &[&Path]) -> ChildServer {
    let mut command = Command::new(env!("CARGO_BIN_EXE_solutions"));
    command.args([step, "--port", "0"]).args(args);
    ChildServer::start(command)
}

fn url(server: &ChildServer, path: &str) -> String {
    format!("http://{}{path}", server.addr())
}

fn shot(server: &ChildServer, path: &str, name: &str) -> Image {
    let file = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    browser::screenshot(&url(server, path), &file, WINDOW)
}

/// Every test here needs Chromium: `cargo xtask verify` leaves this module out on a machine
/// without it, and never in CI.
mod in_browser {
    use super::*;

    #[test]
    #[ignore = "browser test: needs Chromium; run with --include-ignored (cargo xtask verify does)"]
    fn the_sample_page_from_the_step_7_server_has_its_title_and_text() {
        let server = reference_server("step7", &[]);
        let dom = browser::dump_dom(&url(&server, "/a_web_page.html"));
        assert!(
            dom.contains("<title>Step 7: a page from your own server</title>"),
            "{dom}"
        );
        assert!(dom.contains("Served by the server you wrote"), "{dom}");
        // Sent as text/html and declared UTF-8 by the page, the arrow arrives as one character.
        assert!(dom.contains("request → response"), "{dom}");
    }

    #[test]
    #[ignore = "browser test: needs Chromium; run with --include-ignored (cargo xtask verify does)"]
    fn the_sample_page_from_the_step_7_server_shows_both_pictures() {
        let server = reference_server("step7", &[]);
        let image = shot(&server, "/a_web_page.html", "step7-browser.png");
        assert_eq!((image.width, image.height), WINDOW);
        let teal = image.count_near(TEAL, 8);
        let orange = image.count_near(ORANGE, 8);
        let hills = image.count_near(HILLS, 12);
        // In an 800x600 window the drawing shows about 3,000 pixels of each colour, the hills 2,000.
        assert!(
            teal > 1000 && orange > 1000,
            "teal {teal}, orange {orange}: is the PNG shown (sent whole, as image/png)?"
        );
        assert!(
            hills > 300,
            "{hills} pixels of the hills' colour: is the JPEG shown (sent whole, as image/jpeg)?"
        );
        let white = image.count_near([255, 255, 255], 0);
        assert!(
            white > 300_000,
            "only {white} white pixels: is the page's background shown?"
        );
    }

    #[test]
    #[ignore = "browser test: needs Chromium; run with --include-ignored (cargo xtask verify does)"]
    fn a_missing_picture_draws_nothing_though_the_dom_still_holds_it() {
        // The pixel checks above mean something only if a picture that did not arrive (a 404)
        // leaves no trace of its colours.
        let site = TempDir::new("browser-broken-page").unwrap();
        let page = "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>broken</title>\
                    </head><body><p>A picture that is not there:</p>\
                    <img src=\"/images/no-such-picture.png\" width=\"480\" height=\"104\" \
                    alt=\"missing\"></body></html>";
        std::fs::write(site.path().join("broken.html"), page).unwrap();
        let server = reference_server("step7", &[Path::new("--webroot"), site.path()]);
        let image = shot(&server, "/broken.html", "broken-picture.png");
        assert_eq!(image.count_near(TEAL, 8), 0);
        assert_eq!(image.count_near(ORANGE, 8), 0);
        let dom = browser::dump_dom(&url(&server, "/broken.html"));
        assert!(dom.contains("no-such-picture.png"), "{dom}");
    }

    #[test]
    #[ignore = "browser test: needs Chromium; run with --include-ignored (cargo xtask verify does)"]
    fn a_browser_gets_a_folder_as_a_page_of_links_from_the_step_7_server() {
        let server = reference_server("step7", &[]);
        let dom = browser::dump_dom(&url(&server, "/images/"));
        assert!(dom.contains("<title>Index of /images/</title>"), "{dom}");
        assert!(
            dom.contains("<a href=\"/images/sunset.jpg\">sunset.jpg</a>"),
            "{dom}"
        );
    }

    #[cfg(unix)]
    #[test]
    #[ignore = "browser test: needs Chromium; run with --include-ignored (cargo xtask verify does)"]
    fn make_time_shows_the_time_in_a_browser() {
        let server = reference_server("step7", &[]);
        let dom = browser::dump_dom(&url(&server, "/make_time"));
        assert!(dom.contains("<h1>The time on the server</h1>"), "{dom}");
        assert!(!dom.contains("#!/bin/sh"), "the source was sent: {dom}");
    }

    #[test]
    #[ignore = "browser test: needs Chromium; run with --include-ignored (cargo xtask verify does)"]
    fn the_step_4_server_s_canned_text_shows_in_a_browser() {
        let server = reference_server("step4", &[]);
        let dom = browser::dump_dom(&url(&server, "/"));
        assert!(dom.contains("Hello from your Rust web server!"), "{dom}");
    }
}
