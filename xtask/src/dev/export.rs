//! `cargo xtask export DIR [--steps 1-N]`: writes the repository that students fork, made from
//! this one without the answers.
//!
//! The export is a list of files chosen by rule, some copied as they are, some cut down, some
//! written anew ([`plan`]); nothing of it is a build of this workspace's own configuration, so
//! that the choice can be read in one place:
//!
//! - copied: the chosen labs, the suites their hosts include, the test support
//!   (`tests/testkit/`, not `tests/browser/`), `labcli/`, `runner/`, `webroot/`, the cargo and git
//!   settings, `grade.yml` and `classroom.yml`, and the students' tasks of xtask
//!   ([`STUDENT_MODULES`], with `xtask/hints.md`);
//! - cut down: the tables of steps and points to the chosen steps, the hints likewise, the
//!   tests that need a file the export leaves out, the dependencies on left-out packages, and
//!   the book without its instructors' and maintainers' pages (`export/book.rs`);
//! - written anew: the workspace's `Cargo.toml`, the README, the CI (`.ci/run`, `ci.yml`),
//!   xtask's `main.rs` (the students' tasks only) and `sync.rs`, which in the export reads the
//!   pristine starters from `xtask/starters/` (a copy of the labs as published) for `reset`.
//!
//! `export/scan.rs` checks that no answer is left in it, `export/check.rs` that it builds and
//! behaves as this repository does; `cargo xtask verify` runs both.

mod book;
pub mod check;
mod rust;
pub mod scan;

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::Command;

use crate::grade::sources::slashed;
use crate::steps::{STEPS, SUITES, Step};

pub const USAGE: &str = "usage: cargo xtask export DIR [--steps 1-N]

Writes into DIR (a new or empty folder) the repository that students fork: the labs of steps
1 to N (default: all), the suites, the test support, the students' tasks of xtask (watch,
hint, reset, grade, and solution, which says that the reference is not published there), the
web root and the book, without the reference, the protocol tools, the instructors' and
maintainers' pages and tasks. Then publish it:

  cd DIR && git init && git add --all && git commit -m \"The workbook, steps 1-N\"

and push it to the course's repository (the instructor guide, \"Publishing the labs\").";

/// The modules of `xtask/src` that the students' tasks need, each a file `NAME.rs` and its
/// folder `NAME/` if it has one. The export writes `main.rs` and `sync.rs` itself.
pub const STUDENT_MODULES: &[&str] = &[
    "command", "grade", "hint", "hosts", "libtest", "markers", "reset", "solution", "steps",
    "watch",
];

/// The book's pages for instructors and maintainers, left out with their links.
pub const OMITTED_PAGES: &[&str] = &[
    "instructor-guide.md",
    "instructor-demos.md",
    "maintainer-guide.md",
    "bench.md",
];

/// The workspace packages the export leaves out, by folder and by crate name.
pub const OMITTED_PACKAGES: &[(&str, &str)] = &[
    ("solutions", "solutions"),
    ("protocol-tools", "protocol-tools"),
    ("tests/browser", "browser"),
    ("library-examples", "library-examples"),
];

/// Copied as they are, when present.
const COPIED: &[&str] = &[
    ".cargo/config.toml",
    ".devcontainer",
    ".gitattributes",
    ".gitignore",
    ".github/workflows/grade.yml",
    // The students' edition of the book, online.
    ".github/workflows/pages.yml",
    // The template of a GitHub Classroom assignment is the export: its workflow goes with it.
    ".github/workflows/classroom.yml",
    "Cargo.lock",
    "labcli",
    "docs/book.toml",
    "docs/mermaid-init.js",
    "docs/src/images",
    "docs/src/mermaid",
    "runner",
    "tests/testkit",
    "webroot",
    "xtask/Cargo.toml",
    "xtask/tests",
];

/// Where the pristine starters are kept in the export, for `reset`.
pub const STARTERS: &str = "xtask/starters";

/// The written-anew files, kept beside this module.
const MAIN_RS: &str = include_str!("export/files/main.rs");
const SYNC_RS: &str = include_str!("export/files/sync.rs");
const README: &str = include_str!("export/files/README.md");
const CI_RUN: &str = include_str!("export/files/run");
const CI_YML: &str = include_str!("export/files/ci.yml");

pub struct File {
    pub bytes: Vec<u8>,
    pub executable: bool,
}

/// The export's files, by their path from its root with `/` between folders.
pub type Files = BTreeMap<String, File>;

pub fn main(root: &Path, args: &[&str]) -> Result<(), String> {
    let (dir, last) = match args {
        ["--help" | "-h" | "help"] => {
            println!("{USAGE}");
            return Ok(());
        }
        [dir] => (*dir, STEPS.len() as u8),
        [dir, "--steps", range] | ["--steps", range, dir] => (*dir, parse_range(range)?),
        _ => return Err(format!("expected a folder\n\n{USAGE}")),
    };
    let dir = Path::new(dir);
    let files = export(root, last, dir)?;
    println!(
        "export: steps 1-{last}, {} files, written to {}\nnext: cd {} && git init && git add --all && \
         git commit -m \"The workbook, steps 1-{last}\", then push it to the course's repository",
        files.len(),
        dir.display(),
        dir.display()
    );
    Ok(())
}

/// `1-N`: the last step of the export. A range from another step is refused.
fn parse_range(range: &str) -> Result<u8, String> {
    let bad = || {
        format!(
            "--steps is a range from step 1, like `1-3` (at most `1-{}`), not {range:?}: \
             every published step's starter builds on the steps before it",
            STEPS.len()
        )
    };
    let (first, last) = range.split_once('-').ok_or_else(bad)?;
    let last: u8 = last.parse().map_err(|_| bad())?;
    if first != "1" || crate::steps::step(last).is_none() {
        return Err(bad());
    }
    Ok(last)
}

/// Writes the export of steps 1 to `last` into `dir`, which must be new or empty; its files.
pub fn export(root: &Path, last: u8, dir: &Path) -> Result<Files, String> {
    if let Ok(mut entries) = fs::read_dir(dir) {
        if entries.next().is_some() {
            return Err(format!(
                "{} is not empty: export into a new or empty folder (to update a published \
                 clone, export into a fresh folder and copy it over the clone, .git aside)",
                dir.display()
            ));
        }
    } else if dir.exists() {
        return Err(format!("{} is not a folder", dir.display()));
    }
    let files = plan(root, last)?;
    write(&files, dir)?;
    prune_lock_file(dir)?;
    Ok(files)
}

/// Every file of the export of steps 1 to `last`.
pub fn plan(root: &Path, last: u8) -> Result<Files, String> {
    let steps: Vec<&Step> = STEPS.iter().filter(|s| s.number <= last).collect();
    let mut files = Files::new();
    for path in COPIED {
        add(root, path, &mut files)?;
    }
    for suite in SUITES.iter().filter(|s| s.first <= last) {
        add(root, &format!("tests/suites/{}.rs", suite.file), &mut files)?;
    }
    for module in STUDENT_MODULES {
        add(root, &format!("xtask/src/{module}.rs"), &mut files)?;
        add(root, &format!("xtask/src/{module}"), &mut files)?;
    }
    // The labs as the generator writes them (not as they may be here), and their copy for reset.
    let generated = crate::sync::generate(root)?;
    for step in &steps {
        let lab = Path::new("labs").join(step.dir);
        for file in generated.iter().filter(|f| f.path.starts_with(&lab)) {
            let inside = file.path.strip_prefix(&lab).expect("a path in the lab");
            let inside = slashed(inside);
            let text = rust::lab_header(&file.text);
            put(&mut files, &format!("labs/{}/{inside}", step.dir), &text);
            put(
                &mut files,
                &format!("{STARTERS}/{}/{inside}", step.dir),
                &text,
            );
        }
    }
    let summary = read(root, "docs/src/SUMMARY.md")?;
    let omitted = book::omitted(last);
    for page in book::pages(&summary, &omitted) {
        let text = book::page(&read(root, &format!("docs/src/{page}"))?, &omitted, last);
        put(&mut files, &format!("docs/src/{page}"), &text);
    }
    let summary = book::summary(&summary, &omitted);
    put(&mut files, "docs/src/SUMMARY.md", &summary);

    rust::cut(&mut files, last)?;
    put(
        &mut files,
        "xtask/hints.md",
        &cut_hints(&read(root, "xtask/hints.md")?, last),
    );
    put(&mut files, "xtask/src/main.rs", &rust::main_rs(MAIN_RS)?);
    put(&mut files, "xtask/src/sync.rs", SYNC_RS);
    put(&mut files, "Cargo.toml", &workspace_manifest(root, &steps)?);
    put(&mut files, "README.md", &readme(root, &steps)?);
    put(&mut files, ".github/workflows/ci.yml", CI_YML);
    files.insert(
        ".ci/run".into(),
        File {
            bytes: CI_RUN.as_bytes().to_vec(),
            executable: true,
        },
    );
    Ok(files)
}

/// Makes `dir` hold `files` (it is new or empty).
pub fn write(files: &Files, dir: &Path) -> Result<(), String> {
    for (path, file) in files {
        let to = dir.join(path);
        let parent = to.parent().expect("a file in a folder");
        fs::create_dir_all(parent)
            .and_then(|()| fs::write(&to, &file.bytes))
            .map_err(|e| format!("cannot write {}: {e}", to.display()))?;
        #[cfg(unix)]
        if file.executable {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(&to, fs::Permissions::from_mode(0o755))
                .map_err(|e| format!("cannot make {} executable: {e}", to.display()))?;
        }
    }
    Ok(())
}

/// The copied `Cargo.lock` names the left-out packages too: cargo drops them from it, offline,
/// keeping every other version as it is (`--workspace` updates the export's own packages only).
fn prune_lock_file(dir: &Path) -> Result<(), String> {
    let output = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(["update", "--workspace", "--offline", "--quiet"])
        .current_dir(dir)
        .env_remove("CARGO_TARGET_DIR")
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "cargo update --workspace in {} failed (is a package missing from the export?):\n{}",
            dir.display(),
            String::from_utf8_lossy(&output.stderr)
        ))
    }
}

/// The workspace of the export: its packages, then this workspace's settings, without the
/// dependencies that only left-out packages use.
fn workspace_manifest(root: &Path, steps: &[&Step]) -> Result<String, String> {
    let ours = read(root, "Cargo.toml")?;
    let settings = ours
        .find("[workspace.package]")
        .map(|at| &ours[at..])
        .ok_or("Cargo.toml has no [workspace.package]: update export.rs")?;
    let settings =
        rust::without_dependencies(settings, &["browser", "proptest", "ureq", "lettre", "imap"]);
    let labs: String = steps
        .iter()
        .map(|s| format!("    \"labs/{}\",\n", s.dir))
        .collect();
    Ok(format!(
        "[workspace]\n\
         resolver = \"3\"\n\
         members = [\n    \"labcli\",\n{}    \"runner\",\n    \"tests/testkit\",\n    \"xtask\",\n]\n\
         # `cargo test` runs what passes on a fresh clone: the shared command line, the process\n\
         # runner, the test support and the workbook's tasks. The labs are left out on purpose:\n\
         # they start red, and `cargo test -p stepN` is your loop.\n\
         default-members = [\"labcli\", \"runner\", \"tests/testkit\", \"xtask\"]\n\n{settings}",
        labs
    ))
}

/// The README: the private one's table of labs, cut to the exported steps, in a text of its own.
fn readme(root: &Path, steps: &[&Step]) -> Result<String, String> {
    let ours = read(root, "README.md")?;
    let header: Vec<&str> = ours
        .lines()
        .skip_while(|line| !line.starts_with("| package |"))
        .take(2)
        .collect();
    if header.len() != 2 {
        return Err("README.md has no table of labs (`| package |`): update export.rs".into());
    }
    let mut table = header.join("\n") + "\n";
    for step in steps {
        let row = ours
            .lines()
            .find(|line| line.starts_with(&format!("| `{}` |", step.package())))
            .ok_or_else(|| format!("README.md's table has no row for {}", step.package()))?;
        table += row;
        table += "\n";
    }
    let last = steps.last().map_or(0, |s| s.number);
    Ok(README
        .replace("{table}", &table)
        .replace("{last}", &last.to_string()))
}

/// The hints of steps 1 to `last`, their bonus tasks' (`## Step N bonus ...`) included.
fn cut_hints(hints: &str, last: u8) -> String {
    let mut kept = String::new();
    let mut keep = true;
    for line in hints.split_inclusive('\n') {
        if let Some(heading) = line.strip_prefix("## Step ") {
            let number = heading.split_whitespace().next().unwrap_or_default();
            keep = number.parse::<u8>().is_ok_and(|n| n <= last);
        }
        if keep {
            kept += line;
        }
    }
    kept
}

fn read(root: &Path, path: &str) -> Result<String, String> {
    fs::read_to_string(root.join(path)).map_err(|e| format!("cannot read {path}: {e}"))
}

fn put(files: &mut Files, path: &str, text: &str) {
    files.insert(
        path.to_string(),
        File {
            bytes: text.as_bytes().to_vec(),
            executable: false,
        },
    );
}

/// Adds the file `path` of `root`, or every file under it if it is a folder; nothing if it is
/// missing. Build output and saved labs are left out.
fn add(root: &Path, path: &str, files: &mut Files) -> Result<(), String> {
    let full = root.join(path);
    if full.is_file() {
        let bytes = fs::read(&full).map_err(|e| format!("cannot read {path}: {e}"))?;
        files.insert(
            path.to_string(),
            File {
                bytes,
                executable: crate::grade::sources::is_executable(&full),
            },
        );
    } else if let Ok(entries) = fs::read_dir(&full) {
        for entry in entries {
            let entry = entry.map_err(|e| format!("cannot read {path}: {e}"))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if name == "target" || name.starts_with("saved-") {
                continue;
            }
            add(root, &format!("{path}/{name}"), files)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(files: &Files, path: &str) -> String {
        let file = files.get(path).unwrap_or_else(|| panic!("no {path}"));
        String::from_utf8(file.bytes.clone()).unwrap()
    }

    #[test]
    fn the_export_holds_the_labs_and_tools_but_no_reference() {
        let files = plan(&crate::workspace_root(), 7).unwrap();
        for present in [
            "labs/step1-echo/src/lib.rs",
            "labs/step7-serve-files/tests/step7.rs",
            "xtask/starters/step7-serve-files/src/lib.rs",
            "tests/suites/step7_bonus.rs",
            "tests/testkit/src/lib.rs",
            "labcli/Cargo.toml",
            "xtask/src/grade/report.rs",
            "xtask/src/watch/view.rs",
            "webroot/make_time",
            "docs/src/step1-echo.md",
            "docs/src/homework.md",
            ".ci/run",
            ".github/workflows/grade.yml",
            ".github/workflows/classroom.yml",
            ".github/workflows/ci.yml",
            ".github/workflows/pages.yml",
            ".devcontainer/setup.sh",
        ] {
            assert!(files.contains_key(present), "{present} is missing");
        }
        let site = text(&files, "tests/testkit/tests/webroot.rs");
        assert!(site.contains("fn the_site_holds_exactly_its_files"));
        assert!(
            !site.contains("browser"),
            "the tests that decode the site's pictures (browser::Image) are left out"
        );
        assert!(!text(&files, "tests/testkit/Cargo.toml").contains("browser"));
        assert!(files["webroot/make_time"].executable);
        assert!(files[".ci/run"].executable);
        // The homework asks for step 7's lab; its table of points has no later step.
        let homework = text(&files, "docs/src/homework.md");
        assert!(homework.contains("| Step 7 | 20 | 5 |") && !homework.contains("| Step 8 |"));
        assert!(text(&files, "docs/src/SUMMARY.md").contains("](homework.md)"));
        for path in files.keys() {
            for left_out in [
                "solutions/",
                "protocol-tools/",
                "tests/browser/",
                "xtask/src/dev/verify.rs",
                "xtask/src/sync",
                "xtask/src/dev/bench",
                "xtask/src/dev/commands.rs",
                "xtask/src/dev/book.rs",
                "docs/src/maintainer-guide.md",
                "docs/src/instructor",
                "docs/src/bench.md",
            ] {
                let allowed = path == "xtask/src/sync.rs";
                assert!(allowed || !path.starts_with(left_out), "{path} is exported");
            }
        }
    }

    #[test]
    fn steps_one_to_three_export_only_their_labs_suites_rows_and_hints() {
        let files = plan(&crate::workspace_root(), 3).unwrap();
        let labs: Vec<&str> = STEPS.iter().map(|s| s.dir).collect();
        for (index, dir) in labs.iter().enumerate() {
            let exported = files.contains_key(&format!("labs/{dir}/src/lib.rs"));
            assert_eq!(exported, index < 3, "{dir}");
        }
        assert!(files.contains_key("tests/suites/step3.rs"));
        assert!(!files.contains_key("tests/suites/step4.rs"));
        let manifest = text(&files, "Cargo.toml");
        assert!(manifest.contains("    \"labs/step3-http-client\",\n    \"runner\",\n"));
        assert!(!manifest.contains("step4"));
        let steps = text(&files, "xtask/src/steps.rs");
        assert!(steps.contains("lab(3, ") && !steps.contains("lab(4, "));
        assert!(!steps.contains("holds(\"step4\""));
        let points = text(&files, "xtask/src/grade/points.rs");
        assert!(points.contains("worth(3, ") && !points.contains("worth(4, "));
        let hints = text(&files, "xtask/hints.md");
        assert!(hints.contains("## Step 3\n") && !hints.contains("## Step 4"));
        let readme = text(&files, "README.md");
        assert!(readme.contains("| `step3` |") && !readme.contains("| `step4` |"));
        // Nothing to hand in yet: the homework asks for step 7's lab.
        assert!(!files.contains_key("docs/src/homework.md"));
        assert!(!text(&files, "docs/src/SUMMARY.md").contains("homework"));
    }

    #[test]
    fn a_range_starts_at_step_one() {
        assert_eq!(parse_range("1-3"), Ok(3));
        assert_eq!(
            parse_range(&format!("1-{}", STEPS.len())),
            Ok(STEPS.len() as u8)
        );
        for bad in ["3", "2-4", "1-0", "1-99", "a-b"] {
            assert!(parse_range(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_folder_with_files_is_refused() {
        let dir = std::env::temp_dir().join(format!("xtask-export-full-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join("mine.txt"), "x").unwrap();
        let refused = export(&crate::workspace_root(), 1, &dir).err().unwrap();
        assert!(refused.contains("is not empty"), "{refused}");
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn hints_are_cut_after_the_last_step() {
        let hints = "# Hints\nintro\n## Step 1\n- [a › b] c\n## Step 1 bonus x: y\n- [g › h] i\n\
                     ## Step 2\n- [d › e] f\n## Step 2 bonus z: w\n- [j › k] l\n";
        assert_eq!(
            cut_hints(hints, 1),
            "# Hints\nintro\n## Step 1\n- [a › b] c\n## Step 1 bonus x: y\n- [g › h] i\n"
        );
    }
}
