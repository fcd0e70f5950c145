//! Checks of the GitHub workflows that actionlint does not make: every action is pinned to a
//! full commit id with its version in a comment, every workflow limits its token to reading and
//! uses no secrets, and the grading workflows (`grade.yml` for pull requests, `classroom.yml`
//! for GitHub Classroom) take their grader and tests from the course and run nothing of the
//! student's outside the sandbox; `grade.yml` runs as the course's branch has it.

#[cfg(test)]
mod tests {
    use std::fs;

    fn workflow(name: &str) -> String {
        let path = crate::workspace_root().join(".github/workflows").join(name);
        fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    const WORKFLOWS: [&str; 4] = ["ci.yml", "grade.yml", "classroom.yml", "pages.yml"];

    /// The workflows that run the student's code.
    const GRADING: [&str; 2] = ["grade.yml", "classroom.yml"];

    fn indent(line: &str) -> usize {
        line.len() - line.trim_start().len()
    }

    /// The steps of a workflow, each as its lines: a step starts at `- name:`, `- uses:`,
    /// `- run:` or `- id:`, and ends before the next step or the first line indented less than
    /// its `-`.
    fn steps(text: &str) -> Vec<String> {
        let mut steps = Vec::new();
        let mut current: Option<(usize, String)> = None;
        for line in text.lines() {
            let trimmed = line.trim_start();
            let starts = ["- name:", "- uses:", "- run:", "- id:"];
            if starts.iter().any(|s| trimmed.starts_with(s)) {
                steps.extend(current.take().map(|(_, step)| step));
                current = Some((indent(line), String::new()));
            } else if !trimmed.is_empty()
                && !trimmed.starts_with('#')
                && current
                    .as_ref()
                    .is_some_and(|(dash, _)| indent(line) <= *dash)
            {
                steps.extend(current.take().map(|(_, step)| step));
            }
            if let Some((_, step)) = &mut current {
                step.push_str(line);
                step.push('\n');
            }
        }
        steps.extend(current.map(|(_, step)| step));
        steps
    }

    /// What a step's `run:` holds, its first line and every line indented past the key.
    fn run_block(step: &str) -> Option<String> {
        let is_run = |l: &&str| l.trim_start().trim_start_matches("- ").starts_with("run:");
        let mut lines = step.lines().skip_while(|l| !is_run(l));
        let first = lines.next()?;
        let key = first.find("run:")?;
        let mut block = first[key + "run:".len()..].to_string();
        for line in lines.take_while(|l| l.trim().is_empty() || indent(l) > key) {
            block.push('\n');
            block.push_str(line);
        }
        Some(block)
    }

    /// The value of a step's `key:`, if it has one.
    fn value<'a>(step: &'a str, key: &str) -> Option<&'a str> {
        let key = format!("{key}:");
        step.lines()
            .map(|l| l.trim_start().trim_start_matches("- "))
            .find_map(|l| l.strip_prefix(key.as_str()))
            .map(str::trim)
    }

    /// The index of the first step whose text holds `needle`.
    fn step_with(steps: &[String], needle: &str) -> usize {
        steps
            .iter()
            .position(|s| s.contains(needle))
            .unwrap_or_else(|| panic!("no step with {needle:?}"))
    }

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

    /// What the Pages workflow's deploy job may write, as GitHub's deploy action needs.
    const PAGES_WRITES: &str = "    permissions:\n      pages: write\n      id-token: write\n";

    #[test]
    fn every_workflow_may_only_read_the_repository() {
        for name in WORKFLOWS {
            let text = workflow(name);
            assert!(
                text.contains("\npermissions:\n  contents: read\n"),
                "{name}: give the token `permissions: contents: read` and nothing more"
            );
            // The one exception: publishing the book, below.
            let text = if name == "pages.yml" {
                text.replacen(PAGES_WRITES, "", 1)
            } else {
                text
            };
            assert!(!text.contains(": write"), "{name} asks to write");
        }
    }

    /// The book's publishing may write to Pages, so it runs only on the course's own pushes to
    /// main, and the job that holds that right runs no command, only the deploy action.
    #[test]
    fn only_the_course_s_pushes_publish_the_book_and_its_writer_runs_nothing() {
        let text = workflow("pages.yml");
        let on = text.split("\non:\n").nth(1).expect("an `on:`");
        let on = on.split("\n\n").next().unwrap_or_default();
        assert!(on.contains("  push:\n    branches: [main]\n"), "{on}");
        assert!(
            !on.contains("pull_request"),
            "pages.yml runs on pull requests: {on}"
        );
        let deploy = text.split("\n  deploy:\n").nth(1).expect("a deploy job");
        assert!(
            deploy.contains(PAGES_WRITES),
            "the deploy job holds the writes"
        );
        assert!(!deploy.contains("run:"), "the deploy job runs a command");
        let steps = steps(deploy);
        assert_eq!(steps.len(), 1, "one step, the deploy action: {steps:?}");
        assert!(
            steps[0].contains("uses: actions/deploy-pages@"),
            "{}",
            steps[0]
        );
        let build = text.split("\n  deploy:\n").next().unwrap_or_default();
        assert!(
            !build.contains("pages: write"),
            "the build job may write to Pages"
        );
    }

    /// The grading job runs the student's code: it must hold nothing worth taking.
    #[test]
    fn no_workflow_uses_secrets() {
        for name in WORKFLOWS {
            assert!(
                !workflow(name).contains("secrets."),
                "{name}: use no secrets; the grade needs none, and the student's code runs \
                 beside them"
            );
        }
    }

    /// With credentials left in `.git/config`, any later step could push with the token.
    #[test]
    fn no_checkout_keeps_its_credentials() {
        for name in WORKFLOWS {
            for step in steps(&workflow(name)) {
                if step.contains("uses: actions/checkout@") {
                    assert!(
                        step.contains("persist-credentials: false"),
                        "{name}: give every actions/checkout `persist-credentials: false`:\n{step}"
                    );
                }
            }
        }
    }

    /// `${{ ... }}` in a script is pasted into it before it runs: a branch name or a title
    /// chosen by the student would become a command.
    #[test]
    fn event_values_reach_scripts_only_through_env() {
        for name in WORKFLOWS {
            for step in steps(&workflow(name)) {
                let Some(run) = run_block(&step) else {
                    continue;
                };
                assert!(
                    !run.contains("${{"),
                    "{name}: pass the value to the script through the step's `env:` and use \
                     it as \"$NAME\", instead of `${{{{ ... }}}}` in `run:`:\n{step}"
                );
            }
        }
    }

    /// On `pull_request`, GitHub runs the workflow as the pull request has it, so a student
    /// could edit the grade; on `pull_request_target` it runs as the course's branch has it.
    #[test]
    fn the_grading_workflow_runs_only_on_pull_request_target() {
        let text = workflow("grade.yml");
        let on = text.split_once("\non:\n").map(|(_, rest)| rest);
        let on = on.expect("grade.yml: write its triggers as a block, `on:` on a line of its own");
        let events: Vec<&str> = on
            .lines()
            .take_while(|l| l.trim().is_empty() || l.starts_with(' ') || l.starts_with('#'))
            .filter(|l| indent(l) == 2 && !l.trim_start().starts_with('#'))
            .map(str::trim)
            .collect();
        assert_eq!(
            events,
            ["pull_request_target:"],
            "grade.yml: trigger the grade on `pull_request_target` alone"
        );
    }

    /// The student's branch could change the grader or the tests: both come from the base, and
    /// the pull request's head is only read.
    #[test]
    fn the_grading_workflow_trusts_only_the_base() {
        let text = workflow("grade.yml");
        let on_base = "ref: ${{ github.event.pull_request.base.sha }}\n          path: trusted\n";
        assert!(text.contains(on_base), "check out the base into trusted/");
        let head = "ref: ${{ github.event.pull_request.head.sha }}\n          path: submission\n";
        assert!(
            text.contains(head),
            "check out the pull request's head, from the course's repository (which has the base \
             commit too), into submission/"
        );
        assert!(
            text.contains("fetch-depth: 0"),
            "check out the head's whole history: the grade finds what changed since the base"
        );
        let steps = steps(&text);
        let grade = &steps[step_with(&steps, "cargo xtask grade")];
        assert_eq!(
            value(grade, "working-directory"),
            Some("trusted"),
            "run the grade in the trusted checkout"
        );
        for option in [
            "--labs-from ../submission",
            "--tests-from \"$BASE\"",
            "--changed-since \"$BASE\"",
            "--json ../grade.json",
            "--repository \"$REPO\"",
            "--pull-request \"$NUMBER\"",
        ] {
            assert!(
                grade.contains(option),
                "grade.yml should run the grade with {option}"
            );
        }
        for (variable, event) in [
            ("BASE", "github.event.pull_request.base.sha"),
            ("REPO", "github.event.pull_request.head.repo.full_name"),
            ("NUMBER", "github.event.pull_request.number"),
        ] {
            let line = format!("{variable}: ${{{{ {event} }}}}");
            assert!(
                grade.contains(&line),
                "give the grade step `{line}` in its env"
            );
        }
    }

    /// The student's code runs only in bubblewrap, which Ubuntu 24.04's AppArmor stops unless
    /// the restriction on user namespaces is lifted first.
    #[test]
    fn the_grade_runs_the_tests_in_the_sandbox() {
        for name in GRADING {
            let steps = steps(&workflow(name));
            let grade = step_with(&steps, "cargo xtask grade");
            assert!(
                steps[grade].contains("--sandbox"),
                "{name}: run the grade with --sandbox: no grade rather than one of code that \
                 ran unconfined"
            );
            for line in [
                "sudo apt-get install -y bubblewrap",
                "sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0",
            ] {
                assert!(
                    step_with(&steps, line) < grade,
                    "{name}: run `{line}` in a step before the grade"
                );
            }
        }
    }

    /// Outside the sandbox, nothing from the pull request may run: not a script, not a program,
    /// not a local action.
    #[test]
    fn no_step_runs_anything_from_the_submission() {
        for name in GRADING {
            for step in steps(&workflow(name)) {
                let uses = value(&step, "uses").unwrap_or_default();
                assert!(
                    !uses.starts_with('.'),
                    "{name}: use no local action, it could come from the student:\n{step}"
                );
                let Some(run) = run_block(&step) else {
                    continue;
                };
                let directory = value(&step, "working-directory").unwrap_or_default();
                assert!(
                    !directory.contains("submission"),
                    "{name}: run no step in submission/; run it in trusted/:\n{step}"
                );
                assert!(
                    !run.replace("--labs-from ../submission", "")
                        .contains("submission"),
                    "{name}: name submission/ only as `--labs-from ../submission`; the grader \
                     reads it, nothing else may:\n{step}"
                );
            }
        }
    }

    /// A pull_request_target run saves its cache where the base branch's runs restore it, and
    /// cargo does not check a crate it finds in its cache again: cache cargo's downloads only,
    /// saved before the student's code is compiled.
    #[test]
    fn the_grading_workflow_caches_only_what_it_downloaded_itself() {
        for name in GRADING {
            let steps = steps(&workflow(name));
            let grade = step_with(&steps, "cargo xtask grade");
            let allowed = ["~/.cargo/registry/index", "~/.cargo/registry/cache"];
            for (index, step) in steps.iter().enumerate() {
                if !step.contains("uses: actions/cache") {
                    continue;
                }
                let paths = step.split_once("path: |\n").map(|(_, rest)| rest);
                let paths = paths.expect("list a cache's paths as `path: |`");
                for path in paths.lines().take_while(|l| indent(l) > 10) {
                    assert!(
                        allowed.contains(&path.trim()),
                        "{name}: cache only {allowed:?}, not {:?} (never target/)",
                        path.trim()
                    );
                }
                let restores = step.contains("uses: actions/cache/restore@");
                let saves_first = step.contains("uses: actions/cache/save@") && index < grade;
                assert!(
                    restores || saves_first,
                    "{name}: save the cache (actions/cache/save) before the grade, and restore \
                     it with actions/cache/restore, not actions/cache, which saves after:\n{step}"
                );
            }
        }
    }

    /// Classroom takes the points from the workflow `Autograding Tests` and its one job
    /// `run-autograding-tests`, which it runs on push and asks to run again by dispatch.
    #[test]
    fn the_classroom_workflow_is_the_one_classroom_looks_for() {
        let text = workflow("classroom.yml");
        assert!(
            text.contains("\nname: Autograding Tests\n"),
            "classroom.yml: Classroom reads the workflow named `Autograding Tests`"
        );
        let jobs = text.split_once("\njobs:\n").map(|(_, rest)| rest).unwrap();
        let ids: Vec<&str> = jobs
            .lines()
            .filter(|l| indent(l) == 2 && !l.trim_start().starts_with('#'))
            .map(str::trim)
            .collect();
        assert_eq!(
            ids,
            ["run-autograding-tests:"],
            "classroom.yml: one job, `run-autograding-tests`"
        );
        for event in ["push:", "workflow_dispatch:", "repository_dispatch:"] {
            assert!(
                text.contains(&format!("\n  {event}\n")),
                "trigger on {event}"
            );
        }
    }

    /// The student's repository is not trusted: the grader and the tests come from the
    /// course's, the push is only read, and the result reaches the reporter as it reads it.
    #[test]
    fn the_classroom_workflow_trusts_only_the_course_s_repository() {
        let text = workflow("classroom.yml");
        let course = "repository: ${{ vars.COURSE_REPOSITORY }}\n          \
                      ref: ${{ vars.COURSE_REF }}\n          path: trusted\n";
        assert!(
            text.contains(course),
            "check out the course's repository into trusted/"
        );
        assert!(
            text.contains("vars.COURSE_REPOSITORY != ''"),
            "skip the job when no course is named: trusted/ would be the student's own"
        );
        let steps = steps(&text);
        let grade = &steps[step_with(&steps, "cargo xtask grade")];
        assert_eq!(value(grade, "id"), Some("grade"));
        assert_eq!(value(grade, "working-directory"), Some("trusted"));
        for option in [
            "--labs-from ../submission",
            "--tests-from-dir .",
            "--classroom ../classroom.json",
        ] {
            assert!(grade.contains(option), "classroom.yml: grade with {option}");
        }
        let report = &steps[step_with(&steps, "autograding-grading-reporter@")];
        assert_eq!(
            value(report, "if"),
            Some("always()"),
            "report a failing grade too"
        );
        assert!(report.contains("GRADE_RESULTS: ${{ steps.grade.outputs.result }}"));
        assert_eq!(value(report, "runners"), Some("grade"));
        let reporter = value(report, "uses").unwrap();
        assert!(reporter.starts_with("classroom-resources/autograding-grading-reporter@"));
    }
}
