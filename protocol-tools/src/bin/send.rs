//! `send`: see the module `protocol_tools::send` and `send --help`.

fn main() -> std::process::ExitCode {
    protocol_tools::send::program(std::env::args().skip(1).collect())
}
