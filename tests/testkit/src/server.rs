//! Servers under test: the lab's accept loop on a thread, or the lab's program as a child
//! process. Both listen on `127.0.0.1:0`, so tests never fight over a port.

use std::io::{BufRead, BufReader, Read};
use std::net::{SocketAddr, TcpListener};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

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

/// A lab's program running as a child process, killed when this value is dropped (also when
/// the test panics).
pub struct ChildServer {
    child: Mutex<Child>,
    addr: SocketAddr,
    banner: String,
    stderr: Arc<Mutex<Vec<u8>>>,
    stderr_reader: Mutex<Option<thread::JoinHandle<()>>>,
    /// The lines printed after the banner. Keeping the receiver also keeps the program's stdout
    /// drained, so a chatty program never blocks on a full pipe (nor writes to a closed one).
    lines: Mutex<Receiver<String>>,
}

impl ChildServer {
    /// Starts `command`, which must be told to listen on port 0, and waits until it prints its
    /// first line, `listening on ADDR` or `listening on http://ADDR/`.
    pub fn start(mut command: Command) -> ChildServer {
        command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let shown = format!("{command:?}");
        let mut child = command
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {shown}: {e}"));
        let stderr = Arc::new(Mutex::new(Vec::new()));
        let stderr_reader = collect(
            child.stderr.take().expect("piped stderr"),
            Arc::clone(&stderr),
        );
        let lines = read_lines(child.stdout.take().expect("piped stdout"));

        let first = lines.recv_timeout(DEADLINE);
        let parsed = first.as_ref().ok().and_then(|line| parse_banner(line));
        let server = ChildServer {
            child: Mutex::new(child),
            addr: parsed.unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 0))),
            banner: first.clone().unwrap_or_default(),
            stderr,
            stderr_reader: Mutex::new(Some(stderr_reader)),
            lines: Mutex::new(lines),
        };
        if parsed.is_none() {
            let said = match first {
                Ok(line) => format!("its first line was {line:?}"),
                Err(_) => format!("it printed no line within {DEADLINE:?}"),
            };
            let why = server.why_stopped().unwrap_or_default();
            panic!(
                "{shown} should print `listening on ADDR` as its first line, but {said}.\n{why}"
            );
        }
        server
    }

    /// The first line the program printed, such as `listening on http://127.0.0.1:41234/`.
    pub fn banner(&self) -> &str {
        &self.banner
    }

    /// The program's process id, to look at it (its threads, its memory) or signal it.
    pub fn id(&self) -> u32 {
        self.child.lock().unwrap_or_else(|e| e.into_inner()).id()
    }

    /// Waits for the program to exit, at most `within`, and returns how it exited; `None` if it
    /// is still running then.
    pub fn exit_status(&self, within: Duration) -> Option<ExitStatus> {
        let mut child = self.child.lock().unwrap_or_else(|e| e.into_inner());
        let started = Instant::now();
        loop {
            match child.try_wait() {
                Ok(Some(status)) => return Some(status),
                Ok(None) if started.elapsed() < within => {
                    thread::sleep(Duration::from_millis(5)); // polling a process, not a test
                }
                _ => return None,
            }
        }
    }

    /// The next line the program prints on stdout after its banner, or `None` if it prints
    /// none within [`DEADLINE`] (or has exited).
    pub fn next_line(&self) -> Option<String> {
        let lines = self.lines.lock().unwrap_or_else(|e| e.into_inner());
        lines.recv_timeout(DEADLINE).ok()
    }

    /// The lines the program prints after those already read, up to and including the first
    /// one that contains `text`. Fails, showing what it did print, if no such line comes
    /// within [`DEADLINE`].
    pub fn lines_until(&self, text: &str) -> Vec<String> {
        let lines = self.lines.lock().unwrap_or_else(|e| e.into_inner());
        let started = Instant::now();
        let mut seen = Vec::new();
        loop {
            let left = DEADLINE.saturating_sub(started.elapsed());
            match lines.recv_timeout(left) {
                Ok(line) => {
                    let found = line.contains(text);
                    seen.push(line);
                    if found {
                        return seen;
                    }
                }
                Err(_) => panic!(
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
        let mut child = self.child.lock().unwrap_or_else(|e| e.into_inner());
        let started = Instant::now();
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break status,
                Ok(None) if started.elapsed() < STOP_REPORT_WAIT => {
                    thread::sleep(Duration::from_millis(5)); // only on a failing test's path
                }
                _ => return None,
            }
        };
        // The process has exited, so its stderr is at its end: read the rest of it.
        let reader = self
            .stderr_reader
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        if let Some(reader) = reader {
            let _ = reader.join();
        }
        let stderr = self.stderr.lock().unwrap_or_else(|e| e.into_inner());
        let stderr = String::from_utf8_lossy(&stderr);
        Some(format!(
            "the program exited ({status}); its stderr:\n{}",
            stderr.trim_end()
        ))
    }
}

impl Drop for ChildServer {
    fn drop(&mut self) {
        let child = self.child.get_mut().unwrap_or_else(|e| e.into_inner());
        let _ = child.kill();
        let _ = child.wait();
    }
}

/// `listening on http://127.0.0.1:41234/` or `listening on 127.0.0.1:41234` gives the address.
fn parse_banner(line: &str) -> Option<SocketAddr> {
    let rest = line.strip_prefix("listening on ")?;
    let rest = rest.strip_prefix("http://").unwrap_or(rest);
    rest.trim_end_matches('/').parse().ok()
}

fn read_lines(stdout: impl Read + Send + 'static) -> Receiver<String> {
    let (sender, lines) = mpsc::channel();
    thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if sender.send(line).is_err() {
                break;
            }
        }
    });
    lines
}

fn collect(
    mut stream: impl Read + Send + 'static,
    into: Arc<Mutex<Vec<u8>>>,
) -> thread::JoinHandle<()> {
    thread::spawn(move || {
        let mut buffer = [0; 4096];
        while let Ok(n @ 1..) = stream.read(&mut buffer) {
            into.lock()
                .unwrap_or_else(|e| e.into_inner())
                .extend_from_slice(&buffer[..n]);
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn banners_give_the_address() {
        let http = parse_banner("listening on http://127.0.0.1:8080/");
        assert_eq!(http, Some(SocketAddr::from(([127, 0, 0, 1], 8080))));
        let plain = parse_banner("listening on 127.0.0.1:50000");
        assert_eq!(plain, Some(SocketAddr::from(([127, 0, 0, 1], 50000))));
        assert_eq!(parse_banner("ready"), None);
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
