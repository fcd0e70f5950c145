//! Where a student's code runs while it is graded: a bubblewrap sandbox (Linux), one for each
//! test, so that nothing the code does can change the grade, its outputs or a trusted file.
//!
//! The sandbox has its own user (`nobody` when the grader is root), PID, network (loopback
//! only), IPC, UTS and cgroup namespaces and may create no more user namespaces. It has no
//! `/proc` (where a process could read its own memory, and with it the verdict's secret), a
//! minimal `/dev`, a private `/tmp`, the system's folders and the lab binaries read-only, no
//! variables but PATH, HOME, TMPDIR and RUST_BACKTRACE, a session of its own (no typing into
//! the grader's terminal), and a seccomp filter that refuses `ptrace` and `process_vm_*`. Its
//! PID 1 is [`init`], which reports a process left running when the test ends; when it exits the
//! kernel kills whatever is left, so nothing outlives a test.
//!
//! What the test may see of the grader's files are decoys ([`Decoys`]): a fresh copy of the
//! grading workspace, laid both at the workspace's path and at the trusted checkout's, and
//! empty stand-ins at the paths of the grade's outputs. The real ones are never visible; after
//! the test, any change to a decoy is tampering.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use super::sources::{self, Files};

/// Each test's limits (`prlimit`): processes and threads of the sandbox's user (for `nobody`:
/// those of the sandboxes only; root is not held to it), memory a process may map, and the size
/// of a file it writes.
const NPROC: &str = "--nproc=1024";
const ADDRESS_SPACE: &str = "--as=8589934592";
const FILE_SIZE: &str = "--fsize=268435456";

/// The exit status with which [`init`] says that the test left a process running.
pub const LEFT_RUNNING: i32 = 86;

/// Whether the tests run in a sandbox, and if not, why not.
pub enum Isolation {
    Sandboxed(Sandbox),
    NotIsolated(String),
}

impl Isolation {
    /// In words, for the table, the summary and the JSON.
    pub fn words(&self) -> String {
        match self {
            Isolation::Sandboxed(sandbox) if sandbox.as_nobody => {
                "sandboxed (bubblewrap, as user nobody)".into()
            }
            Isolation::Sandboxed(_) => "sandboxed (bubblewrap)".into(),
            Isolation::NotIsolated(why) => format!("not isolated: {why}"),
        }
    }
}

/// The paths a grade's tests need, the same for every test of the grade.
pub struct Layout {
    /// The checkout the grader runs from.
    pub trusted_checkout: PathBuf,
    /// The grading workspace, and what it holds.
    pub workspace: PathBuf,
    pub files: Files,
    /// Cargo's target folder, with the built labs.
    pub target: PathBuf,
    /// The grade's own xtask binary, PID 1 of the sandbox.
    pub init: PathBuf,
    /// Files the grade writes or the CI job reads (the JSON, GitHub's step summary, ...).
    pub outputs: Vec<PathBuf>,
    /// Folders of the CI job (GitHub's RUNNER_TEMP).
    pub job_folders: Vec<PathBuf>,
    /// Where each test's decoys are laid, one folder a test.
    pub scratch: PathBuf,
}

/// The CI job's files and folders that GitHub's variables name: files the job reads after
/// the grade, and its temporary folder.
pub fn job_paths() -> (Vec<PathBuf>, Vec<PathBuf>) {
    let variable = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    let files = [
        "GITHUB_STEP_SUMMARY",
        "GITHUB_OUTPUT",
        "GITHUB_ENV",
        "GITHUB_PATH",
        "GITHUB_STATE",
    ];
    let files = files
        .iter()
        .filter_map(|name| variable(name))
        .map(PathBuf::from);
    let folders = variable("RUNNER_TEMP").map(PathBuf::from);
    let absolute = |path: PathBuf| std::path::absolute(path).ok();
    (
        files.filter_map(absolute).collect(),
        folders.into_iter().filter_map(absolute).collect(),
    )
}

pub struct Sandbox {
    bwrap: PathBuf,
    /// The grader is root: the sandbox runs as `nobody`.
    as_nobody: bool,
    /// The seccomp program, as bwrap reads it.
    filter: PathBuf,
}

/// Finds bubblewrap and checks that it can run a program with `layout`'s paths: the sandbox,
/// or why there is none.
pub fn detect(layout: &Layout) -> Isolation {
    if !cfg!(target_os = "linux") {
        return Isolation::NotIsolated("bubblewrap runs on Linux only".into());
    }
    let Some(bwrap) = find_bubblewrap() else {
        return Isolation::NotIsolated(
            "bubblewrap is not installed (Debian and Ubuntu: apt-get install bubblewrap)".into(),
        );
    };
    let Some(program) = seccomp_program() else {
        return Isolation::NotIsolated(format!("no seccomp filter for {}", std::env::consts::ARCH));
    };
    let filter = layout.scratch.join("seccomp.bpf");
    if let Err(e) = fs::create_dir_all(&layout.scratch).and_then(|()| fs::write(&filter, program)) {
        return Isolation::NotIsolated(format!("cannot write {}: {e}", filter.display()));
    }
    let mut sandbox = Sandbox {
        bwrap,
        as_nobody: is_root(),
        filter,
    };
    let mut errors = Vec::new();
    // As nobody first; the folders may be out of nobody's reach, then as root mapped to
    // nobody in a user namespace of its own, with no capabilities either.
    for as_nobody in [sandbox.as_nobody, false] {
        sandbox.as_nobody = as_nobody;
        match sandbox.probe(layout) {
            Ok(()) => return Isolation::Sandboxed(sandbox),
            Err(error) => errors.push(error),
        }
        if !is_root() {
            break;
        }
    }
    Isolation::NotIsolated(format!(
        "bubblewrap cannot run here: {}\nhint: on Ubuntu 24.04, unprivileged user namespaces \
         are restricted: `sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0`",
        errors.join("; ")
    ))
}

/// The program that is PID 1 of the sandbox: this xtask, whose hidden task `sandbox-init`
/// is [`init`]. Under `cargo test` this process is xtask's test binary: the xtask binary
/// beside its folder is meant then, which cargo builds for xtask's integration tests.
pub fn init_program() -> Result<PathBuf, String> {
    let me = std::env::current_exe().map_err(|e| format!("cannot find the xtask binary: {e}"))?;
    let named_xtask = me.file_stem().is_some_and(|stem| stem == "xtask");
    let program = if named_xtask {
        me
    } else {
        let folder = me.parent().and_then(Path::parent).unwrap_or(Path::new("."));
        folder.join(format!("xtask{}", std::env::consts::EXE_SUFFIX))
    };
    if program.is_file() {
        Ok(program)
    } else {
        Err(format!("the xtask binary {} is missing", program.display()))
    }
}

impl Sandbox {
    /// The sandbox runs as `nobody`, which must then own the decoys.
    pub fn as_nobody(&self) -> bool {
        self.as_nobody
    }

    fn probe(&self, layout: &Layout) -> Result<(), String> {
        let decoys = Decoys::lay(layout, "probe", self.as_nobody)?;
        let mut command = self.command(layout, &decoys, &layout.workspace, Path::new("true"), &[]);
        let output = command
            .stdin(std::process::Stdio::null())
            .output()
            .map_err(|e| format!("cannot run {}: {e}", self.bwrap.display()))?;
        decoys.remove();
        if output.status.success() {
            Ok(())
        } else {
            Err(String::from_utf8_lossy(&output.stderr).trim().to_string())
        }
    }

    /// `program ARGS` in the sandbox, started in `dir`, seeing `decoys`.
    pub fn command(
        &self,
        layout: &Layout,
        decoys: &Decoys,
        dir: &Path,
        program: &Path,
        args: &[&str],
    ) -> Command {
        // The filter reaches bwrap as file descriptor 3, opened by the shell.
        let mut command = Command::new("/bin/sh");
        command.args(["-c", "exec \"$@\" 3<\"$FILTER\"", "sh"]);
        command.env("FILTER", &self.filter);
        // Limits that a loop of the student's would otherwise take from the whole machine for
        // the test's 15 s: processes (of the sandbox's user), memory and file sizes.
        command.args(["prlimit", NPROC, ADDRESS_SPACE, FILE_SIZE]);
        if self.as_nobody {
            command.args([
                "setpriv",
                "--reuid=65534",
                "--regid=65534",
                "--clear-groups",
                "--",
            ]);
        }
        command.arg(&self.bwrap);
        command.args([
            "--unshare-all",
            "--unshare-user",
            "--disable-userns",
            "--uid",
            "65534",
            "--gid",
            "65534",
            "--die-with-parent",
            "--new-session",
            "--clearenv",
            "--as-pid-1",
            "--seccomp",
            "3",
        ]);
        for top in ["usr", "etc", "bin", "sbin", "lib", "lib32", "lib64"] {
            let path = Path::new("/").join(top);
            match fs::read_link(&path) {
                Ok(target) => {
                    command.arg("--symlink").arg(target).arg(&path);
                }
                Err(_) if path.is_dir() => {
                    command.arg("--ro-bind").arg(&path).arg(&path);
                }
                Err(_) => {}
            }
        }
        command.args(["--dev", "/dev", "--tmpfs", "/tmp"]);
        for (from, to, writable) in decoys.binds(layout) {
            command.arg(if writable { "--bind" } else { "--ro-bind" });
            command.arg(from).arg(to);
        }
        command.args(["--setenv", "PATH", "/usr/local/bin:/usr/bin:/bin"]);
        command.args(["--setenv", "HOME", "/tmp", "--setenv", "TMPDIR", "/tmp"]);
        command.args(["--setenv", "RUST_BACKTRACE", "0"]);
        command.arg("--chdir").arg(dir);
        command.arg(&layout.init).args(["sandbox-init", "--"]);
        command.arg(program).args(args);
        command
    }
}

/// One test's decoys: a folder holding a copy of the grading workspace and the stand-ins for
/// the grade's outputs and the job's folders.
pub struct Decoys {
    dir: PathBuf,
}

impl Decoys {
    /// Lays fresh decoys for the test `name` under the layout's scratch folder.
    pub fn lay(layout: &Layout, name: &str, for_nobody: bool) -> Result<Decoys, String> {
        let dir = layout.scratch.join(name);
        let _ = fs::remove_dir_all(&dir);
        let decoys = Decoys { dir };
        sources::mirror(&layout.files, &decoys.copy())?;
        for (index, _) in layout.outputs.iter().enumerate() {
            write_empty(&decoys.output(index))?;
        }
        for (index, _) in layout.job_folders.iter().enumerate() {
            create(&decoys.job_folder(index))?;
        }
        if for_nobody {
            give_to_nobody(&decoys.dir)?;
        }
        Ok(decoys)
    }

    fn copy(&self) -> PathBuf {
        self.dir.join("copy")
    }

    fn output(&self, index: usize) -> PathBuf {
        self.dir.join(format!("output-{index}"))
    }

    fn job_folder(&self, index: usize) -> PathBuf {
        self.dir.join(format!("job-folder-{index}"))
    }

    /// What bwrap mounts, outer folders first: `(from, to, writable)`.
    fn binds(&self, layout: &Layout) -> Vec<(PathBuf, PathBuf, bool)> {
        let mut binds = vec![
            (self.copy(), layout.trusted_checkout.clone(), true),
            (self.copy(), layout.workspace.clone(), true),
            (layout.target.clone(), layout.target.clone(), false),
            (layout.init.clone(), layout.init.clone(), false),
        ];
        for (index, path) in layout.outputs.iter().enumerate() {
            binds.push((self.output(index), path.clone(), true));
        }
        for (index, path) in layout.job_folders.iter().enumerate() {
            binds.push((self.job_folder(index), path.clone(), true));
        }
        binds.sort_by_key(|(_, to, _)| to.components().count());
        binds.dedup_by(|a, b| a.1 == b.1);
        binds
    }

    /// What the test changed in the decoys, in words; nothing for a test that kept to itself.
    pub fn changes(&self, layout: &Layout) -> Vec<String> {
        // The folders and files that bwrap made in the copy to mount on are ours.
        let mount_points: Vec<String> = self
            .binds(layout)
            .into_iter()
            .flat_map(|(_, to, _)| {
                let inside = [&layout.trusted_checkout, &layout.workspace]
                    .map(|top| to.strip_prefix(top).ok().map(sources::slashed));
                inside.into_iter().flatten()
            })
            .collect();
        let mut changes = sources::differences(&layout.files, &self.copy(), &mount_points);
        for (index, path) in layout.outputs.iter().enumerate() {
            if fs::symlink_metadata(self.output(index))
                .map_or(true, |m| !m.is_file() || m.len() > 0)
            {
                changes.push(format!("wrote to {}", path.display()));
            }
        }
        for (index, path) in layout.job_folders.iter().enumerate() {
            let empty = fs::read_dir(self.job_folder(index)).is_ok_and(|mut d| d.next().is_none());
            if !empty {
                changes.push(format!("wrote into {}", path.display()));
            }
        }
        changes
    }

    pub fn remove(self) {
        let _ = fs::remove_dir_all(&self.dir);
    }
}

/// `sandbox-init PROGRAM ARGS`: PID 1 of a sandbox. Runs the program, waits for it, then
/// looks for processes it left: the program's exit status, or [`LEFT_RUNNING`] if one is
/// still running.
pub fn init(program: &str, args: &[&str]) -> ExitCode {
    let status = match Command::new(program).args(args).status() {
        Ok(status) => status,
        Err(e) => {
            eprintln!("sandbox-init: cannot run {program}: {e}");
            return ExitCode::from(127);
        }
    };
    if left_running() {
        return ExitCode::from(LEFT_RUNNING as u8);
    }
    ExitCode::from(exit_code(status))
}

#[cfg(unix)]
fn exit_code(status: std::process::ExitStatus) -> u8 {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(code), _) => code as u8,
        (None, Some(signal)) => 128u8.wrapping_add(signal as u8),
        (None, None) => 1,
    }
}

#[cfg(not(unix))]
fn exit_code(status: std::process::ExitStatus) -> u8 {
    status.code().map_or(1, |code| code as u8)
}

/// Whether a process other than this one is still running, once the ended ones are reaped.
/// As PID 1 every orphan of the sandbox is our child. One that is dying is given a moment.
#[cfg(all(target_os = "linux", feature = "sandbox"))]
fn left_running() -> bool {
    use rustix::process::{WaitOptions, wait};
    let started = std::time::Instant::now();
    loop {
        match wait(WaitOptions::NOHANG) {
            Ok(Some(_)) => continue, // an ended process, reaped
            Ok(None) if started.elapsed() < std::time::Duration::from_millis(200) => {
                std::thread::sleep(std::time::Duration::from_millis(5)); // a dying one?
            }
            Ok(None) => return true,
            Err(_) => return false, // no children left
        }
    }
}

/// Without the feature `sandbox` no sandbox runs (`grade --sandbox` builds xtask with it).
#[cfg(not(all(target_os = "linux", feature = "sandbox")))]
fn left_running() -> bool {
    false
}

/// A seccomp program (classic BPF, as `struct sock_filter`s) that refuses `ptrace`,
/// `process_vm_readv` and `process_vm_writev`, and every system call of another architecture
/// (a 32-bit one could name them by other numbers).
fn seccomp_program() -> Option<Vec<u8>> {
    // (audit architecture, ptrace, process_vm_readv, process_vm_writev)
    let (arch, calls) = match std::env::consts::ARCH {
        "x86_64" => (0xC000_003E_u32, [101, 310, 311]),
        "aarch64" => (0xC000_00B7_u32, [117, 270, 271]),
        _ => return None,
    };
    const LOAD: u16 = 0x20; // BPF_LD | BPF_W | BPF_ABS
    const JEQ: u16 = 0x15; // BPF_JMP | BPF_JEQ | BPF_K
    const JGE: u16 = 0x35; // BPF_JMP | BPF_JGE | BPF_K
    const RET: u16 = 0x06; // BPF_RET | BPF_K
    const ALLOW: u32 = 0x7fff_0000;
    const EPERM: u32 = 0x0005_0001; // SECCOMP_RET_ERRNO | EPERM
    // seccomp_data: the call's number at offset 0, the architecture at 4. Jumps count the
    // instructions they skip.
    let program: [(u16, u8, u8, u32); 10] = [
        (LOAD, 0, 0, 4),
        (JEQ, 1, 0, arch),
        (RET, 0, 0, EPERM),
        (LOAD, 0, 0, 0),
        (JGE, 4, 0, 0x4000_0000), // x32's numbers
        (JEQ, 3, 0, calls[0]),
        (JEQ, 2, 0, calls[1]),
        (JEQ, 1, 0, calls[2]),
        (RET, 0, 0, ALLOW),
        (RET, 0, 0, EPERM),
    ];
    let mut bytes = Vec::new();
    for (code, jt, jf, k) in program {
        bytes.extend(code.to_ne_bytes());
        bytes.extend([jt, jf]);
        bytes.extend(k.to_ne_bytes());
    }
    Some(bytes)
}

/// bubblewrap's `bwrap`, found on PATH.
pub fn find_bubblewrap() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join("bwrap"))
        .find(|candidate| candidate.is_file())
}

#[cfg(unix)]
fn is_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    // `/proc/self` belongs to the process's effective user (the sandbox is Linux-only).
    fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

#[cfg(not(unix))]
fn is_root() -> bool {
    false
}

#[cfg(unix)]
fn give_to_nobody(dir: &Path) -> Result<(), String> {
    let chown = |path: &Path| {
        std::os::unix::fs::chown(path, Some(65534), Some(65534))
            .map_err(|e| format!("cannot give {} to nobody: {e}", path.display()))
    };
    chown(dir)?;
    for entry in fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))? {
        let path = entry.map_err(|e| e.to_string())?.path();
        if path.is_dir() && !path.is_symlink() {
            give_to_nobody(&path)?;
        } else {
            chown(&path)?;
        }
    }
    Ok(())
}

#[cfg(not(unix))]
fn give_to_nobody(_: &Path) -> Result<(), String> {
    Ok(())
}

fn write_empty(path: &Path) -> Result<(), String> {
    if let Some(parent) = path.parent() {
        create(parent)?;
    }
    fs::write(path, b"").map_err(|e| format!("cannot write {}: {e}", path.display()))
}

fn create(dir: &Path) -> Result<(), String> {
    fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What a program in the sandbox finds: no /proc, no variable of the grader's, user
    /// nobody, a private /tmp, and `process_vm_readv` refused by the filter (not merely failing:
    /// pid 0 would give ESRCH).
    #[test]
    #[cfg(all(target_os = "linux", target_arch = "x86_64"))]
    fn the_sandbox_hides_proc_and_the_graders_variables_and_refuses_reading_memory() {
        if find_bubblewrap().is_none() {
            assert!(std::env::var_os("CI").is_none(), "CI must have bubblewrap");
            return;
        }
        let scratch = sources::scratch("sandbox");
        let workspace = scratch.join("workspace");
        let files = Files::from([(
            "a.txt".to_string(),
            sources::File {
                bytes: b"a".to_vec(),
                executable: false,
            },
        )]);
        sources::mirror(&files, &workspace).unwrap();
        let Ok(init) = init_program() else {
            return; // xtask's binary is built with its integration tests, which cargo test has
        };
        // Cargo's target folder, wherever CARGO_TARGET_DIR put it: `TARGET/debug/xtask`.
        let target = init.parent().and_then(Path::parent).unwrap().to_path_buf();
        let layout = Layout {
            trusted_checkout: scratch.join("checkout"),
            workspace: workspace.clone(),
            files,
            target,
            init,
            outputs: vec![scratch.join("job/grade.json")],
            job_folders: Vec::new(),
            scratch: scratch.join("runs"),
        };
        let sandbox = match detect(&layout) {
            Isolation::Sandboxed(sandbox) => sandbox,
            Isolation::NotIsolated(why) => panic!("bubblewrap is installed but cannot run: {why}"),
        };
        let decoys = Decoys::lay(&layout, "probe", sandbox.as_nobody()).unwrap();
        let json = layout.outputs[0].display().to_string();
        let script = format!(
            "test ! -e /proc/self && test -z \"$GITHUB_TOKEN\" && test \"$(id -u)\" = 65534 \
            && echo private > /tmp/x && test -f a.txt && \
            perl -e 'exit(syscall(310, 0, 0, 0, 0, 0, 0) == -1 && $!{{EPERM}} ? 0 : 1)' && \
            echo > a.txt && echo forged > {json}"
        );
        let mut command = sandbox.command(
            &layout,
            &decoys,
            &workspace,
            Path::new("/bin/sh"),
            &["-c", &script],
        );
        command.env("GITHUB_TOKEN", "from the grader");
        let output = command.output().unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let changes = decoys.changes(&layout);
        let expected = ["changed a.txt".to_string(), format!("wrote to {json}")];
        assert_eq!(
            changes, expected,
            "the decoys show what the program changed"
        );
        decoys.remove();
        let _ = fs::remove_dir_all(&scratch);
    }

    /// Where the sandbox cannot run with the grade's paths, the grade is told why (and with
    /// `--sandbox` it stops there).
    #[test]
    fn a_sandbox_that_cannot_run_says_why() {
        let scratch = sources::scratch("no-sandbox");
        let layout = Layout {
            trusted_checkout: scratch.join("checkout"),
            workspace: scratch.join("workspace"),
            files: Files::new(),
            target: scratch.join("no such folder"),
            init: scratch.join("no such program"),
            outputs: Vec::new(),
            job_folders: Vec::new(),
            scratch: scratch.join("runs"),
        };
        match detect(&layout) {
            Isolation::NotIsolated(why) => assert!(!why.is_empty()),
            Isolation::Sandboxed(_) => panic!("a sandbox without its folders cannot run"),
        }
        let _ = fs::remove_dir_all(&scratch);
    }

    #[test]
    fn the_seccomp_program_is_ten_instructions_of_eight_bytes() {
        if let Some(program) = seccomp_program() {
            assert_eq!(program.len(), 80);
        }
    }
}
