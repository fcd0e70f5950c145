// Written by `cargo xtask sync-labs`. The program's code is `run` in src/lib.rs.
fn main() -> std::process::ExitCode {
    step6::run("step6", std::env::args().skip(1).collect())
}
