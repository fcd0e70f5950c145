//! One function per kind of lab program. Each parses its arguments, sets up the socket and
//! calls the lab's own functions, so that only the lesson's code differs from lab to lab.

use std::fmt::Display;
use std::io::{self, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::{Args, EXIT_FAILURE, EXIT_USAGE, UsageError, fail, would};

/// The lesson's ports: 50000 for the socket labs, 10000 for the web servers.
const SOCKET_LAB_PORT: u16 = 50000;
const WEB_SERVER_PORT: u16 = 10000;

type Serve = fn(TcpListener) -> io::Result<()>;

/// `step1 server [--host H] [--port P]` and `step1 client [--host H] [--port P] MESSAGE...`.
pub fn echo_program(
    program: &str,
    args: Vec<String>,
    serve: Serve,
    echo_client: fn(&str, &[u8]) -> io::Result<Vec<u8>>,
) -> ExitCode {
    let usage = format!(
        "usage: {program} server [--host HOST] [--port PORT]\n       \
         {program} client [--host HOST] [--port PORT] MESSAGE...\n\
         Runs the echo server, or sends MESSAGE to it and prints what comes back.\n\
         HOST defaults to 127.0.0.1, PORT to {SOCKET_LAB_PORT}."
    );
    let parsed = match parse(program, &usage, args, &["host", "port"], &[]) {
        Ok(parsed) => parsed,
        Err(exit) => return exit,
    };
    let port = match parsed.port(SOCKET_LAB_PORT) {
        Ok(port) => port,
        Err(error) => return usage_error(program, &usage, error),
    };
    let address = format!("{}:{port}", parsed.host());
    match parsed.positional.split_first() {
        Some((mode, rest)) if mode == "server" && rest.is_empty() => {
            listen_and_serve(program, &address, "", serve)
        }
        Some((mode, message)) if mode == "client" && !message.is_empty() => {
            let message = message.join(" ");
            if let Some(exit) = would(format_args!("connect to {address}")) {
                return exit;
            }
            match echo_client(&address, message.as_bytes()) {
                Ok(echo) => print_bytes(program, &[&echo, b"\n"]),
                Err(error) => connect_failure(program, &address, error, "server"),
            }
        }
        Some((mode, _)) if mode == "client" => usage_error(
            program,
            &usage,
            UsageError("client needs a MESSAGE to send".into()),
        ),
        _ => usage_error(
            program,
            &usage,
            UsageError("say `server` or `client`".into()),
        ),
    }
}

/// `step2 [--host H] [--port P] [--whoami]`: the time server, or the bonus "what is my IP".
pub fn time_program(program: &str, args: Vec<String>, serve: Serve, whoami: Serve) -> ExitCode {
    let usage = format!(
        "usage: {program} [--host HOST] [--port PORT] [--whoami]\n\
         Tells every client the time (with --whoami: its own address), then closes.\n\
         HOST defaults to 127.0.0.1, PORT to {SOCKET_LAB_PORT}."
    );
    let parsed = match parse(program, &usage, args, &["host", "port"], &["whoami"]) {
        Ok(parsed) => parsed,
        Err(exit) => return exit,
    };
    let serve = if parsed.switch("whoami") {
        whoami
    } else {
        serve
    };
    serve_at(program, &usage, &parsed, SOCKET_LAB_PORT, "", |listener| {
        serve(listener)
    })
}

/// `step3 URL`: fetches URL with the lab's HTTP client and prints the raw response.
pub fn http_client_program<Url, UrlError: Display>(
    program: &str,
    args: Vec<String>,
    parse_url: fn(&str) -> Result<Url, UrlError>,
    get: fn(&Url) -> io::Result<Vec<u8>>,
) -> ExitCode {
    let usage = format!(
        "usage: {program} URL\n\
         Sends GET for URL (http://host[:port][/path][?query]) and prints the raw response."
    );
    let parsed = match parse(program, &usage, args, &[], &[]) {
        Ok(parsed) => parsed,
        Err(exit) => return exit,
    };
    let [text] = parsed.positional.as_slice() else {
        return usage_error(program, &usage, UsageError("give exactly one URL".into()));
    };
    let url = match parse_url(text) {
        Ok(url) => url,
        Err(error) => {
            return fail(
                program,
                format!("invalid URL {text:?}: {error}"),
                EXIT_USAGE,
            );
        }
    };
    if let Some(exit) = would(format_args!("fetch {text}")) {
        return exit;
    }
    match get(&url) {
        Ok(response) => print_bytes(program, &[&response]),
        Err(error) => connect_failure(program, text, error, "web server"),
    }
}

/// `stepN [--host H] [--port P]`: the web servers of steps 4 to 6.
pub fn http_server_program(program: &str, args: Vec<String>, serve: Serve) -> ExitCode {
    let usage = format!(
        "usage: {program} [--host HOST] [--port PORT]\n\
         Runs the web server. HOST defaults to 127.0.0.1, PORT to {WEB_SERVER_PORT}\n\
         (0 picks a free port; the first line printed says which)."
    );
    let parsed = match parse(program, &usage, args, &["host", "port"], &[]) {
        Ok(parsed) => parsed,
        Err(exit) => return exit,
    };
    serve_at(program, &usage, &parsed, WEB_SERVER_PORT, "http://", serve)
}

/// `step7 [--host H] [--port P] [--webroot DIR]`: the file server, serving `webroot/` by default.
pub fn webroot_server_program(
    program: &str,
    args: Vec<String>,
    serve: fn(TcpListener, &Path) -> io::Result<()>,
) -> ExitCode {
    let usage = format!(
        "usage: {program} [--host HOST] [--port PORT] [--webroot DIR]\n\
         Serves the files under DIR (default: the workbook's webroot/). HOST defaults to\n\
         127.0.0.1, PORT to {WEB_SERVER_PORT} (0 picks a free port; the first line printed says which)."
    );
    let parsed = match parse(program, &usage, args, &["host", "port", "webroot"], &[]) {
        Ok(parsed) => parsed,
        Err(exit) => return exit,
    };
    let webroot = match webroot_option(program, &usage, &parsed) {
        Ok(webroot) => webroot,
        Err(exit) => return exit,
    };
    serve_at(
        program,
        &usage,
        &parsed,
        WEB_SERVER_PORT,
        "http://",
        |listener| serve(listener, &webroot),
    )
}

/// `step8 [--host H] [--port P] [--webroot DIR] [--workers N]`: the file server on a pool of N
/// workers (`default_workers` without the option). `serve` returns once the program's shutdown
/// (Ctrl-C) has finished; the program then says so and ends with success.
pub fn pool_server_program(
    program: &str,
    args: Vec<String>,
    default_workers: usize,
    serve: impl FnOnce(TcpListener, &Path, usize) -> io::Result<()>,
) -> ExitCode {
    let serve =
        |listener, webroot: &Path, _: Option<&Path>, workers| serve(listener, webroot, workers);
    pool_program(program, args, default_workers, false, serve)
}

/// `step9 [--host H] [--port P] [--webroot DIR] [--workers N] [--uploads DIR]`: the pool's file
/// server, which also stores uploads in DIR when it is given (`None` without the option).
pub fn upload_server_program(
    program: &str,
    args: Vec<String>,
    default_workers: usize,
    serve: impl FnOnce(TcpListener, &Path, Option<&Path>, usize) -> io::Result<()>,
) -> ExitCode {
    pool_program(program, args, default_workers, true, serve)
}

/// The program of steps 8 and 9; `uploads` says whether it takes `--uploads DIR`.
fn pool_program(
    program: &str,
    args: Vec<String>,
    default_workers: usize,
    uploads: bool,
    serve: impl FnOnce(TcpListener, &Path, Option<&Path>, usize) -> io::Result<()>,
) -> ExitCode {
    let (upload_usage, upload_text) = if uploads {
        let text = "With --uploads, POST /uploads/NAME stores a file in the folder UPLOADS.\n";
        (" [--uploads UPLOADS]", text)
    } else {
        ("", "")
    };
    let usage = format!(
        "usage: {program} [--host HOST] [--port PORT] [--webroot DIR] [--workers N]{upload_usage}\n\
         Serves the files under DIR (default: the workbook's webroot/) with N worker threads\n\
         (default {default_workers}), until Ctrl-C. {upload_text}HOST defaults to 127.0.0.1, PORT to {WEB_SERVER_PORT}\n\
         (0 picks a free port; the first line printed says which)."
    );
    let options: &[&str] = if uploads {
        &["host", "port", "webroot", "workers", "uploads"]
    } else {
        &["host", "port", "webroot", "workers"]
    };
    let parsed = match parse(program, &usage, args, options, &[]) {
        Ok(parsed) => parsed,
        Err(exit) => return exit,
    };
    let webroot = match webroot_option(program, &usage, &parsed) {
        Ok(webroot) => webroot,
        Err(exit) => return exit,
    };
    let uploads = match parsed.option("uploads").map(|dir| folder(Path::new(dir))) {
        None => None,
        Some(Some(dir)) => Some(dir),
        Some(None) => {
            let message = format!(
                "--uploads {}: not a directory",
                parsed.option("uploads").unwrap_or_default()
            );
            return usage_error(program, &usage, UsageError(message));
        }
    };
    let workers = match parsed.option("workers").map(str::parse::<usize>) {
        None => default_workers,
        Some(Ok(workers)) if workers > 0 => workers,
        Some(_) => {
            let message = "--workers takes a whole number of at least 1".to_string();
            return usage_error(program, &usage, UsageError(message));
        }
    };
    serve_at(
        program,
        &usage,
        &parsed,
        WEB_SERVER_PORT,
        "http://",
        |listener| {
            serve(listener, &webroot, uploads.as_deref(), workers)?;
            // Written, not `println!`: the reader may have gone.
            let mut stdout = io::stdout().lock();
            let _ = writeln!(stdout, "stopped: every answer under way was sent")
                .and_then(|()| stdout.flush());
            Ok(())
        },
    )
}

/// `dir` as a real path, if it is a folder.
fn folder(dir: &Path) -> Option<PathBuf> {
    dir.canonicalize().ok().filter(|dir| dir.is_dir())
}

/// The folder of `--webroot`, or the workbook's `webroot/`; `Err` is the exit of a usage error.
fn webroot_option(program: &str, usage: &str, parsed: &Args) -> Result<PathBuf, ExitCode> {
    let webroot = match parsed.option("webroot") {
        Some(dir) => PathBuf::from(dir),
        None => workspace_webroot(),
    };
    match folder(&webroot) {
        Some(dir) => Ok(dir),
        None => {
            let message = format!("--webroot {}: not a directory", webroot.display());
            Err(usage_error(program, usage, UsageError(message)))
        }
    }
}

/// The workbook's sample site, found from this crate's own location, whatever the current
/// directory is.
pub fn workspace_webroot() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("webroot")
}

/// Parses `args`, or returns the exit of `--help` (usage on stdout, success) or of a mistake
/// (the mistake and the usage on stderr, code 2).
pub fn parse(
    program: &str,
    usage: &str,
    args: Vec<String>,
    options: &[&str],
    switches: &[&str],
) -> Result<Args, ExitCode> {
    match Args::parse(args, options, switches) {
        Ok(parsed) if parsed.help => {
            println!("{usage}");
            Err(ExitCode::SUCCESS)
        }
        Ok(parsed) => Ok(parsed),
        Err(error) => Err(usage_error(program, usage, error)),
    }
}

fn usage_error(program: &str, usage: &str, error: UsageError) -> ExitCode {
    fail(program, format!("{error}\n{usage}"), EXIT_USAGE)
}

/// Binds `--host`/`--port`, then serves; `scheme` prefixes the address printed when ready.
fn serve_at(
    program: &str,
    usage: &str,
    parsed: &Args,
    default_port: u16,
    scheme: &str,
    serve: impl FnOnce(TcpListener) -> io::Result<()>,
) -> ExitCode {
    match parsed.port(default_port) {
        Ok(port) if parsed.positional.is_empty() => {
            let address = format!("{}:{port}", parsed.host());
            listen_and_serve(program, &address, scheme, serve)
        }
        Ok(_) => {
            let unexpected = UsageError(format!("unexpected argument {:?}", parsed.positional[0]));
            usage_error(program, usage, unexpected)
        }
        Err(error) => usage_error(program, usage, error),
    }
}

/// Binds `address` and prints `listening on ...` before serving: tests and scripts start the
/// program with `--port 0` and read that first line to learn the port.
fn listen_and_serve(
    program: &str,
    address: &str,
    scheme: &str,
    serve: impl FnOnce(TcpListener) -> io::Result<()>,
) -> ExitCode {
    let listener = match listen(program, address, scheme) {
        Ok(listener) => listener,
        Err(exit) => return exit,
    };
    match serve(listener) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => fail(program, format!("server stopped: {error}"), EXIT_FAILURE),
    }
}

/// Binds `address` and prints `listening on {scheme}ADDR` (with a final `/` after a scheme) as
/// the program's first line. `Err` is the exit: a port in use or another failure to bind
/// (code 1, with a hint), or the end of a check-only run (`would listen on ...`, code 0).
pub fn listen(program: &str, address: &str, scheme: &str) -> Result<TcpListener, ExitCode> {
    let slash = if scheme.is_empty() { "" } else { "/" };
    if let Some(exit) = would(format_args!("listen on {scheme}{address}{slash}")) {
        return Err(exit);
    }
    let listener = match TcpListener::bind(address) {
        Ok(listener) => listener,
        Err(error) if error.kind() == io::ErrorKind::AddrInUse => {
            let hint = "another program is using that port: stop it, or choose another port";
            return Err(fail(
                program,
                format!("cannot listen on {address}: {error}\n{hint}"),
                EXIT_FAILURE,
            ));
        }
        Err(error) => {
            let message = format!("cannot listen on {address}: {error}");
            return Err(fail(program, message, EXIT_FAILURE));
        }
    };
    let bound = listener
        .local_addr()
        .map_or(address.to_string(), |a| a.to_string());
    // Written, not `println!`: a closed stdout (the reader went away) must not stop a server.
    let mut stdout = io::stdout().lock();
    let _ = writeln!(stdout, "listening on {scheme}{bound}{slash}").and_then(|()| stdout.flush());
    Ok(listener)
}

fn connect_failure(program: &str, target: &str, error: io::Error, peer: &str) -> ExitCode {
    let hint = if is_refused(&error) {
        format!("\nis the {peer} running, on that port?")
    } else {
        String::new()
    };
    fail(
        program,
        format!("cannot talk to {target}: {error}{hint}"),
        EXIT_FAILURE,
    )
}

/// Whether `error` says the connection was refused: by its kind, or in its words when the
/// student's code wrapped it in an error of its own (`io::Error::other(format!(...))`), which
/// keeps the system's message ("Connection refused", "actively refused it") but not the kind.
fn is_refused(error: &io::Error) -> bool {
    error.kind() == io::ErrorKind::ConnectionRefused
        || error.to_string().to_ascii_lowercase().contains("refused")
}

fn print_bytes(program: &str, parts: &[&[u8]]) -> ExitCode {
    let mut stdout = io::stdout().lock();
    let written = parts.iter().try_for_each(|part| stdout.write_all(part));
    match written.and_then(|()| stdout.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => fail(
            program,
            format!("cannot write to stdout: {error}"),
            EXIT_FAILURE,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_connection_is_known_by_its_kind_or_by_its_words() {
        let refused = io::Error::from(io::ErrorKind::ConnectionRefused);
        assert!(is_refused(&refused));
        // A student's client that wraps the error, as the example does.
        let wrapped = io::Error::other(format!("could not connect to 127.0.0.1:1: {refused}"));
        assert!(is_refused(&wrapped));
        assert!(!is_refused(&io::Error::from(io::ErrorKind::TimedOut)));
    }
}
