//! Golden cases of the grade, each on a git copy of this workbook: a pristine clone; the
//! reference in every lab; a pull
//! request that pastes the reference into some labs, breaks the build of one, makes the server
//! of another hang, and edits the suites of one so that its tests pass; and that same edit
//! trusted, to show that it would have raised the score. They build the labs, so they take a
//! while and are ignored by a plain `cargo test`; `cargo xtask verify` runs them with the
//! ignored tests.
//! They share one build folder, one case at a time, so that each builds only what it changed.
//!
//! Then the attacks: each a pull request that tries to raise its grade without doing the work,
//! graded as the workflow grades (in the sandbox, which CI requires), and each expected to
//! score 0 and be reported as tampering, with the trusted checkout and the grade's outputs
//! unchanged.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

use super::options::Sandboxing;
use super::sources::{self, TestsFrom};
use super::{Kind, LabResult, Options, Outcome, Report, Status, StepGrade, grade, report};
use crate::steps::{STEPS, Step, step};
use crate::workspace_root;

/// The cases build in one folder, so they take turns; `watch`'s session test builds there too.
pub static BUILD_FOLDER: Mutex<()> = Mutex::new(());

/// That folder, from the workspace root.
pub const BUILD_DIR: &str = "target/grade-golden";

/// The branch a student's pull request starts from.
const UPSTREAM: &str = "upstream";

/// A git repository holding a copy of this workbook, committed and tagged `upstream`; removed
/// when dropped.
struct Checkout {
    dir: PathBuf,
}

impl Checkout {
    fn pristine(name: &str) -> Checkout {
        let dir = sources::scratch(&format!("golden-{name}"));
        let files = sources::trusted(&workspace_root(), &TestsFrom::WorkingTree).unwrap();
        sources::mirror(&files, &dir).unwrap();
        let checkout = Checkout { dir };
        checkout.git(&["init", "--quiet"]);
        checkout.commit("the workbook as the course publishes it");
        checkout.git(&["tag", UPSTREAM]);
        checkout
    }

    /// The student's branch of a pull request: the reference pasted into labs 1 and 4; lab 3
    /// with a type error; lab 5 with the reference, whose `parse_request` never returns for a
    /// DELETE; and lab 6 left as it is, but with its suites edited so that every test passes at
    /// once. Lab 2 and 7 are not touched.
    fn pull_request(name: &str) -> Checkout {
        let checkout = Checkout::pristine(name);
        checkout.git(&["checkout", "--quiet", "-b", "student"]);
        checkout.paste_reference(1, |code| code);
        checkout.paste_reference(4, |code| code);
        checkout.paste_reference(3, |code| {
            code + "\nfn broken() -> u8 {\n    \"not a number\"\n}\n"
        });
        checkout.paste_reference(5, |code| {
            let hang = "    if method == \"DELETE\" {\n        \
                        loop {\n            std::hint::spin_loop();\n        }\n    }\n";
            let check = "    if method != \"GET\" {";
            assert!(
                code.contains(check),
                "step 5's reference has changed: update the case"
            );
            code.replace(check, &format!("{hang}{check}"))
        });
        for suite in lab(6).new_suites() {
            let suite = PathBuf::from(format!("tests/suites/{}.rs", suite.file));
            let original = checkout.read(&suite);
            let mut tests = original.split("#[test]\nfn ");
            let mut tampered = tests.next().unwrap().to_string();
            for test in tests {
                // `#[test] fn name() {` gets a `return;` first.
                let test = test.replacen("() {\n", "() {\n    return;\n", 1);
                tampered += &format!("#[test]\n#[allow(unreachable_code)]\nfn {test}");
            }
            checkout.write(&suite, &tampered);
        }
        // The lab's test host is touched too, so that `--changed-since` picks lab 6.
        let host = Path::new("labs/step6-method-not-allowed/tests/step6.rs");
        checkout.write(host, &(checkout.read(host) + "// every test passes now\n"));
        checkout.commit("my work");
        checkout
    }

    fn paste_reference(&self, number: u8, edit: impl FnOnce(String) -> String) {
        let reference = self.read(Path::new(&format!("solutions/src/step{number}.rs")));
        let lab = Path::new("labs").join(lab(number).dir).join("src/lib.rs");
        self.write(&lab, &edit(reference));
    }

    fn read(&self, path: &Path) -> String {
        fs::read_to_string(self.dir.join(path)).unwrap()
    }

    fn write(&self, path: &Path, text: &str) {
        fs::write(self.dir.join(path), text).unwrap();
    }

    fn commit(&self, message: &str) {
        self.git(&["add", "--all"]);
        self.git(&[
            "-c",
            "user.name=Golden Case",
            "-c",
            "user.email=golden@example.invalid",
            "-c",
            "commit.gpgsign=false",
            "commit",
            "--quiet",
            "--message",
            message,
        ]);
    }

    fn git(&self, args: &[&str]) {
        let output = Command::new("git")
            .args(args)
            .current_dir(&self.dir)
            .output()
            .expect("git runs");
        assert!(
            output.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }

    /// The options of a grade of this checkout, in the golden cases' build folder, isolated as
    /// CI isolates it.
    fn options(
        &self,
        steps: &[&'static Step],
        changed_since: Option<&str>,
        tests_from: TestsFrom,
    ) -> Options {
        let mut options = Options::working_tree(&self.dir, steps.to_vec());
        options.changed_since = changed_since.map(String::from);
        options.tests_from = tests_from;
        options.build_dir = workspace_root().join(BUILD_DIR);
        options.announce = true;
        options.trusted_checkout = workspace_root();
        options.sandbox = if std::env::var_os("CI").is_some() {
            Sandboxing::Required
        } else {
            Sandboxing::WhereItWorks
        };
        options
    }

    /// The grade of this checkout, in the golden cases' build folder.
    fn grade(
        &self,
        steps: &[&'static Step],
        changed_since: Option<&str>,
        tests_from: TestsFrom,
    ) -> Report {
        graded_with(&self.options(steps, changed_since, tests_from))
    }

    /// A pull request that leaves lab 1 as it is but for `attack`, put first in each of the
    /// starter's unwritten functions (`serve`, `echo`, `echo_client`).
    fn attack(name: &str, attack: &str) -> Checkout {
        let checkout = Checkout::pristine(name);
        checkout.git(&["checkout", "--quiet", "-b", "student"]);
        let lab = Path::new("labs").join(lab(1).dir).join("src/lib.rs");
        let starter = checkout.read(&lab);
        assert!(
            starter.contains("    todo!("),
            "step 1's starter has changed"
        );
        checkout.write(
            &lab,
            &starter.replace("    todo!(", &format!("    {{ {attack} }}\n    todo!(")),
        );
        checkout.commit("points without work");
        checkout
    }
}

fn graded_with(options: &Options) -> Report {
    let _turn = BUILD_FOLDER.lock().unwrap_or_else(|e| e.into_inner());
    grade(options).unwrap()
}

impl Drop for Checkout {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.dir);
    }
}

fn lab(number: u8) -> &'static Step {
    step(number).unwrap()
}

fn graded(report: &Report, number: u8) -> &StepGrade {
    let found = report.steps.iter().find(|s| s.step.number == number);
    found.unwrap_or_else(|| panic!("step {number} was not graded"))
}

/// `(passed, total)` of the step's own tests, and its points.
fn score(step: &StepGrade) -> ((usize, usize), f64) {
    (step.count(Kind::Required), step.points(Kind::Required))
}

#[test]
#[ignore = "slow: builds the labs; `cargo xtask verify` runs it"]
fn a_pristine_clone_scores_no_points_at_any_step() {
    let checkout = Checkout::pristine("pristine");
    let all: Vec<&Step> = STEPS.iter().collect();
    let report = checkout.grade(&all, None, TestsFrom::WorkingTree);
    assert_eq!(report.steps.len(), STEPS.len());
    for step in &report.steps {
        let ((passed, total), points) = score(step);
        assert!(total > 0, "step {} has tests", step.step.number);
        assert_eq!((passed, points), (0, 0.0), "step {}", step.step.number);
        assert_eq!(
            step.status(),
            Status::NotStarted,
            "step {}",
            step.step.number
        );
        // The tests carried over from earlier steps pass on a starter, as verify checks.
        let (earlier_passed, earlier_total) = step.count(Kind::Earlier);
        assert_eq!(earlier_passed, earlier_total, "step {}", step.step.number);
    }
    assert!(
        !report.passes(),
        "a pristine clone fails, so the exit status is 1"
    );
}

/// The other end: the reference in every lab earns every point, bonus included, graded as CI
/// grades (in the sandbox where it works). A test that cannot pass where grades are made (it
/// reads `/proc`, which the sandbox hides) fails here, not in a student's grade.
#[test]
#[ignore = "slow: builds the labs; `cargo xtask verify` runs it"]
fn the_reference_in_every_lab_earns_every_point() {
    let checkout = Checkout::pristine("solved");
    checkout.git(&["checkout", "--quiet", "-b", "student"]);
    for step in STEPS {
        checkout.paste_reference(step.number, |code| code);
    }
    checkout.commit("every lab solved");
    let all: Vec<&Step> = STEPS.iter().collect();
    let report = checkout.grade(&all, None, TestsFrom::Revision(UPSTREAM.into()));
    for step in &report.steps {
        let failing: Vec<&str> = step
            .tests()
            .iter()
            .filter(|test| test.outcome != Outcome::Passed)
            .map(|test| test.name.as_str())
            .collect();
        assert!(failing.is_empty(), "step {}: {failing:?}", step.step.number);
        assert_eq!(step.status(), Status::Done, "step {}", step.step.number);
    }
    assert!(report.passes());
}

#[test]
#[ignore = "slow: builds the labs; `cargo xtask verify` runs it"]
fn a_pull_request_is_graded_on_the_labs_it_changed_with_the_tests_of_its_base() {
    let checkout = Checkout::pull_request("pull-request");
    let all: Vec<&Step> = STEPS.iter().collect();
    let trusted = TestsFrom::Revision(UPSTREAM.into());
    let report = checkout.grade(&all, Some(UPSTREAM), trusted);

    let numbers: Vec<u8> = report.steps.iter().map(|s| s.step.number).collect();
    assert_eq!(
        numbers,
        [1, 3, 4, 5, 6],
        "only the labs the pull request changed"
    );
    assert_eq!(
        report.changed_elsewhere,
        [
            "labs/step6-method-not-allowed/tests/step6.rs",
            "tests/suites/step6.rs",
            "tests/suites/step6_closes.rs"
        ],
        "the edited test files are named for the instructor"
    );

    for full in [1, 4] {
        let step = graded(&report, full);
        let ((passed, total), points) = score(step);
        assert_eq!(passed, total, "step {full}");
        assert_eq!(points, f64::from(step.max_points()), "step {full}");
        assert_eq!(step.status(), Status::Done, "step {full}");
    }

    let broken = graded(&report, 3);
    assert_eq!(broken.status(), Status::DoesNotCompile);
    let LabResult::DoesNotCompile(error) = &broken.result else {
        unreachable!()
    };
    assert!(
        error.starts_with("error[E0308]: mismatched types"),
        "{error}"
    );
    assert!(
        error.contains("labs/step3-http-client/src/lib.rs"),
        "{error}"
    );

    // The hung test is stopped and fails alone; the other tests of the lab pass, except the
    // one whose server now hangs on a DELETE, which its own deadline fails.
    let hanging = graded(&report, 5);
    let outcome = |name: &str| {
        let test = hanging.tests().iter().find(|t| t.name == name);
        test.unwrap_or_else(|| panic!("no test {name}")).outcome
    };
    assert_eq!(
        outcome("step5::parse_request_refuses_every_method_but_get"),
        Outcome::TimedOut
    );
    assert_eq!(
        outcome("step5_no_answer::the_server_does_not_answer_post_put_delete_or_head"),
        Outcome::Failed
    );
    let ((passed, total), _) = score(hanging);
    assert_eq!(passed, total - 2, "every other test of step 5 passes");
    assert_eq!(hanging.status(), Status::InProgress);

    let tampered = graded(&report, 6);
    let ((passed, total), points) = score(tampered);
    assert_eq!(
        (passed, points),
        (0, 0.0),
        "the edited suites of step 6 were not used"
    );
    assert!(total > 0);
    assert_eq!(tampered.status(), Status::NotStarted);
    assert!(!report.passes());
}

/// The edit in the pull request makes every step 6 test pass when its own tests are used: so
/// the case above shows that the trusted tests, not luck, kept the score unchanged.
#[test]
#[ignore = "slow: builds the labs; `cargo xtask verify` runs it"]
fn the_edited_test_would_have_raised_the_score_had_it_been_trusted() {
    let checkout = Checkout::pull_request("untrusted");
    let report = checkout.grade(&[lab(6)], None, TestsFrom::WorkingTree);
    let tampered = graded(&report, 6);
    let ((passed, total), points) = score(tampered);
    assert_eq!(passed, total);
    assert_eq!(points, f64::from(tampered.max_points()));
}

/// Where an attack's grade runs, and what it must leave as it was: a trusted checkout of its
/// own (a copy of the workbook), the JSON file and a step summary in a folder of the CI job's.
struct Job {
    trusted: Checkout,
    folder: PathBuf,
}

impl Job {
    fn new(name: &str) -> Job {
        let folder = sources::scratch(&format!("golden-job-{name}"));
        fs::write(folder.join("summary.md"), "the summary so far\n").unwrap();
        Job {
            trusted: Checkout::pristine(&format!("trusted-{name}")),
            folder,
        }
    }

    fn json(&self) -> PathBuf {
        self.folder.join("grade.json")
    }

    fn summary(&self) -> PathBuf {
        self.folder.join("summary.md")
    }

    /// Grades `submission`'s changes as the workflow does, and publishes the grade's files as
    /// `cargo xtask grade` does.
    fn grade(&self, submission: &Checkout) -> Report {
        let all: Vec<&Step> = STEPS.iter().collect();
        let mut options =
            submission.options(&all, Some(UPSTREAM), TestsFrom::Revision(UPSTREAM.into()));
        options.trusted_checkout = self.trusted.dir.clone();
        options.json = Some(self.json());
        options.job_files = vec![self.summary()];
        let before = sources::trusted(&self.trusted.dir, &TestsFrom::WorkingTree).unwrap();
        let report = graded_with(&options);
        fs::write(self.json(), report::json(&report)).unwrap();
        let after = sources::trusted(&self.trusted.dir, &TestsFrom::WorkingTree).unwrap();
        assert!(
            sources::differences(&before, &self.trusted.dir, &[]).is_empty()
                && before.len() == after.len(),
            "the trusted checkout changed during the grade"
        );
        assert_eq!(
            fs::read_to_string(self.summary()).unwrap(),
            "the summary so far\n",
            "the step summary changed during the grade"
        );
        report
    }
}

impl Drop for Job {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.folder);
    }
}

/// Whether the attack cases can run here: they need the sandbox, which CI must have.
fn sandbox_here() -> bool {
    let available = super::sandbox::find_bubblewrap().is_some();
    if !available {
        assert!(std::env::var_os("CI").is_none(), "CI must have bubblewrap");
        eprintln!("NOTE: bubblewrap is missing: the attack cases are skipped here; CI runs them");
    }
    available
}

/// Step 1 of an attack's grade scores nothing, is shown as tampering in the table, the
/// Markdown and the JSON, and says `seen` somewhere in what it reports.
fn assert_caught(report: &Report, json: &Path, seen: &str) {
    let step = graded(report, 1);
    let ((passed, total), points) = score(step);
    assert!(total > 0);
    assert_eq!((passed, points), (0, 0.0), "the attack earned points");
    assert_eq!(step.status(), Status::Tampered);
    assert!(!report.passes());
    let all = step.tampering().join("\n");
    assert!(
        all.contains(seen),
        "expected tampering {seen:?}, saw:\n{all}"
    );
    assert!(report::table(report).contains("TAMPERING: "));
    assert!(report::markdown(report).contains("### ⚠️ Tampering"));
    let json = fs::read_to_string(json).unwrap();
    assert!(json.contains("\"tampered\": true"), "{json}");
    assert!(
        json.contains(&format!("{:?}", seen).trim_matches('"').to_string()),
        "{json}"
    );
}

#[test]
#[ignore = "slow: builds the labs; `cargo xtask verify` runs it"]
fn an_extra_test_target_in_src_bin_is_not_built_and_is_reported() {
    if !sandbox_here() {
        return;
    }
    let checkout = Checkout::pristine("extra-target");
    checkout.git(&["checkout", "--quiet", "-b", "student"]);
    let bin = Path::new("labs").join(lab(1).dir).join("src/bin");
    fs::create_dir_all(checkout.dir.join(&bin)).unwrap();
    let tests: String = (0..10)
        .map(|i| format!("#[test]\nfn passes_{i}() {{}}\n"))
        .collect();
    checkout.write(&bin.join("a.rs"), &format!("{tests}fn main() {{}}\n"));
    checkout.commit("ten tests that pass");
    let job = Job::new("extra-target");
    let report = job.grade(&checkout);
    assert_caught(&report, &job.json(), "src/bin/a.rs: an extra target");
    assert!(
        graded(&report, 1)
            .tests()
            .iter()
            .all(|t| !t.name.contains("passes_"))
    );
}

#[test]
#[ignore = "slow: builds the labs; `cargo xtask verify` runs it"]
fn harness_lines_written_to_stdout_before_exiting_earn_nothing() {
    if !sandbox_here() {
        return;
    }
    let checkout = Checkout::attack(
        "forged-lines",
        "use std::io::Write; let mut out = std::io::stdout(); \
         let _ = out.write_all(b\"ok\\ntest step1::x ... ok\\ntest result: ok. 1 passed\\n\"); \
         let _ = out.flush(); std::process::exit(0);",
    );
    let job = Job::new("forged-lines");
    let report = job.grade(&checkout);
    assert_caught(
        &report,
        &job.json(),
        "ended with success before the test finished",
    );
}

#[test]
#[ignore = "slow: builds the labs; `cargo xtask verify` runs it"]
fn a_process_left_to_rewrite_the_json_later_is_killed_and_reported() {
    if !sandbox_here() {
        return;
    }
    let job = Job::new("late-json");
    let json = job.json();
    let checkout = Checkout::attack(
        "late-json",
        &format!(
            "let _ = std::process::Command::new(\"sh\").arg(\"-c\")\
             .arg(\"sleep 1; echo '{{\\\"forged\\\": true, \\\"points\\\": 90}}' > {}\")\
             .spawn();",
            json.display()
        ),
    );
    let report = job.grade(&checkout);
    assert_caught(&report, &json, "left a process running when the test ended");
    let written = fs::read_to_string(&json).unwrap();
    // The attack waits a second before it writes: give it twice that to show it cannot. (A
    // sleep, as nothing signals what must not happen.)
    std::thread::sleep(std::time::Duration::from_secs(2));
    assert_eq!(
        fs::read_to_string(&json).unwrap(),
        written,
        "the JSON was rewritten"
    );
}

#[test]
#[ignore = "slow: builds the labs; `cargo xtask verify` runs it"]
fn a_grade_appended_to_the_step_summary_lands_in_a_decoy_and_is_reported() {
    if !sandbox_here() {
        return;
    }
    let job = Job::new("summary");
    let checkout = Checkout::attack(
        "summary",
        &format!(
            "use std::io::Write; if let Ok(mut file) = std::fs::OpenOptions::new().append(true)\
             .create(true).open({:?}) {{ let _ = file.write_all(b\"## Grade: 90 of 90 points\\n\"); }}",
            job.summary()
        ),
    );
    let report = job.grade(&checkout);
    assert_caught(
        &report,
        &job.json(),
        &format!("wrote to {}", job.summary().display()),
    );
}

#[test]
#[ignore = "slow: builds the labs; `cargo xtask verify` runs it"]
fn deleting_a_trusted_file_and_a_suite_changes_nothing_and_is_reported() {
    if !sandbox_here() {
        return;
    }
    let job = Job::new("delete");
    let checkout = Checkout::attack(
        "delete",
        &format!(
            "let _ = std::fs::remove_file({:?}); \
             let _ = std::fs::remove_file(\"../../tests/suites/step1.rs\");",
            job.trusted.dir.join("README.md")
        ),
    );
    let report = job.grade(&checkout);
    assert_caught(&report, &job.json(), "deleted README.md");
    assert_caught(&report, &job.json(), "deleted tests/suites/step1.rs");
}

/// A pull request that edits the workflows could print a grade of its own: the trusted grade
/// gives it none, even for labs solved, and says why. (Nothing is built: it runs with the rest.)
#[test]
fn a_pull_request_that_edits_the_workflows_gets_no_grade() {
    let checkout = Checkout::pristine("workflows");
    checkout.git(&["checkout", "--quiet", "-b", "student"]);
    checkout.paste_reference(1, |code| code);
    let workflow = Path::new(".github/workflows/grade.yml");
    checkout.write(workflow, "name: grade\non: pull_request\n");
    checkout.commit("my grade, my way");
    let job = Job::new("workflows");
    let report = job.grade(&checkout);
    assert!(report.steps.is_empty(), "no lab was graded");
    assert!(!report.passes());
    let json = fs::read_to_string(job.json()).unwrap();
    assert!(json.contains("\"points\": 0,"), "{json}");
    assert!(
        json.contains("the pull request changes .github/workflows/grade.yml"),
        "{json}"
    );
    assert!(report::markdown(&report).contains("### ⚠️ Tampering"));
}
