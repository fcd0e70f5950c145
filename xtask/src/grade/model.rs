//! What a grade is made of: each graded step, each of its tests with its kind, outcome and
//! points, and the step's status.

use std::collections::BTreeSet;
use std::path::PathBuf;

use super::points;
use super::run::{Outcome, Ran};
use crate::steps::{CARRIED_MODULE, Step};

pub struct Report {
    /// Where the trusted files came from, in words.
    pub tests_from: String,
    pub labs_from: PathBuf,
    /// The commit of the graded checkout's `HEAD`, when it is a git checkout.
    pub commit: Option<String>,
    /// Where CI says the submission comes from: `OWNER/NAME`, and the pull request's number.
    pub repository: Option<String>,
    pub pull_request: Option<u64>,
    /// Whether the tests ran in the sandbox, in words.
    pub isolation: String,
    /// Tampering seen by the grade as a whole, not by one test: it leaves no grade at all.
    pub tampering: Vec<String>,
    /// With `--changed-since`: the revision, in words.
    pub changed_since: Option<String>,
    /// With `--changed-since`: the changed files that the grade does not take from the
    /// student, because they are not in a lab's `src/` (an edited test, for example).
    pub changed_elsewhere: Vec<String>,
    pub steps: Vec<StepGrade>,
}

pub struct StepGrade {
    pub step: &'static Step,
    pub result: LabResult,
    /// Tampering seen in the lab's files (an extra target under `src/bin/`, say).
    pub tampering: Vec<String>,
}

pub enum LabResult {
    /// The compiler's first error.
    DoesNotCompile(String),
    Tested(Vec<TestGrade>),
}

pub struct TestGrade {
    /// The test's path in the lab's test binary, as `cargo test -p stepN NAME` takes it.
    pub name: String,
    pub kind: Kind,
    pub outcome: Outcome,
    /// Why it failed; empty when it passed.
    pub message: String,
    pub points: f64,
    /// What its run did to the grade's files or results; a test with any scores 0.
    pub tampering: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Kind {
    /// New at this step: earns a share of the step's points.
    Required,
    /// Carried over from an earlier step: earns nothing, but must pass.
    Earlier,
    /// A bonus test: earns a share of the step's bonus points.
    Bonus,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Status {
    NotStarted,
    InProgress,
    Done,
    DoesNotCompile,
    /// The lab's files, or a test's run, showed tampering.
    Tampered,
}

/// Grades made up for the tests of what shows them (the views, the reports, `solution`).
#[cfg(test)]
impl StepGrade {
    /// A step whose lab compiled and whose tests ended as `tests` did.
    pub fn tested(step: &'static Step, tests: Vec<TestGrade>) -> StepGrade {
        StepGrade {
            step,
            result: LabResult::Tested(tests),
            tampering: Vec::new(),
        }
    }
}

#[cfg(test)]
impl TestGrade {
    /// A test that ended with `outcome`, with no message and no points.
    pub fn ended(name: String, kind: Kind, outcome: Outcome) -> TestGrade {
        TestGrade {
            name,
            kind,
            outcome,
            message: String::new(),
            points: 0.0,
            tampering: Vec::new(),
        }
    }
}

/// Each test's kind and points: the step's points are shared by its new tests, its bonus
/// points by its own bonus tests (its ignored ones, not the carried ones).
pub fn score(step: &Step, ran: Vec<(String, Ran)>, ignored: &BTreeSet<String>) -> Vec<TestGrade> {
    let carried = format!("{CARRIED_MODULE}::");
    // A carried test is an earlier step's, its bonus tests too: they are ignored (opt-in) in
    // this step's lab as they were in theirs, but this step's bonus points are not for them.
    let kind_of = |name: &str| {
        if name.starts_with(&carried) {
            Kind::Earlier
        } else if ignored.contains(name) {
            Kind::Bonus
        } else {
            Kind::Required
        }
    };
    let count = |kind| ran.iter().filter(|(name, _)| kind_of(name) == kind).count();
    let worth = points::of(step.number);
    let required_share = points::share(worth.required, count(Kind::Required));
    let bonus_share = points::share(worth.bonus, count(Kind::Bonus));
    ran.into_iter()
        .map(|(name, ran)| {
            let kind = kind_of(&name);
            let share = match kind {
                Kind::Required => required_share,
                Kind::Bonus => bonus_share,
                Kind::Earlier => 0.0,
            };
            TestGrade {
                points: if ran.outcome == Outcome::Passed {
                    share
                } else {
                    0.0
                },
                name,
                kind,
                outcome: ran.outcome,
                message: ran.message,
                tampering: ran.tampering,
            }
        })
        .collect()
}

impl Report {
    /// Every graded step is done, and nothing was tampered with: the exit status is then
    /// success.
    pub fn passes(&self) -> bool {
        self.tampering.is_empty() && self.steps.iter().all(|step| step.status() == Status::Done)
    }

    /// Whether anything was tampered with, in the grade as a whole or in a step.
    pub fn tampered(&self) -> bool {
        !self.tampering.is_empty() || self.steps.iter().any(StepGrade::tampered)
    }

    /// The first graded step that is not done: where a student picks up the work.
    pub fn first_unfinished(&self) -> Option<&StepGrade> {
        self.steps.iter().find(|step| step.status() != Status::Done)
    }

    /// The first step after step `number` that is not done, or else the first one that is not.
    pub fn next_unfinished(&self, number: u8) -> Option<&StepGrade> {
        let unfinished = |step: &&StepGrade| step.status() != Status::Done;
        let mut later = self.steps.iter().filter(|s| s.step.number > number);
        later.find(unfinished).or_else(|| self.first_unfinished())
    }
}

/// What stands between a step and done, first: the compiler's error, or a failing test.
pub enum Blocker<'a> {
    DoesNotCompile(&'a str),
    Fails(&'a TestGrade),
}

impl StepGrade {
    pub fn tests(&self) -> &[TestGrade] {
        match &self.result {
            LabResult::Tested(tests) => tests,
            LabResult::DoesNotCompile(_) => &[],
        }
    }

    /// How many tests of `kind` passed, and how many there are.
    pub fn count(&self, kind: Kind) -> (usize, usize) {
        let of_kind = self.tests().iter().filter(|test| test.kind == kind);
        let passed = of_kind
            .clone()
            .filter(|test| test.outcome == Outcome::Passed)
            .count();
        (passed, of_kind.count())
    }

    /// The points earned by tests of `kind`: the step's points in proportion to the tests
    /// passed (a sum of shares would not always add up to the whole).
    pub fn points(&self, kind: Kind) -> f64 {
        let worth = points::of(self.step.number);
        let max = match kind {
            Kind::Required => worth.required,
            Kind::Bonus => worth.bonus,
            Kind::Earlier => 0,
        };
        match self.count(kind) {
            (_, 0) => 0.0,
            (passed, total) => f64::from(max) * passed as f64 / total as f64,
        }
    }

    pub fn max_points(&self) -> u32 {
        points::of(self.step.number).required
    }

    pub fn max_bonus(&self) -> u32 {
        points::of(self.step.number).bonus
    }

    /// The compiler's error, else the first failing test of an earlier step (something that
    /// worked and broke), else the first of this step's own tests that fails, in `order`.
    pub fn first_blocker<K: Ord>(&self, order: impl Fn(&str) -> K) -> Option<Blocker<'_>> {
        if let LabResult::DoesNotCompile(error) = &self.result {
            return Some(Blocker::DoesNotCompile(error));
        }
        let failing = |kind| {
            self.tests()
                .iter()
                .filter(move |test| test.kind == kind && test.outcome != Outcome::Passed)
                .min_by_key(|test| order(&test.name))
        };
        failing(Kind::Earlier)
            .or_else(|| failing(Kind::Required))
            .map(Blocker::Fails)
    }

    /// Whether the lab's files or one of its tests' runs showed tampering.
    pub fn tampered(&self) -> bool {
        !self.tampering.is_empty() || self.tests().iter().any(|t| t.outcome == Outcome::Tampered)
    }

    /// Every sign of tampering in this step, with the test it was seen in.
    pub fn tampering(&self) -> Vec<String> {
        let tests = self.tests().iter().flat_map(|test| {
            test.tampering
                .iter()
                .map(|what| format!("{}: {what}", test.name))
        });
        self.tampering.iter().cloned().chain(tests).collect()
    }

    pub fn status(&self) -> Status {
        if self.tampered() {
            return Status::Tampered;
        }
        if let LabResult::DoesNotCompile(_) = self.result {
            return Status::DoesNotCompile;
        }
        let (new_passed, new_total) = self.count(Kind::Required);
        let (earlier_passed, earlier_total) = self.count(Kind::Earlier);
        if new_passed == new_total && earlier_passed == earlier_total {
            Status::Done
        } else if new_passed == 0 {
            Status::NotStarted
        } else {
            Status::InProgress
        }
    }
}

impl Status {
    pub fn words(self) -> &'static str {
        match self {
            Status::NotStarted => "not started",
            Status::InProgress => "in progress",
            Status::Done => "done",
            Status::DoesNotCompile => "does not compile",
            Status::Tampered => "tampering",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_earlier_step_s_bonus_carried_over_earns_none_of_this_step_s_bonus() {
        let step = crate::steps::step(8).expect("step 8");
        let passed = || Ran {
            outcome: Outcome::Passed,
            message: String::new(),
            tampering: Vec::new(),
        };
        let carried_bonus = format!("{CARRIED_MODULE}::step7_bonus::bonus_a_date");
        let ran = vec![
            ("step8::a_pool".to_string(), passed()),
            (carried_bonus.clone(), passed()),
        ];
        let ignored = BTreeSet::from([carried_bonus.clone()]);
        let kinds: Vec<(String, Kind)> = score(step, ran, &ignored)
            .into_iter()
            .map(|test| (test.name, test.kind))
            .collect();
        assert_eq!(
            kinds,
            [
                ("step8::a_pool".to_string(), Kind::Required),
                (carried_bonus, Kind::Earlier)
            ]
        );
    }
}
