//! `ureq-get URL`: one GET with the `ureq` crate, then what came back: the status line, the
//! headers (as ureq hands them over: names in lowercase) and the size of the body.

use std::process::ExitCode;

use library_examples::{Program, TIMEOUT, hint};
use ureq::http::{Response, Uri};
use ureq::{Agent, Body};

fn main() -> ExitCode {
    let program = Program {
        name: "ureq-get",
        usage: "usage: ureq-get URL\n\
                Fetches URL (http:// only: this build of ureq has no TLS) with the ureq crate\n\
                and prints the status, the headers and the size of the body:\n\
                \x20 ureq-get http://127.0.0.1:10000/sample.txt"
            .into(),
    };
    let parsed = match program.parse(std::env::args().skip(1).collect(), &[], &[]) {
        Ok(parsed) => parsed,
        Err(exit) => return exit,
    };
    let [url] = parsed.positional.as_slice() else {
        return program.usage_error("give one URL, such as http://127.0.0.1:10000/");
    };
    if let Err(problem) = check_url(url) {
        return program.usage_error(format!("{url:?}: {problem}"));
    }
    if let Some(exit) = labcli::would(format_args!("fetch {url}")) {
        return exit;
    }
    let agent: Agent = Agent::config_builder()
        .timeout_global(Some(TIMEOUT))
        // A 404 is an answer to show, not a failure of the program.
        .http_status_as_error(false)
        .build()
        .into();
    match agent.get(url).call() {
        Ok(response) => show(response),
        Err(error) => {
            let error = error.to_string();
            program.failure(format!("cannot fetch {url}: {error}{}", hint(&error)))
        }
    }
}

/// A URL this program can fetch: `http://HOST[:PORT]/...`.
fn check_url(url: &str) -> Result<(), &'static str> {
    let uri: Uri = url.parse().map_err(|_| "not a URL")?;
    match (uri.scheme_str(), uri.host()) {
        (Some("http"), Some(_)) => Ok(()),
        (Some("https"), _) => Err("https needs TLS, which this build leaves out: use http://"),
        _ => Err("give an http:// URL with a host"),
    }
}

fn show(mut response: Response<Body>) -> ExitCode {
    let status = response.status();
    println!(
        "{:?} {} {}",
        response.version(),
        status.as_u16(),
        status.canonical_reason().unwrap_or("")
    );
    for (name, value) in response.headers() {
        println!("{name}: {}", String::from_utf8_lossy(value.as_bytes()));
    }
    match response.body_mut().read_to_vec() {
        Ok(body) => {
            println!("body: {} bytes", body.len());
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("ureq-get: the body could not be read: {error}");
            ExitCode::from(labcli::EXIT_FAILURE)
        }
    }
}
