//! Who is asking: the roles and principals every layer needs, from the session store and the
//! authorization middleware to each feature's first lines. They live here, below the features,
//! so infrastructure (`ssr`) can name them without depending on any feature;
//! `features::accounts::model` re-exports them.

use serde::{Deserialize, Serialize};

/// Staff roles. One person may hold several; admins may do everything.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StaffRole {
    Admin,
    Sales,
    Security,
}

impl StaffRole {
    /// Every role, in the order forms list them.
    pub const ALL: [StaffRole; 3] = [Self::Admin, Self::Sales, Self::Security];

    /// The role's name in the database (`staff_roles.role`), forms and the access log.
    pub fn code(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Sales => "sales",
            Self::Security => "security",
        }
    }

    /// The role's name as shown to people.
    pub fn label(self) -> &'static str {
        match self {
            Self::Admin => "Admin",
            Self::Sales => "Sales",
            Self::Security => "Security",
        }
    }

    /// What the role may do, in a few words for the staff page.
    pub fn describe(self) -> &'static str {
        match self {
            Self::Admin => "everything, including managing staff",
            Self::Sales => {
                "access requests, grants, companies and their MNDAs, domain rules, the access log and analytics"
            }
            Self::Security => "content, documents, the NDA, the knowledge base and questionnaires",
        }
    }

    /// The role whose [`Self::code`] is `code` (surrounding spaces ignored); otherwise an error
    /// naming the three roles.
    pub fn parse(code: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|r| r.code() == code.trim())
            .ok_or_else(|| format!("“{code}” is not a role (admin, sales or security)."))
    }
}

/// A signed-in prospect (a visitor who confirmed a sign-in link), with the company they gave.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProspectUser {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub company: String,
}

/// A staff member as loaded on each request: active, with the roles they hold now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffUser {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub roles: Vec<StaffRole>,
}

impl StaffUser {
    /// Admins hold every role.
    pub fn has(&self, role: StaffRole) -> bool {
        self.roles.contains(&StaffRole::Admin) || self.roles.contains(&role)
    }

    /// The role codes, comma-separated (`admin,sales`): what the access log records as the role.
    pub fn roles_label(&self) -> String {
        self.roles.iter().map(|r| r.code()).collect::<Vec<_>>().join(",")
    }
}

/// Who is making the request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Principal {
    Anonymous,
    Prospect(ProspectUser),
    /// Password accepted; the second factor (or enrolling one) is still to come.
    PendingStaff {
        staff: StaffUser,
        enrolled: bool,
    },
    Staff(StaffUser),
}
