//! The application status machine (docs/ARCHITECTURE.md, Status machine) as one pure function.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Where an application stands. The vocabulary is seed 003's plus `draft`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApplicationStatus {
    Draft,
    Pending,
    Submitted,
    Review,
    Remediate,
    Accepted,
    Rejected,
    Failed,
}

impl ApplicationStatus {
    pub const ALL: [ApplicationStatus; 8] = [
        ApplicationStatus::Draft,
        ApplicationStatus::Pending,
        ApplicationStatus::Submitted,
        ApplicationStatus::Review,
        ApplicationStatus::Remediate,
        ApplicationStatus::Accepted,
        ApplicationStatus::Rejected,
        ApplicationStatus::Failed,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            ApplicationStatus::Draft => "draft",
            ApplicationStatus::Pending => "pending",
            ApplicationStatus::Submitted => "submitted",
            ApplicationStatus::Review => "review",
            ApplicationStatus::Remediate => "remediate",
            ApplicationStatus::Accepted => "accepted",
            ApplicationStatus::Rejected => "rejected",
            ApplicationStatus::Failed => "failed",
        }
    }

    /// Accepted and rejected are final: nothing moves an application out of them.
    pub fn is_final(&self) -> bool {
        matches!(
            self,
            ApplicationStatus::Accepted | ApplicationStatus::Rejected
        )
    }
}

impl fmt::Display for ApplicationStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown application status {0:?}")]
pub struct UnknownStatus(pub String);

impl FromStr for ApplicationStatus {
    type Err = UnknownStatus;

    fn from_str(s: &str) -> Result<Self, UnknownStatus> {
        ApplicationStatus::ALL
            .into_iter()
            .find(|status| status.as_str() == s)
            .ok_or_else(|| UnknownStatus(s.to_owned()))
    }
}

/// Who asks for a status change. Each edge of the machine names the actors allowed to take it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TransitionActor {
    /// A tenant integration through the API.
    Tenant,
    /// A sandbox tenant forcing a status for testing (seeds 001, 003): may take any edge of the machine.
    SandboxTenant,
    /// The background worker submitting to providers.
    Worker,
    /// A provider result.
    Provider,
    /// A staff reviewer deciding.
    Reviewer,
    /// A staff admin (retry, withdrawal).
    Admin,
    /// The platform itself (attempts exhausted).
    System,
}

impl TransitionActor {
    pub const ALL: [TransitionActor; 7] = [
        TransitionActor::Tenant,
        TransitionActor::SandboxTenant,
        TransitionActor::Worker,
        TransitionActor::Provider,
        TransitionActor::Reviewer,
        TransitionActor::Admin,
        TransitionActor::System,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            TransitionActor::Tenant => "tenant",
            TransitionActor::SandboxTenant => "sandbox tenant",
            TransitionActor::Worker => "worker",
            TransitionActor::Provider => "provider",
            TransitionActor::Reviewer => "reviewer",
            TransitionActor::Admin => "admin",
            TransitionActor::System => "system",
        }
    }
}

/// A refused status change. `edge_exists` tells whether some other actor could have taken it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid_transition: {from} → {to} is not allowed{}", if *.edge_exists { format!(" for a {}", .actor.as_str()) } else { String::new() })]
pub struct InvalidTransition {
    pub from: ApplicationStatus,
    pub to: ApplicationStatus,
    pub actor: TransitionActor,
    pub edge_exists: bool,
}

/// The actors allowed to move an application from `from` to `to`; empty when the edge does not exist.
/// Preconditions that need more than the two statuses (required fields filled, the level's
/// auto-decision policy, attempts left) are checked by the service that asks.
fn allowed_actors(from: ApplicationStatus, to: ApplicationStatus) -> &'static [TransitionActor] {
    use ApplicationStatus::*;
    use TransitionActor as A;
    match (from, to) {
        (Draft, Pending) => &[A::Tenant],
        (Pending, Submitted) | (Pending, Failed) => &[A::Worker],
        (Failed, Pending) => &[A::Worker, A::Admin],
        (Submitted, Review) => &[A::Provider],
        (Submitted, Accepted) | (Submitted, Remediate) => &[A::Provider],
        (Submitted, Rejected) => &[A::Provider, A::Admin],
        (Review, Accepted) | (Review, Remediate) => &[A::Reviewer],
        (Review, Rejected) => &[A::Reviewer, A::Admin],
        (Remediate, Pending) => &[A::Tenant],
        (Remediate, Rejected) => &[A::System, A::Admin],
        (Draft, Rejected) | (Pending, Rejected) | (Failed, Rejected) => &[A::Admin],
        _ => &[],
    }
}

/// Checks one status change against the status machine.
pub fn check_transition(
    from: ApplicationStatus,
    to: ApplicationStatus,
    actor: TransitionActor,
) -> Result<(), InvalidTransition> {
    let allowed = allowed_actors(from, to);
    let permitted = !allowed.is_empty()
        && (actor == TransitionActor::SandboxTenant || allowed.contains(&actor));
    if permitted {
        Ok(())
    } else {
        Err(InvalidTransition {
            from,
            to,
            actor,
            edge_exists: !allowed.is_empty(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::ApplicationStatus::*;
    use super::TransitionActor as A;
    use super::*;

    /// The table of docs/ARCHITECTURE.md (Status machine) written out as data, independently of
    /// `allowed_actors`.
    const EXPECTED: &[(ApplicationStatus, ApplicationStatus, &[TransitionActor])] = &[
        (Draft, Pending, &[A::Tenant]),
        (Pending, Submitted, &[A::Worker]),
        (Pending, Failed, &[A::Worker]),
        (Failed, Pending, &[A::Worker, A::Admin]),
        (Submitted, Review, &[A::Provider]),
        (Submitted, Accepted, &[A::Provider]),
        (Submitted, Rejected, &[A::Provider, A::Admin]),
        (Submitted, Remediate, &[A::Provider]),
        (Review, Accepted, &[A::Reviewer]),
        (Review, Rejected, &[A::Reviewer, A::Admin]),
        (Review, Remediate, &[A::Reviewer]),
        (Remediate, Pending, &[A::Tenant]),
        (Remediate, Rejected, &[A::System, A::Admin]),
        (Draft, Rejected, &[A::Admin]),
        (Pending, Rejected, &[A::Admin]),
        (Failed, Rejected, &[A::Admin]),
    ];

    #[test]
    fn every_from_to_actor_combination_matches_the_design_table() {
        let mut checked = 0;
        for from in ApplicationStatus::ALL {
            for to in ApplicationStatus::ALL {
                let row = EXPECTED.iter().find(|(f, t, _)| *f == from && *t == to);
                for actor in TransitionActor::ALL {
                    let expected = match row {
                        Some((_, _, actors)) => {
                            actor == A::SandboxTenant || actors.contains(&actor)
                        }
                        None => false,
                    };
                    let outcome = check_transition(from, to, actor);
                    assert_eq!(
                        outcome.is_ok(),
                        expected,
                        "{from} → {to} by {}",
                        actor.as_str()
                    );
                    if let Err(refusal) = outcome {
                        assert_eq!(refusal.edge_exists, row.is_some(), "{from} → {to}");
                    }
                    checked += 1;
                }
            }
        }
        assert_eq!(checked, 8 * 8 * 7);
    }

    #[test]
    fn final_statuses_have_no_way_out() {
        for from in [Accepted, Rejected] {
            assert!(from.is_final());
            for to in ApplicationStatus::ALL {
                for actor in TransitionActor::ALL {
                    assert!(check_transition(from, to, actor).is_err());
                }
            }
        }
    }

    #[test]
    fn admin_can_withdraw_every_non_final_status() {
        for from in ApplicationStatus::ALL.into_iter().filter(|s| !s.is_final()) {
            assert_eq!(check_transition(from, Rejected, A::Admin), Ok(()), "{from}");
        }
    }

    #[test]
    fn refusal_names_both_statuses() {
        let refusal = check_transition(Draft, Accepted, A::Reviewer).expect_err("refused");
        assert_eq!(
            refusal.to_string(),
            "invalid_transition: draft → accepted is not allowed"
        );
        let refusal = check_transition(Review, Accepted, A::Tenant).expect_err("refused");
        assert_eq!(
            refusal.to_string(),
            "invalid_transition: review → accepted is not allowed for a tenant"
        );
    }

    #[test]
    fn statuses_parse_from_their_wire_names() {
        for status in ApplicationStatus::ALL {
            assert_eq!(status.as_str().parse::<ApplicationStatus>(), Ok(status));
        }
        assert!("approved".parse::<ApplicationStatus>().is_err());
    }
}
