//! Checks of the GitHub workflows that actionlint does not make: every action is pinned to a
//! full commit id with its version in a comment, every workflow limits its token to reading,
//! and the grading workflow takes its grader and tests from the pull request's base.

#[cfg(test)]
mod tests {
    use std::fs;

    fn workflow(name: &str) -> String {
        let path = crate::workspace_root().join(".github/workflows").join(name);
        fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    const WORKFLOWS: [&str; 2] = ["ci.yml", "grade.yml"];

    /// A tag can be moved to other code; a commit id cannot.
    #[test]
    fn every_action_is_pinned_to_a_commit_with_its_version_named() {
        for name in WORKFLOWS {
            for line in workflow(name).lines() {
                let Some(used) = line
                    .trim_start()
                    .trim_start_matches("- ")
                    .strip_prefix("uses: ")
                else {
                    continue;
                };
                let (action, rest) = used.split_once('@').expect("an action with a version");
                let (commit, comment) = rest.split_once(" # v").unwrap_or((rest, ""));
                let pinned = commit.len() == 40 && commit.chars().all(|c| c.is_ascii_hexdigit());
                assert!(
                    pinned,
                    "{name}: pin {action} to a full commit id, not {commit:?}"
                );
                assert!(
                    !comment.is_empty(),
                    "{name}: say which version {action}@{commit} is"
                );
            }
        }
    }

    #[test]
    fn every_workflow_may_only_read_the_repository() {
        for name in WORKFLOWS {
            let text = workflow(name);
            assert!(
                text.contains("\npermissions:\n  contents: read\n"),
                "{name}: give the token `permissions: contents: read` and nothing more"
            );
            assert!(!text.contains(": write"), "{name} asks to write");
        }
    }

    /// The student's branch could change the grader or the tests: both come from the base.
    #[test]
    fn the_grading_workflow_trusts_only_the_base() {
        let text = workflow("grade.yml");
        let on_base = "ref: ${{ github.event.pull_request.base.sha }}\n          path: trusted\n";
        assert!(text.contains(on_base), "check out the base into trusted/");
        let run = text.split("working-directory: trusted\n").nth(1);
        let run = run.expect("the grader runs in the trusted checkout");
        for option in ["--labs-from ../submission", "--tests-from \"$BASE\""] {
            assert!(
                run.contains(option),
                "grade.yml should run the grade with {option}"
            );
        }
    }
}
