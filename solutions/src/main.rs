//! `solutions stepN [args]` runs the reference program of step N, with the same arguments as
//! the lab's own program (`cargo run -p stepN -- [args]`). Instructors demo with it.

use std::process::ExitCode;

use solutions::PROGRAMS;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let step = args.next().unwrap_or_default();
    match PROGRAMS.iter().find(|(name, _)| *name == step) {
        Some((name, run)) => run(&format!("solutions {name}"), args.collect()),
        None => {
            let names: Vec<&str> = PROGRAMS.iter().map(|(name, _)| *name).collect();
            eprintln!(
                "usage: solutions STEP [ARGS...]\nSTEP is one of: {}",
                names.join(", ")
            );
            eprintln!("Example: solutions step1 server --port 50000");
            ExitCode::from(labcli::EXIT_USAGE)
        }
    }
}
