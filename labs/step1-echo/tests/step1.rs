// Written by `cargo xtask sync-labs`: runs the suites that hold at Step 1: echo (tests/suites).
use ::step1::*;

/// The program under test, for the suites' command-line tests.
fn program() -> std::process::Command {
    std::process::Command::new(env!("CARGO_BIN_EXE_step1"))
}

/// New at this step: these tests fail until you write the step.
#[path = "../../../tests/suites/step1.rs"]
mod step1;
