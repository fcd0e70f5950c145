// Written by `cargo xtask sync-labs`: runs the suites that hold at Step 7: serving files (tests/suites).
use ::step7::*;

/// The program under test, for the suites' command-line tests.
fn program() -> std::process::Command {
    std::process::Command::new(env!("CARGO_BIN_EXE_step7"))
}

/// New at this step: these tests fail until you write the step.
#[path = "../../../tests/suites/step7.rs"]
mod step7;

/// New at this step: these tests fail until you write the step.
#[path = "../../../tests/suites/step7_bonus.rs"]
mod step7_bonus;

/// New at this step: these tests fail until you write the step.
#[path = "../../../tests/suites/step7_closes.rs"]
mod step7_closes;

/// Carried over from earlier steps: these tests pass from the start; keep them green.
#[path = "../../../tests/suites"]
mod earlier_steps {
    use super::*;

    mod step4;
    mod step5;
    mod step6;
    mod step6_closes;
}
