// Written by `cargo xtask sync-labs`: runs the suites that hold at Step 5: GET only (tests/suites).
use solutions::step5::*;

/// The program under test, for the suites' command-line tests.
fn program() -> std::process::Command {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_solutions"));
    command.arg("step5");
    command
}

/// New at this step.
#[path = "../../tests/suites/step5.rs"]
mod step5;

/// New at this step.
#[path = "../../tests/suites/step5_no_answer.rs"]
mod step5_no_answer;

/// Carried over from earlier steps, whose behaviour still holds.
#[path = "../../tests/suites"]
mod earlier_steps {
    use super::*;

    mod step4;
    mod step4_canned;
}
