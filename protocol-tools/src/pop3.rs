//! `mock-pop3`: a POP3 maildrop (a subset of RFC 1939) holding two messages for bob.
//!
//! A session goes through the protocol's three states. AUTHORIZATION: the client names the
//! mailbox (`USER bob`) and proves it may read it (`PASS redqueen`); the server then locks the
//! maildrop, so that two sessions cannot delete the same message. TRANSACTION: STAT, LIST,
//! RETR, DELE, NOOP and RSET; DELE only marks a message. UPDATE: on QUIT the marked messages
//! are removed for good. A client that hangs up without QUIT deletes nothing.
//!
//! The maildrop lives as long as the program: restart it to get both messages back.

use std::io::{self, Write};
use std::net::{TcpListener, TcpStream};
use std::process::ExitCode;
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::Duration;

use crate::cli::{Program, count};
use crate::lines::{Line, LineReader};

/// The port `mock-pop3` listens on by default (POP3's own, 110, needs administrator rights).
pub const PORT: u16 = 1110;
pub use crate::maildrop::{MAILDROP, PASSWORD, USER};
/// A command line's length limit, without CRLF (RFC 2449 allows 255 bytes; we are generous).
const MAX_COMMAND: usize = 510;
/// RFC 1939: the server may close a connection idle for at least ten minutes.
const IDLE: Duration = Duration::from_secs(600);
/// How long PASS waits for a session that is ending to release the maildrop.
const LOCK_WAIT: Duration = Duration::from_millis(300);

const LOG_IN_FIRST: &str = "-ERR log in first, with USER and PASS";

/// The messages, shared by every session, and whether a session holds them.
#[derive(Debug)]
pub struct Maildrop {
    state: Mutex<Stored>,
    released: Condvar,
}

#[derive(Debug)]
struct Stored {
    messages: Vec<Vec<u8>>,
    locked: bool,
}

impl Maildrop {
    /// A maildrop holding [`MAILDROP`].
    pub fn new() -> Maildrop {
        Maildrop {
            state: Mutex::new(Stored {
                messages: MAILDROP.iter().map(|m| m.to_vec()).collect(),
                locked: false,
            }),
            released: Condvar::new(),
        }
    }

    fn stored(&self) -> MutexGuard<'_, Stored> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Locks the maildrop for one session and returns its messages, or `None` if another
    /// session still holds it after [`LOCK_WAIT`].
    fn lock(&self) -> Option<Vec<Vec<u8>>> {
        let stored = self.stored();
        let (mut stored, _) = self
            .released
            .wait_timeout_while(stored, LOCK_WAIT, |stored| stored.locked)
            .unwrap_or_else(|e| e.into_inner());
        if stored.locked {
            return None;
        }
        stored.locked = true;
        Some(stored.messages.clone())
    }

    /// Removes the messages marked in `deleted` (the UPDATE state), unlocks, and returns how
    /// many messages are left.
    fn update(&self, deleted: &[bool]) -> usize {
        let mut stored = self.stored();
        let mut marks = deleted.iter();
        stored
            .messages
            .retain(|_| !marks.next().copied().unwrap_or(false));
        stored.locked = false;
        self.released.notify_all();
        stored.messages.len()
    }

    fn unlock(&self) {
        self.stored().locked = false;
        self.released.notify_all();
    }
}

impl Default for Maildrop {
    fn default() -> Maildrop {
        Maildrop::new()
    }
}

/// What the server does after a reply.
#[derive(Debug, PartialEq)]
pub enum Next {
    Command,
    Close,
}

#[derive(Debug)]
enum State {
    Authorization {
        user: Option<String>,
    },
    Transaction {
        messages: Vec<Vec<u8>>,
        deleted: Vec<bool>,
    },
    Done,
}

/// One client's session. If the client leaves without QUIT, dropping the session unlocks the
/// maildrop and deletes nothing.
#[derive(Debug)]
pub struct Session<'a> {
    maildrop: &'a Maildrop,
    state: State,
}

impl Drop for Session<'_> {
    fn drop(&mut self) {
        if let State::Transaction { .. } = self.state {
            self.maildrop.unlock();
        }
    }
}

impl<'a> Session<'a> {
    pub fn new(maildrop: &'a Maildrop) -> Session<'a> {
        Session {
            maildrop,
            state: State::Authorization { user: None },
        }
    }

    /// The first thing the server says.
    pub fn greeting() -> String {
        "+OK POP3 server ready\r\n".into()
    }

    /// The reply to one command line (without its line end), and what to do next.
    pub fn command(&mut self, line: &[u8]) -> (String, Next) {
        let line = String::from_utf8_lossy(line);
        let (verb, argument) = match line.split_once(' ') {
            Some((verb, argument)) => (verb.to_ascii_uppercase(), argument.trim()),
            None => (line.to_ascii_uppercase(), ""),
        };
        if verb == "QUIT" {
            return (self.quit(), Next::Close);
        }
        let answer = match &mut self.state {
            State::Authorization { user } => match verb.as_str() {
                "USER" => Self::user(user, argument),
                "PASS" => return (self.pass(argument), Next::Command),
                "STAT" | "LIST" | "RETR" | "DELE" | "NOOP" | "RSET" => line_of(LOG_IN_FIRST),
                _ => line_of("-ERR unknown command"),
            },
            State::Transaction { messages, deleted } => {
                transaction(&verb, argument, messages, deleted)
            }
            State::Done => line_of("-ERR the session is over"),
        };
        (answer, Next::Command)
    }

    fn user(user: &mut Option<String>, name: &str) -> String {
        *user = None;
        if name.is_empty() {
            line_of("-ERR USER needs a mailbox name")
        } else if name == USER {
            *user = Some(name.to_string());
            line_of(&format!("+OK {name}"))
        } else {
            line_of(&format!("-ERR no mailbox for {name} here"))
        }
    }

    fn pass(&mut self, password: &str) -> String {
        let State::Authorization { user } = &mut self.state else {
            return line_of("-ERR already logged in");
        };
        let Some(name) = user.take() else {
            return line_of("-ERR send USER first");
        };
        if password != PASSWORD {
            return line_of("-ERR invalid password");
        }
        let Some(messages) = self.maildrop.lock() else {
            return line_of("-ERR unable to lock maildrop");
        };
        let answer = format!("+OK {name}'s maildrop has {}", summary(&messages));
        let deleted = vec![false; messages.len()];
        self.state = State::Transaction { messages, deleted };
        line_of(&answer)
    }

    fn quit(&mut self) -> String {
        let state = std::mem::replace(&mut self.state, State::Done);
        match state {
            State::Transaction { deleted, .. } => {
                let left = match self.maildrop.update(&deleted) {
                    0 => "maildrop empty".to_string(),
                    n => format!("{} left", count(n, "message")),
                };
                line_of(&format!("+OK POP3 server signing off ({left})"))
            }
            _ => line_of("+OK POP3 server signing off"),
        }
    }
}

/// A command of the TRANSACTION state.
fn transaction(verb: &str, argument: &str, messages: &[Vec<u8>], deleted: &mut [bool]) -> String {
    let kept: Vec<(usize, &Vec<u8>)> = messages
        .iter()
        .enumerate()
        .filter(|(i, _)| !deleted[*i])
        .collect();
    match verb {
        "STAT" => {
            let octets: usize = kept.iter().map(|(_, m)| m.len()).sum();
            line_of(&format!("+OK {} {octets}", kept.len()))
        }
        "LIST" if argument.is_empty() => {
            let kept_messages: Vec<Vec<u8>> = kept.iter().map(|(_, m)| m.to_vec()).collect();
            let mut answer = line_of(&format!("+OK {}", summary(&kept_messages)));
            for (i, message) in &kept {
                answer += &line_of(&format!("{} {}", i + 1, message.len()));
            }
            answer + ".\r\n"
        }
        "LIST" | "RETR" | "DELE" => match pick(verb, argument, messages, deleted) {
            Err(refusal) => line_of(&refusal),
            Ok(i) if verb == "LIST" => line_of(&format!("+OK {} {}", i + 1, messages[i].len())),
            Ok(i) if verb == "RETR" => {
                let header = line_of(&format!("+OK {} octets", messages[i].len()));
                header + &String::from_utf8_lossy(&dot_stuffed(&messages[i])) + ".\r\n"
            }
            Ok(i) => {
                deleted[i] = true;
                line_of(&format!("+OK message {} deleted", i + 1))
            }
        },
        "NOOP" => line_of("+OK"),
        "RSET" => {
            deleted.fill(false);
            line_of(&format!("+OK maildrop has {}", summary(messages)))
        }
        "USER" | "PASS" | "APOP" => line_of("-ERR already logged in"),
        _ => line_of("-ERR unknown command"),
    }
}

/// The index of the message numbered `argument`, or the refusal to send.
fn pick(
    verb: &str,
    argument: &str,
    messages: &[Vec<u8>],
    deleted: &[bool],
) -> Result<usize, String> {
    let number: usize = argument
        .parse()
        .map_err(|_| format!("-ERR {verb} needs a message number"))?;
    if number == 0 || number > messages.len() {
        return Err(format!(
            "-ERR no such message, only {} in maildrop",
            count(messages.len(), "message")
        ));
    }
    if deleted[number - 1] {
        return Err(format!("-ERR message {number} already deleted"));
    }
    Ok(number - 1)
}

/// `2 messages (320 octets)`.
fn summary(messages: &[Vec<u8>]) -> String {
    let octets: usize = messages.iter().map(Vec::len).sum();
    format!("{} ({octets} octets)", count(messages.len(), "message"))
}

fn line_of(text: &str) -> String {
    format!("{text}\r\n")
}

/// `message` as it travels after `+OK` in RETR: a dot is added before every line that starts
/// with one, so that no line of the message can look like the terminating `.` line.
pub fn dot_stuffed(message: &[u8]) -> Vec<u8> {
    let mut stuffed = Vec::with_capacity(message.len() + 8);
    for line in message.split_inclusive(|&b| b == b'\n') {
        if line.starts_with(b".") {
            stuffed.push(b'.');
        }
        stuffed.extend_from_slice(line);
    }
    if !stuffed.ends_with(b"\r\n") {
        stuffed.extend_from_slice(b"\r\n");
    }
    stuffed
}

/// `mock-pop3 [--host HOST] [--port PORT]`.
pub fn program(args: Vec<String>) -> ExitCode {
    let program = Program {
        name: "mock-pop3",
        usage: format!(
            "usage: mock-pop3 [--host HOST] [--port PORT]\n\
             A small POP3 server for the classroom: user {USER}, password {PASSWORD}, two\n\
             messages. Deletions last until the program stops.\n\
             HOST defaults to 127.0.0.1, PORT to {PORT}. Talk to it with: nc -C localhost {PORT}"
        ),
    };
    program.serve(args, PORT, serve)
}

/// Accepts clients forever, each on its own thread, all sharing one maildrop.
pub fn serve(listener: TcpListener) -> ExitCode {
    crate::cli::serve_each("mock-pop3", listener, Maildrop::new(), converse)
}

fn converse(stream: TcpStream, maildrop: &Maildrop) -> io::Result<()> {
    stream.set_read_timeout(Some(IDLE))?;
    let mut writer = stream.try_clone()?;
    let mut reader = LineReader::new(stream);
    // Declared last, so dropped first: the maildrop is unlocked before the connection closes.
    let mut session = Session::new(maildrop);
    writer.write_all(Session::greeting().as_bytes())?;
    loop {
        let line = match reader.next_line(MAX_COMMAND) {
            Ok(Line::Text(line)) => line,
            Ok(Line::TooLong) => {
                writer.write_all(b"-ERR line too long\r\n")?;
                continue;
            }
            // End of stream or an idle client: RFC 1939 says close without a reply.
            Ok(Line::End) => return Ok(()),
            Err(error) => return Err(error),
        };
        let (answer, next) = session.command(&line);
        writer.write_all(answer.as_bytes())?;
        if next == Next::Close {
            return Ok(());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_starting_with_a_dot_get_another() {
        assert_eq!(dot_stuffed(b"a\r\n.b\r\n..\r\n"), b"a\r\n..b\r\n...\r\n");
        assert_eq!(dot_stuffed(b"no line end"), b"no line end\r\n");
    }

    #[test]
    fn a_session_that_ends_without_quit_unlocks_and_deletes_nothing() {
        let maildrop = Maildrop::new();
        {
            let mut session = Session::new(&maildrop);
            session.command(b"USER bob");
            assert!(session.command(b"PASS redqueen").0.starts_with("+OK"));
            session.command(b"DELE 1");
        }
        let mut session = Session::new(&maildrop);
        session.command(b"USER bob");
        let (answer, _) = session.command(b"PASS redqueen");
        assert_eq!(answer, "+OK bob's maildrop has 2 messages (320 octets)\r\n");
    }
}
