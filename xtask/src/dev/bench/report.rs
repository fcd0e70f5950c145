//! The benchmark's results as Markdown: the machine, one row per server, file and way of
//! connecting, with the ratios to nginx and to Python, then the student's feedback loop.

use std::fmt::Write;
use std::time::Duration;

use super::Measurement;
use super::feedback::{FAILING_RUN_TARGET, LabTimes, REBUILD_TARGET};

/// How a load connects: one request per connection, or many on a kept connection.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Connections {
    OneRequestEach,
    KeptAlive,
}

/// One line of the table: a server, a file, a way of connecting, and what was measured (`None`
/// when the server does not keep connections alive).
#[derive(Clone, Debug)]
pub struct Row {
    pub server: String,
    pub kind: ServerKind,
    pub file: &'static str,
    pub connections: Connections,
    pub measured: Option<Measurement>,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ServerKind {
    Reference,
    Nginx,
    Python,
}

/// The table of servers, with each row's rate divided by nginx's and Python's for the same
/// file and the same way of connecting: a kept-alive row beside nginx's kept-alive row (Python's
/// server has none).
pub fn server_table(rows: &[Row]) -> String {
    let rate = |kind: ServerKind, file: &str, connections: Connections| {
        rows.iter()
            .find(|row| row.kind == kind && row.file == file && row.connections == connections)
            .and_then(|row| row.measured.as_ref())
            .map(|measured| measured.per_second)
    };
    let mut table = String::from(
        "| server | file | connections | requests/s | p50 | p99 | errors | × nginx | × Python |\n\
         |---|---|---|--:|--:|--:|--:|--:|--:|\n",
    );
    for row in rows {
        let connections = match row.connections {
            Connections::OneRequestEach => "one request each",
            Connections::KeptAlive => "kept alive",
        };
        let Some(measured) = &row.measured else {
            let _ = writeln!(
                table,
                "| {} | {} | {connections} | n/a: closes after every answer | | | | | |",
                row.server, row.file
            );
            continue;
        };
        let ratio = |kind| match rate(kind, row.file, row.connections) {
            Some(base) if base > 0.0 => format!("{:.2}×", measured.per_second / base),
            _ => "—".to_string(),
        };
        let _ = writeln!(
            table,
            "| {} | {} | {connections} | {} | {} | {} | {} | {} | {} |",
            row.server,
            row.file,
            thousands(measured.per_second),
            millis(measured.p50),
            millis(measured.p99),
            measured.errors,
            ratio(ServerKind::Nginx),
            ratio(ServerKind::Python),
        );
    }
    table
}

/// The table of the student's feedback loop, against its targets.
pub fn lab_table(times: &[LabTimes]) -> String {
    let mut table = format!(
        "| lab | rebuild after an edit (target < {} s) | starter's failing run (target < {} s) |\n\
         |---|--:|--:|\n",
        REBUILD_TARGET.as_secs(),
        FAILING_RUN_TARGET.as_secs()
    );
    for lab in times {
        let mark = |took: Duration, target: Duration| if took < target { "" } else { " (over)" };
        let _ = writeln!(
            table,
            "| {} | {:.2} s{} | {:.2} s{} |",
            lab.package,
            lab.rebuild.as_secs_f64(),
            mark(lab.rebuild, REBUILD_TARGET),
            lab.failing_run.as_secs_f64(),
            mark(lab.failing_run, FAILING_RUN_TARGET),
        );
    }
    table
}

/// `19520.4` as `19,520`.
fn thousands(value: f64) -> String {
    let digits = format!("{:.0}", value.max(0.0));
    let mut grouped = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    grouped
}

/// A latency in milliseconds, with two decimals: `0.26 ms`.
fn millis(latency: Duration) -> String {
    format!("{:.2} ms", latency.as_secs_f64() * 1000.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn measured(per_second: f64) -> Option<Measurement> {
        Some(Measurement {
            requests: 1000,
            per_second,
            p50: Duration::from_micros(260),
            p99: Duration::from_micros(1930),
            errors: 0,
        })
    }

    fn row(server: &str, kind: ServerKind, connections: Connections, rate: f64) -> Row {
        Row {
            server: server.into(),
            kind,
            file: "1 KB page",
            connections,
            measured: measured(rate),
        }
    }

    #[test]
    fn rows_show_their_rate_latencies_and_ratios() {
        let rows = [
            row(
                "reference",
                ServerKind::Reference,
                Connections::OneRequestEach,
                20000.0,
            ),
            row(
                "nginx",
                ServerKind::Nginx,
                Connections::OneRequestEach,
                19000.0,
            ),
            row("nginx", ServerKind::Nginx, Connections::KeptAlive, 50000.0),
            row(
                "python",
                ServerKind::Python,
                Connections::OneRequestEach,
                1600.0,
            ),
            row(
                "step 9 reference",
                ServerKind::Reference,
                Connections::KeptAlive,
                40000.0,
            ),
        ];
        let table = server_table(&rows);
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines.len(), 7, "{table}");
        assert_eq!(
            lines[2],
            "| reference | 1 KB page | one request each | 20,000 | 0.26 ms | 1.93 ms | 0 | 1.05× | 12.50× |"
        );
        assert!(lines[3].ends_with("| 1.00× | 11.88× |"), "{}", lines[3]);
        // Kept alive: beside nginx kept alive; Python's server keeps no connection.
        assert!(lines[4].ends_with("| 1.00× | — |"), "{}", lines[4]);
        assert_eq!(
            lines[6],
            "| step 9 reference | 1 KB page | kept alive | 40,000 | 0.26 ms | 1.93 ms | 0 | 0.80× | — |"
        );
    }

    #[test]
    fn missing_servers_leave_their_ratio_out() {
        let rows = [row(
            "reference",
            ServerKind::Reference,
            Connections::OneRequestEach,
            9.0,
        )];
        let table = server_table(&rows);
        assert!(
            table.lines().nth(2).unwrap().ends_with("| — | — |"),
            "{table}"
        );
        let closes = Row {
            measured: None,
            ..row(
                "reference",
                ServerKind::Reference,
                Connections::KeptAlive,
                0.0,
            )
        };
        assert!(server_table(&[closes]).contains("n/a: closes after every answer"));
    }

    #[test]
    fn lab_times_are_marked_when_over_their_target() {
        let times = [LabTimes {
            package: "step1".into(),
            rebuild: Duration::from_millis(700),
            failing_run: Duration::from_secs(12),
        }];
        let table = lab_table(&times);
        assert!(
            table.contains("| step1 | 0.70 s | 12.00 s (over) |"),
            "{table}"
        );
    }

    #[test]
    fn big_numbers_are_grouped_by_thousands() {
        assert_eq!(thousands(1234567.4), "1,234,567");
        assert_eq!(thousands(999.0), "999");
        assert_eq!(thousands(1000.0), "1,000");
    }
}
