//! `mock-smtp`: see the module `kit::smtp` and `mock-smtp --help`.

fn main() -> std::process::ExitCode {
    kit::smtp::program(std::env::args().skip(1).collect())
}
