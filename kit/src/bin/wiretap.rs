//! `wiretap`: see the module `kit::wiretap` and `wiretap --help`.

fn main() -> std::process::ExitCode {
    kit::wiretap::program(std::env::args().skip(1).collect())
}
