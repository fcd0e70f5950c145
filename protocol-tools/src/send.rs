//! `send MESSAGE --to HOST:PORT`: the lesson's simple client. It sends one message, shuts down
//! its writing side (so the server knows the request is complete), and prints every byte of the
//! reply until the server closes the connection.

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::process::ExitCode;
use std::time::Duration;

use crate::cli::{self, Program};
use crate::escapes::{self, unescape};

/// The lesson's web servers listen here.
const DEFAULT_TARGET: &str = "127.0.0.1:10000";
/// How long connecting may take before the next address of the host is tried.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

pub fn program(args: Vec<String>) -> ExitCode {
    let program = Program {
        name: "send",
        usage: format!(
            "usage: send MESSAGE [--to HOST:PORT]\n\
             Connects to HOST:PORT (default {DEFAULT_TARGET}), sends MESSAGE, shuts down writing,\n\
             and prints the whole reply as it comes, until the server closes the connection.\n\
             Escapes in MESSAGE: {}. Quote it for the shell:\n\
             \x20 send 'GET / HTTP/1.0\\r\\n\\r\\n' --to 127.0.0.1:10000",
            escapes::KNOWN
        ),
    };
    let parsed = match program.parse(args, &["to"], &[]) {
        Ok(parsed) => parsed,
        Err(exit) => return exit,
    };
    let message = match parsed.positional.as_slice() {
        [message] => message,
        [] => return program.usage_error("say what to send: MESSAGE"),
        _ => {
            return program.usage_error(
                "give the message as one argument, in quotes (the shell splits it at spaces)",
            );
        }
    };
    let message = match unescape(message) {
        Ok(bytes) => bytes,
        Err(error) => return program.usage_error(error),
    };
    let to = parsed.option("to").unwrap_or(DEFAULT_TARGET);
    let (host, port) = match cli::target(to) {
        Ok(target) => target,
        Err(error) => return program.usage_error(error),
    };
    if let Some(exit) = labcli::would(format_args!("send {} bytes to {to}", message.len())) {
        return exit;
    }
    let reply = cli::resolve(&host, port).and_then(|addresses| exchange(&addresses, &message));
    match reply {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            let hint = match error.kind() {
                io::ErrorKind::ConnectionRefused => "\nis the server running, on that port?",
                _ => "",
            };
            program.failure(format!("cannot talk to {to}: {error}{hint}"))
        }
    }
}

/// Connects to the first address that answers, sends `message`, and copies the reply to stdout
/// as it arrives. If stdout is closed (as with `send ... | head -n 1`), it stops quietly.
fn exchange(addresses: &[SocketAddr], message: &[u8]) -> io::Result<()> {
    let mut stream = connect(addresses)?;
    stream.write_all(message)?;
    stream.shutdown(Shutdown::Write)?;
    let mut stdout = io::stdout().lock();
    let mut buffer = [0; 8192];
    loop {
        let n = match stream.read(&mut buffer) {
            Ok(0) => return Ok(()),
            Ok(n) => n,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
            Err(error) => return Err(error),
        };
        let shown = stdout.write_all(&buffer[..n]).and_then(|()| stdout.flush());
        match shown {
            Ok(()) => {}
            Err(error) if error.kind() == io::ErrorKind::BrokenPipe => return Ok(()),
            Err(error) => {
                return Err(io::Error::new(
                    error.kind(),
                    format!("cannot write to stdout: {error}"),
                ));
            }
        }
    }
}

/// The first of `addresses` that accepts the connection (`localhost` may be `::1` and
/// `127.0.0.1`, and a server may listen on only one of them).
pub fn connect(addresses: &[SocketAddr]) -> io::Result<TcpStream> {
    let mut last = io::Error::new(io::ErrorKind::NotFound, "no address to connect to");
    for address in addresses {
        match TcpStream::connect_timeout(address, CONNECT_TIMEOUT) {
            Ok(stream) => return Ok(stream),
            Err(error) => last = error,
        }
    }
    Err(last)
}
