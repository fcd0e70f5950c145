//! What the protocol tools' tests share: starting each program, and talking to the mock servers one line
//! at a time, with a deadline on every read and write (testkit's `connect` sets them).
//!
//! A conversation can also be written in the book's notation and replayed: `C (-->): ...<CRLF>`
//! lines are sent, `S (<--): ...<CRLF>` lines must come back exactly, and a few notes in angle
//! brackets stand for connecting, hanging up and the server closing.

#![allow(dead_code)] // each test file uses its own part of this module

use std::io::{BufRead, BufReader, Write};
use std::net::{Shutdown, TcpStream};
use std::process::Command;

use testkit::{ChildServer, Target, connect, visible};

pub const CLIENT: &str = "C (-->): ";
pub const SERVER: &str = "S (<--): ";

pub fn mock_smtp() -> ChildServer {
    ChildServer::start(on_port_0(env!("CARGO_BIN_EXE_mock-smtp")))
}

pub fn mock_pop3() -> ChildServer {
    ChildServer::start(on_port_0(env!("CARGO_BIN_EXE_mock-pop3")))
}

pub fn mock_imap() -> ChildServer {
    ChildServer::start(on_port_0(env!("CARGO_BIN_EXE_mock-imap")))
}

/// `wiretap --listen 0 --to TARGET`.
pub fn wiretap(target: &str) -> ChildServer {
    let mut command = Command::new(env!("CARGO_BIN_EXE_wiretap"));
    command.args(["--listen", "0", "--to", target]);
    ChildServer::start(command)
}

fn on_port_0(program: &str) -> Command {
    let mut command = Command::new(program);
    command.args(["--port", "0"]);
    command
}

/// A line-by-line conversation with a server. On a failure it shows everything said so far.
pub struct Dialogue {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
    said: String,
}

impl Dialogue {
    pub fn open(target: &impl Target) -> Dialogue {
        let stream = connect(target);
        let writer = stream.try_clone().expect("clone the test's socket");
        Dialogue {
            reader: BufReader::new(stream),
            writer,
            said: String::new(),
        }
    }

    /// Sends `line` and `\r\n`.
    pub fn send(&mut self, line: &str) {
        self.send_raw(format!("{line}\r\n").as_bytes());
    }

    /// Sends `bytes` as they are.
    pub fn send_raw(&mut self, bytes: &[u8]) {
        self.said += &format!("{CLIENT}{}", visible(bytes));
        if let Err(error) = self.writer.write_all(bytes) {
            self.fail(&format!("sending failed: {error}"));
        }
    }

    /// Reads one line and fails unless it is `line` followed by `\r\n`, exactly.
    pub fn expect(&mut self, line: &str) {
        let got = self.read_line();
        let want = format!("{line}\r\n");
        if got != want.as_bytes() {
            self.fail(&format!(
                "expected the server to send\n    {}\nbut it sent\n    {}",
                visible(want.as_bytes()),
                visible(&got)
            ));
        }
    }

    /// Sends `command`, then expects each line of `replies`.
    pub fn says(&mut self, command: &str, replies: &[&str]) {
        self.send(command);
        for reply in replies {
            self.expect(reply);
        }
    }

    /// Fails unless the server closes the connection now.
    pub fn expect_closed(&mut self) {
        let got = self.read_line();
        if !got.is_empty() {
            self.fail(&format!(
                "expected the server to close the connection, but it sent\n    {}",
                visible(&got)
            ));
        }
    }

    /// Shuts down the test's writing side, as a client that has nothing more to say.
    pub fn stop_sending(&mut self) {
        self.said += &format!("{CLIENT}<shuts down writing>\n");
        let _ = self.writer.shutdown(Shutdown::Write);
    }

    /// One line, `\n` included; empty at the end of the stream.
    fn read_line(&mut self) -> Vec<u8> {
        let mut line = Vec::new();
        match self.reader.read_until(b'\n', &mut line) {
            Ok(_) => {
                let shown = if line.is_empty() {
                    "<closes the connection>\n".to_string()
                } else {
                    visible(&line)
                };
                self.said += &format!("{SERVER}{shown}");
                line
            }
            Err(error) => self.fail(&format!(
                "reading the server's next line failed: {error}\n(it sent {} bytes of it: {})",
                line.len(),
                visible(&line)
            )),
        }
    }

    fn fail(&self, what: &str) -> ! {
        panic!("{what}\nthe conversation so far:\n{}", self.said)
    }
}

/// Replays a conversation written in the book's notation against `target`. Lines ending in
/// `<CRLF>` are bytes on the wire; the notes it understands are `C (-->): <connects ...>` (the
/// connection itself, already open), `C (-->): <hangs up ...>` and `S (<--): <closes the
/// connection ...>`. Any other line fails, so the book cannot say something the test ignores.
pub fn replay(target: &impl Target, script: &str) {
    let mut dialogue = Dialogue::open(target);
    for line in script.lines().filter(|line| !line.trim().is_empty()) {
        let (side, content) = if let Some(content) = line.strip_prefix(CLIENT) {
            (CLIENT, content)
        } else if let Some(content) = line.strip_prefix(SERVER) {
            (SERVER, content)
        } else {
            panic!("{line:?} is neither a `{CLIENT}` nor a `{SERVER}` line")
        };
        if let Some(text) = content.strip_suffix("<CRLF>") {
            if side == CLIENT {
                dialogue.send(text);
            } else {
                dialogue.expect(text);
            }
        } else if side == CLIENT && content.starts_with("<connects") {
            // The dialogue is already connected.
        } else if side == CLIENT && content.starts_with("<hangs up") {
            return;
        } else if side == SERVER && content.starts_with("<closes the connection") {
            dialogue.expect_closed();
        } else {
            panic!(
                "{line:?}: a line must end with <CRLF>, or be one of the notes \
                 `{CLIENT}<connects...>`, `{CLIENT}<hangs up...>`, `{SERVER}<closes the connection...>`"
            );
        }
    }
}

/// Whether `tool` runs here. A laptop without it skips the test, saying so; CI on Linux never
/// does, as with the book's commands (`cargo xtask book-commands`), which install it. (Windows,
/// and Wine, name Python `python` if they have it, and are not where these tools are checked.)
pub fn have(tool: &str) -> bool {
    let found = std::process::Command::new(tool)
        .arg("--version")
        .output()
        .is_ok_and(|output| output.status.success());
    if !found {
        assert!(
            std::env::var_os("CI").is_none() || !cfg!(target_os = "linux"),
            "{tool} is needed by this test on CI"
        );
        eprintln!("NOTE: {tool} is not installed: this test checks nothing here");
    }
    found
}

/// The lecture's IMAP session, as typed into Python (`python3 -c LECTURE PORT`): it prints
/// what each call returned, one a line.
pub const LECTURE: &str = r#"
import imaplib, sys
imaplib.Debug = 4
imap = imaplib.IMAP4("127.0.0.1", int(sys.argv[1]))
print("login", imap.login("bob", "redqueen")[0])
typ, mailboxes = imap.list()
print("list", typ, mailboxes[0].decode())
print("select", *(imap.select("INBOX")[1][0].decode(),))
typ, found = imap.search(None, '(FROM "alice")')
print("search", typ, found[0].decode())
typ, data = imap.fetch(found[0], "(BODY[HEADER])")
print("header", typ, data[0][1].hex())
typ, data = imap.fetch(found[0], "(FLAGS)")
print("flags", typ, data[0].decode())
typ, data = imap.fetch(found[0], "(BODY[TEXT])")
print("text", typ, data[0][1].hex())
print("logout", imap.logout()[0])
"#;
