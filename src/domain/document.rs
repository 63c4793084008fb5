//! Uploaded evidence: identity documents, selfies, proofs.

use super::ids::{ApplicationId, DocumentId, TenantId};
use super::time::Timestamp;
use super::validate::country::CountryCode;
use super::wire_enum::wire_enum;

wire_enum!(
    /// The document types of DESIGN §3.1.
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
