//! The five programs' command lines: `--help`, usage errors (exit 2), network failures (exit 1).

use std::net::TcpListener;

use assert_cmd::Command;
use testkit::DEADLINE;

const PROGRAMS: [&str; 5] = [
    env!("CARGO_BIN_EXE_wiretap"),
    env!("CARGO_BIN_EXE_send"),
    env!("CARGO_BIN_EXE_mock-smtp"),
    env!("CARGO_BIN_EXE_mock-pop3"),
    env!("CARGO_BIN_EXE_mock-imap"),
];

fn run(program: &str, args: &[&str]) -> assert_cmd::assert::Assert {
    Command::new(program).args(args).timeout(DEADLINE).assert()
}

fn stderr(assert: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&assert.get_output().stderr).into_owned()
}

#[test]
fn every_program_explains_itself_with_help() {
    for program in PROGRAMS {
        let done = run(program, &["--help"]).success();
        let stdout = String::from_utf8_lossy(&done.get_output().stdout).into_owned();
        assert!(stdout.starts_with("usage: "), "{program}: {stdout}");
    }
}

#[test]
fn every_program_refuses_an_unknown_option_with_its_usage() {
    for program in PROGRAMS {
        let done = run(program, &["--colour", "blue"]).code(2);
        let text = stderr(&done);
        assert!(
            text.contains("unknown option --colour") && text.contains("usage: "),
            "{program}: {text}"
        );
    }
}

#[test]
fn the_wiretap_needs_a_port_to_listen_on_and_a_target() {
    let wiretap = PROGRAMS[0];
    for args in [
        &["--to", "127.0.0.1:80"][..],
        &["--listen", "0"],
        &["--listen", "eighty", "--to", "127.0.0.1:80"],
        &["--listen", "0", "--to", "127.0.0.1"],
        &["--listen", "0", "--to", "127.0.0.1:80", "extra"],
    ] {
        let done = run(wiretap, args).code(2);
        assert!(stderr(&done).contains("usage: "), "{args:?}");
    }
}

#[test]
fn send_needs_exactly_one_message() {
    let send = PROGRAMS[1];
    run(send, &["--to", "127.0.0.1:80"]).code(2);
    let done = run(send, &["GET", "/", "--to", "127.0.0.1:80"]).code(2);
    assert!(stderr(&done).contains("quotes"), "{}", stderr(&done));
}

#[test]
fn the_mock_servers_refuse_a_bad_port_and_report_a_busy_one() {
    let busy = TcpListener::bind("127.0.0.1:0").expect("bind a port to keep busy");
    let port = busy.local_addr().expect("its address").port().to_string();
    for program in &PROGRAMS[2..] {
        run(program, &["--port", "99999"]).code(2);
        run(program, &["stray"]).code(2);
        let done = run(program, &["--port", &port]).code(1);
        assert!(stderr(&done).contains("cannot listen"), "{}", stderr(&done));
    }
    let done = run(PROGRAMS[0], &["--listen", &port, "--to", "127.0.0.1:80"]).code(1);
    assert!(stderr(&done).contains("cannot listen"), "{}", stderr(&done));
}
