//! The roll-up of a golden class: three grades written by the grade's own JSON writer from
//! fixed step grades, then the table, the hardest-first order and the CSV bytes
//! (`roll_up/class.csv`, `roll_up/class-tests.csv`) exactly.

use std::fs;
use std::path::PathBuf;

use super::*;
use crate::grade::report::json as json_text;
use crate::grade::sources::scratch;
use crate::grade::{Kind, LabResult, Outcome, Report, StepGrade, TestGrade};
use crate::steps::step;

const CLASS_CSV: &str = include_str!("class.csv");
const CLASS_TESTS_CSV: &str = include_str!("class-tests.csv");

/// The line before the instructor guide's example, which this file checks.
const GUIDE_MARKER: &str =
    "<!-- the roll-up of the golden class; checked by xtask/src/dev/roll_up/tests.rs -->";

fn test(name: &str, kind: Kind, outcome: Outcome) -> TestGrade {
    TestGrade::ended(name.into(), kind, outcome)
}

fn grade(
    repository: Option<&str>,
    pull_request: Option<u64>,
    commit: Option<&str>,
    steps: Vec<StepGrade>,
) -> String {
    json_text(&Report {
        tests_from: "abc1234 (origin/main)".into(),
        labs_from: PathBuf::from("../submission"),
        commit: commit.map(String::from),
        repository: repository.map(String::from),
        pull_request,
        isolation: "sandboxed (bubblewrap)".into(),
        tampering: Vec::new(),
        changed_since: Some("abc1234".into()),
        changed_elsewhere: Vec::new(),
        steps,
    })
}

/// Ada has done step 1, and step 2 but for a test that hangs, with its bonus; Bob fails all of
/// step 2 and his lab 3 does not compile; a grade made by hand, without a repository, has step
/// 1 half done, the other half tampered with.
fn class() -> Vec<(&'static str, String)> {
    use Kind::{Bonus, Earlier, Required};
    use Outcome::{Failed, Passed, Tampered, TimedOut};
    let (step1, step2, step3) = (step(1).unwrap(), step(2).unwrap(), step(3).unwrap());
    let ada = grade(
        Some("ada/web-protocols"),
        Some(7),
        Some("0123456789abcdef0123456789abcdef01234567"),
        vec![
            StepGrade::tested(
                step1,
                vec![
                    test("step1::echoes_a_line", Required, Passed),
                    test("step1::echoes_two_lines", Required, Passed),
                ],
            ),
            StepGrade::tested(
                step2,
                vec![
                    test("step2::answers_the_time", Required, Passed),
                    test("step2::closes_the_connection", Required, TimedOut),
                    test("step2::answers_many_clients", Bonus, Passed),
                    test("earlier::step1::echoes_a_line", Earlier, Passed),
                ],
            ),
        ],
    );
    let bob = grade(
        Some("bob/web-protocols"),
        Some(8),
        Some("89abcdef0123456789abcdef0123456789abcdef"),
        vec![
            StepGrade::tested(
                step2,
                vec![
                    test("step2::answers_the_time", Required, Failed),
                    test("step2::closes_the_connection", Required, Failed),
                    test("step2::answers_many_clients", Bonus, Failed),
                    test("earlier::step1::echoes_a_line", Earlier, Passed),
                ],
            ),
            StepGrade {
                step: step3,
                result: LabResult::DoesNotCompile("error[E0308]: mismatched types".into()),
                tampering: Vec::new(),
            },
        ],
    );
    let mut tampered = test("step1::echoes_two_lines", Required, Tampered);
    tampered.tampering = vec!["wrote to /job/grade.json".into()];
    let by_hand = grade(
        None,
        None,
        None,
        vec![StepGrade::tested(
            step1,
            vec![test("step1::echoes_a_line", Required, Passed), tampered],
        )],
    );
    vec![
        ("grades/7/grade.json", ada),
        ("grades/8/grade.json", bob),
        ("grades/carol, by hand.json", by_hand),
    ]
}

fn submissions() -> Vec<Submission> {
    class()
        .iter()
        .map(|(file, text)| submission(file, text).unwrap())
        .collect()
}

const TABLE: &str = "\
roll-up: 3 grade(s), 3 step(s) graded

submission                  commit   step 1  step 2    step 3  bonus  total  tampering
ada/web-protocols#7         0123456      10       5         -      3  15/20  no
bob/web-protocols#8         89abcde       -       0  no build      0   0/20  no
grades/carol, by hand.json  -             5       -         -      -   5/10  yes

no build: the lab does not compile (0 points, and its tests are not counted)

tampering (what it touched scores 0; the grade's JSON says more):
  grades/carol, by hand.json: step1::echoes_two_lines: wrote to /job/grade.json
";

const TESTS_TABLE: &str = "
failing tests, hardest first (failed by, of the submissions that ran it):

  failed  step  test
     2/2     2  step2::closes_the_connection
     1/2     1  step1::echoes_two_lines
     1/2     2  step2::answers_many_clients (bonus)
     1/2     2  step2::answers_the_time

2 other test(s) passed in every submission that ran them
step 3: the lab does not compile in 1 of the 1 submission(s) graded on it
";

#[test]
fn the_table_has_a_row_per_submission_with_its_points_per_step() {
    assert_eq!(table(&submissions()), TABLE);
}

#[test]
fn the_tests_come_hardest_first_ties_by_step_then_name() {
    let submissions = submissions();
    let tests = hardest_first(&submissions);
    let order: Vec<(usize, u64, &str)> = tests
        .iter()
        .map(|t| (t.failed, t.step, t.name.as_str()))
        .collect();
    assert_eq!(
        order,
        [
            (2, 2, "step2::closes_the_connection"),
            (1, 1, "step1::echoes_two_lines"),
            (1, 2, "step2::answers_many_clients"),
            (1, 2, "step2::answers_the_time"),
            (0, 1, "step1::echoes_a_line"),
            (0, 2, "earlier::step1::echoes_a_line"),
        ]
    );
    assert_eq!(tests_table(&submissions, &tests), TESTS_TABLE);
}

#[test]
fn the_csv_files_are_the_golden_ones_byte_for_byte() {
    let submissions = submissions();
    assert_eq!(csv::submissions(&submissions), CLASS_CSV);
    assert_eq!(csv::tests(&hardest_first(&submissions)), CLASS_TESTS_CSV);
    assert!(CLASS_CSV.ends_with("\r\n") && !CLASS_CSV.replace("\r\n", "").contains('\n'));
}

/// The class's files in a scratch folder, for what reads them from disk.
struct Folder(PathBuf);

impl Folder {
    fn new(name: &str) -> Folder {
        Folder(scratch(name))
    }

    fn write(&self, name: &str, text: &str) -> String {
        let path = self.0.join(name);
        fs::write(&path, text).unwrap();
        path.display().to_string()
    }
}

impl Drop for Folder {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

#[test]
fn roll_up_reads_the_files_and_writes_both_csv_files() {
    let folder = Folder::new("roll-up");
    let files: Vec<String> = class()
        .iter()
        .enumerate()
        .map(|(index, (_, text))| folder.write(&format!("{index}.json"), text))
        .collect();
    let csv = folder.0.join("class.csv").display().to_string();
    let tests_csv = folder.0.join("tests.csv").display().to_string();
    let mut args = vec!["--csv", &csv, "--tests-csv", &tests_csv];
    args.extend(files.iter().map(String::as_str));
    main(&args).unwrap();
    // The golden class's files have other names.
    let mut written = fs::read_to_string(&csv).unwrap();
    for (path, (name, _)) in files.iter().zip(class()) {
        written = written.replace(path, &csv::quoted(name));
    }
    assert_eq!(written, CLASS_CSV);
    assert_eq!(fs::read_to_string(&tests_csv).unwrap(), CLASS_TESTS_CSV);
}

/// The error of `roll-up` on one file holding `text`, which must name the file.
fn error_for(text: Option<&str>) -> String {
    let folder = Folder::new("roll-up-bad");
    let path = match text {
        Some(text) => folder.write("grade.json", text),
        None => folder.0.join("missing.json").display().to_string(),
    };
    let error = main(&[&path]).unwrap_err();
    assert!(error.starts_with(&format!("{path}: ")), "{error}");
    error
}

#[test]
fn bad_input_is_an_error_that_names_the_file() {
    assert!(error_for(None).contains(": cannot read: "));
    assert!(error_for(Some("{\"steps\": [")).contains(": not JSON: "));
    for not_a_grade in ["[1, 2]", "{\"name\": \"a package\"}", "\"grade\""] {
        assert!(error_for(Some(not_a_grade)).contains(": not a grade"));
    }
    let (_, ada) = &class()[0];
    let future = ada.replacen("\"format_version\": 1,", "\"format_version\": 2,", 1);
    assert!(error_for(Some(&future)).contains("format version 2, and this roll-up reads"));
    let wrong = ada.replacen("\"points\": 15,", "\"points\": \"15\",", 1);
    assert!(error_for(Some(&wrong)).ends_with("`points` should be a number"));
    let outcome = ada.replacen("\"kind\": \"required\", ", "", 1);
    assert!(error_for(Some(&outcome)).ends_with("no field `steps[0].tests[0].kind`"));
}

#[test]
fn a_grade_written_before_the_format_version_is_read_as_version_1() {
    let (file, ada) = &class()[0];
    let old = ada.replacen("  \"format_version\": 1,\n", "", 1);
    assert_ne!(&old, ada);
    assert_eq!(submission(file, &old).unwrap().points, 15.0);
}

#[test]
fn of_two_grades_of_one_pull_request_the_later_is_kept() {
    let (_, ada) = &class()[0];
    let pushed_again = ada.replacen("\"points\": 15,", "\"points\": 20,", 1);
    let grades = vec![
        submission("grades/1/grade.json", ada).unwrap(),
        submission("grades/2/grade.json", &pushed_again).unwrap(),
        submission("grades/3/grade.json", &class()[1].1).unwrap(),
    ];
    let (kept, left_out) = latest_per_pull_request(grades);
    let kept: Vec<(&str, f64)> = kept.iter().map(|s| (s.file.as_str(), s.points)).collect();
    assert_eq!(
        kept,
        [("grades/2/grade.json", 20.0), ("grades/3/grade.json", 0.0)]
    );
    assert_eq!(
        left_out,
        [
            "grades/1/grade.json left out: grades/2/grade.json grades ada/web-protocols#7 too, and \
          comes later"
        ]
    );
}

#[test]
fn no_grade_is_the_usage() {
    for args in [&[][..], &["--csv", "class.csv"]] {
        let error = main(args).unwrap_err();
        assert!(error.ends_with(USAGE), "{error}");
    }
    assert!(
        main(&["--csv"])
            .unwrap_err()
            .starts_with("--csv needs a FILE")
    );
}

/// The instructor guide shows the golden class's tables as roll-up prints them.
#[test]
fn the_instructor_guide_shows_the_roll_up_as_it_is_printed() {
    let root = crate::workspace_root();
    let guide = fs::read_to_string(root.join("docs/src/instructor-guide.md")).unwrap();
    let block = guide
        .split(&format!("{GUIDE_MARKER}\n```console\n"))
        .nth(1)
        .and_then(|rest| rest.split("```\n").next())
        .unwrap_or_else(|| panic!("the guide has no block after {GUIDE_MARKER}"));
    let (command, shown) = block.split_once('\n').unwrap();
    assert!(command.starts_with("$ cargo xtask roll-up "), "{command}");
    let submissions = submissions();
    let printed = table(&submissions) + &tests_table(&submissions, &hardest_first(&submissions));
    assert_eq!(shown, printed);
}

#[test]
fn the_usages_name_roll_up() {
    assert!(crate::USAGE.contains("`cargo xtask roll-up GRADE.json...`"));
    assert!(
        crate::dev::USAGE.contains("\n  roll-up [--csv FILE] [--tests-csv FILE] GRADE.json...\n")
    );
}
