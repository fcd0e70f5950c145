//! `cargo xtask sync-labs`: writes every lab from the reference. For each step it writes the
//! lab's `Cargo.toml`, `src/lib.rs` (the reference with its marked regions replaced),
//! `src/main.rs`, the lab's test host `tests/stepN.rs`, and the reference's test host
//! `solutions/tests/stepN.rs`: both hosts run the same suite files.

use std::fs;
use std::path::{Path, PathBuf};

use crate::hosts::{self, Host};
use crate::markers;
use crate::steps::{STEPS, Step};

/// A file the generator writes: its path from the workspace root, and its text.
pub struct Generated {
    pub path: PathBuf,
    pub text: String,
}

/// Every generated file, as it should be now.
pub fn generate(root: &Path) -> Result<Vec<Generated>, String> {
    let mut files = Vec::new();
    for step in STEPS {
        let lab = Path::new("labs").join(step.dir);
        let package = step.package();
        files.push(Generated {
            path: lab.join("Cargo.toml"),
            text: cargo_toml(step),
        });
        files.push(Generated {
            path: lab.join("src/lib.rs"),
            text: lib_rs(root, step)?,
        });
        files.push(Generated {
            path: lab.join("src/main.rs"),
            text: main_rs(step),
        });
        files.push(Generated {
            path: lab.join(format!("tests/{package}.rs")),
            text: hosts::lab_host(step, Host::Plain),
        });
        files.push(Generated {
            path: Path::new("solutions/tests").join(format!("{package}.rs")),
            text: reference_host(step),
        });
    }
    Ok(files)
}

/// The generated files whose text on disk differs from what [`generate`] makes.
pub fn stale(root: &Path) -> Result<Vec<PathBuf>, String> {
    let files = generate(root)?;
    let differs = |file: &Generated| {
        fs::read_to_string(root.join(&file.path)).ok().as_deref() != Some(file.text.as_str())
    };
    Ok(files
        .into_iter()
        .filter(differs)
        .map(|file| file.path)
        .collect())
}

/// Writes every generated file; returns those that changed.
pub fn write(root: &Path) -> Result<Vec<PathBuf>, String> {
    let mut changed = Vec::new();
    for file in generate(root)? {
        let path = root.join(&file.path);
        if fs::read_to_string(&path).ok().as_deref() == Some(file.text.as_str()) {
            continue;
        }
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        }
        fs::write(&path, &file.text)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        changed.push(file.path);
    }
    Ok(changed)
}

fn lib_rs(root: &Path, step: &Step) -> Result<String, String> {
    let source = format!("solutions/src/step{}.rs", step.number);
    let reference =
        fs::read_to_string(root.join(&source)).map_err(|e| format!("cannot read {source}: {e}"))?;
    let starter = markers::starter(&reference).map_err(|e| format!("{source}: {e}"))?;
    let mut text = format!(
        "// Your starting point for {}, written by `cargo xtask sync-labs` from {source}.\n\
         // This file is yours: edit it until `cargo test -p {}` passes.\n",
        step.title,
        step.package()
    );
    let (docs, code) = split_module_docs(&starter.text);
    text += docs;
    if starter.has_stubs {
        text += "\n// The stubs below do not use their parameters and imports yet; delete these\n\
                 // two lines once you have written them, to see the compiler's warnings again.\n\
                 #![allow(unused_variables, unused_imports, unused_mut, dead_code)]\n";
    }
    text += code;
    Ok(text)
}

/// Splits a file into its leading `//!` lines and the rest.
fn split_module_docs(text: &str) -> (&str, &str) {
    let mut end = 0;
    for line in text.split_inclusive('\n') {
        if !line.starts_with("//!") {
            break;
        }
        end += line.len();
    }
    text.split_at(end)
}

fn main_rs(step: &Step) -> String {
    let package = step.package();
    format!(
        "// Written by `cargo xtask sync-labs`. The program's code is `run` in src/lib.rs.\n\
         fn main() -> std::process::ExitCode {{\n    \
             {package}::run(\"{package}\", std::env::args().skip(1).collect())\n\
         }}\n"
    )
}

fn cargo_toml(step: &Step) -> String {
    let mut dependencies = String::from("labcli.workspace = true\n");
    for name in step.dependencies {
        dependencies += &format!("{name}.workspace = true\n");
    }
    format!(
        "# Written by `cargo xtask sync-labs` from the table in xtask/src/steps.rs.\n\
         [package]\n\
         name = \"{package}\"\n\
         description = \"{title}\"\n\
         version.workspace = true\n\
         edition.workspace = true\n\
         rust-version.workspace = true\n\
         publish.workspace = true\n\
         license.workspace = true\n\
         # Only the targets below are built: a file added under src/bin/, examples/ or tests/\n\
         # is not a test of this lab, and no build script runs.\n\
         autobins = false\n\
         autoexamples = false\n\
         autotests = false\n\
         autobenches = false\n\
         build = false\n\
         \n\
         # The tests live in tests/ and run the shared suites in ../../tests/suites.\n\
         [lib]\n\
         test = false\n\
         doctest = false\n\
         \n\
         [[bin]]\n\
         name = \"{package}\"\n\
         path = \"src/main.rs\"\n\
         test = false\n\
         \n\
         [[test]]\n\
         name = \"{package}\"\n\
         path = \"tests/{package}.rs\"\n\
         \n\
         [dependencies]\n\
         {dependencies}\
         \n\
         [dev-dependencies]\n\
         testkit.workspace = true\n\
         assert_cmd.workspace = true\n\
         predicates.workspace = true\n\
         \n\
         [lints]\n\
         workspace = true\n",
        package = step.package(),
        title = step.title,
    )
}

/// The reference's test host, in `solutions/tests/`.
pub fn reference_host(step: &Step) -> String {
    let package = step.package();
    hosts::host(
        step,
        &format!("use solutions::{package}::*;"),
        &reference_program(step),
        2,
        Host::Reference,
    )
}

fn reference_program(step: &Step) -> String {
    format!(
        "{{\n    let mut command = std::process::Command::new(env!(\"CARGO_BIN_EXE_solutions\"));\n    \
         command.arg(\"{}\");\n    command\n}}",
        step.package()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_docs_are_split_from_the_code() {
        assert_eq!(
            split_module_docs("//! a\n//! b\nuse x;\n"),
            ("//! a\n//! b\n", "use x;\n")
        );
        assert_eq!(split_module_docs("use x;\n"), ("", "use x;\n"));
    }

    /// The longest message a starter's `todo!` may have.
    const TODO_MAX: usize = 100;

    /// The message of every `todo!("...")` in `text`, its escapes undone.
    fn todo_messages(text: &str) -> Vec<String> {
        let calls = text.split("todo!(").skip(1);
        calls
            .filter_map(|call| {
                let mut chars = call.trim_start().strip_prefix('"')?.chars();
                let mut message = String::new();
                while let Some(c) = chars.next() {
                    match c {
                        '"' => return Some(message),
                        '\\' => message.extend(chars.next()),
                        c => message.push(c),
                    }
                }
                None
            })
            .collect()
    }

    /// A starter asks, it does not dictate: each `todo!` names its task in one short line and
    /// the section of the step's chapter to read. How to do it is for `cargo xtask hint`.
    #[test]
    fn every_todo_names_its_task_in_one_short_line_with_the_section_to_read() {
        let root = crate::workspace_root();
        let mut count = 0;
        for step in STEPS {
            let lab = format!("labs/{}/src/lib.rs", step.dir);
            for message in todo_messages(&lib_rs(&root, step).unwrap()) {
                count += 1;
                let length = message.chars().count();
                assert!(
                    length <= TODO_MAX,
                    "{lab}: a todo! message of {length} characters (at most {TODO_MAX}): name \
                     the task only, and say how in xtask/hints.md: {message}"
                );
                assert!(
                    message.starts_with(&format!("Step {}", step.number)),
                    "{lab}: a todo! message should start with the step, `Step {}`: {message}",
                    step.number
                );
                let pointer = format!(" (docs \"{}\" › \"", step.title);
                let section = message.split_once(&pointer).map(|(_, rest)| rest);
                let section = section.and_then(|rest| rest.strip_suffix("\")"));
                assert!(
                    section.is_some_and(|section| !section.is_empty() && !section.contains('"')),
                    "{lab}: a todo! message should end with the section to read, \
                     `{pointer}Section\")`: {message}"
                );
            }
        }
        assert!(count >= 20, "only {count} todo! messages found");
        let three_lines = "todo!(\n    \"Step 1: a \\\"b\\\" c\"\n)\ntodo!()";
        assert_eq!(todo_messages(three_lines), ["Step 1: a \"b\" c"]);
    }

    #[test]
    fn the_checked_in_labs_are_what_sync_labs_writes() {
        let root = crate::workspace_root();
        let stale = stale(&root).unwrap();
        assert!(
            stale.is_empty(),
            "run `cargo xtask sync-labs`; these differ: {stale:?}"
        );
    }
}
