//! Property tests of the reference's request reading, parsing and path resolution. Whatever
//! arrives from the network, however it is split: `read_request`, `parse_request` and
//! `resolve_uri` never panic, and `resolve_uri` never gives away anything outside the webroot,
//! symlinks included. Each case is a request or URI that proptest makes up, from any bytes
//! and from pieces that reach past the first checks.

use std::collections::VecDeque;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use labcli::serving::MAX_REQUEST_HEAD;
use proptest::prelude::*;
use proptest::test_runner::TestRunner;
use solutions::{step4, step5, step6, step7};
use testkit::TempDir;

/// Bytes that look somewhat like a request: the pieces of request lines and headers, in any
/// order and number, with stray bytes between them.
fn requestish() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        Just(b"GET".to_vec()),
        Just(b"get".to_vec()),
        Just(b"POST".to_vec()),
        Just(b" ".to_vec()),
        Just(b"\t".to_vec()),
        Just(b"/".to_vec()),
        Just(b"/index.html".to_vec()),
        Just(b"HTTP/1.1".to_vec()),
        Just(b"HTTP/".to_vec()),
        Just(b"\r\n".to_vec()),
        Just(b"\r".to_vec()),
        Just(b"\n".to_vec()),
        Just(b"\r\n\r\n".to_vec()),
        Just(b"Host: x".to_vec()),
        Just(b":".to_vec()),
        Just(b"\xe9".to_vec()),
        prop::collection::vec(any::<u8>(), 0..4),
    ];
    prop::collection::vec(piece, 0..16).prop_map(|pieces| pieces.concat())
}

fn any_bytes_or_requestish() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![prop::collection::vec(any::<u8>(), 0..64), requestish()]
}

/// The words of the request line of `request`, if it is text.
fn request_line_words(request: &[u8]) -> Option<Vec<&str>> {
    let end = request
        .windows(2)
        .position(|pair| pair == b"\r\n")
        .unwrap_or(request.len());
    let line = std::str::from_utf8(&request[..end]).ok()?;
    Some(line.split_whitespace().collect())
}

proptest! {
    /// `parse_request` returns a URI only for a request line of three words, `GET`, that URI
    /// and an `HTTP/` protocol; steps 6 and 7 use step 5's function as it is.
    #[test]
    fn parse_request_never_panics_and_returns_only_the_uri_of_a_get(
        request in any_bytes_or_requestish()
    ) {
        let parsed = step5::parse_request(&request);
        if let Ok(uri) = parsed {
            let words = request_line_words(&request).expect("a request line that is text");
            prop_assert_eq!(words.len(), 3);
            prop_assert_eq!(words[0], "GET");
            prop_assert_eq!(words[1], uri);
            prop_assert!(words[2].starts_with("HTTP/"));
        }
        let as_text = |error: &dyn std::fmt::Display| error.to_string();
        let step5 = parsed.map_err(|e| as_text(&e));
        prop_assert_eq!(&step5, &step6::parse_request(&request).map_err(|e| as_text(&e)));
        prop_assert_eq!(&step5, &step7::parse_request(&request).map_err(|e| as_text(&e)));
    }

    /// However the bytes of a request are split across reads, `read_request` returns them up
    /// to the blank line, if it comes within MAX_REQUEST_HEAD bytes, and fails otherwise.
    #[test]
    fn read_request_never_panics_however_the_bytes_arrive(
        bytes in any_bytes_or_requestish(),
        cuts in prop::collection::vec(any::<prop::sample::Index>(), 0..8),
        padding in 0..2 * MAX_REQUEST_HEAD as usize,
    ) {
        // Padding before the request makes some heads too long for the limit.
        let mut sent = vec![b'a'; padding];
        sent.extend_from_slice(&bytes);
        let end = testkit::http::head_length(&sent);
        let within_limit = end.is_some_and(|end| end as u64 <= MAX_REQUEST_HEAD);
        let step4: fn(Pieces) -> io::Result<Vec<u8>> = |client| step4::read_request(client);
        let step7: fn(Pieces) -> io::Result<Vec<u8>> = |client| step7::read_request(client);
        for read_request in [step4, step7] {
            let read = read_request(Pieces::of(&sent, &cuts));
            match &read {
                Ok(request) => {
                    prop_assert!(within_limit, "a head over the limit was read");
                    prop_assert!(sent.starts_with(request));
                    prop_assert!(request.len() >= end.unwrap_or(usize::MAX));
                }
                Err(_) => prop_assert!(!within_limit, "a complete head was refused"),
            }
        }
    }
}

/// `resolve_uri` never panics, whatever the URI.
#[test]
fn resolve_uri_never_panics_on_any_string() {
    let site = Site::new();
    let mut runner = TestRunner::default();
    let outcome = runner.run(&any::<String>(), |uri| {
        let _ = step7::resolve_uri(&uri, &site.webroot);
        Ok(())
    });
    outcome.unwrap();
}

/// Whatever the URI, `resolve_uri` sends only what lies inside the webroot once every symlink
/// is followed: each file's bytes are its own canonical path, which must start with the
/// webroot's, and no folder listing names anything outside.
#[test]
fn resolve_uri_never_leaves_the_webroot() {
    let site = Site::new();
    let mut runner = TestRunner::default();
    let outcome = runner.run(&uri_like(), |uri| {
        if let Ok((body, _)) = step7::resolve_uri(&uri, &site.webroot) {
            let body = String::from_utf8(body).expect("the site holds text only");
            prop_assert!(!body.contains("OUTSIDE"), "{uri:?} gave {body:?}");
            if let Some(path) = body.strip_prefix("file ") {
                prop_assert!(Path::new(path.trim_end()).starts_with(&site.canonical_webroot));
            }
        }
        Ok(())
    });
    outcome.unwrap();
}

/// URIs made of the names in the test site, the ways out of it, and bits of URI syntax.
fn uri_like() -> impl Strategy<Value = String> {
    let segment = prop_oneof![
        Just(""),
        Just("."),
        Just(".."),
        Just("%2e%2e"),
        Just("%2E."),
        Just("..%2F.."),
        Just("%2F"),
        Just("%5C..%5C"),
        Just("%00"),
        Just("C:"),
        Just("%"),
        Just("%zz"),
        Just("?x=1"),
        Just("#top"),
        Just("site"),
        Just("outside"),
        Just("OUTSIDE-secret.txt"),
        Just("page.txt"),
        Just("sub"),
        Just("deeper"),
        Just("link-inside"),
        Just("link-out"),
        Just("link-out-dir"),
        Just("link-up"),
    ];
    let root = prop_oneof![Just("/"), Just(""), Just("//"), Just("http://x/")];
    (root, prop::collection::vec(segment, 0..6))
        .prop_map(|(root, segments)| format!("{root}{}", segments.join("/")))
}

/// A test site: a webroot with files and symlinks, beside a folder that must stay out of
/// reach. Every file holds `file ` and its own canonical path; everything outside the webroot
/// has `OUTSIDE` in its name or bytes.
struct Site {
    webroot: PathBuf,
    canonical_webroot: PathBuf,
    /// Removes the site when the test ends.
    _folder: TempDir,
}

impl Site {
    fn new() -> Site {
        let folder = TempDir::new("properties").unwrap();
        let canonical = |path: &Path| path.canonicalize().unwrap();
        let write_own_path = |relative: &str| {
            let file = folder.write(relative, b"");
            let text = format!("file {}\n", canonical(&file).display());
            std::fs::write(&file, text).unwrap();
        };
        write_own_path("site/page.txt");
        write_own_path("site/sub/page.txt");
        write_own_path("site/sub/deeper/page.txt");
        write_own_path("outside/OUTSIDE-secret.txt");
        let webroot = folder.path().join("site");
        #[cfg(unix)]
        {
            use std::os::unix::fs::symlink;
            symlink("sub/page.txt", webroot.join("link-inside")).unwrap();
            symlink("../outside/OUTSIDE-secret.txt", webroot.join("link-out")).unwrap();
            symlink("../outside", webroot.join("link-out-dir")).unwrap();
            symlink("..", webroot.join("sub/link-up")).unwrap();
        }
        Site {
            canonical_webroot: canonical(&webroot),
            webroot,
            _folder: folder,
        }
    }
}

/// A client as `read_request` sees it: `bytes` cut at the given places, one piece per read,
/// then the end (a read that returns 0).
struct Pieces(VecDeque<Vec<u8>>);

impl Pieces {
    fn of(bytes: &[u8], cuts: &[prop::sample::Index]) -> Pieces {
        let mut at: Vec<usize> = cuts.iter().map(|cut| cut.index(bytes.len() + 1)).collect();
        at.extend([0, bytes.len()]);
        at.sort_unstable();
        at.dedup();
        let pieces = at.windows(2).map(|pair| bytes[pair[0]..pair[1]].to_vec());
        Pieces(pieces.collect())
    }
}

impl Read for Pieces {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        let Some(piece) = self.0.front_mut() else {
            return Ok(0);
        };
        let n = piece.len().min(buffer.len());
        buffer[..n].copy_from_slice(&piece[..n]);
        piece.drain(..n);
        if piece.is_empty() {
            self.0.pop_front();
        }
        Ok(n)
    }
}
