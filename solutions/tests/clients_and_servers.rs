//! The labs' programs talk to each other as they would to real ones: the step 3 client
//! (`solutions step3 URL`) fetches files from the step 7 server (`solutions step7`), and gets
//! every byte of them after the headers.

use std::path::Path;
use std::process::Command;

use testkit::http::Response;
use testkit::{ChildServer, DEADLINE, Target};

/// The reference program of `step`, as the command line runs it.
fn solutions(step: &str) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_solutions"));
    command.arg(step);
    command
}

/// The step 7 reference server on a free port, serving the workbook's `webroot/`.
fn file_server() -> ChildServer {
    let mut command = solutions("step7");
    command.args(["--port", "0"]);
    ChildServer::start(command)
}

/// What `solutions step3 URL` prints, which must be a well-formed response.
fn fetch(url: &str) -> Response {
    let output = assert_cmd::Command::from_std(solutions("step3"))
        .arg(url)
        .timeout(DEADLINE * 2)
        .output()
        .expect("run the step 3 client");
    assert!(output.status.success(), "step3 {url}: {output:?}");
    Response::expect(&output.stdout, "the step 3 client prints the raw response")
}

fn site_file(relative: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../webroot")
            .join(relative),
    )
    .expect("a file of webroot/")
}

#[test]
fn the_step_3_client_gets_sample_txt_from_the_step_7_server_byte_for_byte() {
    let server = file_server();
    let response = fetch(&format!("http://{}/sample.txt", server.addr()));
    assert_eq!(response.status_line, "HTTP/1.1 200 OK");
    assert_eq!(response.header("Content-Type"), Some("text/plain"));
    assert_eq!(response.body, site_file("sample.txt"));
}

#[test]
fn the_step_3_client_gets_a_picture_byte_for_byte_and_a_404_for_a_missing_page() {
    let server = file_server();
    let response = fetch(&format!("http://{}/images/sunset.jpg", server.addr()));
    assert_eq!(response.header("Content-Type"), Some("image/jpeg"));
    assert_eq!(response.body, site_file("images/sunset.jpg"));
    let response = fetch(&format!("http://{}/no_such_page.html", server.addr()));
    assert_eq!(response.status_line, "HTTP/1.1 404 Not Found");
}
