//! Typed identifiers. Every entity id is a UUIDv7 (time-sortable), shown in full on the wire.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// An id string that is not a UUID.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a valid id: expected a UUID")]
pub struct InvalidId;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            /// A fresh time-ordered id.
            pub fn generate() -> Self {
                Self(Uuid::now_v7())
            }

            pub fn from_uuid(uuid: Uuid) -> Self {
                Self(uuid)
            }

            pub fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.hyphenated().fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = InvalidId;

            fn from_str(s: &str) -> Result<Self, InvalidId> {
                Uuid::parse_str(s.trim()).map(Self).map_err(|_| InvalidId)
            }
        }
    };
}

id_type!(TenantId);
id_type!(ApiKeyId);
id_type!(ApplicantId);
id_type!(LevelId);
id_type!(ApplicationId);
id_type!(DocumentId);
id_type!(CheckId);
id_type!(FindingId);
id_type!(DecisionId);
id_type!(NoteId);
id_type!(StaffUserId);
id_type!(AuditEventId);
id_type!(OutboxMessageId);
id_type!(JobId);
id_type!(WebhookAttemptId);
id_type!(ProviderWebhookId);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_through_their_text_form() {
        let id = ApplicationId::generate();
        let parsed: ApplicationId = id.to_string().parse().expect("parses");
        assert_eq!(id, parsed);
        assert_eq!(id.to_string().len(), 36);
    }

    #[test]
    fn garbage_is_not_an_id() {
        assert_eq!("nope".parse::<TenantId>(), Err(InvalidId));
        assert_eq!("".parse::<TenantId>(), Err(InvalidId));
    }

    #[test]
    fn generated_ids_sort_by_creation_time() {
        let a = DocumentId::generate();
        let b = DocumentId::generate();
        assert!(a < b);
    }
}
