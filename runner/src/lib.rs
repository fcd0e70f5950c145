//! The one way the workspace runs a program it must not lose: a lab's server under test, a
//! test binary being graded, a nested cargo, Chromium, a command from the book, a server under
//! load. A [`Process`] has its output drained on threads and kept bounded ([`Output`]), is
//! waited for with a deadline, and is killed with every process it started, also when it is
//! dropped, so that a test that fails or panics leaves nothing running.
//!
//! - [`run`]: a program from start to end within a time limit, its output as text.
//! - [`Process`]: a program that runs beside the caller (a server), read line by line.
//! - [`kill_own_descendants`]: what this process started, killed (a test binary's end).

mod output;
mod tree;

use std::io::Write;
use std::net::SocketAddr;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

pub use output::{KEPT_HEAD, KEPT_TAIL, Output};
#[cfg(unix)]
pub use tree::kill_own_descendants;

/// How long to wait for the rest of a program's output once it has ended. Only a process it
/// started and left running can hold its output open longer.
pub const OUTPUT_GRACE: Duration = Duration::from_secs(2);

/// How a program is started.
#[derive(Default)]
pub struct Options {
    /// Written to the program's standard input, which is then closed; without it, the program
    /// reads nothing.
    pub input: Option<Vec<u8>>,
    /// A process group of its own (Unix): killing it then also reaches the processes that left
    /// their parent (a daemon's double fork, Chromium's helpers). A Ctrl-C in the terminal no
    /// longer reaches it, so only for programs that a deadline always ends.
    pub own_group: bool,
}

/// A running program, killed with the processes it started when dropped.
pub struct Process {
    child: Child,
    shown: String,
    own_group: bool,
    /// The environment variable that every process of its tree inherits ([`tree::mark`]).
    mark: String,
    /// How it ended, once reaped: its pid may then belong to another process.
    ended: Option<ExitStatus>,
    pub stdout: Output,
    pub stderr: Output,
}

impl Process {
    /// Starts `command` with its stdout and stderr drained.
    pub fn start(mut command: Command, options: Options) -> Result<Process, String> {
        let shown = format!("{command:?}");
        if stopping() {
            return Err(format!("{shown} not started: stopping"));
        }
        let stdin = if options.input.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        };
        command
            .stdin(stdin)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        #[cfg(unix)]
        if options.own_group {
            std::os::unix::process::CommandExt::process_group(&mut command, 0);
        }
        static STARTED: AtomicUsize = AtomicUsize::new(0);
        let mark = tree::mark(STARTED.fetch_add(1, Ordering::SeqCst));
        command.env(&mark, "1");
        let mut child = command
            .spawn()
            .map_err(|e| format!("cannot start {shown}: {e}"))?;
        if let (Some(input), Some(mut stdin)) = (options.input, child.stdin.take()) {
            // On a thread, so that a program that does not read cannot stop us; dropped: closed.
            thread::spawn(move || {
                let _ = stdin.write_all(&input);
            });
        }
        Ok(Process {
            stdout: Output::drain(child.stdout.take()),
            stderr: Output::drain(child.stderr.take()),
            child,
            shown,
            own_group: options.own_group,
            mark,
            ended: None,
        })
    }

    /// The command line, for messages.
    pub fn shown(&self) -> &str {
        &self.shown
    }

    /// The program's process id, to look at it (its threads, its memory) or signal it.
    pub fn id(&self) -> u32 {
        self.child.id()
    }

    /// How the program ended, if it has.
    pub fn status(&mut self) -> Option<ExitStatus> {
        if self.ended.is_none() {
            self.ended = self.child.try_wait().ok().flatten();
        }
        self.ended
    }

    /// Waits for the program to end, at most `within` (less if [`stop_everything`] is called);
    /// `None` if it is still running.
    pub fn wait(&mut self, within: Duration) -> Option<ExitStatus> {
        let started = Instant::now();
        // Short pauses at first: most programs a test runs end within milliseconds. std
        // cannot wait for a child with a time limit, hence the polling.
        let mut pause = Duration::from_millis(1);
        loop {
            if let Some(status) = self.status() {
                return Some(status);
            }
            let left = within.saturating_sub(started.elapsed());
            if left.is_zero() || stopping() {
                return None;
            }
            thread::sleep(pause.min(left)); // polling a child process, not a test's wait
            pause = (pause * 2).min(Duration::from_millis(20));
        }
    }

    /// Kills the program and every process it started, also those it left behind when it
    /// ended (orphans), and reaps it.
    pub fn kill(&mut self) {
        let pid = self.child.id();
        if self.own_group {
            tree::kill_group(pid);
        }
        if self.status().is_none() {
            tree::kill_descendants(pid);
            let _ = self.child.kill();
            self.ended = self.child.wait().ok();
        }
        tree::kill_marked(&self.mark);
    }

    /// The program's next line on stdout, waiting for it at most `within`.
    pub fn line(&self, within: Duration) -> Option<String> {
        self.stdout.line(within)
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        self.kill();
    }
}

/// The address in a server's first line, `listening on 127.0.0.1:41234` or
/// `listening on http://127.0.0.1:41234/`.
pub fn listening_address(line: &str) -> Option<SocketAddr> {
    let rest = line.strip_prefix("listening on ")?;
    let rest = rest.strip_prefix("http://").unwrap_or(rest);
    rest.trim_end_matches('/').parse().ok()
}

/// How a program run by [`run`] ended.
pub enum Ending {
    Exited(Run),
    /// It was still running at its time limit (or [`stop_everything`] was called) and was
    /// killed; what it had printed by then.
    Stopped(String),
}

/// A program that exited by itself.
pub struct Run {
    pub success: bool,
    /// The exit code, if the program exited rather than being killed by a signal.
    pub code: Option<i32>,
    /// stdout and stderr, in that order.
    pub output: String,
    /// How many processes it started were still running when it ended, and were killed
    /// (Linux, where they are found; 0 elsewhere).
    pub left_running: usize,
}

/// Runs `command` until it ends, killing it with the processes it started if it still runs
/// after `limit`. It stays in our process group: a Ctrl-C in the terminal stops it with us,
/// which matters for a test that would otherwise loop forever on its own.
pub fn run(command: Command, input: Option<Vec<u8>>, limit: Duration) -> Result<Ending, String> {
    let options = Options {
        input,
        own_group: false,
    };
    let mut process = Process::start(command, options)?;
    let status = process.wait(limit);
    let left_running = tree::marked(&process.mark).len();
    // Also what it left running: an orphan holding its output would keep us waiting.
    process.kill();
    let output = process.stdout.text(OUTPUT_GRACE) + &process.stderr.text(OUTPUT_GRACE);
    Ok(match status {
        Some(status) => Ending::Exited(Run {
            success: status.success(),
            code: status.code(),
            output,
            left_running,
        }),
        None => Ending::Stopped(output),
    })
}

/// Set by [`stop_everything`].
static STOPPING: AtomicBool = AtomicBool::new(false);

/// Stops every program this process waits for, and refuses to start any more: for `watch`,
/// which quits in the middle of a run. There is no way back, so only a process about to exit
/// calls it.
pub fn stop_everything() {
    STOPPING.store(true, Ordering::SeqCst);
}

fn stopping() -> bool {
    STOPPING.load(Ordering::SeqCst)
}
