//! Validation of the values a KYC applicant types in: country, e-mail, phone,
//! dates and government identifiers.
//!
//! Each validated value is a newtype that can only be built through its
//! `parse` constructor, so holding one is proof that the check was done.
//! Error messages never repeat the rejected input: it is often personal data
//! and should not end up in logs or be reflected back into pages.

pub mod contact;
pub mod country;
pub mod date;
pub mod government_id;

use std::fmt;

/// Why a value was refused; `code` is a stable snake_case machine code, message is English for humans.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    pub code: &'static str,
    pub message: String,
}

impl Invalid {
    pub(crate) fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Invalid {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_prints_the_message_only() {
        let e = Invalid::new("some_code", "Something is wrong");
        assert_eq!(e.to_string(), "Something is wrong");
        assert_eq!(e.code, "some_code");
    }

    #[test]
    fn is_a_std_error() {
        let e: Box<dyn std::error::Error> = Box::new(Invalid::new("c", "m"));
        assert_eq!(e.to_string(), "m");
    }
}
