//! Staff passwords as typed input: length rules here, the common-password list comes with sign-in.

use std::fmt;

use super::validate::Invalid;

/// A password that meets the policy (12..=128 characters, no composition rules: NIST SP 800-63B).
/// Its Debug form is redacted so it never reaches a log.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

pub const MIN_PASSWORD_CHARS: usize = 12;
pub const MAX_PASSWORD_CHARS: usize = 128;

impl Password {
    pub fn parse(s: &str) -> Result<Self, Invalid> {
        let chars = s.chars().count();
        if !(MIN_PASSWORD_CHARS..=MAX_PASSWORD_CHARS).contains(&chars) {
            return Err(Invalid {
                code: "invalid_password",
                message: format!(
                    "a password must be {MIN_PASSWORD_CHARS} to {MAX_PASSWORD_CHARS} characters long"
                ),
            });
        }
        Ok(Self(s.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(****)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_is_the_only_rule() {
        assert!(Password::parse("correct horse").is_ok());
        assert!(Password::parse("short").is_err());
        assert!(Password::parse(&"x".repeat(129)).is_err());
        assert!(
            Password::parse("ééééééééééé").is_err(),
            "11 characters, 22 bytes"
        );
    }

    #[test]
    fn debug_never_shows_the_password() {
        let password = Password::parse("hunter2hunter2").expect("valid");
        assert!(!format!("{password:?}").contains("hunter2"));
    }
}
