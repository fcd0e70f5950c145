//! Each step's points as the platforms record them (GitHub Classroom, Gradescope): one score
//! per step and one per step's bonus, in hundredths, which add up to the table's totals.
//!
//! The table adds the exact points and rounds the sum to two decimals; rounding each step on
//! its own could be a hundredth off (three steps of 6.667 make 20, not 20.01). So each score
//! is what it adds to the rounded running total, and the scores sum to the rounded total.

use super::{Kind, Report, StepGrade};

/// A step's line in a platform's results: its points, or its bonus points.
pub struct Score<'a> {
    pub step: &'a StepGrade,
    pub kind: Kind,
    /// Hundredths of a point.
    pub hundredths: i64,
    pub max: u32,
}

/// A score for each graded step, then one for each graded step's bonus where it has one.
pub fn of(report: &Report) -> Vec<Score<'_>> {
    let mut scores = in_hundredths(report, Kind::Required);
    scores.extend(in_hundredths(report, Kind::Bonus));
    scores
}

fn in_hundredths(report: &Report, kind: Kind) -> Vec<Score<'_>> {
    let mut exact = 0.0;
    let mut rounded = 0;
    let mut scores = Vec::new();
    for step in &report.steps {
        let max = match kind {
            Kind::Bonus => step.max_bonus(),
            _ => step.max_points(),
        };
        if max == 0 {
            continue;
        }
        exact += step.points(kind);
        let total = (exact * 100.0).round() as i64;
        scores.push(Score {
            step,
            kind,
            hundredths: total - rounded,
            max,
        });
        rounded = total;
    }
    scores
}

/// Hundredths of a point as JSON's number: `10`, `2.5`, `6.67`.
pub fn number(hundredths: i64) -> String {
    let sign = if hundredths < 0 { "-" } else { "" };
    let (whole, cents) = (hundredths.abs() / 100, hundredths.abs() % 100);
    match cents {
        0 => format!("{sign}{whole}"),
        c if c % 10 == 0 => format!("{sign}{whole}.{}", c / 10),
        c => format!("{sign}{whole}.{c:02}"),
    }
}

/// The sum of `scores`, in hundredths.
pub fn total(scores: &[Score]) -> i64 {
    scores.iter().map(|s| s.hundredths).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grade::model::TestGrade;
    use crate::grade::{LabResult, Outcome};
    use crate::steps::step;

    /// Step 1 with two of its three tests passed (6.67 of 10), as often as `steps`.
    fn thirds(steps: &[u8]) -> Report {
        let tests = |n: u8| {
            (0..3)
                .map(|i| {
                    let outcome = if i < 2 {
                        Outcome::Passed
                    } else {
                        Outcome::Failed
                    };
                    TestGrade::ended(format!("step{n}::t{i}"), Kind::Required, outcome)
                })
                .collect()
        };
        Report {
            steps: steps
                .iter()
                .map(|&n| StepGrade {
                    step: step(n).unwrap(),
                    result: LabResult::Tested(tests(n)),
                    tampering: Vec::new(),
                })
                .collect(),
            ..crate::grade::fixture::empty()
        }
    }

    #[test]
    fn the_scores_add_up_to_the_rounded_total() {
        let report = thirds(&[1, 3, 4]);
        let scores = of(&report);
        let hundredths: Vec<i64> = scores.iter().map(|s| s.hundredths).collect();
        // 6.667 + 6.667 + 6.667 = 20: the rounded running totals are 6.67, 13.33, 20.
        assert_eq!(hundredths, [667, 666, 667]);
        assert_eq!(total(&scores), 2000);
    }

    #[test]
    fn hundredths_are_written_with_at_most_two_decimals() {
        assert_eq!(number(1000), "10");
        assert_eq!(number(250), "2.5");
        assert_eq!(number(667), "6.67");
        assert_eq!(number(5), "0.05");
        assert_eq!(number(0), "0");
    }
}
