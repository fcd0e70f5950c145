// Written by `cargo xtask sync-labs`: runs the suites that hold at Step 9: keep-alive and request bodies (tests/suites).
use solutions::step9::*;

/// The program under test, for the suites' command-line tests.
fn program() -> std::process::Command {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_solutions"));
    command.arg("step9");
    command
}

/// New at this step.
#[path = "../../tests/suites/step9.rs"]
mod step9;

/// New at this step.
#[path = "../../tests/suites/step9_bonus.rs"]
mod step9_bonus;

/// Carried over from earlier steps, whose behaviour still holds.
#[path = "../../tests/suites"]
mod earlier_steps {
    use super::*;

    mod step4;
    mod step5;
    mod step6;
    mod step7;
    mod step7_bonus;
    mod step8;
}
