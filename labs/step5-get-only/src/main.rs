// Written by `cargo xtask sync-labs`. The program's code is `run` in src/lib.rs.
fn main() -> std::process::ExitCode {
    step5::run("step5", std::env::args().skip(1).collect())
}
