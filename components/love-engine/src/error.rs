//! The one error type of the crate.

use thiserror::Error;

/// Everything that can go wrong in the love engine.
///
/// Bad input always comes back as one of these values; no operation panics on input.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum LoveError {
    /// Occurs when an action's type is empty or only whitespace: there is nothing to judge.
    #[error("action type is empty")]
    EmptyActionType,
    /// Occurs when the text of an action (type, parameters, outcome and context together) exceeds
    /// [`LoveConfig::max_action_bytes`](crate::LoveConfig::max_action_bytes).
    #[error("action text is {len} bytes, over the maximum of {max}")]
    ActionTooLarge {
        /// Bytes of text in the action.
        len: usize,
        /// The configured maximum.
        max: usize,
    },
    /// Occurs when a generated text or its context exceeds
    /// [`LoveConfig::max_text_bytes`](crate::LoveConfig::max_text_bytes).
    #[error("text is {len} bytes, over the maximum of {max}")]
    TextTooLarge {
        /// Length of the offending text in bytes.
        len: usize,
        /// The configured maximum.
        max: usize,
    },
    /// Occurs when the approval threshold is not a finite number in [0, 1].
    #[error("threshold {value} is not in [0, 1]")]
    ThresholdOutOfRange {
        /// The rejected value.
        value: f64,
    },
    /// Occurs when the review band is not a finite number in [0, threshold].
    #[error("review band {value} is not in [0, threshold]")]
    ReviewBandOutOfRange {
        /// The rejected value.
        value: f64,
    },
    /// Occurs when the per-dimension floor is not a finite number in [0, 1].
    #[error("dimension floor {value} is not in [0, 1]")]
    DimensionFloorOutOfRange {
        /// The rejected value.
        value: f64,
    },
    /// Occurs when the consistency threshold is not a finite number in [0, 1].
    #[error("consistency threshold {value} is not in [0, 1]")]
    ConsistencyThresholdOutOfRange {
        /// The rejected value.
        value: f64,
    },
    /// Occurs when a size or count limit in the configuration is zero.
    #[error("limit {name} must be at least 1")]
    ZeroLimit {
        /// Name of the configuration field.
        name: &'static str,
    },
    /// Occurs when a state's outcome distribution has no entries.
    #[error("distribution is empty")]
    EmptyDistribution,
    /// Occurs when a probability or wellbeing value is NaN or infinite.
    #[error("value at index {index} is not finite")]
    NonFiniteValue {
        /// Index in the distribution, or `usize::MAX` for the wellbeing value.
        index: usize,
    },
    /// Occurs when a distribution holds a negative probability.
    #[error("probability {value} at index {index} is negative")]
    NegativeProbability {
        /// Index in the distribution.
        index: usize,
        /// The negative value.
        value: f64,
    },
    /// Occurs when every entry of a distribution is zero, so it cannot be normalised.
    #[error("distribution has zero total mass")]
    ZeroMass,
    /// Occurs when a wellbeing value is outside [0, 1].
    #[error("wellbeing {value} is not in [0, 1]")]
    WellbeingOutOfRange {
        /// The rejected value.
        value: f64,
    },
    /// Occurs when an alignment evaluation is asked for before any assessment was recorded.
    #[error("no assessments recorded yet")]
    NoHistory,
}
