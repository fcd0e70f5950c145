//! Reading the test harness's default output: each test's outcome and its failure message.

#[derive(Debug, PartialEq)]
pub enum Outcome {
    Passed,
    Failed,
    Ignored,
}

#[derive(Debug)]
pub struct TestResult {
    pub name: String,
    pub outcome: Outcome,
    /// What the test printed and its panic message, for a failed test.
    pub failure: String,
}

/// The results in `output` of `cargo test`, in the order the harness reported them.
pub fn parse(output: &str) -> Vec<TestResult> {
    let mut results: Vec<TestResult> = output
        .lines()
        .filter_map(|line| {
            let (name, outcome) = line.strip_prefix("test ")?.split_once(" ... ")?;
            let outcome = match outcome {
                "ok" => Outcome::Passed,
                "FAILED" => Outcome::Failed,
                other if other.starts_with("ignored") => Outcome::Ignored,
                _ => return None,
            };
            Some(TestResult {
                name: name.to_string(),
                outcome,
                failure: String::new(),
            })
        })
        .collect();
    let mut current: Option<usize> = None;
    for line in output.lines() {
        if let Some(name) = line
            .strip_prefix("---- ")
            .and_then(|l| l.strip_suffix(" stdout ----"))
        {
            current = results.iter().position(|r| r.name == name);
        } else if line == "failures:" || line.starts_with("test result:") {
            current = None;
        } else if let Some(index) = current {
            results[index].failure += line;
            results[index].failure += "\n";
        }
    }
    results
}

#[cfg(test)]
mod tests {
    use super::*;

    const OUTPUT: &str = "\nrunning 3 tests\ntest a::works ... ok\ntest a::bonus ... ignored, bonus\n\
        test a::broken ... FAILED\n\nfailures:\n\n---- a::broken stdout ----\n\nthread 'a::broken' \
        panicked at x.rs:1:1:\nnot yet implemented: Step 1: write it\n\n\nfailures:\n    a::broken\n\n\
        test result: FAILED. 1 passed; 1 failed; 1 ignored\n";

    #[test]
    fn outcomes_and_failure_messages_are_read() {
        let results = parse(OUTPUT);
        let outcomes: Vec<(&str, &Outcome)> = results
            .iter()
            .map(|r| (r.name.as_str(), &r.outcome))
            .collect();
        assert_eq!(
            outcomes,
            [
                ("a::works", &Outcome::Passed),
                ("a::bonus", &Outcome::Ignored),
                ("a::broken", &Outcome::Failed)
            ]
        );
        assert!(
            results[2]
                .failure
                .contains("not yet implemented: Step 1: write it")
        );
        assert!(results[0].failure.is_empty());
    }
}
