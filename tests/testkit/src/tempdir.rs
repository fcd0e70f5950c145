//! Temporary folders for tests: a web root made for one test, a browser's profile.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// A new, empty folder under the system's temporary folder, removed with its contents on drop.
pub struct TempDir {
    path: PathBuf,
}

impl TempDir {
    /// Creates `<temp>/<prefix>-<pid>-<time>-<n>`; the name is new, so nothing else uses it.
    pub fn new(prefix: &str) -> Result<TempDir, String> {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        loop {
            let n = COUNTER.fetch_add(1, Ordering::Relaxed);
            let name = format!("{prefix}-{}-{nanos}-{n}", std::process::id());
            let path = std::env::temp_dir().join(name);
            match std::fs::create_dir(&path) {
                Ok(()) => return Ok(TempDir { path }),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(format!("cannot create {}: {e}", path.display())),
            }
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Writes `contents` to the file `relative` (a path with `/` between folders) inside this
    /// folder, creating the folders on the way; returns the file's path. Fails the test if it
    /// cannot.
    pub fn write(&self, relative: &str, contents: &[u8]) -> PathBuf {
        let file = self.path.join(relative);
        if let Some(folder) = file.parent() {
            std::fs::create_dir_all(folder)
                .unwrap_or_else(|e| panic!("cannot create {}: {e}", folder.display()));
        }
        std::fs::write(&file, contents)
            .unwrap_or_else(|e| panic!("cannot write {}: {e}", file.display()));
        file
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temporary_folders_are_new_and_removed_on_drop() {
        let first = TempDir::new("testkit-tempdir").unwrap();
        let second = TempDir::new("testkit-tempdir").unwrap();
        assert_ne!(first.path(), second.path());
        let file = first.write("a/b/file", b"x");
        assert_eq!(std::fs::read(&file).unwrap(), b"x");
        let kept = first.path().to_path_buf();
        drop(first);
        assert!(!kept.exists());
    }
}
