//! `solutions demo N`: each demo starts its step's reference on the port asked for, prints what
//! to try, and what it prints is what the step's chapter shows in its "Try it" section.
//! Also the check-only runs that the book's command check relies on.

use std::path::{Path, PathBuf};
use std::process::Command;

use solutions::demo::{DEMOS, instructions};
use testkit::http::{self, Response};
use testkit::{ChildServer, Exchange, Target};

fn solutions(args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_solutions"));
    command.args(args);
    command
}

/// The chapter of step `n`: `docs/src/step{n}-*.md`.
fn chapter(n: u8) -> (PathBuf, String) {
    let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/src");
    let prefix = format!("step{n}-");
    let path = std::fs::read_dir(&docs)
        .expect("docs/src")
        .map(|entry| entry.expect("an entry of docs/src").path())
        .find(|path| {
            path.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with(&prefix)
        })
        .unwrap_or_else(|| panic!("no chapter docs/src/{prefix}*.md"));
    let text = std::fs::read_to_string(&path).expect("the chapter");
    (path, text)
}

/// The chapter's last section, which must be "## Try it".
fn try_it_section(text: &str) -> &str {
    let (_, section) = text.rsplit_once("\n## ").expect("a chapter has sections");
    assert!(
        section.starts_with("Try it\n"),
        "a lab chapter ends with its \"## Try it\" section, not {:?}",
        section.lines().next()
    );
    section
}

#[test]
fn every_demo_serves_its_step_on_the_port_it_prints() {
    for demo in DEMOS {
        let step = demo.step.to_string();
        let server = ChildServer::start(solutions(&["demo", &step, "--port", "0"]));
        let title = server.next_line().expect("the demo's title line");
        assert!(title.starts_with(demo.title), "demo {step}: {title}");
        let port = server.addr().port().to_string();
        let shown = server.lines_until("section \"Try it\"");
        assert!(
            shown.iter().any(|line| line.contains(&port)),
            "demo {step} should print commands for its port {port}: {shown:?}"
        );
        match demo.step {
            1 => {
                let echo = Exchange::send(b"Hello, world")
                    .then_stop_sending()
                    .with(&server);
                assert_eq!(echo, b"Hello, world", "demo 1 is the echo server");
            }
            2 => {
                let line = Exchange::send(b"").with(&server);
                assert!(line.ends_with(b"Z\r\n"), "demo 2 tells the time: {line:?}");
            }
            _ => {
                let answer = Exchange::send(&http::request("GET", "/sample.txt")).with(&server);
                let response = Response::expect(&answer, "a demo's web server answers a GET");
                assert_eq!(response.status_line, "HTTP/1.1 200 OK", "demo {step}");
            }
        }
    }
}

#[test]
fn every_demo_prints_what_its_chapter_shows_in_try_it() {
    for demo in DEMOS {
        let (path, text) = chapter(demo.step);
        let heading = format!("# {}\n", demo.title);
        assert!(
            text.starts_with(&heading),
            "{} should start with {heading:?}",
            path.display()
        );
        let section = try_it_section(&text);
        let printed = instructions(demo, "127.0.0.1", demo.port);
        for line in printed.lines() {
            let shown = if let Some(command) = line.strip_prefix("  $ ") {
                format!("$ {command}\n")
            } else if let Some(url) = line.strip_prefix("  a browser: ") {
                format!("<{url}>")
            } else {
                continue;
            };
            assert!(
                section.contains(&shown),
                "the \"Try it\" section of {} should show {shown:?}, as `demo {}` prints it",
                path.display(),
                demo.step
            );
        }
    }
}

#[test]
fn a_demo_of_a_step_that_does_not_exist_is_a_usage_error() {
    for args in [&["demo"][..], &["demo", "10"], &["demo", "4", "--colour"]] {
        let output = solutions(args).output().expect("run solutions");
        assert_eq!(output.status.code(), Some(2), "solutions {args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("usage: solutions demo STEP"), "{stderr}");
    }
}

/// Runs `solutions ARGS` with `LABCLI_CHECK_ONLY` set: exit code and stdout.
fn check_only(args: &[&str]) -> (Option<i32>, String) {
    let output = solutions(args)
        .env(labcli::CHECK_ONLY_VARIABLE, "1")
        .output()
        .expect("run solutions");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    (output.status.code(), stdout)
}

#[test]
fn a_check_only_run_says_what_it_would_do_and_does_not_do_it() {
    let cases: [(&[&str], &str); 5] = [
        (&["step4"], "would listen on http://127.0.0.1:10000/\n"),
        (
            &["step1", "server", "--port", "50000"],
            "would listen on 127.0.0.1:50000\n",
        ),
        (
            &["step1", "client", "--port", "1", "hi"],
            "would connect to 127.0.0.1:1\n",
        ),
        (
            &["step3", "http://127.0.0.1:1/"],
            "would fetch http://127.0.0.1:1/\n",
        ),
        (&["demo", "3"], "would listen on http://127.0.0.1:10000/\n"),
    ];
    for (args, said) in cases {
        assert_eq!(check_only(args), (Some(0), said.to_string()), "{args:?}");
    }
}

#[test]
fn a_check_only_run_still_refuses_bad_arguments() {
    for args in [
        &["step3", "https://example.com/"][..],
        &["step4", "--port", "http"],
        &["step7", "--webroot", "no/such/folder"],
    ] {
        let (code, stdout) = check_only(args);
        assert_eq!((code, stdout.as_str()), (Some(2), ""), "{args:?}");
    }
}
