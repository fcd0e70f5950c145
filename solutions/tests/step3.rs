// Written by `cargo xtask sync-labs`: runs the suites that hold at Step 3: an HTTP client (tests/suites).
use solutions::step3::*;

/// The program under test, for the suites' command-line tests.
fn program() -> std::process::Command {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_solutions"));
    command.arg("step3");
    command
}

/// New at this step.
#[path = "../../tests/suites/step3.rs"]
mod step3;
