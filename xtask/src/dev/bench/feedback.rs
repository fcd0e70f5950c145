//! The student's feedback loop, timed: after an edit (the lab's `src/lib.rs` touched), how
//! long a warm `cargo test -p stepN` takes to build, and how long the pristine starter's
//! failing run takes, hangs included.

use std::fs::File;
use std::path::Path;
use std::time::{Duration, Instant, SystemTime};

use crate::command::cargo;
use crate::steps::STEPS;

/// Targets from the issue: a rebuild well under a second, a failing run under 10 s.
pub const REBUILD_TARGET: Duration = Duration::from_secs(1);
pub const FAILING_RUN_TARGET: Duration = Duration::from_secs(10);

pub struct LabTimes {
    pub package: String,
    pub rebuild: Duration,
    pub failing_run: Duration,
}

/// Times every lab, one after another.
pub fn time_labs(root: &Path) -> Result<Vec<LabTimes>, String> {
    let mut times = Vec::new();
    for step in STEPS {
        let package = step.package();
        // Warm: everything the lab depends on is built, as it is after the student's first run.
        let warm = cargo(root, &["test", "-p", &package, "--no-run"])?;
        if !warm.success {
            return Err(format!("{package} does not build:\n{}", warm.output));
        }
        touch(&root.join("labs").join(step.dir).join("src/lib.rs"))?;
        let rebuild = timed(|| cargo(root, &["test", "-p", &package, "--no-run"]))?;
        // The starter fails its new tests on purpose: only the time matters here.
        let failing_run = timed(|| cargo(root, &["test", "-p", &package]))?;
        println!(
            "bench: {package}: rebuild {:.2} s, failing run {:.2} s",
            rebuild.as_secs_f64(),
            failing_run.as_secs_f64()
        );
        times.push(LabTimes {
            package,
            rebuild,
            failing_run,
        });
    }
    Ok(times)
}

fn timed<T>(run: impl FnOnce() -> Result<T, String>) -> Result<Duration, String> {
    let started = Instant::now();
    run()?;
    Ok(started.elapsed())
}

/// Marks `file` as changed now, as saving it in an editor does, without changing its bytes.
fn touch(file: &Path) -> Result<(), String> {
    File::options()
        .append(true)
        .open(file)
        .and_then(|opened| opened.set_modified(SystemTime::now()))
        .map_err(|e| format!("cannot touch {}: {e}", file.display()))
}
