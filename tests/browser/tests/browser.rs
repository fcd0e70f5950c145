//! The browser helper against a real page: `webroot/a_web_page.html` and its pictures, served
//! over HTTP by a tiny server in this file (step 7's server is what students write).
//!
//! Browser tests are ignored by a plain `cargo test`; run them with
//! `cargo test -p browser -- --include-ignored` (Chromium must be installed).
//! The screenshot is saved in cargo's temporary folder for tests; copy it to
//! `docs/src/images/step7-browser.png` to refresh the book's picture.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use browser::{Browser, Image, TempDir, WINDOW};
use testkit::DEADLINE;

/// Colours that only the pictures have (see `tools/make-images.py`): the teal and orange
/// arrows of the PNG drawing, and the dark hills of the JPEG sunset.
const TEAL: [u8; 3] = [0x00, 0x89, 0x7b];
const ORANGE: [u8; 3] = [0xf5, 0x7c, 0x00];
const HILLS: [u8; 3] = [32, 24, 46];

fn webroot() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../webroot")
}

/// Serves the files of `webroot/`, plus `extra` pages held in memory, to any number of
/// connections until the test ends; records the paths it was asked for.
struct Site {
    addr: SocketAddr,
    asked: Arc<Mutex<Vec<String>>>,
}

impl Site {
    fn start(extra: &[(&'static str, &'static str)]) -> Site {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the test site to port 0");
        let addr = listener.local_addr().expect("the test site's address");
        let asked = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&asked);
        let extra = extra.to_vec();
        thread::spawn(move || {
            for stream in listener.incoming().map_while(Result::ok) {
                let (log, extra) = (Arc::clone(&log), extra.clone());
                thread::spawn(move || answer(stream, &log, &extra));
            }
        });
        Site { addr, asked }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    fn asked(&self) -> Vec<String> {
        self.asked.lock().unwrap().clone()
    }
}

fn answer(mut stream: TcpStream, log: &Mutex<Vec<String>>, extra: &[(&str, &str)]) {
    stream.set_read_timeout(Some(DEADLINE)).unwrap();
    let mut request = Vec::new();
    let mut buffer = [0; 4096];
    while !request.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buffer) {
            Ok(n @ 1..) => request.extend_from_slice(&buffer[..n]),
            _ => return,
        }
    }
    let line = String::from_utf8_lossy(&request);
    let path = line.split(' ').nth(1).unwrap_or("/").to_string();
    log.lock().unwrap().push(path.clone());
    let found = match extra.iter().find(|(p, _)| *p == path) {
        Some((_, page)) => Some(page.as_bytes().to_vec()),
        None if !path.contains("..") => std::fs::read(webroot().join(&path[1..])).ok(),
        None => None,
    };
    let (status, body) = match found {
        Some(body) => ("200 OK", body),
        None => ("404 Not Found", b"not found".to_vec()),
    };
    let kind = match path.rsplit('.').next() {
        Some("html") => "text/html",
        Some("png") => "image/png",
        Some("jpg") => "image/jpeg",
        _ => "text/plain",
    };
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(&body);
}

fn shot(site: &Site, path: &str, name: &str) -> Image {
    let file = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    browser::screenshot(&site.url(path), &file, WINDOW)
}

#[test]
#[ignore = "browser test: needs Chromium; run with --include-ignored (cargo xtask verify does)"]
fn the_dom_holds_the_page_s_title_and_text() {
    let site = Site::start(&[]);
    let dom = browser::dump_dom(&site.url("/a_web_page.html"));
    assert!(
        dom.contains("<title>Step 7: a page from your own server</title>"),
        "{dom}"
    );
    assert!(dom.contains("Served by the server you wrote"), "{dom}");
    // The page says it is UTF-8, so the arrow arrives as one character, not three.
    assert!(dom.contains("request → response"), "{dom}");
}

#[test]
#[ignore = "browser test: needs Chromium; run with --include-ignored (cargo xtask verify does)"]
fn a_screenshot_shows_the_page_and_both_pictures() {
    let site = Site::start(&[]);
    let image = shot(&site, "/a_web_page.html", "step7-browser.png");
    assert_eq!((image.width, image.height), WINDOW);
    let asked = site.asked();
    for picture in ["/images/request-response.png", "/images/sunset.jpg"] {
        assert!(
            asked.iter().any(|p| p == picture),
            "never asked for {picture}: {asked:?}"
        );
    }
    let teal = image.count_near(TEAL, 8);
    let orange = image.count_near(ORANGE, 8);
    let hills = image.count_near(HILLS, 12);
    // In an 800x600 window the drawing shows about 3,000 pixels of each colour, the hills 2,000.
    assert!(
        teal > 1000 && orange > 1000,
        "teal {teal}, orange {orange}: is the PNG shown?"
    );
    assert!(
        hills > 300,
        "{hills} pixels of the hills' colour: is the JPEG shown?"
    );
    let white = image.count_near([255, 255, 255], 0);
    assert!(
        white > 300_000,
        "only {white} white pixels: is the page's background shown?"
    );
}

#[test]
#[ignore = "browser test: needs Chromium; run with --include-ignored (cargo xtask verify does)"]
fn a_missing_picture_is_told_apart_from_a_shown_one() {
    let broken = r#"<!DOCTYPE html><html><head><meta charset="utf-8"><title>broken</title>
        </head><body><p>A picture that is not there:</p>
        <img src="/images/no-such-picture.png" width="480" height="104" alt="missing"></body></html>"#;
    let site = Site::start(&[("/broken.html", broken)]);
    let image = shot(&site, "/broken.html", "broken-picture.png");
    assert!(
        site.asked()
            .iter()
            .any(|p| p == "/images/no-such-picture.png")
    );
    assert_eq!(image.count_near(TEAL, 8), 0);
    assert_eq!(image.count_near(ORANGE, 8), 0);
    // And the DOM cannot tell: the element is there either way.
    let dom = browser::dump_dom(&site.url("/broken.html"));
    assert!(dom.contains("no-such-picture.png"), "{dom}");
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

#[test]
fn temporary_folders_are_new_and_removed_on_drop() {
    let first = TempDir::new("testkit-tempdir").unwrap();
    let second = TempDir::new("testkit-tempdir").unwrap();
    assert_ne!(first.path(), second.path());
    std::fs::write(first.path().join("file"), b"x").unwrap();
    let kept = first.path().to_path_buf();
    drop(first);
    assert!(!kept.exists());
}
