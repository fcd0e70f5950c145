//! The reference implementation: one module per step, each with the public API of its lab.
//!
//! Each module is a whole step on its own, because `cargo xtask sync-labs` turns it into that
//! lab's `src/lib.rs`: comments `// lab:todo ...` and `// lab:starter` ... `// lab:end` mark
//! the code a student writes (see the maintainer guide). Later steps therefore repeat the
//! earlier steps' code they build on, on purpose.
//!
//! `demo` is not a step: it is the classroom command `solutions demo N`.

pub mod demo;

pub mod step1;
pub mod step2;
pub mod step3;
pub mod step4;
pub mod step5;
pub mod step6;
pub mod step7;
pub mod step8;
pub mod step9;

use std::process::ExitCode;

/// A step's program: its name for messages, and its arguments.
pub type Program = fn(&str, Vec<String>) -> ExitCode;

/// Every step's program by name, for `solutions stepN [args]`.
pub const PROGRAMS: &[(&str, Program)] = &[
    ("step1", step1::run),
    ("step2", step2::run),
    ("step3", step3::run),
    ("step4", step4::run),
    ("step5", step5::run),
    ("step6", step6::run),
    ("step7", step7::run),
    ("step8", step8::run),
    ("step9", step9::run),
];
