//! The report of a broken queue invariant, [`InvariantViolation`].

/// A broken internal invariant, found by [`crate::HitlQueue::check_invariants`].
///
/// Seeing one is a bug in this crate; the queue never produces it in normal operation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("queue invariant broken: {what}")]
pub struct InvariantViolation {
    /// Which invariant failed, with the offending ids.
    pub what: String,
}
