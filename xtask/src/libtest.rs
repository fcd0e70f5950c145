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
    let mut results: Vec<TestResult> = Vec::new();
    // After a `failures:` line the harness prints what the failed tests printed, which may
    // contain anything, even lines that look like results: only the next binary's `running N
    // tests` line starts results again.
    let mut in_report = false;
    for line in output.lines() {
        if line == "failures:" {
            in_report = true;
        } else if line.starts_with("running ") {
            in_report = false;
        } else if !in_report {
            results.extend(result_line(line));
        }
    }
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

/// `test NAME ... ok`, `... FAILED` or `... ignored[, REASON]`.
fn result_line(line: &str) -> Option<TestResult> {
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
}

/// The test names in the output of a test binary run with `--list`: `NAME: test` lines.
pub fn list(output: &str) -> Vec<String> {
    output
        .lines()
        .filter_map(|line| line.strip_suffix(": test"))
        .map(String::from)
        .collect()
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

    #[test]
    fn lines_printed_by_a_failed_test_are_not_results() {
        let output = "\nrunning 1 test\ntest a::broken ... FAILED\n\nfailures:\n\n---- a::broken stdout \
            ----\ntest a::forged ... ok\n\nfailures:\n    a::broken\n\ntest result: FAILED. 0 passed; 1 \
            failed\n\nrunning 1 test\ntest b::fine ... ok\n";
        let names: Vec<String> = parse(output).into_iter().map(|r| r.name).collect();
        assert_eq!(names, ["a::broken", "b::fine"]);
    }

    #[test]
    fn a_listing_gives_the_test_names() {
        let listing = "a::one: test\nb::two: test\n\n2 tests, 0 benchmarks\n";
        assert_eq!(list(listing), ["a::one", "b::two"]);
    }
}
