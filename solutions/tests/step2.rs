// Written by `cargo xtask sync-labs`: runs the suites that hold at Step 2: the time server (tests/suites).
use solutions::step2::*;

/// The program under test, for the suites' command-line tests.
fn program() -> std::process::Command {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_solutions"));
    command.arg("step2");
    command
}

/// New at this step.
#[path = "../../tests/suites/step2.rs"]
mod step2;
