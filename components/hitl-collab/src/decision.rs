//! How a request ended: [`Decision`], its [`Outcome`] and the reviewer's [`Verdict`].

use serde::{Deserialize, Serialize};

use crate::signature::DecisionSignature;

use crate::clock::Timestamp;

/// What a reviewer decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Verdict {
    /// Allow the action.
    Approve,
    /// Refuse the action.
    Reject,
}

/// How a request ended; exactly one outcome stands per request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Outcome {
    /// A reviewer approved it.
    Approved,
    /// A reviewer rejected it.
    Rejected,
    /// Nobody decided before the deadline; this counts as a rejection (fail-safe).
    Expired,
}

impl Outcome {
    /// Returns true if and only if the action may go ahead.
    #[must_use]
    pub fn is_approved(self) -> bool {
        matches!(self, Self::Approved)
    }
}

impl From<Verdict> for Outcome {
    fn from(verdict: Verdict) -> Self {
        match verdict {
            Verdict::Approve => Self::Approved,
            Verdict::Reject => Self::Rejected,
        }
    }
}

/// The decision that stands for a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    /// Approved, rejected or expired.
    pub outcome: Outcome,
    /// The reviewer who decided; `None` for an expiry.
    pub reviewer: Option<String>,
    /// When the decision was made (for an expiry: when the queue noticed, never before the deadline).
    pub decided_at: Timestamp,
    /// The reviewer's note or reason; empty for an expiry.
    pub note: String,
    /// The reviewer's signature, for a decision made with [`crate::HitlQueue::decide_signed`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<Box<DecisionSignature>>,
}

impl Decision {
    /// Returns true if and only if the action may go ahead.
    #[must_use]
    pub fn is_approved(&self) -> bool {
        self.outcome.is_approved()
    }
}
