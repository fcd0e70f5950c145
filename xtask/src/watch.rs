//! `cargo xtask watch [N]`: the student's loop of saving and testing, run for them.
//! The labs are built by the student's own build, as `cargo test -p stepN` builds them, and
//! the tests are scored by the grade, whose progress and statuses the view shows, so that
//! watching and grading can never disagree on what is done.
//!
//! - `watch/own_build.rs`: building a lab's test target in the workspace's own target folder,
//!   and running each of its tests in a process of its own with the grade's deadline (which
//!   `solution` asks too, whether a step passes)
//! - `watch/files.rs`: reading the labs' files, whose contents decide whether a save changed
//!   anything
//! - `watch/keys.rs`: the keyboard, and the terminal's key mode, so that `q` quits at once
//! - `watch/view.rs`: what the screen shows after each run

mod files;
mod keys;
pub mod own_build;
mod view;

use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::thread;
use std::time::{Duration, Instant};

use crate::grade::{Report, Status, StepGrade};
use crate::steps::{STEPS, Step};
use files::Snapshot;
use view::Suites;

pub const USAGE: &str = "usage: cargo xtask watch [N]

Runs the tests of step N (default: the first step that is not done), and again each time you
save a file of its lab (labs/stepN-*/src). It shows how far every step is and, under that, the
first failing test's message: the next thing to do. When every test of the step passes, it
says so and moves on to the next step.

Quit with q or Ctrl-C; both stop the tests that are running. Without a terminal (an editor's
run pane, a pipe) a line q quits, and each view is printed after the last instead of redrawing
the screen.";

/// How long after a change `watch` waits for more, so that an editor's save, which may write
/// several files or one file in several writes, runs the tests once.
const SETTLE: Duration = Duration::from_millis(150);

/// How long quitting waits for a run it stopped to end.
const STOP_PATIENCE: Duration = Duration::from_secs(10);

/// What the session reacts to.
pub enum Event {
    /// The files of the lab of this step changed.
    Changed(u8),
    /// A run of the tests ended, with the steps it tested (boxed: a grade is large).
    Tested(Box<Result<Vec<StepGrade>, String>>),
    Quit,
}

/// What to watch, and where to build.
pub struct Watch {
    pub root: PathBuf,
    /// The step to start with; by default, the first that is not done.
    pub step: Option<&'static Step>,
    /// Cargo's target folder: the one `cargo test` uses, so that either reuses the other's
    /// build.
    pub target: PathBuf,
}

/// `cargo xtask watch ARGS`.
pub fn main(root: &Path, args: &[&str]) -> Result<(), String> {
    if matches!(args, ["--help" | "-h" | "help"]) {
        println!("{USAGE}");
        return Ok(());
    }
    let mut watch = Watch {
        root: root.to_path_buf(),
        step: None,
        target: own_build::target_dir(root)?,
    };
    for arg in args {
        match *arg {
            number if watch.step.is_none() => {
                watch.step = Some(crate::steps::parse_step(number)?);
            }
            _ => return Err(format!("unexpected {arg:?}\n\n{USAGE}")),
        }
    }
    let (sender, events) = mpsc::channel();
    // Puts the terminal back when dropped, at the end of this function.
    let keyboard = keys::Keyboard::listen(sender.clone());
    let screen = Screen {
        redraw: std::io::stdout().is_terminal() && can_redraw(),
        how_to_quit: keyboard.how_to_quit(),
    };
    run(&watch, sender, &events, &mut std::io::stdout(), &screen)
}

/// How the views are shown.
pub struct Screen {
    /// Whether each view replaces the last (in a terminal) or follows it.
    pub redraw: bool,
    /// How to quit, as the views say it: which depends on how the keyboard is read.
    pub how_to_quit: &'static str,
}

/// Whether the terminal understands the escape codes that clear it. Every Unix terminal does;
/// on Windows, Windows Terminal and VS Code's do, where the old console would print them.
fn can_redraw() -> bool {
    cfg!(not(windows))
        || std::env::var_os("WT_SESSION").is_some()
        || std::env::var_os("TERM_PROGRAM").is_some()
}

/// Watches until [`Event::Quit`], showing the views on `out` as `screen` says.
pub fn run(
    watch: &Watch,
    sender: Sender<Event>,
    events: &Receiver<Event>,
    out: &mut dyn Write,
    screen: &Screen,
) -> Result<(), String> {
    files::watch(watch.root.clone(), sender.clone());
    let mut session = Session {
        watch,
        suites: Suites::read(&watch.root),
        sender,
        out,
        screen,
        report: None,
        current: watch.step,
        running: false,
        due: None,
        tested: BTreeMap::new(),
        news: Vec::new(),
    };
    // The step to work on first, on its own, so that its view comes as soon as it can; the
    // others follow, all at once, for the table of every step.
    let first = watch.step.unwrap_or(&STEPS[0]);
    session.say(&format!(
        "watch: testing step {}, then the other steps, to show how far each is (the first \
         time, it builds the labs); {}",
        first.number, screen.how_to_quit
    ))?;
    session.start(vec![first]);
    loop {
        let waiting = session.due.filter(|_| !session.running);
        let event = match waiting {
            Some(due) => match events.recv_timeout(due.saturating_duration_since(Instant::now())) {
                Ok(event) => Some(event),
                Err(RecvTimeoutError::Timeout) => None,
                Err(RecvTimeoutError::Disconnected) => return Ok(()),
            },
            None => match events.recv() {
                Ok(event) => Some(event),
                Err(_) => return Ok(()),
            },
        };
        match event {
            None => {
                session.due = None;
                session.test_if_changed()?;
            }
            Some(Event::Changed(number)) => {
                // Until the first run has found the step to watch, any lab may be it.
                if session.current.is_none_or(|step| step.number == number) {
                    session.due = Some(Instant::now() + SETTLE);
                }
            }
            Some(Event::Tested(result)) => {
                session.running = false;
                session.tested(*result)?;
            }
            Some(Event::Quit) => return session.quit(events),
        }
    }
}

struct Session<'a> {
    watch: &'a Watch,
    suites: Suites,
    sender: Sender<Event>,
    out: &'a mut dyn Write,
    screen: &'a Screen,
    /// The grade of every step tested so far, in the order of the steps.
    report: Option<Report>,
    /// The step being watched; none until a run has found it.
    current: Option<&'static Step>,
    /// Whether a run is under way (one at a time).
    running: bool,
    /// When a change has settled and the tests may run again.
    due: Option<Instant>,
    /// Each lab's files as its last run tested them, by step number.
    tested: BTreeMap<u8, Snapshot>,
    /// What happened since the last save, shown above the progress.
    news: Vec<String>,
}

impl Session<'_> {
    /// Builds and runs the tests of `steps` on a thread; [`Event::Tested`] brings their
    /// grades back.
    fn start(&mut self, steps: Vec<&'static Step>) {
        let root = self.watch.root.clone();
        for step in &steps {
            self.tested.insert(step.number, Snapshot::of(&root, step));
        }
        let target = self.watch.target.clone();
        let sender = self.sender.clone();
        thread::spawn(move || {
            let tested = own_build::test(&root, &target, &steps);
            let _ = sender.send(Event::Tested(Box::new(tested)));
        });
        self.running = true;
    }

    /// After a save has settled: tests the current lab again, unless its files are as tested.
    fn test_if_changed(&mut self) -> Result<(), String> {
        let Some(step) = self.current else {
            return Ok(());
        };
        if self.tested.get(&step.number) == Some(&Snapshot::of(&self.watch.root, step)) {
            return Ok(());
        }
        self.news.clear();
        self.say(&format!(
            "watch: labs/{} changed; testing step {}...",
            step.dir, step.number
        ))?;
        self.start(vec![step]);
        Ok(())
    }

    fn tested(&mut self, result: Result<Vec<StepGrade>, String>) -> Result<(), String> {
        let fresh = match result {
            Ok(fresh) => fresh,
            // Before the first run there is nothing to show, and the cause (cargo missing,
            // a broken checkout) will not go away by saving.
            Err(error) if self.report.is_none() => return Err(error),
            Err(error) => {
                return self.say(&format!("watch: the tests could not run: {error}"));
            }
        };
        let root = &self.watch.root;
        let mut report = self
            .report
            .take()
            .unwrap_or_else(|| own_build::report(root, Vec::new()));
        let mut turned_green = Vec::new();
        for graded in fresh {
            let number = graded.step.number;
            let Some(slot) = report.steps.iter_mut().find(|s| s.step.number == number) else {
                report.steps.push(graded);
                continue;
            };
            let was_done = slot.status() == Status::Done;
            *slot = graded;
            if !was_done && slot.status() == Status::Done {
                let mut news = format!("Step {number} turned green: all its tests pass.");
                // Where there is a reference to show: not in the repository students fork.
                if crate::solution::published(root, slot.step) {
                    news += &format!(" See the reference's way: cargo xtask solution {number}");
                }
                self.news.push(news);
                turned_green.push(number);
            }
        }
        report.steps.sort_by_key(|s| s.step.number);
        let grade_of = |step: &Step| report.steps.iter().find(|s| s.step.number == step.number);
        let untested: Vec<&'static Step> = STEPS.iter().filter(|s| grade_of(s).is_none()).collect();
        if self.current.is_none() {
            // The first step not done, once the steps before it are all tested.
            let first = STEPS
                .iter()
                .find(|step| grade_of(step).is_none_or(|s| s.status() != Status::Done));
            match first {
                Some(step) if grade_of(step).is_some() => self.current = Some(step),
                Some(_) => {}
                None => {
                    self.current = STEPS.last();
                    self.news.push("Every step is done. Well done!".into());
                }
            }
        }
        let moved_on = self
            .current
            .is_some_and(|current| turned_green.contains(&current.number));
        let next = self
            .current
            .and_then(|current| report.next_unfinished(current.number))
            .map(|s| s.step)
            .filter(|_| moved_on);
        match next {
            Some(next) => self.news.push(format!("On to {}.", next.title)),
            None if moved_on => self.news.push("Every step is done. Well done!".into()),
            None => {}
        }
        self.report = Some(report);
        self.show()?;
        let mut to_test = untested;
        if let Some(next) = next {
            self.current = Some(next);
            self.say(&format!("watch: testing step {}...", next.number))?;
            to_test.push(next);
        }
        if !to_test.is_empty() {
            self.start(to_test);
        }
        Ok(())
    }

    /// Draws the view: over the last one in a terminal, after it otherwise.
    fn show(&mut self) -> Result<(), String> {
        let (Some(report), Some(step)) = (&self.report, self.current) else {
            return Ok(());
        };
        let view = view::render(
            report,
            step.number,
            &self.news,
            &self.suites,
            self.screen.how_to_quit,
        );
        let clear = if self.screen.redraw {
            // Home, then erase the screen.
            "\x1b[H\x1b[2J"
        } else {
            "\n"
        };
        write!(self.out, "{clear}{view}")
            .and_then(|()| self.out.flush())
            .map_err(|e| format!("cannot write the view: {e}"))
    }

    fn say(&mut self, line: &str) -> Result<(), String> {
        writeln!(self.out, "{line}")
            .and_then(|()| self.out.flush())
            .map_err(|e| format!("cannot write: {e}"))
    }

    /// Quits; a run under way is stopped first, with every program it started.
    fn quit(mut self, events: &Receiver<Event>) -> Result<(), String> {
        if self.running {
            crate::command::stop_everything();
            let deadline = Instant::now() + STOP_PATIENCE;
            while let Ok(event) =
                events.recv_timeout(deadline.saturating_duration_since(Instant::now()))
            {
                if let Event::Tested(_) = event {
                    break;
                }
            }
        }
        self.say("watch: stopped")
    }
}

#[cfg(test)]
mod scripted;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grade::sources::scratch;
    use crate::grade::{Kind, Outcome, TestGrade};
    use std::fs;

    /// A grade of `step` with one test, which passes or not.
    fn graded(step: &'static Step, passes: bool) -> StepGrade {
        let outcome = if passes {
            Outcome::Passed
        } else {
            Outcome::Failed
        };
        let name = format!("{}::a_test", step.package());
        StepGrade::tested(step, vec![TestGrade::ended(name, Kind::Required, outcome)])
    }

    /// The news of a session in the workbook at `root` when its last step, the only one not
    /// done, turns green (no test runs: every step is graded already).
    fn news_when_the_last_step_turns_green(root: &Path) -> Vec<String> {
        let last = STEPS.last().expect("a step");
        let watch = Watch {
            root: root.to_path_buf(),
            step: Some(last),
            target: root.join("target"),
        };
        let (sender, _events) = mpsc::channel();
        let mut out = Vec::new();
        let screen = Screen {
            redraw: false,
            how_to_quit: "q quits",
        };
        let steps = STEPS.iter().map(|s| graded(s, s.number != last.number));
        let mut session = Session {
            watch: &watch,
            suites: Suites::read(root),
            sender,
            out: &mut out,
            screen: &screen,
            report: Some(own_build::report(root, steps.collect())),
            current: Some(last),
            running: false,
            due: None,
            tested: BTreeMap::new(),
            news: Vec::new(),
        };
        session.tested(Ok(vec![graded(last, true)])).unwrap();
        assert!(!session.running, "nothing more to test");
        session.news
    }

    #[test]
    fn a_step_that_turns_green_offers_the_reference_where_the_workbook_has_it() {
        let last = STEPS.last().unwrap();
        let with = scratch("watch-with-reference");
        let reference = with.join(crate::solution::reference_path(last));
        fs::create_dir_all(reference.parent().unwrap()).unwrap();
        fs::write(&reference, "").unwrap();
        let n = last.number;
        assert_eq!(
            news_when_the_last_step_turns_green(&with),
            [
                format!(
                    "Step {n} turned green: all its tests pass. See the reference's way: cargo \
                     xtask solution {n}"
                ),
                "Every step is done. Well done!".to_string(),
            ]
        );
        // The repository students fork has no reference: nothing to offer.
        let without = scratch("watch-without-reference");
        let news = news_when_the_last_step_turns_green(&without);
        assert_eq!(
            news[0],
            format!("Step {n} turned green: all its tests pass.")
        );
        fs::remove_dir_all(&with).unwrap();
        fs::remove_dir_all(&without).unwrap();
    }
}
