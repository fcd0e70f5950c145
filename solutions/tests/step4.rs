// Written by `cargo xtask sync-labs`: runs the suites that hold at Step 4: a canned 200 (tests/suites).
use solutions::step4::*;

/// The program under test, for the suites' command-line tests.
fn program() -> std::process::Command {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_solutions"));
    command.arg("step4");
    command
}

/// New at this step.
#[path = "../../tests/suites/step4.rs"]
mod step4;

/// New at this step.
#[path = "../../tests/suites/step4_canned.rs"]
mod step4_canned;
