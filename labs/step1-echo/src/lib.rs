// Your starting point for Step 1: echo, written by `cargo xtask sync-labs` from solutions/src/step1.rs.
// This file is yours: edit it until `cargo test -p step1` passes.
//! Step 1: a TCP echo server and its client.
//!
//! The server hands back every byte a client sends; the client sends a message and prints what
//! comes back. Both sides work with bytes, not text, and neither may assume that one read
//! returns the whole message: TCP delivers a stream, cut wherever the network likes.
//! Docs chapter: "Step 1: echo".

// The stubs below do not use their parameters and imports yet; delete these
// two lines once you have written them, to see the compiler's warnings again.
#![allow(unused_variables, unused_imports, unused_mut, dead_code)]

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::process::ExitCode;

/// Serves clients one after another, forever.
pub fn serve(listener: TcpListener) -> io::Result<()> {
    todo!(
        "Step 1: serve every client, one after another (docs \"Step 1: echo\" › \"What the tests check\")"
    )
}

/// Sends back every byte the client sends, until the client stops sending; then returns,
/// which closes the connection.
pub fn echo(mut stream: TcpStream) -> io::Result<()> {
    todo!("Step 1: send back what the client sends (docs \"Step 1: echo\" › \"On the wire\")")
}

/// Sends `message` to the echo server at `address` (`host:port`) and returns what it sends back.
pub fn echo_client(address: &str, message: &[u8]) -> io::Result<Vec<u8>> {
    todo!("Step 1: send `message`, return the echo (docs \"Step 1: echo\" › \"On the wire\")")
}

/// The program: `step1 server [--port 50000]` or `step1 client [--port 50000] MESSAGE...`.
pub fn run(program: &str, args: Vec<String>) -> ExitCode {
    labcli::echo_program(program, args, serve, echo_client)
}
