// Written by `cargo xtask sync-labs`: runs the suites that hold at Step 6: 405 Method Not Allowed (tests/suites).
use solutions::step6::*;

/// The program under test, for the suites' command-line tests.
fn program() -> std::process::Command {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_solutions"));
    command.arg("step6");
    command
}

/// New at this step.
#[path = "../../tests/suites/step6.rs"]
mod step6;

/// New at this step.
#[path = "../../tests/suites/step6_closes.rs"]
mod step6_closes;

/// Carried over from earlier steps, whose behaviour still holds.
#[path = "../../tests/suites"]
mod earlier_steps {
    use super::*;

    mod step4;
    mod step4_canned;
    mod step5;
}
