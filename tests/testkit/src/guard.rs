//! Running a student's code so that a panic or a hang becomes a readable test failure.

use std::any::Any;
use std::panic::{self, AssertUnwindSafe};
use std::sync::mpsc;
use std::thread;

use crate::DEADLINE;

/// Runs `f`, catching its panic and returning the panic's message as the error.
pub fn catch<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    panic::catch_unwind(AssertUnwindSafe(f)).map_err(|payload| panic_message(&*payload))
}

/// The text of a panic, such as the message of a `todo!()`.
pub fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(text) = payload.downcast_ref::<&str>() {
        text.to_string()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "(a panic without a message)".to_string()
    }
}

/// Runs `f` on its own thread and returns its result, failing the test with `what` and `hint`
/// if `f` panics or takes longer than twice [`DEADLINE`] (so that the deadline of the peer it
/// talks to fires first, with the more precise hint). Use it for a student's function that does
/// I/O, such as a client, so that one that waits forever fails instead of hanging the suite.
pub fn within<T: Send + 'static>(
    what: &str,
    hint: &str,
    f: impl FnOnce() -> T + Send + 'static,
) -> T {
    crate::ending::watch();
    let (sender, receiver) = mpsc::channel();
    thread::spawn(move || {
        let _ = sender.send(catch(f));
    });
    match receiver.recv_timeout(DEADLINE * 2) {
        Ok(Ok(value)) => value,
        Ok(Err(message)) => panic!("{what} panicked: {message}\nhint: {hint}"),
        Err(_) => panic!(
            "{what} did not return within {:?}.\nhint: {hint}",
            DEADLINE * 2
        ),
    }
}
