//! `mock-pop3`: see the module `protocol_tools::pop3` and `mock-pop3 --help`.

fn main() -> std::process::ExitCode {
    protocol_tools::pop3::program(std::env::args().skip(1).collect())
}
