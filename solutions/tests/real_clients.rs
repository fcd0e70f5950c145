//! Real HTTP clients against the step 9 reference, which keeps connections open: curl reuses
//! one connection for two URLs (`--next`), and Python's `http.client` sends two requests and an
//! upload on one connection. Linux CI has both; elsewhere a missing client makes the test a note.

use std::process::Output;

use assert_cmd::Command;
use solutions::step9::{Shutdown, Site, serve_site};
use testkit::{DEADLINE, Server, Target, TempDir};

/// Whether `tool` runs here; on Linux CI it must.
fn have(tool: &str) -> bool {
    let found = std::process::Command::new(tool)
        .arg("--version")
        .output()
        .is_ok_and(|output| output.status.success());
    if !found {
        assert!(
            std::env::var_os("CI").is_none() || !cfg!(target_os = "linux"),
            "{tool} is needed by this test on CI"
        );
        eprintln!("NOTE: {tool} is not installed: this test checks nothing here");
    }
    found
}

/// The step 9 reference serving the sample site, with uploads in `uploads`.
fn server(uploads: &TempDir) -> (Server, Shutdown) {
    let site = Site {
        webroot: labcli::workspace_webroot(),
        uploads: Some(uploads.path().to_path_buf()),
    };
    let shutdown = Shutdown::new();
    let theirs = shutdown.clone();
    let server = Server::start(move |listener| serve_site(listener, &site, 2, &theirs));
    (server, shutdown)
}

fn text(output: &Output) -> (String, String) {
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    (stdout, String::from_utf8_lossy(&output.stderr).into_owned())
}

#[test]
fn curl_reuses_one_connection_for_two_urls() {
    if !have("curl") {
        return;
    }
    let uploads = TempDir::new("real-clients").unwrap_or_else(|error| panic!("{error}"));
    let (server, shutdown) = server(&uploads);
    let base = format!("http://{}", server.addr());
    let output = Command::new("curl")
        .args(["-sv", "--max-time", "5"])
        .arg(format!("{base}/sample.txt"))
        .arg("--next")
        .arg(format!("{base}/a_web_page.html"))
        .timeout(DEADLINE)
        .output()
        .expect("run curl");
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "curl failed: {stderr}");
    // curl 7 says "Re-using", curl 8 "Reusing".
    let reused = stderr.contains("Re-using existing connection")
        || stderr.contains("Reusing existing connection");
    assert!(reused, "curl opened a second connection:\n{stderr}");
    assert_eq!(stderr.matches("Connected to").count(), 1, "{stderr}");
    let sample = std::fs::read_to_string(labcli::workspace_webroot().join("sample.txt")).unwrap();
    assert!(stdout.starts_with(&sample), "{stdout}");
    shutdown.request();
}

/// Two GETs and an upload on one `HTTPConnection`; the script prints what it saw.
const PYTHON: &str = r#"
import http.client, sys
connection = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=5)
seen = []
for target in ["/sample.txt", "/nothing-here"]:
    connection.request("GET", target)
    answer = connection.getresponse()
    answer.read()
    seen.append(str(answer.status))
    socket = connection.sock
connection.request("POST", "/uploads/from-python.txt", body=b"hello\r\n\r\nGET / HTTP/1.1\r\n")
answer = connection.getresponse()
answer.read()
seen.append(f"{answer.status} {answer.getheader('Location')}")
seen.append("one connection" if connection.sock is socket else "two connections")
print(", ".join(seen))
"#;

#[test]
fn pythons_http_client_sends_requests_and_an_upload_on_one_connection() {
    if !have("python3") {
        return;
    }
    let uploads = TempDir::new("real-clients").unwrap_or_else(|error| panic!("{error}"));
    let (server, shutdown) = server(&uploads);
    let output = Command::new("python3")
        .args(["-c", PYTHON, &server.addr().port().to_string()])
        .timeout(DEADLINE)
        .output()
        .expect("run python3");
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "python3 failed: {stderr}");
    assert_eq!(
        stdout.trim(),
        "200, 404, 201 /uploads/from-python.txt, one connection"
    );
    let stored = std::fs::read(uploads.path().join("from-python.txt")).unwrap();
    assert_eq!(stored, b"hello\r\n\r\nGET / HTTP/1.1\r\n");
    shutdown.request();
}
