//! Loading a server with wrk, when it is installed, and reading its report.

use std::process::Command;
use std::time::Duration;

use super::Measurement;
use super::load::Load;

/// wrk's version line, if wrk is installed.
pub fn version() -> Option<String> {
    // wrk prints its version and usage, and exits with a failure: only the first line counts.
    let first = super::servers::version_of("wrk", &["-v"])?;
    let first = first.as_str();
    // `wrk 4.1.0 [epoll] Copyright (C) 2012 Will Glozer`: the name and version are enough.
    let version = first.split(" Copyright").next().unwrap_or(first);
    first.starts_with("wrk").then(|| version.to_string())
}

/// Runs wrk with one thread (the other core is left to the server) and `load`'s connections.
pub fn run(load: &Load) -> Result<Measurement, String> {
    let url = format!("http://{}{}", load.addr, load.path);
    let seconds = format!("{}s", load.duration.as_secs().max(1));
    let connections = load.connections.to_string();
    let mut command = Command::new("wrk");
    command.args(["-t1", "-c", &connections, "-d", &seconds, "--latency"]);
    if !load.keep_alive {
        command.args(["-H", "Connection: close"]);
    }
    command.arg(&url);
    // wrk stops itself after the load's duration; a wrk that does not is stopped here.
    let limit = load.duration + Duration::from_secs(30);
    let report = match runner::run(command, None, limit)? {
        runner::Ending::Exited(run) => run.output,
        runner::Ending::Stopped(_) => return Err(format!("wrk did not end within {limit:?}")),
    };
    parse(&report).ok_or_else(|| format!("cannot read wrk's report:\n{report}"))
}

/// Reads wrk's `--latency` report: requests, duration, the 50% and 99% latencies, socket
/// errors and answers that were not 2xx or 3xx.
pub fn parse(report: &str) -> Option<Measurement> {
    let mut requests = None;
    let mut seconds = None;
    let (mut p50, mut p99) = (None, None);
    let mut errors = 0;
    for line in report.lines().map(str::trim) {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["50%", value] => p50 = duration(value),
            ["99%", value] => p99 = duration(value),
            [count, "requests", "in", took, ..] => {
                requests = count.parse::<u64>().ok();
                seconds = duration(took.trim_end_matches(',')).map(|d| d.as_secs_f64());
            }
            ["Socket", "errors:", rest @ ..] => {
                // connect 0, read 0, write 0, timeout 0
                errors += rest
                    .iter()
                    .filter_map(|word| word.trim_end_matches(',').parse::<u64>().ok())
                    .sum::<u64>();
            }
            ["Non-2xx", "or", "3xx", "responses:", count] => errors += count.parse::<u64>().ok()?,
            _ => {}
        }
    }
    let (requests, seconds) = (requests?, seconds?);
    Some(Measurement {
        requests,
        per_second: requests as f64 / seconds,
        p50: p50?,
        p99: p99?,
        errors,
    })
}

/// `258.00us`, `1.93ms`, `2.01s`, `1.5m` as a duration.
fn duration(text: &str) -> Option<Duration> {
    let split = text.find(|c: char| c.is_ascii_alphabetic())?;
    let (number, unit) = text.split_at(split);
    let number: f64 = number.parse().ok()?;
    let seconds = match unit {
        "us" => number / 1e6,
        "ms" => number / 1e3,
        "s" => number,
        "m" => number * 60.0,
        _ => return None,
    };
    Some(Duration::from_secs_f64(seconds))
}

#[cfg(test)]
mod tests {
    use super::*;

    const REPORT: &str = "Running 3s test @ http://127.0.0.1:18080/page.html
  1 threads and 10 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   330.04us  205.43us   9.87ms   92.90%
    Req/Sec    19.63k     2.86k   23.48k    57.50%
  Latency Distribution
     50%  258.00us
     75%  352.00us
     90%  480.00us
     99%    1.93ms
  58561 requests in 3.00s, 64.02MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 4
Requests/sec:  19520.04
Transfer/sec:     21.34MB
";

    #[test]
    fn a_wrk_report_gives_rate_latencies_and_errors() {
        let measured = parse(REPORT).unwrap();
        assert_eq!(measured.requests, 58561);
        assert!((measured.per_second - 19520.3).abs() < 1.0, "{measured:?}");
        assert_eq!(measured.p50, Duration::from_micros(258));
        assert_eq!(measured.p99, Duration::from_micros(1930));
        assert_eq!(measured.errors, 7);
    }

    #[test]
    fn a_report_without_latencies_is_not_read() {
        assert!(parse("58561 requests in 3.00s, 64.02MB read").is_none());
        assert!(parse("").is_none());
    }
}
