//! A deliberately small argument parser: the programs take a handful of `--name value` options
//! and positional words, and a dependency like clap would double a lab's build time.

use std::fmt;

/// Parsed arguments: `--name value` options and the remaining positional words.
#[derive(Debug, Default, PartialEq)]
pub struct Args {
    options: Vec<(String, String)>,
    switches: Vec<String>,
    pub positional: Vec<String>,
    pub help: bool,
}

/// Why the arguments could not be understood; the program prints it with its usage text.
#[derive(Debug, PartialEq)]
pub struct UsageError(pub String);

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Args {
    /// Splits `args` into the options named in `options` (each takes a value), the flags named
    /// in `switches`, `--help`/`-h`, and positional words. `--` ends the options.
    pub fn parse(
        args: impl IntoIterator<Item = String>,
        options: &[&str],
        switches: &[&str],
    ) -> Result<Args, UsageError> {
        let mut parsed = Args::default();
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            if arg == "--" {
                parsed.positional.extend(args.by_ref());
            } else if arg == "--help" || arg == "-h" {
                parsed.help = true;
            } else if let Some(name) = arg.strip_prefix("--") {
                let (name, inline) = match name.split_once('=') {
                    Some((name, value)) => (name, Some(value.to_string())),
                    None => (name, None),
                };
                if switches.contains(&name) && inline.is_none() {
                    parsed.switches.push(name.to_string());
                } else if options.contains(&name) {
                    let value = inline
                        .or_else(|| args.next())
                        .ok_or_else(|| UsageError(format!("option --{name} needs a value")))?;
                    parsed.options.push((name.to_string(), value));
                } else {
                    return Err(UsageError(format!("unknown option --{name}")));
                }
            } else {
                parsed.positional.push(arg);
            }
        }
        Ok(parsed)
    }

    /// The last value given for option `name`, if any.
    pub fn option(&self, name: &str) -> Option<&str> {
        let mut values = self.options.iter().filter(|(n, _)| n == name);
        values.next_back().map(|(_, value)| value.as_str())
    }

    /// Whether flag `name` was given.
    pub fn switch(&self, name: &str) -> bool {
        self.switches.iter().any(|s| s == name)
    }

    /// The value of `--port`, or `default`; any u16 is accepted, 0 asks the system for a free port.
    pub fn port(&self, default: u16) -> Result<u16, UsageError> {
        Ok(self.port_option("port")?.unwrap_or(default))
    }

    /// The port number that option `--NAME` gives, if it is given.
    pub fn port_option(&self, name: &str) -> Result<Option<u16>, UsageError> {
        self.option(name)
            .map(|text| {
                text.parse().map_err(|_| {
                    UsageError(format!(
                        "--{name} takes a port number from 0 to 65535, not {text:?}"
                    ))
                })
            })
            .transpose()
    }

    /// The value of `--host`, or 127.0.0.1 (only this machine can connect).
    pub fn host(&self) -> &str {
        self.option("host").unwrap_or("127.0.0.1")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(words: &[&str]) -> Result<Args, UsageError> {
        let words = words.iter().map(|w| w.to_string());
        Args::parse(words, &["host", "port"], &["whoami"])
    }

    #[test]
    fn options_take_the_next_word_or_an_inline_value() {
        let args = parse(&["--port", "8080", "--host=0.0.0.0", "hello"]).unwrap();
        assert_eq!(args.port(1).unwrap(), 8080);
        assert_eq!(args.host(), "0.0.0.0");
        assert_eq!(args.positional, ["hello"]);
    }

    #[test]
    fn defaults_apply_when_options_are_missing() {
        let args = parse(&[]).unwrap();
        assert_eq!(args.port(50000).unwrap(), 50000);
        assert_eq!(args.host(), "127.0.0.1");
        assert!(!args.switch("whoami") && !args.help);
    }

    #[test]
    fn a_double_dash_ends_the_options() {
        let args = parse(&["--", "--port", "-h"]).unwrap();
        assert_eq!(args.positional, ["--port", "-h"]);
        assert!(!args.help);
    }

    #[test]
    fn mistakes_are_named() {
        assert_eq!(
            parse(&["--colour"]),
            Err(UsageError("unknown option --colour".into()))
        );
        assert_eq!(
            parse(&["--port"]),
            Err(UsageError("option --port needs a value".into()))
        );
        let bad_port = parse(&["--port", "99999"]).unwrap().port(1);
        assert!(bad_port.unwrap_err().0.contains("0 to 65535"));
    }

    #[test]
    fn switches_and_help_are_flags() {
        let args = parse(&["--whoami", "-h"]).unwrap();
        assert!(args.switch("whoami") && args.help);
        assert!(parse(&["--whoami=yes"]).is_err());
    }
}
