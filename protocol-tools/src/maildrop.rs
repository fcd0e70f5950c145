//! Bob's mail, which both mail-collecting mocks serve: `mock-pop3` and `mock-imap` each keep a
//! copy of it for as long as they run.

/// The only mailbox, and its password.
pub const USER: &str = "bob";
pub const PASSWORD: &str = "redqueen";
/// Bob's messages when a program starts: 120 and 200 octets, as in the lesson. The second
/// has a line that starts with a dot, which POP3's RETR must send doubled.
pub const MAILDROP: [&[u8]; 2] = [
    b"From: alice@example.com\r\n\
      To: bob@example.com\r\n\
      Subject: Lunch on Friday\r\n\
      \r\n\
      Noodles at noon, at the usual place?\r\n\
      Alice.\r\n",
    b"From: carol@example.com\r\n\
      To: bob@example.com\r\n\
      Subject: Dots\r\n\
      \r\n\
      POP3 doubles the dot that starts a line,\r\n\
      so the next line travels with four dots:\r\n\
      ...\r\n\
      and a line with one dot alone ends it.\r\n\
      Carol.\r\n",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_messages_have_the_lessons_sizes() {
        assert_eq!(MAILDROP.map(<[u8]>::len), [120, 200]);
    }
}
