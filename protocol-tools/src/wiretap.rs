//! `wiretap --listen PORT --to HOST:PORT`: a TCP forwarder that shows what passes through it.
//!
//! Point a browser, `curl` or `nc` at the tap instead of the server: every connection is
//! forwarded to the target unchanged, in both directions, and printed live in the lesson's
//! notation (see [`crate::notation`]). Each connection gets a number, `#1`, `#2`, ..., because
//! browsers open several at once.
//!
//! Each connection has two threads, one per direction. When one side shuts down its writing
//! (its read here returns 0), the tap shuts down writing towards the other side: a client that
//! half-closes, as the echo client does, still gets its answer. The connection is over when both
//! directions are.

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::process::ExitCode;
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread;
use std::time::Duration;

use crate::cli::{self, Program};
use crate::notation::{Side, Transcript};
use crate::send;

/// How long a side may pause before its unfinished line is shown anyway ("live").
const PAUSE: Duration = Duration::from_millis(200);

pub fn program(args: Vec<String>) -> ExitCode {
    let program = Program {
        name: "wiretap",
        usage: "usage: wiretap --listen PORT --to HOST:PORT [--host HOST]\n\
                Listens on HOST:PORT (HOST defaults to 127.0.0.1; PORT 0 picks a free port),\n\
                forwards every connection to the target, and prints both directions live:\n\
                C (-->) what the client sends, S (<--) what the server answers, each line end\n\
                shown as <CRLF> or <LF>, binary data as its size."
            .into(),
    };
    let parsed = match program.parse(args, &["listen", "to", "host"], &[]) {
        Ok(parsed) => parsed,
        Err(exit) => return exit,
    };
    if let Err(exit) = program.no_positional(&parsed) {
        return exit;
    }
    let port = match parsed.port_option("listen") {
        Ok(Some(port)) => port,
        Ok(None) => return program.usage_error("say which port to listen on: --listen PORT"),
        Err(error) => return program.usage_error(error),
    };
    let Some(to) = parsed.option("to") else {
        return program.usage_error("say where to forward to: --to HOST:PORT");
    };
    let target = match cli::target(to) {
        Ok((host, port)) => match cli::resolve(&host, port) {
            Ok(addresses) => addresses,
            Err(error) => return program.failure(format!("cannot find {host}: {error}")),
        },
        Err(error) => return program.usage_error(error),
    };
    let listener = match program.listen(parsed.host(), port) {
        Ok(listener) => listener,
        Err(exit) => return exit,
    };
    cli::say(&format!("forwarding to {to}"));
    serve(listener, to, &target)
}

/// Accepts connections forever; each is forwarded to `target` on threads of its own.
pub fn serve(listener: TcpListener, name: &str, target: &[SocketAddr]) -> ExitCode {
    let target: Arc<[SocketAddr]> = target.into();
    let mut number = 0;
    for client in listener.incoming() {
        match client {
            Ok(client) => {
                number += 1;
                let (name, target) = (name.to_string(), Arc::clone(&target));
                thread::spawn(move || forward(number, client, &name, &target));
            }
            Err(error) => {
                eprintln!("wiretap: accepting a connection failed: {error}");
                thread::sleep(Duration::from_millis(100)); // not a busy loop if it persists
            }
        }
    }
    ExitCode::SUCCESS
}

type Shared = Arc<Mutex<Transcript<Stdout>>>;

fn forward(number: usize, client: TcpStream, name: &str, target: &[SocketAddr]) {
    let transcript: Shared = Arc::new(Mutex::new(Transcript::new(Stdout, &format!("#{number} "))));
    let from = client
        .peer_addr()
        .map_or("an unknown address".into(), |a| a.to_string());
    let server = match send::connect(target) {
        Ok(server) => server,
        Err(error) => {
            let note = format!(
                "connection from {from}; cannot connect to {name}: {error}; \
                 closing the client's connection"
            );
            lock(&transcript).note(None, &note);
            let _ = client.shutdown(Shutdown::Both);
            return;
        }
    };
    let to = server
        .peer_addr()
        .map_or(name.to_string(), |a| a.to_string());
    lock(&transcript).note(None, &format!("connection from {from}, forwarded to {to}"));
    // Forward small writes at once: the tap must not change the timing a class watches.
    let _ = client.set_nodelay(true);
    let _ = server.set_nodelay(true);
    let (Ok(client_writer), Ok(server_writer)) = (client.try_clone(), server.try_clone()) else {
        lock(&transcript).note(
            None,
            "cannot set up the forwarding; closing both connections",
        );
        return;
    };
    let upstream = {
        let transcript = Arc::clone(&transcript);
        thread::spawn(move || pump(Side::Client, client, server_writer, &transcript))
    };
    let down = pump(Side::Server, server, client_writer, &transcript);
    let up = upstream.join().unwrap_or(0);
    let note = format!("connection closed: {up} bytes from the client, {down} from the server");
    lock(&transcript).note(None, &note);
}

/// Copies what `side` sends from `from` to `to` until `side` finishes, recording it first (so a
/// request is always printed before the reply it causes). Returns the number of bytes copied.
fn pump(side: Side, mut from: TcpStream, mut to: TcpStream, transcript: &Shared) -> u64 {
    let who = match side {
        Side::Client => "client",
        Side::Server => "server",
    };
    let _ = from.set_read_timeout(Some(PAUSE));
    let mut buffer = [0; 16 * 1024];
    let mut copied = 0;
    loop {
        match from.read(&mut buffer) {
            Ok(0) => {
                let note = format!("end of stream: the {who} has finished sending");
                lock(transcript).note(Some(side), &note);
                let _ = to.shutdown(Shutdown::Write);
                return copied;
            }
            Ok(n) => {
                lock(transcript).record(side, &buffer[..n]);
                if let Err(error) = to.write_all(&buffer[..n]) {
                    let note = format!("cannot forward what the {who} sent: {error}");
                    lock(transcript).note(Some(side), &note);
                    abort(&from, &to);
                    return copied;
                }
                copied += n as u64;
            }
            Err(error)
                if matches!(
                    error.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                lock(transcript).flush(side);
            }
            Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
            Err(error) => {
                lock(transcript).note(Some(side), &format!("error: {error}"));
                abort(&from, &to);
                return copied;
            }
        }
    }
}

/// Ends both connections at once, so that the other direction's thread stops too.
fn abort(from: &TcpStream, to: &TcpStream) {
    let _ = from.shutdown(Shutdown::Both);
    let _ = to.shutdown(Shutdown::Both);
}

fn lock(transcript: &Shared) -> MutexGuard<'_, Transcript<Stdout>> {
    transcript.lock().unwrap_or_else(|e| e.into_inner())
}

/// The process's stdout, locked for each whole line so that connections never mix within one.
struct Stdout;

impl Write for Stdout {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        io::stdout().lock().write(bytes)
    }

    fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        io::stdout().lock().write_all(bytes)
    }

    fn flush(&mut self) -> io::Result<()> {
        io::stdout().lock().flush()
    }
}
