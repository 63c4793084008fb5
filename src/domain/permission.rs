//! The permission matrix (docs/ARCHITECTURE.md, Permission matrix): what each staff role may do.
//! Enforced by the service layer.

use super::staff::{Role, Roles};
use super::wire_enum::wire_enum;

wire_enum!(
    /// A kind of action on the back-office.
    Permission, "permission" {
        /// View the queue, applications and documents (each view is audited).
        ViewCases => "view_cases",
        /// Claim, assign, note, propose and confirm decisions.
        WorkCases => "work_cases",
        /// Manage levels, staff users, tenants, API keys and webhooks.
        Administer => "administer",
        /// Read the audit log, verify the chain, export.
        Audit => "audit",
    }
);

/// Whether a role grants a permission.
pub fn role_allows(role: Role, permission: Permission) -> bool {
    use Permission::*;
    match role {
        Role::Reviewer => matches!(permission, ViewCases | WorkCases),
        Role::Admin => matches!(permission, ViewCases | Administer),
        Role::Auditor => matches!(permission, ViewCases | Audit),
    }
}

/// Whether any of a user's roles grants the permission.
pub fn allows(roles: &Roles, permission: Permission) -> bool {
    roles.iter().any(|role| role_allows(role, permission))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_cell_of_the_matrix() {
        use Permission::*;
        let expected = [
            (Role::Reviewer, [true, true, false, false]),
            (Role::Admin, [true, false, true, false]),
            (Role::Auditor, [true, false, false, true]),
        ];
        for (role, row) in expected {
            for (permission, allowed) in [ViewCases, WorkCases, Administer, Audit]
                .into_iter()
                .zip(row)
            {
                assert_eq!(
                    role_allows(role, permission),
                    allowed,
                    "{role} {permission}"
                );
            }
        }
    }

    #[test]
    fn several_roles_add_up() {
        let roles = Roles::new([Role::Reviewer, Role::Auditor]).expect("roles");
        assert!(allows(&roles, Permission::WorkCases) && allows(&roles, Permission::Audit));
        assert!(!allows(&roles, Permission::Administer));
    }
}
