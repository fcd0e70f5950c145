//! Running other programs with a time limit: the nested cargo commands of `verify` and `grade`,
//! and the labs' test binaries that `grade` runs one test at a time.

use std::io::Read;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// A nested cargo command that takes longer than this is stopped and reported as a hang.
pub const CARGO_LIMIT: Duration = Duration::from_secs(600);

/// How long to wait for the rest of a program's output once it has ended. Only a process it
/// started and left running can hold its output open longer.
const OUTPUT_GRACE: Duration = Duration::from_secs(2);

pub struct Run {
    pub success: bool,
    /// The exit code, if the program exited rather than being killed by a signal.
    pub code: Option<i32>,
    /// stdout and stderr, in that order.
    pub output: String,
}

/// Set by [`stop_everything`]: no program starts any more, and those running are killed.
static STOPPING: AtomicBool = AtomicBool::new(false);

/// Stops every program this process runs through [`run_within`], with the processes they
/// started, and refuses to start any more: for `watch`, which quits in the middle of a grade.
/// There is no way back, so only a process about to exit calls it.
pub fn stop_everything() {
    STOPPING.store(true, Ordering::SeqCst);
}

/// How a program ended: by itself, or stopped at its time limit.
pub enum Ending {
    Exited(Run),
    /// It was still running at its time limit and was killed; what it had printed by then.
    Stopped(String),
}

/// `cargo ARGS`, run in `dir`, without backtraces in its output.
pub fn cargo_command(dir: &Path, args: &[&str]) -> Command {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut command = Command::new(cargo);
    command
        .args(args)
        .current_dir(dir)
        .env("RUST_BACKTRACE", "0");
    command
}

/// Runs `cargo ARGS` in `dir`, echoing nothing, and stops it after [`CARGO_LIMIT`].
pub fn cargo(dir: &Path, args: &[&str]) -> Result<Run, String> {
    run_cargo(cargo_command(dir, args))
}

/// Runs a cargo command made by [`cargo_command`]; a hang is an error.
pub fn run_cargo(command: Command) -> Result<Run, String> {
    let shown = format!("{command:?}");
    match run_within(command, CARGO_LIMIT, false)? {
        Ending::Exited(run) => Ok(run),
        Ending::Stopped(output) => Err(format!(
            "{shown} did not finish within {}s and was stopped:\n{output}",
            CARGO_LIMIT.as_secs()
        )),
    }
}

/// Runs `command` with its output captured and no input, and kills it if it is still running
/// after `limit`; with `and_children`, the processes it started too, so that the
/// servers a test started die with it.
///
/// The program stays in our process group: a Ctrl-C in the terminal stops it with us, which
/// matters for a test that would otherwise loop forever on its own.
pub fn run_within(command: Command, limit: Duration, and_children: bool) -> Result<Ending, String> {
    run_with_input(command, None, limit, and_children)
}

/// [`run_within`], with `input` written to the program's standard input, which is then
/// closed (with `None`, it reads nothing).
pub fn run_with_input(
    mut command: Command,
    input: Option<Vec<u8>>,
    limit: Duration,
    and_children: bool,
) -> Result<Ending, String> {
    command
        .stdin(if input.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let shown = format!("{:?}", command.get_program());
    if STOPPING.load(Ordering::SeqCst) {
        return Err(format!("{shown} not started: stopping"));
    }
    let mut child = command
        .spawn()
        .map_err(|e| format!("cannot run {shown}: {e}"))?;
    if let (Some(input), Some(mut stdin)) = (input, child.stdin.take()) {
        // On a thread, so that a program that does not read cannot stop us; dropped: closed.
        thread::spawn(move || {
            use std::io::Write;
            let _ = stdin.write_all(&input);
        });
    }
    let stdout = Output::drain(child.stdout.take());
    let stderr = Output::drain(child.stderr.take());
    let started = Instant::now();
    // Short pauses at first: most tests end within milliseconds.
    let mut pause = Duration::from_millis(1);
    let status = loop {
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            break Some(status);
        }
        let stopping = STOPPING.load(Ordering::SeqCst);
        if stopping || started.elapsed() > limit {
            kill(&mut child, and_children || stopping);
            break None;
        }
        thread::sleep(pause); // polling a child process, not waiting for readiness
        pause = (pause * 2).min(Duration::from_millis(20));
    };
    let output = stdout.collect() + &stderr.collect();
    Ok(match status {
        Some(status) => Ending::Exited(Run {
            success: status.success(),
            code: status.code(),
            output,
        }),
        None => Ending::Stopped(output),
    })
}

/// Kills `child`, and with `and_children` the processes it started too.
fn kill(child: &mut Child, and_children: bool) {
    if and_children {
        let _ = tree_killer(child.id())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// A command that kills the children of process `pid`, while they are still known as its
/// children.
#[cfg(unix)]
fn tree_killer(pid: u32) -> Command {
    let mut command = Command::new("pkill");
    command.args(["-KILL", "-P", &pid.to_string()]);
    command
}

/// A command that kills process `pid` and every process it started (`/T`: the whole tree).
#[cfg(windows)]
fn tree_killer(pid: u32) -> Command {
    let mut command = Command::new("taskkill");
    command.args(["/F", "/T", "/PID", &pid.to_string()]);
    command
}

/// How much of a stream's beginning, and of its end, is kept: a program that prints without
/// end costs no more memory than this.
const KEPT_HEAD: usize = 1 << 20;
const KEPT_TAIL: usize = 64 << 10;

/// One output stream of a program, read on a thread until it closes.
struct Output {
    kept: Arc<Mutex<Kept>>,
    closed: Receiver<()>,
}

/// The beginning and the end of a stream, and how much was left out between them.
#[derive(Default)]
struct Kept {
    head: Vec<u8>,
    tail: std::collections::VecDeque<u8>,
    left_out: usize,
}

impl Kept {
    fn extend(&mut self, bytes: &[u8]) {
        let into_head = bytes.len().min(KEPT_HEAD - self.head.len());
        self.head.extend_from_slice(&bytes[..into_head]);
        self.tail.extend(&bytes[into_head..]);
        let excess = self.tail.len().saturating_sub(KEPT_TAIL);
        self.tail.drain(..excess);
        self.left_out += excess;
    }

    fn text(&self) -> String {
        let mut text = String::from_utf8_lossy(&self.head).into_owned();
        if self.left_out > 0 {
            text += &format!("\n[... {} bytes of output left out ...]\n", self.left_out);
        }
        let (a, b) = self.tail.as_slices();
        text + &String::from_utf8_lossy(&[a, b].concat())
    }
}

impl Output {
    fn drain(stream: Option<impl Read + Send + 'static>) -> Output {
        let kept = Arc::new(Mutex::new(Kept::default()));
        let (sender, closed) = mpsc::channel();
        let filled = Arc::clone(&kept);
        thread::spawn(move || {
            if let Some(mut stream) = stream {
                let mut buffer = [0; 8192];
                while let Ok(n @ 1..) = stream.read(&mut buffer) {
                    let mut kept = filled.lock().unwrap_or_else(|e| e.into_inner());
                    kept.extend(&buffer[..n]);
                }
            }
            let _ = sender.send(());
        });
        Output { kept, closed }
    }

    /// What was kept, once the stream has closed or [`OUTPUT_GRACE`] has passed.
    fn collect(self) -> String {
        let _ = self.closed.recv_timeout(OUTPUT_GRACE);
        let kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        kept.text()
    }
}

// The tests drive `sh`.
#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn a_program_past_its_limit_is_stopped_with_what_it_printed() {
        let mut command = Command::new("sh");
        command.args(["-c", "echo started; sleep 30 & wait"]);
        let started = Instant::now();
        let ending = run_within(command, Duration::from_millis(300), true).unwrap();
        match ending {
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
    fn endless_output_keeps_its_beginning_and_its_end() {
        let mut kept = Kept::default();
        kept.extend(b"first\n");
        for _ in 0..40 {
            kept.extend(&[b'x'; 64 << 10]);
        }
        kept.extend(b"\nlast\n");
        let text = kept.text();
        assert!(text.starts_with("first\n"));
        assert!(text.ends_with("\nlast\n"));
        assert!(text.len() < KEPT_HEAD + KEPT_TAIL + 100, "{}", text.len());
        assert!(text.contains("bytes of output left out"));
    }

    #[test]
    fn input_is_written_and_closed() {
        let mut command = Command::new("sh");
        command.args(["-c", "cat; echo end"]);
        let input = Some(b"secret\n".to_vec());
        match run_with_input(command, input, Duration::from_secs(10), true).unwrap() {
            Ending::Exited(run) => assert_eq!(run.output, "secret\nend\n"),
            Ending::Stopped(_) => panic!("cat should have seen the end of its input"),
        }
    }

    #[test]
    fn a_program_that_ends_in_time_gives_its_status_and_output() {
        let mut command = Command::new("sh");
        command.args(["-c", "echo out; echo err >&2; exit 3"]);
        match run_within(command, Duration::from_secs(10), true).unwrap() {
            Ending::Exited(run) => {
                assert!(!run.success);
                assert_eq!(run.output, "out\nerr\n");
            }
            Ending::Stopped(_) => panic!("the program should have ended by itself"),
        }
    }
}
