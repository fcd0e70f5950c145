// Written by `cargo xtask sync-labs`: runs the suites that hold at Step 8: many clients at once (tests/suites).
use ::step8::*;

/// The program under test, for the suites' command-line tests.
fn program() -> std::process::Command {
    std::process::Command::new(env!("CARGO_BIN_EXE_step8"))
}

/// New at this step: these tests fail until you write the step.
#[path = "../../../tests/suites/step8.rs"]
mod step8;

/// Carried over from earlier steps: these tests pass from the start; keep them green.
#[path = "../../../tests/suites"]
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
