//! Reading HTTP on the wire, strictly enough to teach: every line must end with `\r\n`, the
//! headers end with an empty line, and a `Content-Length` must match the body.

use crate::show::visible;

/// A request as a browser would send it, with the `Host` header HTTP/1.1 requires.
pub fn request(method: &str, target: &str) -> Vec<u8> {
    format!("{method} {target} HTTP/1.1\r\nHost: localhost\r\nUser-Agent: testkit\r\n\r\n")
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

impl Response {
    /// Parses `raw`, or says what is wrong with it.
    pub fn parse(raw: &[u8]) -> Result<Response, String> {
        if raw.is_empty() {
            return Err("the server sent nothing at all".into());
        }
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
            .map_err(|_| "the status line and headers are not text".to_string())?;
        let mut lines = head.split("\r\n");
        let status_line = lines.next().unwrap_or_default().to_string();
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
        let found = self
            .headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name));
        found.map(|(_, value)| value.as_str())
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
    fn broken_responses_are_explained() {
        let problem = |raw: &[u8]| Response::parse(raw).unwrap_err();
        assert!(problem(b"").contains("nothing"));
        assert!(problem(b"HTTP/1.1 200 OK\n\nhi").contains("\\n\\n"));
        assert!(problem(b"HTTP/1.1 200 OK\nX: y\r\n\r\n").contains("bare \\n"));
        assert!(problem(b"HTTP/1.1 200 OK\r\nno colon\r\n\r\n").contains("no colon"));
        assert!(problem(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhi").contains("says 5"));
    }
}
