//! The roll-up's two tables as CSV (RFC 4180: fields separated by commas, lines ended by CRLF,
//! a field holding a comma, a quote or a line break quoted, its quotes doubled). Two files,
//! because they are two tables: `--csv`, one row per submission; `--tests-csv`, one per test.

use super::{Submission, TestFailures, format_points, graded_steps, step_cell};

/// One row per submission: the row's name and file, the repository, the pull request, the
/// whole commit, the points of each step graded (empty if not graded, `no build` if its lab
/// does not compile), bonus, points, max points, and whether it tampered.
pub fn submissions(submissions: &[Submission]) -> String {
    let steps = graded_steps(submissions);
    let mut header: Vec<String> = ["submission", "file", "repository", "pull request", "commit"]
        .map(String::from)
        .to_vec();
    header.extend(steps.iter().map(|number| format!("step {number}")));
    header.extend(["bonus", "points", "max points", "tampered"].map(String::from));
    let mut text = line(&header);
    for submission in submissions {
        let mut row = vec![
            submission.name(),
            submission.file.clone(),
            submission.repository.clone().unwrap_or_default(),
            submission
                .pull_request
                .map_or_else(String::new, |n| n.to_string()),
            submission.commit.clone().unwrap_or_default(),
        ];
        row.extend(
            steps
                .iter()
                .map(|&number| match step_cell(submission, number) {
                    not_graded if not_graded == "-" => String::new(),
                    cell => cell,
                }),
        );
        row.push(format_points(submission.bonus_points));
        row.push(format_points(submission.points));
        row.push(format_points(submission.max_points));
        row.push(if submission.tampered { "yes" } else { "no" }.into());
        text += &line(&row);
    }
    text
}

/// Every test any submission ran, hardest first: its step, name and kind, how many
/// submissions fail it and how many ran it.
pub fn tests(tests: &[TestFailures]) -> String {
    let mut text = line(&["step", "test", "kind", "failed", "ran"].map(String::from));
    for test in tests {
        text += &line(&[
            test.step.to_string(),
            test.name.clone(),
            test.kind.clone(),
            test.failed.to_string(),
            test.ran.to_string(),
        ]);
    }
    text
}

fn line(fields: &[String]) -> String {
    let fields: Vec<String> = fields.iter().map(|field| quoted(field)).collect();
    fields.join(",") + "\r\n"
}

/// `field` as RFC 4180 writes it: quoted only when it must be.
pub fn quoted(field: &str) -> String {
    if field.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::quoted;

    #[test]
    fn a_field_is_quoted_only_when_it_holds_a_comma_a_quote_or_a_line_break() {
        assert_eq!(quoted("ada/web-protocols#7"), "ada/web-protocols#7");
        assert_eq!(quoted("a,b"), "\"a,b\"");
        assert_eq!(quoted("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(quoted("two\r\nlines"), "\"two\r\nlines\"");
        assert_eq!(quoted(""), "");
    }
}
