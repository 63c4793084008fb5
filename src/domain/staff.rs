//! Back-office staff and their roles.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use super::ids::StaffUserId;
use super::time::Timestamp;
use super::validate::Invalid;
use super::validate::contact::Email;
use super::wire_enum::wire_enum;

wire_enum!(Role, "role" { Reviewer => "reviewer", Admin => "admin", Auditor => "auditor" });

/// A non-empty set of roles, stored as a comma-separated list in a fixed order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Roles(Vec<Role>);

impl Roles {
    pub fn new(roles: impl IntoIterator<Item = Role>) -> Result<Self, Invalid> {
        let chosen: Vec<Role> = roles.into_iter().collect();
        let ordered: Vec<Role> = Role::ALL
            .iter()
            .copied()
            .filter(|r| chosen.contains(r))
            .collect();
        if ordered.is_empty() {
            return Err(Invalid {
                code: "no_role",
                message: "a staff user needs at least one role".into(),
            });
        }
        Ok(Self(ordered))
    }

    pub fn contains(&self, role: Role) -> bool {
        self.0.contains(&role)
    }

    pub fn iter(&self) -> impl Iterator<Item = Role> + '_ {
        self.0.iter().copied()
    }
}

impl fmt::Display for Roles {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.0.iter().map(Role::as_str).collect();
        f.write_str(&names.join(","))
    }
}

impl FromStr for Roles {
    type Err = Invalid;

    /// Parses `reviewer,admin` (spaces allowed).
    fn from_str(s: &str) -> Result<Self, Invalid> {
        let roles = s
            .split(',')
            .map(str::trim)
            .filter(|part| !part.is_empty())
            .map(Role::from_str)
            .collect::<Result<Vec<_>, _>>()?;
        Roles::new(roles)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct StaffUser {
    pub id: StaffUserId,
    pub email: Email,
    pub password_hash: String,
    pub roles: Roles,
    pub active: bool,
    pub failed_logins: i64,
    pub locked_until: Option<Timestamp>,
    pub must_change_password: bool,
    /// Sessions record the epoch they started in; bumping it ends them all.
    pub session_epoch: i64,
    pub created_at: Timestamp,
    pub version: i64,
}

impl StaffUser {
    /// Whether sign-in is refused right now because of too many failures.
    pub fn is_locked(&self, now: Timestamp) -> bool {
        self.locked_until.is_some_and(|until| until > now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_parse_dedupe_and_keep_a_fixed_order() {
        let roles: Roles = "auditor, reviewer,auditor".parse().expect("valid");
        assert_eq!(roles.to_string(), "reviewer,auditor");
        assert!(roles.contains(Role::Auditor));
        assert!(!roles.contains(Role::Admin));
    }

    #[test]
    fn roles_refuse_unknown_or_empty() {
        assert_eq!(
            "superuser".parse::<Roles>().map_err(|e| e.code),
            Err("unknown_value")
        );
        assert_eq!("".parse::<Roles>().map_err(|e| e.code), Err("no_role"));
    }
}
