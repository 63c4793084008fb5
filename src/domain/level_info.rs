//! `kyc-level-info` (docs/ARCHITECTURE.md, Domain model): which level an applicant holds, and what
//! they may apply for next.

use super::ids::{ApplicationId, LevelId};
use super::level::LevelVersion;
use super::status::ApplicationStatus;

/// The facts the answer is computed from: the applicant's applications, newest first.
pub struct ApplicationFact {
    pub id: ApplicationId,
    pub level_id: LevelId,
    pub status: ApplicationStatus,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LevelInfo {
    /// The highest-tier level the applicant was accepted at.
    pub current_level: Option<LevelId>,
    pub allowed_to_create_kyc_application: bool,
    pub available_levels_for_upgrade: Vec<LevelId>,
    pub last_kyc_application_id: Option<ApplicationId>,
}

/// Entry levels are those no other level upgrades to; after an acceptance, the current level's
/// `upgrades_to`. A level where the applicant was finally rejected is not offered again, and nothing
/// can be created while an application is open.
pub fn level_info(levels: &[LevelVersion], applications: &[ApplicationFact]) -> LevelInfo {
    let tier_of = |id: LevelId| {
        levels
            .iter()
            .find(|l| l.level_id == id)
            .map_or(i64::MIN, |l| l.tier)
    };
    let current_level = applications
        .iter()
        .filter(|a| a.status == ApplicationStatus::Accepted)
        .map(|a| a.level_id)
        .max_by_key(|id| tier_of(*id));
    let rejected: Vec<LevelId> = applications
        .iter()
        .filter(|a| a.status == ApplicationStatus::Rejected)
        .map(|a| a.level_id)
        .collect();
    let held: Vec<LevelId> = applications
        .iter()
        .filter(|a| a.status == ApplicationStatus::Accepted)
        .map(|a| a.level_id)
        .collect();
    let candidates: Vec<LevelId> =
        match current_level.and_then(|id| levels.iter().find(|l| l.level_id == id)) {
            Some(current) => current.upgrades_to.clone(),
            None => levels
                .iter()
                .filter(|l| {
                    !levels
                        .iter()
                        .any(|other| other.upgrades_to.contains(&l.level_id))
                })
                .map(|l| l.level_id)
                .collect(),
        };
    let available: Vec<LevelId> = candidates
        .into_iter()
        .filter(|id| {
            levels.iter().any(|l| l.level_id == *id) && !rejected.contains(id) && !held.contains(id)
        })
        .collect();
    let open = applications.iter().any(|a| !a.status.is_final());
    LevelInfo {
        current_level,
        allowed_to_create_kyc_application: !open && !available.is_empty(),
        available_levels_for_upgrade: available,
        last_kyc_application_id: applications.first().map(|a| a.id),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::level::{ApplicantType, Policy};
    use crate::domain::time::Timestamp;

    fn level(tier: i64, upgrades_to: Vec<LevelId>) -> LevelVersion {
        LevelVersion {
            level_id: LevelId::generate(),
            version: 1,
            name: format!("tier {tier}"),
            tier,
            applicant_type: ApplicantType::Individual,
            requirements: vec![],
            policy: Policy::default(),
            upgrades_to,
            created_at: Timestamp::now(),
        }
    }

    fn fact(level: &LevelVersion, status: ApplicationStatus) -> ApplicationFact {
        ApplicationFact {
            id: ApplicationId::generate(),
            level_id: level.level_id,
            status,
        }
    }

    #[test]
    fn a_new_applicant_may_start_at_entry_levels() {
        let top = level(3, vec![]);
        let mid = level(2, vec![top.level_id]);
        let entry = level(1, vec![mid.level_id]);
        let levels = [entry.clone(), mid.clone(), top];
        let info = level_info(&levels, &[]);
        assert_eq!(info.current_level, None);
        assert_eq!(info.available_levels_for_upgrade, [entry.level_id]);
        assert!(info.allowed_to_create_kyc_application);
        assert_eq!(info.last_kyc_application_id, None);
    }

    #[test]
    fn acceptance_unlocks_the_upgrade_and_open_applications_block_creation() {
        let top = level(3, vec![]);
        let mid = level(2, vec![top.level_id]);
        let entry = level(1, vec![mid.level_id]);
        let levels = [entry.clone(), mid.clone(), top.clone()];
        let accepted = fact(&entry, ApplicationStatus::Accepted);
        let info = level_info(&levels, &[accepted]);
        assert_eq!(info.current_level, Some(entry.level_id));
        assert_eq!(info.available_levels_for_upgrade, [mid.level_id]);
        assert!(info.allowed_to_create_kyc_application);

        let open = fact(&mid, ApplicationStatus::Review);
        let info = level_info(&levels, &[open, fact(&entry, ApplicationStatus::Accepted)]);
        assert!(!info.allowed_to_create_kyc_application);
        assert_eq!(info.current_level, Some(entry.level_id));
    }

    #[test]
    fn a_final_rejection_closes_that_level() {
        let entry = level(1, vec![]);
        let levels = [entry.clone()];
        let rejected = fact(&entry, ApplicationStatus::Rejected);
        let last = rejected.id;
        let info = level_info(&levels, &[rejected]);
        assert!(info.available_levels_for_upgrade.is_empty());
        assert!(!info.allowed_to_create_kyc_application);
        assert_eq!(info.last_kyc_application_id, Some(last));
    }
}
