//! Servers under test: the lab's accept loop on a thread, or the lab's program as a child
//! process. Both listen on `127.0.0.1:0`, so tests never fight over a port.

use std::net::{SocketAddr, TcpListener};
use std::process::{Command, ExitStatus};
use std::sync::Mutex;
use std::sync::mpsc::{self, Receiver};
use std::thread;
use std::time::{Duration, Instant};

use runner::{Options, Process};

use crate::DEADLINE;
use crate::guard::catch;

/// Something a test connects to, which can say why it stopped if it did.
pub trait Target {
    fn addr(&self) -> SocketAddr;
    /// Why the server is no longer running (its panic, its error, its exit), if it is not.
    fn why_stopped(&self) -> Option<String>;
}

/// How long a test waits to learn whether, and why, a server stopped: a thread that has dropped
/// its listener, or a process that has closed its socket, is already on its way out.
const STOP_REPORT_WAIT: Duration = Duration::from_millis(100);

/// A lab's accept loop running on a thread of the test process.
pub struct Server {
    addr: SocketAddr,
    outcome: Receiver<String>,
    stopped: Mutex<Option<String>>,
}

impl Server {
    /// Binds `127.0.0.1:0` and runs `serve` with that listener on a new thread. The socket is
    /// listening before this returns, so the server is ready: early connections wait in the
    /// backlog until the loop accepts them.
    pub fn start<F>(serve: F) -> Server
    where
        F: FnOnce(TcpListener) -> std::io::Result<()> + Send + 'static,
    {
        crate::ending::watch();
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a test server to port 0");
        let addr = listener.local_addr().expect("the test server's address");
        let (sender, outcome) = mpsc::channel();
        thread::spawn(move || {
            let why = match catch(|| serve(listener)) {
                Ok(Ok(())) => "your serve function returned instead of serving forever".into(),
                Ok(Err(error)) => format!("your serve function returned an error: {error}"),
                Err(message) => format!("your server panicked: {message}"),
            };
            let _ = sender.send(why);
        });
        Server {
            addr,
            outcome,
            stopped: Mutex::new(None),
        }
    }
}

impl Target for Server {
    fn addr(&self) -> SocketAddr {
        self.addr
    }

    fn why_stopped(&self) -> Option<String> {
        let mut stopped = self.stopped.lock().unwrap_or_else(|e| e.into_inner());
        if stopped.is_none() {
            *stopped = self.outcome.recv_timeout(STOP_REPORT_WAIT).ok();
        }
        stopped.clone()
    }
}

/// A lab's program running as a child process, killed with every process it started when this
/// value is dropped (also when the test panics).
pub struct ChildServer {
    process: Mutex<Process>,
    addr: SocketAddr,
    banner: String,
}

impl ChildServer {
    /// Starts `command`, which must be told to listen on port 0, and waits until it prints its
    /// first line, `listening on ADDR` or `listening on http://ADDR/`.
    pub fn start(command: Command) -> ChildServer {
        let process = Process::start(command, Options::default()).unwrap_or_else(|e| panic!("{e}"));
        let shown = process.shown().to_string();
        let first = process.line(DEADLINE);
        let parsed = first.as_deref().and_then(runner::listening_address);
        let server = ChildServer {
            process: Mutex::new(process),
            addr: parsed.unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 0))),
            banner: first.clone().unwrap_or_default(),
        };
        if parsed.is_none() {
            let said = match first {
                Some(line) => format!("its first line was {line:?}"),
                None => format!("it printed no line within {DEADLINE:?}"),
            };
            let why = server.why_stopped().unwrap_or_default();
            panic!(
                "{shown} should print `listening on ADDR` as its first line, but {said}.\n{why}"
            );
        }
        server
    }

    fn process(&self) -> std::sync::MutexGuard<'_, Process> {
        self.process.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The first line the program printed, such as `listening on http://127.0.0.1:41234/`.
    pub fn banner(&self) -> &str {
        &self.banner
    }

    /// The program's process id, to look at it (its threads, its memory) or signal it.
    pub fn id(&self) -> u32 {
        self.process().id()
    }

    /// Waits for the program to exit, at most `within`, and returns how it exited; `None` if it
    /// is still running then.
    pub fn exit_status(&self, within: Duration) -> Option<ExitStatus> {
        self.process().wait(within)
    }

    /// The next line the program prints on stdout after its banner, or `None` if it prints
    /// none within [`DEADLINE`] (or has exited).
    pub fn next_line(&self) -> Option<String> {
        self.process().line(DEADLINE)
    }

    /// The lines the program prints after those already read, up to and including the first
    /// one that contains `text`. Fails, showing what it did print, if no such line comes
    /// within [`DEADLINE`].
    pub fn lines_until(&self, text: &str) -> Vec<String> {
        let started = Instant::now();
        let mut seen = Vec::new();
        loop {
            let left = DEADLINE.saturating_sub(started.elapsed());
            match self.process().line(left) {
                Some(line) => {
                    let found = line.contains(text);
                    seen.push(line);
                    if found {
                        return seen;
                    }
                }
                None => panic!(
                    "the program printed no line containing {text:?} within {DEADLINE:?}; \
                     after its banner it printed:\n{}\n{}",
                    seen.join("\n"),
                    self.why_stopped().unwrap_or_default()
                ),
            }
        }
    }
}

impl Target for ChildServer {
    fn addr(&self) -> SocketAddr {
        self.addr
    }

    fn why_stopped(&self) -> Option<String> {
        let mut process = self.process();
        let status = process.wait(STOP_REPORT_WAIT)?;
        // The process has exited, so its stderr is at its end, unless a process it started
        // still holds it.
        let stderr = process.stderr.text(STOP_REPORT_WAIT);
        Some(format!(
            "the program exited ({status}); its stderr:\n{}",
            stderr.trim_end()
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A lab's program that starts a process of its own and lets it go (a `sleep` whose
    /// parent ends): when the test drops the server, that process goes too.
    #[cfg(target_os = "linux")]
    #[test]
    fn a_program_s_forked_and_orphaned_processes_end_with_it() {
        let pid_file = std::env::temp_dir().join(format!("testkit-orphan-{}", std::process::id()));
        let script = "(sleep 300 & echo $! > \"$0\"); echo listening on 127.0.0.1:9; sleep 300";
        let mut command = Command::new("sh");
        command.args(["-c", script]).arg(&pid_file);
        let server = ChildServer::start(command);
        let orphan = std::fs::read_to_string(&pid_file).unwrap();
        let _ = std::fs::remove_file(&pid_file);
        let stat = format!("/proc/{}/stat", orphan.trim());
        let running = || std::fs::read_to_string(&stat).is_ok_and(|s| !s.contains(") Z "));
        assert!(running(), "the orphan should run while the server does");
        drop(server);
        let started = Instant::now();
        while running() && started.elapsed() < Duration::from_secs(2) {
            thread::sleep(Duration::from_millis(5)); // polling the process table
        }
        assert!(!running(), "sleep {} outlived the server", orphan.trim());
    }

    #[test]
    fn a_server_that_panics_says_so() {
        let server = Server::start(|_| todo!("Step 0: write the loop"));
        // The thread may not have run yet: ask until it reports, within the deadline.
        let tries = DEADLINE.as_millis() / STOP_REPORT_WAIT.as_millis();
        let why = (0..tries)
            .find_map(|_| server.why_stopped())
            .expect("the server stopped");
        assert!(
            why.contains("panicked: not yet implemented: Step 0"),
            "{why}"
        );
    }
}
