//! Why a load shape was rejected.

/// Errors of the shape constructors: a shape that exists is always within bounds.
///
/// ```
/// use scale_props::shape::{Closed, ShapeError};
/// assert!(matches!(Closed::new(0, 10), Err(ShapeError::WorkersOutOfRange { got: 0, .. })));
/// assert_eq!(Closed::new(1, 0).unwrap_err().to_string(), "operation count must be in 1..=100000000, got 0");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShapeError {
    /// Occurs when a worker or user count is zero or above [`crate::shape::MAX_WORKERS`].
    #[error("{what} must be in 1..={max}, got {got} (lower it or split the load)")]
    WorkersOutOfRange {
        /// Which count (e.g. "users").
        what: &'static str,
        /// The value given.
        got: u64,
        /// The largest value allowed.
        max: u64,
    },
    /// Occurs when an operation count is zero or above [`crate::shape::MAX_OPS`].
    #[error("operation count must be in 1..={max}, got {got}")]
    OpsOutOfRange {
        /// The value given.
        got: u64,
        /// The largest value allowed.
        max: u64,
    },
    /// Occurs when an arrival rate is zero.
    #[error("arrival rate must be at least 1 operation per second")]
    ZeroRate,
    /// Occurs when a list of levels (steps, sweep) is empty.
    #[error("{what} must not be empty")]
    Empty {
        /// Which list.
        what: &'static str,
    },
    /// Occurs when a duration bound is zero or above [`crate::shape::MAX_DURATION`].
    #[error("time bound must be in (0, {max_secs}] seconds, got {got_ms} ms")]
    DurationOutOfRange {
        /// The value given, in milliseconds.
        got_ms: u128,
        /// The largest bound allowed, in seconds.
        max_secs: u64,
    },
    /// Occurs when a range of loads is empty (e.g. `5..5`).
    #[error("load range {lo}..={hi} is empty")]
    EmptyRange {
        /// Low end.
        lo: u64,
        /// High end (inclusive).
        hi: u64,
    },
    /// Occurs when a breaking-point search is asked to confirm a failure k of n times with k = 0 or k > n.
    #[error("confirmation needs 1 <= k <= n, got k = {k}, n = {n}")]
    BadConfirmation {
        /// Failures required.
        k: u32,
        /// Trials per load.
        n: u32,
    },
    /// Occurs when a strategy cannot generate a value (e.g. every candidate was filtered out).
    #[error("strategy could not generate a load: {reason}")]
    StrategyFailed {
        /// proptest's reason.
        reason: String,
    },
}
