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

#[rustfmt::skip]
pub const STEPS: &[Step] = &[
    lab(1, "step1-echo", "Step 1: echo", &[]),
    lab(2, "step2-time-server", "Step 2: the time server", &["chrono"]),
    lab(3, "step3-http-client", "Step 3: an HTTP client", &[]),
    lab(4, "step4-canned-200", "Step 4: a canned 200", &[]),
    lab(5, "step5-get-only", "Step 5: GET only", &[]),
    lab(6, "step6-method-not-allowed", "Step 6: 405 Method Not Allowed", &[]),
    lab(7, "step7-serve-files", "Step 7: serving files", &["mime_guess", "chrono"]),
    lab(8, "step8-many-clients", "Step 8: many clients at once", &["mime_guess", "chrono", "signal-hook"]),
    lab(9, "step9-keep-alive", "Step 9: keep-alive and request bodies", &["mime_guess", "chrono", "signal-hook", "flate2"]),
];

// The web server suites are split by how long their tests hold: what every web server does
// (read the whole request, answer a GET, parse the request line, answer errors) holds until the
// last server step; what a step changes later (the canned body of `response_ok()`, step 5's
// silence towards refused requests) ends where it changes. The `_closes` suites end at step 8:
// they check that the answers say `Connection: close` and that HEAD gets a 405, and step 9
// keeps connections open and answers HEAD.
pub const SUITES: &[Suite] = &[
    holds("step1", 1, 1),
    holds("step2", 2, 2),
    holds("step3", 3, 3),
    holds("step4", 4, 9),
    holds("step4_canned", 4, 6),
    holds("step5", 5, 9),
    holds("step5_no_answer", 5, 5),
    holds("step6", 6, 9),
    holds("step6_closes", 6, 8),
    holds("step7", 7, 9),
    holds("step7_bonus", 7, 9),
    holds("step7_closes", 7, 8),
    holds("step8", 8, 9),
    holds("step9", 9, 9),
    holds("step9_bonus", 9, 9),
];

/// A row of [`STEPS`]: a function, so that the table reads one step a line.
const fn lab(
    number: u8,
    dir: &'static str,
    title: &'static str,
    dependencies: &'static [&'static str],
) -> Step {
    Step {
        number,
        dir,
        title,
        dependencies,
    }
}

/// A row of [`SUITES`]: suite `file` holds from step `first` to step `last`.
const fn holds(file: &'static str, first: u8, last: u8) -> Suite {
    Suite { file, first, last }
}

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

/// The step that `text` (an argument such as `4`) names, or a message that says what N is.
pub fn parse_step(text: &str) -> Result<&'static Step, String> {
    let named = text.parse().ok().and_then(step);
    named.ok_or_else(|| format!("N is a step number from 1 to {}, not {text:?}", STEPS.len()))
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

    /// Pasting a reference module into its lab's `src/lib.rs` must give a lab that builds: the
    /// module names only crates the lab depends on, and nothing of the `solutions` crate.
    #[test]
    fn every_reference_module_can_be_pasted_into_its_lab() {
        let root = crate::workspace_root();
        let manifest = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
        let section = manifest.split("[workspace.dependencies]").nth(1).unwrap();
        let crates: Vec<&str> = section
            .lines()
            .take_while(|line| !line.starts_with('['))
            .filter_map(|line| line.split_once(" = ").map(|(name, _)| name.trim()))
            .filter(|name| !name.starts_with('#'))
            .collect();
        for step in STEPS {
            let path = root.join(format!("solutions/src/step{}.rs", step.number));
            let code = std::fs::read_to_string(&path).unwrap();
            for outside in ["crate::", "super::"] {
                assert!(
                    !code.contains(outside),
                    "{}: uses `{outside}`",
                    path.display()
                );
            }
            for name in &crates {
                let used = code.contains(&format!("{}::", name.replace('-', "_")));
                let listed = step.dependencies.contains(name) || *name == "labcli";
                assert!(
                    !used || listed,
                    "{} uses {name}: add it to step {}'s dependencies",
                    path.display(),
                    step.number
                );
            }
        }
    }
}
