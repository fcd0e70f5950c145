//! Rust's libraries for the protocols of the chapter "What is a protocol?": each program lets a
//! library speak to one of the kit's servers and prints what the library did. Run them through
//! `wiretap` to see the lines the library writes for you.
//!
//! - `ureq-get URL` (src/bin/ureq-get.rs): an HTTP GET with `ureq`, against the step 7 server
//! - `lettre-send --to HOST:PORT` (src/bin/lettre-send.rs): one mail with `lettre`, to `mock-smtp`
//! - `imap-fetch --to HOST:PORT` (src/bin/imap-fetch.rs): a message read with `imap`, from
//!   `mock-imap`
//!
//! They share the protocol tools' command line (`--help`, exit 2 for a usage error, 1 for a
//! network failure) and `labcli`'s check-only runs, which the book's command check uses.

use std::process::ExitCode;
use std::time::Duration;

pub use protocol_tools::cli::Program;

/// How long a connection, and the whole conversation, may take: the kit's servers run on this
/// machine and answer at once, so a longer wait means something is wrong.
pub const TIMEOUT: Duration = Duration::from_secs(5);

/// The second line of a failure message, when the error says what is likely wrong.
pub fn hint(error: &str) -> &'static str {
    if error.to_ascii_lowercase().contains("connection refused") {
        "\nis the server running, on that port?"
    } else {
        ""
    }
}

/// The server that `--to HOST:PORT`, the one option of `lettre-send` and `imap-fetch`, names:
/// the text as given, its host and its port; or the exit that the usage error or `--help`
/// asks for. `what` says what listens there, for the message when the option is missing.
pub fn parse_target(
    program: &Program,
    args: Vec<String>,
    what: &str,
) -> Result<(String, String, u16), ExitCode> {
    let parsed = program.parse(args, &["to"], &[])?;
    program.no_positional(&parsed)?;
    let Some(to) = parsed.option("to") else {
        return Err(program.usage_error(format!("say where {what} listens: --to HOST:PORT")));
    };
    let (host, port) = protocol_tools::cli::target(to).map_err(|e| program.usage_error(e))?;
    Ok((to.to_string(), host, port))
}
