//! `send`: see the module `kit::send` and `send --help`.

fn main() -> std::process::ExitCode {
    kit::send::program(std::env::args().skip(1).collect())
}
