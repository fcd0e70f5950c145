//! Reading HTTP on the wire, strictly enough to teach: every line must end with `\r\n`, the
//! headers end with an empty line, and a `Content-Length` must match the body.

use crate::show::visible;

/// A request as a client sends it: the `Host` header HTTP/1.1 requires, then
/// `Connection: close`. The tests read an answer until the server closes the connection; a
/// server that keeps connections open (HTTP/1.1's default, as step 9's does) closes it right
/// after answering a request that says so, rather than wait for another request.
pub fn request(method: &str, target: &str) -> Vec<u8> {
    format!(
        "{method} {target} HTTP/1.1\r\nHost: localhost\r\nUser-Agent: testkit\r\n\
         Connection: close\r\n\r\n"
    )
    .into_bytes()
}

/// A response split into its parts.
#[derive(Clone, Debug)]
pub struct Response {
    pub status_line: String,
    /// Header names as sent; use [`Response::header`] to look one up.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// Where the head of an HTTP message ends: the length of its status or request line and headers
/// with the empty line after them (`\r\n\r\n`), if they have all arrived.
pub fn head_length(message: &[u8]) -> Option<usize> {
    let blank_line = message.windows(4).position(|four| four == b"\r\n\r\n")?;
    Some(blank_line + 4)
}

/// A request split into its parts, as a server reads it.
#[derive(Clone, Debug)]
pub struct Request {
    pub request_line: String,
    /// Header names as sent; use [`Request::header`] to look one up.
    pub headers: Vec<(String, String)>,
}

impl Request {
    /// Parses `raw`, the head of a request up to its empty line, or says what is wrong with it.
    pub fn parse(raw: &[u8]) -> Result<Request, String> {
        if raw.is_empty() {
            return Err("the client sent nothing at all".into());
        }
        let (request_line, headers, end) = split_head(raw)?;
        if end + 4 != raw.len() {
            return Err(format!(
                "{} bytes follow the empty line that ends the request, and a GET has no body",
                raw.len() - end - 4
            ));
        }
        Ok(Request {
            request_line,
            headers,
        })
    }

    /// The values of every header called `name`, whatever the case of the names.
    pub fn headers_named(&self, name: &str) -> Vec<&str> {
        named(&self.headers, name)
    }

    /// The value of header `name`, whatever the case of its name.
    pub fn header(&self, name: &str) -> Option<&str> {
        named(&self.headers, name).first().copied()
    }
}

fn named<'h>(headers: &'h [(String, String)], name: &str) -> Vec<&'h str> {
    headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, value)| value.as_str())
        .collect()
}

/// Whether a `Connection` header's value has the `close` option (options are a comma-separated
/// list, in any case: `close`, `Close`, `keep-alive, close`).
pub fn says_close(connection: &str) -> bool {
    connection
        .split(',')
        .any(|option| option.trim().eq_ignore_ascii_case("close"))
}

/// Fails unless `response`, `what` the server sends (such as "the 404"), says
/// `Connection: close`. The server closes the connection after every answer; HTTP/1.1 keeps a
/// connection open unless told otherwise, so an answer with `keep-alive`, or with no
/// `Connection` header at all, tells the client to wait for more on a connection about to
/// close.
#[track_caller]
pub fn assert_says_close(response: &Response, what: &str, hint: &str) {
    let said = response.header("Connection");
    if !said.is_some_and(says_close) {
        let said = said.map_or("no Connection header".to_string(), |v| {
            format!("`Connection: {v}`")
        });
        panic!(
            "{what} has {said}, yet the server closes the connection after it.\nhint: say \
             `Connection: close`, as HTTP/1.1 asks of a server that closes ({hint})"
        );
    }
}

/// Header lines as `(name, value)`, names as sent.
type Headers = Vec<(String, String)>;

/// The start line, the headers, and where the head ends (before its `\r\n\r\n`).
fn split_head(raw: &[u8]) -> Result<(String, Headers, usize), String> {
    let Some(end) = head_length(raw).map(|length| length - 4) else {
        return Err(if raw.windows(2).any(|w| w == b"\n\n") {
            "the headers end with \\n\\n: every line ends with \\r\\n, so the empty line \
                 after the headers makes \\r\\n\\r\\n"
                .into()
        } else {
            "there is no empty line (\\r\\n\\r\\n) after the status line and headers".into()
        });
    };
    let head = std::str::from_utf8(&raw[..end])
        .map_err(|_| "the first line and the headers are not text".to_string())?;
    let mut lines = head.split("\r\n");
    let start_line = lines.next().unwrap_or_default().to_string();
    if let Some(line) = head.split("\r\n").find(|line| line.contains('\n')) {
        return Err(format!(
            "the line {line:?} contains a bare \\n: end every line with \\r\\n"
        ));
    }
    let mut headers = Vec::new();
    for line in lines {
        let (name, value) = line
            .split_once(':')
            .ok_or_else(|| format!("the header line {line:?} has no colon"))?;
        headers.push((name.to_string(), value.trim().to_string()));
    }
    Ok((start_line, headers, end))
}

impl Response {
    /// Parses `raw`, or says what is wrong with it.
    pub fn parse(raw: &[u8]) -> Result<Response, String> {
        if raw.is_empty() {
            return Err("the server sent nothing at all".into());
        }
        let (status_line, headers, end) = split_head(raw)?;
        let response = Response {
            status_line,
            headers,
            body: raw[end + 4..].to_vec(),
        };
        if let Some(length) = response.header("Content-Length") {
            let length: usize = length
                .parse()
                .map_err(|_| format!("Content-Length {length:?} is not a number"))?;
            if length != response.body.len() {
                return Err(format!(
                    "Content-Length says {length} bytes but the body has {}",
                    response.body.len()
                ));
            }
        }
        Ok(response)
    }

    /// Parses `head`, a response's status line and headers up to its blank line, without its
    /// body: the body of an answer on a kept connection is read by its length afterwards.
    pub fn parse_head(head: &[u8]) -> Result<Response, String> {
        let (status_line, headers, _) = split_head(head)?;
        Ok(Response {
            status_line,
            headers,
            body: Vec::new(),
        })
    }

    /// Parses `raw`, failing the test with the bytes made visible and `hint` if it is not a
    /// well-formed response.
    #[track_caller]
    pub fn expect(raw: &[u8], hint: &str) -> Response {
        Response::parse(raw).unwrap_or_else(|problem| {
            panic!(
                "this is not a well-formed HTTP response: {problem}.\nreceived:\n{}\nhint: {hint}",
                visible(raw)
            )
        })
    }

    /// The value of header `name`, whatever the case of its name (HTTP header names are
    /// case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        named(&self.headers, name).first().copied()
    }

    /// The media type of `Content-Type` without its parameters, in lower case: `text/plain`
    /// for `text/plain; charset=utf-8` (types and subtypes are case-insensitive).
    pub fn media_type(&self) -> Option<String> {
        let value = self.header("Content-Type")?;
        let media = value.split(';').next().unwrap_or_default();
        Some(media.trim().to_ascii_lowercase())
    }

    /// The status code, such as 200, or 0 if the status line has none.
    pub fn status(&self) -> u16 {
        let code = self.status_line.split(' ').nth(1).unwrap_or_default();
        code.parse().unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_response_is_split_into_its_parts() {
        let raw = b"HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\nContent-Length: 2\r\n\r\nhi";
        let response = Response::parse(raw).unwrap();
        assert_eq!(response.status_line, "HTTP/1.1 200 OK");
        assert_eq!(response.status(), 200);
        assert_eq!(response.header("Content-Type"), Some("text/plain"));
        assert_eq!(response.body, b"hi");
    }

    #[test]
    fn a_request_is_read_whatever_the_case_and_order_of_its_headers() {
        let raw = b"GET / HTTP/1.1\r\nconnection: Keep-Alive, Close\r\nHOST: a:80\r\n\r\n";
        let request = Request::parse(raw).unwrap();
        assert_eq!(request.request_line, "GET / HTTP/1.1");
        assert_eq!(request.headers_named("Host"), ["a:80"]);
        assert!(request.header("Connection").is_some_and(says_close));
        assert!(!says_close("keep-alive"));
        assert!(Request::parse(b"GET / HTTP/1.1\r\n\r\nbody").is_err());
    }

    #[test]
    fn the_test_request_asks_the_server_to_close_the_connection() {
        let raw = request("GET", "/a.txt");
        let request = Request::parse(&raw).unwrap();
        assert_eq!(request.request_line, "GET /a.txt HTTP/1.1");
        assert_eq!(request.headers_named("Host"), ["localhost"]);
        assert!(request.header("Connection").is_some_and(says_close));
    }

    #[test]
    fn a_media_type_is_compared_without_its_parameters() {
        let raw = b"HTTP/1.1 200 OK\r\nContent-Type: Text/Plain; charset=utf-8\r\n\r\n";
        assert_eq!(
            Response::parse(raw).unwrap().media_type().as_deref(),
            Some("text/plain")
        );
    }

    #[test]
    fn broken_responses_are_explained() {
        let problem = |raw: &[u8]| Response::parse(raw).unwrap_err();
        assert!(problem(b"").contains("nothing"));
        assert!(problem(b"HTTP/1.1 200 OK\n\nhi").contains("\\n\\n"));
        assert!(problem(b"HTTP/1.1 200 OK\nX: y\r\n\r\n").contains("bare \\n"));
        assert!(problem(b"HTTP/1.1 200 OK\r\nno colon\r\n\r\n").contains("no colon"));
        assert!(problem(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhi").contains("says 5"));
    }
}
