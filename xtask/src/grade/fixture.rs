//! A fixed grade for the tests of what shows it on the platforms (`classroom.rs`,
//! `gradescope.rs`), and their golden files in `grade/expected/`: step 1 done, step 2 under
//! way with its bonus passed, step 3 with a test that tampered, step 5 that does not compile.

use std::path::PathBuf;

use super::model::TestGrade;
use super::{Kind, LabResult, Outcome, Report, StepGrade};
use crate::steps::step;

/// A grade of nothing: what a fixture starts from.
pub fn empty() -> Report {
    Report {
        tests_from: "the files of /course".into(),
        labs_from: PathBuf::from("/student"),
        commit: None,
        repository: None,
        pull_request: None,
        isolation: "sandboxed (bubblewrap)".into(),
        tampering: Vec::new(),
        changed_since: None,
        changed_elsewhere: Vec::new(),
        steps: Vec::new(),
    }
}

/// A test that ended with `outcome`, earning `points` (0 unless it passed).
fn test(name: &str, kind: Kind, outcome: Outcome, points: f64) -> TestGrade {
    TestGrade {
        message: match outcome {
            Outcome::Passed => String::new(),
            _ => format!("assertion failed in {name}"),
        },
        points,
        ..TestGrade::ended(name.into(), kind, outcome)
    }
}

pub fn report() -> Report {
    use Kind::{Bonus, Earlier, Required};
    use Outcome::{Failed, Passed, Tampered, TimedOut};
    let mut tampered = test("step3::c", Required, Tampered, 0.0);
    tampered.tampering = vec!["wrote to /job/grade.json".into()];
    let steps = vec![
        StepGrade::tested(
            step(1).unwrap(),
            vec![
                test("step1::a", Required, Passed, 5.0),
                test("step1::b", Required, Passed, 5.0),
            ],
        ),
        StepGrade::tested(
            step(2).unwrap(),
            vec![
                test("step2::a", Required, Passed, 10.0 / 3.0),
                test("step2::b", Required, Passed, 10.0 / 3.0),
                test("step2::c", Required, TimedOut, 0.0),
                test("step2::d", Bonus, Passed, 3.0),
                test("earlier::step1::a", Earlier, Passed, 0.0),
            ],
        ),
        StepGrade::tested(
            step(3).unwrap(),
            vec![
                test("step3::a", Required, Passed, 10.0 / 3.0),
                test("step3::b", Required, Failed, 0.0),
                tampered,
            ],
        ),
        StepGrade {
            step: step(5).unwrap(),
            result: LabResult::DoesNotCompile(
                "error[E0308]: mismatched types\n --> src/lib.rs:3:5".into(),
            ),
            tampering: Vec::new(),
        },
    ];
    Report { steps, ..empty() }
}

/// Compares `actual` with the golden file `grade/expected/NAME`, or rewrites the file when
/// `UPDATE_GOLDEN` is set (`UPDATE_GOLDEN=1 cargo test -p xtask --bin xtask grade::`).
pub fn golden(name: &str, actual: &str) {
    let path = crate::workspace_root()
        .join("xtask/src/grade/expected")
        .join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (UPDATE_GOLDEN=1 cargo test -p xtask writes it)",
            path.display()
        )
    });
    assert!(
        expected == actual,
        "{} differs from what the grade writes now; if the change is meant, rewrite it with \
         UPDATE_GOLDEN=1 cargo test -p xtask --bin xtask grade::\n--- now:\n{actual}",
        path.display()
    );
}
