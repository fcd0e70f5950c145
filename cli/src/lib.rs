//! The command lines of the lab programs.
//!
//! Every lab's `main.rs` and the `solutions` binary call the same function here, so a lab and
//! its reference take exactly the same arguments and fail the same way. The lab supplies the
//! functions the student writes (`serve`, `echo_client`, ...); this crate parses the arguments,
//! binds or connects, and turns errors into a message and an exit code.
//!
//! Exit codes, the same for every program: 0 success, 1 a network or I/O failure (connection
//! refused, port in use), 2 a usage error (bad arguments, an invalid or unsupported URL).

mod args;
mod programs;

pub use args::{Args, UsageError};
pub use programs::{echo_program, http_client_program, http_server_program, time_program};
pub use programs::{webroot_server_program, workspace_webroot};

use std::process::ExitCode;

/// A network or I/O failure.
pub const EXIT_FAILURE: u8 = 1;
/// Bad arguments, or an invalid or unsupported URL.
pub const EXIT_USAGE: u8 = 2;

/// Prints `program: message` on stderr and returns `code`.
fn fail(program: &str, message: impl std::fmt::Display, code: u8) -> ExitCode {
    eprintln!("{program}: {message}");
    ExitCode::from(code)
}
