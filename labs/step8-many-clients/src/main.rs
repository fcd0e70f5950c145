// Written by `cargo xtask sync-labs`. The program's code is `run` in src/lib.rs.
fn main() -> std::process::ExitCode {
    step8::run("step8", std::env::args().skip(1).collect())
}
