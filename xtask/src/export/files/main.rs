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
    let root = workspace_root();
    let result = match args.as_slice() {
        ["grade", options @ ..] => return grade::main(&root, options),
        // PID 1 of the grade's sandbox (not for people: not in the usage).
        ["sandbox-init", "--", program, args @ ..] => return grade::sandbox::init(program, args),
        ["watch", options @ ..] => watch::main(&root, options),
        ["reset", options @ ..] => reset::main(&root, options),
        ["hint", options @ ..] => hint::main(&root, options),
        [] | ["help" | "--help" | "-h"] => {
            println!("{USAGE}");
            Ok(())
        }
        _ => Err(format!("unknown task {:?}\n{USAGE}", args.join(" "))),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

// export: functions
