//! Uploaded evidence: identity documents, selfies, proofs.

use super::ids::{ApplicationId, DocumentId, TenantId};
use super::time::Timestamp;
use super::validate::country::CountryCode;
use super::wire_enum::wire_enum;

wire_enum!(
    /// The document types (docs/ARCHITECTURE.md, Domain model).
    DocumentType, "document type" {
        Passport => "passport",
        IdCard => "id_card",
        DriverLicense => "driver_license",
        ResidencePermit => "residence_permit",
        ProofOfAddress => "proof_of_address",
        ProofOfFunds => "proof_of_funds",
        Selfie => "selfie",
        Other => "other",
    }
);

wire_enum!(DocumentSide, "document side" { Front => "front", Back => "back" });

/// A stored upload. The bytes live in the blob store under `blob_hash` and are never modified.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    pub id: DocumentId,
    pub tenant_id: TenantId,
    pub application_id: ApplicationId,
    /// The attempt it was uploaded for; resubmissions keep earlier documents for comparison.
    pub attempt: i64,
    pub requirement_key: Option<String>,
    pub doc_type: DocumentType,
    pub side: Option<DocumentSide>,
    pub issuing_country: Option<CountryCode>,
    pub liveness: Option<bool>,
    /// Lowercase hex SHA-256 of the bytes.
    pub blob_hash: String,
    pub mime_type: String,
    pub size_bytes: i64,
    pub width: Option<i64>,
    pub height: Option<i64>,
    /// A derived JPEG preview in the blob store; `None` for PDFs.
    pub thumbnail_hash: Option<String>,
    pub uploaded_at: Timestamp,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_round_trip_through_their_wire_names() {
        for doc_type in DocumentType::ALL {
            assert_eq!(
                doc_type.as_str().parse::<DocumentType>().as_ref(),
                Ok(doc_type)
            );
        }
        assert_eq!("selfie".parse::<DocumentType>(), Ok(DocumentType::Selfie));
        assert!("visa".parse::<DocumentType>().is_err());
        assert_eq!(
            serde_json::to_string(&DocumentSide::Back).expect("serializes"),
            "\"back\""
        );
    }
}

/// The slot a document fills: its requirement, or its type when it names none.
fn slot(document: &Document) -> &str {
    document
        .requirement_key
        .as_deref()
        .unwrap_or(document.doc_type.as_str())
}

/// The documents in force for `attempt`: per requirement, the uploads of the latest attempt up
/// to `attempt` that has any. A resubmission after remediation replaces what was redone and keeps
/// the rest, so the provider and the reviewer see one complete set.
pub fn in_force(documents: &[Document], attempt: i64) -> Vec<&Document> {
    let mut latest: std::collections::BTreeMap<&str, i64> = std::collections::BTreeMap::new();
    for document in documents.iter().filter(|d| d.attempt <= attempt) {
        let entry = latest.entry(slot(document)).or_insert(document.attempt);
        *entry = (*entry).max(document.attempt);
    }
    documents
        .iter()
        .filter(|d| latest.get(slot(d)) == Some(&d.attempt))
        .collect()
}

#[cfg(test)]
mod in_force_tests {
    use super::*;

    fn document(key: &str, attempt: i64) -> Document {
        Document {
            id: DocumentId::generate(),
            tenant_id: TenantId::generate(),
            application_id: ApplicationId::generate(),
            attempt,
            requirement_key: Some(key.into()),
            doc_type: DocumentType::Passport,
            side: None,
            issuing_country: None,
            liveness: None,
            blob_hash: String::new(),
            mime_type: "image/png".into(),
            size_bytes: 1,
            width: None,
            height: None,
            thumbnail_hash: None,
            uploaded_at: Timestamp::now(),
        }
    }

    #[test]
    fn a_redone_document_replaces_the_earlier_one_and_the_rest_carries_over() {
        let documents = [
            document("passport", 1),
            document("selfie", 1),
            document("passport", 2),
        ];
        let attempt_one: Vec<_> = in_force(&documents, 1).iter().map(|d| d.id).collect();
        assert_eq!(attempt_one, [documents[0].id, documents[1].id]);
        let attempt_two: Vec<_> = in_force(&documents, 2).iter().map(|d| d.id).collect();
        assert_eq!(attempt_two, [documents[1].id, documents[2].id]);
    }
}
