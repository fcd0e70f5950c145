//! Checks that the book and the README say what the code does: every chapter a message points
//! to exists, every book section a hint names exists, every test or function named in
//! backticks exists, every `cargo -p` names a package, every relative link resolves, and
//! `.ci/run` and the CI workflow run the README's test command. They run as tests, so `cargo test` and `verify` keep the prose honest.

#[cfg(test)]
mod tests {
    /// The project's test command, as the README gives it; `.ci/run` must run it.
    const TEST_COMMAND: &str = "cargo xtask verify";

    use crate::steps::STEPS;
    use crate::workspace_root;
    use std::fs;
    use std::path::{Path, PathBuf};

    /// The maintainer guide's "Layout" names only paths that exist (`stepN` read as step 1's),
    /// and says what every package of the workspace is.
    #[test]
    fn the_layout_names_the_tree_as_it_is() {
        let root = workspace_root();
        let guide = fs::read_to_string(root.join("docs/src/maintainer-guide.md")).unwrap();
        let layout = guide.split("\n## Layout\n").nth(1).unwrap();
        let layout = layout.split("\n## ").next().unwrap();
        let mut named = Vec::new();
        for row in layout.lines().filter(|line| line.starts_with("| `")) {
            let cell = row.trim_start_matches("| ").split(" | ").next().unwrap();
            let mut folder = String::new();
            for token in cell.split('`').skip(1).step_by(2) {
                let token = token
                    .replace("stepN-topic", "step1-echo")
                    .replace("stepN", "step1");
                // `a/b.rs`, `c.rs`: c.rs is beside b.rs.
                let path = if token.contains('/') {
                    token
                } else {
                    format!("{folder}{token}")
                };
                folder = path[..path.rfind('/').map_or(0, |at| at + 1)].to_string();
                let fixed = path.split('*').next().unwrap();
                assert!(
                    root.join(fixed).exists(),
                    "the maintainer guide's layout names {path}, which does not exist"
                );
                named.push(path);
            }
        }
        let manifest = fs::read_to_string(root.join("Cargo.toml")).unwrap();
        let members = manifest.split("members = [").nth(1).unwrap();
        let members = members.split(']').next().unwrap();
        for member in members.split('"').skip(1).step_by(2) {
            let member = member.trim_end_matches("/*");
            assert!(
                named.iter().any(|path| path.starts_with(member)),
                "the maintainer guide's layout does not say what {member}/ is"
            );
        }
    }

    /// `(path from the root, text)` of every file with the given extension under `dirs`.
    fn files(dirs: &[&str], extension: &str) -> Vec<(PathBuf, String)> {
        let root = workspace_root();
        let mut found = Vec::new();
        let mut pending: Vec<PathBuf> = dirs.iter().map(|d| root.join(d)).collect();
        while let Some(path) = pending.pop() {
            if path.is_dir() {
                let entries = fs::read_dir(&path).unwrap().map(|e| e.unwrap().path());
                pending.extend(entries);
            } else if path.extension().is_some_and(|e| e == extension) {
                let text = fs::read_to_string(&path).unwrap();
                found.push((path.strip_prefix(&root).unwrap().to_path_buf(), text));
            }
        }
        found
    }

    /// The book, the README and the hints of `cargo xtask hint`.
    fn prose() -> Vec<(PathBuf, String)> {
        let mut prose = files(&["docs/src"], "md");
        for path in ["README.md", "xtask/hints.md"] {
            let text = fs::read_to_string(workspace_root().join(path)).unwrap();
            prose.push((PathBuf::from(path), text));
        }
        prose
    }

    /// The chapter titles and files listed in docs/src/SUMMARY.md: `[Title](file.md)`.
    fn summary() -> Vec<(String, String)> {
        let text = fs::read_to_string(workspace_root().join("docs/src/SUMMARY.md")).unwrap();
        text.lines()
            .filter_map(|line| {
                let (title, rest) = line.split_once('[')?.1.split_once("](")?;
                Some((title.to_string(), rest.split_once(')')?.0.to_string()))
            })
            .collect()
    }

    /// Every string quoted right after `marker` in `text`: `marker "this"`.
    fn quoted_after<'a>(text: &'a str, marker: &str) -> Vec<&'a str> {
        let opening = format!("{marker} \"");
        let quoted = text.split(opening.as_str()).skip(1);
        quoted.filter_map(|rest| rest.split('"').next()).collect()
    }

    #[test]
    fn every_chapter_in_the_summary_exists_and_every_step_has_one() {
        let summary = summary();
        for (title, file) in &summary {
            let path = workspace_root().join("docs/src").join(file);
            assert!(
                path.is_file(),
                "SUMMARY.md lists {title:?} as {file}, which does not exist"
            );
        }
        for step in STEPS {
            assert!(
                summary.iter().any(|(title, _)| title == step.title),
                "SUMMARY.md has no chapter titled {:?} (xtask/src/steps.rs)",
                step.title
            );
        }
    }

    /// Whether the chapter in `docs/src/{file}` has a section (a `##` or `###` heading) titled
    /// `section`.
    fn has_section(file: &str, section: &str) -> bool {
        let chapter = fs::read_to_string(workspace_root().join("docs/src").join(file)).unwrap();
        let heading = |line: &str| line.trim_start_matches('#').trim() == section;
        chapter.lines().any(|l| l.starts_with("##") && heading(l))
    }

    /// Every chapter a message names (`docs chapter "Title"`) exists, and so does every section
    /// a pointer names (`docs "Title" › "Section"`, as the starters' `todo!` messages have).
    #[test]
    fn every_docs_chapter_and_section_a_message_names_exists() {
        let summary = summary();
        let sources = files(
            &[
                "solutions/src",
                "tests/suites",
                "tests/testkit/src",
                "labcli/src",
            ],
            "rs",
        );
        let mut pointers = 0;
        for (path, text) in sources {
            // In Rust source the quotes around a chapter title are escaped inside strings.
            let text = text.replace("\\\"", "\"");
            for title in quoted_after(&text, "docs chapter") {
                assert!(
                    summary.iter().any(|(t, _)| t == title),
                    "{}: no chapter titled {title:?}",
                    path.display()
                );
            }
            for title in quoted_after(&text, "docs") {
                let rest = text.split(&format!("docs \"{title}\" › \"")).nth(1);
                let section = rest.and_then(|rest| rest.split('"').next());
                let file = summary
                    .iter()
                    .find(|(t, _)| t == title)
                    .map(|(_, file)| file);
                let file = file
                    .unwrap_or_else(|| panic!("{}: no chapter titled {title:?}", path.display()));
                let section = section.unwrap_or_else(|| {
                    panic!(
                        "{}: `docs \"{title}\"` names no section: write \
                         `docs \"{title}\" › \"Section\"`",
                        path.display()
                    )
                });
                assert!(
                    has_section(file, section),
                    "{}: {file} has no section {section:?}",
                    path.display()
                );
                pointers += 1;
            }
        }
        assert!(
            pointers >= 20,
            "only {pointers} pointers to a section found"
        );
    }

    #[test]
    fn every_section_a_hint_names_exists() {
        let summary = summary();
        let text = fs::read_to_string(workspace_root().join("xtask/hints.md")).unwrap();
        for section in crate::hint::parse(&text).unwrap() {
            for hint in section.hints {
                let file = summary.iter().find(|(title, _)| *title == hint.chapter);
                let (_, file) = file.unwrap_or_else(|| {
                    panic!("xtask/hints.md: no chapter titled {:?}", hint.chapter)
                });
                assert!(
                    has_section(file, &hint.section),
                    "xtask/hints.md: {file} has no section {:?}",
                    hint.section
                );
            }
        }
    }

    #[test]
    fn every_test_or_function_the_book_names_exists() {
        let code: String = files(&["tests/suites", "solutions/src", "solutions/tests"], "rs")
            .into_iter()
            .map(|(_, t)| t)
            .collect();
        for (path, text) in prose() {
            for name in text.split('`').skip(1).step_by(2) {
                let is_long_snake = name.split('_').count() >= 4
                    && name
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
                if is_long_snake {
                    assert!(
                        code.contains(&format!("fn {name}(")),
                        "{} names `{name}`, which no test or function has",
                        path.display()
                    );
                }
            }
        }
    }

    #[test]
    fn every_cargo_package_the_book_names_exists() {
        let mut packages: Vec<String> = STEPS.iter().map(|step| step.package()).collect();
        packages.extend(
            [
                "solutions",
                "xtask",
                "testkit",
                "labcli",
                "protocol-tools",
                "library-examples",
                "browser",
            ]
            .map(String::from),
        );
        let bare = |word: &str| {
            word.trim_matches(|c: char| !c.is_ascii_alphanumeric())
                .to_string()
        };
        for (path, text) in prose() {
            for word in text.split("cargo ").skip(1) {
                let mut words = word.split_whitespace();
                let Some(("test" | "run", "-p")) = words.next().zip(words.next()) else {
                    continue;
                };
                let package = bare(words.next().unwrap_or_default());
                assert!(
                    packages.contains(&package),
                    "{}: no package {package:?}",
                    path.display()
                );
                if package == "solutions" && words.next() == Some("--") {
                    let step = bare(words.next().unwrap_or_default());
                    let known = packages.contains(&step) && step.starts_with("step");
                    assert!(
                        known || step == "STEP" || step == "stepN" || step == "demo",
                        "{}: no reference program {step:?}",
                        path.display()
                    );
                }
            }
        }
    }

    #[test]
    fn every_relative_link_resolves() {
        let root = workspace_root();
        for (path, text) in prose() {
            let dir = root.join(path.parent().unwrap_or(Path::new("")));
            for target in text
                .split("](")
                .skip(1)
                .filter_map(|rest| rest.split(')').next())
            {
                let target = target.split('#').next().unwrap_or_default();
                if target.is_empty() || target.contains("://") {
                    continue;
                }
                assert!(
                    dir.join(target).exists(),
                    "{} links to {target}, which does not exist",
                    path.display()
                );
            }
        }
    }

    #[test]
    fn the_book_carries_what_it_needs_to_draw_its_diagrams() {
        let docs = workspace_root().join("docs");
        let config = fs::read_to_string(docs.join("book.toml")).unwrap();
        assert!(
            config.contains("additional-js = [\"mermaid-init.js\"]"),
            "docs/book.toml should load mermaid-init.js"
        );
        let init = fs::read_to_string(docs.join("mermaid-init.js")).unwrap();
        assert!(init.contains("path_to_root + \"mermaid/mermaid.tiny.js\""));
        let mermaid = fs::read_to_string(docs.join("src/mermaid/mermaid.tiny.js")).unwrap();
        let version = init
            .split("@mermaid-js/tiny ")
            .nth(1)
            .and_then(|rest| rest.split(',').next())
            .expect("mermaid-init.js names the version it loads");
        assert!(
            mermaid.contains(&format!("\"{version}\"")),
            "docs/src/mermaid/mermaid.tiny.js is not version {version}, as mermaid-init.js says"
        );
        assert!(docs.join("src/mermaid/LICENSE").is_file());
        let diagrams = prose()
            .iter()
            .map(|(_, text)| text.matches("```mermaid\nsequenceDiagram\n").count())
            .sum::<usize>();
        assert!(diagrams >= 4, "the book's diagrams are sequence diagrams");
    }

    #[test]
    fn ci_runs_the_readme_test_command() {
        let root = workspace_root();
        let readme = fs::read_to_string(root.join("README.md")).unwrap();
        let ci = fs::read_to_string(root.join(".ci/run")).unwrap();
        assert!(
            readme.contains(&format!("```console\n{TEST_COMMAND}\n```")),
            "README.md should show `{TEST_COMMAND}`"
        );
        assert!(
            // As it is, or with its output also kept in a file.
            ci.lines().any(|line| {
                let rest = line.trim().strip_prefix(TEST_COMMAND);
                rest.is_some_and(|rest| rest.is_empty() || rest.starts_with(" 2>&1 | tee "))
            }),
            ".ci/run should run `{TEST_COMMAND}`"
        );
        let workflow = fs::read_to_string(root.join(".github/workflows/ci.yml")).unwrap();
        assert!(
            workflow.contains(&format!("run: {TEST_COMMAND}\n")),
            ".github/workflows/ci.yml should run `{TEST_COMMAND}`"
        );
    }
}
