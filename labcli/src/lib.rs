//! The command lines of the lab programs, and the web servers' given serving code.
//!
//! Every lab's `main.rs` and the `solutions` binary call the same function here, so a lab and
//! its reference take exactly the same arguments and fail the same way. The lab supplies the
//! functions the student writes (`serve`, `echo_client`, ...); this crate parses the arguments,
//! binds or connects, and turns errors into a message and an exit code.
//!
//! Exit codes, the same for every program: 0 success, 1 a network or I/O failure (connection
//! refused, port in use), 2 a usage error (bad arguments, an invalid or unsupported URL).
//!
//! With [`CHECK_ONLY_VARIABLE`] set, a program checks its arguments and says what it would do
//! (`would listen on ADDR`, `would connect to ADDR`, `would fetch URL`), without touching the
//! network: the book's command check uses it to learn that every command it shows is valid.
//!
//! [`serving`] is the code given to the web servers of steps 4 to 7: their `serve` hands the
//! student's `handle_connection` to [`serving::serve_on_threads`]. It lives here, once, so that
//! a lab's `lib.rs` holds only what the student writes.

mod args;
mod programs;
pub mod serving;

pub use args::{Args, UsageError};
pub use programs::{echo_program, http_client_program, http_server_program, time_program};
pub use programs::{listen, parse, pool_server_program, upload_server_program};
pub use programs::{webroot_server_program, workspace_webroot};

use std::process::ExitCode;

/// A network or I/O failure.
pub const EXIT_FAILURE: u8 = 1;
/// Bad arguments, or an invalid or unsupported URL.
pub const EXIT_USAGE: u8 = 2;

/// Set (to anything) in a program's environment, it makes the program check its arguments and
/// print what it would do, instead of doing it. Exit codes stay as they are: 0 when the
/// arguments are fine, 2 when they are not.
pub const CHECK_ONLY_VARIABLE: &str = "LABCLI_CHECK_ONLY";

/// Whether this run only checks its arguments (see [`CHECK_ONLY_VARIABLE`]).
pub fn check_only() -> bool {
    std::env::var_os(CHECK_ONLY_VARIABLE).is_some()
}

/// In a check-only run, prints `would {action}` and returns the exit code of success; in a
/// real run, returns `None` and the program goes on.
pub fn would(action: impl std::fmt::Display) -> Option<ExitCode> {
    check_only().then(|| {
        println!("would {action}");
        ExitCode::SUCCESS
    })
}

/// Prints `program: message` on stderr and returns `code`.
fn fail(program: &str, message: impl std::fmt::Display, code: u8) -> ExitCode {
    eprintln!("{program}: {message}");
    ExitCode::from(code)
}
