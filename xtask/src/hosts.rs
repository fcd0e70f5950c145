//! The test hosts: the few lines that bring a step's API and `program()` into scope and
//! include the suites that hold at that step. `sync-labs` writes them; the grade writes its
//! own, with a way in for its verdicts (`Host::Graded`).

use crate::steps::{CARRIED_MODULE, Step, Suite};

fn lab_program(step: &Step) -> String {
    format!(
        "{{\n    std::process::Command::new(env!(\"CARGO_BIN_EXE_{}\"))\n}}",
        step.package()
    )
}

/// Which test host to write: the one students run, or the grade's.
#[derive(Clone, Copy, PartialEq)]
pub enum Host {
    /// The lab's, which the student runs.
    Plain,
    /// The reference's, which passes from the start.
    Reference,
    /// The same suites, plus the trusted test `grade_dispatch` through which `cargo xtask
    /// grade` runs each suite test (`testkit::verdict`). Each suite's `graded_tests()` is
    /// appended to the grade's copy of the suite (`grade/graded.rs`).
    Graded,
}

/// The test host of the lab of `step`, in `labs/DIR/tests/`.
pub fn lab_host(step: &Step, kind: Host) -> String {
    let package = step.package();
    host(
        step,
        &format!("use ::{package}::*;"),
        &lab_program(step),
        3,
        kind,
    )
}

/// A test host: brings the step's API and `program()` into scope, then includes the suites.
/// `depth` is how many folders the host sits below the workspace root.
pub fn host(step: &Step, import: &str, program: &str, depth: usize, kind: Host) -> String {
    let up = "../".repeat(depth);
    let mut text = format!(
        "// Written by `cargo xtask sync-labs`: runs the suites that hold at {} (tests/suites).\n\
         {import}\n\
         \n\
         /// The program under test, for the suites' command-line tests.\n\
         fn program() -> std::process::Command {program}\n",
        step.title
    );
    let (new, carried_words) = match kind {
        Host::Reference => (
            "New at this step.",
            "Carried over from earlier steps, whose behaviour still holds.",
        ),
        Host::Plain | Host::Graded => (
            "New at this step: these tests fail until you write the step.",
            "Carried over from earlier steps: these tests pass from the start; keep them green.",
        ),
    };
    for suite in step.new_suites() {
        text += &format!("\n/// {new}\n");
        text += &include(suite, &up);
    }
    let carried: Vec<&Suite> = step.carried_suites().collect();
    if !carried.is_empty() {
        // A `#[path]` on the inline module names the folder its `mod` lines read from. (A
        // `#[path]` inside it would start from a folder named after the module, which does not
        // exist, so a path climbing out of it with `..` could not be resolved.)
        text += &format!(
            "\n/// {carried_words}\n\
             #[path = \"{up}tests/suites\"]\n\
             mod {CARRIED_MODULE} {{\n    use super::*;\n\n"
        );
        for suite in &carried {
            text += &format!("    mod {};\n", suite.file);
        }
        if kind == Host::Graded {
            text += &format!(
                "\n    pub(super) fn graded_tests() -> Vec<testkit::verdict::Test> {{\n        \
                 [{}].concat()\n    }}\n",
                graded_calls(carried.iter().map(|suite| suite.file))
            );
        }
        text += "}\n";
    }
    if kind == Host::Graded {
        let mut modules: Vec<&str> = step.new_suites().map(|suite| suite.file).collect();
        if !carried.is_empty() {
            modules.push(CARRIED_MODULE);
        }
        text += &format!(
            "\n/// The grader's way in (`testkit::verdict`): runs the suite test it is asked for.\n\
             #[test]\n\
             fn grade_dispatch() {{\n    \
                 testkit::verdict::dispatch([{}].concat());\n\
             }}\n",
            graded_calls(modules.into_iter())
        );
    }
    text
}

/// `a::graded_tests(), b::graded_tests()`.
fn graded_calls<'a>(modules: impl Iterator<Item = &'a str>) -> String {
    let calls: Vec<String> = modules.map(|m| format!("{m}::graded_tests()")).collect();
    calls.join(", ")
}

fn include(suite: &Suite, up: &str) -> String {
    let file = suite.file;
    format!("#[path = \"{up}tests/suites/{file}.rs\"]\nmod {file};\n")
}
