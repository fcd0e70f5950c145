//! `mock-imap`: an IMAP4rev1 server (a subset of RFC 3501) with one mailbox, bob's INBOX,
//! holding the same two messages as `mock-pop3`.
//!
//! The client tags each command (`A0001 LOGIN bob redqueen`); the server may send untagged
//! data (`* 2 EXISTS`), then ends its answer with the tag and `OK`, `NO` (not allowed now, or
//! failed) or `BAD` (not understood). A session is in one of three states: not
//! authenticated (LOGIN), authenticated (LIST, SELECT, EXAMINE) and selected (SEARCH, FETCH,
//! STORE, EXPUNGE, CLOSE, and their UID forms). A message's parts travel as literals: `{74}`,
//! a line end, then exactly 74 bytes.
//!
//! The mailbox lives as long as the program: flags and expunges last until it stops.

mod mailbox;
mod syntax;

use std::io::{self, Write};
use std::net::{TcpListener, TcpStream};
use std::process::ExitCode;
use std::time::Duration;

use crate::cli::Program;
use crate::lines::{Line, LineReader};
use crate::maildrop::{PASSWORD, USER};
pub use mailbox::Mailbox;
use mailbox::Message;
use syntax::{FetchItem, SearchKey, SequenceSet, Token};

/// The port `mock-imap` listens on by default: IMAP's own, 143, needs administrator rights,
/// and 1143 is 143 moved up by 1000, as `mock-pop3`'s 1110 is POP3's 110.
pub const PORT: u16 = 1143;
/// A command line's length limit, without CRLF. RFC 7162 asks clients to stay under 8192
/// octets; this mailbox needs far less.
const MAX_COMMAND: usize = 8000;
/// RFC 3501: a server may log out a client idle for at least 30 minutes.
const IDLE: Duration = Duration::from_secs(30 * 60);

const GREETING: &[u8] = b"* OK mail.example.com IMAP4rev1 server ready\r\n";
const CAPABILITIES: &str = "IMAP4rev1";
/// The flags this mailbox keeps: the only ones STORE may set.
const FLAGS: &str = "(\\Seen \\Deleted)";

/// What the server does after an answer.
#[derive(Debug, PartialEq)]
pub enum Next {
    Command,
    Close,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum State {
    NotAuthenticated,
    Authenticated,
    Selected { read_only: bool },
    LoggedOut,
}

/// How a command ends: the word after its tag, and the text after that.
enum Outcome {
    Ok(String),
    No(String),
    Bad(String),
}

fn no(text: impl Into<String>) -> Outcome {
    Outcome::No(text.into())
}

fn bad(text: impl Into<String>) -> Outcome {
    Outcome::Bad(text.into())
}

/// One client's session. Dropping it gives up INBOX if it had it selected.
#[derive(Debug)]
pub struct Session<'a> {
    mailbox: &'a Mailbox,
    state: State,
}

impl Drop for Session<'_> {
    fn drop(&mut self) {
        if let State::Selected { .. } = self.state {
            self.mailbox.release();
        }
    }
}

impl<'a> Session<'a> {
    pub fn new(mailbox: &'a Mailbox) -> Session<'a> {
        Session {
            mailbox,
            state: State::NotAuthenticated,
        }
    }

    /// The first thing the server says.
    pub fn greeting() -> &'static [u8] {
        GREETING
    }

    /// The answer to one command line (without its line end), and what to do next.
    pub fn command(&mut self, line: &[u8]) -> (Vec<u8>, Next) {
        let line = String::from_utf8_lossy(line);
        let (tag, rest) = line.split_once(' ').unwrap_or((&line, ""));
        let tag_chars_fit = !tag.is_empty()
            && tag
                .chars()
                .all(|c| !c.is_control() && !"(){ %*\"\\]+".contains(c));
        if !tag_chars_fit {
            let answer = b"* BAD every command starts with a tag, for example: A1 NOOP\r\n";
            return (answer.to_vec(), Next::Command);
        }
        let (name, arguments) = rest.split_once(' ').unwrap_or((rest, ""));
        let name = name.to_ascii_uppercase();
        let mut untagged = Vec::new();
        let outcome = if name.is_empty() {
            bad("a command is missing after the tag")
        } else {
            match syntax::tokens(arguments) {
                Ok(arguments) => self.run(&name, &arguments, &mut untagged),
                Err(why) => bad(why),
            }
        };
        let (word, text) = match outcome {
            Outcome::Ok(text) => ("OK", text),
            Outcome::No(text) => ("NO", text),
            Outcome::Bad(text) => ("BAD", text),
        };
        untagged.extend_from_slice(format!("{tag} {word} {text}\r\n").as_bytes());
        let next = match self.state {
            State::LoggedOut => Next::Close,
            _ => Next::Command,
        };
        (untagged, next)
    }

    /// Checks that `name` may run in this state, then runs it.
    fn run(&mut self, name: &str, arguments: &[Token], out: &mut Vec<u8>) -> Outcome {
        let logged_in = self.state != State::NotAuthenticated;
        let selected = matches!(self.state, State::Selected { .. });
        match name {
            "CAPABILITY" | "NOOP" | "LOGOUT" => {}
            "LOGIN" | "AUTHENTICATE" | "STARTTLS" if logged_in => {
                return no("already logged in");
            }
            "LOGIN" | "AUTHENTICATE" | "STARTTLS" => {}
            "SELECT" | "EXAMINE" | "LIST" | "LSUB" | "STATUS" | "CREATE" | "DELETE" | "RENAME"
            | "SUBSCRIBE" | "UNSUBSCRIBE" | "APPEND" | "CHECK" | "CLOSE" | "EXPUNGE" | "SEARCH"
            | "FETCH" | "STORE" | "COPY" | "UID"
                if !logged_in =>
            {
                return no("LOGIN first");
            }
            "CHECK" | "CLOSE" | "EXPUNGE" | "SEARCH" | "FETCH" | "STORE" | "COPY" | "UID"
                if !selected =>
            {
                return no("SELECT a mailbox first");
            }
            _ => {}
        }
        let read_only = self.state == State::Selected { read_only: true };
        match name {
            "CAPABILITY" => {
                out.extend_from_slice(format!("* CAPABILITY {CAPABILITIES}\r\n").as_bytes());
                Outcome::Ok("CAPABILITY completed".into())
            }
            "NOOP" | "CHECK" => Outcome::Ok(format!("{name} completed")),
            "LOGOUT" => {
                out.extend_from_slice(b"* BYE mail.example.com IMAP4rev1 server logging out\r\n");
                self.leave_mailbox();
                self.state = State::LoggedOut;
                Outcome::Ok("LOGOUT completed".into())
            }
            "LOGIN" => self.login(arguments),
            "AUTHENTICATE" => no("use LOGIN: this server offers no other way to log in"),
            "STARTTLS" => bad("this server speaks no TLS"),
            "LIST" | "LSUB" => list(name, arguments, out),
            "SELECT" | "EXAMINE" => self.select(name == "EXAMINE", arguments, out),
            "CLOSE" => {
                if !read_only {
                    self.expunge(&mut Vec::new());
                }
                self.leave_mailbox();
                Outcome::Ok("CLOSE completed".into())
            }
            "EXPUNGE" if read_only => no("[READ-ONLY] the mailbox was opened with EXAMINE"),
            "EXPUNGE" => {
                self.expunge(out);
                Outcome::Ok("EXPUNGE completed".into())
            }
            "SEARCH" | "FETCH" | "STORE" => self.selected(name, false, arguments, out),
            "UID" => match arguments.split_first() {
                Some((command, rest)) => match command.keyword().as_deref() {
                    Some(command @ ("SEARCH" | "FETCH" | "STORE")) => {
                        self.selected(command, true, rest, out)
                    }
                    Some("COPY") => no("there is no other mailbox to copy to"),
                    _ => bad("UID goes with FETCH, SEARCH or STORE"),
                },
                None => bad("UID goes with FETCH, SEARCH or STORE"),
            },
            "STATUS" | "CREATE" | "DELETE" | "RENAME" | "SUBSCRIBE" | "UNSUBSCRIBE" | "APPEND"
            | "COPY" => no(format!("{name} is not offered: bob has INBOX only")),
            _ => bad("unknown command"),
        }
    }

    fn login(&mut self, arguments: &[Token]) -> Outcome {
        let [user, password] = arguments else {
            return bad("LOGIN needs a user name and a password");
        };
        let (Some(user), Some(password)) = (user.text(), password.text()) else {
            return bad("LOGIN needs a user name and a password");
        };
        if user != USER || password != PASSWORD {
            return no("[AUTHENTICATIONFAILED] wrong user name or password");
        }
        self.state = State::Authenticated;
        Outcome::Ok("LOGIN completed".into())
    }

    fn select(&mut self, read_only: bool, arguments: &[Token], out: &mut Vec<u8>) -> Outcome {
        self.leave_mailbox();
        let command = if read_only { "EXAMINE" } else { "SELECT" };
        let [name] = arguments else {
            return bad(format!("{command} needs a mailbox name"));
        };
        if !name.text().is_some_and(|n| n.eq_ignore_ascii_case("INBOX")) {
            return no("no such mailbox: bob has INBOX only");
        }
        if !self.mailbox.select() {
            return no("[INUSE] another session has INBOX open: try again when it logs out");
        }
        self.state = State::Selected { read_only };
        let (exists, first_unseen, uid_next) = self.mailbox.with_messages(|messages| {
            let unseen = messages.iter().position(|m| !m.seen).map(|at| at + 1);
            (messages.len(), unseen, Mailbox::next_uid())
        });
        let permanent = if read_only { "()" } else { FLAGS };
        let mut lines = vec![
            format!("{exists} EXISTS"),
            "0 RECENT".into(),
            format!("FLAGS {FLAGS}"),
            format!("OK [PERMANENTFLAGS {permanent}] flags that last"),
        ];
        if let Some(first) = first_unseen {
            lines.push(format!("OK [UNSEEN {first}] the first unseen message"));
        }
        lines.push("OK [UIDVALIDITY 1] UIDs valid".into());
        lines.push(format!("OK [UIDNEXT {uid_next}] the next UID"));
        for line in lines {
            out.extend_from_slice(format!("* {line}\r\n").as_bytes());
        }
        let access = if read_only { "READ-ONLY" } else { "READ-WRITE" };
        Outcome::Ok(format!("[{access}] {command} completed"))
    }

    /// Back to the authenticated state, giving INBOX up if it was selected.
    fn leave_mailbox(&mut self) {
        if let State::Selected { .. } = self.state {
            self.mailbox.release();
            self.state = State::Authenticated;
        }
    }

    /// Removes the messages marked `\Deleted`, saying `* N EXPUNGE` for each: N is its
    /// number when it goes, so the numbers after it move down by one each time.
    fn expunge(&mut self, out: &mut Vec<u8>) {
        self.mailbox.with_messages(|messages| {
            let mut number = 1;
            let mut index = 0;
            while index < messages.len() {
                if messages[index].deleted {
                    messages.remove(index);
                    out.extend_from_slice(format!("* {number} EXPUNGE\r\n").as_bytes());
                } else {
                    index += 1;
                    number += 1;
                }
            }
        });
    }

    /// SEARCH, FETCH or STORE; with `by_uid`, UIDs stand where message numbers would.
    fn selected(
        &mut self,
        command: &str,
        by_uid: bool,
        arguments: &[Token],
        out: &mut Vec<u8>,
    ) -> Outcome {
        let read_only = self.state == State::Selected { read_only: true };
        let uid = if by_uid { "UID " } else { "" };
        let result = self.mailbox.with_messages(|messages| match command {
            "SEARCH" => search(messages, by_uid, arguments, out),
            "FETCH" => fetch(messages, by_uid, read_only, arguments, out),
            _ => store(messages, by_uid, read_only, arguments, out),
        });
        match result {
            Ok(()) => Outcome::Ok(format!("{uid}{command} completed")),
            Err(outcome) => outcome,
        }
    }
}

/// LIST and LSUB: INBOX, if the pattern matches it; the hierarchy delimiter for `""`.
fn list(command: &str, arguments: &[Token], out: &mut Vec<u8>) -> Outcome {
    let [Some(reference), Some(pattern)] =
        arguments.iter().map(Token::text).collect::<Vec<_>>()[..]
    else {
        return bad(format!(
            "{command} needs a reference and a pattern: {command} \"\" *"
        ));
    };
    if pattern.is_empty() {
        out.extend_from_slice(format!("* {command} (\\Noselect) \"/\" \"\"\r\n").as_bytes());
    } else if matches_pattern(
        &format!("{reference}{pattern}").to_ascii_uppercase(),
        "INBOX",
    ) {
        out.extend_from_slice(format!("* {command} (\\HasNoChildren) \"/\" INBOX\r\n").as_bytes());
    }
    Outcome::Ok(format!("{command} completed"))
}

/// Whether `name` matches a LIST pattern: `*` stands for anything, `%` for anything but the
/// hierarchy delimiter `/`.
fn matches_pattern(pattern: &str, name: &str) -> bool {
    match pattern.chars().next() {
        None => name.is_empty(),
        Some(wildcard @ ('*' | '%')) => {
            let rest = &pattern[1..];
            let mut ends = name.char_indices().map(|(at, _)| at).chain([name.len()]);
            ends.any(|at| {
                (wildcard == '*' || !name[..at].contains('/')) && matches_pattern(rest, &name[at..])
            })
        }
        Some(c) => name.starts_with(c) && matches_pattern(&pattern[1..], &name[1..]),
    }
}

/// The indices of the messages `set` names. Message numbers must exist (`BAD` if not);
/// UIDs that no message has are left out, as RFC 3501 says.
fn picked(messages: &[Message], set: &Token, by_uid: bool) -> Result<Vec<usize>, Outcome> {
    let set = match set.keyword().map(|text| SequenceSet::parse(&text)) {
        Some(Ok(set)) => set,
        Some(Err(why)) => return Err(bad(why)),
        None => return Err(bad("a sequence set such as 1, 1:2 or 1:* is missing")),
    };
    let last = messages.len() as u32;
    if by_uid {
        let last_uid = messages.last().map_or(0, |m| m.uid);
        let indices = messages.iter().enumerate();
        return Ok(indices
            .filter(|(_, m)| set.contains(m.uid, last_uid))
            .map(|(at, _)| at)
            .collect());
    }
    if last == 0 || set.largest_named() > last {
        let how_many = crate::cli::count(messages.len(), "message");
        return Err(bad(format!("no such message: INBOX has {how_many}")));
    }
    Ok((1..=last)
        .filter(|&n| set.contains(n, last))
        .map(|n| n as usize - 1)
        .collect())
}

fn search(
    messages: &[Message],
    by_uid: bool,
    arguments: &[Token],
    out: &mut Vec<u8>,
) -> Result<(), Outcome> {
    let criteria = match arguments {
        [charset, name, rest @ ..] if charset.keyword().as_deref() == Some("CHARSET") => {
            let name = name.text().unwrap_or_default().to_ascii_uppercase();
            if name != "US-ASCII" && name != "UTF-8" {
                return Err(no("[BADCHARSET (US-ASCII UTF-8)] unknown charset"));
            }
            rest
        }
        _ => arguments,
    };
    let key: SearchKey = syntax::search_keys(criteria).map_err(bad)?;
    let last = messages.len() as u32;
    let last_uid = messages.last().map_or(0, |m| m.uid);
    let mut line = "* SEARCH".to_string();
    for (number, message) in (1..).zip(messages) {
        if message.matches(&key, number, last, last_uid) {
            let shown = if by_uid { message.uid } else { number };
            line += &format!(" {shown}");
        }
    }
    out.extend_from_slice(format!("{line}\r\n").as_bytes());
    Ok(())
}

fn fetch(
    messages: &mut [Message],
    by_uid: bool,
    read_only: bool,
    arguments: &[Token],
    out: &mut Vec<u8>,
) -> Result<(), Outcome> {
    let [set, items] = arguments else {
        return Err(bad(
            "FETCH needs messages and items: FETCH 1 (FLAGS BODY[])",
        ));
    };
    let mut items = syntax::fetch_items(items).map_err(bad)?;
    if by_uid && !items.contains(&FetchItem::Uid) {
        items.insert(0, FetchItem::Uid); // RFC 3501: UID FETCH always says the UID
    }
    let reads = items
        .iter()
        .any(|item| matches!(item, FetchItem::Body { peek: false, .. }));
    for at in picked(messages, set, by_uid)? {
        let message = &mut messages[at];
        // Reading a body sets \Seen; the answer says so, unasked, if it changed.
        let now_seen = reads && !read_only && !message.seen;
        message.seen |= now_seen;
        let mut response = format!("* {} FETCH (", at + 1).into_bytes();
        let mut said = Vec::new();
        if now_seen && !items.contains(&FetchItem::Flags) {
            said.push(format!("FLAGS {}", message.flags()).into_bytes());
        }
        for item in &items {
            said.push(match item {
                FetchItem::Flags => format!("FLAGS {}", message.flags()).into_bytes(),
                FetchItem::Uid => format!("UID {}", message.uid).into_bytes(),
                FetchItem::Size => format!("RFC822.SIZE {}", message.bytes.len()).into_bytes(),
                FetchItem::Body { part, name, .. } => {
                    let bytes = message.part(*part);
                    [format!("{name} {{{}}}\r\n", bytes.len()).as_bytes(), bytes].concat()
                }
            });
        }
        response.extend(said.join(&b' '));
        response.extend_from_slice(b")\r\n");
        out.extend(response);
    }
    Ok(())
}

fn store(
    messages: &mut [Message],
    by_uid: bool,
    read_only: bool,
    arguments: &[Token],
    out: &mut Vec<u8>,
) -> Result<(), Outcome> {
    let [set, action, flags] = arguments else {
        return Err(bad(
            "STORE needs messages, an action and flags: STORE 1 +FLAGS (\\Deleted)",
        ));
    };
    let action = action.keyword().unwrap_or_default();
    let (how, silent) = match action.strip_suffix(".SILENT") {
        Some(how) => (how, true),
        None => (action.as_str(), false),
    };
    if !matches!(how, "FLAGS" | "+FLAGS" | "-FLAGS") {
        return Err(bad(
            "STORE's action is FLAGS, +FLAGS or -FLAGS, maybe with .SILENT",
        ));
    }
    let flags = match flags {
        Token::List(flags) => flags.as_slice(),
        single => std::slice::from_ref(single),
    };
    let (mut seen, mut deleted) = (false, false);
    for flag in flags {
        match flag.keyword().as_deref() {
            Some("\\SEEN") => seen = true,
            Some("\\DELETED") => deleted = true,
            _ => return Err(no("only \\Seen and \\Deleted can be stored here")),
        }
    }
    if read_only {
        return Err(no("[READ-ONLY] the mailbox was opened with EXAMINE"));
    }
    for at in picked(messages, set, by_uid)? {
        let message = &mut messages[at];
        match how {
            "FLAGS" => (message.seen, message.deleted) = (seen, deleted),
            "+FLAGS" => {
                (message.seen, message.deleted) = (message.seen | seen, message.deleted | deleted)
            }
            _ => {
                (message.seen, message.deleted) = (message.seen & !seen, message.deleted & !deleted)
            }
        }
        if !silent {
            let uid = if by_uid {
                format!(" UID {}", message.uid)
            } else {
                String::new()
            };
            let line = format!("* {} FETCH (FLAGS {}{uid})\r\n", at + 1, message.flags());
            out.extend_from_slice(line.as_bytes());
        }
    }
    Ok(())
}

/// `mock-imap [--host HOST] [--port PORT]`.
pub fn program(args: Vec<String>) -> ExitCode {
    let program = Program {
        name: "mock-imap",
        usage: format!(
            "usage: mock-imap [--host HOST] [--port PORT]\n\
             A small IMAP server for the classroom: user {USER}, password {PASSWORD}, one\n\
             mailbox, INBOX, with two messages. Flags and expunges last until the program stops.\n\
             HOST defaults to 127.0.0.1, PORT to {PORT}. Talk to it with: nc -C localhost {PORT}\n\
             or with Python's imaplib: imaplib.IMAP4(\"localhost\", {PORT})"
        ),
    };
    program.serve(args, PORT, serve)
}

/// Accepts clients forever, each on its own thread, all sharing one mailbox.
pub fn serve(listener: TcpListener) -> ExitCode {
    crate::cli::serve_each("mock-imap", listener, Mailbox::new(), converse)
}

fn converse(stream: TcpStream, mailbox: &Mailbox) -> io::Result<()> {
    stream.set_read_timeout(Some(IDLE))?;
    let mut writer = stream.try_clone()?;
    let mut reader = LineReader::new(stream);
    // Declared last, so dropped first: INBOX is given up before the connection closes.
    let mut session = Session::new(mailbox);
    writer.write_all(Session::greeting())?;
    loop {
        let line = match reader.next_line(MAX_COMMAND) {
            Ok(Line::Text(line)) => line,
            Ok(Line::TooLong) => {
                writer.write_all(b"* BAD line too long\r\n")?;
                continue;
            }
            Ok(Line::End) => return Ok(()),
            Err(error)
                if matches!(
                    error.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                writer.write_all(b"* BYE idle for 30 minutes: logging out\r\n")?;
                return Ok(());
            }
            Err(error) => return Err(error),
        };
        let (answer, next) = session.command(&line);
        writer.write_all(&answer)?;
        if next == Next::Close {
            return Ok(());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_patterns_match_as_rfc_3501_says() {
        for (pattern, name, matches) in [
            ("*", "INBOX", true),
            ("%", "INBOX", true),
            ("INBOX", "INBOX", true),
            ("IN*", "INBOX", true),
            ("*X", "INBOX", true),
            ("%", "A/B", false),
            ("*", "A/B", true),
            ("INBOX.*", "INBOX", false),
            ("", "INBOX", false),
        ] {
            assert_eq!(matches_pattern(pattern, name), matches, "{pattern} {name}");
        }
    }

    #[test]
    fn a_session_that_ends_without_logout_gives_inbox_up() {
        let mailbox = Mailbox::new();
        {
            let mut session = Session::new(&mailbox);
            session.command(b"a LOGIN bob redqueen");
            let (answer, _) = session.command(b"b SELECT INBOX");
            assert!(answer.ends_with(b"b OK [READ-WRITE] SELECT completed\r\n"));
        }
        let mut session = Session::new(&mailbox);
        session.command(b"a LOGIN bob redqueen");
        let (answer, _) = session.command(b"b EXAMINE inbox");
        assert!(answer.ends_with(b"b OK [READ-ONLY] EXAMINE completed\r\n"));
    }
}
