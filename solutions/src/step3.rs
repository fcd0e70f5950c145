//! Step 3: an HTTP client.
//!
//! Step 1's echo client sends a message and prints what comes back. Make the message an HTTP
//! request and the same few lines fetch a web page: HTTP is text on a TCP connection, lines
//! ending in CRLF, and a blank line to say the request is complete. Docs chapter: "Step 3: an
//! HTTP client".
//!
//! - `Url`, `UrlError`: what to fetch, and what can be wrong with a URL (given)
//! - `parse_url`: `http://host[:port][/path][?query]` split into a `Url`
//! - `request_for`: the bytes of the GET request for a `Url`
//! - `get`: connect, send the request, read the response until the server closes

use std::fmt;
use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::process::ExitCode;

/// The port of `http` when a URL names none.
pub const DEFAULT_PORT: u16 = 80;

/// What to fetch: the parts of `http://host[:port][/path][?query]` that a request needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Url {
    /// The server's name or IP address, as the URL writes it.
    pub host: String,
    /// The port to connect to: the one the URL names, or [`DEFAULT_PORT`].
    pub port: u16,
    /// What the request asks for: the path and the query, `/` when the URL has no path.
    pub target: String,
}

/// What is wrong with a URL: one variant per mistake, so a message can name it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UrlError {
    /// No `scheme://` at the start, as in `example.com/`.
    MissingScheme,
    /// A scheme other than `http`, such as `https` (which needs TLS) or `ftp`.
    UnsupportedScheme(String),
    /// Nothing between `http://` and the port or path, as in `http:///index.html`.
    EmptyHost,
    /// A port that is not a number from 1 to 65535.
    InvalidPort(String),
    /// A space or other whitespace, which would split the request line in the wrong places.
    Whitespace,
}

impl fmt::Display for UrlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UrlError::MissingScheme => write!(f, "it does not start with http://"),
            UrlError::UnsupportedScheme(scheme) => {
                write!(f, "{scheme}:// is not supported: use http://")
            }
            UrlError::EmptyHost => write!(f, "there is no host after http://"),
            UrlError::InvalidPort(port) => {
                write!(f, "{port:?} is not a port (a number from 1 to 65535)")
            }
            UrlError::Whitespace => write!(f, "it contains whitespace (write a space as %20)"),
        }
    }
}

impl std::error::Error for UrlError {}

/// Splits `http://host[:port][/path][?query]` into a [`Url`], or says what is wrong with it.
pub fn parse_url(text: &str) -> Result<Url, UrlError> {
    // lab:todo Step 3: take a URL apart, or name its mistake (docs "Step 3: an HTTP client" › "Taking a URL apart")
    if text.contains(char::is_whitespace) {
        return Err(UrlError::Whitespace);
    }
    let (scheme, rest) = match text.split_once("://") {
        Some((scheme, rest)) if !scheme.is_empty() => (scheme, rest),
        _ => return Err(UrlError::MissingScheme),
    };
    if !scheme.eq_ignore_ascii_case("http") {
        return Err(UrlError::UnsupportedScheme(scheme.to_string()));
    }
    // A fragment (`#section`) is for the browser, which scrolls to it: it is never sent.
    let rest = rest.split_once('#').map_or(rest, |(before, _)| before);
    let (authority, target) = rest.split_at(rest.find(['/', '?']).unwrap_or(rest.len()));
    let (host, port) = match authority.split_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (authority, None),
    };
    if host.is_empty() {
        return Err(UrlError::EmptyHost);
    }
    let port = match port {
        None => DEFAULT_PORT,
        Some(port) => match port.parse() {
            Ok(number @ 1..) => number,
            _ => return Err(UrlError::InvalidPort(port.to_string())),
        },
    };
    let target = match target {
        "" => "/".to_string(),
        query if query.starts_with('?') => format!("/{query}"),
        path => path.to_string(),
    };
    Ok(Url {
        host: host.to_string(),
        port,
        target,
    })
    // lab:end
}

/// The bytes of the request for `url`: a GET request line, a `Host` header that names the
/// port unless it is the default, and `Connection: close`, each line ending in CRLF, then
/// the blank line that ends the request.
pub fn request_for(url: &Url) -> Vec<u8> {
    // lab:todo Step 3: the bytes of the GET request for `url` (docs "Step 3: an HTTP client" › "On the wire")
    // One server may answer for many names, so HTTP/1.1 requires the Host header: it says
    // which name the client asked for, as the URL wrote it (the default port goes unsaid).
    let host = match url.port {
        DEFAULT_PORT => url.host.clone(),
        port => format!("{}:{port}", url.host),
    };
    format!(
        "GET {} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n",
        url.target
    )
    .into_bytes()
    // lab:end
}

/// Fetches `url`: connects to its host and port, sends the request, and returns the raw
/// response, everything the server sends until it closes the connection.
pub fn get(url: &Url) -> io::Result<Vec<u8>> {
    // lab:todo Step 3: fetch `url`, return the raw response (docs "Step 3: an HTTP client" › "What you write")
    let mut stream = TcpStream::connect((url.host.as_str(), url.port))?;
    stream.write_all(&request_for(url))?;
    // Unlike the echo client, no shutdown: the blank line tells the server the request is
    // complete, and `Connection: close` asks it to close once the response is sent. That
    // close is how we know we have the whole response.
    let mut response = Vec::new();
    stream.read_to_end(&mut response)?;
    Ok(response)
    // lab:end
}

// lab:starter
//| /// Step 1's echo client: your starting point for `get`, which sends a different message to a
//| /// different place. Delete it once `get` works.
//| pub fn echo_client(address: &str, message: &[u8]) -> io::Result<Vec<u8>> {
//|     let mut stream = TcpStream::connect(address)?;
//|     stream.write_all(message)?;
//|     stream.shutdown(std::net::Shutdown::Write)?;
//|     let mut echoed = Vec::new();
//|     stream.read_to_end(&mut echoed)?;
//|     Ok(echoed)
//| }
//|
// lab:solution
// lab:end
/// The program: `step3 URL` prints the raw response to a GET for URL.
pub fn run(program: &str, args: Vec<String>) -> ExitCode {
    labcli::http_client_program(program, args, parse_url, get)
}
