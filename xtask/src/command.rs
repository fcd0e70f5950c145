//! The nested cargo commands of `verify`, `grade` and `watch`, run by the workspace's one
//! process runner (`runner/`), which also runs the labs' test binaries one test at a time.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

pub use runner::{Ending, Run, run, stop_everything};

/// A nested cargo command that takes longer than this is stopped and reported as a hang.
pub const CARGO_LIMIT: Duration = Duration::from_secs(600);

/// `cargo ARGS`, run in `dir`, without backtraces in its output.
pub fn cargo_command(dir: &Path, args: &[&str]) -> Command {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut command = Command::new(cargo);
    command
        .args(args)
        .current_dir(dir)
        .env("RUST_BACKTRACE", "0");
    command
}

/// Runs `cargo ARGS` in `dir`, echoing nothing, and stops it after [`CARGO_LIMIT`].
pub fn cargo(dir: &Path, args: &[&str]) -> Result<Run, String> {
    run_cargo(cargo_command(dir, args))
}

/// Runs a cargo command made by [`cargo_command`]; a hang is an error.
pub fn run_cargo(command: Command) -> Result<Run, String> {
    let shown = format!("{command:?}");
    match run(command, None, CARGO_LIMIT)? {
        Ending::Exited(run) => Ok(run),
        Ending::Stopped(output) => Err(format!(
            "{shown} did not finish within {}s and was stopped:\n{output}",
            CARGO_LIMIT.as_secs()
        )),
    }
}
