// Written by `cargo xtask sync-labs`: runs the suites that hold at Step 2: the time server (tests/suites).
use ::step2::*;

/// The program under test, for the suites' command-line tests.
fn program() -> std::process::Command {
    std::process::Command::new(env!("CARGO_BIN_EXE_step2"))
}

/// New at this step: these tests fail until you write the step.
#[path = "../../../tests/suites/step2.rs"]
mod step2;
