//! Killing a program with the processes it started. std kills one process; the rest of the
//! tree is reached with the system's own tools (procps on Linux, the BSD ones on macOS,
//! `taskkill` on Windows), which keeps unsafe system calls out of a workspace that forbids them.
//!
//! A process whose parent has ended is no one's descendant any more (the system adopts it),
//! so each program is also started with a mark in its environment, which every process it
//! starts inherits: on Linux, `/proc` then finds them all, orphans included ([`kill_marked`]).

use std::process::{Command, Stdio};

/// Kills process group `pgid` (a leader started with `process_group(0)`). An empty group fails
/// harmlessly.
pub fn kill_group(pgid: u32) {
    #[cfg(unix)]
    quietly(Command::new("kill").args(["-KILL", "--", &format!("-{pgid}")]));
    #[cfg(not(unix))]
    let _ = pgid;
}

/// Kills every descendant of `pid`, which is still running (or not yet reaped). Each process
/// is stopped before its children are looked up, so that none can start another meanwhile.
#[cfg(unix)]
pub fn kill_descendants(pid: u32) {
    let pid = pid.to_string();
    signal("-STOP", std::slice::from_ref(&pid));
    // The program itself is left to its caller, which reaps it.
    kill(&stop_below(pid));
}

/// Kills every process this one started, and theirs: what a test binary's end leaves behind.
/// (This process is not stopped: it is the one doing the killing.) Returns what was still
/// running, one `PID COMMAND` line each (finished processes not yet reaped are left out).
#[cfg(unix)]
pub fn kill_own_descendants() -> Vec<String> {
    let tree = stop_below(std::process::id().to_string());
    let running = running(&tree);
    kill(&tree);
    running
}

/// Stops the processes below `top`, level by level, each level before its children are looked
/// up, and returns them all.
#[cfg(unix)]
fn stop_below(top: String) -> Vec<String> {
    let mut tree = Vec::new();
    let mut level = children(&[top]);
    while !level.is_empty() {
        signal("-STOP", &level);
        let next = children(&level);
        tree.extend(level);
        level = next;
    }
    tree
}

#[cfg(unix)]
fn kill(pids: &[String]) {
    if !pids.is_empty() {
        signal("-KILL", pids);
    }
}

/// Which of `pids` are alive, not only waiting to be reaped: `PID COMMAND` lines from `ps`.
#[cfg(unix)]
fn running(pids: &[String]) -> Vec<String> {
    if pids.is_empty() {
        return Vec::new();
    }
    let listed = Command::new("ps")
        .args(["-o", "stat=,pid=,args=", "-p", &pids.join(",")])
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output();
    let Ok(listed) = listed else {
        return Vec::new();
    };
    String::from_utf8_lossy(&listed.stdout)
        .lines()
        .filter_map(|line| {
            let (stat, rest) = line.trim_start().split_once(' ')?;
            (!stat.starts_with('Z')).then(|| rest.trim().to_string())
        })
        .collect()
}

/// The children of `parents`, as `pgrep -P` lists them.
#[cfg(unix)]
fn children(parents: &[String]) -> Vec<String> {
    let listed = Command::new("pgrep")
        .arg("-P")
        .arg(parents.join(","))
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output();
    match listed {
        Ok(out) => String::from_utf8_lossy(&out.stdout)
            .split_whitespace()
            .map(str::to_string)
            .collect(),
        Err(_) => Vec::new(),
    }
}

/// Kills process `pid`'s tree (`/T`), itself included.
#[cfg(windows)]
pub fn kill_descendants(pid: u32) {
    quietly(Command::new("taskkill").args(["/F", "/T", "/PID", &pid.to_string()]));
}

#[cfg(unix)]
fn signal(signal: &str, pids: &[String]) {
    quietly(Command::new("kill").arg(signal).arg("--").args(pids));
}

fn quietly(command: &mut Command) {
    let _ = command
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

/// The environment variable that marks the processes of one [`crate::Process`]: its name is
/// unique, so that the marks of nested runs add up instead of replacing each other.
pub fn mark(id: usize) -> String {
    format!("RUNNER_TREE_{}_{id}", std::process::id())
}

/// Kills every process whose environment carries `mark` (Linux: read from `/proc`, where this
/// user's processes are visible; elsewhere it finds none). Each is stopped first, then all are
/// killed, so that none can start another in between.
pub fn kill_marked(mark: &str) {
    let marked = marked(mark);
    #[cfg(unix)]
    if !marked.is_empty() {
        signal("-STOP", &marked);
        signal("-KILL", &marked);
    }
    #[cfg(not(unix))]
    let _ = marked;
}

/// The running processes whose environment carries `mark`, by id (a process that has ended
/// shows no environment, so it is not found).
#[cfg(target_os = "linux")]
pub fn marked(mark: &str) -> Vec<String> {
    let needle = format!("{mark}=");
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|entry| {
            let pid = entry.file_name().to_str()?.parse::<u32>().ok()?;
            // Another user's process, or one just gone: not ours to find.
            let environ = std::fs::read(entry.path().join("environ")).ok()?;
            let has = environ
                .split(|&b| b == 0)
                .any(|var| var.starts_with(needle.as_bytes()));
            has.then(|| pid.to_string())
        })
        .collect()
}

#[cfg(not(target_os = "linux"))]
pub fn marked(_mark: &str) -> Vec<String> {
    Vec::new()
}
