//! `mock-imap`: scripted sessions, each reply compared byte for byte; then the lecture's
//! clients, Python's imaplib and curl, against the running program.

mod support;

use assert_cmd::Command;
use protocol_tools::maildrop::MAILDROP;
use support::{Dialogue, LECTURE, have, mock_imap};
use testkit::{ChildServer, DEADLINE, Target};

const GREETING: &str = "* OK mail.example.com IMAP4rev1 server ready";

/// What SELECT says of the mailbox as the program starts; EXAMINE differs in two lines.
const SELECTED: [&str; 8] = [
    "* 2 EXISTS",
    "* 0 RECENT",
    "* FLAGS (\\Seen \\Deleted)",
    "* OK [PERMANENTFLAGS (\\Seen \\Deleted)] flags that last",
    "* OK [UNSEEN 1] the first unseen message",
    "* OK [UIDVALIDITY 1] UIDs valid",
    "* OK [UIDNEXT 3] the next UID",
    "b OK [READ-WRITE] SELECT completed",
];

fn logged_in(server: &ChildServer) -> Dialogue {
    let mut imap = Dialogue::open(server);
    imap.expect(GREETING);
    imap.says("a LOGIN bob redqueen", &["a OK LOGIN completed"]);
    imap
}

fn selected(server: &ChildServer) -> Dialogue {
    let mut imap = logged_in(server);
    imap.says("b SELECT INBOX", &SELECTED);
    imap
}

/// The lines a literal's bytes make, each without its CRLF.
fn lines_of(bytes: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(bytes);
    let text = text.strip_suffix("\r\n").unwrap_or(&text);
    text.split("\r\n").map(str::to_string).collect()
}

fn header(message: usize) -> &'static [u8] {
    let bytes = MAILDROP[message];
    let end = bytes.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
    &bytes[..end]
}

fn text(message: usize) -> &'static [u8] {
    &MAILDROP[message][header(message).len()..]
}

#[test]
fn the_lessons_session_gets_the_lessons_replies() {
    let server = mock_imap();
    let mut imap = Dialogue::open(&server);
    imap.expect(GREETING);
    imap.says(
        "a CAPABILITY",
        &["* CAPABILITY IMAP4rev1", "a OK CAPABILITY completed"],
    );
    imap.says("a LOGIN bob \"redqueen\"", &["a OK LOGIN completed"]);
    imap.says(
        "l LIST \"\" *",
        &[
            "* LIST (\\HasNoChildren) \"/\" INBOX",
            "l OK LIST completed",
        ],
    );
    imap.says("b SELECT INBOX", &SELECTED);
    imap.says(
        "s SEARCH (FROM \"alice\")",
        &["* SEARCH 1", "s OK SEARCH completed"],
    );
    imap.says(
        "f FETCH 1 RFC822.SIZE",
        &["* 1 FETCH (RFC822.SIZE 120)", "f OK FETCH completed"],
    );
    imap.send("h FETCH 1 (BODY[HEADER])");
    imap.expect("* 1 FETCH (FLAGS (\\Seen) BODY[HEADER] {74}");
    for line in lines_of(header(0)) {
        imap.expect(&line);
    }
    imap.expect(")");
    imap.expect("h OK FETCH completed");
    imap.says(
        "g FETCH 1 (FLAGS)",
        &["* 1 FETCH (FLAGS (\\Seen))", "g OK FETCH completed"],
    );
    imap.send("t FETCH 1 BODY[TEXT]");
    imap.expect("* 1 FETCH (BODY[TEXT] {46}");
    for line in lines_of(text(0)) {
        imap.expect(&line);
    }
    imap.expect(")");
    imap.expect("t OK FETCH completed");
    imap.says(
        "z LOGOUT",
        &[
            "* BYE mail.example.com IMAP4rev1 server logging out",
            "z OK LOGOUT completed",
        ],
    );
    imap.expect_closed();
}

#[test]
fn only_a_fetch_that_is_not_a_peek_sets_seen() {
    let server = mock_imap();
    let mut imap = selected(&server);
    imap.send("p FETCH 2 (FLAGS BODY.PEEK[TEXT])");
    imap.expect("* 2 FETCH (FLAGS () BODY[TEXT] {137}");
    assert_eq!(text(1).len(), 137, "the literal counts the text's bytes");
    for line in lines_of(text(1)) {
        imap.expect(&line);
    }
    imap.expect(")");
    imap.expect("p OK FETCH completed");
    imap.send("w FETCH 1:* (UID RFC822.HEADER)");
    imap.expect("* 1 FETCH (UID 1 RFC822.HEADER {74}");
    for line in lines_of(header(0)) {
        imap.expect(&line);
    }
    imap.expect(")");
    imap.expect("* 2 FETCH (UID 2 RFC822.HEADER {63}");
    for line in lines_of(header(1)) {
        imap.expect(&line);
    }
    imap.expect(")");
    imap.expect("w OK FETCH completed");
    imap.says(
        "s SEARCH UNSEEN",
        &["* SEARCH 1 2", "s OK SEARCH completed"],
    );
    imap.send("r FETCH 2 BODY[]");
    imap.expect("* 2 FETCH (FLAGS (\\Seen) BODY[] {200}");
    for line in lines_of(MAILDROP[1]) {
        imap.expect(&line);
    }
    imap.expect(")");
    imap.expect("r OK FETCH completed");
    imap.says("s SEARCH SEEN", &["* SEARCH 2", "s OK SEARCH completed"]);
    imap.says(
        "x EXAMINE INBOX",
        &[
            "* 2 EXISTS",
            "* 0 RECENT",
            "* FLAGS (\\Seen \\Deleted)",
            "* OK [PERMANENTFLAGS ()] flags that last",
            "* OK [UNSEEN 1] the first unseen message",
            "* OK [UIDVALIDITY 1] UIDs valid",
            "* OK [UIDNEXT 3] the next UID",
            "x OK [READ-ONLY] EXAMINE completed",
        ],
    );
    imap.send("r FETCH 1 BODY[TEXT]");
    imap.expect("* 1 FETCH (BODY[TEXT] {46}");
    for line in lines_of(text(0)) {
        imap.expect(&line);
    }
    imap.expect(")");
    imap.expect("r OK FETCH completed");
    imap.says(
        "g FETCH 1,2 FLAGS",
        &[
            "* 1 FETCH (FLAGS ())",
            "* 2 FETCH (FLAGS (\\Seen))",
            "g OK FETCH completed",
        ],
    );
    imap.says(
        "d STORE 1 +FLAGS (\\Deleted)",
        &["d NO [READ-ONLY] the mailbox was opened with EXAMINE"],
    );
    imap.says(
        "e EXPUNGE",
        &["e NO [READ-ONLY] the mailbox was opened with EXAMINE"],
    );
}

#[test]
fn searches_combine_criteria_in_any_case() {
    let server = mock_imap();
    let mut imap = selected(&server);
    for (criteria, found) in [
        ("ALL", "* SEARCH 1 2"),
        ("from ALICE", "* SEARCH 1"),
        ("SUBJECT \"dots\" TO bob", "* SEARCH 2"),
        ("(FROM alice) (SUBJECT dots)", "* SEARCH"),
        ("OR FROM alice SUBJECT dots", "* SEARCH 1 2"),
        ("NOT FROM alice", "* SEARCH 2"),
        ("CHARSET UTF-8 BODY noodles", "* SEARCH 1"),
        ("UNSEEN UNDELETED 2:*", "* SEARCH 2"),
        ("DELETED", "* SEARCH"),
    ] {
        imap.says(
            &format!("s SEARCH {criteria}"),
            &[found, "s OK SEARCH completed"],
        );
    }
    imap.says(
        "u UID SEARCH FROM carol",
        &["* SEARCH 2", "u OK UID SEARCH completed"],
    );
    imap.says(
        "s SEARCH FLAGGED",
        &["s BAD the search criterion FLAGGED is not known here"],
    );
    imap.says(
        "s SEARCH CHARSET KOI8-R ALL",
        &["s NO [BADCHARSET (US-ASCII UTF-8)] unknown charset"],
    );
}

#[test]
fn store_and_expunge_renumber_the_messages_that_stay() {
    let server = mock_imap();
    let mut imap = selected(&server);
    imap.says(
        "s STORE 1:2 +FLAGS (\\Deleted \\Seen)",
        &[
            "* 1 FETCH (FLAGS (\\Seen \\Deleted))",
            "* 2 FETCH (FLAGS (\\Seen \\Deleted))",
            "s OK STORE completed",
        ],
    );
    imap.says(
        "s STORE 2 -FLAGS.SILENT \\Deleted",
        &["s OK STORE completed"],
    );
    imap.says(
        "s STORE 1 FLAGS (\\deleted)",
        &["* 1 FETCH (FLAGS (\\Deleted))", "s OK STORE completed"],
    );
    imap.says(
        "s STORE 1 +FLAGS (\\Flagged)",
        &["s NO only \\Seen and \\Deleted can be stored here"],
    );
    imap.says(
        "s STORE 1 ADD (\\Seen)",
        &["s BAD STORE's action is FLAGS, +FLAGS or -FLAGS, maybe with .SILENT"],
    );
    imap.says("e EXPUNGE", &["* 1 EXPUNGE", "e OK EXPUNGE completed"]);
    imap.says(
        "f FETCH 1 (UID FLAGS)",
        &["* 1 FETCH (UID 2 FLAGS (\\Seen))", "f OK FETCH completed"],
    );
    imap.says(
        "f FETCH 2 FLAGS",
        &["f BAD no such message: INBOX has 1 message"],
    );
    imap.says(
        "u UID FETCH 1 FLAGS",
        &["u OK UID FETCH completed"], // UID 1 is gone: nothing to say
    );
    imap.says(
        "u UID STORE 2 +FLAGS (\\Deleted)",
        &[
            "* 1 FETCH (FLAGS (\\Seen \\Deleted) UID 2)",
            "u OK UID STORE completed",
        ],
    );
    imap.says("c CLOSE", &["c OK CLOSE completed"]);
    imap.says("f FETCH 1 FLAGS", &["f NO SELECT a mailbox first"]);
    imap.says(
        "b SELECT INBOX",
        &[
            "* 0 EXISTS",
            "* 0 RECENT",
            "* FLAGS (\\Seen \\Deleted)",
            "* OK [PERMANENTFLAGS (\\Seen \\Deleted)] flags that last",
            "* OK [UIDVALIDITY 1] UIDs valid",
            "* OK [UIDNEXT 3] the next UID",
            "b OK [READ-WRITE] SELECT completed",
        ],
    );
    imap.says(
        "f FETCH 1:* FLAGS",
        &["f BAD no such message: INBOX has 0 messages"],
    );
}

#[test]
fn expunging_several_messages_numbers_each_as_it_goes() {
    let server = mock_imap();
    let mut imap = selected(&server);
    imap.says(
        "s STORE 1,2 +FLAGS.SILENT (\\Deleted)",
        &["s OK STORE completed"],
    );
    imap.says(
        "e EXPUNGE",
        &["* 1 EXPUNGE", "* 1 EXPUNGE", "e OK EXPUNGE completed"],
    );
}

#[test]
fn commands_need_the_right_state() {
    let server = mock_imap();
    let mut imap = Dialogue::open(&server);
    imap.expect(GREETING);
    for command in [
        "SELECT INBOX",
        "LIST \"\" *",
        "FETCH 1 FLAGS",
        "UID FETCH 1 FLAGS",
    ] {
        imap.says(&format!("n {command}"), &["n NO LOGIN first"]);
    }
    imap.says("n NOOP", &["n OK NOOP completed"]);
    imap.says(
        "n LOGIN bob whiteknight",
        &["n NO [AUTHENTICATIONFAILED] wrong user name or password"],
    );
    imap.says(
        "n LOGIN alice redqueen",
        &["n NO [AUTHENTICATIONFAILED] wrong user name or password"],
    );
    imap.says(
        "n LOGIN bob",
        &["n BAD LOGIN needs a user name and a password"],
    );
    imap.says(
        "n login BOB redqueen",
        &["n NO [AUTHENTICATIONFAILED] wrong user name or password"],
    );
    imap.says("n login bob redqueen", &["n OK LOGIN completed"]);
    imap.says("n LOGIN bob redqueen", &["n NO already logged in"]);
    for command in ["SEARCH ALL", "STORE 1 +FLAGS \\Seen", "EXPUNGE", "CLOSE"] {
        imap.says(&format!("n {command}"), &["n NO SELECT a mailbox first"]);
    }
    imap.says(
        "n SELECT Sent",
        &["n NO no such mailbox: bob has INBOX only"],
    );
    imap.says("n LIST \"\" Sent", &["n OK LIST completed"]);
    imap.says(
        "n LIST \"\" \"\"",
        &["* LIST (\\Noselect) \"/\" \"\"", "n OK LIST completed"],
    );
    imap.says(
        "n CREATE Sent",
        &["n NO CREATE is not offered: bob has INBOX only"],
    );
}

#[test]
fn what_cannot_be_read_gets_bad_and_the_session_goes_on() {
    let server = mock_imap();
    let mut imap = logged_in(&server);
    let no_tag = "* BAD every command starts with a tag, for example: A1 NOOP";
    imap.says("", &[no_tag]);
    imap.says(" NOOP", &[no_tag]);
    imap.says("* NOOP", &[no_tag]);
    imap.says("a", &["a BAD a command is missing after the tag"]);
    imap.says("a HELLO", &["a BAD unknown command"]);
    imap.says("a LIST (\"\" *", &["a BAD a ( is not closed"]);
    imap.says("a LIST \"\" \"*", &["a BAD a quoted string is not closed"]);
    imap.says(
        "a LOGIN {3}",
        &["a BAD this server reads no literals from clients: send the string quoted instead"],
    );
    imap.says("b SELECT INBOX", &SELECTED);
    imap.says(
        "a FETCH 1 ENVELOPE",
        &[
            "a BAD FETCH ENVELOPE is not known here: ask for FLAGS, UID, RFC822.SIZE, \
           BODY[], BODY[HEADER] or BODY[TEXT] (or BODY.PEEK[...])",
        ],
    );
    imap.says(
        "a FETCH one FLAGS",
        &["a BAD \"ONE\" is not a sequence set such as 1, 1:2, 1:* or 1,3"],
    );
    imap.says(
        "a FETCH 3 FLAGS",
        &["a BAD no such message: INBOX has 2 messages"],
    );
    imap.says(
        "a UID COPY 1 Sent",
        &["a NO there is no other mailbox to copy to"],
    );
    imap.says(
        "a UID EXPUNGE",
        &["a BAD UID goes with FETCH, SEARCH or STORE"],
    );
    imap.says(
        &format!("a NOOP {}", "x".repeat(9000)),
        &["* BAD line too long"],
    );
    imap.send_raw(b"a NOOP\n");
    imap.expect("a OK NOOP completed");
}

#[test]
fn one_session_at_a_time_has_inbox_selected() {
    let server = mock_imap();
    let mut first = selected(&server);
    let mut second = logged_in(&server);
    second.says(
        "b SELECT INBOX",
        &["b NO [INUSE] another session has INBOX open: try again when it logs out"],
    );
    first.says(
        "s STORE 1 +FLAGS (\\Seen)",
        &["* 1 FETCH (FLAGS (\\Seen))", "s OK STORE completed"],
    );
    first.stop_sending(); // hangs up without LOGOUT: INBOX is given up, the flag stays
    first.expect_closed();
    second.says(
        "b SELECT INBOX",
        &[
            "* 2 EXISTS",
            "* 0 RECENT",
            "* FLAGS (\\Seen \\Deleted)",
            "* OK [PERMANENTFLAGS (\\Seen \\Deleted)] flags that last",
            "* OK [UNSEEN 2] the first unseen message",
            "* OK [UIDVALIDITY 1] UIDs valid",
            "* OK [UIDNEXT 3] the next UID",
            "b OK [READ-WRITE] SELECT completed",
        ],
    );
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn pythons_imaplib_gets_through_the_lecture() {
    if !have("python3") {
        return;
    }
    let server = mock_imap();
    let port = server.addr().port().to_string();
    let output = Command::new("python3")
        .args(["-c", LECTURE, &port])
        .timeout(DEADLINE)
        .output()
        .expect("run python3");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stdout}\n{stderr}");
    let expected = [
        "login OK".to_string(),
        "list OK (\\HasNoChildren) \"/\" INBOX".into(),
        "select 2".into(),
        "search OK 1".into(),
        format!("header OK {}", hex(header(0))),
        "flags OK 1 (FLAGS (\\Seen))".into(),
        format!("text OK {}", hex(text(0))),
        "logout BYE".into(),
    ];
    assert_eq!(stdout.lines().collect::<Vec<_>>(), expected, "{stderr}");
    // Debug 4 shows every line, as in the lecture.
    for shown in [
        "LOGIN bob \"redqueen\"",
        "read literal size 74",
        "* SEARCH 1",
    ] {
        assert!(
            stderr.contains(shown),
            "imaplib's debug output lacks {shown:?}:\n{stderr}"
        );
    }
}

fn curl(server: &ChildServer, path: &str, more: &[&str]) -> String {
    let url = format!("imap://127.0.0.1:{}/{path}", server.addr().port());
    let output = Command::new("curl")
        .args([
            "-s",
            "--max-time",
            "5",
            "--user",
            "bob:redqueen",
            "--url",
            &url,
        ])
        .args(more)
        .timeout(DEADLINE)
        .output()
        .expect("run curl");
    assert!(output.status.success(), "curl {url} {more:?}: {output:?}");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn curl_lists_searches_and_fetches_by_uid() {
    if !have("curl") {
        return;
    }
    let server = mock_imap();
    assert_eq!(
        curl(&server, "", &[]),
        "* LIST (\\HasNoChildren) \"/\" INBOX\r\n"
    );
    assert_eq!(
        curl(&server, "INBOX", &["-X", "SEARCH FROM carol"]),
        "* SEARCH 2\r\n"
    );
    // curl sends UID FETCH 1 BODY[] and prints the literal.
    assert_eq!(curl(&server, "INBOX;UID=1", &[]).as_bytes(), MAILDROP[0]);
    assert_eq!(
        curl(&server, "INBOX", &["-X", "SEARCH SEEN"]),
        "* SEARCH 1\r\n"
    );
}
