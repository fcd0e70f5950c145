//! `mock-smtp`: a mail receiver that speaks enough SMTP (RFC 5321) for the chapter's exchange.
//!
//! It accepts mail for two mailboxes, `alice@example.com` and `bob@example.com` (in any
//! letter case), refuses every other recipient with `550 No such user here`, and prints each
//! message it receives on stdout instead of delivering it. Every connection is served on its
//! own thread, so a class can share one server.
//!
//! The conversation lives in [`Session`], which turns one command line into its reply with no
//! I/O at all; [`serve`] moves the lines between the socket and the session.

use std::io::{self, Write};
use std::net::{TcpListener, TcpStream};
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use crate::cli::{self, Program};
use crate::lines::{Line, LineReader};

/// The port `mock-smtp` listens on by default (SMTP's own, 25, needs administrator rights).
pub const PORT: u16 = 2525;
/// The name the server gives itself in its replies.
pub const DOMAIN: &str = "mail.example.com";
/// The mailboxes that exist; mail to any other address is refused.
pub const MAILBOXES: [&str; 2] = ["alice@example.com", "bob@example.com"];
/// The largest message accepted, announced in the reply to EHLO (`250-SIZE`).
pub const MAX_MESSAGE: usize = 1_048_576;
/// RFC 5321 limits: a command line is at most 512 bytes and a line of text 1000, CRLF included.
const MAX_COMMAND: usize = 510;
const MAX_TEXT_LINE: usize = 998;
const MAX_RECIPIENTS: usize = 100;
/// A client silent for this long is told goodbye (RFC 5321 suggests at least five minutes).
const IDLE: Duration = Duration::from_secs(300);

const OK: &str = "250 OK";
const NEED_GREETING: &str = "503 Bad sequence of commands: send EHLO or HELO first";
const NEED_MAIL: &str = "503 Bad sequence of commands: send MAIL first";

/// What the server does after a reply.
#[derive(Debug, PartialEq)]
pub enum Next {
    /// Read the next command.
    Command,
    /// Read the message text, up to the line holding a single dot.
    Data,
    /// Close the connection (the client said QUIT).
    Close,
}

/// A message as received: the envelope (MAIL FROM, RCPT TO) and the text after DATA.
#[derive(Debug, PartialEq)]
pub struct Mail {
    pub from: String,
    pub to: Vec<String>,
    /// The text with its dots unstuffed, each line ending in CRLF.
    pub data: Vec<u8>,
}

/// How the text after DATA ended.
#[derive(Debug, PartialEq)]
pub enum Data {
    /// The whole text, unstuffed.
    Text(Vec<u8>),
    /// A line was longer than RFC 5321 allows.
    LineTooLong,
    /// The text was larger than [`MAX_MESSAGE`].
    TooBig,
}

/// One client's conversation: who said hello, and the mail transaction in progress.
#[derive(Debug, Default)]
pub struct Session {
    greeted: bool,
    from: Option<String>,
    to: Vec<String>,
}

impl Session {
    /// The first thing the server says.
    pub fn greeting() -> String {
        reply(&[&format!("220 {DOMAIN} Simple Mail Transfer Service Ready")])
    }

    /// The reply to one command line (without its line end), and what to do next.
    pub fn command(&mut self, line: &[u8]) -> (String, Next) {
        let line = String::from_utf8_lossy(line);
        let (verb, argument) = match line.split_once(' ') {
            Some((verb, argument)) => (verb, argument.trim()),
            None => (line.as_ref(), ""),
        };
        let verb = verb.to_ascii_uppercase();
        let answer = match verb.as_str() {
            "EHLO" | "HELO" if argument.is_empty() => format!("501 Syntax: {verb} domain"),
            "EHLO" => {
                self.greeted = true;
                self.reset();
                return (
                    reply(&[
                        &format!("250-{DOMAIN} greets {argument}"),
                        "250-8BITMIME",
                        &format!("250-SIZE {MAX_MESSAGE}"),
                        "250 HELP",
                    ]),
                    Next::Command,
                );
            }
            "HELO" => {
                self.greeted = true;
                self.reset();
                format!("250 {DOMAIN} greets {argument}")
            }
            "MAIL" => self.mail(argument),
            "RCPT" => self.rcpt(argument),
            "DATA" => match self.data_allowed(argument) {
                Ok(()) => {
                    let go = "354 Start mail input; end with a line holding only a dot";
                    return (reply(&[go]), Next::Data);
                }
                Err(refusal) => refusal.to_string(),
            },
            "RSET" => {
                self.reset();
                OK.into()
            }
            "NOOP" => OK.into(),
            "HELP" => "214 Commands: EHLO HELO MAIL RCPT DATA RSET NOOP QUIT HELP".into(),
            "QUIT" => {
                let bye = format!("221 {DOMAIN} Service closing transmission channel");
                return (reply(&[&bye]), Next::Close);
            }
            "VRFY" | "EXPN" | "STARTTLS" | "AUTH" | "BDAT" => "502 Command not implemented".into(),
            _ => "500 Syntax error, command unrecognized".into(),
        };
        (reply(&[&answer]), Next::Command)
    }

    /// The reply once the text after DATA has ended, and the message if it was accepted. The
    /// transaction is over either way: the next one starts with MAIL.
    pub fn end_of_data(&mut self, data: Data) -> (String, Option<Mail>) {
        let from = self.from.take().unwrap_or_default();
        let to = std::mem::take(&mut self.to);
        let (answer, mail) = match data {
            Data::Text(data) => (OK, Some(Mail { from, to, data })),
            Data::LineTooLong => ("500 Line too long", None),
            Data::TooBig => ("552 Message size exceeds fixed maximum message size", None),
        };
        (reply(&[answer]), mail)
    }

    fn reset(&mut self) {
        self.from = None;
        self.to.clear();
    }

    fn mail(&mut self, argument: &str) -> String {
        if !self.greeted {
            return NEED_GREETING.into();
        }
        if self.from.is_some() {
            return "503 Bad sequence of commands: a mail transaction is already open".into();
        }
        let Some((path, parameters)) = path_after("FROM:", argument) else {
            return "501 Syntax: MAIL FROM:<address>".into();
        };
        for parameter in parameters.split_whitespace() {
            let (key, value) = parameter.split_once('=').unwrap_or((parameter, ""));
            let known = match key.to_ascii_uppercase().as_str() {
                "BODY" => ["7BIT", "8BITMIME"].contains(&value.to_ascii_uppercase().as_str()),
                "SIZE" => match value.parse::<usize>() {
                    Ok(size) if size > MAX_MESSAGE => {
                        return "552 Message size exceeds fixed maximum message size".into();
                    }
                    Ok(_) => true,
                    Err(_) => false,
                },
                _ => false,
            };
            if !known {
                return "555 MAIL FROM parameters not recognized or not implemented".into();
            }
        }
        self.from = Some(path.to_string());
        OK.into()
    }

    fn rcpt(&mut self, argument: &str) -> String {
        if !self.greeted {
            return NEED_GREETING.into();
        }
        if self.from.is_none() {
            return NEED_MAIL.into();
        }
        let Some((path, parameters)) = path_after("TO:", argument).filter(|(p, _)| !p.is_empty())
        else {
            return "501 Syntax: RCPT TO:<address>".into();
        };
        if !parameters.is_empty() {
            return "555 RCPT TO parameters not recognized or not implemented".into();
        }
        if !MAILBOXES
            .iter()
            .any(|mailbox| mailbox.eq_ignore_ascii_case(path))
        {
            return "550 No such user here".into();
        }
        if self.to.len() >= MAX_RECIPIENTS {
            return "452 Too many recipients".into();
        }
        self.to.push(path.to_string());
        OK.into()
    }

    fn data_allowed(&self, argument: &str) -> Result<(), &'static str> {
        if !argument.is_empty() {
            Err("501 Syntax: DATA takes no arguments")
        } else if !self.greeted {
            Err(NEED_GREETING)
        } else if self.from.is_none() {
            Err(NEED_MAIL)
        } else if self.to.is_empty() {
            Err("554 No valid recipients")
        } else {
            Ok(())
        }
    }
}

/// `FROM:<path> PARAMETERS` gives `(path, parameters)`. The keyword is case-insensitive; a
/// space after the colon is tolerated (many clients send one); the angle brackets are not
/// optional.
fn path_after<'a>(keyword: &str, argument: &'a str) -> Option<(&'a str, &'a str)> {
    let head = argument.get(..keyword.len())?;
    if !head.eq_ignore_ascii_case(keyword) {
        return None;
    }
    let rest = argument[keyword.len()..].trim_start().strip_prefix('<')?;
    let (path, parameters) = rest.split_once('>')?;
    if path.contains(|c: char| c.is_whitespace() || c == '<') {
        return None;
    }
    Some((path, parameters.trim()))
}

/// Reply lines, each ended with CRLF.
fn reply(lines: &[&str]) -> String {
    lines.iter().map(|line| format!("{line}\r\n")).collect()
}

/// Reads the text after DATA up to the line holding a single dot, removing the extra dot the
/// client put before every line that starts with one. `None` if the client hung up first.
pub fn read_data<R: io::Read>(reader: &mut LineReader<R>) -> io::Result<Option<Data>> {
    let mut text = Vec::new();
    let mut line_too_long = false;
    loop {
        match reader.next_line(MAX_TEXT_LINE)? {
            Line::End => return Ok(None),
            Line::TooLong => line_too_long = true,
            Line::Text(line) if line == b"." => break,
            Line::Text(line) => {
                let line = line.strip_prefix(b".").unwrap_or(&line);
                if text.len() <= MAX_MESSAGE {
                    text.extend_from_slice(line);
                    text.extend_from_slice(b"\r\n");
                }
            }
        }
    }
    Ok(Some(if line_too_long {
        Data::LineTooLong
    } else if text.len() > MAX_MESSAGE {
        Data::TooBig
    } else {
        Data::Text(text)
    }))
}

/// `mock-smtp [--host HOST] [--port PORT]`.
pub fn program(args: Vec<String>) -> ExitCode {
    let program = Program {
        name: "mock-smtp",
        usage: format!(
            "usage: mock-smtp [--host HOST] [--port PORT]\n\
             A small SMTP server for the classroom. It accepts mail for {} and\n\
             {} and prints each message it receives; it delivers nothing.\n\
             HOST defaults to 127.0.0.1, PORT to {PORT}. Talk to it with: nc -C localhost {PORT}",
            MAILBOXES[0], MAILBOXES[1]
        ),
    };
    program.serve(args, PORT, serve)
}

/// Accepts clients forever, each on its own thread.
pub fn serve(listener: TcpListener) -> ExitCode {
    crate::cli::serve_each("mock-smtp", listener, AtomicUsize::new(0), converse)
}

fn converse(stream: TcpStream, received: &AtomicUsize) -> io::Result<()> {
    stream.set_read_timeout(Some(IDLE))?;
    let mut writer = stream.try_clone()?;
    let mut reader = LineReader::new(stream);
    let mut session = Session::default();
    writer.write_all(Session::greeting().as_bytes())?;
    loop {
        let line = match reader.next_line(MAX_COMMAND) {
            Ok(Line::Text(line)) => line,
            Ok(Line::TooLong) => {
                writer.write_all(reply(&["500 Line too long"]).as_bytes())?;
                continue;
            }
            Ok(Line::End) => return Ok(()),
            Err(error) if is_timeout(&error) => {
                let bye =
                    format!("421 {DOMAIN} Service not available, closing transmission channel");
                return writer.write_all(reply(&[&bye]).as_bytes());
            }
            Err(error) => return Err(error),
        };
        let (answer, next) = session.command(&line);
        writer.write_all(answer.as_bytes())?;
        match next {
            Next::Command => {}
            Next::Close => return Ok(()),
            Next::Data => {
                let Some(data) = read_data(&mut reader)? else {
                    return Ok(());
                };
                let (answer, mail) = session.end_of_data(data);
                if let Some(mail) = mail {
                    print_mail(received.fetch_add(1, Ordering::SeqCst) + 1, &mail);
                }
                writer.write_all(answer.as_bytes())?;
            }
        }
    }
}

fn is_timeout(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

/// Prints a received message between two marker lines, in one piece so that messages from
/// several clients never mix. Control characters are replaced: they could upset the terminal.
fn print_mail(number: usize, mail: &Mail) {
    cli::say(&mail_text(number, mail));
}

/// How a received message is printed: every part that came from the client, the envelope as
/// well as the text, made safe for the terminal.
fn mail_text(number: usize, mail: &Mail) -> String {
    let to: Vec<String> = mail
        .to
        .iter()
        .map(|to| format!("<{}>", cli::safe(to)))
        .collect();
    let mut text = format!(
        "--- message {number} from <{}> to {} ({} bytes)\n",
        cli::safe(&mail.from),
        to.join(", "),
        mail.data.len()
    );
    let body = String::from_utf8_lossy(&mail.data);
    for line in body.split_terminator("\r\n") {
        text += &cli::safe(line);
        text.push('\n');
    }
    text + &format!("--- end of message {number}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_part_of_a_printed_message_that_came_from_the_client_is_made_safe() {
        let mail = Mail {
            from: "a\x1b]0;pwned\x07@x".into(),
            to: vec!["b\x1b[2J@y".into()],
            data: b"Subject: \x1b[31mred\r\nhi\r\n".to_vec(),
        };
        let text = mail_text(1, &mail);
        assert!(!text.contains('\x1b') && !text.contains('\x07'), "{text:?}");
        assert!(
            text.starts_with(
                "--- message 1 from <a\u{fffd}]0;pwned\u{fffd}@x> to <b\u{fffd}[2J@y>"
            )
        );
    }

    #[test]
    fn paths_need_their_keyword_and_angle_brackets() {
        assert_eq!(
            path_after("FROM:", "from:<a@b> SIZE=1"),
            Some(("a@b", "SIZE=1"))
        );
        assert_eq!(path_after("FROM:", "FROM: <>"), Some(("", "")));
        assert_eq!(path_after("TO:", "TO:a@b"), None);
        assert_eq!(path_after("TO:", "TO:<a b@c>"), None);
        assert_eq!(path_after("TO:", "TO"), None);
        assert_eq!(path_after("TO:", "TÖ:<a@b>"), None);
    }

    #[test]
    fn the_text_after_data_is_unstuffed_up_to_the_lone_dot() {
        let mut reader = LineReader::new(&b"..one\r\ntwo\n.\r\nNOOP\r\n"[..]);
        let data = read_data(&mut reader).unwrap();
        assert_eq!(data, Some(Data::Text(b".one\r\ntwo\r\n".to_vec())));
        assert_eq!(reader.next_line(100).unwrap(), Line::Text(b"NOOP".to_vec()));
        let mut cut = LineReader::new(&b"no end\r\n"[..]);
        assert_eq!(read_data(&mut cut).unwrap(), None);
    }

    #[test]
    fn a_session_delivers_to_known_mailboxes_only() {
        let mut session = Session::default();
        let mut say = |line: &str| session.command(line.as_bytes());
        assert_eq!(say("HELO x").1, Next::Command);
        assert_eq!(say("MAIL FROM:<c@d>").0, "250 OK\r\n");
        assert_eq!(say("RCPT TO:<BOB@example.com>").0, "250 OK\r\n");
        assert_eq!(
            say("RCPT TO:<eve@example.com>").0,
            "550 No such user here\r\n"
        );
        assert_eq!(say("DATA").1, Next::Data);
        let (answer, mail) = session.end_of_data(Data::Text(b"hi\r\n".to_vec()));
        assert_eq!(answer, "250 OK\r\n");
        let expected = Mail {
            from: "c@d".into(),
            to: vec!["BOB@example.com".into()],
            data: b"hi\r\n".to_vec(),
        };
        assert_eq!(mail, Some(expected));
    }
}
