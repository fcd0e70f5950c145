//! Step 7 suite, part 1: the server answers a GET with what its URI names under the webroot: a
//! file's exact bytes and MIME type, a folder's listing, or `404 Not Found`; and never anything
//! from outside the webroot, however the URI is written (docs chapter "Step 7: serving files").
//!
//! Holds from step 7 on. Part 2 (`step7_closes.rs`) checks that `response_ok` and
//! `response_not_found` say `Connection: close`; it ends at step 8. The host brings the lab's `resolve_uri`, `ResolveError`, `response_ok`,
//! `response_not_found`, `serve`, `serve_webroot` and `program()` into scope. The tests use the
//! workbook's `webroot/`, whose files `tests/testkit/tests/webroot.rs` pins, and temporary web roots
//! made for one test.

use super::*;
use std::path::{Path, PathBuf};
use testkit::guard::catch;
use testkit::http::{self, Response};
use testkit::{ChildServer, Exchange, Server, Target, TempDir, assert_bytes_eq, visible};

const HINT: &str = "docs chapter \"Step 7: serving files\"";

const WELL_FORMED: &str = "a status line, headers, each line ending with \\r\\n, a blank line, \
                           then the body (docs chapter \"Step 7: serving files\")";

/// The workbook's sample site, as the server finds it (a path with `..` in it: the lab's
/// code must cope with a web root that is not written in its shortest form).
fn webroot() -> PathBuf {
    labcli::workspace_webroot()
}

/// The bytes of `relative` under the workbook's web root.
fn site_file(relative: &str) -> Vec<u8> {
    let path = webroot().join(relative);
    std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// The workspace's `Cargo.toml`, just outside the web root: what a path traversal would steal.
fn outside_file() -> Vec<u8> {
    site_file("../Cargo.toml")
}

/// A fresh web root for one test.
fn temporary_webroot() -> TempDir {
    TempDir::new("step7-webroot").unwrap_or_else(|e| panic!("{e}"))
}

/// `resolve_uri(uri, webroot)`, with a panic turned into a failure that says what to do.
#[track_caller]
fn resolve(uri: &str, webroot: &Path) -> Result<(Vec<u8>, &'static str), ResolveError> {
    catch(|| resolve_uri(uri, webroot)).unwrap_or_else(|message| {
        if message.starts_with("not yet implemented") {
            panic!("{message}");
        }
        panic!(
            "resolve_uri({uri:?}, ...) panicked: {message}\nhint: a URI comes from the network \
             and can be anything: return Err(ResolveError::NotFound) instead of panicking \
             ({HINT})"
        )
    })
}

/// Checks that `resolve_uri(uri, webroot)` gives `body` as `mime_type`.
#[track_caller]
fn assert_resolves(uri: &str, webroot: &Path, body: &[u8], mime_type: &str, hint: &str) {
    match resolve(uri, webroot) {
        Ok((got, got_type)) => {
            assert_bytes_eq(
                &got,
                body,
                &format!("resolve_uri({uri:?}) gave the wrong body: {hint} ({HINT})"),
            );
            // Parameters (`; charset=utf-8`) may follow the type.
            let got_media = got_type.split(';').next().unwrap_or_default().trim();
            assert!(
                got_media.eq_ignore_ascii_case(mime_type),
                "resolve_uri({uri:?}) gave the MIME type {got_type:?}, not {mime_type:?}.\n\
                 hint: {hint} ({HINT})"
            );
        }
        Err(error) => panic!(
            "resolve_uri({uri:?}) returned Err({error:?}), but it names something in {}.\n\
             hint: {hint}; if every URI is refused, look at the containment check: compare the \
             canonical path with the canonical web root (`canonicalize` both) ({HINT})",
            webroot.display()
        ),
    }
}

/// Checks that `resolve_uri(uri, webroot)` is `Err(ResolveError::NotFound)`, and that it
/// never hands out `secret`, the file a bad URI aims at.
#[track_caller]
fn assert_not_found(uri: &str, webroot: &Path, secret: Option<&[u8]>, hint: &str) {
    match resolve(uri, webroot) {
        Err(ResolveError::NotFound) => {}
        Ok((body, _)) if secret.is_some_and(|secret| body == secret) => panic!(
            "resolve_uri({uri:?}) gave a file from OUTSIDE the web root: anyone could read \
             any file of the computer this way.\nhint: {hint} ({HINT})"
        ),
        Ok((body, mime_type)) => panic!(
            "resolve_uri({uri:?}) returned Ok with {} bytes of {mime_type}:\n{}\nbut it should \
             return Err(ResolveError::NotFound).\nhint: {hint} ({HINT})",
            body.len(),
            visible(&body)
        ),
        Err(other) => panic!(
            "resolve_uri({uri:?}) returned Err({other:?}), but it should return \
             Err(ResolveError::NotFound).\nhint: {hint} ({HINT})"
        ),
    }
}

/// The server's answer to a GET for `uri` (which the test sends as it is, escapes and all),
/// which must be a well-formed response.
fn get(server: &impl Target, uri: &str, hint: &str) -> Response {
    let raw = Exchange::send(&http::request("GET", uri))
        .http_answer()
        .hint(&format!("hint: {hint} ({HINT})"))
        .with(server);
    Response::expect(&raw, WELL_FORMED)
}

#[track_caller]
fn assert_status(response: &Response, status_line: &str, uri: &str, hint: &str) {
    assert_eq!(
        response.status_line,
        status_line,
        "the answer to GET {uri} has the wrong status line; its body:\n{}\nhint: {hint} \
         ({HINT})",
        visible(&response.body)
    );
}

#[test]
fn response_ok_sends_the_body_it_is_given_with_its_mime_type() {
    // A body that is not text: the first bytes of a PNG, with a NUL and a \r\n\r\n inside.
    let body: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\r\n\r\n\xff\xd8 end";
    let response = Response::expect(&response_ok(body, "image/png"), WELL_FORMED);
    assert_eq!(response.status_line, "HTTP/1.1 200 OK", "hint: {HINT}");
    assert_eq!(
        response.media_type().as_deref(),
        Some("image/png"),
        "hint: the header `Content-Type: {{mime_type}}` tells the client what the body is: a \
         picture here, not text ({HINT})"
    );
    assert_bytes_eq(
        &response.body,
        body,
        &format!(
            "after the blank line, send `body` itself, every byte: it may be a picture, not \
             text ({HINT})"
        ),
    );
}

#[test]
fn response_not_found_is_a_404_with_a_short_text_and_its_length() {
    let response = Response::expect(&response_not_found(), WELL_FORMED);
    assert_eq!(
        response.status_line, "HTTP/1.1 404 Not Found",
        "hint: the status line is the protocol, the code 404 and its reason phrase ({HINT})"
    );
    assert!(
        !response.body.is_empty() && response.header("Content-Length").is_some(),
        "hint: give the 404 a short text body, such as `Not Found`, for the person who sees \
         it in a browser, and its `Content-Length` ({HINT})"
    );
}

#[test]
fn resolve_uri_gives_a_file_s_exact_bytes_and_its_mime_type() {
    let hint = "a file's body is its bytes, all of them; its MIME type comes from its \
                extension, which the mime_guess crate knows (`cargo xtask hint 7` has more)";
    for (file, mime_type) in [
        ("sample.txt", "text/plain"),
        ("a_web_page.html", "text/html"),
        ("images/sunset.jpg", "image/jpeg"),
        ("images/request-response.png", "image/png"),
        ("images/icons/server.png", "image/png"),
    ] {
        let uri = format!("/{file}");
        assert_resolves(&uri, &webroot(), &site_file(file), mime_type, hint);
    }
}

#[test]
fn resolve_uri_calls_a_file_of_unknown_type_application_octet_stream() {
    let site = temporary_webroot();
    site.write("README", b"no extension\n");
    site.write("data.qqq", b"\x00\x01\x02");
    let hint = "when mime_guess knows no type, the type is `application/octet-stream`: some \
                bytes, the client decides what to do with them";
    let octets = "application/octet-stream";
    assert_resolves("/README", site.path(), b"no extension\n", octets, hint);
    assert_resolves("/data.qqq", site.path(), b"\x00\x01\x02", octets, hint);
}

#[test]
fn resolve_uri_lists_a_folder_sorted_one_name_a_line_with_a_slash_after_folders() {
    // The book's rule, word for word (a test of the book keeps it saying so).
    let hint = "the book's rule: a folder \"gets its entries, sorted, one a line, a folder's \
                name followed by `/`\" (each line ends with \\n); its type is text/plain";
    let root = b"a_web_page.html\nimages/\nmake_time\nsample.txt\n";
    assert_resolves("/", &webroot(), root, "text/plain", hint);
    let images = b"icons/\nrequest-response.png\nsunset.jpg\n";
    for uri in ["/images/", "/images"] {
        assert_resolves(uri, &webroot(), images, "text/plain", hint);
    }
    assert_resolves(
        "/images/icons/",
        &webroot(),
        b"server.png\n",
        "text/plain",
        hint,
    );
}

#[test]
fn resolve_uri_leaves_out_the_query_string_and_the_fragment() {
    let hint = "the query (`?...`) and the fragment (`#...`) are not part of a file's name: cut \
                the URI at the first `?` or `#`";
    let sample = site_file("sample.txt");
    for uri in [
        "/sample.txt?lang=en",
        "/sample.txt#top",
        "/sample.txt?a=1#b",
    ] {
        assert_resolves(uri, &webroot(), &sample, "text/plain", hint);
    }
}

#[test]
fn resolve_uri_decodes_percent_escapes_in_each_segment() {
    let site = temporary_webroot();
    site.write("my page.html", b"<p>spaces</p>");
    site.write("caf\u{e9}/menu.txt", b"tea\n");
    let hint = "a URI writes some characters as `%` and two hex digits (a space is %20): \
                decode each segment with `percent_decode` before looking for the file";
    assert_resolves(
        "/my%20page.html",
        site.path(),
        b"<p>spaces</p>",
        "text/html",
        hint,
    );
    assert_resolves(
        "/caf%C3%A9/menu.txt",
        site.path(),
        b"tea\n",
        "text/plain",
        hint,
    );
    let sample = site_file("sample.txt");
    assert_resolves("/sample%2Etxt", &webroot(), &sample, "text/plain", hint);
}

#[test]
fn resolve_uri_says_not_found_for_what_is_not_there() {
    let hint = "a path that names nothing is Err(ResolveError::NotFound); `?` turns the \
                io::Error of a missing file into it";
    for uri in [
        "/no_such_page.html",
        "/images/nothing.png",
        "/nothing/",
        "/sample.txt/more",
        "/%zz",
        "*",
    ] {
        assert_not_found(uri, &webroot(), None, hint);
    }
}

#[test]
fn resolve_uri_refuses_dot_dot_however_it_is_written() {
    let hint = "`..` climbs out of the web root: refuse a segment that is `..` once decoded \
                (`%2e%2e` is `..` too), with Err(ResolveError::NotFound)";
    let secret = outside_file();
    for uri in [
        "/../Cargo.toml",
        "/%2e%2e/Cargo.toml",
        "/%2E%2E/Cargo.toml",
        "/.%2e/Cargo.toml",
        "/images/../../Cargo.toml",
        "/images/%2e%2e/%2e%2e/Cargo.toml",
    ] {
        assert_not_found(uri, &webroot(), Some(&secret), hint);
    }
}

#[test]
fn resolve_uri_refuses_encoded_slashes_and_backslashes() {
    let hint = "decode each segment after cutting the path at `/`, then refuse a name that \
                contains `/` (sent as %2F) or `\\` (%5C, a separator on Windows)";
    let secret = outside_file();
    for uri in [
        "/images%2F..%2F..%2FCargo.toml",
        "/..%2FCargo.toml",
        "/..%5CCargo.toml",
        "/images%5C..%5C..%5CCargo.toml",
    ] {
        assert_not_found(uri, &webroot(), Some(&secret), hint);
    }
}

#[test]
fn resolve_uri_refuses_absolute_paths_drive_letters_and_nul() {
    let hint = "pushing an absolute path (`/etc/passwd`, or `C:` on Windows) onto a path \
                replaces it: refuse names with `/`, `:` or NUL, and skip empty segments";
    let passwd = std::fs::read("/etc/passwd").ok();
    for uri in ["//etc/passwd", "/%2Fetc%2Fpasswd", "///etc/passwd"] {
        assert_not_found(uri, &webroot(), passwd.as_deref(), hint);
    }
    for uri in [
        "/C:/Windows/win.ini",
        "/c%3A/Windows/win.ini",
        "/sample.txt%00.html",
        "/%00",
    ] {
        assert_not_found(uri, &webroot(), None, hint);
    }
}

// Unix only, like the next symlink test: making a symlink on Windows needs administrator
// rights or developer mode, so the test could not build its web root there. The code it checks
// (canonical paths compared) is the same on every system.
#[cfg(unix)]
#[test]
fn resolve_uri_does_not_follow_a_symlink_out_of_the_webroot() {
    let place = temporary_webroot();
    let secret = place.write("outside/secret.txt", b"the password is swordfish\n");
    place.write("site/inside.txt", b"inside\n");
    let site = place.path().join("site");
    let outside = place.path().join("outside");
    std::os::unix::fs::symlink(&outside, site.join("escape")).expect("make a symlink");
    std::os::unix::fs::symlink(&secret, site.join("leak.txt")).expect("make a symlink");
    std::os::unix::fs::symlink("inside.txt", site.join("alias.txt")).expect("make a symlink");
    let stolen = b"the password is swordfish\n";
    let hint = "a symlink in the web root may point anywhere: `canonicalize` the path you \
                would send (it follows links) and the web root, and refuse the path unless it \
                `starts_with` the web root";
    for uri in ["/leak.txt", "/escape/secret.txt", "/escape/", "/escape"] {
        assert_not_found(uri, &site, Some(stolen), hint);
    }
    let hint = "a symlink to a file inside the web root is fine: compare canonical paths with \
                canonical paths";
    assert_resolves("/alias.txt", &site, b"inside\n", "text/plain", hint);
}

// Unix only, as the symlink test above.
#[cfg(unix)]
#[test]
fn resolve_uri_knows_a_folder_beside_the_webroot_with_a_longer_name_is_outside() {
    // `/srv/site-old` starts with the text `/srv/site`, but it is not inside `/srv/site`.
    let place = temporary_webroot();
    place.write("site/inside.txt", b"inside\n");
    let secret = place.write("site-old/secret.txt", b"the password is swordfish\n");
    let site = place.path().join("site");
    std::os::unix::fs::symlink(&secret, site.join("old.txt")).expect("make a symlink");
    let hint = "compare paths with `Path::starts_with`, which compares whole folder names: as \
                text, `.../site-old/secret.txt` starts with `.../site` too";
    assert_not_found(
        "/old.txt",
        &site,
        Some(b"the password is swordfish\n"),
        hint,
    );
}

#[test]
fn the_server_sends_each_file_s_exact_bytes_with_its_mime_type() {
    let server = Server::start(serve);
    let hint = "in handle_connection, answer a GET with \
                `response_ok(&body, mime_type)` from `resolve_uri(uri, webroot)`";
    for (file, mime_type) in [
        ("sample.txt", "text/plain"),
        ("a_web_page.html", "text/html"),
        ("images/sunset.jpg", "image/jpeg"),
        ("images/request-response.png", "image/png"),
    ] {
        let uri = format!("/{file}");
        let response = get(&server, &uri, hint);
        assert_status(&response, "HTTP/1.1 200 OK", &uri, hint);
        assert_eq!(
            response.media_type().as_deref(),
            Some(mime_type),
            "the Content-Type of {uri} is wrong\nhint: {hint} ({HINT})"
        );
        assert_bytes_eq(
            &response.body,
            &site_file(file),
            &format!("the body of GET {uri} should be the file's bytes: {hint} ({HINT})"),
        );
    }
}

#[test]
fn the_server_sends_a_folder_s_listing() {
    let server = Server::start(serve);
    let hint = "a GET for a folder gets what resolve_uri gives: its listing, as text/plain";
    let response = get(&server, "/images/", hint);
    assert_status(&response, "HTTP/1.1 200 OK", "/images/", hint);
    assert_bytes_eq(
        &response.body,
        b"icons/\nrequest-response.png\nsunset.jpg\n",
        &format!("{hint} ({HINT})"),
    );
}

#[test]
fn the_server_answers_what_is_not_there_with_404_and_goes_on() {
    let server = Server::start(serve);
    let hint = "answer Err(ResolveError::NotFound) with response_not_found()";
    for uri in ["/no_such_page.html", "/images/nothing.png"] {
        let response = get(&server, uri, hint);
        assert_status(&response, "HTTP/1.1 404 Not Found", uri, hint);
    }
    let hint = "after a 404, go on serving";
    let response = get(&server, "/sample.txt", hint);
    assert_status(&response, "HTTP/1.1 200 OK", "/sample.txt", hint);
}

#[test]
fn the_server_never_sends_a_file_from_outside_the_webroot() {
    let server = Server::start(serve);
    let secret = outside_file();
    let hint = "a URI that would lead out of the web root gets 404, however it is written";
    for uri in [
        "/../Cargo.toml",
        "/%2e%2e/Cargo.toml",
        "/images/../../Cargo.toml",
        "/images%2F..%2F..%2FCargo.toml",
        "/..%5CCargo.toml",
        "//etc/passwd",
    ] {
        let response = get(&server, uri, hint);
        assert!(
            response.body != secret && !visible(&response.body).contains("root:x:0:0"),
            "GET {uri} was answered with a file from OUTSIDE the web root: anyone could read \
             any file of the computer this way.\nhint: {hint} ({HINT})"
        );
        assert_status(&response, "HTTP/1.1 404 Not Found", uri, hint);
    }
}

// Unix only: see `resolve_uri_does_not_follow_a_symlink_out_of_the_webroot`.
#[cfg(unix)]
#[test]
fn the_server_does_not_follow_a_symlink_out_of_the_webroot() {
    let place = temporary_webroot();
    let secret = place.write("outside/secret.txt", b"the password is swordfish\n");
    place.write("site/inside.txt", b"inside\n");
    let site = place.path().join("site");
    std::os::unix::fs::symlink(&secret, site.join("leak.txt")).expect("make a symlink");
    let server = Server::start(move |listener| serve_webroot(listener, &site));
    let hint = "a symlink that leads out of the web root gets 404: check the canonical path";
    let response = get(&server, "/leak.txt", hint);
    assert_status(&response, "HTTP/1.1 404 Not Found", "/leak.txt", hint);
    let response = get(&server, "/inside.txt", "serve the files of the web root");
    assert_bytes_eq(&response.body, b"inside\n", HINT);
}

#[test]
fn the_program_serves_the_folder_given_with_webroot() {
    let site = temporary_webroot();
    site.write("hello.txt", b"Hello from a folder of my own!\n");
    site.write("docs/index.html", b"<h1>docs</h1>\n");
    let mut command = program();
    command.args(["--port", "0", "--webroot"]).arg(site.path());
    let server = ChildServer::start(command);
    let hint = "serve the folder `serve_webroot` is given, not the workbook's webroot/";
    let response = get(&server, "/hello.txt", hint);
    assert_status(&response, "HTTP/1.1 200 OK", "/hello.txt", hint);
    assert_bytes_eq(
        &response.body,
        b"Hello from a folder of my own!\n",
        &format!("{hint} ({HINT})"),
    );
    let response = get(&server, "/", hint);
    assert_bytes_eq(
        &response.body,
        b"docs/\nhello.txt\n",
        &format!("{hint} ({HINT})"),
    );
}
