//! The files a grade is made of. Everything but the labs' `src/` folders is trusted: the suites,
//! the test hosts, the Cargo files and the test support come from a revision the student cannot
//! change (or, locally, from the checkout as it is). Only `labs/*/src/` comes from the student's
//! checkout. The grade builds them in a workspace of its own, which [`mirror`] keeps up to
//! date without touching unchanged files, so that cargo rebuilds only what changed.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use crate::steps::{STEPS, Step};

/// Where the trusted files come from.
#[derive(Clone, Debug, PartialEq)]
pub enum TestsFrom {
    /// The checkout's files as they are: the student's own view, not tamper-proof.
    WorkingTree,
    /// A git revision of the checkout (a commit, branch or tag).
    Revision(String),
    /// The files of another checkout as they are: the course's, where a platform hands the
    /// grader the student's labs alone (GitHub Classroom, Gradescope).
    Checkout(std::path::PathBuf),
}

pub struct File {
    pub bytes: Vec<u8>,
    pub executable: bool,
}

/// Files by their path from the workspace root, with `/` between folders.
pub type Files = BTreeMap<String, File>;

/// Top-level folders of a checkout that are not part of its sources.
const NOT_SOURCES: &[&str] = &[".git", "target", "docs/book"];

/// The trusted files: every file of the revision, or of the working tree of `checkout`.
pub fn trusted(checkout: &Path, from: &TestsFrom) -> Result<Files, String> {
    match from {
        TestsFrom::WorkingTree => {
            let mut files = Files::new();
            walk(checkout, "", &mut files)?;
            Ok(files)
        }
        TestsFrom::Revision(revision) => at_revision(checkout, revision),
        TestsFrom::Checkout(dir) => {
            let mut files = Files::new();
            walk(dir, "", &mut files)?;
            Ok(files)
        }
    }
}

/// How much a lab's `src/` may hold: far more than a solution needs, far less than would
/// strain the grader.
const LAB_SOURCES_LIMIT: u64 = 8 << 20;

/// Replaces, in `files`, the `src/` folder of the lab of each step with the student's.
pub fn take_labs(files: &mut Files, checkout: &Path, steps: &[&Step]) -> Result<(), String> {
    for step in steps {
        let src = format!("labs/{}/src", step.dir);
        let size = size_of(&checkout.join(&src));
        if size > LAB_SOURCES_LIMIT {
            return Err(format!(
                "{src} holds {size} bytes, more than the {LAB_SOURCES_LIMIT} a lab may: no grade"
            ));
        }
        files.retain(|path, _| !path.starts_with(&format!("{src}/")));
        walk(&checkout.join(&src), &src, files)?;
    }
    Ok(())
}

/// The bytes of the regular files under `dir`, links not followed.
fn size_of(dir: &Path) -> u64 {
    let Ok(entries) = fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|entry| match entry.file_type() {
            Ok(kind) if kind.is_dir() => size_of(&entry.path()),
            Ok(kind) if kind.is_file() => entry.metadata().map_or(0, |m| m.len()),
            _ => 0,
        })
        .sum()
}

/// Makes `dir` hold exactly `files`: writes those that differ and removes the others.
pub fn mirror(files: &Files, dir: &Path) -> Result<(), String> {
    let mut present = Files::new();
    if dir.is_dir() {
        walk(dir, "", &mut present)?;
    }
    for path in present.keys().filter(|path| !files.contains_key(*path)) {
        let path = dir.join(path);
        fs::remove_file(&path).map_err(|e| format!("cannot remove {}: {e}", path.display()))?;
    }
    for (relative, file) in files {
        let same = present
            .get(relative)
            .is_some_and(|old| old.bytes == file.bytes && old.executable == file.executable);
        if same {
            continue;
        }
        let path = dir.join(relative);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        fs::write(&path, &file.bytes)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        set_executable(&path, file.executable)?;
    }
    Ok(())
}

/// Every path changed since the point where the checkout's `HEAD` branched off `revision`:
/// committed or not, deleted, or new. For a pull request based on `revision`, what it changes.
pub fn changed_since(checkout: &Path, revision: &str) -> Result<Vec<String>, String> {
    let base = text(git(checkout, &["merge-base", revision, "HEAD"])?);
    let changed = git(
        checkout,
        &["diff", "--name-only", "--no-renames", base.trim()],
    )?;
    let added = git(checkout, &["ls-files", "--others", "--exclude-standard"])?;
    let mut paths: Vec<String> = text(changed)
        .lines()
        .chain(text(added).lines())
        .map(String::from)
        .collect();
    paths.sort();
    paths.dedup();
    Ok(paths)
}

/// Whether `path` is in the `src/` folder of a lab: the only files a grade takes from the
/// student.
pub fn is_lab_source(path: &str) -> bool {
    STEPS
        .iter()
        .any(|step| path.starts_with(&format!("labs/{}/src/", step.dir)))
}

/// The full commit id of the checkout's `HEAD`, if it is a git checkout.
pub fn commit(checkout: &Path) -> Option<String> {
    let id = git(checkout, &["rev-parse", "--verify", "HEAD^{commit}"]).ok()?;
    Some(text(id).trim().to_string())
}

/// The files of the student's lab that the grade does not build, yet that only a submission
/// trying to pass for tests would add: extra targets under `src/bin/`.
pub fn extra_targets(checkout: &Path, step: &Step) -> Vec<String> {
    let bin = format!("labs/{}/src/bin", step.dir);
    let mut files = Files::new();
    let _ = walk(&checkout.join(&bin), &bin, &mut files);
    files
        .into_keys()
        .map(|path| {
            format!(
                "{path}: an extra target, which the grade does not build (only the suites count)"
            )
        })
        .collect()
}

/// How `dir` differs from `files`, in words: `deleted PATH`, `changed PATH` (its bytes, or
/// whether it may be run, or a file become a link or a folder), `added PATH`. `ours` are paths
/// that may be there besides (bwrap's mount points in a decoy). `.git`, `target` and the built
/// book at the top are not compared, as in a checkout.
pub fn differences(files: &Files, dir: &Path, ours: &[String]) -> Vec<String> {
    let mut listed = Vec::new();
    list(dir, "", &mut listed);
    let present: BTreeMap<String, Entry> = listed.into_iter().collect();
    let mut expected: BTreeSet<&str> = BTreeSet::new();
    for path in files.keys().chain(ours) {
        // A path, and each of its folders.
        let mut end = path.len();
        loop {
            expected.insert(&path[..end]);
            match path[..end].rfind('/') {
                Some(slash) => end = slash,
                None => break,
            }
        }
    }
    let mut differences = Vec::new();
    for (path, file) in files {
        match present.get(path) {
            None => differences.push(format!("deleted {path}")),
            Some(Entry::File(bytes, executable))
                if *bytes == file.bytes && *executable == file.executable => {}
            Some(_) => differences.push(format!("changed {path}")),
        }
    }
    for path in present.keys().filter(|p| !expected.contains(p.as_str())) {
        differences.push(format!("added {path}"));
    }
    differences
}

/// What a folder holds, as [`list`] finds it.
enum Entry {
    /// A file's bytes, and whether it may be run.
    File(Vec<u8>, bool),
    /// A file that could not be read, and why.
    Unreadable(String),
    /// A folder, a link, or anything else that is not a file.
    Other,
}

/// Every entry under `dir`, named `prefix/...`, links not followed, leaving out
/// [`NOT_SOURCES`] at the top. A folder that cannot be read adds nothing.
fn list(dir: &Path, prefix: &str, entries: &mut Vec<(String, Entry)>) {
    let Ok(read) = fs::read_dir(dir) else { return };
    for entry in read.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let relative = if prefix.is_empty() {
            name
        } else {
            format!("{prefix}/{name}")
        };
        if NOT_SOURCES.contains(&relative.as_str()) {
            continue;
        }
        let path = entry.path();
        match entry.file_type() {
            Ok(kind) if kind.is_dir() => {
                list(&path, &relative, entries);
                entries.push((relative, Entry::Other));
            }
            Ok(kind) if kind.is_file() => match fs::read(&path) {
                Ok(bytes) => entries.push((relative, Entry::File(bytes, is_executable(&path)))),
                Err(e) => entries.push((relative, Entry::Unreadable(e.to_string()))),
            },
            _ => entries.push((relative, Entry::Other)),
        }
    }
}

/// A relative path with `/` between its folders, as [`Files`] names them.
pub fn slashed(path: &Path) -> String {
    let parts: Vec<String> = path
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    parts.join("/")
}

/// `revision` as a short commit id, checking that it names a commit.
pub fn short_commit(checkout: &Path, revision: &str) -> Result<String, String> {
    let commit = format!("{revision}^{{commit}}");
    let id = text(git(
        checkout,
        &["rev-parse", "--short", "--verify", &commit],
    )?);
    Ok(id.trim().to_string())
}

/// Every regular file of `revision`, read with git's plumbing: the tree's listing, then the
/// contents of its blobs in one batch.
fn at_revision(checkout: &Path, revision: &str) -> Result<Files, String> {
    let listing = git(checkout, &["ls-tree", "-r", "-z", "--full-tree", revision])?;
    // Each entry is `MODE TYPE ID\tPATH`; links and submodules are left out.
    let mut entries = Vec::new();
    for entry in listing.split(|&b| b == 0).filter(|e| !e.is_empty()) {
        let entry = String::from_utf8_lossy(entry);
        let (meta, path) = entry
            .split_once('\t')
            .ok_or_else(|| format!("git ls-tree: unexpected line {entry:?}"))?;
        let fields: Vec<&str> = meta.split(' ').collect();
        if let ["100644" | "100755", "blob", id] = fields.as_slice() {
            entries.push((path.to_string(), id.to_string(), fields[0] == "100755"));
        }
    }
    let ids: String = entries.iter().map(|(_, id, _)| format!("{id}\n")).collect();
    let output = batch(checkout, ids.as_bytes())?;
    let mut blobs = output.as_slice();
    let mut files = Files::new();
    for (path, _, executable) in entries {
        let bytes = next_blob(&mut blobs).ok_or("git cat-file: fewer blobs than asked for")?;
        files.insert(path, File { bytes, executable });
    }
    Ok(files)
}

/// `git cat-file --batch` with `input` (one object id a line): its output.
fn batch(checkout: &Path, input: &[u8]) -> Result<Vec<u8>, String> {
    let mut child = Command::new("git")
        .args(["cat-file", "--batch"])
        .current_dir(checkout)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run git: {e}"))?;
    let mut stdin = child.stdin.take().expect("piped stdin");
    let input = input.to_vec();
    // Written on a thread, so that neither side waits for the other with a full pipe.
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let output = child
        .wait_with_output()
        .map_err(|e| format!("git cat-file: {e}"))?;
    let _ = writer.join();
    if !output.status.success() {
        return Err(format!(
            "git cat-file failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    Ok(output.stdout)
}

/// Takes the next `ID blob SIZE\nCONTENT\n` record off `output`.
fn next_blob(output: &mut &[u8]) -> Option<Vec<u8>> {
    let header_end = output.iter().position(|&b| b == b'\n')?;
    let header = std::str::from_utf8(&output[..header_end]).ok()?;
    let size: usize = header.rsplit(' ').next()?.parse().ok()?;
    let start = header_end + 1;
    let bytes = output.get(start..start + size)?.to_vec();
    *output = output.get(start + size + 1..).unwrap_or_default();
    Some(bytes)
}

/// Adds to `files` every regular file under `dir`, named `prefix/...`, leaving out
/// [`NOT_SOURCES`] at the top of a checkout. A missing `dir` adds nothing.
fn walk(dir: &Path, prefix: &str, files: &mut Files) -> Result<(), String> {
    let mut entries = Vec::new();
    list(dir, prefix, &mut entries);
    for (relative, entry) in entries {
        match entry {
            Entry::File(bytes, executable) => {
                files.insert(relative, File { bytes, executable });
            }
            Entry::Unreadable(error) => {
                return Err(format!(
                    "cannot read {relative} in {}: {error}",
                    dir.display()
                ));
            }
            Entry::Other => {}
        }
    }
    Ok(())
}

fn git(checkout: &Path, args: &[&str]) -> Result<Vec<u8>, String> {
    let output = Command::new("git")
        .args(args)
        .current_dir(checkout)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run git (is it installed?): {e}"))?;
    if output.status.success() {
        Ok(output.stdout)
    } else {
        Err(format!(
            "`git {}` in {} failed: {}",
            args.join(" "),
            checkout.display(),
            String::from_utf8_lossy(&output.stderr).trim()
        ))
    }
}

fn text(bytes: Vec<u8>) -> String {
    String::from_utf8_lossy(&bytes).into_owned()
}

#[cfg(unix)]
pub fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(path).is_ok_and(|m| m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
pub fn is_executable(_: &Path) -> bool {
    false
}

#[cfg(unix)]
fn set_executable(path: &Path, executable: bool) -> Result<(), String> {
    use std::os::unix::fs::PermissionsExt;
    let mode = if executable { 0o755 } else { 0o644 };
    fs::set_permissions(path, fs::Permissions::from_mode(mode))
        .map_err(|e| format!("cannot set the mode of {}: {e}", path.display()))
}

#[cfg(not(unix))]
fn set_executable(_: &Path, _: bool) -> Result<(), String> {
    Ok(())
}

/// A folder under the system's temporary folder, for the tests of this module and the golden
/// tests of the grade.
#[cfg(test)]
pub fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("xtask-{name}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> File {
        File {
            bytes: text.as_bytes().to_vec(),
            executable: false,
        }
    }

    #[test]
    fn mirroring_writes_what_differs_and_removes_the_rest() {
        let dir = scratch("mirror");
        fs::create_dir_all(dir.join("a")).unwrap();
        fs::write(dir.join("a/old.rs"), "old").unwrap();
        fs::write(dir.join("same.rs"), "same").unwrap();
        let before = fs::metadata(dir.join("same.rs"))
            .unwrap()
            .modified()
            .unwrap();
        let files = Files::from([
            ("same.rs".to_string(), file("same")),
            ("b/new.rs".to_string(), file("new")),
        ]);
        mirror(&files, &dir).unwrap();
        assert!(!dir.join("a/old.rs").exists());
        assert_eq!(fs::read_to_string(dir.join("b/new.rs")).unwrap(), "new");
        let after = fs::metadata(dir.join("same.rs"))
            .unwrap()
            .modified()
            .unwrap();
        assert_eq!(before, after, "an unchanged file is left alone, for cargo");
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn blobs_are_read_one_after_another() {
        let mut output: &[u8] = b"aaa blob 3\nabc\nbbb blob 0\n\n";
        assert_eq!(next_blob(&mut output).unwrap(), b"abc");
        assert_eq!(next_blob(&mut output).unwrap(), b"");
        assert_eq!(next_blob(&mut output), None);
    }

    #[test]
    fn a_revision_gives_the_files_it_holds() {
        let root = crate::workspace_root();
        if !root.join(".git").exists() {
            return; // a downloaded archive, not a git checkout: there is no revision to read
        }
        let files = at_revision(&root, "HEAD").unwrap();
        let manifest = &files["Cargo.toml"];
        assert!(String::from_utf8_lossy(&manifest.bytes).contains("[workspace]"));
        assert!(files["webroot/make_time"].executable);
        assert!(!files.keys().any(|path| path.starts_with("target/")));
    }
}
