//! Test support shared by every lab suite (`tests/suites/*.rs`). The browser tests' support is
//! the separate package `browser` (tests/browser), so that the labs do not compile it.
//!
//! - [`server`]: start a server under test on `127.0.0.1:0`, on a thread of the test or as a
//!   child process that is killed when the test ends, and learn why it stopped
//! - [`client`]: talk to a server with a deadline on every connect, read and write
//! - [`kept`]: a connection kept open across requests, its answers read by their length
//! - [`fixture`]: scripted servers that stand in for a real one in the client labs
//! - [`show`]: byte-exact assertions that make `\r\n` visible and point at the first difference
//! - [`http`]: requests as browsers send them, and responses read strictly enough to teach
//! - [`guard`]: run a student's function with a deadline and report its panic as a hint
//! - [`program`]: run a lab's program to its end with a deadline, for command-line tests
//! - [`tempdir`]: temporary folders, removed when the test ends
//! - [`ending`]: a lab's code that ends the test binary fails the run; what it started dies
//! - [`verdict`]: the grader's way into a test binary, whose verdicts a student cannot forge
//!
//! Nothing here sleeps to wait for something: servers are bound before their thread starts
//! and child servers are waited on until they print their `listening on` line.

pub mod client;
pub mod ending;
pub mod fixture;
pub mod guard;
pub mod http;
pub mod kept;
pub mod program;
pub mod server;
pub mod show;
pub mod tempdir;
pub mod verdict;

use std::time::Duration;

/// How long any one socket operation, or a whole exchange, may take in a test. A server that
/// has not answered by then is considered stuck; everything on loopback is far faster.
pub const DEADLINE: Duration = Duration::from_secs(3);

pub use client::{Exchange, connect, exchange};
pub use fixture::{Fixture, ReadUntil};
pub use guard::within;
pub use program::run_program;
pub use server::{ChildServer, Server, Target};
pub use show::{assert_bytes_eq, visible};
pub use tempdir::TempDir;

/// A port on 127.0.0.1 where nothing listens (it was free a moment ago), for testing what a
/// client does when its connection is refused.
pub fn unused_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind port 0");
    listener
        .local_addr()
        .expect("the address of a free port")
        .port()
}
