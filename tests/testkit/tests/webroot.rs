//! The sample site, `webroot/`, is what step 7's suite and the book expect: every file the
//! page links to is there (and only those), the pictures are valid, `make_time` runs.

use std::path::{Path, PathBuf};

use browser::Image;

fn webroot() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../webroot")
}

/// Every file of the site, as paths relative to `webroot/` with `/` between folders.
fn files(dir: &Path, prefix: &str, into: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).expect("webroot/ is a folder") {
        let entry = entry.unwrap();
        let name = format!("{prefix}{}", entry.file_name().to_string_lossy());
        if entry.file_type().unwrap().is_dir() {
            files(&entry.path(), &format!("{name}/"), into);
        } else {
            into.push(name);
        }
    }
}

#[test]
fn the_site_holds_exactly_its_files() {
    let mut found = Vec::new();
    files(&webroot(), "", &mut found);
    found.sort();
    assert_eq!(
        found,
        [
            "a_web_page.html",
            "images/icons/server.png",
            "images/request-response.png",
            "images/sunset.jpg",
            "make_time",
            "sample.txt",
        ],
        "webroot/ is site content only: a new file there shows in its listing and in tests"
    );
}

#[test]
fn every_link_of_the_page_leads_to_a_file_or_folder_except_the_missing_one() {
    let page = std::fs::read_to_string(webroot().join("a_web_page.html")).unwrap();
    let targets: Vec<&str> = page
        .split(['"', '\''])
        .collect::<Vec<_>>()
        .windows(2)
        .filter(|w| w[0].ends_with("href=") || w[0].ends_with("src="))
        .map(|w| w[1])
        .collect();
    assert!(targets.len() >= 8, "{targets:?}");
    for target in targets {
        assert!(
            !target.starts_with('/') && !target.contains(':'),
            "{target}: links are relative, so the page works on any host and port"
        );
        let exists = webroot().join(target).exists();
        if target == "no_such_page.html" {
            assert!(!exists, "the page's example of a 404 must not exist");
        } else {
            assert!(
                exists,
                "the page links to {target}, which is not in webroot/"
            );
        }
    }
}

#[test]
fn the_page_is_utf8_html5_with_a_title() {
    let page = std::fs::read_to_string(webroot().join("a_web_page.html")).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>\n"));
    assert!(page.contains("<meta charset=\"utf-8\">"));
    assert!(page.contains("<title>Step 7: a page from your own server</title>"));
}

#[test]
fn the_pngs_decode_to_their_drawings() {
    let drawing = Image::read(&webroot().join("images/request-response.png")).unwrap();
    assert_eq!((drawing.width, drawing.height), (480, 104));
    assert_eq!(drawing.pixel(0, 0), [255, 255, 255, 255]);
    let teal = drawing.count_near([0x00, 0x89, 0x7b], 0);
    assert!(teal > 1000, "{teal} pixels of the arrows' teal");
    let icon = Image::read(&webroot().join("images/icons/server.png")).unwrap();
    assert_eq!((icon.width, icon.height), (32, 32));
    assert_eq!(icon.pixel(0, 0)[3], 0, "the icon's corner is transparent");
    assert_eq!(icon.pixel(16, 16)[3], 255, "the icon's middle is opaque");
}

#[test]
fn the_jpeg_is_a_baseline_jpeg_of_320_by_200() {
    let jpeg = std::fs::read(webroot().join("images/sunset.jpg")).unwrap();
    assert!(jpeg.starts_with(&[0xFF, 0xD8]) && jpeg.ends_with(&[0xFF, 0xD9]));
    // Walk the segments up to the frame header (SOF0): its height and width.
    let mut at = 2;
    let frame = loop {
        assert_eq!(jpeg[at], 0xFF, "a segment starts at byte {at}");
        let (marker, length) = (
            jpeg[at + 1],
            u16::from_be_bytes([jpeg[at + 2], jpeg[at + 3]]),
        );
        if marker == 0xC0 {
            break &jpeg[at + 4..at + 2 + usize::from(length)];
        }
        at += 2 + usize::from(length);
    };
    let height = u16::from_be_bytes([frame[1], frame[2]]);
    let width = u16::from_be_bytes([frame[3], frame[4]]);
    assert_eq!((width, height), (320, 200));
    assert!(
        jpeg.len() < 16 * 1024,
        "keep the site small: {} bytes",
        jpeg.len()
    );
}

#[cfg(unix)]
#[test]
fn make_time_is_an_executable_that_prints_a_page_with_the_utc_time() {
    use std::os::unix::fs::PermissionsExt;
    let program = webroot().join("make_time");
    let mode = std::fs::metadata(&program).unwrap().permissions().mode();
    assert_ne!(
        mode & 0o111,
        0,
        "make_time must be executable (git keeps the x bit)"
    );
    let output = std::process::Command::new(&program)
        .current_dir(std::env::temp_dir()) // it must not depend on where it runs
        .output()
        .expect("run webroot/make_time");
    assert!(output.status.success(), "{output:?}");
    let page = String::from_utf8(output.stdout).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>"), "{page}");
    let stamp = page.split("datetime=\"").nth(1).unwrap_or_default();
    assert!(
        stamp.len() > 20 && stamp.as_bytes()[19] == b'Z',
        "a UTC time like 2030-01-01T12:00:00Z: {page}"
    );
}
