//! Step 7 suite, the bonus: the lesson's "a few steps further"
//! (docs chapter "Step 7: serving files", section "Bonus").
//! These tests are opt-in: `cargo test -p step7 -- --ignored` runs them. Later labs carry them
//! (in `earlier_steps`), so their ignore reason names no package: `-- --ignored` after the
//! lab's own `cargo test` runs them there.
//!
//! - a browser gets a folder's listing as a page of links, other clients the plain text;
//! - every answer carries a `Date` header (`http_date`);
//! - a failure while serving gets `500 Internal Server Error` (`response_internal_server_error`);
//! - on Unix, a program in the web root (`make_time`) is run, and what it prints is sent.
//!
//! The host brings the lab's `http_date`, `response_internal_server_error`, `serve`,
//! `serve_webroot` and `program()` into scope.

use super::*;
use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use testkit::http::Response;
use testkit::{Exchange, Server, Target, assert_bytes_eq, visible};

const HINT: &str = "docs chapter \"Step 7: serving files\", section \"Bonus\"";

const WELL_FORMED: &str = "a status line, headers, each line ending with \\r\\n, a blank line, \
                           then the body (docs chapter \"Step 7: serving files\")";

/// What a browser sends in its `Accept` header: HTML first, anything at all last.
const BROWSER_ACCEPT: &str = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

/// A GET for `uri` with the header `Accept: {accept}`, and `Connection: close`: the test reads
/// the answer until the server closes.
fn request_accepting(uri: &str, accept: &str) -> Vec<u8> {
    format!(
        "GET {uri} HTTP/1.1\r\nHost: localhost\r\nAccept: {accept}\r\nConnection: close\r\n\r\n"
    )
    .into_bytes()
}

/// The server's answer to `request`, which must be a well-formed response.
fn answer(server: &impl Target, request: &[u8], hint: &str) -> Response {
    let raw = Exchange::send(request)
        .http_answer()
        .hint(&format!("hint: {hint} ({HINT})"))
        .with(server);
    Response::expect(&raw, WELL_FORMED)
}

#[track_caller]
fn assert_status(response: &Response, status_line: &str, hint: &str) {
    assert_eq!(
        response.status_line,
        status_line,
        "the status line is not right; the body:\n{}\nhint: {hint} ({HINT})",
        visible(&response.body)
    );
}

#[test]
#[ignore = "bonus: add -- --ignored to your cargo test to run it"]
fn bonus_a_browser_gets_a_folder_as_a_page_of_links() {
    let server = Server::start(serve);
    let hint = "when the request's Accept header prefers text/html (a browser's does), answer \
                a folder with an HTML page: an <a href=...> for each entry";
    let response = answer(
        &server,
        &request_accepting("/images/", BROWSER_ACCEPT),
        hint,
    );
    assert_status(&response, "HTTP/1.1 200 OK", hint);
    let mime_type = response.media_type().unwrap_or_default();
    assert!(
        mime_type == "text/html",
        "the listing's Content-Type is {mime_type:?}\nhint: {hint} ({HINT})"
    );
    let page = String::from_utf8_lossy(&response.body);
    let links = links(&page, "/images/");
    for name in ["icons/", "request-response.png", "sunset.jpg"] {
        let target = format!("/images/{name}");
        assert!(
            links.contains(&target),
            "the page has no link to {target} (its links lead to {links:?}):\n{page}\n\
             hint: {hint} ({HINT})"
        );
    }
}

/// Where the links of `page`, a page at the path `base` (ending in `/`), lead: each
/// `href="..."` or `href='...'`, relative ones (`icons/`, `./icons/`) resolved from `base`.
fn links(page: &str, base: &str) -> Vec<String> {
    let mut links = Vec::new();
    for (at, _) in page.match_indices("href=") {
        let rest = &page[at + "href=".len()..];
        let Some(quote) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') else {
            continue;
        };
        let Some(value) = rest[1..].split(quote).next() else {
            continue;
        };
        let value = value.strip_prefix("./").unwrap_or(value);
        links.push(if value.starts_with('/') {
            value.to_string()
        } else {
            format!("{base}{value}")
        });
    }
    links
}

#[test]
#[ignore = "bonus: add -- --ignored to your cargo test to run it"]
fn bonus_the_page_of_links_escapes_the_names_it_shows() {
    let site = testkit::TempDir::new("step7-escaped").unwrap_or_else(|e| panic!("{e}"));
    site.write("Tom & Jerry.txt", b"cartoon\n");
    let root = site.path().to_path_buf();
    let server = Server::start(move |listener| serve_webroot(listener, &root));
    let hint = "a name is text, and in HTML `&`, `<`, `>` and quotes mean something: write \
                them as `&amp;`, `&lt;`, `&gt;`, `&quot;` and `&#39;` in the page";
    let response = answer(&server, &request_accepting("/", BROWSER_ACCEPT), hint);
    let page = String::from_utf8_lossy(&response.body);
    assert!(
        page.contains("Tom &amp; Jerry.txt") && !page.contains("Tom & Jerry"),
        "the page shows the name `Tom & Jerry.txt` without escaping its `&`:\n{page}\n\
         hint: {hint} ({HINT})"
    );
}

#[test]
#[ignore = "bonus: add -- --ignored to your cargo test to run it"]
fn bonus_a_client_that_prefers_plain_text_gets_the_plain_listing() {
    let server = Server::start(serve);
    let hint = "the `q` of each media range says how much the client wants it (1 if absent, 0: \
                not at all): answer HTML only when text/html's q is higher than text/plain's, \
                not whenever the header mentions text/html";
    for accept in [
        "text/plain, text/html;q=0.5",
        "text/html;q=0, */*",
        "text/*, text/html;q=0.1",
    ] {
        let response = answer(&server, &request_accepting("/images/", accept), hint);
        assert_eq!(
            response.media_type().as_deref(),
            Some("text/plain"),
            "with `Accept: {accept}`, the listing should be plain text\nhint: {hint} ({HINT})"
        );
        assert_bytes_eq(
            &response.body,
            b"icons/\nrequest-response.png\nsunset.jpg\n",
            &format!("with `Accept: {accept}`, the plain listing: {hint} ({HINT})"),
        );
    }
}

#[test]
#[ignore = "bonus: add -- --ignored to your cargo test to run it"]
fn bonus_the_date_is_read_for_each_answer_not_once() {
    let server = Server::start(serve);
    let hint = "read the clock for each answer, `Utc::now()` in handle_connection, not once \
                when the server starts";
    let date_of = |response: &Response| {
        let date = response.header("Date").unwrap_or_default();
        DateTime::parse_from_rfc2822(date)
            .map(|d| d.timestamp())
            .unwrap_or_else(|error| {
                panic!("`Date: {date}` is not a date ({error}).\nhint: {hint} ({HINT})")
            })
    };
    let request = b"GET /sample.txt HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
    let first = date_of(&answer(&server, request, hint));
    // Dates have whole seconds: wait for the clock to pass the first answer's (a second at
    // most), so that the second answer's Date must be later.
    while Utc::now().timestamp() <= first {
        std::thread::sleep(std::time::Duration::from_millis(10)); // waiting for the clock
    }
    let second = date_of(&answer(&server, request, hint));
    assert!(
        second > first,
        "two answers a second apart have the same Date, {}\nhint: {hint} ({HINT})",
        http_date(Utc.timestamp_opt(first, 0).unwrap())
    );
}

#[test]
#[ignore = "bonus: add -- --ignored to your cargo test to run it"]
fn bonus_a_client_that_accepts_anything_still_gets_the_plain_listing() {
    let server = Server::start(serve);
    let hint = "curl sends `Accept: */*`, which does not prefer HTML: it keeps the text/plain \
                listing, one name a line";
    let response = answer(&server, &request_accepting("/images/", "*/*"), hint);
    assert_status(&response, "HTTP/1.1 200 OK", hint);
    assert_eq!(
        response.media_type().as_deref(),
        Some("text/plain"),
        "hint: {hint} ({HINT})"
    );
    assert_bytes_eq(
        &response.body,
        b"icons/\nrequest-response.png\nsunset.jpg\n",
        &format!("{hint} ({HINT})"),
    );
}

#[test]
#[ignore = "bonus: add -- --ignored to your cargo test to run it"]
fn bonus_http_date_writes_the_imf_fixdate_of_rfc_9110() {
    let hint = "day name, day of the month on two digits, month name, year, time, then GMT: \
                chrono's `format` writes it with the right specifiers (`cargo xtask hint 7 --bonus date`)";
    let examples = [
        ((1994, 11, 6, 8, 49, 37), "Sun, 06 Nov 1994 08:49:37 GMT"),
        ((2030, 1, 1, 0, 0, 5), "Tue, 01 Jan 2030 00:00:05 GMT"),
    ];
    for ((year, month, day, hour, minute, second), want) in examples {
        let when = Utc
            .with_ymd_and_hms(year, month, day, hour, minute, second)
            .unwrap();
        assert_eq!(http_date(when), want, "hint: {hint} ({HINT})");
    }
}

#[test]
#[ignore = "bonus: add -- --ignored to your cargo test to run it"]
fn bonus_every_answer_has_a_date_header_with_the_time_it_was_sent() {
    let server = Server::start(serve);
    let hint = "in handle_connection, add `Date: {http_date(Utc::now())}` right after the \
                status line of every answer, whatever its status";
    let requests: [&[u8]; 4] = [
        b"GET /sample.txt HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
        b"GET /no_such_page.html HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
        b"POST / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
        b"HELLO\r\nConnection: close\r\n\r\n",
    ];
    for request in requests {
        // HTTP dates have whole seconds: allow for the second that was going on before.
        let before = Utc::now() - TimeDelta::seconds(1);
        let response = answer(&server, request, hint);
        let after = Utc::now() + TimeDelta::seconds(1);
        let Some(date) = response.header("Date") else {
            panic!(
                "the answer to\n{}\nhas no Date header.\nhint: {hint} ({HINT})",
                visible(request)
            );
        };
        let sent = DateTime::parse_from_rfc2822(date).unwrap_or_else(|error| {
            panic!("`Date: {date}` is not a date ({error}).\nhint: {hint} ({HINT})")
        });
        assert_eq!(
            date,
            http_date(sent.with_timezone(&Utc)),
            "write the date as http_date does ({HINT})"
        );
        assert!(
            before <= sent.with_timezone(&Utc) && sent.with_timezone(&Utc) <= after,
            "`Date: {date}` is not the time the answer was sent, {}.\nhint: {hint} ({HINT})",
            http_date(Utc::now())
        );
    }
}

#[test]
#[ignore = "bonus: add -- --ignored to your cargo test to run it"]
fn bonus_response_internal_server_error_is_a_500_with_a_short_text() {
    let response = Response::expect(&response_internal_server_error(), WELL_FORMED);
    let hint = "the status line is the protocol, the code 500 and its reason phrase; then a \
                short text body and its Content-Length";
    assert_status(&response, "HTTP/1.1 500 Internal Server Error", hint);
    assert!(
        !response.body.is_empty() && response.header("Content-Length").is_some(),
        "hint: {hint} ({HINT})"
    );
}

/// A web root with an ordinary file and the executable `programs`, each `(name, script)`.
#[cfg(unix)]
fn webroot_with_programs(programs: &[(&str, &str)]) -> testkit::TempDir {
    use std::os::unix::fs::PermissionsExt;
    let site = testkit::TempDir::new("step7-programs").unwrap_or_else(|e| panic!("{e}"));
    site.write("fine.txt", b"fine\n");
    for (name, script) in programs {
        let path = site.write(name, script.as_bytes());
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))
            .expect("make the script executable");
    }
    site
}

#[cfg(unix)]
#[test]
#[ignore = "bonus: add -- --ignored to your cargo test to run it"]
fn bonus_the_server_runs_make_time_and_sends_its_page_as_html() {
    let server = Server::start(serve);
    let hint = "when the path is an executable file (Unix: a permission bit 0o111 is set), run \
                it (std::process::Command) and answer with what it prints, as text/html";
    let response = answer(&server, &request_accepting("/make_time", "*/*"), hint);
    assert_status(&response, "HTTP/1.1 200 OK", hint);
    let page = String::from_utf8_lossy(&response.body);
    assert!(
        !page.starts_with("#!"),
        "the server sent the program itself, not what it prints:\n{page}\nhint: {hint} ({HINT})"
    );
    assert!(
        page.starts_with("<!DOCTYPE html>") && page.contains("<time datetime=\""),
        "this is not the page make_time prints:\n{page}\nhint: {hint} ({HINT})"
    );
    let mime_type = response.media_type().unwrap_or_default();
    assert!(
        mime_type == "text/html",
        "the page's Content-Type is {mime_type:?}\nhint: {hint} ({HINT})"
    );
}

#[cfg(unix)]
#[test]
#[ignore = "bonus: add -- --ignored to your cargo test to run it"]
fn bonus_a_program_that_fails_gets_500_and_the_server_goes_on() {
    let script = "#!/bin/sh\necho 'half a page'\nexit 3\n";
    let site = webroot_with_programs(&[("fails", script)]);
    let root = site.path().to_path_buf();
    let server = Server::start(move |listener| serve_webroot(listener, &root));
    let hint = "a program that exits with a failure (its status is not success) gets \
                response_internal_server_error()";
    let response = answer(&server, &request_accepting("/fails", "*/*"), hint);
    assert_status(&response, "HTTP/1.1 500 Internal Server Error", hint);
    let canned = Response::expect(&response_internal_server_error(), WELL_FORMED);
    assert_bytes_eq(
        &response.body,
        &canned.body,
        &format!(
            "the 500 is response_internal_server_error() as it is: what failed, and where, is \
             for whoever runs the server (print it with eprintln!), not for the client \
             ({HINT})"
        ),
    );
    let hint = "after a 500, go on serving";
    let response = answer(&server, &request_accepting("/fine.txt", "*/*"), hint);
    assert_status(&response, "HTTP/1.1 200 OK", hint);
}

#[cfg(unix)]
#[test]
#[ignore = "bonus: add -- --ignored to your cargo test to run it"]
fn bonus_a_program_that_never_ends_gets_500_within_two_seconds() {
    // The script starts a child of its own and says which, in `child.pid`.
    let script = "#!/bin/sh\nsleep 30 &\necho $! > child.pid\nwait\n";
    let site = webroot_with_programs(&[("hangs", script)]);
    let root = site.path().to_path_buf();
    let server = Server::start(move |listener| serve_webroot(listener, &root));
    let hint = "give a program at most 2 seconds: wait for it on another thread and \
                `recv_timeout` its result; past that, kill it (and what it started) and answer \
                response_internal_server_error(), or one hanging program stops the server";
    let response = answer(&server, &request_accepting("/hangs", "*/*"), hint);
    assert_status(&response, "HTTP/1.1 500 Internal Server Error", hint);
    let pid = std::fs::read_to_string(site.path().join("child.pid")).unwrap_or_default();
    // Running, unless gone or a zombie (dead, waiting for its parent to read its status).
    let alive = || {
        let probe = std::process::Command::new("ps")
            .args(["-o", "stat=", "-p", pid.trim()])
            .output();
        probe.is_ok_and(|probe| probe.status.success() && !probe.stdout.starts_with(b"Z"))
    };
    // Killed processes take a moment to go.
    let started = std::time::Instant::now();
    while alive() && started.elapsed() < std::time::Duration::from_secs(1) {
        std::thread::sleep(std::time::Duration::from_millis(10)); // polling the process
    }
    assert!(
        !pid.trim().is_empty() && !alive(),
        "the program's child (the script's `sleep`, pid {}) still runs after the 500\nhint: \
         start the program in a process group of its own (`process_group(0)`) and kill the \
         whole group (`kill -KILL -- -PGID`), not just the program ({HINT})",
        pid.trim()
    );
    let hint = "after a program that hung, go on serving";
    let response = answer(&server, &request_accepting("/fine.txt", "*/*"), hint);
    assert_status(&response, "HTTP/1.1 200 OK", hint);
}
