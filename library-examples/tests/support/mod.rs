//! What the examples' tests share: the kit's servers, the examples run to their end, and the
//! chapter's transcripts compared with the wire tap's.
//!
//! Cargo tells a test where its own package's binaries are, not another package's: the servers
//! (`solutions`, `mock-smtp`, `wiretap`) are built once per test binary by a nested
//! `cargo build`, which finds them already built after the root's `cargo test`.

#![allow(dead_code)] // each test file uses its own part of this module

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;

use runner::Ending;
use testkit::ChildServer;

/// A cold build of the servers takes about a minute on a small laptop.
const BUILD_LIMIT: Duration = Duration::from_secs(600);

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The path of one of the kit's programs, built on first use.
pub fn kit_program(name: &str) -> Command {
    static BUILT: OnceLock<Result<HashMap<String, PathBuf>, String>> = OnceLock::new();
    let built = BUILT.get_or_init(build_kit).as_ref();
    let path = built
        .unwrap_or_else(|problem| panic!("{problem}"))
        .get(name)
        .unwrap_or_else(|| panic!("cargo built no program {name:?}"));
    Command::new(path)
}

fn build_kit() -> Result<HashMap<String, PathBuf>, String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut command = Command::new(cargo);
    command.current_dir(workspace()).args([
        "build",
        "--package",
        "solutions",
        "--package",
        "protocol-tools",
        "--bins",
        "--message-format=json",
    ]);
    let run = match runner::run(command, None, BUILD_LIMIT)? {
        Ending::Exited(run) if run.success => run,
        Ending::Exited(run) => return Err(format!("cannot build the servers:\n{}", run.output)),
        Ending::Stopped(output) => return Err(format!("building the servers hung:\n{output}")),
    };
    let marker = "\"executable\":\"";
    Ok(run
        .output
        .lines()
        .filter_map(|line| line.split_once(marker)?.1.split_once('"'))
        .map(|(path, _)| PathBuf::from(path))
        .filter_map(|path| Some((path.file_stem()?.to_str()?.to_string(), path)))
        .collect())
}

/// `solutions step7 --port 0`: the step 7 reference, serving `webroot/`.
pub fn step7_server() -> ChildServer {
    let mut command = kit_program("solutions");
    command.args(["step7", "--port", "0"]);
    ChildServer::start(command)
}

/// `mock-smtp --port 0`.
pub fn mock_smtp() -> ChildServer {
    let mut command = kit_program("mock-smtp");
    command.args(["--port", "0"]);
    ChildServer::start(command)
}

/// `mock-imap --port 0`.
pub fn mock_imap() -> ChildServer {
    let mut command = kit_program("mock-imap");
    command.args(["--port", "0"]);
    ChildServer::start(command)
}

/// `wiretap --listen 0 --to ADDR`, in front of `server`.
pub fn wiretap(server: &ChildServer) -> ChildServer {
    let mut command = kit_program("wiretap");
    let target = testkit::Target::addr(server).to_string();
    command.args(["--listen", "0", "--to", &target]);
    ChildServer::start(command)
}

/// Runs `program` with `args` naming a port where nothing listens: it must exit 1 with
/// `failure` (its first words), the hint about the server, and no panic.
pub fn assert_no_server_is_a_clear_failure(program: &str, args: &[&str], failure: &str) {
    use predicates::prelude::*;
    let run = testkit::run_program(example(program, args), "nothing listens there");
    run.code(1)
        .stderr(predicates::str::contains(failure))
        .stderr(predicates::str::contains(
            "is the server running, on that port?",
        ))
        .stderr(predicates::str::contains("panicked").not());
}

/// One of this package's examples, with `args`.
pub fn example(program: &str, args: &[&str]) -> Command {
    let mut command = Command::new(program);
    command.args(args).env_remove("LABCLI_CHECK_ONLY");
    command
}

/// The transcript the chapter shows after `marker`: the lines of the fenced block that follows.
pub fn chapter_block(marker: &str) -> Vec<String> {
    let path = workspace().join("docs/src/protocols.md");
    let chapter = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let mut lines = chapter.lines().skip_while(|line| line.trim() != marker);
    assert!(
        lines.next().is_some(),
        "docs/src/protocols.md should have the marker {marker:?} before a transcript"
    );
    let fence = lines.next().unwrap_or_default();
    assert!(
        fence.starts_with("```"),
        "{marker:?} should come right before a fenced block"
    );
    lines
        .take_while(|line| !line.starts_with("```"))
        .map(String::from)
        .collect()
}

/// Fails unless the tap printed the chapter's transcript line for line, but for the lines that
/// contain one of `varying` (ports, dates), which must be there all the same, in their place.
pub fn assert_transcript_is_the_chapters(shown: &[String], printed: &[String], varying: &[&str]) {
    let varies = |line: &str| varying.iter().any(|v| line.contains(v));
    let fixed = |lines: &[String]| -> Vec<String> {
        lines
            .iter()
            .map(|line| {
                if varies(line) {
                    "<varies>".into()
                } else {
                    line.clone()
                }
            })
            .collect()
    };
    // The two ends of stream come in either order: each side finishes on its own thread.
    let sorted_ends = |mut lines: Vec<String>| {
        let ends: Vec<usize> = (0..lines.len())
            .filter(|&i| lines[i].contains("<end of stream"))
            .collect();
        if let [first, second] = ends[..] {
            if lines[first] > lines[second] {
                lines.swap(first, second);
            }
        }
        lines
    };
    let (want, got) = (sorted_ends(fixed(shown)), sorted_ends(fixed(printed)));
    if want != got {
        let differ = want.iter().zip(&got).position(|(w, g)| w != g);
        let at = differ.unwrap_or(want.len().min(got.len()));
        panic!(
            "the chapter's transcript is not what the wire tap printed (first difference at \
             line {}: the chapter shows {:?}, the tap printed {:?}).\n\
             hint: run the chapter's command again and paste the tap's lines, keeping the \
             book's ports.\nthe tap printed:\n{}",
            at + 1,
            want.get(at),
            got.get(at),
            printed.join("\n")
        );
    }
}
