//! A scripted session of `watch` on a copy of the workbook, read as an editor's run pane reads
//! it (no terminal): a student pastes an answer, saves, and sees the step turn green and the
//! next one start. It builds the labs, so it is ignored by a plain `cargo test` and run by
//! `cargo xtask verify`, in a target folder of its own, when it is the golden cases' turn (one
//! build at a time).

use std::fs;
use std::io::{self, Write};
use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver, Sender};
use std::time::{Duration, Instant};

use super::{Event, Screen, Watch, run};
use crate::grade::golden::BUILD_FOLDER;
use crate::grade::sources::{TestsFrom, mirror, scratch, trusted};
use crate::{sync, workspace_root};

/// Where the session builds, from the workspace root.
const TARGET: &str = "target/watch-scripted";
/// The first run builds step 1's lab, and its dependencies when the build folder is new.
const FIRST_RUN: Duration = Duration::from_secs(600);
/// A save rebuilds one lab and runs its tests, after the other labs' first build.
const A_RUN: Duration = Duration::from_secs(120);

/// What the session prints, line by line, as a pipe would carry it.
struct Pane(Sender<Vec<u8>>);

impl Write for Pane {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        let _ = self.0.send(bytes.to_vec());
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Everything printed so far, and where the script has read up to.
struct Reader {
    pane: Receiver<Vec<u8>>,
    text: String,
    read: usize,
}

impl Reader {
    /// Waits until `expected` is printed after what was read so far, and reads past it.
    fn wait_for(&mut self, expected: &str, limit: Duration) {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(at) = self.text[self.read..].find(expected) {
                self.read += at + expected.len();
                return;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            match self.pane.recv_timeout(left) {
                Ok(bytes) => self.text += &String::from_utf8_lossy(&bytes),
                Err(_) => panic!(
                    "watch did not print {expected:?} within {limit:?}; it printed:\n{}",
                    self.text
                ),
            }
        }
    }
}

/// A copy of the workbook with pristine labs, removed when dropped.
struct Copy(PathBuf);

impl Drop for Copy {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

#[test]
#[ignore = "slow: builds the labs; `cargo xtask verify` runs it"]
fn a_saved_answer_turns_the_step_green_and_the_next_one_starts() {
    let _turn = BUILD_FOLDER.lock().unwrap_or_else(|e| e.into_inner());
    let root = workspace_root();
    let copy = Copy(scratch("watch"));
    mirror(&trusted(&root, &TestsFrom::WorkingTree).unwrap(), &copy.0).unwrap();
    sync::write(&copy.0).unwrap();

    let watch = Watch {
        root: copy.0.clone(),
        step: None,
        // A target folder of its own: cargo names a path package's artifacts alike wherever
        // its workspace lies, and would take the golden cases' build for the copy's, or the
        // other way round, with the other's paths built in (a lab program's web root). The
        // copy is new on each run, so its files are newer than what the last run built.
        target: root.join(TARGET),
    };
    let (sender, events) = mpsc::channel();
    let (pane, printed) = mpsc::channel();
    let quit = sender.clone();
    let screen = Screen {
        redraw: false,
        how_to_quit: "q then Enter quits",
    };
    let session =
        std::thread::spawn(move || run(&watch, sender, &events, &mut Pane(pane), &screen));
    let mut reader = Reader {
        pane: printed,
        text: String::new(),
        read: 0,
    };

    // On a pristine copy, the first step not done is step 1.
    reader.wait_for("> step 1  [....................]", FIRST_RUN);
    reader.wait_for("step 1, the first failing test: step1::", A_RUN);
    reader.wait_for("watching labs/step1-echo/src", A_RUN);

    // The student pastes the answer and saves.
    let answer = fs::read_to_string(root.join("solutions/src/step1.rs")).unwrap();
    fs::write(copy.0.join("labs/step1-echo/src/lib.rs"), answer).unwrap();
    reader.wait_for("watch: labs/step1-echo changed; testing step 1...", A_RUN);
    reader.wait_for(
        "Step 1 turned green: all its tests pass. See the reference's way: cargo xtask \
         solution 1\n",
        A_RUN,
    );
    reader.wait_for("> step 1  [####################]", A_RUN);
    reader.wait_for("On to Step 2: the time server.", A_RUN);
    reader.wait_for("step 2, the first failing test: step2::", A_RUN);
    reader.wait_for("watching labs/step2-time-server/src", A_RUN);

    quit.send(Event::Quit).unwrap();
    reader.wait_for("watch: stopped", A_RUN);
    session.join().unwrap().unwrap();
}
