//! `solutions demo N [--host HOST] [--port PORT]`: the classroom command. It starts the
//! reference of step N on the lesson's port and prints what to try against it, with the real
//! address filled in. Step 3 is a client: its demo starts the step 7 file server, for the
//! client to fetch from. Step 9 stores uploads in a folder of its own, new at each start.
//!
//! Each command printed here is also in the "Try it" section of the step's chapter, where the
//! book's command check runs it (`solutions/tests/demo.rs` keeps the two equal).

use std::fs;
use std::io::{self, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::ExitCode;

use labcli::{Args, EXIT_FAILURE, EXIT_USAGE};

use crate::{step1, step2, step4, step5, step6, step7, step8, step9};

/// One step's demo.
pub struct Demo {
    pub step: u8,
    /// The chapter's title, as its first line has it.
    pub title: &'static str,
    /// The lesson's port: 50000 for the socket labs, 10000 for the web servers.
    pub port: u16,
    /// The server that runs, and what it is, in a few words.
    pub serve: fn(TcpListener) -> io::Result<()>,
    pub server: &'static str,
    /// The page to open in a browser, if any: a path on the server.
    pub browser: Option<&'static str>,
    /// Commands to type in another terminal; `{host}` and `{port}` are filled in.
    pub commands: &'static [&'static str],
}

/// Every step's demo, in order.
pub const DEMOS: &[Demo] = &[
    Demo {
        step: 1,
        title: "Step 1: echo",
        port: 50000,
        serve: step1::serve,
        server: "the echo server: it sends back every byte, until the client stops sending",
        browser: None,
        commands: &[
            "cargo run -p solutions -- step1 client --port {port} Hello, world",
            "printf 'Hello, world' | nc -N {host} {port}",
        ],
    },
    Demo {
        step: 2,
        title: "Step 2: the time server",
        port: 50000,
        serve: step2::serve,
        server: "the time server: it tells each client the time and hangs up",
        browser: None,
        commands: &[
            "nc -d {host} {port}",
            "curl --http0.9 http://{host}:{port}/",
        ],
    },
    Demo {
        step: 3,
        title: "Step 3: an HTTP client",
        port: 10000,
        serve: step7::serve,
        server: "the step 7 file server, for the step 3 client to fetch from",
        browser: Some("/sample.txt"),
        commands: &[
            "cargo run -p solutions -- step3 http://{host}:{port}/sample.txt",
            "curl -i http://{host}:{port}/sample.txt",
            "printf 'GET /sample.txt HTTP/1.1\\r\\nHost: {host}:{port}\\r\\nConnection: close\\r\\n\\r\\n' | nc {host} {port}",
        ],
    },
    Demo {
        step: 4,
        title: "Step 4: a canned 200",
        port: 10000,
        serve: step4::serve,
        server: "a web server that answers every request with the same 200 OK",
        browser: Some("/"),
        commands: &[
            "curl -v http://{host}:{port}/",
            "printf 'GET / HTTP/1.1\\r\\nHost: localhost\\r\\n\\r\\n' | nc {host} {port}",
        ],
    },
    Demo {
        step: 5,
        title: "Step 5: GET only",
        port: 10000,
        serve: step5::serve,
        server: "a web server that answers GET and hangs up on anything else",
        browser: Some("/index.html"),
        commands: &[
            "curl -v http://{host}:{port}/index.html",
            "curl -v -X POST http://{host}:{port}/",
            "printf 'POST / HTTP/1.0\\r\\n\\r\\n' | nc {host} {port}",
        ],
    },
    Demo {
        step: 6,
        title: "Step 6: 405 Method Not Allowed",
        port: 10000,
        serve: step6::serve,
        server: "a web server that answers GET, and refuses other methods with 405",
        browser: Some("/"),
        commands: &[
            "curl -i -X POST http://{host}:{port}/",
            "curl -I http://{host}:{port}/",
            "printf 'HELLO\\r\\n\\r\\n' | nc {host} {port}",
        ],
    },
    Demo {
        step: 7,
        title: "Step 7: serving files",
        port: 10000,
        serve: step7::serve,
        server: "the file server, serving the workbook's webroot/",
        browser: Some("/a_web_page.html"),
        commands: &[
            "curl -i http://{host}:{port}/sample.txt",
            "curl -i http://{host}:{port}/images/",
            "curl --path-as-is -i http://{host}:{port}/../Cargo.toml",
            "printf 'GET /images/icons/ HTTP/1.1\\r\\nHost: localhost\\r\\n\\r\\n' | nc {host} {port}",
        ],
    },
    Demo {
        step: 8,
        title: "Step 8: many clients at once",
        port: 10000,
        serve: step8::serve,
        server: "the file server on a pool of 8 workers of its own",
        browser: Some("/a_web_page.html"),
        commands: &[
            "curl -i http://{host}:{port}/sample.txt",
            "for i in 1 2 3 4 5 6 7 8 9 10; do curl -s -o /dev/null -w '%{http_code}\\n' http://{host}:{port}/sample.txt & done; wait",
        ],
    },
    Demo {
        step: 9,
        title: "Step 9: keep-alive and request bodies",
        port: 10000,
        serve: serve_with_uploads,
        server: "the file server on a pool of 8 workers, keeping connections open, and storing \
                 uploads in a new folder",
        browser: Some("/a_web_page.html"),
        commands: &[
            "curl -v http://{host}:{port}/sample.txt --next http://{host}:{port}/a_web_page.html",
            "printf 'GET /sample.txt HTTP/1.1\\r\\nHost: localhost\\r\\n\\r\\nGET /nothing-here HTTP/1.1\\r\\nHost: localhost\\r\\nConnection: close\\r\\n\\r\\n' | nc {host} {port} | grep -E '^HTTP/|^Content-Length|^Connection'",
            "curl -si --data-binary @webroot/sample.txt http://{host}:{port}/uploads/notes.txt",
            "(printf 'GET /sample.txt HTTP/1.1\\r\\nHost: localhost\\r\\n\\r\\n'; sleep 2; printf 'GET /a_web_page.html HTTP/1.1\\r\\nHost: localhost\\r\\n\\r\\n') | nc {host} {port} | grep '^HTTP/'",
        ],
    },
];

/// Step 9's demo: the sample site on the pool, with an uploads folder that is new at each start,
/// so that the first upload of a name is always a 201 and the next a 409. The folder is in the
/// system's temporary folder, and stays there when the demo stops.
fn serve_with_uploads(listener: TcpListener) -> io::Result<()> {
    let uploads = new_uploads_folder()?;
    eprintln!("solutions demo 9: uploads go to {}", uploads.display());
    let site = step9::Site {
        webroot: labcli::workspace_webroot(),
        uploads: Some(uploads),
    };
    step9::serve_site(listener, &site, step9::WORKERS, &step9::Shutdown::new())
}

/// A folder made for this run: `step9-demo-uploads-PID-N` in the system's temporary folder.
fn new_uploads_folder() -> io::Result<PathBuf> {
    let temp = std::env::temp_dir();
    for n in 0..100 {
        let folder = temp.join(format!("step9-demo-uploads-{}-{n}", std::process::id()));
        match fs::create_dir(&folder) {
            Ok(()) => return Ok(folder),
            Err(error) if error.kind() == io::ErrorKind::AlreadyExists => {}
            Err(error) => return Err(error),
        }
    }
    Err(io::Error::new(
        io::ErrorKind::AlreadyExists,
        "no new uploads folder could be made in the temporary folder",
    ))
}

const USAGE: &str = "usage: solutions demo STEP [--host HOST] [--port PORT]
Starts the reference of step STEP (1 to 9) on the lesson's port (50000 for steps 1 and 2,
10000 for the others) and prints what to try against it. Step 3 is a client: its demo starts
the step 7 file server for it to fetch from. Stop it with Ctrl-C.";

/// `solutions demo STEP [--host HOST] [--port PORT]`.
pub fn run(args: Vec<String>) -> ExitCode {
    let usage_error = |message: String| {
        eprintln!("solutions demo: {message}\n{USAGE}");
        ExitCode::from(EXIT_USAGE)
    };
    let parsed = match Args::parse(args, &["host", "port"], &[]) {
        Ok(parsed) if parsed.help => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Ok(parsed) => parsed,
        Err(error) => return usage_error(error.to_string()),
    };
    let demo = match parsed.positional.as_slice() {
        [step] => match DEMOS.iter().find(|demo| demo.step.to_string() == *step) {
            Some(demo) => demo,
            None => return usage_error(format!("there is no step {step:?}: say 1 to 9")),
        },
        _ => return usage_error("say which step to demo, 1 to 9".into()),
    };
    let port = match parsed.port(demo.port) {
        Ok(port) => port,
        Err(error) => return usage_error(error.to_string()),
    };
    let scheme = if demo.step <= 2 { "" } else { "http://" };
    let program = format!("solutions demo {}", demo.step);
    let address = format!("{}:{port}", parsed.host());
    let listener = match labcli::listen(&program, &address, scheme) {
        Ok(listener) => listener,
        Err(exit) => return exit,
    };
    let bound = listener
        .local_addr()
        .map(|a| (a.ip().to_string(), a.port()));
    let (host, port) = bound.unwrap_or_else(|_| (parsed.host().to_string(), port));
    println!("{}", instructions(demo, &host, port));
    let _ = io::stdout().flush();
    match (demo.serve)(listener) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("{program}: server stopped: {error}");
            ExitCode::from(EXIT_FAILURE)
        }
    }
}

/// What the demo prints after its `listening on` line, for a server at `host:port`.
pub fn instructions(demo: &Demo, host: &str, port: u16) -> String {
    let fill = |text: &str| {
        text.replace("{host}", host)
            .replace("{port}", &port.to_string())
    };
    let mut text = format!(
        "{}: {}.\nTry it in another terminal (Ctrl-C here stops the server):\n",
        demo.title, demo.server
    );
    if let Some(path) = demo.browser {
        text += &format!("  a browser: http://{host}:{port}{path}\n");
    }
    for command in demo.commands {
        text += &format!("  $ {}\n", fill(command));
    }
    text += &format!(
        "More in the chapter \"{}\", section \"Try it\".",
        demo.title
    );
    text
}
