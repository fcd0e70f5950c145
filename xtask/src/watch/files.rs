//! What `watch` watches: the Rust files of every lab's `src/`, read a few times a second. A
//! lab is a handful of small files, so reading them costs nothing, works on every file system
//! (network drives and shared folders send no file events) and keeps a file-event crate and
//! its nine dependencies out of the students' build (maintainer guide, "The students' tasks").

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::mpsc::Sender;
use std::thread;
use std::time::Duration;

use super::Event;
use crate::steps::{STEPS, Step};

/// How often the labs are read: a save shows within a quarter of a second.
const POLL_INTERVAL: Duration = Duration::from_millis(250);

/// Reads the labs under `root` on a thread of its own; each lab whose files change is sent as
/// [`Event::Changed`]. It stops when the receiver is gone.
pub fn watch(root: PathBuf, events: Sender<Event>) {
    thread::spawn(move || {
        let mut seen: BTreeMap<u8, Snapshot> = STEPS
            .iter()
            .map(|step| (step.number, Snapshot::of(&root, step)))
            .collect();
        loop {
            thread::sleep(POLL_INTERVAL); // the pace of the polling, not a wait for readiness
            for step in STEPS {
                let now = Snapshot::of(&root, step);
                if seen.get(&step.number) != Some(&now) {
                    seen.insert(step.number, now);
                    if events.send(Event::Changed(step.number)).is_err() {
                        return;
                    }
                }
            }
        }
    });
}

/// The Rust files of a lab's `src/` and their bytes: a save that leaves them as they were (an
/// editor saving twice, a `touch`) does not run the tests again.
#[derive(Default, PartialEq)]
pub struct Snapshot(BTreeMap<PathBuf, Vec<u8>>);

impl Snapshot {
    pub fn of(root: &Path, step: &Step) -> Snapshot {
        let mut files = BTreeMap::new();
        let mut pending = vec![root.join("labs").join(step.dir).join("src")];
        while let Some(dir) = pending.pop() {
            let Ok(entries) = fs::read_dir(&dir) else {
                continue;
            };
            for path in entries.flatten().map(|entry| entry.path()) {
                if path.is_dir() {
                    pending.push(path);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    // A file being written may be gone a moment later: then it is not there.
                    if let Ok(bytes) = fs::read(&path) {
                        files.insert(path, bytes);
                    }
                }
            }
        }
        Snapshot(files)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grade::sources::scratch;
    use crate::steps::step;
    use std::sync::mpsc;
    use std::time::Instant;

    #[test]
    fn a_saved_file_is_reported_as_a_change_of_its_lab_only() {
        let root = scratch("watch-files");
        let lab = step(3).unwrap();
        let src = root.join("labs").join(lab.dir).join("src");
        fs::create_dir_all(&src).unwrap();
        fs::write(src.join("lib.rs"), "// start\n").unwrap();
        let (sender, events) = mpsc::channel();
        watch(root.clone(), sender);
        // Written after the first reading (on the watcher's thread) or before it: either way
        // the second file is a change once the watcher has seen the first.
        let started = Instant::now();
        let mut changed = Vec::new();
        while started.elapsed() < Duration::from_secs(10) && !changed.contains(&3) {
            fs::write(src.join("lib.rs"), format!("// {:?}\n", started.elapsed())).unwrap();
            if let Ok(Event::Changed(number)) = events.recv_timeout(POLL_INTERVAL * 2) {
                changed.push(number);
            }
        }
        assert_eq!(changed.first(), Some(&3), "{changed:?}");
        assert!(changed.iter().all(|&n| n == 3), "{changed:?}");
        fs::remove_dir_all(&root).unwrap();
    }
}
