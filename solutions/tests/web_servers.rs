//! The reference web servers beyond what the lab suites ask of students: request bodies, and
//! what step 7's additions must not change. (Bad input, slow clients and load: robustness.rs.)

use solutions::{step6, step7};
use testkit::http::{self, Response};
use testkit::{Exchange, Server};

fn status_of_get(server: &Server) -> u16 {
    let raw = Exchange::send(&http::request("GET", "/"))
        .http_answer()
        .with(server);
    Response::expect(&raw, "the reference answers a GET").status()
}

#[test]
fn a_post_with_a_body_gets_its_405_at_step_6() {
    let server = Server::start(step6::serve);
    let post = b"POST /form HTTP/1.1\r\nHost: localhost\r\nContent-Length: 9\r\n\r\nname=rust";
    let raw = Exchange::send(post).http_answer().with(&server);
    let response = Response::expect(&raw, "the reference answers a POST");
    assert_eq!(response.status(), 405);
    assert_eq!(status_of_get(&server), 200);
}

#[test]
fn a_post_with_a_body_gets_its_405_at_step_7_too() {
    let server = Server::start(step7::serve);
    let post =
        b"POST /sample.txt HTTP/1.1\r\nHost: localhost\r\nContent-Length: 9\r\n\r\nname=rust";
    let raw = Exchange::send(post).http_answer().with(&server);
    let response = Response::expect(&raw, "the reference answers a POST");
    assert_eq!(response.status(), 405);
    assert!(response.header("Date").is_some(), "every answer is dated");
    assert_eq!(status_of_get(&server), 200);
}

#[test]
fn step_7_s_response_functions_are_pure_the_server_adds_the_date() {
    // The same arguments give the same bytes, whatever the time: the docs and the tests can
    // show them exactly. Only the server, when it sends, adds `Date`.
    assert_eq!(
        step7::response_ok(b"x", "text/plain"),
        step7::response_ok(b"x", "text/plain")
    );
    for response in [
        step7::response_ok(b"x", "text/plain"),
        step7::response_not_found(),
        step7::response_internal_server_error(),
    ] {
        let parsed = Response::expect(&response, "a well-formed response");
        assert_eq!(parsed.header("Date"), None, "{parsed:?}");
    }
    let server = Server::start(step7::serve);
    let raw = Exchange::send(&http::request("GET", "/sample.txt"))
        .http_answer()
        .with(&server);
    let sent = Response::expect(&raw, "the reference answers");
    let date = sent.header("Date").expect("the server adds Date");
    assert!(date.ends_with(" GMT") && date.len() == 29, "{date}");
}

/// The reference's answers to URIs a student's server need not handle, but that must not
/// fool ours either: queries and fragments on folders, escapes in folder names, the root
/// with a query, a URI in absolute form.
#[test]
fn step_7_resolves_uris_of_every_shape() {
    let root = labcli::workspace_webroot();
    let listing = |uri: &str| step7::resolve_uri(uri, &root).map(|(body, _)| body).ok();
    let images = Some(b"icons/\nrequest-response.png\nsunset.jpg\n".to_vec());
    assert_eq!(listing("/images/?sort=name"), images);
    assert_eq!(listing("/images#top"), images);
    assert_eq!(listing("/%69mages/"), images);
    assert_eq!(listing("//images//"), images);
    assert!(listing("/?x=1").is_some());
    for refused in [
        "http://localhost/sample.txt",
        "sample.txt",
        "/images/%",
        "/images/%2",
        "/images/%+1",
        "/%c3%28",
    ] {
        assert!(
            matches!(
                step7::resolve_uri(refused, &root),
                Err(step7::ResolveError::NotFound)
            ),
            "{refused}"
        );
    }
}

/// File names that need escaping in a link and in a page, with the link a listing should give.
/// Windows refuses `"`, `<` and `>` in a name.
const AWKWARD_NAMES: &[(&str, &str)] = &[
    (
        "it's #1 & more.txt",
        "<a href=\"/it%27s%20%231%20%26%20more.txt\">it&#39;s #1 &amp; more.txt</a>",
    ),
    #[cfg(unix)]
    (
        "a \"quoted\" <name>.txt",
        "<a href=\"/a%20%22quoted%22%20%3Cname%3E.txt\">a &quot;quoted&quot; &lt;name&gt;.txt</a>",
    ),
];

/// A browser's folder page links every entry with a path that works from any URI of the
/// folder, escapes what HTML or URIs cannot carry as it is, and links the folder above.
#[test]
fn step_7_folder_pages_link_safely() {
    let site = testkit::TempDir::new("folder-page").unwrap();
    for (name, _) in AWKWARD_NAMES {
        site.write(name, b"x");
    }
    site.write("sub/inner.txt", b"y");
    let root = site.path().to_path_buf();
    let server = Server::start(move |listener| step7::serve_webroot(listener, &root));
    let request = b"GET /sub HTTP/1.1\r\nHost: x\r\nAccept: text/html\r\n\r\n";
    let raw = Exchange::send(request).http_answer().with(&server);
    let page = String::from_utf8(Response::expect(&raw, "a page").body).unwrap();
    assert!(
        page.contains("<a href=\"/sub/inner.txt\">inner.txt</a>"),
        "{page}"
    );
    assert!(page.contains("<a href=\"/\">../</a>"), "{page}");
    let request = b"GET / HTTP/1.1\r\nHost: x\r\nAccept: text/html\r\n\r\n";
    let raw = Exchange::send(request).http_answer().with(&server);
    let page = String::from_utf8(Response::expect(&raw, "a page").body).unwrap();
    for (_, link) in AWKWARD_NAMES {
        assert!(page.contains(link), "{page}");
    }
    assert!(
        !page.contains("../"),
        "the root has no folder above: {page}"
    );
    // A client that ranks plain text above HTML keeps the plain listing.
    let request = b"GET / HTTP/1.1\r\nHost: x\r\nAccept: text/plain, text/html;q=0.5\r\n\r\n";
    let raw = Exchange::send(request).http_answer().with(&server);
    let response = Response::expect(&raw, "a listing");
    assert_eq!(response.header("Content-Type"), Some("text/plain"));
}

#[test]
fn step_9_finds_no_file_for_a_target_that_is_not_a_path_as_step_7() {
    // Only `/uploads` stands for the uploads folder; `*` and an absolute URI name no file.
    let server = Server::start(solutions::step9::serve);
    for target in ["*", "http://localhost/sample.txt"] {
        let raw = Exchange::send(&http::request("GET", target))
            .http_answer()
            .with(&server);
        let response = Response::expect(&raw, "the reference answers a GET");
        assert_eq!(response.status(), 404, "GET {target}");
    }
}
