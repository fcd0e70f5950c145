//! `cargo xtask roll-up GRADE.json...`: a class at a glance, from the JSON files of
//! `cargo xtask grade --json` (the grade workflow's artifacts). One row per submission, its
//! points per step and tampering; then each test with how many submissions fail it, hardest
//! first, so that an instructor sees what to explain again. `--csv` and `--tests-csv` write
//! the same two tables for a spreadsheet (`roll_up/csv.rs`).
//!
//! The files are read with serde_json, a maintainers' dependency: the students' build only
//! writes grades (`grade/json.rs`), never reads them.

mod csv;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::grade::report::{JSON_FORMAT_VERSION, number as format_points};

pub const USAGE: &str = "usage: cargo xtask roll-up [--csv FILE] [--tests-csv FILE] GRADE.json...

Prints a class's grades at a glance, from the JSON files of `cargo xtask grade --json` (the
artifacts `grade` of the grade workflow's runs): one row per submission (its repository and
pull request, its commit, its points per step, bonus and total, and whether it tampered), then
every test that a submission fails, with how many fail it, hardest first.

options:
  --csv FILE        write the table of submissions to FILE as CSV, for a spreadsheet
  --tests-csv FILE  write every test with how many submissions fail it, hardest first, to FILE
                    as CSV (a table of its own: one row per test, not per submission)

The workflow grades a pull request again on each push: of the files that grade the same pull
request, the last on the command line is kept (run ids grow, so `grades/*/grade.json` lists
them oldest first), and the others are named as left out.";

/// What the command line asks for.
struct Options {
    grades: Vec<PathBuf>,
    csv: Option<PathBuf>,
    tests_csv: Option<PathBuf>,
}

/// `cargo xtask roll-up ARGS`.
pub fn main(args: &[&str]) -> Result<(), String> {
    if matches!(args, ["--help" | "-h" | "help"]) {
        println!("{USAGE}");
        return Ok(());
    }
    let options = parse(args)?;
    let mut submissions = Vec::new();
    let mut errors = Vec::new();
    for path in &options.grades {
        match read(path) {
            Ok(submission) => submissions.push(submission),
            Err(error) => errors.push(error),
        }
    }
    if !errors.is_empty() {
        return Err(errors.join("\n"));
    }
    let (submissions, left_out) = latest_per_pull_request(submissions);
    let tests = hardest_first(&submissions);
    print!("{}", table(&submissions));
    for line in left_out {
        println!("{line}");
    }
    print!("{}", tests_table(&submissions, &tests));
    if let Some(path) = &options.csv {
        write(path, &csv::submissions(&submissions))?;
    }
    if let Some(path) = &options.tests_csv {
        write(path, &csv::tests(&tests))?;
    }
    Ok(())
}

fn parse(args: &[&str]) -> Result<Options, String> {
    let mut options = Options {
        grades: Vec::new(),
        csv: None,
        tests_csv: None,
    };
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let mut value = |option: &str| {
            args.next()
                .map(PathBuf::from)
                .ok_or_else(|| format!("{option} needs a FILE\n\n{USAGE}"))
        };
        match *arg {
            "--csv" => options.csv = Some(value("--csv")?),
            "--tests-csv" => options.tests_csv = Some(value("--tests-csv")?),
            option if option.starts_with("--") => {
                return Err(format!("unknown option {option}\n\n{USAGE}"));
            }
            path => options.grades.push(PathBuf::from(path)),
        }
    }
    if options.grades.is_empty() {
        return Err(format!("no grade to roll up\n\n{USAGE}"));
    }
    Ok(options)
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// One submission's grade, as far as the roll-up needs it.
#[derive(Debug)]
struct Submission {
    /// The file it was read from, as given.
    file: String,
    repository: Option<String>,
    pull_request: Option<u64>,
    commit: Option<String>,
    steps: Vec<GradedStep>,
    points: f64,
    max_points: f64,
    bonus_points: f64,
    max_bonus_points: f64,
    tampering: Vec<String>,
    tampered: bool,
}

#[derive(Debug)]
struct GradedStep {
    number: u64,
    points: f64,
    compiles: bool,
    tests: Vec<GradedTest>,
}

#[derive(Debug)]
struct GradedTest {
    name: String,
    kind: String,
    passed: bool,
}

impl Submission {
    /// The row's name: the repository and pull request, else the file.
    fn name(&self) -> String {
        match (&self.repository, self.pull_request) {
            (Some(repository), Some(number)) => format!("{repository}#{number}"),
            (Some(repository), None) => repository.clone(),
            (None, Some(number)) => format!("#{number}"),
            (None, None) => self.file.clone(),
        }
    }

    fn step(&self, number: u64) -> Option<&GradedStep> {
        self.steps.iter().find(|step| step.number == number)
    }

    /// The commit as `git log --oneline` shows it.
    fn short_commit(&self) -> &str {
        self.commit
            .as_deref()
            .map_or("-", |commit| &commit[..commit.len().min(7)])
    }
}

/// The grade in the file at `path`; an error that names the file if it cannot be read, is not
/// JSON, is not a grade, or is a grade of a format this roll-up does not know.
fn read(path: &Path) -> Result<Submission, String> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| format!("{file}: cannot read: {e}"))?;
    submission(&file, &text).map_err(|e| format!("{file}: {e}"))
}

fn submission(file: &str, text: &str) -> Result<Submission, String> {
    let value: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    let not_a_grade = "not a grade (a JSON file of `cargo xtask grade --json` has the fields \
                       `steps` and `max_points`)";
    let grade = value.as_object().ok_or(not_a_grade)?;
    if !grade.contains_key("steps") || !grade.contains_key("max_points") {
        return Err(not_a_grade.into());
    }
    // The grades written before `format_version` existed are of version 1.
    let version = match grade.get("format_version") {
        None => Some(1),
        Some(version) => version.as_u64(),
    };
    if version != Some(u64::from(JSON_FORMAT_VERSION)) {
        let version = grade.get("format_version").map(Value::to_string);
        return Err(format!(
            "a grade of format version {}, and this roll-up reads version {JSON_FORMAT_VERSION} \
             (roll it up with the workbook's revision that graded it)",
            version.unwrap_or_default()
        ));
    }
    let grade = Fields::new(grade, String::new());
    let mut steps = Vec::new();
    for (index, step) in grade.list("steps")?.iter().enumerate() {
        let step = grade.object(step, format!("steps[{index}]"))?;
        let mut tests = Vec::new();
        for (index, test) in step.list("tests")?.iter().enumerate() {
            let test = step.object(test, format!("{}.tests[{index}]", step.at))?;
            tests.push(GradedTest {
                name: test.text("name")?.to_string(),
                kind: test.text("kind")?.to_string(),
                passed: test.text("outcome")? == "passed",
            });
        }
        steps.push(GradedStep {
            number: step.whole("step")?,
            points: step.number("points")?,
            compiles: step.get("compile_error")?.is_null(),
            tests,
        });
    }
    Ok(Submission {
        file: file.to_string(),
        repository: grade.optional_text("repository")?.map(str::to_string),
        pull_request: match grade.get("pull_request")? {
            Value::Null => None,
            _ => Some(grade.whole("pull_request")?),
        },
        commit: grade.optional_text("commit")?.map(str::to_string),
        steps,
        points: grade.number("points")?,
        max_points: grade.number("max_points")?,
        bonus_points: grade.number("bonus_points")?,
        max_bonus_points: grade.number("max_bonus_points")?,
        tampering: grade
            .list("tampering")?
            .iter()
            .map(|what| what.as_str().map(str::to_string))
            .collect::<Option<_>>()
            .ok_or_else(|| grade.wrong("tampering", "a list of strings"))?,
        tampered: grade
            .get("tampered")?
            .as_bool()
            .ok_or_else(|| grade.wrong("tampered", "true or false"))?,
    })
}

/// An object of the grade, `at` its place in the file (`steps[2]`), for the errors.
struct Fields<'a> {
    object: &'a Map<String, Value>,
    at: String,
}

impl<'a> Fields<'a> {
    fn new(object: &'a Map<String, Value>, at: String) -> Fields<'a> {
        Fields { object, at }
    }

    fn object(&self, value: &'a Value, at: String) -> Result<Fields<'a>, String> {
        match value.as_object() {
            Some(object) => Ok(Fields::new(object, at)),
            None => Err(format!("`{at}` should be an object")),
        }
    }

    fn path(&self, name: &str) -> String {
        match self.at.as_str() {
            "" => name.to_string(),
            at => format!("{at}.{name}"),
        }
    }

    fn wrong(&self, name: &str, expected: &str) -> String {
        format!("`{}` should be {expected}", self.path(name))
    }

    fn get(&self, name: &str) -> Result<&'a Value, String> {
        self.object
            .get(name)
            .ok_or_else(|| format!("no field `{}`", self.path(name)))
    }

    fn text(&self, name: &str) -> Result<&'a str, String> {
        self.get(name)?
            .as_str()
            .ok_or_else(|| self.wrong(name, "a string"))
    }

    fn optional_text(&self, name: &str) -> Result<Option<&'a str>, String> {
        match self.get(name)? {
            Value::Null => Ok(None),
            _ => self.text(name).map(Some),
        }
    }

    fn number(&self, name: &str) -> Result<f64, String> {
        self.get(name)?
            .as_f64()
            .ok_or_else(|| self.wrong(name, "a number"))
    }

    fn whole(&self, name: &str) -> Result<u64, String> {
        self.get(name)?
            .as_u64()
            .ok_or_else(|| self.wrong(name, "a whole number"))
    }

    fn list(&self, name: &str) -> Result<&'a Vec<Value>, String> {
        self.get(name)?
            .as_array()
            .ok_or_else(|| self.wrong(name, "a list"))
    }
}

/// The grades without those a later file replaces, and a line for each one left out. The
/// workflow grades a pull request again on each push, and counting it twice would skew the
/// class: its latest run is its grade, and run ids grow, so `grades/*/grade.json` lists them
/// oldest first.
fn latest_per_pull_request(submissions: Vec<Submission>) -> (Vec<Submission>, Vec<String>) {
    let mut kept: Vec<Submission> = Vec::new();
    let mut left_out = Vec::new();
    for submission in submissions {
        let graded_before = kept.iter().position(|earlier| {
            submission.pull_request.is_some()
                && (&earlier.repository, earlier.pull_request)
                    == (&submission.repository, submission.pull_request)
        });
        if let Some(index) = graded_before {
            let earlier = kept.remove(index);
            left_out.push(format!(
                "{} left out: {} grades {} too, and comes later",
                earlier.file,
                submission.file,
                one_line(&submission.name())
            ));
        }
        kept.push(submission);
    }
    (kept, left_out)
}

/// Every step that some submission was graded on, in order.
fn graded_steps(submissions: &[Submission]) -> Vec<u64> {
    let steps: BTreeSet<u64> = submissions
        .iter()
        .flat_map(|s| s.steps.iter().map(|step| step.number))
        .collect();
    steps.into_iter().collect()
}

/// A step's cell: its points, `-` if not graded (the workflow grades only the labs a pull
/// request changed), `no build` if its lab does not compile.
fn step_cell(submission: &Submission, number: u64) -> String {
    match submission.step(number) {
        None => "-".into(),
        Some(step) if !step.compiles => "no build".into(),
        Some(step) => format_points(step.points),
    }
}

fn bonus_cell(submission: &Submission) -> String {
    if submission.max_bonus_points == 0.0 {
        "-".into()
    } else {
        format_points(submission.bonus_points)
    }
}

fn total_cell(submission: &Submission) -> String {
    format!(
        "{}/{}",
        format_points(submission.points),
        format_points(submission.max_points)
    )
}

/// One line of text, whatever the student's code put in it (a path of theirs can hold a line
/// break or a terminal's escape code).
fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// The terminal's table: a row per submission, then the tampering seen.
fn table(submissions: &[Submission]) -> String {
    let steps = graded_steps(submissions);
    let mut header = vec!["submission".to_string(), "commit".to_string()];
    header.extend(steps.iter().map(|number| format!("step {number}")));
    header.extend(["bonus", "total", "tampering"].map(String::from));
    let mut rows = vec![header];
    for submission in submissions {
        let mut row = vec![
            one_line(&submission.name()),
            submission.short_commit().into(),
        ];
        row.extend(steps.iter().map(|&number| step_cell(submission, number)));
        row.push(bonus_cell(submission));
        row.push(total_cell(submission));
        row.push(if submission.tampered { "yes" } else { "no" }.into());
        rows.push(row);
    }
    let mut text = format!(
        "roll-up: {} grade(s), {} step(s) graded\n\n",
        submissions.len(),
        steps.len()
    );
    let align = format!("ll{}rrl", "r".repeat(steps.len()));
    text += &aligned(&rows, &align);
    if submissions
        .iter()
        .any(|s| s.steps.iter().any(|step| !step.compiles))
    {
        text += "\nno build: the lab does not compile (0 points, and its tests are not counted)\n";
    }
    let tampered: Vec<&Submission> = submissions.iter().filter(|s| s.tampered).collect();
    if !tampered.is_empty() {
        text += "\ntampering (what it touched scores 0; the grade's JSON says more):\n";
        for submission in tampered {
            for what in &submission.tampering {
                text += &format!("  {}: {}\n", one_line(&submission.name()), one_line(what));
            }
        }
    }
    text
}

/// `rows` in columns, each aligned as `align` says, one letter a column: `l` left, `r` right.
fn aligned(rows: &[Vec<String>], align: &str) -> String {
    let widths: Vec<usize> = (0..align.len())
        .map(|c| {
            rows.iter()
                .map(|row| row[c].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut text = String::new();
    for row in rows {
        let cells = row.iter().zip(&widths).zip(align.chars());
        let cells: Vec<String> = cells
            .map(|((cell, &width), side)| match side {
                'l' => format!("{cell:<width$}"),
                _ => format!("{cell:>width$}"),
            })
            .collect();
        text += cells.join("  ").trim_end();
        text += "\n";
    }
    text
}

/// A test of a step, and how the submissions that ran it did.
#[derive(Debug, PartialEq)]
struct TestFailures {
    step: u64,
    name: String,
    kind: String,
    failed: usize,
    /// How many submissions ran it: graded on its step, with a lab that compiles.
    ran: usize,
}

/// Every test any submission ran, the most failed first; ties by step, then name.
fn hardest_first(submissions: &[Submission]) -> Vec<TestFailures> {
    let mut tests: BTreeMap<(u64, &str), TestFailures> = BTreeMap::new();
    for step in submissions.iter().flat_map(|s| &s.steps) {
        for test in &step.tests {
            let entry = tests
                .entry((step.number, &test.name))
                .or_insert_with(|| TestFailures {
                    step: step.number,
                    name: test.name.clone(),
                    kind: test.kind.clone(),
                    failed: 0,
                    ran: 0,
                });
            entry.ran += 1;
            entry.failed += usize::from(!test.passed);
        }
    }
    let mut tests: Vec<TestFailures> = tests.into_values().collect();
    // Stable, and the map's order is by step then name: only the count is left to sort by.
    tests.sort_by_key(|test| std::cmp::Reverse(test.failed));
    tests
}

/// The tests that some submission fails, hardest first, with the labs that do not compile.
fn tests_table(submissions: &[Submission], tests: &[TestFailures]) -> String {
    let failing: Vec<&TestFailures> = tests.iter().filter(|t| t.failed > 0).collect();
    let mut text = String::from("\n");
    if failing.is_empty() {
        text += &format!(
            "every submission passes every test it ran ({} tests)\n",
            tests.len()
        );
    } else {
        text += "failing tests, hardest first (failed by, of the submissions that ran it):\n\n";
        let mut rows = vec![["failed", "step", "test"].map(String::from).to_vec()];
        for test in &failing {
            let name = match test.kind.as_str() {
                "required" => test.name.clone(),
                kind => format!("{} ({kind})", test.name),
            };
            rows.push(vec![
                format!("{}/{}", test.failed, test.ran),
                test.step.to_string(),
                name,
            ]);
        }
        text += &aligned(&rows, "rrl")
            .lines()
            .map(|line| format!("  {line}\n"))
            .collect::<String>();
        let passed = tests.len() - failing.len();
        text += &format!("\n{passed} other test(s) passed in every submission that ran them\n");
    }
    for number in graded_steps(submissions) {
        let graded = submissions.iter().filter_map(|s| s.step(number));
        let (broken, graded) = graded.fold((0, 0), |(b, g), step| {
            (b + usize::from(!step.compiles), g + 1)
        });
        if broken > 0 {
            text += &format!(
                "step {number}: the lab does not compile in {broken} of the {graded} \
                 submission(s) graded on it\n"
            );
        }
    }
    text
}

#[cfg(test)]
mod tests;
