//! The keyboard. In a terminal, `q` quits at once, without Enter: the terminal hands `watch`
//! each key as it is typed. Elsewhere (an editor's run pane, a pipe) the input comes in lines,
//! and a line `q` quits.

use std::io::{BufRead, IsTerminal};
use std::sync::mpsc::Sender;
use std::thread;

use super::Event;

/// The keys that quit: `q`, `Q`, and Ctrl-C, which a terminal in key mode hands over as a byte
/// instead of turning it into a signal.
const QUIT_KEYS: &[u8] = b"qQ\x03";

/// How the keyboard is read; while it lives, the terminal (if any) is in key mode, and it puts
/// the terminal back as it was when dropped, however `watch` ends short of being killed.
pub struct Keyboard {
    mode: Option<KeyMode>,
}

impl Keyboard {
    /// Listens on the standard input on a thread of its own, sending [`Event::Quit`] when a
    /// quit key (or line) comes. At the end of the input (none at all, in an editor's run
    /// pane) the session simply goes on.
    pub fn listen(events: Sender<Event>) -> Keyboard {
        let mode = std::io::stdin()
            .is_terminal()
            .then(KeyMode::enter)
            .flatten();
        let keys = mode.is_some();
        thread::spawn(move || {
            let stdin = std::io::stdin();
            let quit = if keys {
                quits_on_a_key(stdin.lock())
            } else {
                quits_on_a_line(stdin.lock())
            };
            if quit {
                let _ = events.send(Event::Quit);
            }
        });
        Keyboard { mode }
    }

    /// How to quit, as the view says it.
    pub fn how_to_quit(&self) -> &'static str {
        match self.mode {
            Some(_) => "q quits",
            None => "q then Enter quits",
        }
    }
}

/// Whether a quit key came before the end of `input`.
fn quits_on_a_key(input: impl BufRead) -> bool {
    input
        .bytes()
        .map_while(Result::ok)
        .any(|byte| QUIT_KEYS.contains(&byte))
}

/// Whether a line `q` came before the end of `input`.
fn quits_on_a_line(input: impl BufRead) -> bool {
    input
        .lines()
        .map_while(Result::ok)
        .any(|line| line.trim().eq_ignore_ascii_case("q"))
}

/// The terminal in key mode: keys arrive one at a time, unechoed, and Ctrl-C arrives as a key
/// (so that quitting stops the tests' programs and puts the terminal back before exiting).
/// On Unix `stty` switches it, as it would in a shell script: a terminal crate would add a
/// dependency tree to xtask, and the calls behind it are unsafe, which the workspace forbids.
#[cfg(unix)]
struct KeyMode {
    /// The settings as `stty -g` printed them, which `stty` takes back.
    saved: String,
}

#[cfg(unix)]
impl KeyMode {
    fn enter() -> Option<KeyMode> {
        let saved = stty(&["-g"])?;
        stty(&["-icanon", "-echo", "-isig", "min", "1", "time", "0"])?;
        Some(KeyMode { saved })
    }
}

#[cfg(unix)]
impl Drop for KeyMode {
    fn drop(&mut self) {
        let _ = stty(&[&self.saved]);
    }
}

/// Runs `stty ARGS` on the terminal of the standard input; what it printed, if it succeeded.
#[cfg(unix)]
fn stty(args: &[&str]) -> Option<String> {
    use std::process::{Command, Stdio};
    let output = Command::new("stty")
        .args(args)
        .stdin(Stdio::inherit())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    let printed = String::from_utf8(output.stdout).ok()?;
    output.status.success().then(|| printed.trim().to_string())
}

/// On Windows, crossterm's raw mode: the console's input without line editing, echo or Ctrl-C
/// processing. The output is left as it is.
#[cfg(windows)]
struct KeyMode;

#[cfg(windows)]
impl KeyMode {
    fn enter() -> Option<KeyMode> {
        crossterm::terminal::enable_raw_mode()
            .ok()
            .map(|()| KeyMode)
    }
}

#[cfg(windows)]
impl Drop for KeyMode {
    fn drop(&mut self) {
        let _ = crossterm::terminal::disable_raw_mode();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn q_or_ctrl_c_quits_without_enter() {
        assert!(quits_on_a_key(&b"abq"[..]));
        assert!(quits_on_a_key(&b"Q"[..]));
        assert!(quits_on_a_key(&b"\x03"[..]));
        assert!(!quits_on_a_key(&b"hello\n"[..]));
        assert!(!quits_on_a_key(&b""[..]));
    }

    #[test]
    fn only_a_line_q_quits_lines() {
        assert!(quits_on_a_line(&b"hello\n  q \n"[..]));
        assert!(quits_on_a_line(&b"Q"[..]));
        assert!(!quits_on_a_line(&b"quit\n"[..]));
        assert!(!quits_on_a_line(&b"\x03\n"[..]));
        assert!(!quits_on_a_line(&b""[..]));
    }
}
