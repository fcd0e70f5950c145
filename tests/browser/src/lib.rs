//! A real browser for the tests that look at a page the way a person would: headless Chromium
//! loads a URL and either prints the page's DOM ([`dump_dom`]) or saves a screenshot
//! ([`screenshot`]) whose pixels a test can check with [`Image`].
//!
//! # When Chromium is missing
//! Tests that need a browser are marked
//! `#[ignore = "browser test: needs Chromium; run with --include-ignored (cargo xtask verify does)"]`,
//! so a plain `cargo test` on a laptop without Chromium stays green and lists them as ignored,
//! with that reason; they never pass without running. `cargo xtask verify` (and so CI, which installs Debian's
//! `chromium` package first) runs them with `--include-ignored`. A browser test that runs and
//! finds no Chromium fails, with a message that says how to install it ([`require_chromium`]).
//!
//! # Did the picture render?
//! The DOM that `--dump-dom` prints shows the `<img>` element, not whether its picture arrived
//! and decoded: a broken image looks the same there. So a test takes a screenshot and counts
//! the pixels of colours only the picture has ([`Image::count_near`]); a broken image shows a
//! small icon instead. The screenshot is a PNG, decoded by the `png` crate ([`crate::png`]).
//!
//! # Never left behind
//! Each run gets a fresh profile folder, removed afterwards, and a deadline
//! ([`BROWSER_DEADLINE`]): past it Chromium is killed with all the processes it started (they
//! share its process group, on Unix), and the test fails saying so.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus};
use std::time::Duration;

use runner::{Options, Process};

pub mod png;

pub use png::Image;
/// Temporary folders (each run of Chromium gets a fresh profile in one) come from `testkit`.
pub use testkit::TempDir;

/// How long one run of Chromium may take: starting, loading the page, printing or saving.
/// About a second is usual; a page that never finishes loading is cut off here.
pub const BROWSER_DEADLINE: Duration = Duration::from_secs(30);

/// The window size of [`screenshot`]s, unless a test asks for another.
pub const WINDOW: (u32, u32) = (800, 600);

/// Flags for a headless run that works as root, without a GPU, and on a closed network: no
/// sandbox (it refuses to start as root), and none of the background connections Chromium
/// makes at start (updates, sync, field trials), which a network with no outside access refuses.
const FLAGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
];

/// The environment variable that names a browser to use instead of searching for one.
pub const CHROMIUM_VARIABLE: &str = "CHROMIUM";

/// Finds Chromium (or Chrome): `$CHROMIUM` if set, then `/usr/bin/chromium` (Debian's
/// package), then `chromium`, `chromium-browser`, `google-chrome` or `google-chrome-stable` on
/// the `PATH`, then the usual macOS applications.
pub fn chromium() -> Option<PathBuf> {
    if let Some(named) = std::env::var_os(CHROMIUM_VARIABLE) {
        let named = PathBuf::from(named);
        return named.is_file().then_some(named);
    }
    let debian = PathBuf::from("/usr/bin/chromium");
    if debian.is_file() {
        return Some(debian);
    }
    let names = [
        "chromium",
        "chromium-browser",
        "google-chrome",
        "google-chrome-stable",
    ];
    let path = std::env::var_os("PATH").unwrap_or_default();
    for dir in std::env::split_paths(&path) {
        for name in names {
            let candidate = dir.join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
            if candidate.is_file() {
                return Some(candidate);
            }
        }
    }
    let mac = [
        "/Applications/Chromium.app/Contents/MacOS/Chromium",
        "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
    ];
    mac.into_iter().map(PathBuf::from).find(|app| app.is_file())
}

/// Like [`chromium`], but fails the test, saying how to install a browser, if there is none.
pub fn require_chromium() -> PathBuf {
    chromium().unwrap_or_else(|| {
        let named = match std::env::var_os(CHROMIUM_VARIABLE) {
            Some(value) => format!("${CHROMIUM_VARIABLE} is {value:?}, which is not a file"),
            None => format!(
                "looked for ${CHROMIUM_VARIABLE}, /usr/bin/chromium, and chromium, \
                 chromium-browser or google-chrome on the PATH"
            ),
        };
        panic!(
            "this browser test needs Chromium or Chrome, and none was found ({named}).\n\
             hint: install one: on Debian or Ubuntu `sudo apt-get install chromium`, on macOS \
             Google Chrome or Chromium in /Applications; or set {CHROMIUM_VARIABLE}=/path/to/it. \
             A plain `cargo test` skips browser tests; `--include-ignored` runs them."
        )
    })
}

/// The page at `url` as Chromium's DOM after the page loaded (scripts have run), serialised as
/// HTML. Fails the test if Chromium cannot load it within [`BROWSER_DEADLINE`].
pub fn dump_dom(url: &str) -> String {
    Browser::new()
        .dump_dom(url)
        .unwrap_or_else(|e| panic!("{e}"))
}

/// Loads `url` in a window of `size` (width, height), saves what it shows to `path` as a PNG
/// and returns the decoded picture. Fails the test if that does not work within
/// [`BROWSER_DEADLINE`].
pub fn screenshot(url: &str, path: &Path, size: (u32, u32)) -> Image {
    Browser::new()
        .screenshot(url, path, size)
        .unwrap_or_else(|e| panic!("{e}"))
}

/// One way of running Chromium: which program, and how long it may take. [`dump_dom`] and
/// [`screenshot`] use the defaults; the methods here return errors instead of failing.
#[derive(Clone, Debug)]
pub struct Browser {
    program: PathBuf,
    deadline: Duration,
}

impl Default for Browser {
    fn default() -> Self {
        Browser::new()
    }
}

impl Browser {
    /// Chromium from [`require_chromium`], with [`BROWSER_DEADLINE`].
    pub fn new() -> Browser {
        Browser {
            program: require_chromium(),
            deadline: BROWSER_DEADLINE,
        }
    }

    pub fn deadline(mut self, deadline: Duration) -> Browser {
        self.deadline = deadline;
        self
    }

    /// See [`dump_dom`].
    pub fn dump_dom(&self, url: &str) -> Result<String, String> {
        let run = self.run(&["--dump-dom".into(), url.into()])?;
        let dom = String::from_utf8_lossy(&run.stdout).into_owned();
        if dom.trim().is_empty() {
            return Err(run.explain(&format!("Chromium printed no DOM for {url}")));
        }
        Ok(dom)
    }

    /// See [`screenshot`].
    pub fn screenshot(&self, url: &str, path: &Path, size: (u32, u32)) -> Result<Image, String> {
        // A picture left by an earlier run must not pass for this one.
        if let Err(e) = std::fs::remove_file(path)
            && e.kind() != std::io::ErrorKind::NotFound
        {
            return Err(format!("cannot replace {}: {e}", path.display()));
        }
        let mut target = OsString::from("--screenshot=");
        target.push(std::path::absolute(path).map_err(|e| e.to_string())?);
        let window = format!("--window-size={},{}", size.0, size.1);
        let run = self.run(&[
            target,
            window.into(),
            "--hide-scrollbars".into(),
            url.into(),
        ])?;
        if !path.is_file() {
            let what = format!(
                "Chromium saved no screenshot of {url} at {}",
                path.display()
            );
            return Err(run.explain(&what));
        }
        Image::read(path)
    }

    /// Runs Chromium with [`FLAGS`], a fresh profile and `args`, until it exits or the
    /// deadline passes; then kills whatever is left of it and removes the profile.
    fn run(&self, args: &[OsString]) -> Result<Run, String> {
        let profile = TempDir::new("browser-chromium")?;
        let mut user_data = OsString::from("--user-data-dir=");
        user_data.push(profile.path());
        let mut command = Command::new(&self.program);
        command
            .args(FLAGS)
            .arg(user_data)
            .args(args)
            // Chromium's crash reporter and caches write under these, not under the profile:
            // keep them in the temporary folder too, out of the user's home.
            .env("XDG_CONFIG_HOME", profile.path().join("config"))
            .env("XDG_CACHE_HOME", profile.path().join("cache"));
        let shown = shown(&self.program, profile.path(), args);
        let options = Options {
            own_group: true,
            ..Options::default()
        };
        let mut running = Process::start(command, options)?;
        let status = running.wait(self.deadline);
        running.kill();
        let stdout = running.stdout.bytes(OUTPUT_WAIT);
        let stderr = running.stderr.bytes(OUTPUT_WAIT);
        drop(profile); // after `stop`: Chromium no longer writes to it
        let run = Run {
            shown,
            status,
            stdout,
            stderr,
        };
        match run.status {
            None => Err(run.explain(&format!(
                "Chromium did not finish within {:?}, so the test killed it",
                self.deadline
            ))),
            Some(status) if !status.success() => {
                Err(run.explain(&format!("Chromium failed ({status})")))
            }
            Some(_) => Ok(run),
        }
    }
}

/// The command line, for messages.
fn shown(program: &Path, profile: &Path, args: &[OsString]) -> String {
    let mut shown = program.display().to_string();
    for flag in FLAGS {
        shown = format!("{shown} {flag}");
    }
    shown = format!("{shown} --user-data-dir={}", profile.display());
    for arg in args {
        shown = format!("{shown} {}", arg.to_string_lossy());
    }
    shown
}

/// What one run of Chromium did.
struct Run {
    shown: String,
    status: Option<ExitStatus>,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
}

impl Run {
    /// `what` went wrong, with the command and the end of what Chromium said on stderr.
    /// Chromium logs a lot that does not matter (no D-Bus, no GPU...), so only the end.
    fn explain(&self, what: &str) -> String {
        let stderr = String::from_utf8_lossy(&self.stderr);
        let lines: Vec<&str> = stderr.lines().collect();
        let tail = match lines.len() {
            0 => "(nothing)".to_string(),
            n => lines[n.saturating_sub(12)..].join("\n"),
        };
        format!(
            "{what}.\ncommand: {}\nthe end of its stderr:\n{tail}",
            self.shown
        )
    }
}

/// How long to wait for the end of Chromium's output once it has been stopped: a helper that
/// escaped its process group could hold a pipe open.
const OUTPUT_WAIT: Duration = Duration::from_secs(2);
