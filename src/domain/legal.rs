//! Legal documents (terms, privacy notices) that applicants accept, version by version.

use super::time::Timestamp;
use super::validate::Invalid;

#[derive(Debug, Clone, PartialEq)]
pub struct LegalDocument {
    /// One id per version: a `legal_document` requirement names it and an acceptance stores it.
    pub id: String,
    pub title: String,
    /// The publisher's version label (`2026-11`, `v3`).
    pub version: String,
    pub body: String,
    pub created_at: Timestamp,
}

/// Longest document text: legal texts are long but not books.
const MAX_BODY: usize = 200_000;

impl LegalDocument {
    /// A new version, checked: title and version 1 to 100 characters, text 1 to 200,000.
    pub fn new(title: &str, version: &str, body: &str, at: Timestamp) -> Result<Self, Invalid> {
        let (title, version, body) = (title.trim(), version.trim(), body.trim());
        let short = |s: &str| !s.is_empty() && s.chars().count() <= 100;
        if !short(title) || !short(version) {
            return Err(Invalid {
                code: "invalid_legal_document",
                message: "title and version must be 1 to 100 characters".into(),
            });
        }
        if body.is_empty() || body.chars().count() > MAX_BODY {
            return Err(Invalid {
                code: "invalid_legal_document",
                message: format!("the text must be 1 to {MAX_BODY} characters"),
            });
        }
        Ok(Self {
            id: uuid::Uuid::now_v7().to_string(),
            title: title.to_owned(),
            version: version.to_owned(),
            body: body.to_owned(),
            created_at: at,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_need_a_title_a_version_and_a_text() {
        let now = Timestamp::now();
        assert!(LegalDocument::new("Terms", "v1", "You agree.", now).is_ok());
        for (t, v, b) in [("", "v1", "x"), ("Terms", " ", "x"), ("Terms", "v1", "")] {
            assert_eq!(
                LegalDocument::new(t, v, b, now).expect_err("refused").code,
                "invalid_legal_document"
            );
        }
    }
}
