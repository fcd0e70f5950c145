//! The end of a test binary, which a lab's code must not cause and must not outlive (Unix).
//!
//! - libtest ends a test binary from its main thread, once every test has run. A lab's code
//!   that calls `std::process::exit(0)` (from a server's thread, or a function under test)
//!   ends it from another thread, with status 0, and `cargo test` would go green with tests
//!   never run: that end fails the run instead, saying so.
//! - A process that a lab's code started in the test binary (`Command::new("sleep")` in
//!   `serve`) would outlive it, and hold its output open, so that whoever reads it waits.
//!   When the binary ends, every process it started is killed, and if one was still running
//!   the run fails, naming it. On Linux the binary adopts the orphans of its descendants (it
//!   is their "subreaper"), so those are found too.
//!
//! Both need a function run at the process's exit, which only the C library offers (`atexit`):
//! the one place of the workspace with `unsafe` code.

use std::sync::Once;

/// The status of a test binary that a lab's code ended: libtest's own for a failed run.
#[cfg(unix)]
const ENDED_BY_LAB_CODE: i32 = 101;

/// Watches the end of this process, from the first call on: the servers and guards that run a
/// lab's code call it before they do.
pub fn watch() {
    static WATCH: Once = Once::new();
    #[cfg(unix)]
    WATCH.call_once(|| {
        #[cfg(target_os = "linux")]
        sys::adopt_orphans();
        sys::at_exit(at_the_end);
    });
    #[cfg(not(unix))]
    WATCH.call_once(|| {});
}

/// What the process's end says when a thread other than the main one ended it.
#[cfg(unix)]
fn ended_in_the_middle(thread: Option<&str>) -> String {
    let during = match thread {
        Some(name) => format!(" (in the thread `{name}`)"),
        None => String::new(),
    };
    format!(
        "\nerror: the tests stopped in the middle{during}: the code under test ended the whole \
         program (`std::process::exit`?), so the tests after it never ran.\n\
         hint: a server serves until it is stopped, and a function returns its result, or an \
         error; only `main` decides when the program ends.\n"
    )
}

/// What the process's end says when the code under test left `processes` running.
#[cfg(unix)]
fn left_running(processes: &[String]) -> String {
    format!(
        "\nerror: the code under test started processes that were still running when the tests \
         ended (now killed):\n{}\n\
         hint: these labs' servers and clients start no program; one started with \
         `Command::spawn` must be waited for (`wait`), or killed, before its function returns.\n",
        processes
            .iter()
            .map(|process| format!("    {process}"))
            .collect::<Vec<_>>()
            .join("\n")
    )
}

#[cfg(unix)]
extern "C" fn at_the_end() {
    use std::io::Write;
    let left = runner::kill_own_descendants();
    let mut message = String::new();
    if !sys::on_the_main_thread() {
        // Another thread is still alive: asking its name is safe (the main thread's data may
        // be gone by now).
        message += &ended_in_the_middle(std::thread::current().name());
    }
    if !left.is_empty() {
        message += &left_running(&left);
    }
    if !message.is_empty() {
        // Straight to the stream: libtest's capture of `eprintln!` would swallow it.
        let _ = std::io::stderr().write_all(message.as_bytes());
        sys::exit_now(ENDED_BY_LAB_CODE);
    }
}

#[cfg(unix)]
#[allow(unsafe_code)]
mod sys {
    use std::ffi::c_int;

    unsafe extern "C" {
        fn atexit(callback: extern "C" fn()) -> c_int;
        fn _exit(status: c_int) -> !;
        #[cfg(target_os = "linux")]
        fn prctl(option: c_int, ...) -> c_int;
        #[cfg(target_os = "macos")]
        fn pthread_main_np() -> c_int;
    }

    /// Runs `callback` when the process exits (returning from `main`, or `exit`).
    pub fn at_exit(callback: extern "C" fn()) {
        // SAFETY: `atexit` only stores the pointer to a function that lives as long as the
        // program does; the callback neither unwinds (it writes and exits) nor calls `exit`.
        unsafe {
            atexit(callback);
        }
    }

    /// Ends the process with `status` at once, from within an exit callback (where `exit`
    /// again would be undefined behaviour).
    pub fn exit_now(status: c_int) -> ! {
        // SAFETY: `_exit` takes a plain integer and ends the process without running anything.
        unsafe { _exit(status) }
    }

    /// Makes this process the parent of its descendants' orphans (`PR_SET_CHILD_SUBREAPER`),
    /// so that killing its descendants reaches them too.
    #[cfg(target_os = "linux")]
    pub fn adopt_orphans() {
        const PR_SET_CHILD_SUBREAPER: c_int = 36;
        // SAFETY: the option takes one integer argument and touches no memory of ours.
        unsafe {
            prctl(PR_SET_CHILD_SUBREAPER, 1 as std::ffi::c_ulong);
        }
    }

    /// Whether this is the process's main thread: on Linux, the thread whose id is the
    /// process's (`/proc/thread-self` links to `PID/task/TID`).
    #[cfg(target_os = "linux")]
    pub fn on_the_main_thread() -> bool {
        let Ok(link) = std::fs::read_link("/proc/thread-self") else {
            return true; // no /proc: nothing to go by, so nothing to fail
        };
        let link = link.to_string_lossy().into_owned();
        let mut ids = link.split("/task/");
        ids.next() == ids.next()
    }

    #[cfg(target_os = "macos")]
    pub fn on_the_main_thread() -> bool {
        // SAFETY: it takes nothing and only reads the calling thread's state.
        unsafe { pthread_main_np() != 0 }
    }

    #[cfg(not(any(target_os = "linux", target_os = "macos")))]
    pub fn on_the_main_thread() -> bool {
        true
    }
}

#[cfg(all(test, unix))]
mod tests {
    use std::process::Command;
    use std::time::Duration;

    use crate::DEADLINE;

    /// Set for the test binaries that the tests below start: only there do the `#[ignore]`d
    /// scenarios play (`--include-ignored` runs them in the binary itself too).
    const CHILD: &str = "TESTKIT_ENDING_SCENARIO";

    /// Whether this binary is one that a test below started for its scenario.
    fn in_a_scenario() -> bool {
        std::env::var_os(CHILD).is_some()
    }

    /// Runs one of the `#[ignore]`d tests below in a test binary of its own (this one again),
    /// with `probe` in its environment, as a lab's test binary would run.
    fn run_alone(test: &str, probe: &str) -> (Option<i32>, String) {
        let mut command = Command::new(std::env::current_exe().unwrap());
        command
            .args(["--ignored", "--exact", "--nocapture", test])
            .env(probe, "1")
            .env(CHILD, "1");
        match runner::run(command, None, DEADLINE).unwrap() {
            runner::Ending::Exited(run) => (run.code, run.output),
            runner::Ending::Stopped(output) => panic!("{test} did not end: {output}"),
        }
    }

    /// The processes that carry `probe` in their environment, by id (Linux: from `/proc`).
    #[cfg(target_os = "linux")]
    fn still_running(probe: &str) -> Vec<String> {
        let needle = format!("{probe}=1");
        let Ok(entries) = std::fs::read_dir("/proc") else {
            return Vec::new();
        };
        entries
            .flatten()
            .filter(|entry| {
                let stat = std::fs::read_to_string(entry.path().join("stat")).unwrap_or_default();
                let environ = std::fs::read(entry.path().join("environ")).unwrap_or_default();
                !stat.contains(") Z ")
                    && environ
                        .split(|&b| b == 0)
                        .any(|var| var == needle.as_bytes())
            })
            .map(|entry| entry.file_name().to_string_lossy().into_owned())
            .collect()
    }

    #[test]
    #[ignore = "run by a_lab_s_exit_from_a_thread_fails_the_run"]
    fn ends_from_a_thread() {
        if !in_a_scenario() {
            return;
        }
        super::watch();
        std::thread::spawn(|| std::process::exit(0));
        std::thread::sleep(Duration::from_secs(2)); // the scenario: a test still running
    }

    #[test]
    fn a_lab_s_exit_from_a_thread_fails_the_run() {
        let (status, output) = run_alone("ending::tests::ends_from_a_thread", "ENDING_EXIT");
        assert_eq!(status, Some(super::ENDED_BY_LAB_CODE), "{output}");
        assert!(
            output.contains("the tests stopped in the middle"),
            "{output}"
        );
    }

    #[test]
    #[ignore = "run by what_a_lab_starts_ends_with_its_test_binary"]
    fn starts_processes_and_lets_them_go() {
        if !in_a_scenario() {
            return;
        }
        super::watch();
        let sleep = |script: &str| Command::new("sh").args(["-c", script]).spawn().unwrap();
        // A child, and an orphan: the child of a shell that has ended. Neither is waited for:
        // that is the scenario.
        #[allow(clippy::zombie_processes)]
        let _child = sleep("sleep 300");
        sleep("sleep 300 &").wait().unwrap();
    }

    #[test]
    fn a_lab_that_leaves_a_process_running_fails_naming_it() {
        let test = "ending::tests::starts_processes_and_lets_them_go";
        let (status, output) = run_alone(test, "ENDING_NAMED");
        assert_eq!(status, Some(super::ENDED_BY_LAB_CODE), "{output}");
        assert!(
            output.contains("still running when the tests ended"),
            "{output}"
        );
        assert!(output.contains("sleep 300"), "{output}");
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn what_a_lab_starts_ends_with_its_test_binary() {
        let probe = format!("ENDING_PROBE_{}", std::process::id());
        // Not through `runner`, which would kill what is left itself. Without pipes to hold
        // open, the binary's end is the end of the wait.
        let status = Command::new(std::env::current_exe().unwrap())
            .args([
                "--ignored",
                "--exact",
                "ending::tests::starts_processes_and_lets_them_go",
            ])
            .env(&probe, "1")
            .env(CHILD, "1")
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .unwrap();
        assert_eq!(status.code(), Some(super::ENDED_BY_LAB_CODE), "{status}");
        // A killed process takes a moment to be gone: look again for up to 2 s.
        let started = std::time::Instant::now();
        let mut left = still_running(&probe);
        while !left.is_empty() && started.elapsed() < Duration::from_secs(2) {
            std::thread::sleep(Duration::from_millis(5)); // polling the process table
            left = still_running(&probe);
        }
        if !left.is_empty() {
            // Not left behind by this test, whatever its verdict.
            let killing = Command::new("kill")
                .arg("-KILL")
                .arg("--")
                .args(&left)
                .status();
            assert!(killing.is_ok_and(|killed| killed.success()));
        }
        assert!(left.is_empty(), "processes left running: {left:?}");
    }
}
