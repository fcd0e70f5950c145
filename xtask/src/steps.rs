//! The table of steps and suites: the one place that says which labs exist, where they live,
//! and which suite files hold at which step. Adding a step starts with a row here.

/// One lab: package `step{number}` in `labs/{dir}`, reference in `solutions/src/step{number}.rs`.
pub struct Step {
    pub number: u8,
    pub dir: &'static str,
    /// The docs chapter, also the package description.
    pub title: &'static str,
    /// Workspace dependencies the lab needs besides `labcli`.
    pub dependencies: &'static [&'static str],
}

/// A suite file `tests/suites/{file}.rs` and the steps at which its tests hold. A suite holds
/// from the step that introduces it until the step whose behaviour replaces it.
pub struct Suite {
    pub file: &'static str,
    pub first: u8,
    pub last: u8,
}

pub const STEPS: &[Step] = &[
    Step {
        number: 1,
        dir: "step1-echo",
        title: "Step 1: echo",
        dependencies: &[],
    },
    Step {
        number: 4,
        dir: "step4-canned-200",
        title: "Step 4: a canned 200",
        dependencies: &[],
    },
    Step {
        number: 5,
        dir: "step5-get-only",
        title: "Step 5: GET only",
        dependencies: &[],
    },
    Step {
        number: 6,
        dir: "step6-method-not-allowed",
        title: "Step 6: 405 Method Not Allowed",
        dependencies: &[],
    },
];

// The web server suites are split by how long their tests hold: what every web server does
// (read the whole request, answer a GET, parse the request line, answer errors) holds until the
// last server step; what a step changes later (the canned body of `response_ok()`, step 5's
// silence towards refused requests) ends where it changes.
pub const SUITES: &[Suite] = &[
    Suite {
        file: "step1",
        first: 1,
        last: 1,
    },
    Suite {
        file: "step4",
        first: 4,
        last: 6,
    },
    Suite {
        file: "step4_canned",
        first: 4,
        last: 6,
    },
    Suite {
        file: "step5",
        first: 5,
        last: 6,
    },
    Suite {
        file: "step5_no_answer",
        first: 5,
        last: 5,
    },
    Suite {
        file: "step6",
        first: 6,
        last: 6,
    },
];

impl Step {
    pub fn package(&self) -> String {
        format!("step{}", self.number)
    }

    /// The suites whose tests are new at this step: they start red.
    pub fn new_suites(&self) -> impl Iterator<Item = &'static Suite> + '_ {
        SUITES.iter().filter(|suite| suite.first == self.number)
    }

    /// The suites of earlier steps that still hold here: they start green.
    pub fn carried_suites(&self) -> impl Iterator<Item = &'static Suite> + '_ {
        SUITES
            .iter()
            .filter(|s| s.first < self.number && self.number <= s.last)
    }
}

/// The step numbered `number`, if there is one.
pub fn step(number: u8) -> Option<&'static Step> {
    STEPS.iter().find(|step| step.number == number)
}

/// The module path under which carried-over tests run; `verify` expects them to pass.
pub const CARRIED_MODULE: &str = "earlier_steps";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_step_has_new_tests_and_every_suite_a_step() {
        for step in STEPS {
            assert!(
                step.new_suites().next().is_some(),
                "step {} has no suite",
                step.number
            );
            assert!(step.title.starts_with(&format!("Step {}: ", step.number)));
        }
        for suite in SUITES {
            assert!(
                suite.first <= suite.last,
                "{} ends before it starts",
                suite.file
            );
            assert!(
                step(suite.first).is_some() && step(suite.last).is_some(),
                "{}",
                suite.file
            );
        }
    }
}
