//! What `watch` watches: the operating system's file events under `labs/` (or, with `--poll`,
//! notify's polling watcher, for the file systems whose events do not reach us: network drives,
//! some virtual machines' shared folders), and the contents of a lab's `src/`, which decide
//! whether a save changed anything.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::mpsc::Sender;
use std::time::Duration;

use notify::{Config, EventKind, PollWatcher, RecursiveMode, Watcher};

use super::Event;
use crate::steps::Step;

/// How often `--poll` looks at the files.
const POLL_INTERVAL: Duration = Duration::from_millis(500);

/// Starts watching `labs/` under `root`; each change is sent as [`Event::Changed`]. The watch
/// lasts as long as the returned watcher.
pub fn watch(root: &Path, poll: bool, events: Sender<Event>) -> Result<Box<dyn Watcher>, String> {
    let handler = move |result: notify::Result<notify::Event>| {
        let event = match result {
            // Reading a file (the grade reads the lab) is no change.
            Ok(event) if matches!(event.kind, EventKind::Access(_)) => return,
            Ok(event) => Event::Changed(event.paths),
            Err(error) => Event::WatchFailed(error.to_string()),
        };
        let _ = events.send(event);
    };
    let labs = root.join("labs");
    let mut watcher: Box<dyn Watcher> = if poll {
        let config = Config::default().with_poll_interval(POLL_INTERVAL);
        Box::new(PollWatcher::new(handler, config).map_err(|e| e.to_string())?)
    } else {
        Box::new(notify::recommended_watcher(handler).map_err(|e| e.to_string())?)
    };
    watcher
        .watch(&labs, RecursiveMode::Recursive)
        .map_err(|e| {
            format!(
                "cannot watch {}: {e}\nhint: `cargo xtask watch --poll` looks at the files \
                 twice a second instead",
                labs.display()
            )
        })?;
    Ok(watcher)
}

/// The names of the workspace root that file events may use: as given, and with its links
/// resolved, as macOS reports them (its temporary folder, `/var`, is a link to `/private/var`).
/// On Windows the resolved name starts with `\\?\`, which events do not use: the first name
/// serves there.
pub fn names_of(root: &Path) -> Vec<PathBuf> {
    let mut names = vec![root.to_path_buf()];
    names.extend(root.canonicalize().ok().filter(|resolved| resolved != root));
    names
}

/// Whether a change to `path` concerns the lab of `step`, under one of the root's `names`: a
/// Rust file in its `src/`, the only files the grade takes from the student (an editor's swap
/// and backup files are not).
pub fn concerns(names: &[PathBuf], step: &Step, path: &Path) -> bool {
    let in_src = |root: &PathBuf| path.starts_with(root.join("labs").join(step.dir).join("src"));
    names.iter().any(in_src) && path.extension().is_some_and(|e| e == "rs")
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
    use crate::steps::step;

    #[test]
    fn only_rust_files_in_the_labs_src_concern_it() {
        let names = [PathBuf::from("/w"), PathBuf::from("/private/w")];
        let lab = step(2).unwrap();
        let concerns = |path: &str| concerns(&names, lab, Path::new(path));
        assert!(concerns("/w/labs/step2-time-server/src/lib.rs"));
        assert!(concerns("/w/labs/step2-time-server/src/more/parts.rs"));
        assert!(!concerns("/w/labs/step2-time-server/src/.lib.rs.swp"));
        assert!(!concerns("/w/labs/step2-time-server/src/lib.rs~"));
        assert!(!concerns("/w/labs/step2-time-server/tests/step2.rs"));
        assert!(!concerns("/w/labs/step3-http-client/src/lib.rs"));
        assert!(concerns("/private/w/labs/step2-time-server/src/lib.rs"));
        assert!(!concerns("/elsewhere/labs/step2-time-server/src/lib.rs"));
    }
}
