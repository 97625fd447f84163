//! Who may do what in a brand: one table (role × action). The API checks it; the RLS
//! policies in the database refuse the same writes on their own.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    BrandAdmin,
    Editor,
    ReadOnly,
    /// Platform staff: may act on any brand after switching to it explicitly (audited).
    SuperAdmin,
}

impl Role {
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "brand_admin" => Some(Role::BrandAdmin),
            "editor" => Some(Role::Editor),
            "read_only" => Some(Role::ReadOnly),
            "super_admin" => Some(Role::SuperAdmin),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::BrandAdmin => "brand_admin",
            Role::Editor => "editor",
            Role::ReadOnly => "read_only",
            Role::SuperAdmin => "super_admin",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    ReadOrders,
    ManageOrders,
    ReadCatalog,
    ManageCatalog,
    ManageInventory,
    ManageKnowledge,
    ManageMembers,
    ManageDomains,
    ManageBilling,
    /// Connect the brand's Stripe account (where its shop's payments go).
    ManagePayments,
    ManageDevices,
    ReadAuditLog,
    /// Export the brand's data, erase a customer's personal data (GDPR).
    ManageData,
}

impl Action {
    pub const ALL: [Action; 13] = [
        Action::ReadOrders,
        Action::ManageOrders,
        Action::ReadCatalog,
        Action::ManageCatalog,
        Action::ManageInventory,
        Action::ManageKnowledge,
        Action::ManageMembers,
        Action::ManageDomains,
        Action::ManageBilling,
        Action::ManagePayments,
        Action::ManageDevices,
        Action::ReadAuditLog,
        Action::ManageData,
    ];
}

/// The whole policy. brand_admin: everything; editor: catalog, inventory, orders,
/// knowledge (no members, domains, billing, payments, devices, audit); read_only: reading.
pub fn allows(role: Role, action: Action) -> bool {
    use Action::*;
    match role {
        Role::BrandAdmin | Role::SuperAdmin => true,
        Role::Editor => matches!(action, ReadOrders | ManageOrders | ReadCatalog | ManageCatalog | ManageInventory | ManageKnowledge),
        Role::ReadOnly => matches!(action, ReadOrders | ReadCatalog),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Action::*;

    #[test]
    fn the_whole_table() {
        let expected: [(Action, [bool; 3]); 13] = [
            //               admin  editor read_only
            (ReadOrders, [true, true, true]),
            (ManageOrders, [true, true, false]),
            (ReadCatalog, [true, true, true]),
            (ManageCatalog, [true, true, false]),
            (ManageInventory, [true, true, false]),
            (ManageKnowledge, [true, true, false]),
            (ManageMembers, [true, false, false]),
            (ManageDomains, [true, false, false]),
            (ManageBilling, [true, false, false]),
            (ManagePayments, [true, false, false]),
            (ManageDevices, [true, false, false]),
            (ReadAuditLog, [true, false, false]),
            (ManageData, [true, false, false]),
        ];
        assert_eq!(expected.len(), Action::ALL.len());
        for (action, [admin, editor, read_only]) in expected {
            assert_eq!(allows(Role::BrandAdmin, action), admin, "brand_admin {action:?}");
            assert_eq!(allows(Role::Editor, action), editor, "editor {action:?}");
            assert_eq!(allows(Role::ReadOnly, action), read_only, "read_only {action:?}");
            assert!(allows(Role::SuperAdmin, action), "super_admin {action:?}");
        }
    }

    #[test]
    fn roles_round_trip() {
        for r in [Role::BrandAdmin, Role::Editor, Role::ReadOnly, Role::SuperAdmin] {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("owner"), None);
    }
}
