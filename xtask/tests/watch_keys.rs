//! `cargo xtask watch` in a real terminal: `q` quits without Enter, Ctrl-C quits as a key, and
//! the terminal is put back as it was. The terminal is a pseudo-terminal that util-linux's
//! `script` opens (on every Linux: Debian and Ubuntu install it with the base system).
#![cfg(target_os = "linux")]

use std::io::{Read, Write};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::thread;
use std::time::{Duration, Instant};

/// How long `watch` may take to start, and then to quit.
const DEADLINE: Duration = Duration::from_secs(30);

/// A shell in a pseudo-terminal that notes the terminal's settings, runs `watch`, then notes
/// them again; what it prints, as the terminal shows it.
struct Terminal {
    shell: Child,
    printed: Receiver<Vec<u8>>,
    text: String,
}

impl Terminal {
    fn start() -> Terminal {
        let script = format!(
            "stty -g; {} watch 1; echo \"exit=$?\"; stty -g",
            env!("CARGO_BIN_EXE_xtask")
        );
        let mut shell = Command::new("script")
            .args(["--quiet", "--return", "--command", &script, "/dev/null"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("util-linux's `script` runs a command in a pseudo-terminal");
        let mut stdout = shell.stdout.take().expect("piped");
        let (sender, printed) = mpsc::channel();
        thread::spawn(move || {
            let mut buffer = [0; 4096];
            while let Ok(n @ 1..) = stdout.read(&mut buffer) {
                let _ = sender.send(buffer[..n].to_vec());
            }
        });
        Terminal {
            shell,
            printed,
            text: String::new(),
        }
    }

    /// Waits until the terminal shows `expected`.
    fn wait_for(&mut self, expected: &str) {
        let deadline = Instant::now() + DEADLINE;
        while !self.text.contains(expected) {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.printed.recv_timeout(left) {
                Ok(bytes) => self.text += &String::from_utf8_lossy(&bytes),
                Err(_) => panic!(
                    "the terminal did not show {expected:?} within {DEADLINE:?}; it showed:\n{}",
                    self.text
                ),
            }
        }
    }

    /// Types `keys`, without Enter.
    fn press(&mut self, keys: &[u8]) {
        let stdin = self.shell.stdin.as_mut().expect("piped");
        stdin.write_all(keys).and_then(|()| stdin.flush()).unwrap();
    }

    /// The terminal's settings before `watch` and after it, once the shell has ended.
    fn settings_before_and_after(mut self) -> (String, String) {
        let deadline = Instant::now() + DEADLINE;
        let left = || deadline.saturating_duration_since(Instant::now());
        while let Ok(bytes) = self.printed.recv_timeout(left()) {
            self.text += &String::from_utf8_lossy(&bytes);
        }
        let lines: Vec<&str> = self.text.lines().map(str::trim).collect();
        let exit = lines.iter().position(|l| l.starts_with("exit="));
        let (Some(before), Some(exit)) = (lines.first(), exit) else {
            panic!("the shell did not end within {DEADLINE:?}:\n{}", self.text);
        };
        assert_eq!(lines[exit], "exit=0", "{}", self.text);
        let after = lines.get(exit + 1).unwrap_or(&"");
        (before.to_string(), after.to_string())
    }
}

impl Drop for Terminal {
    fn drop(&mut self) {
        let _ = self.shell.kill();
        let _ = self.shell.wait();
    }
}

fn quits_on(keys: &[u8]) {
    let mut terminal = Terminal::start();
    // The banner comes once the keyboard is in key mode, and says so.
    terminal.wait_for("; q quits");
    terminal.press(keys);
    terminal.wait_for("watch: stopped");
    let (before, after) = terminal.settings_before_and_after();
    assert!(before.contains(':'), "not `stty -g` settings: {before:?}");
    assert_eq!(
        before, after,
        "watch should put the terminal back as it was"
    );
}

#[test]
fn q_alone_quits_and_puts_the_terminal_back() {
    quits_on(b"q");
}

#[test]
fn ctrl_c_quits_as_a_key_and_puts_the_terminal_back() {
    quits_on(b"\x03");
}
