//! `imap-fetch --to HOST:PORT`: the lecture's IMAP session with the `imap` crate, over plain
//! TCP: log in as bob, select INBOX, search for Alice's messages, fetch the first one's header
//! and text without marking it `\Seen` (`BODY.PEEK`), log out; then what came back.

use std::net::TcpStream;
use std::process::ExitCode;

use library_examples::{Program, TIMEOUT, hint, parse_target};
use protocol_tools::maildrop::{PASSWORD, USER};

fn main() -> ExitCode {
    let program = Program {
        name: "imap-fetch",
        usage: "usage: imap-fetch --to HOST:PORT\n\
                Logs in to an IMAP server as bob with the imap crate, over plain TCP, finds\n\
                Alice's messages in INBOX and prints the first one's header and text:\n\
                \x20 imap-fetch --to 127.0.0.1:1143"
            .into(),
    };
    let (to, host, port) = match parse_target(
        &program,
        std::env::args().skip(1).collect(),
        "the IMAP server",
    ) {
        Ok(target) => target,
        Err(exit) => return exit,
    };
    if let Some(exit) = labcli::would(format_args!("fetch mail from {to}")) {
        return exit;
    }
    match alices_first_message(&host, port) {
        Ok(Some((header, text))) => {
            println!("the header of Alice's first message:");
            print!("{header}");
            println!("its text:");
            print!("{text}");
            ExitCode::SUCCESS
        }
        Ok(None) => program.failure(format!("{to} has no message from Alice in INBOX")),
        Err(error) => program.failure(format!("cannot fetch from {to}: {error}{}", hint(&error))),
    }
}

/// The header and text of the first message from Alice, if there is one.
fn alices_first_message(host: &str, port: u16) -> Result<Option<(String, String)>, String> {
    let stream = TcpStream::connect((host, port)).map_err(|e| e.to_string())?;
    // The crate waits as long as the socket does: bound each read and write.
    for set in [TcpStream::set_read_timeout, TcpStream::set_write_timeout] {
        set(&stream, Some(TIMEOUT)).map_err(|e| e.to_string())?;
    }
    // Plain text on the wire, which is what we want to read; a real client would use TLS.
    let mut client = imap::Client::new(stream);
    client.read_greeting().map_err(|e| e.to_string())?;
    let mut session = client
        .login(USER, PASSWORD)
        .map_err(|(error, _client)| error.to_string())?;
    session.select("INBOX").map_err(|e| e.to_string())?;
    let found = session
        .search("FROM \"alice\"")
        .map_err(|e| e.to_string())?;
    let Some(first) = found.iter().min() else {
        return Ok(None);
    };
    let fetched = session
        .fetch(first.to_string(), "(BODY.PEEK[HEADER] BODY.PEEK[TEXT])")
        .map_err(|e| e.to_string())?;
    let message = fetched.iter().next().ok_or("the server sent no message")?;
    let part =
        |bytes: Option<&[u8]>| String::from_utf8_lossy(bytes.unwrap_or_default()).into_owned();
    let parts = (part(message.header()), part(message.text()));
    session.logout().map_err(|e| e.to_string())?;
    Ok(Some(parts))
}
