//! `cargo xtask reset N [--yes]`: puts a lab back to its pristine starter, exactly as
//! `sync-labs` writes it, after saving the student's files in a new numbered folder of the lab,
//! `labs/stepN-*/saved-1/`, then `saved-2/`..., which git ignores. Numbers, not dates: they
//! sort, say which save came last, and need no calendar in the students' build.

use std::fs;
use std::path::{Path, PathBuf};

use crate::grade::sources::slashed;
use crate::steps::Step;
use crate::sync;

pub const USAGE: &str = "usage: cargo xtask reset N [--yes]

Puts lab N back as it was on a fresh clone: the starter that `cargo xtask sync-labs` writes.
Your files are saved first in the lab's folder, in labs/stepN-*/saved-1/ (then saved-2/ and so
on: the highest number is the latest), with the files you added; git ignores these folders. A
lab with changes is reset only with --yes.";

/// What the lab's folder holds, beside the saved folders, compared with its pristine starter.
#[derive(Debug, PartialEq)]
pub enum Change {
    /// A starter file whose text differs.
    Edited(PathBuf),
    /// A file the starter does not have.
    Added(PathBuf),
    /// A starter file that is gone.
    Missing(PathBuf),
}

/// Saved folders start with this.
const SAVED: &str = "saved-";

pub fn main(root: &Path, args: &[&str]) -> Result<(), String> {
    let (number, yes) = match args {
        ["--help" | "-h" | "help"] => {
            println!("{USAGE}");
            return Ok(());
        }
        [number] => (*number, false),
        [number, "--yes"] | ["--yes", number] => (*number, true),
        _ => return Err(format!("expected a step number\n\n{USAGE}")),
    };
    let step = crate::steps::parse_step(number)?;
    let lab = format!("labs/{}", step.dir);
    let changes = changes(root, step)?;
    if changes.is_empty() {
        println!("reset: {lab} is the pristine starter already; nothing to do");
        return Ok(());
    }
    if !yes {
        return Err(format!(
            "{lab} has changes:\n{}\nThey would be saved in {lab}/{SAVED}N/ before the \
             starter is put back. To do it: cargo xtask reset {} --yes",
            describe(&changes),
            step.number
        ));
    }
    let saved = reset(root, step, &changes)?;
    println!(
        "reset: your files are saved in {lab}/{saved}/:\n{}{lab} is the pristine starter again",
        describe(&changes)
    );
    Ok(())
}

fn describe(changes: &[Change]) -> String {
    let line = |change: &Change| match change {
        Change::Edited(path) => format!("  changed  {}\n", slashed(path)),
        Change::Added(path) => format!("  added    {}\n", slashed(path)),
        Change::Missing(path) => format!("  deleted  {}\n", slashed(path)),
    };
    changes.iter().map(line).collect()
}

/// The pristine files of the lab: their paths inside the lab's folder, and their text.
fn pristine(root: &Path, step: &Step) -> Result<Vec<(PathBuf, String)>, String> {
    let lab = Path::new("labs").join(step.dir);
    let files = sync::generate(root)?.into_iter().filter_map(|file| {
        let inside = file.path.strip_prefix(&lab).ok()?.to_path_buf();
        Some((inside, file.text))
    });
    Ok(files.collect())
}

/// How the lab of `step` differs from its pristine starter, in the order of the paths.
pub fn changes(root: &Path, step: &Step) -> Result<Vec<Change>, String> {
    let dir = root.join("labs").join(step.dir);
    let pristine = pristine(root, step)?;
    let present = files_in(&dir, Path::new(""))?;
    let mut changes = Vec::new();
    for (path, text) in &pristine {
        match fs::read(dir.join(path)) {
            Ok(bytes) if bytes == text.as_bytes() => {}
            Ok(_) => changes.push(Change::Edited(path.clone())),
            Err(_) => changes.push(Change::Missing(path.clone())),
        }
    }
    for path in present {
        if !pristine.iter().any(|(p, _)| *p == path) {
            changes.push(Change::Added(path));
        }
    }
    changes.sort_by(|a, b| path_of(a).cmp(path_of(b)));
    Ok(changes)
}

fn path_of(change: &Change) -> &Path {
    match change {
        Change::Edited(path) | Change::Added(path) | Change::Missing(path) => path,
    }
}

/// Every file under `dir`, as paths from the lab's folder, leaving out the saved folders.
fn files_in(dir: &Path, inside: &Path) -> Result<Vec<PathBuf>, String> {
    let mut found = Vec::new();
    let Ok(entries) = fs::read_dir(dir) else {
        return Ok(found);
    };
    for entry in entries {
        let entry = entry.map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
        let name = entry.file_name();
        let path = inside.join(&name);
        let is_saved = inside.as_os_str().is_empty() && name.to_string_lossy().starts_with(SAVED);
        if entry.path().is_dir() {
            if !is_saved {
                found.extend(files_in(&entry.path(), &path)?);
            }
        } else {
            found.push(path);
        }
    }
    Ok(found)
}

/// Saves the edited and added files in a new saved folder, then writes the starter back and
/// removes the added files. Returns the saved folder's name.
pub fn reset(root: &Path, step: &Step, changes: &[Change]) -> Result<String, String> {
    let dir = root.join("labs").join(step.dir);
    // One more than the highest number saved so far.
    let last = fs::read_dir(&dir)
        .map(|entries| {
            let numbers = entries.flatten().filter_map(|entry| {
                let name = entry.file_name().to_string_lossy().into_owned();
                name.strip_prefix(SAVED)?.parse::<u32>().ok()
            });
            numbers.max().unwrap_or(0)
        })
        .unwrap_or(0);
    let name = format!("{SAVED}{}", last + 1);
    let saved = dir.join(&name);
    for change in changes {
        if let Change::Edited(path) | Change::Added(path) = change {
            let to = saved.join(path);
            let parent = to.parent().expect("a file in a folder");
            fs::create_dir_all(parent)
                .and_then(|()| fs::copy(dir.join(path), &to))
                .map_err(|e| format!("cannot save {}: {e}; nothing was reset", to.display()))?;
        }
    }
    for (path, text) in pristine(root, step)? {
        let to = dir.join(&path);
        if fs::read(&to).is_ok_and(|bytes| bytes == text.as_bytes()) {
            continue;
        }
        let parent = to.parent().expect("a file in a folder");
        fs::create_dir_all(parent)
            .and_then(|()| fs::write(&to, text))
            .map_err(|e| format!("cannot write {}: {e}", to.display()))?;
    }
    for change in changes {
        if let Change::Added(path) = change {
            let path = dir.join(path);
            fs::remove_file(&path).map_err(|e| format!("cannot remove {}: {e}", path.display()))?;
        }
    }
    remove_empty_folders(&dir);
    Ok(name)
}

/// Removes the folders under `dir` that the removal of added files left empty.
fn remove_empty_folders(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for path in entries.flatten().map(|e| e.path()).filter(|p| p.is_dir()) {
        remove_empty_folders(&path);
        // Fails, as it should, unless the folder is empty.
        let _ = fs::remove_dir(&path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grade::sources::scratch;
    use crate::steps::step;

    /// A workbook with only what `sync-labs` needs (the reference: the steps and the given
    /// files they include) and the labs it writes.
    fn workbook(name: &str) -> PathBuf {
        let dir = scratch(name);
        let root = crate::workspace_root();
        fs::create_dir_all(dir.join("solutions/src")).unwrap();
        for entry in fs::read_dir(root.join("solutions/src")).unwrap() {
            let path = entry.unwrap().path();
            if path.is_file() {
                fs::copy(
                    &path,
                    dir.join("solutions/src").join(path.file_name().unwrap()),
                )
                .unwrap();
            }
        }
        sync::write(&dir).unwrap();
        dir
    }

    #[test]
    fn a_reset_saves_the_students_files_and_puts_the_starter_back() {
        let root = workbook("reset-saves");
        let lab_step = step(3).unwrap();
        let lab = root.join("labs").join(lab_step.dir);
        assert_eq!(changes(&root, lab_step).unwrap(), []);

        let pristine_lib = fs::read_to_string(lab.join("src/lib.rs")).unwrap();
        fs::write(lab.join("src/lib.rs"), "// my work\n").unwrap();
        fs::create_dir_all(lab.join("src/parts")).unwrap();
        fs::write(lab.join("src/parts/url.rs"), "// my module\n").unwrap();
        fs::remove_file(lab.join("src/main.rs")).unwrap();
        let found = changes(&root, lab_step).unwrap();
        assert_eq!(
            found,
            [
                Change::Edited("src/lib.rs".into()),
                Change::Missing("src/main.rs".into()),
                Change::Added(Path::new("src/parts").join("url.rs")),
            ]
        );

        let saved = reset(&root, lab_step, &found).unwrap();
        assert_eq!(saved, "saved-1");
        let saved = lab.join(saved);
        assert_eq!(
            fs::read_to_string(saved.join("src/lib.rs")).unwrap(),
            "// my work\n"
        );
        assert_eq!(
            fs::read_to_string(saved.join("src/parts/url.rs")).unwrap(),
            "// my module\n"
        );
        assert_eq!(
            fs::read_to_string(lab.join("src/lib.rs")).unwrap(),
            pristine_lib
        );
        assert!(!lab.join("src/parts").exists(), "the added module is gone");
        assert!(
            sync::stale(&root).unwrap().is_empty(),
            "every lab is pristine"
        );
        assert_eq!(
            changes(&root, lab_step).unwrap(),
            [],
            "the saved folder is no change"
        );

        // A second reset gets the next number, also after a gap (a folder removed by hand).
        fs::rename(lab.join("saved-1"), lab.join("saved-7")).unwrap();
        fs::write(lab.join("src/lib.rs"), "// more work\n").unwrap();
        let found = changes(&root, lab_step).unwrap();
        let again = reset(&root, lab_step, &found).unwrap();
        assert_eq!(again, "saved-8");
        fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn a_lab_with_changes_is_not_reset_without_yes() {
        let root = workbook("reset-refuses");
        assert!(main(&root, &["1"]).is_ok(), "a pristine lab needs no --yes");
        let lab = root.join("labs").join(step(1).unwrap().dir);
        fs::write(lab.join("src/lib.rs"), "// my work\n").unwrap();
        let refused = main(&root, &["1"]).unwrap_err();
        assert!(refused.contains("  changed  src/lib.rs\n"), "{refused}");
        assert!(refused.contains("cargo xtask reset 1 --yes"), "{refused}");
        assert_eq!(
            fs::read_to_string(lab.join("src/lib.rs")).unwrap(),
            "// my work\n",
            "nothing was touched"
        );
        assert!(main(&root, &["1", "--yes"]).is_ok());
        assert_eq!(changes(&root, step(1).unwrap()).unwrap(), []);
        fs::remove_dir_all(&root).unwrap();
    }
}
