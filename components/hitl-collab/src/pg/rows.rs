//! Conversions between table rows and the queue's types.

use postgres::Row;

use crate::clock::Timestamp;
use crate::decision::{Decision, Outcome, Verdict};
use crate::error::HitlError;
use crate::request::{DecisionRequest, Priority, RequestId, RequestView};
use crate::reviewer::Role;
use crate::signature::{DecisionSignature, RequestDigest, ReviewerPublicKey};
use crate::sync::DataArc;

/// The columns [`Record::from_row`] reads, in order.
pub(crate) const COLUMNS: &str = "id, body, priority, submitted_at, deadline, digest, status, \
                                  reviewer, decided_at, note, signature, requester, workflow";

/// One request row.
#[derive(Debug)]
pub(crate) struct Record {
    pub(crate) view: RequestView,
    pub(crate) decision: Option<Decision>,
}

impl Record {
    /// Reads a row selected with [`COLUMNS`].
    pub(crate) fn from_row(row: &Row) -> Result<Self, HitlError> {
        let id = RequestId(from_db(row.try_get::<_, i64>(0).map_err(corrupt)?));
        let body: String = row.try_get(1).map_err(corrupt)?;
        let request: DecisionRequest = serde_json::from_str(&body).map_err(corrupt)?;
        let priority = priority_from(row.try_get(2).map_err(corrupt)?)?;
        let digest: String = row.try_get(5).map_err(corrupt)?;
        let digest: RequestDigest =
            serde_json::from_value(serde_json::Value::String(digest)).map_err(corrupt)?;
        let view = RequestView {
            id,
            request: DataArc::new(request),
            priority,
            submitted_at: ts(row.try_get(3).map_err(corrupt)?),
            deadline: ts(row.try_get(4).map_err(corrupt)?),
            digest,
        };
        let status: String = row.try_get(6).map_err(corrupt)?;
        let outcome = match status.as_str() {
            "pending" => None,
            "approved" => Some(Outcome::Approved),
            "rejected" => Some(Outcome::Rejected),
            "expired" => Some(Outcome::Expired),
            other => return Err(corrupt(format!("status {other}"))),
        };
        let decision = match outcome {
            None => None,
            Some(outcome) => {
                let signature: Option<String> = row.try_get(10).map_err(corrupt)?;
                let signature = match signature {
                    Some(text) => Some(Box::new(
                        serde_json::from_str::<DecisionSignature>(&text).map_err(corrupt)?,
                    )),
                    None => None,
                };
                Some(Decision {
                    outcome,
                    reviewer: row.try_get(7).map_err(corrupt)?,
                    decided_at: ts(row
                        .try_get::<_, Option<i64>>(8)
                        .map_err(corrupt)?
                        .unwrap_or_default()),
                    note: row
                        .try_get::<_, Option<String>>(9)
                        .map_err(corrupt)?
                        .unwrap_or_default(),
                    signature,
                })
            }
        };
        Ok(Self { view, decision })
    }
}

/// A value the database holds that this crate cannot read back (a bug or a foreign write).
pub(crate) fn corrupt(what: impl std::fmt::Display) -> HitlError {
    HitlError::Backend(format!("unreadable queue row: {what}"))
}

/// A timestamp as stored (nanoseconds, clamped to `i64::MAX`).
pub(crate) fn to_db(nanos: u64) -> i64 {
    i64::try_from(nanos).unwrap_or(i64::MAX)
}

/// A stored number back (negative values, which the queue never writes, read as 0).
pub(crate) fn from_db(value: i64) -> u64 {
    u64::try_from(value).unwrap_or(0)
}

fn ts(value: i64) -> Timestamp {
    Timestamp::from_nanos(from_db(value))
}

/// A priority's stored rank (Low 0 .. Critical 3).
pub(crate) fn priority_rank(priority: Priority) -> i16 {
    match priority {
        Priority::Low => 0,
        Priority::Medium => 1,
        Priority::High => 2,
        Priority::Critical => 3,
    }
}

fn priority_from(rank: i16) -> Result<Priority, HitlError> {
    Priority::ALL
        .get(usize::try_from(rank).unwrap_or(usize::MAX))
        .copied()
        .ok_or_else(|| corrupt(format!("priority {rank}")))
}

/// A role's stored rank (Reviewer 0, Senior 1, Admin 2).
pub(crate) fn role_rank(role: Role) -> i16 {
    match role {
        Role::Reviewer => 0,
        Role::Senior => 1,
        Role::Admin => 2,
    }
}

/// A stored role back.
pub(crate) fn role_from(rank: i16) -> Result<Role, HitlError> {
    match rank {
        0 => Ok(Role::Reviewer),
        1 => Ok(Role::Senior),
        2 => Ok(Role::Admin),
        other => Err(corrupt(format!("role {other}"))),
    }
}

/// A stored public key back.
pub(crate) fn key_from(text: Option<String>) -> Result<Option<ReviewerPublicKey>, HitlError> {
    text.map(|t| ReviewerPublicKey::from_hex(&t).map_err(|_| corrupt("reviewer key")))
        .transpose()
}

/// The stored status of a reviewer's verdict.
pub(crate) fn verdict_status(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Approve => "approved",
        Verdict::Reject => "rejected",
    }
}
