//! Deadlines for whole answers. A socket's own timeouts bound each read and write, not the
//! answer: a client that takes one byte every few seconds could keep an answering thread for
//! hours. So each connection being served is watched by one thread, which shuts it down once
//! its deadline has passed; the answering thread's next write then fails, and it is free.

use std::collections::BTreeMap;
use std::net::{Shutdown, TcpStream};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// The connections being served, by when they must be done.
#[derive(Default)]
pub struct Deadlines {
    /// By deadline, then by a number of their own (two may fall due at the same instant).
    watched: Mutex<BTreeMap<(Instant, u64), TcpStream>>,
    /// Signalled when a connection is watched, so that an earlier deadline is not missed.
    changed: Condvar,
    numbered: AtomicU64,
}

/// A connection under watch; dropping it ends the watch (its answer is done).
pub struct Watch<'a> {
    deadlines: &'a Deadlines,
    key: (Instant, u64),
}

impl Deadlines {
    /// Shuts `connection` down once `within` has passed, unless the returned [`Watch`] is
    /// dropped first.
    pub fn watch(&self, connection: TcpStream, within: Duration) -> Watch<'_> {
        let key = (
            Instant::now() + within,
            self.numbered.fetch_add(1, Ordering::Relaxed),
        );
        self.lock().insert(key, connection);
        self.changed.notify_all();
        Watch {
            deadlines: self,
            key,
        }
    }

    /// The watching thread's work: shuts down each connection whose deadline has passed,
    /// forever.
    pub fn enforce(&self) {
        let mut watched = self.lock();
        loop {
            let now = Instant::now();
            let wait = match watched.keys().next().copied() {
                Some(key) if key.0 <= now => {
                    if let Some(connection) = watched.remove(&key) {
                        // Both ways: a blocked write or read of its answering thread fails.
                        let _ = connection.shutdown(Shutdown::Both);
                    }
                    continue;
                }
                Some((due, _)) => due - now,
                None => Duration::from_secs(3600),
            };
            watched = self
                .changed
                .wait_timeout(watched, wait)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }

    fn lock(&self) -> MutexGuard<'_, BTreeMap<(Instant, u64), TcpStream>> {
        self.watched.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Drop for Watch<'_> {
    fn drop(&mut self) {
        self.deadlines.lock().remove(&self.key);
    }
}
