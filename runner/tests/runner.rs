//! The runner against `sh`: deadlines, output, input, and the processes a program leaves.
#![cfg(unix)]

use std::process::Command;
use std::time::{Duration, Instant};

use runner::{Ending, Options, Process, run};

fn sh(script: &str) -> Command {
    let mut command = Command::new("sh");
    command.args(["-c", script]);
    command
}

/// Whether process `pid` exists (a zombie counts as gone).
fn alive(pid: &str) -> bool {
    let state = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    !state.is_empty() && !state.contains(") Z ")
}

/// Whether process `pid` is gone within a second: a killed process takes a moment to die.
fn gone(pid: &str) -> bool {
    let started = Instant::now();
    while alive(pid) && started.elapsed() < Duration::from_secs(1) {
        std::thread::sleep(Duration::from_millis(5)); // polling the process table
    }
    !alive(pid)
}

#[test]
fn a_program_past_its_limit_is_stopped_with_what_it_printed() {
    let started = Instant::now();
    match run(
        sh("echo started; sleep 30 & wait"),
        None,
        Duration::from_millis(300),
    )
    .unwrap()
    {
        Ending::Stopped(output) => assert_eq!(output, "started\n"),
        Ending::Exited(_) => panic!("the program should have been stopped"),
    }
    // The shell's `sleep` held the output open too: it was killed with the shell.
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn a_program_that_ends_in_time_gives_its_status_and_output() {
    match run(
        sh("echo out; echo err >&2; exit 3"),
        None,
        Duration::from_secs(10),
    )
    .unwrap()
    {
        Ending::Exited(run) => {
            assert!(!run.success);
            assert_eq!(run.code, Some(3));
            assert_eq!(run.output, "out\nerr\n");
        }
        Ending::Stopped(_) => panic!("the program should have ended by itself"),
    }
}

#[test]
fn input_is_written_and_closed() {
    let input = Some(b"secret\n".to_vec());
    match run(sh("cat; echo end"), input, Duration::from_secs(10)).unwrap() {
        Ending::Exited(run) => assert_eq!(run.output, "secret\nend\n"),
        Ending::Stopped(_) => panic!("cat should have seen the end of its input"),
    }
}

#[test]
fn dropping_a_process_kills_its_children_and_grandchildren() {
    // The grandchild is started by a child shell, so it is no child of ours.
    let script = "sh -c 'sleep 60 & echo $!; wait' & wait";
    let process = Process::start(sh(script), Options::default()).unwrap();
    let grandchild = process
        .line(Duration::from_secs(10))
        .expect("the sleep's pid");
    assert!(alive(&grandchild));
    drop(process);
    assert!(gone(&grandchild), "sleep {grandchild} outlived the process");
}

#[test]
fn a_group_of_its_own_also_reaches_processes_that_left_their_parent() {
    // The middle shell exits at once: its sleep is then nobody's child but init's.
    let script = "sh -c 'sleep 60 & echo $!' ; sleep 60";
    let options = Options {
        own_group: true,
        ..Options::default()
    };
    let process = Process::start(sh(script), options).unwrap();
    let orphan = process
        .line(Duration::from_secs(10))
        .expect("the sleep's pid");
    assert!(alive(&orphan));
    drop(process);
    assert!(gone(&orphan), "sleep {orphan} outlived the process group");
}

#[test]
fn lines_are_read_as_they_come_and_a_silent_program_gives_none_in_time() {
    let mut process = Process::start(
        sh("echo 'listening on 127.0.0.1:4000'; sleep 30"),
        Options::default(),
    )
    .unwrap();
    let line = process.line(Duration::from_secs(10)).unwrap();
    assert_eq!(
        runner::listening_address(&line),
        Some(([127, 0, 0, 1], 4000).into())
    );
    let started = Instant::now();
    assert_eq!(process.line(Duration::from_millis(200)), None);
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(process.wait(Duration::from_millis(50)), None);
    process.kill();
    assert!(process.status().is_some());
}

#[test]
fn banners_give_the_address() {
    let http = runner::listening_address("listening on http://127.0.0.1:8080/");
    assert_eq!(http, Some(([127, 0, 0, 1], 8080).into()));
    assert_eq!(runner::listening_address("ready"), None);
}

#[cfg(target_os = "linux")]
#[test]
fn what_a_program_leaves_running_when_it_ends_is_killed_too() {
    // The subshell starts the sleep and ends: the sleep is an orphan, nobody's descendant.
    let script = "(sleep 60 & echo $! > \"$0\"); exit 0";
    let pid_file = std::env::temp_dir().join(format!("runner-orphan-{}", std::process::id()));
    let mut command = sh(script);
    command.arg(&pid_file);
    let started = Instant::now();
    match run(command, None, Duration::from_secs(10)).unwrap() {
        Ending::Exited(run) => assert!(run.success, "{}", run.output),
        Ending::Stopped(output) => panic!("the shell should have ended: {output}"),
    }
    let orphan = std::fs::read_to_string(&pid_file).unwrap();
    let _ = std::fs::remove_file(&pid_file);
    assert!(
        gone(orphan.trim()),
        "the orphan sleep {} outlived its run",
        orphan.trim()
    );
    // Nor did its output keep the run waiting.
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}
