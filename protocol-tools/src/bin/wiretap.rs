//! `wiretap`: see the module `protocol_tools::wiretap` and `wiretap --help`.

fn main() -> std::process::ExitCode {
    protocol_tools::wiretap::program(std::env::args().skip(1).collect())
}
