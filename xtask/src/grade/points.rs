//! What each step is worth: the one place to change the marking.
//!
//! A step's `required` points are shared equally by the tests that are new at that step, and
//! its `bonus` points by its bonus tests (`#[ignore = "bonus: ..."]`), so every passing test
//! earns its share. Tests carried over from earlier steps earn nothing again: they pass on the
//! starter. They must still pass for the step to be done.

pub struct Worth {
    pub step: u8,
    pub required: u32,
    pub bonus: u32,
}

#[rustfmt::skip]
pub const POINTS: &[Worth] = &[
    worth(1, 10, 0),
    worth(2, 10, 3),
    worth(3, 10, 0),
    worth(4, 10, 0),
    worth(5, 10, 0),
    worth(6, 10, 0),
    worth(7, 20, 5),
    worth(8, 15, 0),
    worth(9, 15, 5),
];

/// A row of [`POINTS`]: step `step` is worth `required` points, plus `bonus` bonus points.
const fn worth(step: u8, required: u32, bonus: u32) -> Worth {
    Worth {
        step,
        required,
        bonus,
    }
}

/// What step `step` is worth; a step missing from [`POINTS`] is worth nothing.
pub fn of(step: u8) -> &'static Worth {
    const NOTHING: &Worth = &worth(0, 0, 0);
    POINTS.iter().find(|w| w.step == step).unwrap_or(NOTHING)
}

/// The share of `points` that each of `tests` tests earns.
pub fn share(points: u32, tests: usize) -> f64 {
    if tests == 0 {
        0.0
    } else {
        f64::from(points) / tests as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::steps::STEPS;

    /// The homework chapter's table of points is this one.
    #[test]
    fn the_homework_chapter_shows_every_step_s_points() {
        let path = crate::workspace_root().join("docs/src/homework.md");
        let Ok(chapter) = std::fs::read_to_string(path) else {
            return; // an export of fewer steps may leave the chapter out
        };
        for step in STEPS {
            let worth = of(step.number);
            let row = format!(
                "| Step {} | {} | {} |",
                step.number, worth.required, worth.bonus
            );
            assert!(
                chapter.contains(&row),
                "docs/src/homework.md should have the row {row}"
            );
        }
    }

    #[test]
    fn every_step_is_worth_points_once() {
        for step in STEPS {
            let rows = POINTS.iter().filter(|w| w.step == step.number).count();
            assert_eq!(rows, 1, "step {} needs one row in POINTS", step.number);
            assert!(
                of(step.number).required > 0,
                "step {} is worth nothing",
                step.number
            );
        }
        assert_eq!(
            POINTS.len(),
            STEPS.len(),
            "POINTS lists a step that does not exist"
        );
    }

    /// Bonus points with no bonus test to earn them, or bonus tests worth nothing, are a
    /// mistake in the table.
    #[test]
    fn a_step_has_bonus_points_exactly_when_it_has_bonus_tests() {
        let root = crate::workspace_root();
        for step in STEPS {
            let has_bonus_tests = step.new_suites().any(|suite| {
                let path = root.join(format!("tests/suites/{}.rs", suite.file));
                let text = std::fs::read_to_string(&path).unwrap();
                text.contains("#[ignore = \"bonus")
            });
            let has_bonus_points = of(step.number).bonus > 0;
            assert_eq!(
                has_bonus_tests, has_bonus_points,
                "step {}: bonus tests and bonus points go together",
                step.number
            );
        }
    }

    #[test]
    fn points_are_shared_equally() {
        assert_eq!(share(10, 4), 2.5);
        assert_eq!(share(10, 0), 0.0);
    }
}
