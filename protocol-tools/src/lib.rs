//! The protocol tools: small programs for watching protocols on the wire and speaking them by
//! hand, as the chapter "What is a protocol?" does.
//!
//! - [`wiretap`]: `wiretap --listen PORT --to HOST:PORT` forwards TCP connections and prints
//!   both directions live in the lesson's `C (-->)` / `S (<--)` notation ([`notation`])
//! - [`send`]: `send MESSAGE --to HOST:PORT` sends one message with `\r\n` escapes and prints
//!   the whole reply, like the lesson's simple client ([`escapes`])
//! - [`smtp`]: `mock-smtp`, a mail receiver that speaks enough SMTP for the chapter
//! - [`pop3`]: `mock-pop3`, a maildrop with two messages for bob
//! - [`imap`]: `mock-imap`, the same two messages in bob's INBOX, kept on the server
//! - [`maildrop`]: bob's messages, which both mail-collecting mocks serve
//! - [`lines`]: the line reader the mail servers use; [`cli`]: what every program shares
//!
//! Only the standard library and `labcli` (argument parsing): the tools build in seconds.

pub mod cli;
pub mod escapes;
pub mod imap;
pub mod lines;
pub mod maildrop;
pub mod notation;
pub mod pop3;
pub mod send;
pub mod smtp;
pub mod wiretap;
