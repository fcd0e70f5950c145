//! The export's edits of Rust and Cargo files. They read rustfmt's layout (one table row a
//! line, items closed by a `}` at their own indentation) and fail loudly when it is not there,
//! rather than guess.

use super::{File, Files, OMITTED_PACKAGES, OMITTED_PAGES, STUDENT_MODULES};

/// Cuts the exported files down to steps 1 to `last`: the tables of steps and points, the
/// tests that need what the export leaves out, the dependencies on left-out packages, and the
/// comments that name the reference's files.
pub fn cut(files: &mut Files, last: u8) -> Result<(), String> {
    edit(files, "xtask/src/steps.rs", |text| steps_table(text, last))?;
    edit(files, "xtask/src/grade/points.rs", |text| {
        points_table(text, last)
    })?;
    let omitted_crates: Vec<&str> = OMITTED_PACKAGES.iter().map(|(_, name)| *name).collect();
    for manifest in ["xtask/Cargo.toml", "tests/testkit/Cargo.toml"] {
        edit(files, manifest, |text| {
            Ok(without_dependencies(text, &omitted_crates))
        })?;
    }
    // The export has no maintainers' tasks: xtask keeps only its feature `sandbox`, and no
    // dependency of the maintainers' feature.
    edit(files, "xtask/Cargo.toml", |text| {
        let text = without_dependencies(text, &["chrono"]);
        let text = without_section(&text, "[features]");
        let features = "[features]\nsandbox = [\"dep:rustix\"]\n\n[dependencies]";
        Ok(text.replacen("[dependencies]", features, 1))
    })?;
    let test_files = test_modules(files);
    let sources: Vec<String> = files
        .keys()
        .filter(|path| path.ends_with(".rs") && !path.starts_with("labs/"))
        .filter(|path| !path.starts_with(super::STARTERS))
        .cloned()
        .collect();
    let markers = markers(last);
    for path in sources {
        let whole_file = test_files.contains(&path);
        edit(files, &path, |text| {
            let text = if whole_file {
                prune_tests(text, "", &markers)
            } else {
                prune_test_module(text, &markers)
            };
            Ok(text.replace(", reference in `solutions/src/step{number}.rs`", ""))
        })?;
    }
    Ok(())
}

/// What a test must not use in the export: the left-out files and packages, the tasks of the
/// course's own `sync.rs`, and the steps after `last`. An export of fewer steps than the
/// workbook has also leaves out the tests that compare the code with the book, which shows the
/// whole course, and those of the grade's fixed grade.
fn markers(last: u8) -> Vec<String> {
    let mut markers: Vec<String> = [
        "solutions/",
        "solutions::",
        "CARGO_BIN_EXE_solutions",
        "\"protocol-tools/",
        "browser::",
        "sync::write",
        "sync::stale",
        // The reference's answers, read through its markers (the hints' check does).
        "markers::",
    ]
    .map(String::from)
    .into();
    markers.extend(OMITTED_PAGES.iter().map(|page| page.to_string()));
    let later = (last + 1)..=99;
    markers.extend(later.flat_map(|n| [format!("step({n})"), format!("step{n}::")]));
    if usize::from(last) < crate::steps::STEPS.len() {
        markers.push("docs/src/".into());
        // The grade's fixed grade (`grade/fixture.rs`) names later steps, and its golden files
        // every step's points.
        markers.push("fixture::".into());
    }
    markers
}

/// The exported files that are test modules as a whole: the integration tests, and the files
/// that a `#[cfg(test)]` line declares.
fn test_modules(files: &Files) -> Vec<String> {
    let mut found: Vec<String> = files
        .keys()
        .filter(|path| path.starts_with("xtask/tests/") || path.starts_with("tests/testkit/tests/"))
        .cloned()
        .collect();
    for (path, file) in files.iter().filter(|(path, _)| path.ends_with(".rs")) {
        let text = String::from_utf8_lossy(&file.bytes);
        let lines: Vec<&str> = text.lines().collect();
        for pair in lines.windows(2) {
            if pair[0].trim() != "#[cfg(test)]" {
                continue;
            }
            let declared = pair[1].trim().trim_start_matches("pub ");
            let Some(name) = declared
                .strip_prefix("mod ")
                .and_then(|n| n.strip_suffix(';'))
            else {
                continue;
            };
            let folder = path.strip_suffix(".rs").expect("a .rs file");
            let folder = ["/main", "/lib", "/mod"]
                .iter()
                .find_map(|root| folder.strip_suffix(root))
                .unwrap_or(folder);
            found.push(format!("{folder}/{name}.rs"));
        }
    }
    found
}

/// Applies `change` to the text of `path`, which the export must hold.
fn edit(
    files: &mut Files,
    path: &str,
    change: impl FnOnce(&str) -> Result<String, String>,
) -> Result<(), String> {
    let file = files
        .get_mut(path)
        .ok_or_else(|| format!("the export has no {path}: update export.rs"))?;
    let text = String::from_utf8(file.bytes.clone()).map_err(|_| format!("{path}: not UTF-8"))?;
    let changed = change(&text).map_err(|e| format!("{path}: {e}"))?;
    *file = File {
        bytes: changed.into_bytes(),
        executable: file.executable,
    };
    Ok(())
}

/// The table of steps cut to steps 1 to `last`: their `lab(N, ...)` rows, and the suites that
/// start by then, each held at most until `last`.
pub fn steps_table(text: &str, last: u8) -> Result<String, String> {
    let mut kept = String::new();
    let mut labs = 0;
    for line in text.split_inclusive('\n') {
        let row = line.trim_start();
        if let Some(rest) = row.strip_prefix("lab(") {
            let number = leading_number(rest)?;
            if number <= last {
                labs += 1;
                kept += line;
            }
        } else if let Some(rest) = row.strip_prefix("holds(\"") {
            let (file, rest) = rest
                .split_once("\", ")
                .ok_or("a `holds` row unlike the others")?;
            let (first, rest) = rest
                .split_once(", ")
                .ok_or("a `holds` row unlike the others")?;
            let until = rest
                .split_once(')')
                .ok_or("a `holds` row unlike the others")?
                .0;
            let first: u8 = first.parse().map_err(|_| "a `holds` row's first step")?;
            let until: u8 = until.parse().map_err(|_| "a `holds` row's last step")?;
            if first <= last {
                let indent = &line[..line.len() - row.len()];
                kept += &format!("{indent}holds(\"{file}\", {first}, {}),\n", until.min(last));
            }
        } else {
            kept += line;
        }
    }
    if labs != usize::from(last) {
        return Err(format!(
            "found {labs} `lab(N, ...)` rows of steps 1 to {last}: update export.rs"
        ));
    }
    Ok(kept)
}

/// The table of points cut to steps 1 to `last`.
pub fn points_table(text: &str, last: u8) -> Result<String, String> {
    let mut kept = String::new();
    let mut rows = 0;
    for line in text.split_inclusive('\n') {
        match line.trim_start().strip_prefix("worth(") {
            Some(rest) if leading_number(rest)? > last => {}
            Some(_) => {
                rows += 1;
                kept += line;
            }
            None => kept += line,
        }
    }
    if rows != usize::from(last) {
        return Err(format!(
            "found {rows} `worth(N, ...)` rows of steps 1 to {last}: update export.rs"
        ));
    }
    Ok(kept)
}

fn leading_number(text: &str) -> Result<u8, String> {
    let digits: String = text.chars().take_while(char::is_ascii_digit).collect();
    digits
        .parse()
        .map_err(|_| format!("a table row without a step number: {text:?}"))
}

/// A Cargo manifest without its `NAME.workspace = true` (or `NAME = ...` under
/// `[workspace.dependencies]`) lines for the `names`, the comments just above them, and the
/// sections this leaves empty.
/// A Cargo manifest without its section `header` and the comment lines just above it.
fn without_section(text: &str, header: &str) -> String {
    let mut kept: Vec<&str> = Vec::new();
    let mut skipping = false;
    for line in text.lines() {
        if line.starts_with('[') {
            skipping = line == header;
            if skipping {
                while kept.last().is_some_and(|l| l.starts_with('#')) {
                    kept.pop();
                }
            }
        }
        if !skipping {
            kept.push(line);
        }
    }
    kept.join("\n") + "\n"
}

pub fn without_dependencies(text: &str, names: &[&str]) -> String {
    let names_dependency = |line: &str| {
        names.iter().any(|name| {
            line.starts_with(&format!("{name}.workspace "))
                || line.starts_with(&format!("{name} = "))
        })
    };
    // Sections, each a header (or the top) and its lines.
    let mut sections: Vec<Vec<&str>> = vec![Vec::new()];
    for line in text.lines() {
        if line.starts_with('[') {
            sections.push(Vec::new());
        }
        sections.last_mut().expect("a section").push(line);
    }
    let mut kept = Vec::new();
    for section in sections {
        let mut lines: Vec<&str> = Vec::new();
        let mut dropped = false;
        for line in section {
            if names_dependency(line) {
                while lines.last().is_some_and(|l| l.starts_with('#')) {
                    lines.pop();
                }
                dropped = true;
            } else {
                lines.push(line);
            }
        }
        let empty = lines.iter().skip(1).all(|l| l.trim().is_empty());
        if dropped && empty && lines.first().is_some_and(|l| l.starts_with('[')) {
            continue;
        }
        kept.extend(lines);
    }
    let mut text = kept.join("\n") + "\n";
    while text.ends_with("\n\n") {
        text.pop();
    }
    text
}

/// The first line of a lab file names the reference file it was made from: the export says
/// what it is instead.
pub fn lab_header(text: &str) -> String {
    let (first, rest) = text.split_once('\n').unwrap_or((text, ""));
    let first = if let Some((start, _)) = first.split_once(", written by `cargo xtask sync-labs`") {
        format!("{start}.")
    } else {
        first.to_string()
    };
    format!("{first}\n{rest}")
}

/// The `#[cfg(test)] mod tests { ... }` block of a file, pruned with [`prune_tests`].
fn prune_test_module(text: &str, markers: &[String]) -> String {
    let opening = "#[cfg(test)]\nmod tests {\n";
    let Some(start) = text.find(opening) else {
        return text.to_string();
    };
    let body_start = start + opening.len();
    let Some(body_end) = text[body_start..]
        .find("\n}\n")
        .map(|end| body_start + end + 1)
    else {
        return text.to_string();
    };
    let body = prune_tests(&text[body_start..body_end], "    ", markers);
    format!("{}{body}{}", &text[..body_start], &text[body_end..])
}

/// The items at `indent` of a test module, without the tests (and helpers) that use one of
/// `markers`, or an item left out for that reason. When some are left out, the module allows
/// the dead code and unused imports that this may leave.
pub fn prune_tests(body: &str, indent: &str, markers: &[String]) -> String {
    let items = items(body, indent);
    let mut left_out: Vec<bool> = items
        .iter()
        .map(|item| markers.iter().any(|m| item.text.contains(m.as_str())))
        .collect();
    loop {
        let names: Vec<&str> = items
            .iter()
            .zip(&left_out)
            .filter(|(_, out)| **out)
            .filter_map(|(item, _)| item.name.as_deref())
            .collect();
        let mut changed = false;
        for (item, out) in items.iter().zip(left_out.iter_mut()) {
            if !*out && names.iter().any(|name| mentions(&item.text, name)) {
                *out = true;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    if !left_out.contains(&true) {
        return body.to_string();
    }
    let mut kept = String::new();
    for (item, out) in items.iter().zip(&left_out) {
        let blank_again = item.text.trim().is_empty() && kept.ends_with("\n\n");
        if !*out && !blank_again {
            kept += &item.text;
        }
    }
    let allow = format!(
        "{indent}// The published workbook leaves out the tests that need the reference.\n\
         {indent}#![allow(dead_code, unused_imports)]\n"
    );
    // Inner attributes come first, after the module's own `//!` lines.
    let docs: usize = kept
        .split_inclusive('\n')
        .take_while(|line| line.trim_start().starts_with("//!"))
        .map(str::len)
        .sum();
    format!("{}{allow}{}", &kept[..docs], &kept[docs..])
}

/// Whether `text` uses the identifier `name`.
fn mentions(text: &str, name: &str) -> bool {
    let is_ident = |c: char| c.is_alphanumeric() || c == '_';
    text.match_indices(name).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + name.len()..].chars().next();
        !before.is_some_and(is_ident) && !after.is_some_and(is_ident)
    })
}

/// One item of a module: its lines (attributes and doc comments included), and its name if it
/// is a `fn`, `struct`, `const`, `static`, `enum`, `impl` or the names a `use` brings in.
struct Item {
    text: String,
    name: Option<String>,
}

/// The items of a module body whose items start at `indent`; blank lines are items of their
/// own, without a name.
fn items(body: &str, indent: &str) -> Vec<Item> {
    let mut items = Vec::new();
    let mut lines = body.split_inclusive('\n').peekable();
    let mut pending = String::new();
    while let Some(line) = lines.next() {
        let code = line.trim_end();
        if code.trim().is_empty() && pending.is_empty() {
            items.push(Item {
                text: line.to_string(),
                name: None,
            });
            continue;
        }
        let own = code.strip_prefix(indent).unwrap_or(code);
        if pending.is_empty() && (own.starts_with("//!") || own.starts_with("#![")) {
            items.push(Item {
                text: line.to_string(),
                name: None,
            });
            continue;
        }
        pending += line;
        if own.starts_with("#[") || own.starts_with("//") || own.starts_with(' ') {
            continue;
        }
        // The item's first line: it ends here, or at the `}` at its indentation.
        let single = own.ends_with(';') || own.ends_with("{}") || own.ends_with("};");
        if !single {
            for next in lines.by_ref() {
                pending += next;
                let next = next.trim_end();
                if next == format!("{indent}}}") || next == format!("{indent}}};") {
                    break;
                }
            }
        }
        items.push(Item {
            name: name_of(own),
            text: std::mem::take(&mut pending),
        });
    }
    if !pending.is_empty() {
        items.push(Item {
            text: pending,
            name: None,
        });
    }
    items
}

fn name_of(line: &str) -> Option<String> {
    let words: Vec<&str> = line
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .collect();
    let after = |keyword: &str| {
        let at = words.iter().position(|w| *w == keyword)?;
        words.get(at + 1).map(|w| w.to_string())
    };
    if line.trim_start_matches("pub ").starts_with("impl") {
        let head = line.split('{').next().unwrap_or(line);
        let last = head.split_whitespace().last()?;
        return Some(
            last.trim_matches(|c: char| !c.is_alphanumeric() && c != '_')
                .into(),
        );
    }
    if line.trim_start_matches("pub ").starts_with("use ") {
        // The last name brought in, enough for a `use browser::Image;`.
        return words.last().map(|w| w.to_string());
    }
    ["fn", "struct", "const", "static", "enum", "type", "mod"]
        .iter()
        .find_map(|keyword| after(keyword))
}

/// xtask's `main.rs` in the export, from `template`: the students' modules, and the students'
/// part of this xtask's usage and its shared functions, as they are here.
pub fn main_rs(template: &str) -> Result<String, String> {
    let mut modules: Vec<&str> = STUDENT_MODULES.to_vec();
    modules.push("sync");
    modules.sort();
    let lines: String = modules.iter().map(|m| format!("mod {m};\n")).collect();
    let usage = crate::USAGE
        .split("\n\nfor maintainers:")
        .next()
        .expect("a usage");
    let usage = usage.replace('\\', "\\\\").replace('"', "\\\"");
    let ours = include_str!("../../main.rs");
    let functions = [
        "fn student_task(",
        "fn exit(",
        "fn rerun_with(",
        "fn parse_steps(",
        "pub fn workspace_root(",
    ]
    .iter()
    .map(|signature| function(ours, signature))
    .collect::<Result<Vec<_>, _>>()?;
    let filled = template
        .replace("// export: modules\n", &lines)
        .replace("{usage}", &usage)
        .replace("// export: functions\n", &functions.join("\n"));
    Ok(filled)
}

/// The function of `source` whose first line starts with `signature`, with its doc comment.
fn function(source: &str, signature: &str) -> Result<String, String> {
    let lines: Vec<&str> = source.lines().collect();
    let start = lines
        .iter()
        .position(|line| line.starts_with(signature))
        .ok_or_else(|| format!("xtask/src/main.rs has no `{signature}`: update export.rs"))?;
    let docs = lines[..start]
        .iter()
        .rev()
        .take_while(|line| line.starts_with("///"))
        .count();
    let end = start
        + lines[start..]
            .iter()
            .position(|line| *line == "}")
            .ok_or_else(|| format!("xtask/src/main.rs: `{signature}` has no end"))?;
    Ok(lines[start - docs..=end].join("\n") + "\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_section_goes_with_the_comments_above_it() {
        let manifest = "[package]\nname = \"x\"\n\n# why\n[features]\ndev = []\n\n[dependencies]\n";
        assert_eq!(
            without_section(manifest, "[features]"),
            "[package]\nname = \"x\"\n\n[dependencies]\n"
        );
    }

    #[test]
    fn the_tables_keep_the_steps_up_to_the_last() {
        let steps = "pub const STEPS: &[Step] = &[\n    lab(1, \"a\", \"A\", &[]),\n    \
                     lab(2, \"b\", \"B\", &[]),\n];\nconst SUITES = &[\n    holds(\"a\", 1, 1),\n    \
                     holds(\"b\", 1, 2),\n    holds(\"c\", 2, 2),\n];\n";
        assert_eq!(
            steps_table(steps, 1).unwrap(),
            "pub const STEPS: &[Step] = &[\n    lab(1, \"a\", \"A\", &[]),\n];\n\
             const SUITES = &[\n    holds(\"a\", 1, 1),\n    holds(\"b\", 1, 1),\n];\n"
        );
        assert!(steps_table(steps, 3).is_err(), "a missing row is an error");
        let points = "&[\n    worth(1, 10, 0),\n    worth(2, 10, 3),\n];\n";
        assert_eq!(
            points_table(points, 1).unwrap(),
            "&[\n    worth(1, 10, 0),\n];\n"
        );
    }

    #[test]
    fn dependencies_go_with_their_comments_and_empty_sections() {
        let manifest = "[package]\nname = \"x\"\n\n[dependencies]\n# why\nbrowser.workspace = \
                        true\nother.workspace = true\n\n[dev-dependencies]\nbrowser.workspace = \
                        true\n\n[lints]\nworkspace = true\n";
        assert_eq!(
            without_dependencies(manifest, &["browser"]),
            "[package]\nname = \"x\"\n\n[dependencies]\nother.workspace = true\n\n[lints]\n\
             workspace = true\n"
        );
    }

    #[test]
    fn tests_that_need_the_reference_are_left_out_with_what_only_they_use() {
        let body = "    use super::*;\n\n    fn answer() -> String {\n        \
                    read(\"solutions/src/step1.rs\")\n    }\n\n    #[test]\n    fn \
                    uses_the_answer() {\n        assert!(answer().len() > 0);\n    }\n\n    \
                    /// Plain.\n    #[test]\n    fn plain() {\n        assert!(true);\n    \
                    }\n";
        let pruned = prune_tests(body, "    ", &markers(7));
        assert!(pruned.contains("fn plain()") && pruned.contains("/// Plain."));
        assert!(!pruned.contains("answer"), "{pruned}");
        assert!(pruned.starts_with("    // The published"), "{pruned}");
        assert_eq!(
            prune_tests("    fn f() {}\n", "    ", &markers(7)),
            "    fn f() {}\n"
        );
        let later = prune_tests("#[test]\nfn a() {\n    step(4);\n}\n", "", &markers(3));
        assert!(
            !later.contains("fn a"),
            "a test of a step not exported: {later}"
        );
    }

    #[test]
    fn an_import_of_a_left_out_crate_goes_with_the_tests_that_use_it() {
        let file = "//! Doc.\n\nuse browser::Image;\n\n#[test]\nfn png() {\n    \
                    Image::decode();\n}\n\n#[test]\nfn text() {}\n";
        let pruned = prune_tests(file, "", &markers(7));
        assert!(pruned.starts_with("//! Doc.\n// The published"), "{pruned}");
        assert!(!pruned.contains("Image") && pruned.contains("fn text() {}"));
    }

    #[test]
    fn a_lab_header_no_longer_names_the_reference() {
        assert_eq!(
            lab_header(
                "// Your starting point for Step 1: echo, written by `cargo xtask sync-labs` \
                 from solutions/src/step1.rs.\nrest\n"
            ),
            "// Your starting point for Step 1: echo.\nrest\n"
        );
    }

    #[test]
    fn the_exported_main_has_the_students_usage_and_modules() {
        let main = main_rs(super::super::MAIN_RS).unwrap();
        assert!(main.contains("  watch [N]  "));
        assert!(!main.contains("sync-labs") && !main.contains("for maintainers"));
        assert!(main.contains("mod grade;\n") && main.contains("mod sync;\n"));
        // The grade's sandbox starts this binary as its PID 1.
        assert!(main.contains("[\"sandbox-init\", \"--\", program, args @ ..]"));
        assert!(main.contains("fn parse_steps(") && main.contains("pub fn workspace_root("));
        assert!(!main.contains("// export:") && !main.contains("{usage}"));
    }
}
