//! Building the labs' test binaries in the grading workspace, each lab on its own, so that one
//! lab that does not compile leaves the others to be graded.

use std::path::{Path, PathBuf};

use crate::command::{cargo_command, run_cargo};
use crate::steps::Step;

/// What building one lab gave.
pub enum Built {
    /// The test binary of the lab, which runs its suites.
    Tests(PathBuf),
    /// The lab does not compile: the compiler's first error.
    DoesNotCompile(String),
}

/// Builds the test binaries of `steps` in `workspace`, with `target` as cargo's target folder.
pub fn build(workspace: &Path, target: &Path, steps: &[&Step]) -> Result<Vec<Built>, String> {
    let packages: Vec<String> = steps.iter().map(|step| step.package()).collect();
    // One build of them all first, for cargo to use every core; `--keep-going` builds the
    // others when one does not compile. Then one quick call per lab, which only reads what is
    // already built, tells each lab's binary or first error.
    let mut all = vec!["build", "--tests", "--keep-going"];
    for package in &packages {
        all.extend(["-p", package]);
    }
    run_cargo(nested(workspace, target, &all))?;
    packages
        .iter()
        .map(|package| {
            // The lab's one test target, by its name: the trusted manifest declares it and
            // turns cargo's discovery of other targets off.
            let run = run_cargo(nested(
                workspace,
                target,
                &["test", "--no-run", "-p", package, "--test", package],
            ))?;
            if !run.success {
                return Ok(Built::DoesNotCompile(first_error(&run.output)));
            }
            let binary = executable(&run.output).filter(|path| {
                let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
                name.is_some_and(|name| name.starts_with(&format!("{package}-")))
            });
            binary.map(Built::Tests).ok_or_else(|| {
                format!(
                    "`cargo test --no-run -p {package} --test {package}` named no test binary \
                     of that target:\n{}",
                    run.output
                )
            })
        })
        .collect()
}

fn nested(workspace: &Path, target: &Path, args: &[&str]) -> std::process::Command {
    let mut command = cargo_command(workspace, args);
    command.env("CARGO_TARGET_DIR", target);
    // The student's code is compiled here, outside the sandbox, and macros read files.
    super::run::without_job_variables(&mut command);
    command
}

/// The test binary that `cargo test --no-run` reports: `  Executable tests/step1.rs (PATH)`.
fn executable(output: &str) -> Option<PathBuf> {
    output.lines().find_map(|line| {
        let rest = line.trim_start().strip_prefix("Executable ")?;
        let path = rest.rsplit_once(" (")?.1.strip_suffix(')')?;
        Some(PathBuf::from(path))
    })
}

/// The compiler's first error in `output`, from its `error` line to the blank line that ends
/// it, or the whole output if there is no such line (cargo's own errors).
fn first_error(output: &str) -> String {
    let lines: Vec<&str> = output.lines().collect();
    let is_first_line = |line: &&str| {
        (line.starts_with("error[") || line.starts_with("error:"))
            && !line.starts_with("error: could not compile")
            && !line.starts_with("error: aborting")
    };
    let Some(start) = lines.iter().position(is_first_line) else {
        return output.trim().to_string();
    };
    let length = lines[start..]
        .iter()
        .position(|line| line.trim().is_empty())
        .unwrap_or(lines.len() - start);
    lines[start..start + length].join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    const FAILED_BUILD: &str = "   Compiling step3 v0.1.0 (/x/labs/step3-http-client)
warning: unused variable: `y`

error[E0308]: mismatched types
   --> labs/step3-http-client/src/lib.rs:160:27
    |
160 | fn broken() { let x: u8 = \"a\"; }
    |                           ^^^ expected `u8`, found `&str`

error[E0425]: cannot find value `z` in this scope

error: could not compile `step3` (lib) due to 2 previous errors
";

    #[test]
    fn the_first_error_is_the_first_error_block() {
        let error = first_error(FAILED_BUILD);
        assert!(
            error.starts_with("error[E0308]: mismatched types\n"),
            "{error}"
        );
        assert!(error.ends_with("expected `u8`, found `&str`"), "{error}");
    }

    #[test]
    fn the_test_binary_is_read_off_cargo_output() {
        let output = "    Finished `test` profile\n  Executable tests/step1.rs \
                      (/w/target/debug/deps/step1-2d7f15a1540df398)\n";
        assert_eq!(
            executable(output),
            Some(PathBuf::from("/w/target/debug/deps/step1-2d7f15a1540df398"))
        );
    }
}
