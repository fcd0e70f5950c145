//! The servers the benchmark compares, each started on loopback, serving the same folder, and
//! stopped when dropped: the step 7 and step 9 references (release build), nginx and `python3
//! -m http.server`, the last two when installed.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::process::Command;
use std::thread;
use std::time::{Duration, Instant};

use runner::{Ending, Options, Process};

/// How long a server may take to start listening.
const START_LIMIT: Duration = Duration::from_secs(10);

/// A server under load, stopped when dropped.
pub struct Running {
    pub name: String,
    pub addr: SocketAddr,
    /// Whether it keeps a connection open for further requests (HTTP/1.1 keep-alive).
    pub keeps_alive: bool,
    /// Stopped, with its workers, when dropped.
    process: Process,
}

/// The step 7 reference program (`solutions step7`), already built by `cargo build --release`:
/// one request per connection.
pub fn reference(program: &Path, webroot: &Path) -> Result<Running, String> {
    let process = start_reference(program, "step7", webroot, &[])?;
    Ok(Running {
        name: "step 7 reference".into(),
        addr: process.1,
        keeps_alive: false,
        process: process.0,
    })
}

/// The step 9 reference program (`solutions step9`), which keeps connections alive, with
/// `workers` workers. A kept connection holds its worker until it ends, so a load of more
/// connections than workers would leave the rest waiting in the line for as long as it lasts:
/// the benchmark gives it one worker for each of its connections.
pub fn keep_alive_reference(
    program: &Path,
    webroot: &Path,
    workers: usize,
) -> Result<Running, String> {
    let workers = workers.to_string();
    let process = start_reference(program, "step9", webroot, &["--workers", &workers])?;
    Ok(Running {
        name: format!("step 9 reference ({workers} workers)"),
        addr: process.1,
        keeps_alive: true,
        process: process.0,
    })
}

/// Starts `solutions STEP --port 0 --webroot WEBROOT ARGS` and reads its address from the
/// first line it prints.
fn start_reference(
    program: &Path,
    step: &str,
    webroot: &Path,
    args: &[&str],
) -> Result<(Process, SocketAddr), String> {
    let mut command = Command::new(program);
    command
        .args([step, "--port", "0", "--webroot"])
        .arg(webroot)
        .args(args);
    let process = Process::start(command, Options::default())?;
    let banner = first_line(&process)?;
    let addr = runner::listening_address(&banner)
        .ok_or_else(|| format!("the {step} reference printed {banner:?}, not its address"))?;
    Ok((process, addr))
}

/// `python3 -m http.server`, if python3 is installed: `Ok(None)` if it is not.
pub fn python(webroot: &Path) -> Result<Option<Running>, String> {
    let Some(version) = version_of("python3", &["--version"]) else {
        return Ok(None);
    };
    // -u: unbuffered, so that its first line arrives at once.
    let mut command = Command::new("python3");
    command
        .args([
            "-u",
            "-m",
            "http.server",
            "0",
            "--bind",
            "127.0.0.1",
            "--directory",
        ])
        .arg(webroot);
    let process = Process::start(command, Options::default())?;
    // Serving HTTP on 127.0.0.1 port 40123 (http://127.0.0.1:40123/) ...
    let banner = first_line(&process)?;
    let port = banner
        .split_once(" port ")
        .and_then(|(_, rest)| rest.split_whitespace().next()?.parse::<u16>().ok())
        .ok_or_else(|| format!("python3 printed {banner:?}, not its port"))?;
    Ok(Some(Running {
        name: format!("python3 -m http.server ({version})"),
        addr: SocketAddr::from(([127, 0, 0, 1], port)),
        // SimpleHTTPRequestHandler speaks HTTP/1.0: one request per connection.
        keeps_alive: false,
        process,
    }))
}

/// nginx with a configuration of its own in `folder`, if nginx is installed: `Ok(None)` if it
/// is not. Two worker processes (one per core here, nginx's `auto`), access log off.
pub fn nginx(webroot: &Path, folder: &Path) -> Result<Option<Running>, String> {
    let Some(version) = version_of("nginx", &["-v"]) else {
        return Ok(None);
    };
    // nginx needs its port in its configuration: take a free one (it stays free for the
    // moment it takes nginx to start; nothing else here is picking ports).
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map_err(|e| format!("cannot find a free port: {e}"))?
        .port();
    std::fs::create_dir_all(folder).map_err(|e| e.to_string())?;
    let config = folder.join("nginx.conf");
    std::fs::write(&config, nginx_config(webroot, folder, port)).map_err(|e| e.to_string())?;
    let mut command = Command::new("nginx");
    command
        .args(["-e", "stderr", "-p"])
        .arg(folder)
        .arg("-c")
        .arg(&config);
    let mut running = Running {
        name: version.replace("nginx version: ", ""),
        addr: SocketAddr::from(([127, 0, 0, 1], port)),
        keeps_alive: true,
        process: Process::start(command, Options::default())?,
    };
    wait_until_listening(&mut running)?;
    Ok(Some(running))
}

fn nginx_config(webroot: &Path, folder: &Path, port: u16) -> String {
    let folder = folder.display();
    format!(
        "daemon off;\n\
         worker_processes auto;\n\
         pid {folder}/nginx.pid;\n\
         error_log stderr error;\n\
         events {{ worker_connections 1024; }}\n\
         http {{\n\
         \x20 access_log off;\n\
         \x20 sendfile on;\n\
         \x20 types {{ text/html html; image/png png; }}\n\
         \x20 default_type application/octet-stream;\n\
         \x20 client_body_temp_path {folder}/body;\n\
         \x20 proxy_temp_path {folder}/proxy;\n\
         \x20 fastcgi_temp_path {folder}/fastcgi;\n\
         \x20 uwsgi_temp_path {folder}/uwsgi;\n\
         \x20 scgi_temp_path {folder}/scgi;\n\
         \x20 server {{ listen 127.0.0.1:{port}; root {}; }}\n\
         }}\n",
        webroot.display()
    )
}

/// The first line `command ARGS` prints (stdout or stderr), if the command runs.
pub fn version_of(command: &str, args: &[&str]) -> Option<String> {
    let mut asked = Command::new(command);
    asked.args(args);
    let Ok(Ending::Exited(run)) = runner::run(asked, None, START_LIMIT) else {
        return None;
    };
    run.output
        .lines()
        .next()
        .map(|line| line.trim().to_string())
}

/// The server's first line on stdout, within [`START_LIMIT`].
fn first_line(process: &Process) -> Result<String, String> {
    process
        .line(START_LIMIT)
        .map(|line| line.trim().to_string())
        .ok_or_else(|| "the server printed nothing within 10 s".to_string())
}

/// Waits until `server` accepts a connection (nginx prints nothing when it is ready).
fn wait_until_listening(server: &mut Running) -> Result<(), String> {
    let started = Instant::now();
    while started.elapsed() < START_LIMIT {
        if TcpStream::connect_timeout(&server.addr, Duration::from_millis(200)).is_ok() {
            return Ok(());
        }
        if let Some(status) = server.process.status() {
            return Err(format!("{} exited at start ({status})", server.name));
        }
        thread::sleep(Duration::from_millis(20)); // polling a starting server, not a test
    }
    Err(format!("{} did not listen within 10 s", server.name))
}
