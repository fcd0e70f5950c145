//! `mock-pop3`: see the module `kit::pop3` and `mock-pop3 --help`.

fn main() -> std::process::ExitCode {
    kit::pop3::program(std::env::args().skip(1).collect())
}
