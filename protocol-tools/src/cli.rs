//! What the protocol tools share: `--help`, usage errors (exit 2), network failures (exit 1),
//! binding and announcing `listening on ADDR`, and printing that never panics.

use std::io::{self, Write};
use std::net::{SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::process::ExitCode;
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use labcli::{Args, EXIT_FAILURE, EXIT_USAGE, UsageError};

/// A program's name and usage text, for its messages.
pub struct Program {
    pub name: &'static str,
    pub usage: String,
}

impl Program {
    /// Parses `args`; `Err` is the exit for `--help` (usage on stdout, success) or a mistake.
    pub fn parse(
        &self,
        args: Vec<String>,
        options: &[&str],
        switches: &[&str],
    ) -> Result<Args, ExitCode> {
        labcli::parse(self.name, &self.usage, args, options, switches)
    }

    /// Prints the mistake and the usage text on stderr; exit code 2.
    pub fn usage_error(&self, error: impl std::fmt::Display) -> ExitCode {
        eprintln!("{}: {error}\n{}", self.name, self.usage);
        ExitCode::from(EXIT_USAGE)
    }

    /// Prints `name: message` on stderr; exit code 1.
    pub fn failure(&self, message: impl std::fmt::Display) -> ExitCode {
        eprintln!("{}: {message}", self.name);
        ExitCode::from(EXIT_FAILURE)
    }

    /// Fails with a usage error if any positional word is left.
    pub fn no_positional(&self, parsed: &Args) -> Result<(), ExitCode> {
        match parsed.positional.first() {
            Some(word) => Err(self.usage_error(format!("unexpected argument {word:?}"))),
            None => Ok(()),
        }
    }

    /// A mock server's whole command line, `[--host HOST] [--port PORT]`: parses `args`,
    /// listens on the address they give (`default_port` unless `--port`), then `serve`s.
    pub fn serve(
        &self,
        args: Vec<String>,
        default_port: u16,
        serve: impl FnOnce(TcpListener) -> ExitCode,
    ) -> ExitCode {
        let parsed = match self.parse(args, &["host", "port"], &[]) {
            Ok(parsed) => parsed,
            Err(exit) => return exit,
        };
        if let Err(exit) = self.no_positional(&parsed) {
            return exit;
        }
        let port = match parsed.port(default_port) {
            Ok(port) => port,
            Err(error) => return self.usage_error(error),
        };
        match self.listen(parsed.host(), port) {
            Ok(listener) => serve(listener),
            Err(exit) => exit,
        }
    }

    /// Binds `host:port` and prints `listening on ADDR` as the first line on stdout, as the
    /// lab programs do (`labcli::listen`, check-only runs included).
    pub fn listen(&self, host: &str, port: u16) -> Result<TcpListener, ExitCode> {
        labcli::listen(self.name, &format!("{host}:{port}"), "")
    }
}

/// Accepts clients forever, each on its own thread, where `converse` talks with it; all of
/// them share `shared` (a count, a maildrop). `name` labels the program's messages.
pub fn serve_each<S: Send + Sync + 'static>(
    name: &'static str,
    listener: TcpListener,
    shared: S,
    converse: fn(TcpStream, &S) -> io::Result<()>,
) -> ExitCode {
    let shared = Arc::new(shared);
    for stream in listener.incoming() {
        match stream {
            Ok(stream) => {
                let shared = Arc::clone(&shared);
                thread::spawn(move || {
                    let _ = converse(stream, &shared); // a client that vanished: nothing to do
                });
            }
            Err(error) => {
                eprintln!("{name}: accepting a connection failed: {error}");
                thread::sleep(Duration::from_millis(100)); // not a busy loop if it persists
            }
        }
    }
    ExitCode::SUCCESS
}

/// A `HOST:PORT` the program connects to, checked when the program starts.
pub fn target(text: &str) -> Result<(String, u16), UsageError> {
    let bad = || {
        UsageError(format!(
            "{text:?} is not HOST:PORT (for example 127.0.0.1:10000)"
        ))
    };
    let (host, port) = text.rsplit_once(':').ok_or_else(bad)?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    match port.parse() {
        Ok(port) if !host.is_empty() => Ok((host.to_string(), port)),
        _ => Err(bad()),
    }
}

/// The addresses `host` has, to try one after the other.
pub fn resolve(host: &str, port: u16) -> io::Result<Vec<SocketAddr>> {
    let addresses: Vec<SocketAddr> = (host, port).to_socket_addrs()?.collect();
    if addresses.is_empty() {
        return Err(io::Error::new(
            io::ErrorKind::NotFound,
            format!("{host} has no address"),
        ));
    }
    Ok(addresses)
}

/// Prints `line` and a line break on stdout. A closed stdout (the reader went away) must not
/// stop a server, so errors are ignored: these are notes for a person watching.
pub fn say(line: &str) {
    let mut stdout = io::stdout().lock();
    let _ = stdout.write_all(format!("{line}\n").as_bytes());
    let _ = stdout.flush();
}

/// `text` from a client, safe to print on a terminal: every control character but the tab
/// becomes U+FFFD, so that escape sequences (which could clear or retitle the instructor's
/// terminal) and stray line breaks are shown, not obeyed.
pub fn safe(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() && c != '\t' {
                '\u{fffd}'
            } else {
                c
            }
        })
        .collect()
}

/// Singular or plural: `count(1, "message")` is `1 message`, `count(2, "message")` is `2 messages`.
pub fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("{n} {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_are_host_and_port() {
        assert_eq!(target("localhost:2525"), Ok(("localhost".into(), 2525)));
        assert_eq!(target("[::1]:80"), Ok(("::1".into(), 80)));
        for bad in ["localhost", ":80", "localhost:http", "localhost:70000"] {
            assert!(target(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn counts_agree_with_their_noun() {
        assert_eq!(count(1, "message"), "1 message");
        assert_eq!(count(0, "message"), "0 messages");
    }
}
