//! `mock-imap`: see the module `protocol_tools::imap` and `mock-imap --help`.

fn main() -> std::process::ExitCode {
    protocol_tools::imap::program(std::env::args().skip(1).collect())
}
