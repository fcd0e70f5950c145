//! The labs' pristine starters, as the course published them, for `cargo xtask reset`.
//!
//! In the course's own repository this module writes the labs from the reference. This one has
//! no reference, so `cargo xtask export` keeps a copy of every starter in `xtask/starters/`,
//! one folder per lab, and this module reads them from there.

use std::fs;
use std::path::{Path, PathBuf};

/// Where the copies of the starters are, from the workspace root.
const STARTERS: &str = "xtask/starters";

/// A file of a pristine lab: its path from the workspace root, and its text.
pub struct Generated {
    pub path: PathBuf,
    pub text: String,
}

/// Every file of every pristine lab: each folder of the starters is the lab of that name.
pub fn generate(root: &Path) -> Result<Vec<Generated>, String> {
    let mut files = Vec::new();
    collect(&root.join(STARTERS), Path::new("labs"), &mut files)?;
    Ok(files)
}

/// Adds the files under `dir` to `files`, as files under `into`.
fn collect(dir: &Path, into: &Path, files: &mut Vec<Generated>) -> Result<(), String> {
    let entries = fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    let mut paths: Vec<PathBuf> = entries.flatten().map(|entry| entry.path()).collect();
    paths.sort();
    for path in paths {
        let name = path.file_name().expect("a named entry");
        if path.is_dir() {
            collect(&path, &into.join(name), files)?;
        } else {
            let text = fs::read_to_string(&path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            files.push(Generated {
                path: into.join(name),
                text,
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::steps::STEPS;

    #[test]
    fn every_step_has_a_starter_with_its_library_and_test_host() {
        let files = generate(&crate::workspace_root()).unwrap();
        for step in STEPS {
            let lab = Path::new("labs").join(step.dir);
            for file in ["src/lib.rs", "src/main.rs", "Cargo.toml"] {
                let path = lab.join(file);
                assert!(
                    files.iter().any(|f| f.path == path),
                    "{} is missing",
                    path.display()
                );
            }
        }
    }
}
