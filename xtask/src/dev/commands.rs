//! The commands the book shows, found and run: `cargo xtask book-commands` (and `verify`).
//!
//! A command is a `$ ` line of a ```` ```console ```` block (a block without any `$ ` line is
//! all commands, one a line), or an inline `` `cargo run ...` `` in the prose. Each file
//! (every chapter and the README) is played from top to bottom as a reader would:
//!
//! - Our programs (`cargo run -p solutions|stepN|protocol-tools|library-examples ...`) first
//!   run with `labcli::CHECK_ONLY_VARIABLE` set: their arguments must be valid, and they say
//!   what they would do. A lab's command runs the reference with the same arguments (`cargo
//!   run -p step4 -- ARGS` is `solutions step4 ARGS`): the two share their command line. A
//!   block marked `<!-- book check: the starter -->` runs the lab itself, its starter.
//! - The output a block shows for a command is compared with what it printed, unless the
//!   block is marked as an example or as checked by a test of its own ([`marks_unchecked`]).
//!   `<!-- book check: still running after N s -->` says its commands hang ([`Asked`]).
//! - A server (`would listen on ...`, or `python3 -m http.server`) is then started for real on
//!   a free port, and stays up until the end of the file. In the commands after it, its port
//!   in the book (10000, say) is replaced by the real one: `curl http://127.0.0.1:10000/` talks
//!   to it.
//! - Any other console command runs for real in `sh`, from the workspace root, with no input
//!   and a deadline, and must exit with 0, or with the code a following `$ echo $?` shows. An
//!   `nc` that would wait for the keyboard gets `-z` (connect, then leave).
//! - `cargo test`, `cargo xtask`, `cargo fmt`, `cargo clippy` and `mdbook` are not run here:
//!   the book check (`book.rs`) checks their packages and tasks.
//!
//! Inline `cargo run` commands are only checked, not run: they have no server beside them.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus};
use std::time::Duration;

use runner::{Options, Process};

/// How long one command may run, or a server take to say it is listening.
const DEADLINE: Duration = Duration::from_secs(10);

/// A command as the book shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Shown {
    /// 1-based line in its file.
    pub line: usize,
    /// The command, without its `$ `; a command continued over several lines (an open quote)
    /// keeps its line breaks.
    pub text: String,
    /// The exit code the book shows for it with a following `$ echo $?`, if it does.
    pub exit_code: Option<i32>,
    /// In backticks in the prose, rather than in a console block.
    pub inline: bool,
    /// The lines the book shows as its output (the exit code's `$ echo $?` aside).
    pub output: Vec<String>,
    /// Whether that output is compared with the command's: not when the line before the block
    /// marks it as an example (`<!-- example output: ... -->`) or as checked by a test of its
    /// own (`<!-- ... checked by FILE -->`).
    pub compared: bool,
    /// What the line before its block asks of the check (`<!-- book check: ... -->`).
    pub asked: Asked,
}

/// What a block's `<!-- book check: WHAT; WHAT -->` line asks, for the claims a plain run
/// cannot check: that a lab's *starter* behaves so, that a command hangs.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Asked {
    /// `the starter`: a lab's command runs the lab as the repository holds it (its starter),
    /// not the reference.
    pub starter: bool,
    /// `still running after N s`: each command must still be running then; its output by then
    /// is what is compared, and it is stopped.
    pub still_running_after: Option<Duration>,
}

impl Asked {
    fn read(line: &str) -> Asked {
        let mut asked = Asked::default();
        let Some(what) = line
            .trim()
            .strip_prefix("<!-- book check:")
            .and_then(|rest| rest.strip_suffix("-->"))
        else {
            return asked;
        };
        for item in what.split(';').map(str::trim) {
            if item == "the starter" {
                asked.starter = true;
            } else if let Some(seconds) = item
                .strip_prefix("still running after ")
                .and_then(|rest| rest.strip_suffix(" s"))
                .and_then(|n| n.parse().ok())
            {
                asked.still_running_after = Some(Duration::from_secs(seconds));
            }
        }
        asked
    }
}

/// The marker that says a block's output is an example of what a reader may see, not checked.
pub const EXAMPLE_MARKER: &str = "<!-- example output";

/// Whether `line`, the line before a fenced block, says the block is not for the book check to
/// compare: an example, or a block that a test of its own checks.
pub fn marks_unchecked(line: &str) -> bool {
    let line = line.trim();
    line.starts_with(EXAMPLE_MARKER)
        || (line.starts_with("<!--") && (line.contains("checked by") || line.contains("replayed")))
}

/// Every command `markdown` shows, in order.
pub fn shown(markdown: &str) -> Vec<Shown> {
    let mut found: Vec<Shown> = Vec::new();
    let lines: Vec<&str> = markdown.lines().collect();
    let mut index = 0;
    while index < lines.len() {
        let line = lines[index];
        if let Some(info) = line.trim_start().strip_prefix("```") {
            let start = index + 1;
            let mut end = start;
            while end < lines.len() && !lines[end].trim_start().starts_with("```") {
                end += 1;
            }
            if info.trim() == "console" {
                let before = if index == 0 { "" } else { lines[index - 1] };
                let mut block = console_block(&lines[start..end], start + 1);
                for command in &mut block {
                    command.compared = !marks_unchecked(before);
                    command.asked = Asked::read(before);
                }
                found.extend(block);
            }
            index = end + 1;
            continue;
        }
        for (n, span) in line.split('`').enumerate() {
            if n % 2 == 1 && span.starts_with("cargo run ") {
                found.push(Shown {
                    line: index + 1,
                    text: span.to_string(),
                    exit_code: None,
                    inline: true,
                    output: Vec::new(),
                    compared: false,
                    asked: Asked::default(),
                });
            }
        }
        index += 1;
    }
    found
}

/// The commands of one console block whose first line is line `first` of its file.
fn console_block(block: &[&str], first: usize) -> Vec<Shown> {
    let prompted = block.iter().any(|line| line.starts_with("$ "));
    let mut commands: Vec<Shown> = Vec::new();
    let mut index = 0;
    while index < block.len() {
        let line = block[index];
        let command = if prompted {
            line.strip_prefix("$ ")
        } else {
            Some(line).filter(|line| !line.trim().is_empty())
        };
        let Some(command) = command else {
            // A line of the last command's output.
            if let Some(previous) = commands.last_mut().filter(|_| prompted) {
                previous.output.push(line.to_string());
            }
            index += 1;
            continue;
        };
        let line_number = first + index;
        let mut text = command.to_string();
        // A quote left open goes on over the next lines (`python3 -c '...`).
        while text.matches('\'').count() % 2 == 1 && index + 1 < block.len() {
            index += 1;
            text = format!("{text}\n{}", block[index]);
        }
        index += 1;
        if text == "echo $?" {
            let code = block
                .get(index)
                .and_then(|output| output.trim().parse().ok());
            if let (Some(previous), Some(code)) = (commands.last_mut(), code) {
                previous.exit_code = Some(code);
                index += 1; // the code is not output
            }
            continue;
        }
        commands.push(Shown {
            line: line_number,
            text,
            exit_code: None,
            inline: false,
            output: Vec::new(),
            compared: true,
            asked: Asked::default(),
        });
    }
    commands
}

/// What a command is, for running it.
#[derive(Debug, PartialEq)]
pub enum Kind {
    /// One of our programs: `cargo run -p PACKAGE [--bin BIN] [-- ARGS]`. `binary` is the
    /// binary that runs it, `prefix` the arguments that come before the book's own (the step, for
    /// a lab run as the reference), `rest` the shell text after `--`.
    Ours {
        binary: String,
        prefix: Option<String>,
        rest: String,
    },
    /// Python's web server: `python3 -m http.server ... PORT`.
    PythonServer,
    /// Not run here: cargo's own commands and mdbook.
    NotRun,
    /// Any other shell command.
    Shell,
}

/// Sorts a command by its first words.
pub fn kind(text: &str) -> Kind {
    let words: Vec<&str> = text.split_whitespace().collect();
    match words.as_slice() {
        ["cargo", "run", "-p", package, rest @ ..] => {
            let (binary, rest) = match rest {
                ["--bin", binary, rest @ ..] => (binary.to_string(), rest),
                rest => (package.to_string(), rest),
            };
            let (binary, prefix) = match package.strip_prefix("step") {
                Some(_) => ("solutions".to_string(), Some(package.to_string())),
                None => (binary, None),
            };
            let rest = match rest {
                ["--", ..] => after_double_dash(text),
                // No arguments, perhaps a comment: `cargo run -p step4   # your lab`.
                _ => rest.join(" "),
            };
            Kind::Ours {
                binary,
                prefix,
                rest,
            }
        }
        ["cargo", "test" | "xtask" | "fmt" | "clippy" | "build", ..] | ["mdbook", ..] => {
            Kind::NotRun
        }
        ["python3", "-m", "http.server", ..] => Kind::PythonServer,
        _ => Kind::Shell,
    }
}

/// `text` without a shell comment at its end (`cargo run -p step4   # your lab`), so that
/// arguments can be added after it.
pub fn without_comment(text: &str) -> String {
    let mut quote = None;
    let mut previous = ' ';
    for (index, c) in text.char_indices() {
        match (quote, c) {
            (None, '\'' | '"') => quote = Some(c),
            (Some(open), c) if c == open => quote = None,
            (None, '#') if previous.is_whitespace() => return text[..index].trim_end().into(),
            _ => {}
        }
        previous = c;
    }
    text.to_string()
}

/// A pattern such as `cargo run -p solutions -- stepN ...` or `... -- demo N` stands for many
/// commands: it is not run. A placeholder is a word in capitals alone (`N`, `URL`, `PORT`).
fn is_pattern(text: &str) -> bool {
    let placeholder = |word: &str| word.chars().all(|c| c.is_ascii_uppercase());
    text.contains("...") || text.split_whitespace().any(placeholder)
}

/// The text after the first ` -- `, as it is (quotes and spacing kept).
fn after_double_dash(text: &str) -> String {
    text.split_once(" -- ")
        .map(|(_, rest)| rest.to_string())
        .unwrap_or_default()
}

/// `text` with every number equal to a key of `ports` (as a whole number, not part of a longer
/// one) replaced by its value.
pub fn with_ports(text: &str, ports: &HashMap<u16, u16>) -> String {
    let mut out = String::new();
    let mut digits = String::new();
    let flush = |digits: &mut String, out: &mut String| {
        let mapped = digits.parse::<u16>().ok().and_then(|n| ports.get(&n));
        match mapped {
            Some(real) => out.push_str(&real.to_string()),
            None => out.push_str(digits),
        }
        digits.clear();
    };
    for c in text.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
        } else {
            flush(&mut digits, &mut out);
            out.push(c);
        }
    }
    flush(&mut digits, &mut out);
    out
}

/// The last port in a line such as `listening on http://127.0.0.1:10000/`, `would listen on
/// 127.0.0.1:2525` or Python's `Serving HTTP on 127.0.0.1 port 8000 (...)`.
pub fn port_in(line: &str) -> Option<u16> {
    if let Some((_, rest)) = line.split_once(" port ") {
        return rest.split_whitespace().next()?.parse().ok();
    }
    let address = line.split_whitespace().last()?;
    let address = address.trim_start_matches("http://").trim_end_matches('/');
    address.rsplit_once(':')?.1.parse().ok()
}

/// The programs the book's commands need besides ours, and where to get them.
const TOOLS: &[(&str, &str)] = &[
    ("curl", "Debian's `curl`"),
    ("nc", "Debian's `netcat-openbsd`"),
    ("python3", "Debian's `python3`"),
    // A terminal for the commands the book says hang (`still running after`).
    ("script", "Debian's `bsdutils`"),
];

/// Builds our programs (the reference, the protocol tools and the library examples) and finds
/// their paths in cargo's report.
pub fn build_binaries(root: &Path) -> Result<HashMap<String, PathBuf>, String> {
    let mut args = vec![
        "build",
        "--package",
        "solutions",
        "--package",
        "protocol-tools",
        "--package",
        "library-examples",
    ];
    // The labs as they are in the repository, the starters: for the blocks that show one.
    let labs: Vec<String> = crate::steps::STEPS.iter().map(|s| s.package()).collect();
    for lab in &labs {
        args.extend(["--package", lab]);
    }
    args.extend(["--bins", "--message-format=json"]);
    let run = crate::command::cargo(root, &args)?;
    if !run.success {
        return Err(format!("{}\ncannot build the programs", run.output));
    }
    let marker = "\"executable\":\"";
    let binaries: HashMap<String, PathBuf> = run
        .output
        .lines()
        .filter_map(|line| line.split_once(marker)?.1.split_once('"'))
        .map(|(path, _)| PathBuf::from(path))
        .filter_map(|path| Some((path.file_stem()?.to_str()?.to_string(), path)))
        .collect();
    if binaries.contains_key("solutions") && binaries.contains_key("wiretap") {
        Ok(binaries)
    } else {
        Err(format!("cargo named no binaries:\n{}", run.output))
    }
}

/// Runs every command of the book and the README. `binaries` maps our binaries' names to their
/// paths. Returns how many commands passed, and what failed.
pub fn check_all(
    root: &Path,
    binaries: &HashMap<String, PathBuf>,
) -> Result<(usize, Vec<String>), String> {
    let missing: Vec<&(&str, &str)> = TOOLS.iter().filter(|(tool, _)| !on_path(tool)).collect();
    if !missing.is_empty() {
        let list: Vec<String> = missing.iter().map(|(t, p)| format!("{t} ({p})")).collect();
        let needed = format!("the book's commands need {}", list.join(", "));
        // As with Chromium: a laptop without them skips the check, CI never does.
        if std::env::var_os("CI").is_none() {
            println!("NOTE: {needed}: not checked here; CI checks them.");
            return Ok((0, Vec::new()));
        }
        return Err(format!("{needed}: install them (`.ci/run` does)"));
    }
    let mut files = vec![root.join("README.md")];
    let mut chapters: Vec<PathBuf> = std::fs::read_dir(root.join("docs/src"))
        .map_err(|e| format!("docs/src: {e}"))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|e| e == "md"))
        .collect();
    chapters.sort();
    files.extend(chapters);
    let mut passed = 0;
    let mut problems = Vec::new();
    for file in files {
        let text =
            std::fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
        let name = file
            .strip_prefix(root)
            .unwrap_or(&file)
            .display()
            .to_string();
        let mut player = Player {
            root,
            binaries,
            servers: HashMap::new(),
        };
        let commands = shown(&text);
        let mut file_passed = 0;
        for command in &commands {
            match player.play(command) {
                Ok(()) => file_passed += 1,
                Err(problem) => problems.push(format!(
                    "{name}:{}: `{}`\n  {}",
                    command.line,
                    command.text,
                    problem.replace('\n', "\n  ")
                )),
            }
        }
        if !commands.is_empty() {
            println!(
                "book commands: {name}: {file_passed} of {} fine",
                commands.len()
            );
        }
        passed += file_passed;
    }
    Ok((passed, problems))
}

fn on_path(tool: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(tool).is_file()))
}

/// Plays the commands of one file, keeping the servers it starts.
struct Player<'a> {
    root: &'a Path,
    binaries: &'a HashMap<String, PathBuf>,
    /// The servers started so far, by the port the book gives them.
    servers: HashMap<u16, Server>,
}

impl Player<'_> {
    fn ports(&self) -> HashMap<u16, u16> {
        self.servers
            .iter()
            .map(|(book, server)| (*book, server.port))
            .collect()
    }

    fn play(&mut self, command: &Shown) -> Result<(), String> {
        let expected = command.exit_code.unwrap_or(0);
        let bare = without_comment(&command.text);
        let text = with_ports(&bare, &self.ports());
        match kind(&bare) {
            Kind::NotRun => Ok(()),
            _ if is_pattern(&bare) => Ok(()),
            Kind::Ours {
                binary,
                prefix,
                rest,
            } => {
                let path = self
                    .binaries
                    .get(&binary)
                    .ok_or_else(|| format!("no program {binary:?} in the workspace"))?;
                let program = match prefix {
                    // The lab itself, as the repository holds it: its starter.
                    Some(step) if command.asked.starter => {
                        let lab = self
                            .binaries
                            .get(&step)
                            .ok_or_else(|| format!("no program {step:?} in the workspace"))?;
                        format!("'{}'", lab.display())
                    }
                    Some(step) => format!("'{}' {step}", path.display()),
                    None => format!("'{}'", path.display()),
                };
                let rest = with_ports(&rest, &self.ports());
                let shell = format!("{program} {rest}");
                let checked = self.run(&shell, true)?;
                expect_code(&checked, expected, "with its arguments only checked")?;
                let would_listen = checked
                    .stdout
                    .lines()
                    .find(|l| l.starts_with("would listen"));
                match would_listen {
                    Some(line) if !command.inline => {
                        let port =
                            port_in(line).ok_or_else(|| format!("no port in its line {line:?}"))?;
                        // The book's port, though the command ran with a server's real one
                        // (a second server on a port the book used before).
                        let book_port = self
                            .servers
                            .iter()
                            .find(|(_, server)| server.port == port)
                            .map_or(port, |(book, _)| *book);
                        let port_zero = if binary == "wiretap" {
                            "--listen 0"
                        } else {
                            "--port 0"
                        };
                        // Arguments keep the last value given, so this overrides the book's.
                        let (started, printed) = Server::start(
                            self.root,
                            &format!("{shell} {port_zero}"),
                            command.output.len(),
                        )?;
                        let real_port = started.port;
                        self.servers.insert(book_port, started);
                        self.expect_output(
                            command,
                            &printed.join("\n"),
                            Some((real_port, book_port)),
                        )
                    }
                    _ if command.inline => Ok(()),
                    _ => self.run_and_expect(command, &shell, expected),
                }
            }
            Kind::PythonServer => {
                let words: Vec<&str> = bare.split_whitespace().collect();
                let book_port: u16 = words
                    .iter()
                    .find_map(|word| word.parse().ok())
                    .ok_or("no port in the command")?;
                let on_zero: Vec<&str> = words
                    .iter()
                    .map(|w| if w.parse::<u16>().is_ok() { "0" } else { w })
                    .collect();
                let (started, printed) =
                    Server::start(self.root, &on_zero.join(" "), command.output.len())?;
                let real_port = started.port;
                self.servers.insert(book_port, started);
                self.expect_output(command, &printed.join("\n"), Some((real_port, book_port)))
            }
            Kind::Shell => self.run_and_expect(command, &interactive_nc_leaves(&text), expected),
        }
    }

    /// Runs `text` for `command` and checks its exit code and output, or, if the book says it
    /// hangs, that it is still running then.
    fn run_and_expect(&self, command: &Shown, text: &str, expected: i32) -> Result<(), String> {
        if let Some(wait) = command.asked.still_running_after {
            // In a terminal of its own, as the audience sees it: curl, say, writes what it
            // receives at once to a terminal, but keeps it in a buffer for a pipe.
            let quoted = text.replace('\'', "'\\''");
            let in_terminal = format!("script -qfec '{quoted}' /dev/null");
            let mut process = Process::start(shell(self.root, &in_terminal), in_own_group())?;
            if let Some(status) = process.wait(wait) {
                return Err(format!(
                    "ended ({status}) within {wait:?}, but the book says it is still waiting \
                     then\nstdout: {}\nstderr: {}",
                    process.stdout.text(DEADLINE).trim_end(),
                    process.stderr.text(DEADLINE).trim_end()
                ));
            }
            process.kill();
            let printed = process.stdout.text(DEADLINE) + &process.stderr.text(DEADLINE);
            return self.expect_output(command, &printed, None);
        }
        let ran = self.run(text, false)?;
        expect_code(&ran, expected, "")?;
        self.expect_output(command, &ran.printed(), None)
    }

    /// Compares what `command` printed with the output the book shows, the ports the book
    /// gives put back in place of the real ones (`started` maps a server's real port to the
    /// book's, for the server just started).
    fn expect_output(
        &self,
        command: &Shown,
        printed: &str,
        started: Option<(u16, u16)>,
    ) -> Result<(), String> {
        // A command shown without output claims none.
        if !command.compared || tidy(&command.output.join("\n")).is_empty() {
            return Ok(());
        }
        let mut back: HashMap<u16, u16> = self
            .servers
            .iter()
            .map(|(book, server)| (server.port, *book))
            .collect();
        back.extend(started);
        let printed: Vec<String> = tidy(&any_curl_version(&with_ports(printed, &back)));
        let shown = tidy(&any_curl_version(&command.output.join("\n")));
        if matches_shown(&shown, &printed) {
            return Ok(());
        }
        Err(format!(
            "the book shows its output as\n{}\nbut it printed\n{}\nfix the book, or mark \
             the block with `{EXAMPLE_MARKER}: WHY -->` on the line before it if the output \
             cannot be the same on every machine",
            indented(&shown),
            indented(&printed)
        ))
    }

    /// Runs `text` in `sh` from the workspace root, with no input, within [`DEADLINE`].
    fn run(&self, text: &str, check_only: bool) -> Result<Ran, String> {
        let mut command = shell(self.root, text);
        if check_only {
            command.env(CHECK_ONLY_VARIABLE, "1");
        }
        let mut process = Process::start(command, in_own_group())?;
        let Some(status) = process.wait(DEADLINE) else {
            return Err(format!("still running after {DEADLINE:?}: stopped"));
        };
        Ok(Ran {
            status,
            stdout: process.stdout.text(DEADLINE),
            stderr: process.stderr.text(DEADLINE),
        })
    }
}

/// `labcli::CHECK_ONLY_VARIABLE`, named again because xtask does not depend on labcli; a test
/// below keeps the two equal.
const CHECK_ONLY_VARIABLE: &str = "LABCLI_CHECK_ONLY";

/// An `nc` with nothing piped into it and no `-d` would wait for the keyboard: `-z` makes it
/// connect and leave, which still checks its options and that something listens.
pub fn interactive_nc_leaves(text: &str) -> String {
    let words: Vec<&str> = text.split_whitespace().collect();
    let waits = words.first() == Some(&"nc") && !words.contains(&"-d") && !text.contains('|');
    if waits {
        format!("{text} -z")
    } else {
        text.to_string()
    }
}

struct Ran {
    status: ExitStatus,
    stdout: String,
    stderr: String,
}

impl Ran {
    /// What a terminal shows of it: its output, then its errors (the book shows no program
    /// that interleaves the two).
    fn printed(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }
}

/// `text` with curl's version in its `User-Agent` (`curl/7.88.1`) left out: each machine has
/// its own, and the book says so.
fn any_curl_version(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find("curl/") {
        let after = &rest[at + "curl/".len()..];
        let version = after
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(after.len());
        out.push_str(&rest[..at]);
        out.push_str("curl/VERSION");
        rest = &after[version..];
    }
    out + rest
}

/// Whether `printed` is what `shown` shows, where a line `...` of the book stands for any
/// number of lines left out.
fn matches_shown(shown: &[String], printed: &[String]) -> bool {
    match shown.split_first() {
        None => printed.is_empty(),
        Some((first, rest)) if first == "..." => {
            (0..=printed.len()).any(|skip| matches_shown(rest, &printed[skip..]))
        }
        Some((first, rest)) => printed.first() == Some(first) && matches_shown(rest, &printed[1..]),
    }
}

/// The lines of `text` as a terminal shows them: no `\r`, no trailing spaces, no empty lines
/// at the end.
fn tidy(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = text.lines().map(|l| l.trim_end().to_string()).collect();
    while lines.last().is_some_and(String::is_empty) {
        lines.pop();
    }
    lines
}

fn indented(lines: &[String]) -> String {
    lines
        .iter()
        .map(|l| format!("    {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn expect_code(ran: &Ran, expected: i32, how: &str) -> Result<(), String> {
    if ran.status.code() == Some(expected) {
        return Ok(());
    }
    Err(format!(
        "exited with {} {how}, but the book expects {expected}\nstdout: {}\nstderr: {}",
        ran.status,
        ran.stdout.trim_end(),
        ran.stderr.trim_end()
    ))
}

/// `sh -c text`, from `root`.
fn shell(root: &Path, text: &str) -> Command {
    let mut command = Command::new("sh");
    command
        .arg("-c")
        .arg(text)
        .current_dir(root)
        .env("PYTHONUNBUFFERED", "1");
    command
}

/// The book's commands run in a process group of their own, so that everything they start
/// (a pipeline, a server's helpers) is stopped together.
fn in_own_group() -> Options {
    Options {
        own_group: true,
        ..Options::default()
    }
}

/// A server the book starts, on a free port; stopped when dropped.
struct Server {
    /// Kept to be dropped, which stops it.
    _process: Process,
    port: u16,
}

impl Server {
    /// Runs `text` (told to listen on port 0) and waits for the line that gives its port, and
    /// for `lines` lines in all (what the book shows it print).
    fn start(root: &Path, text: &str, lines: usize) -> Result<(Server, Vec<String>), String> {
        let mut process = Process::start(shell(root, &format!("exec {text}")), in_own_group())?;
        let first = process.line(DEADLINE);
        let port = first.as_deref().and_then(|line| {
            port_in(line).filter(|_| line.contains("listen") || line.contains(" port "))
        });
        let mut printed: Vec<String> = first.into_iter().collect();
        while printed.len() < lines {
            match process.line(Duration::from_secs(1)) {
                Some(line) => printed.push(line),
                None => break,
            }
        }
        match port {
            Some(port) => Ok((
                Server {
                    _process: process,
                    port,
                },
                printed,
            )),
            None => {
                process.kill();
                Err(format!(
                    "started as a server, it did not say where it listens within {DEADLINE:?}\n\
                     stderr: {}",
                    process.stderr.text(runner::OUTPUT_GRACE).trim_end()
                ))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn console_blocks_with_prompts_give_their_prompted_lines_and_exit_codes() {
        let markdown = "text `cargo run -p step2 -- --whoami` more\n\
                        ```console\n\
                        $ cargo run -p solutions -- step3 https://example.com/\n\
                        solutions step3: invalid URL\n\
                        $ echo $?\n\
                        2\n\
                        $ python3 -c '\n\
                        print(1)'\n\
                        1\n\
                        ```\n\
                        ```console\n\
                        cargo test -p step1\n\
                        ```\n\
                        ```text\n\
                        $ not a command\n\
                        ```\n";
        let found = shown(markdown);
        let texts: Vec<(usize, &str, Option<i32>, bool)> = found
            .iter()
            .map(|c| (c.line, c.text.as_str(), c.exit_code, c.inline))
            .collect();
        assert_eq!(
            texts,
            [
                (1, "cargo run -p step2 -- --whoami", None, true),
                (
                    3,
                    "cargo run -p solutions -- step3 https://example.com/",
                    Some(2),
                    false
                ),
                (7, "python3 -c '\nprint(1)'", None, false),
                (12, "cargo test -p step1", None, false),
            ]
        );
    }

    #[test]
    fn a_command_s_output_is_the_lines_after_it_and_markers_say_how_to_check_it() {
        let markdown = "<!-- book check: the starter; still running after 2 s -->\n\
                        ```console\n$ curl x\nGET / HTTP/1.1\n\n$ false\n$ echo $?\n1\n```\n\
                        <!-- example output: the time -->\n```console\n$ date\nMonday\n```\n";
        let commands = shown(markdown);
        assert_eq!(commands[0].output, ["GET / HTTP/1.1", ""]);
        assert!(commands[0].compared);
        assert_eq!(
            commands[0].asked,
            Asked {
                starter: true,
                still_running_after: Some(Duration::from_secs(2))
            }
        );
        assert_eq!(
            (commands[1].exit_code, commands[1].output.len()),
            (Some(1), 0)
        );
        assert!(!commands[2].compared, "an example is not compared");
        assert_eq!(commands[2].asked, Asked::default());
    }

    /// A block the book check leaves to a test of its own names that test, which must exist
    /// and look for that very marker.
    #[test]
    fn every_block_left_to_a_test_names_a_test_that_reads_its_marker() {
        let root = crate::workspace_root();
        let docs = std::fs::read_dir(root.join("docs/src")).unwrap();
        let mut checked = 0;
        for path in docs.flatten().map(|entry| entry.path()) {
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            for line in text.lines().filter(|l| marks_unchecked(l)) {
                if line.trim().starts_with(EXAMPLE_MARKER) {
                    continue;
                }
                let test = line
                    .split_whitespace()
                    .find(|word| word.ends_with(".rs"))
                    .unwrap_or_else(|| panic!("{}: {line} names no test", path.display()));
                let source = std::fs::read_to_string(root.join(test))
                    .unwrap_or_else(|e| panic!("{}: {line}: {test}: {e}", path.display()));
                assert!(
                    source.contains(line.trim()),
                    "{test} does not look for the marker {line:?}"
                );
                checked += 1;
            }
        }
        assert!(checked >= 4, "{checked} markers found");
    }

    #[test]
    fn a_line_of_dots_stands_for_any_lines_left_out() {
        let lines = |text: &str| tidy(text);
        let printed = lines("Traceback\n  File x\nError: closed");
        assert!(matches_shown(&lines("...\nError: closed"), &printed));
        assert!(matches_shown(
            &lines("Traceback\n...\nError: closed"),
            &printed
        ));
        assert!(matches_shown(&lines("Traceback\n..."), &printed));
        assert!(!matches_shown(&lines("...\nError: other"), &printed));
        assert!(
            !matches_shown(&lines("Traceback"), &printed),
            "all of it, or a `...`"
        );
        assert!(
            matches_shown(&lines("a\n\n"), &lines("a\r\n")),
            "as a terminal shows it"
        );
        assert_eq!(
            any_curl_version("User-Agent: curl/8.5.0\nx curl/ y"),
            "User-Agent: curl/VERSION\nx curl/VERSION y"
        );
    }

    #[test]
    fn commands_are_sorted_by_their_first_words() {
        let ours = |binary: &str, prefix: Option<&str>, rest: &str| Kind::Ours {
            binary: binary.into(),
            prefix: prefix.map(String::from),
            rest: rest.into(),
        };
        assert_eq!(
            kind(&without_comment(
                "cargo run -p step4                  # your lab"
            )),
            ours("solutions", Some("step4"), "")
        );
        assert_eq!(
            kind(
                "cargo run -p protocol-tools --bin send -- 'POST / HTTP/1.0\\r\\n\\r\\n' --to 127.0.0.1:10000 | head -n 1"
            ),
            ours(
                "send",
                None,
                "'POST / HTTP/1.0\\r\\n\\r\\n' --to 127.0.0.1:10000 | head -n 1"
            )
        );
        assert_eq!(
            kind("cargo run -p library-examples --bin ureq-get -- http://127.0.0.1:8080/"),
            ours("ureq-get", None, "http://127.0.0.1:8080/")
        );
        assert_eq!(
            kind("cargo run -p solutions -- demo 4"),
            ours("solutions", None, "demo 4")
        );
        assert_eq!(kind("cargo test -p step7 -- --ignored"), Kind::NotRun);
        assert_eq!(kind("python3 -m http.server 10000"), Kind::PythonServer);
        assert_eq!(kind("curl -v http://127.0.0.1:10000/"), Kind::Shell);
    }

    #[test]
    fn the_check_only_variable_is_the_one_labcli_reads() {
        let labcli = std::fs::read_to_string(crate::workspace_root().join("labcli/src/lib.rs"));
        let declared = format!("pub const CHECK_ONLY_VARIABLE: &str = \"{CHECK_ONLY_VARIABLE}\";");
        assert!(
            labcli.unwrap().contains(&declared),
            "labcli/src/lib.rs: {declared}"
        );
    }

    #[test]
    fn patterns_are_not_commands() {
        assert!(is_pattern("cargo run -p solutions -- demo N"));
        assert!(is_pattern("cargo run -p solutions -- stepN ..."));
        assert!(!is_pattern(
            "cargo run -p protocol-tools --bin send -- 'GET / HTTP/1.0' --to 127.0.0.1:1"
        ));
    }

    #[test]
    fn comments_go_but_a_hash_in_quotes_stays() {
        assert_eq!(
            without_comment("cargo run -p step4    # your lab"),
            "cargo run -p step4"
        );
        assert_eq!(
            without_comment("printf '# not' | nc x 1"),
            "printf '# not' | nc x 1"
        );
        assert_eq!(
            without_comment("curl http://x/a#top"),
            "curl http://x/a#top"
        );
    }

    #[test]
    fn book_ports_become_real_ports_as_whole_numbers_only() {
        let ports = HashMap::from([(10000, 41234), (50000, 40000)]);
        assert_eq!(
            with_ports(
                "curl http://127.0.0.1:10000/ ; nc 127.0.0.1 10000; 100000 --port 50000",
                &ports
            ),
            "curl http://127.0.0.1:41234/ ; nc 127.0.0.1 41234; 100000 --port 40000"
        );
    }

    #[test]
    fn ports_are_found_in_the_lines_servers_print() {
        assert_eq!(port_in("listening on http://127.0.0.1:10000/"), Some(10000));
        assert_eq!(port_in("would listen on 127.0.0.1:2525"), Some(2525));
        let python = "Serving HTTP on 127.0.0.1 port 8000 (http://127.0.0.1:8000/) ...";
        assert_eq!(port_in(python), Some(8000));
        assert_eq!(port_in("ready"), None);
    }

    #[test]
    fn an_nc_that_would_wait_for_the_keyboard_connects_and_leaves() {
        assert_eq!(
            interactive_nc_leaves("nc -C localhost 2525"),
            "nc -C localhost 2525 -z"
        );
        assert_eq!(
            interactive_nc_leaves("nc -d localhost 50000"),
            "nc -d localhost 50000"
        );
        let piped = "printf 'HELLO\\r\\n\\r\\n' | nc 127.0.0.1 10000";
        assert_eq!(interactive_nc_leaves(piped), piped);
    }
}
