//! Step 1: a TCP echo server and its client.
//!
//! The server hands back every byte a client sends; the client sends a message and prints what
//! comes back. Both sides work with bytes, not text, and neither may assume that one read
//! returns the whole message: TCP delivers a stream, cut wherever the network likes.
//! Docs chapter: "Step 1: echo".

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::process::ExitCode;

/// Serves clients one after another, forever.
pub fn serve(listener: TcpListener) -> io::Result<()> {
    // lab:todo Step 1: serve every client, one after another (docs "Step 1: echo" › "What the tests check")
    for stream in listener.incoming() {
        // One client's trouble (it vanished, it reset the connection) must not stop the server.
        if let Err(error) = stream.and_then(echo) {
            eprintln!("echo: {error}");
        }
    }
    Ok(())
    // lab:end
}

/// Sends back every byte the client sends, until the client stops sending; then returns,
/// which closes the connection.
pub fn echo(mut stream: TcpStream) -> io::Result<()> {
    // lab:todo Step 1: send back what the client sends (docs "Step 1: echo" › "On the wire")
    let mut buffer = [0; 1024];
    loop {
        // A read returns what has arrived so far, up to the buffer's size, so one read is not
        // "the message": keep going until it returns 0, which means the client stopped sending.
        let n = stream.read(&mut buffer)?;
        if n == 0 {
            return Ok(());
        }
        stream.write_all(&buffer[..n])?;
    }
    // lab:end
}

/// Sends `message` to the echo server at `address` (`host:port`) and returns what it sends back.
pub fn echo_client(address: &str, message: &[u8]) -> io::Result<Vec<u8>> {
    // lab:todo Step 1: send `message`, return the echo (docs "Step 1: echo" › "On the wire")
    let mut stream = TcpStream::connect(address)?;
    stream.write_all(message)?;
    // Without this the server never learns the message is complete: its read would wait for
    // more, while we wait for its answer.
    stream.shutdown(Shutdown::Write)?;
    let mut echoed = Vec::new();
    stream.read_to_end(&mut echoed)?;
    Ok(echoed)
    // lab:end
}

/// The program: `step1 server [--port 50000]` or `step1 client [--port 50000] MESSAGE...`.
pub fn run(program: &str, args: Vec<String>) -> ExitCode {
    labcli::echo_program(program, args, serve, echo_client)
}
