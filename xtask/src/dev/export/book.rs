//! The book as students get it: without the pages for instructors and maintainers and the
//! links to them, without the protocol tools' sections, and with the lab's own program where a page runs
//! the reference. The rules read the book's own conventions (console blocks, `##` sections),
//! so a chapter needs no markers; `scan.rs` catches what they miss.

use super::OMITTED_PAGES;
use crate::steps::STEPS;

/// The homework chapter, and the step whose lab it asks students to hand in: it goes with that
/// lab. An export without it has nothing to hand in; one with later steps gets it too, with its
/// table of points cut to the exported steps ([`without_later_steps`]).
const HOMEWORK: (&str, u8) = ("homework.md", 7);

/// The pages the export of steps 1 to `last` leaves out: those for instructors and
/// maintainers, the chapters of later steps, and the homework before its step.
pub fn omitted(last: u8) -> Vec<String> {
    let later: Vec<_> = STEPS.iter().filter(|s| s.number > last).collect();
    let homework = (last < HOMEWORK.1).then(|| HOMEWORK.0.to_string());
    let chapters = later.iter().map(|s| format!("{}.md", s.dir));
    OMITTED_PAGES
        .iter()
        .map(|p| p.to_string())
        .chain(chapters)
        .chain(homework)
        .collect()
}

/// What the lesson's demo of each step starts, as a student starts it: the lab's program on the
/// lesson's port, or for the step 3 client a web server for it to fetch from ([`ANY_SERVER`]).
/// With the first line that program prints, which replaces the demo's.
const DEMOS: &[(u8, &str, &str)] = &[
    (
        1,
        "cargo run -p step1 -- server --port 50000",
        "listening on 127.0.0.1:50000",
    ),
    (
        2,
        "cargo run -p step2 -- --port 50000",
        "listening on 127.0.0.1:50000",
    ),
    (3, ANY_SERVER.0, ANY_SERVER.1),
    (
        4,
        "cargo run -p step4",
        "listening on http://127.0.0.1:10000/",
    ),
    (
        5,
        "cargo run -p step5",
        "listening on http://127.0.0.1:10000/",
    ),
    (
        6,
        "cargo run -p step6",
        "listening on http://127.0.0.1:10000/",
    ),
    (
        7,
        "cargo run -p step7",
        "listening on http://127.0.0.1:10000/",
    ),
    (
        8,
        "cargo run -p step8",
        "listening on http://127.0.0.1:10000/",
    ),
    // The demo stores uploads in a folder that is new at each start; so does this one.
    (
        9,
        "cargo run -p step9 -- --uploads \"$(mktemp -d)\"",
        "listening on http://127.0.0.1:10000/",
    ),
];

/// A web server that serves `webroot/`, for a demo whose lab the export does not have.
const ANY_SERVER: (&str, &str) = (
    "python3 -m http.server --bind 127.0.0.1 --directory webroot 10000",
    "Serving HTTP on 127.0.0.1 port 10000 (http://127.0.0.1:10000/) ...",
);

/// The pages `summary` links to, but those left out.
pub fn pages(summary: &str, omitted: &[String]) -> Vec<String> {
    summary
        .lines()
        .filter_map(|line| {
            let target = line.split_once("](")?.1.split_once(')')?.0;
            Some(target.to_string())
        })
        .filter(|page| !omitted.contains(page))
        .collect()
}

/// `SUMMARY.md` without the left-out pages, and without the parts they leave empty.
pub fn summary(text: &str, omitted: &[String]) -> String {
    let lines: Vec<&str> = text
        .lines()
        .filter(|line| {
            !omitted
                .iter()
                .any(|page| line.contains(&format!("({page})")))
        })
        .collect();
    let mut kept: Vec<&str> = Vec::new();
    for (index, line) in lines.iter().enumerate() {
        let is_part = line.starts_with("# ") && index > 0;
        let next = lines[index + 1..].iter().find(|l| !l.trim().is_empty());
        if is_part && next.is_none_or(|l| l.starts_with("# ")) {
            continue;
        }
        kept.push(line);
    }
    while kept.last().is_some_and(|l| l.trim().is_empty()) {
        kept.pop();
    }
    let mut text = String::new();
    for line in kept {
        if !(line.trim().is_empty() && text.ends_with("\n\n")) {
            text += line;
            text += "\n";
        }
    }
    text
}

/// A page of the book as the export of steps 1 to `last` has it, without links to `omitted`.
pub fn page(text: &str, omitted: &[String], last: u8) -> String {
    let text = without_later_steps(&without_protocol_tools(text), last);
    let mut kept = String::new();
    let mut in_console = false;
    let mut after_demo: Option<&str> = None;
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with("```") {
            in_console = !in_console && trimmed == "```console";
        }
        // One-line comments are notes for maintainers (which test checks the block below).
        if trimmed.starts_with("<!--") && trimmed.ends_with("-->") {
            continue;
        }
        if let Some(output) = after_demo.take() {
            if line.starts_with("listening on") {
                kept += output;
                kept += "\n";
                continue;
            }
        }
        let mut line = unlinked(line, omitted);
        if in_console {
            if let Some((command, output)) = demo(&line, last) {
                after_demo = Some(output);
                line = format!("$ {command}");
            }
        }
        let line = with_the_labs(&line);
        if in_console && line.starts_with("$ ") && line.trim_end().ends_with("# the reference") {
            continue;
        }
        kept += &line;
        kept += "\n";
    }
    kept
}

/// The demo a console line starts, if it does: the student's command and its first output.
fn demo(line: &str, last: u8) -> Option<(&'static str, &'static str)> {
    let number: u8 = line
        .strip_prefix("$ cargo run -p solutions -- demo ")?
        .trim()
        .parse()
        .ok()?;
    if number > last {
        return Some(ANY_SERVER);
    }
    DEMOS
        .iter()
        .find(|(step, _, _)| *step == number)
        .map(|(_, command, output)| (*command, *output))
}

/// `cargo run -p solutions -- stepN ARGS` as the lab's own `cargo run -p stepN -- ARGS`, which
/// takes the same arguments, and the reference's name in its messages as the lab's.
fn with_the_labs(line: &str) -> String {
    let mut line = line.to_string();
    while let Some(at) = line.find("cargo run -p solutions -- step") {
        let rest = &line[at + "cargo run -p solutions -- ".len()..];
        let package: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        let args = &rest[package.len()..];
        let has_args = args.starts_with(' ') && !args.trim_start().starts_with(['#', '`']);
        let replacement = if has_args {
            format!("cargo run -p {package} --")
        } else {
            format!("cargo run -p {package}")
        };
        line = format!("{}{replacement}{args}", &line[..at]);
    }
    for step in 1..=9 {
        line = line.replace(&format!("solutions step{step}: "), &format!("step{step}: "));
    }
    line
}

/// `[text](page.md...)` as `text` when the page is left out.
fn unlinked(line: &str, omitted: &[String]) -> String {
    let mut line = line.to_string();
    for page in omitted {
        while let Some(end) = line.find(&format!("]({page}")) {
            let Some(start) = line[..end].rfind('[') else {
                break;
            };
            let close = end + line[end..].find(')').unwrap_or(line.len() - end - 1);
            line = format!(
                "{}{}{}",
                &line[..start],
                &line[start + 1..end],
                &line[close + 1..]
            );
        }
    }
    line
}

/// `text` without the table rows (`| Step 8 | ...`) and the list items (`- Step 8, ...`, with
/// the lines indented under it) of steps after `last`.
fn without_later_steps(text: &str, last: u8) -> String {
    let later = |line: &str| {
        let rest = line
            .strip_prefix("| Step ")
            .or_else(|| line.strip_prefix("- Step "));
        let number = rest.map(|rest| rest.split([' ', ',', ':']).next().unwrap_or_default());
        number
            .and_then(|n| n.parse::<u8>().ok())
            .is_some_and(|n| n > last)
    };
    let mut kept = String::new();
    let mut in_later_item = false;
    for line in text.lines() {
        in_later_item = later(line) || (in_later_item && line.starts_with("  "));
        if !in_later_item {
            kept += line;
            kept += "\n";
        }
    }
    kept
}

/// Whether `text` runs one of the protocol tools, which the export leaves out.
fn runs_protocol_tools(text: &str) -> bool {
    text.contains("cargo run -p protocol-tools")
}

/// The page without its sections that run the protocol tools: a section goes when its own text does, or
/// when all its subsections go and it has no code of its own; so does a list item that runs it.
fn without_protocol_tools(text: &str) -> String {
    let lines = without_protocol_tools_items(text);
    // Headings outside code blocks: (line, level).
    let mut headings = Vec::new();
    let mut in_code = false;
    for (index, line) in lines.iter().enumerate() {
        if line.trim_start().starts_with("```") {
            in_code = !in_code;
        } else if !in_code && line.starts_with('#') {
            let level = line.chars().take_while(|c| *c == '#').count();
            if line[level..].starts_with(' ') {
                headings.push((index, level));
            }
        }
    }
    // Where the section of heading `at` ends: at the next heading, or the next of its level.
    let end_of = |at: usize, own_text_only: bool| {
        let level = headings[at].1;
        headings[at + 1..]
            .iter()
            .find(|(_, l)| own_text_only || *l <= level)
            .map_or(lines.len(), |(line, _)| *line)
    };
    let mut dropped = vec![false; headings.len()];
    for at in (0..headings.len()).rev() {
        let (start, level) = headings[at];
        let own = lines[start..end_of(at, true)].join("\n");
        let end = end_of(at, false);
        let children: Vec<usize> = (at + 1..headings.len())
            .filter(|&c| headings[c].0 < end && headings[c].1 == level + 1)
            .collect();
        // A section that only introduces its subsections goes with them.
        let all_children_go = !children.is_empty() && children.iter().all(|&c| dropped[c]);
        dropped[at] = runs_protocol_tools(&own) || (all_children_go && !own.contains("```"));
    }
    let mut gone = vec![false; lines.len()];
    for at in (0..headings.len()).filter(|&at| dropped[at]) {
        for line in &mut gone[headings[at].0..end_of(at, false)] {
            *line = true;
        }
    }
    let mut kept = String::new();
    for (line, gone) in lines.iter().zip(gone) {
        if !gone && !(line.trim().is_empty() && (kept.ends_with("\n\n") || kept.is_empty())) {
            kept += line;
            kept += "\n";
        }
    }
    while kept.ends_with("\n\n") {
        kept.pop();
    }
    kept
}

/// The lines of `text` without the list items (a `- ` line and the lines indented under it)
/// that run the protocol tools.
fn without_protocol_tools_items(text: &str) -> Vec<&str> {
    let lines: Vec<&str> = text.lines().collect();
    let mut kept = Vec::new();
    let mut index = 0;
    while index < lines.len() {
        let end = if lines[index].starts_with("- ") {
            (index + 1..lines.len())
                .find(|&i| !lines[i].starts_with("  "))
                .unwrap_or(lines.len())
        } else {
            index + 1
        };
        let item = &lines[index..end];
        if !(lines[index].starts_with("- ") && runs_protocol_tools(&item.join("\n"))) {
            kept.extend_from_slice(item);
        }
        index = end;
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_loses_the_left_out_pages_and_their_empty_parts() {
        let text = "# Summary\n\n[Introduction](introduction.md)\n\n# The labs\n\n- [Step 1: \
                       echo](step1-echo.md)\n\n# For instructors\n\n- [Instructor \
                       guide](instructor-guide.md)\n\n# For maintainers\n\n- [Maintainer \
                       guide](maintainer-guide.md)\n- [Bench](bench.md)\n";
        assert_eq!(
            summary(text, &omitted(7)),
            "# Summary\n\n[Introduction](introduction.md)\n\n# The labs\n\n- [Step 1: \
             echo](step1-echo.md)\n"
        );
        assert_eq!(
            pages(text, &omitted(7)),
            ["introduction.md", "step1-echo.md"]
        );
        assert_eq!(pages(text, &omitted(0)), ["introduction.md"]);
    }

    #[test]
    fn the_real_summary_keeps_every_lab_and_no_guide() {
        let text = std::fs::read_to_string(crate::workspace_root().join("docs/src/SUMMARY.md"));
        let last = crate::steps::STEPS.last().map_or(0, |step| step.number);
        let kept = pages(&text.unwrap(), &omitted(last));
        for step in crate::steps::STEPS {
            assert!(kept.contains(&format!("{}.md", step.dir)), "{}", step.dir);
        }
        assert!(
            kept.iter()
                .all(|page| !page.contains("guide") && page != "bench.md")
        );
    }

    #[test]
    fn the_homework_goes_with_the_lab_it_asks_for_cut_to_the_exported_steps() {
        let (page, step) = HOMEWORK;
        let lab = crate::steps::step(step).expect("the homework's step");
        let chapter = std::fs::read_to_string(crate::workspace_root().join("docs/src").join(page));
        assert!(
            chapter
                .unwrap()
                .contains(&format!("`labs/{}/src/lib.rs`", lab.dir)),
            "{page} no longer asks for step {step}'s lab: change HOMEWORK"
        );
        assert!(omitted(step - 1).contains(&page.to_string()));
        assert!(!omitted(step).contains(&page.to_string()));
        let text = "| step | points |\n|---|--:|\n| Step 7 | 20 |\n| Step 8 | 15 |\n\n\
                    - Step 7, `date`: a header\n  on every answer.\n- Step 8, `x`: more\n  \
                    of it.\n\nStep 8 in prose stays.\n";
        assert_eq!(
            without_later_steps(text, 7),
            "| step | points |\n|---|--:|\n| Step 7 | 20 |\n\n- Step 7, `date`: a header\n  \
             on every answer.\n\nStep 8 in prose stays.\n"
        );
    }

    #[test]
    fn links_to_left_out_pages_become_text() {
        assert_eq!(
            unlinked(
                "the [instructor guide](instructor-guide.md#grades) explains",
                &omitted(7)
            ),
            "the instructor guide explains"
        );
        assert_eq!(
            unlinked("[a](step1-echo.md)", &omitted(7)),
            "[a](step1-echo.md)"
        );
        assert_eq!(unlinked("[a](step1-echo.md)", &omitted(0)), "a");
    }

    #[test]
    fn the_reference_is_run_as_the_lab() {
        let page = page(
            "Compare: `cargo run -p solutions -- step1 server`.\n\n```console\n\
             $ cargo run -p solutions -- demo 1\nlistening on 127.0.0.1:50000 (demo)\n\
             $ cargo run -p step4                  # your lab\n\
             $ cargo run -p solutions -- step4     # the reference\n\
             $ cargo run -p solutions -- step3 https://example.com/\n\
             solutions step3: invalid URL\n```\n<!-- checked by protocol-tools/tests/chapter.rs -->\n",
            &omitted(7),
            7,
        );
        assert_eq!(
            page,
            "Compare: `cargo run -p step1 -- server`.\n\n```console\n\
             $ cargo run -p step1 -- server --port 50000\nlistening on 127.0.0.1:50000\n\
             $ cargo run -p step4                  # your lab\n\
             $ cargo run -p step3 -- https://example.com/\nstep3: invalid URL\n```\n"
        );
    }

    #[test]
    fn sections_and_items_that_run_the_protocol_tools_go() {
        let text = "# Page\n\n## Try it\n\nThe protocol tools are programs.\n\n### One\n\n\
                    `cargo run -p protocol-tools --bin a`\n\n\
                    ### Two\n\n`cargo run -p protocol-tools --bin b`\n\n\
                    ## Keep\n\n- kept\n- `cargo run -p protocol-tools --bin send`\n  goes\n\
                    - kept too\n\n\
                    ### Curl\n\nkept\n\n### Tap\n\n`cargo run -p protocol-tools --bin wiretap`\n\n\
                    ## Code\n\n```console\n$ curl\n```\n\n### Tap\n\n`cargo run -p protocol-tools`\n";
        assert_eq!(
            without_protocol_tools(text),
            "# Page\n\n## Keep\n\n- kept\n- kept too\n\n### Curl\n\nkept\n\n\
             ## Code\n\n```console\n$ curl\n```\n"
        );
    }
}
