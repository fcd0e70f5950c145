//! Golden cases of the grade, each on a git copy of this workbook: a pristine clone; a pull
//! request that pastes the reference into some labs, breaks the build of one, makes the server
//! of another hang, and edits a test file so that its test passes; and that same edit trusted,
//! to show that it would have raised the score. They build the labs, so they take a while and
//! are ignored by a plain `cargo test`; `cargo xtask verify` runs them with the ignored tests.
//! They share one build folder, one case at a time, so that each builds only what it changed.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

use super::sources::{self, TestsFrom};
use super::{Kind, LabResult, Options, Outcome, Report, Status, StepGrade, grade};
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
    /// DELETE; and lab 6 left as it is, but with its suite edited so that every test passes at
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
        let suite = Path::new("tests/suites/step6.rs");
        let original = checkout.read(suite);
        let mut tests = original.split("#[test]\nfn ");
        let mut tampered = tests.next().unwrap().to_string();
        for test in tests {
            // `#[test] fn name() {` gets a `return;` first.
            let test = test.replacen("() {\n", "() {\n    return;\n", 1);
            tampered += &format!("#[test]\n#[allow(unreachable_code)]\nfn {test}");
        }
        checkout.write(suite, &tampered);
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

    /// The grade of this checkout, in the golden cases' build folder.
    fn grade(
        &self,
        steps: &[&'static Step],
        changed_since: Option<&str>,
        tests_from: TestsFrom,
    ) -> Report {
        let _turn = BUILD_FOLDER.lock().unwrap_or_else(|e| e.into_inner());
        let options = Options {
            steps: steps.to_vec(),
            changed_since: changed_since.map(String::from),
            tests_from,
            labs_from: self.dir.clone(),
            json: None,
            build_dir: workspace_root().join(BUILD_DIR),
            announce: true,
        };
        grade(&options).unwrap()
    }
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
            "tests/suites/step6.rs"
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
        "the edited suite of step 6 was not used"
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
