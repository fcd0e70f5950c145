//! `solutions stepN [args]` runs the reference program of step N, with the same arguments as
//! the lab's own program (`cargo run -p stepN -- [args]`). `solutions demo N` starts step N's
//! reference on the lesson's port and prints what to try (`solutions::demo`). Instructors
//! demo with it.

use std::process::ExitCode;

use solutions::{PROGRAMS, demo};

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let step = args.next().unwrap_or_default();
    if step == "demo" {
        return demo::run(args.collect());
    }
    match PROGRAMS.iter().find(|(name, _)| *name == step) {
        Some((name, run)) => run(&format!("solutions {name}"), args.collect()),
        None => {
            let names: Vec<&str> = PROGRAMS.iter().map(|(name, _)| *name).collect();
            eprintln!(
                "usage: solutions STEP [ARGS...]\n       solutions demo N [--port PORT]\n\
                 STEP is one of: {}",
                names.join(", ")
            );
            eprintln!("Example: solutions step1 server --port 50000, or solutions demo 4");
            ExitCode::from(labcli::EXIT_USAGE)
        }
    }
}
