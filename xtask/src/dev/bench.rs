//! `cargo xtask bench`: the step 7 reference (one request per connection) and the step 9
//! reference (kept alive too) against nginx and `python3 -m http.server`, side by side on
//! loopback, then the student's feedback loop; the results go to the terminal and to
//! `docs/src/bench.md`, which the maintainer guide includes. Never run by CI: it takes minutes
//! and its figures depend on the machine; its pieces have tests.
//!
//! - `servers.rs`: starting and stopping the servers
//! - `wrk.rs`, `load.rs`: the load, by wrk when installed, else by our own generator
//! - `report.rs`: the Markdown tables
//! - `feedback.rs`: timing `cargo test -p stepN` for every lab

mod feedback;
mod load;
mod report;
mod servers;
mod wrk;

use std::path::{Path, PathBuf};
use std::time::Duration;

use load::Load;
use report::{Connections, Row, ServerKind};
use servers::Running;

/// Every load: this many connections at once, as the issue measured nginx and Python.
const CONNECTIONS: usize = 10;

/// What one load measured.
#[derive(Clone, Debug, PartialEq)]
pub struct Measurement {
    pub requests: u64,
    pub per_second: f64,
    pub p50: Duration,
    pub p99: Duration,
    pub errors: u64,
}

impl Measurement {
    pub fn from_latencies(mut latencies: Vec<Duration>, errors: u64, took: Duration) -> Self {
        latencies.sort_unstable();
        let at = |fraction: f64| {
            let index =
                ((latencies.len() as f64 * fraction) as usize).min(latencies.len().max(1) - 1);
            latencies.get(index).copied().unwrap_or_default()
        };
        Measurement {
            requests: latencies.len() as u64,
            per_second: latencies.len() as f64 / took.as_secs_f64().max(1e-9),
            p50: at(0.50),
            p99: at(0.99),
            errors,
        }
    }
}

struct Options {
    seconds: u64,
    rounds: usize,
    own_load: bool,
}

fn options(args: &[&str]) -> Result<Options, String> {
    let mut options = Options {
        seconds: 3,
        rounds: 3,
        own_load: false,
    };
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let mut number = |name: &str| {
            args.next()
                .and_then(|value| value.parse::<u64>().ok())
                .filter(|value| (1..=60).contains(value))
                .ok_or_else(|| format!("{name} needs a number from 1 to 60"))
        };
        match *arg {
            "--seconds" => options.seconds = number("--seconds")?,
            "--rounds" => options.rounds = number("--rounds")? as usize,
            "--own-load" => options.own_load = true,
            other => return Err(format!("bench: unknown option {other:?}")),
        }
    }
    Ok(options)
}

/// The files every server serves, written to `webroot`: a 1 KB page and a 100 KB picture.
const FILES: [(&str, &str, usize); 2] = [
    ("1 KB page", "/page.html", 1024),
    ("100 KB image", "/image.png", 100 * 1024),
];

pub fn bench(root: &Path, args: &[&str]) -> Result<(), String> {
    let options = options(args)?;
    println!("bench: building the step 7 and step 9 references (release)");
    let build = crate::command::cargo(root, &["build", "--release", "-p", "solutions"])?;
    if !build.success {
        return Err(format!("the release build failed:\n{}", build.output));
    }
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or(root.join("target"), PathBuf::from);
    let folder = target.join("bench");
    let webroot = folder.join("webroot");
    write_site(&webroot)?;

    let program = target.join("release/solutions");
    let mut servers = vec![
        servers::reference(&program, &webroot)?,
        servers::keep_alive_reference(&program, &webroot, CONNECTIONS)?,
    ];
    let mut missing = Vec::new();
    match servers::nginx(&webroot, &folder.join("nginx"))? {
        Some(nginx) => servers.push(nginx),
        None => missing.push("nginx is not installed (Debian: `apt-get install nginx-light`)"),
    }
    match servers::python(&webroot)? {
        Some(python) => servers.push(python),
        None => missing.push("python3 is not installed"),
    }
    for note in &missing {
        println!("bench: NOTE: {note}: its rows and ratios are left out");
    }
    let wrk = wrk::version().filter(|_| !options.own_load);
    let tool = match &wrk {
        Some(version) => format!("{version}, one thread"),
        None => {
            if !options.own_load {
                println!(
                    "bench: NOTE: wrk is not installed (Debian: `apt-get install wrk`): the load \
                     comes from the project's own generator, whose figures differ from wrk's"
                );
            }
            "the project's own load generator (xtask/src/dev/bench/load.rs)".into()
        }
    };
    let load_average = std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|text| text.split_whitespace().next().map(str::to_string));

    let rows = measure(&servers, &options, wrk.is_some())?;
    drop(servers);
    let _ = std::fs::remove_dir_all(&folder);

    println!("bench: timing the student's loop, lab by lab");
    let labs = feedback::time_labs(root)?;

    let mut text = String::from(
        "<!-- Written by `cargo xtask bench`; run it again rather than edit this file. -->\n",
    );
    text += &format!(
        "Measured on {} by `cargo xtask bench`: {}; load average {} at the start. Load: {tool}, \
         {CONNECTIONS} connections, on loopback; each figure is the median of {} round(s) of {} s \
         (errors: all rounds).\n\n",
        chrono::Utc::now().format("%Y-%m-%d"),
        machine(),
        load_average.as_deref().unwrap_or("unknown"),
        options.rounds,
        options.seconds,
    );
    for note in &missing {
        text += &format!("Not measured: {note}.\n\n");
    }
    text += &report::server_table(&rows);
    text += "\nThe student's loop: a warm `cargo test` after touching the lab's `src/lib.rs` \
             (the build only), then the pristine starter's whole failing run.\n\n";
    text += &report::lab_table(&labs);
    println!("\n{text}");
    let page = root.join("docs/src/bench.md");
    std::fs::write(&page, &text).map_err(|e| format!("cannot write {}: {e}", page.display()))?;
    println!("bench: wrote {}", page.display());
    Ok(())
}

/// Every server, file and way of connecting, in rounds: each round loads each in turn, so
/// that whatever else the machine is doing weighs on all of them alike.
fn measure(servers: &[Running], options: &Options, with_wrk: bool) -> Result<Vec<Row>, String> {
    let mut rows = Vec::new();
    let mut loads = Vec::new();
    for server in servers {
        let kind = match server.name.as_str() {
            name if name.starts_with("nginx") => ServerKind::Nginx,
            name if name.starts_with("python") => ServerKind::Python,
            _ => ServerKind::Reference,
        };
        for (file, path, _) in FILES {
            for connections in [Connections::OneRequestEach, Connections::KeptAlive] {
                let row = Row {
                    server: server.name.clone(),
                    kind,
                    file,
                    connections,
                    measured: None,
                };
                if connections == Connections::KeptAlive && !server.keeps_alive {
                    rows.push(row);
                    continue;
                }
                loads.push((
                    rows.len(),
                    Load {
                        addr: server.addr,
                        path: path.to_string(),
                        connections: CONNECTIONS,
                        duration: Duration::from_secs(options.seconds),
                        keep_alive: connections == Connections::KeptAlive,
                    },
                ));
                rows.push(row);
            }
        }
    }
    let mut results: Vec<Vec<Measurement>> = vec![Vec::new(); rows.len()];
    for round in 1..=options.rounds {
        println!("bench: round {round} of {}", options.rounds);
        for (index, load) in &loads {
            let measured = if with_wrk {
                wrk::run(load)?
            } else {
                load::run(load)
            };
            results[*index].push(measured);
        }
    }
    for (row, mut measured) in rows.iter_mut().zip(results) {
        if measured.is_empty() {
            continue;
        }
        let errors = measured.iter().map(|m| m.errors).sum();
        measured.sort_by(|a, b| a.per_second.total_cmp(&b.per_second));
        let mut median = measured.swap_remove(measured.len() / 2);
        median.errors = errors;
        row.measured = Some(median);
    }
    Ok(rows)
}

/// Writes the benchmark's files: bytes that are the same on every run.
fn write_site(webroot: &Path) -> Result<(), String> {
    std::fs::create_dir_all(webroot).map_err(|e| e.to_string())?;
    for (_, path, size) in FILES {
        let mut bytes = if path.ends_with(".html") {
            b"<!DOCTYPE html>\n<title>bench</title>\n<p>".to_vec()
        } else {
            b"\x89PNG\r\n\x1a\n".to_vec()
        };
        let mut state = 1u32;
        while bytes.len() < size {
            state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            bytes.push(b'a' + (state >> 16) as u8 % 26);
        }
        let file = webroot.join(path.trim_start_matches('/'));
        std::fs::write(&file, bytes)
            .map_err(|e| format!("cannot write {}: {e}", file.display()))?;
    }
    Ok(())
}

/// The processor, its cores, the memory and the system, as far as this machine tells.
fn machine() -> String {
    let read = |path: &str| std::fs::read_to_string(path).unwrap_or_default();
    let cpu = read("/proc/cpuinfo")
        .lines()
        .find_map(|line| line.strip_prefix("model name"))
        .map(|rest| rest.trim_start_matches([' ', '\t', ':']).trim().to_string())
        .unwrap_or_else(|| std::env::consts::ARCH.to_string());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let memory = read("/proc/meminfo")
        .lines()
        .find_map(|line| line.strip_prefix("MemTotal:"))
        .and_then(|kib| kib.trim().trim_end_matches(" kB").parse::<f64>().ok())
        .map(|kib| format!(", {:.0} GiB", kib / 1024.0 / 1024.0))
        .unwrap_or_default();
    let kernel = read("/proc/sys/kernel/osrelease");
    let rustc = servers::version_of("rustc", &["-V"]).unwrap_or_default();
    format!(
        "{cpu}, {cores} cores{memory}, {} {}, {rustc}",
        std::env::consts::OS,
        kernel.trim()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latencies_give_their_median_and_99th_percentile() {
        let latencies = (1..=100).map(Duration::from_millis).collect();
        let measured = Measurement::from_latencies(latencies, 2, Duration::from_secs(2));
        assert_eq!(measured.requests, 100);
        assert_eq!(measured.per_second, 50.0);
        assert_eq!(measured.p50, Duration::from_millis(51));
        assert_eq!(measured.p99, Duration::from_millis(100));
        assert_eq!(measured.errors, 2);
        let none = Measurement::from_latencies(Vec::new(), 0, Duration::from_secs(1));
        assert_eq!((none.requests, none.p99), (0, Duration::ZERO));
    }

    #[test]
    fn options_are_checked() {
        assert!(
            options(&["--seconds", "5", "--own-load"]).is_ok_and(|o| o.seconds == 5 && o.own_load)
        );
        assert!(options(&["--seconds", "0"]).is_err());
        assert!(options(&["--rounds"]).is_err());
        assert!(options(&["--fast"]).is_err());
    }

    #[test]
    fn the_site_has_a_1_kb_page_and_a_100_kb_image() {
        let folder = testkit::TempDir::new("bench-site").unwrap();
        write_site(folder.path()).unwrap();
        let size = |name: &str| std::fs::metadata(folder.path().join(name)).unwrap().len();
        assert_eq!(size("page.html"), 1024);
        assert_eq!(size("image.png"), 100 * 1024);
    }
}
