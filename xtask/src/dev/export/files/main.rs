//! The workbook's tasks for students: `cargo xtask <task>`.
//!
//! Written by the course's `cargo xtask export`, with the modules of its own xtask that these
//! tasks need; `sync.rs` keeps the labs' pristine starters, in `xtask/starters/`, for `reset`.

// The modules are the course's own: parts of them serve its maintainers' tasks only.
#![allow(dead_code)]

// export: modules

use std::path::{Path, PathBuf};
use std::process::ExitCode;

const USAGE: &str = "{usage}";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    student_task(&workspace_root(), &args)
        .unwrap_or_else(|| exit(Err(format!("unknown task {:?}\n{USAGE}", args.join(" ")))))
}

// export: functions
