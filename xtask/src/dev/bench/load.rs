//! The project's own load generator, for machines without wrk: a few threads, each sending one
//! request after another for a fixed time, and the latency of every answer. It is bounded in
//! time, in requests and in every socket operation, and it talks to loopback only (the caller
//! passes a `127.0.0.1` address). Slower than wrk (a thread per connection, blocking sockets),
//! so its figures compare servers with each other, not with wrk's.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::thread;
use std::time::{Duration, Instant};

use super::Measurement;

/// The most requests one run sends, whatever its duration.
const MAX_REQUESTS: usize = 2_000_000;
/// Every connect, read and write gives up after this.
const SOCKET_TIMEOUT: Duration = Duration::from_secs(2);

/// What to send, and how.
#[derive(Clone, Debug)]
pub struct Load {
    pub addr: SocketAddr,
    pub path: String,
    pub connections: usize,
    pub duration: Duration,
    /// Keep each connection for many requests (HTTP/1.1 keep-alive), or one request each.
    pub keep_alive: bool,
}

/// Runs `load` and measures it.
pub fn run(load: &Load) -> Measurement {
    let started = Instant::now();
    let per_thread = MAX_REQUESTS / load.connections.max(1);
    let threads: Vec<_> = (0..load.connections.max(1))
        .map(|_| {
            let load = load.clone();
            thread::spawn(move || one_connection(&load, started, per_thread))
        })
        .collect();
    let mut latencies = Vec::new();
    let mut errors = 0;
    for thread in threads {
        let (mut times, failed) = thread.join().unwrap_or_default();
        latencies.append(&mut times);
        errors += failed;
    }
    Measurement::from_latencies(latencies, errors, started.elapsed())
}

/// One client of the load: requests until the time is up; returns each answer's latency and
/// the number of failed requests.
fn one_connection(load: &Load, started: Instant, most: usize) -> (Vec<Duration>, u64) {
    let request = format!(
        "GET {} HTTP/1.1\r\nHost: {}\r\n{}\r\n",
        load.path,
        load.addr,
        if load.keep_alive {
            ""
        } else {
            "Connection: close\r\n"
        }
    );
    let mut latencies = Vec::new();
    let mut errors = 0;
    let mut kept: Option<TcpStream> = None;
    while started.elapsed() < load.duration && latencies.len() < most {
        let sent = Instant::now();
        let outcome = match kept.take() {
            Some(stream) => ask(stream, request.as_bytes(), load.keep_alive),
            None => connect(load.addr).and_then(|s| ask(s, request.as_bytes(), load.keep_alive)),
        };
        match outcome {
            Ok(stream) => {
                latencies.push(sent.elapsed());
                kept = stream;
            }
            Err(_) => errors += 1,
        }
    }
    (latencies, errors)
}

fn connect(addr: SocketAddr) -> io::Result<TcpStream> {
    let stream = TcpStream::connect_timeout(&addr, SOCKET_TIMEOUT)?;
    stream.set_read_timeout(Some(SOCKET_TIMEOUT))?;
    stream.set_write_timeout(Some(SOCKET_TIMEOUT))?;
    Ok(stream)
}

/// Sends `request` and reads a whole `200` answer. Returns the connection if it can carry
/// another request (keep-alive, and the server did not say it closes).
fn ask(mut stream: TcpStream, request: &[u8], keep_alive: bool) -> io::Result<Option<TcpStream>> {
    stream.write_all(request)?;
    let (head, mut body_read) = read_head(&mut stream)?;
    let text = String::from_utf8_lossy(&head).to_ascii_lowercase();
    if !text.starts_with("http/1.1 200") && !text.starts_with("http/1.0 200") {
        return Err(io::Error::other("not a 200"));
    }
    let length = text
        .lines()
        .find_map(|line| line.strip_prefix("content-length:"))
        .and_then(|value| value.trim().parse::<usize>().ok());
    let closes = text.contains("connection: close") || text.starts_with("http/1.0");
    let mut buffer = [0; 16 * 1024];
    match length {
        Some(length) => {
            while body_read < length {
                let n = stream.read(&mut buffer)?;
                if n == 0 {
                    return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "a short body"));
                }
                body_read += n;
            }
        }
        // No length: the body runs until the server closes.
        None => while stream.read(&mut buffer)? > 0 {},
    }
    Ok((keep_alive && !closes && length.is_some()).then_some(stream))
}

/// Reads up to the blank line after the headers; returns the head and how many bytes of the
/// body came with it.
fn read_head(stream: &mut TcpStream) -> io::Result<(Vec<u8>, usize)> {
    let mut received = Vec::new();
    let mut buffer = [0; 16 * 1024];
    loop {
        let n = stream.read(&mut buffer)?;
        if n == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "no whole head",
            ));
        }
        received.extend_from_slice(&buffer[..n]);
        if let Some(end) = received.windows(4).position(|four| four == b"\r\n\r\n") {
            let body = received.len() - (end + 4);
            received.truncate(end);
            return Ok((received, body));
        }
        if received.len() > 64 * 1024 {
            return Err(io::Error::other("a head over 64 KiB"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;
    use testkit::{Server, Target};

    /// A server for the load: answers every request with a small page, and keeps the
    /// connection when the client asks it to.
    fn page_server(listener: TcpListener) -> io::Result<()> {
        for stream in listener.incoming() {
            thread::spawn(move || {
                let mut stream = stream?;
                stream.set_read_timeout(Some(SOCKET_TIMEOUT))?;
                loop {
                    let (head, _) = read_head(&mut stream)?;
                    let closes = String::from_utf8_lossy(&head).contains("Connection: close");
                    let connection = if closes { "close" } else { "keep-alive" };
                    let answer = format!(
                        "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: {connection}\r\n\r\nhello"
                    );
                    stream.write_all(answer.as_bytes())?;
                    if closes {
                        return Ok::<_, io::Error>(());
                    }
                }
            });
        }
        Ok(())
    }

    fn load(server: &Server, keep_alive: bool) -> Load {
        Load {
            addr: server.addr(),
            path: "/".into(),
            connections: 2,
            duration: Duration::from_millis(200),
            keep_alive,
        }
    }

    #[test]
    fn the_load_counts_answers_and_stops_on_time() {
        let server = Server::start(page_server);
        for keep_alive in [false, true] {
            let started = Instant::now();
            let measured = run(&load(&server, keep_alive));
            assert!(started.elapsed() < Duration::from_secs(2));
            assert!(measured.requests > 10, "{measured:?}");
            assert_eq!(measured.errors, 0, "{measured:?}");
            assert!(measured.p50 <= measured.p99, "{measured:?}");
        }
    }

    #[test]
    fn answers_that_are_not_200_count_as_errors() {
        let server = Server::start(|listener: TcpListener| {
            for stream in listener.incoming() {
                let mut stream = stream?;
                let _ = read_head(&mut stream);
                let _ = stream.write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
            }
            Ok(())
        });
        let measured = run(&load(&server, false));
        assert_eq!(measured.requests, 0);
        assert!(measured.errors > 0);
    }
}
