//! `mock-smtp`: see the module `protocol_tools::smtp` and `mock-smtp --help`.

fn main() -> std::process::ExitCode {
    protocol_tools::smtp::program(std::env::args().skip(1).collect())
}
