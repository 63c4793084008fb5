//! Staff passwords as typed input: NIST SP 800-63B / OWASP ASVS 6.2 rules. Length counts, composition
//! rules do not, and well-known passwords are refused.

use std::collections::HashSet;
use std::fmt;
use std::sync::LazyLock;

use super::validate::Invalid;

/// The 10,000 most common passwords (zxcvbn's list, MIT licensed), lowercased.
static COMMON: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    include_str!("../../assets/common-passwords.txt")
        .lines()
        .filter(|line| !line.starts_with('#') && !line.is_empty())
        .collect()
});

/// Whether a password is a common one, or a common one with digits or symbols appended, or one repeated
/// (`password1234!`, `dragondragon`): the variations people use to get past a length rule.
fn is_common(candidate: &str) -> bool {
    let lower = candidate.to_lowercase();
    let stem = lower.trim_end_matches(|c: char| c.is_ascii_digit() || c.is_ascii_punctuation());
    let repeated_unit = (1..=lower.len() / 2)
        .filter(|n| lower.len().is_multiple_of(*n) && lower.is_char_boundary(*n))
        .map(|n| &lower[..n])
        .find(|unit| unit.repeat(lower.len() / unit.len()) == lower);
    COMMON.contains(lower.as_str())
        || (stem.len() >= 4 && COMMON.contains(stem))
        || repeated_unit.is_some_and(|unit| unit.chars().count() == 1 || COMMON.contains(unit))
}

/// A password that meets the policy (12..=128 characters, not a common password, no composition rules).
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
        if is_common(s) {
            return Err(Invalid {
                code: "common_password",
                message: "this password is too common; choose a longer phrase that others would not guess".into(),
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
    fn common_passwords_and_their_padded_forms_are_refused() {
        for common in [
            "qwertyuiop123",
            "password1234",
            "Password1234!",
            "dragondragon",
            "aaaaaaaaaaaa",
            "iloveyou2024!",
        ] {
            assert_eq!(
                Password::parse(common).map_err(|e| e.code),
                Err("common_password"),
                "{common}"
            );
        }
        assert!(Password::parse("violet harbour lantern").is_ok());
        assert!(COMMON.len() >= 9_000, "the shipped list is loaded");
    }

    #[test]
    fn debug_never_shows_the_password() {
        let password = Password::parse("amber kettle drizzle").expect("valid");
        assert!(!format!("{password:?}").contains("kettle"));
    }
}
