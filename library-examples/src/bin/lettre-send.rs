//! `lettre-send --to HOST:PORT`: the chapter's mail from Bob to Alice, sent with the `lettre`
//! crate over plain SMTP (no TLS, no login), then the message as lettre wrote it and the
//! server's last reply.

use std::process::ExitCode;

use lettre::message::Mailbox;
use lettre::transport::smtp::extension::ClientId;
use lettre::{Message, SmtpTransport, Transport};
use library_examples::{Program, TIMEOUT, hint, parse_target};

/// The name the client gives itself in EHLO, as in the chapter's exchange (lettre would say
/// `localhost` without its `hostname` feature).
const CLIENT_NAME: &str = "client.example.org";

fn main() -> ExitCode {
    let program = Program {
        name: "lettre-send",
        usage: "usage: lettre-send --to HOST:PORT\n\
                Sends one mail from bob@example.com to alice@example.com with the lettre crate,\n\
                over plain SMTP, and prints the message lettre wrote and the server's reply:\n\
                \x20 lettre-send --to 127.0.0.1:2525"
            .into(),
    };
    let (to, host, port) = match parse_target(
        &program,
        std::env::args().skip(1).collect(),
        "the mail server",
    ) {
        Ok(target) => target,
        Err(exit) => return exit,
    };
    let message = match lunch_invitation() {
        Ok(message) => message,
        Err(error) => return program.failure(format!("cannot write the message: {error}")),
    };
    if let Some(exit) = labcli::would(format_args!("send a mail to {to}")) {
        return exit;
    }
    // `builder_dangerous`: plain text on the wire, which is what we want to read; a real
    // client would use `relay` or `starttls_relay`, and TLS.
    let mailer = SmtpTransport::builder_dangerous(host)
        .port(port)
        .timeout(Some(TIMEOUT))
        .hello_name(ClientId::Domain(CLIENT_NAME.into()))
        .build();
    match mailer.send(&message) {
        Ok(reply) => {
            println!("lettre wrote this message:");
            let formatted = String::from_utf8_lossy(&message.formatted()).into_owned();
            // lettre ends the last line itself, in DATA's ending (`\r\n.\r\n`).
            println!("{}", formatted.trim_end());
            let text: Vec<&str> = reply.message().collect();
            println!(
                "the server's last reply: {} {}",
                reply.code(),
                text.join(" ")
            );
            ExitCode::SUCCESS
        }
        Err(error) => {
            let error = error.to_string();
            program.failure(format!("cannot send to {to}: {error}{}", hint(&error)))
        }
    }
}

/// The chapter's message. Its last line has no line end: lettre adds the one before the dot
/// that ends DATA.
fn lunch_invitation() -> Result<Message, String> {
    let bob: Mailbox = "Bob <bob@example.com>"
        .parse()
        .map_err(|e| format!("{e}"))?;
    let alice: Mailbox = "Alice <alice@example.com>"
        .parse()
        .map_err(|e| format!("{e}"))?;
    Message::builder()
        .from(bob)
        .to(alice)
        .subject("Friday")
        .body("Alice, lunch on Friday? Noodles at noon.\r\nBob".to_string())
        .map_err(|e| e.to_string())
}
