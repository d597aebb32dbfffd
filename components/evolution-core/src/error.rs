//! The one error type of the crate.

use crate::ExperienceId;

/// Everything that can go wrong when configuring, feeding or querying an
/// [`EvolutionEngine`](crate::EvolutionEngine).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EvolutionError {
    /// Occurs when an experience is logged with an empty (or all-whitespace) action type.
    #[error("action type is empty")]
    EmptyActionType,

    /// Occurs when an experience is logged with an empty (or all-whitespace) pattern key;
    /// leave the key out instead.
    #[error("pattern key is empty; use no pattern key instead")]
    EmptyPatternKey,

    /// Occurs when an ethics or safety score is NaN or outside `[0, 1]`.
    #[error("{field} score {value} is outside [0, 1]")]
    ScoreOutOfRange {
        /// Which score was bad: `"ethics"` or `"safety"`.
        field: &'static str,
        /// The rejected value.
        value: f64,
    },

    /// Occurs when an experience carries an explicit timestamp earlier than the newest
    /// one already logged (timestamps must not go backwards, so time queries can binary search).
    #[error("timestamp {given_us} us is earlier than the last logged timestamp {last_us} us")]
    TimestampRegressed {
        /// The rejected timestamp, microseconds since the Unix epoch.
        given_us: u64,
        /// The newest timestamp already logged.
        last_us: u64,
    },

    /// Occurs when an id was never handed out by this engine.
    #[error("experience {0} does not exist")]
    UnknownExperience(ExperienceId),

    /// Occurs when an id refers to an experience dropped by the retention bound; its
    /// contribution to the aggregates is kept but it can no longer be read or re-scored.
    #[error(
        "experience {id} was evicted by the retention bound (oldest retained id is {oldest_retained})"
    )]
    ExperienceEvicted {
        /// The requested id.
        id: ExperienceId,
        /// The oldest id still retained.
        oldest_retained: ExperienceId,
    },

    /// Occurs when a query's time range starts after it ends.
    #[error("time range starts at {start_us} us, after its end {end_us} us")]
    InvertedTimeRange {
        /// Start of the range (inclusive), microseconds since the Unix epoch.
        start_us: u64,
        /// End of the range (exclusive).
        end_us: u64,
    },

    /// Occurs when a configuration threshold or rate is NaN or outside `[0, 1]`.
    #[error("configuration value {name} = {value} is outside [0, 1]")]
    ConfigOutOfRange {
        /// The configuration field.
        name: &'static str,
        /// The rejected value.
        value: f64,
    },

    /// Occurs when more than `u32::MAX` distinct action types (or pattern keys) are logged.
    #[error("too many distinct {0}s")]
    TooManyNames(&'static str),

    /// Occurs when a configuration count that must be positive is zero.
    #[error("configuration value {0} must be at least 1")]
    ConfigZero(&'static str),
}
