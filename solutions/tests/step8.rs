// Written by `cargo xtask sync-labs`: runs the suites that hold at Step 8: many clients at once (tests/suites).
use solutions::step8::*;

/// The program under test, for the suites' command-line tests.
fn program() -> std::process::Command {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_solutions"));
    command.arg("step8");
    command
}

/// New at this step.
#[path = "../../tests/suites/step8.rs"]
mod step8;

/// Carried over from earlier steps, whose behaviour still holds.
#[path = "../../tests/suites"]
mod earlier_steps {
    use super::*;

    mod step4;
    mod step5;
    mod step6;
    mod step6_closes;
    mod step7;
    mod step7_bonus;
    mod step7_closes;
}
