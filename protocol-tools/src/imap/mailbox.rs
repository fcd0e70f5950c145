//! Bob's INBOX as `mock-imap` keeps it: the messages, their UIDs and flags, shared by every
//! session for as long as the program runs.
//!
//! IMAP lets several sessions open one mailbox, and a real server tells each of them what
//! the others change (`* 1 EXPUNGE` arrives unasked). This mock keeps it simpler, as
//! `mock-pop3` does with its lock: one session at a time has INBOX selected, so message
//! numbers change only under the session that changes them.

use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::Duration;

use super::syntax::{Part, SearchKey};
use crate::maildrop::MAILDROP;

/// How long SELECT waits for a session that is ending to give INBOX up.
const SELECT_WAIT: Duration = Duration::from_millis(300);

/// A message and what IMAP keeps about it.
#[derive(Debug, Clone)]
pub struct Message {
    /// Its unique identifier, which, unlike its number, never changes.
    pub uid: u32,
    pub bytes: Vec<u8>,
    pub seen: bool,
    pub deleted: bool,
}

impl Message {
    /// `(\Seen \Deleted)`, `(\Seen)`, `()`.
    pub fn flags(&self) -> String {
        let mut flags = Vec::new();
        if self.seen {
            flags.push("\\Seen");
        }
        if self.deleted {
            flags.push("\\Deleted");
        }
        format!("({})", flags.join(" "))
    }

    /// The bytes a body fetch sends for `part`.
    pub fn part(&self, part: Part) -> &[u8] {
        let header_end = self
            .bytes
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .map_or(self.bytes.len(), |at| at + 4);
        match part {
            Part::Whole => &self.bytes,
            Part::Header => &self.bytes[..header_end],
            Part::Text => &self.bytes[header_end..],
        }
    }

    /// The values of the header field `name` (any case), continuation lines joined.
    fn field(&self, name: &str) -> Vec<String> {
        let header = String::from_utf8_lossy(self.part(Part::Header));
        let mut fields: Vec<(String, String)> = Vec::new();
        for line in header.split("\r\n").filter(|line| !line.is_empty()) {
            if line.starts_with([' ', '\t']) {
                if let Some((_, value)) = fields.last_mut() {
                    value.push_str(line);
                }
            } else if let Some((field, value)) = line.split_once(':') {
                fields.push((field.trim().to_string(), value.trim().to_string()));
            }
        }
        fields
            .into_iter()
            .filter(|(field, _)| field.eq_ignore_ascii_case(name))
            .map(|(_, value)| value)
            .collect()
    }

    /// Whether the message numbered `number` matches `key`; `last` is the highest message
    /// number and `last_uid` the highest UID, which `*` stands for.
    pub fn matches(&self, key: &SearchKey, number: u32, last: u32, last_uid: u32) -> bool {
        let contains = |haystack: &[u8], needle: &str| {
            let haystack = String::from_utf8_lossy(haystack).to_lowercase();
            haystack.contains(&needle.to_lowercase())
        };
        match key {
            SearchKey::All => true,
            SearchKey::Seen(seen) => self.seen == *seen,
            SearchKey::Deleted(deleted) => self.deleted == *deleted,
            SearchKey::Header { field, text } => self
                .field(field)
                .iter()
                .any(|value| contains(value.as_bytes(), text)),
            SearchKey::Body(text) => contains(self.part(Part::Text), text),
            SearchKey::Text(text) => contains(&self.bytes, text),
            SearchKey::Numbers(set) => set.contains(number, last),
            SearchKey::Uids(set) => set.contains(self.uid, last_uid),
            SearchKey::Not(key) => !self.matches(key, number, last, last_uid),
            SearchKey::Or(either, or) => {
                self.matches(either, number, last, last_uid)
                    || self.matches(or, number, last, last_uid)
            }
            SearchKey::And(keys) => keys
                .iter()
                .all(|key| self.matches(key, number, last, last_uid)),
        }
    }
}

/// The messages, shared by every session, and whether a session has INBOX selected.
#[derive(Debug)]
pub struct Mailbox {
    state: Mutex<Stored>,
    released: Condvar,
}

#[derive(Debug)]
struct Stored {
    messages: Vec<Message>,
    selected: bool,
}

impl Mailbox {
    /// INBOX holding the maildrop's messages, with UIDs 1, 2, ..., none seen or deleted.
    pub fn new() -> Mailbox {
        let messages = (1..).zip(MAILDROP).map(|(uid, bytes)| Message {
            uid,
            bytes: bytes.to_vec(),
            seen: false,
            deleted: false,
        });
        Mailbox {
            state: Mutex::new(Stored {
                messages: messages.collect(),
                selected: false,
            }),
            released: Condvar::new(),
        }
    }

    /// The UID the next message would get: no message arrives, so it never changes.
    pub fn next_uid() -> u32 {
        MAILDROP.len() as u32 + 1
    }

    fn stored(&self) -> MutexGuard<'_, Stored> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Selects INBOX for one session, unless another still has it after [`SELECT_WAIT`].
    pub fn select(&self) -> bool {
        let stored = self.stored();
        let (mut stored, _) = self
            .released
            .wait_timeout_while(stored, SELECT_WAIT, |stored| stored.selected)
            .unwrap_or_else(|e| e.into_inner());
        if stored.selected {
            return false;
        }
        stored.selected = true;
        true
    }

    /// Gives INBOX up, for the next session to select.
    pub fn release(&self) {
        self.stored().selected = false;
        self.released.notify_all();
    }

    /// Runs `work` on the messages (only the session that has INBOX selected should).
    pub fn with_messages<T>(&self, work: impl FnOnce(&mut Vec<Message>) -> T) -> T {
        work(&mut self.stored().messages)
    }
}

impl Default for Mailbox {
    fn default() -> Mailbox {
        Mailbox::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::imap::syntax::{search_keys, tokens};

    fn first() -> Message {
        Mailbox::new().with_messages(|messages| messages[0].clone())
    }

    #[test]
    fn header_and_text_make_the_whole_message() {
        let message = first();
        let (header, text) = (message.part(Part::Header), message.part(Part::Text));
        assert_eq!((header.len(), text.len()), (74, 46));
        assert_eq!([header, text].concat(), MAILDROP[0]);
        assert!(header.ends_with(b"Friday\r\n\r\n"));
    }

    #[test]
    fn searches_match_header_fields_in_any_case() {
        let message = first();
        let matches = |criteria: &str| {
            let key = search_keys(&tokens(criteria).unwrap()).unwrap();
            message.matches(&key, 1, 2, 2)
        };
        assert!(matches(r#"FROM "ALICE""#));
        assert!(matches("subject lunch unseen"));
        assert!(matches(r#"HEADER to bob TEXT noodles"#));
        assert!(matches("OR SEEN 1 NOT DELETED"));
        assert!(!matches(r#"FROM "carol""#));
        assert!(!matches(r#"BODY "Subject""#));
        assert!(!matches("2:*"));
    }

    #[test]
    fn a_second_session_cannot_select_until_the_first_releases() {
        let mailbox = Mailbox::new();
        assert!(mailbox.select());
        assert!(!mailbox.select());
        mailbox.release();
        assert!(mailbox.select());
    }
}
