// Written by `cargo xtask sync-labs`: runs the suites that hold at Step 1: echo (tests/suites).
use solutions::step1::*;

/// The program under test, for the suites' command-line tests.
fn program() -> std::process::Command {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_solutions"));
    command.arg("step1");
    command
}

/// New at this step.
#[path = "../../tests/suites/step1.rs"]
mod step1;
