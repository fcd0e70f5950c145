// Written by `cargo xtask sync-labs`: runs the suites that hold at Step 3: an HTTP client (tests/suites).
use ::step3::*;

/// The program under test, for the suites' command-line tests.
fn program() -> std::process::Command {
    std::process::Command::new(env!("CARGO_BIN_EXE_step3"))
}

/// New at this step: these tests fail until you write the step.
#[path = "../../../tests/suites/step3.rs"]
mod step3;
