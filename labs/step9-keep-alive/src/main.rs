// Written by `cargo xtask sync-labs`. The program's code is `run` in src/lib.rs.
fn main() -> std::process::ExitCode {
    step9::run("step9", std::env::args().skip(1).collect())
}
