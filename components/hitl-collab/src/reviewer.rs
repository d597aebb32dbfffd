//! Who may decide: reviewer [`Role`]s.

use serde::{Deserialize, Serialize};

/// A reviewer's authority; roles are ordered `Reviewer < Senior < Admin`.
///
/// A reviewer may decide a request if and only if its role is at least the request's
/// [`crate::Priority::required_role`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Role {
    /// Decides Low and Medium requests.
    Reviewer,
    /// Also decides High requests.
    Senior,
    /// Decides everything, including Critical requests.
    Admin,
}

impl Role {
    /// Returns true if and only if this role may decide a request needing `needed`.
    #[must_use]
    pub fn covers(self, needed: Role) -> bool {
        self >= needed
    }
}
