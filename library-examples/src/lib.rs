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
