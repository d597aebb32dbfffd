//! The one error type of the crate.

use thiserror::Error;

/// Everything that can go wrong when configuring the firewall, editing its patterns or validating a request.
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum FirewallError {
    /// Occurs when a request's content is empty, or contains only whitespace and invisible characters.
    #[error("request content is empty")]
    EmptyContent,
    /// Occurs when a request's content is longer than the configured maximum (`max_content_bytes`).
    #[error("request content is {len} bytes, over the maximum of {max} bytes")]
    ContentTooLarge {
        /// Length of the rejected content in bytes.
        len: usize,
        /// The configured maximum in bytes.
        max: usize,
    },
    /// Occurs when a request names no source (an empty source id), so it cannot be rate limited.
    #[error("request has an empty source id")]
    EmptySource,
    /// Occurs when a threshold is not a finite number in [0, 1].
    #[error("threshold {name} = {value} is not a finite number in [0, 1]")]
    ThresholdOutOfRange {
        /// Which threshold (`block_below` or `allow_at_or_above`).
        name: &'static str,
        /// The rejected value.
        value: f64,
    },
    /// Occurs when the block threshold is above the allow threshold, so the review band would be negative.
    #[error("block threshold {block_below} is above allow threshold {allow_at_or_above}")]
    ThresholdsInverted {
        /// The rejected block threshold.
        block_below: f64,
        /// The rejected allow threshold.
        allow_at_or_above: f64,
    },
    /// Occurs when the maximum content size is set to zero.
    #[error("maximum content size must be at least one byte")]
    ZeroMaxContent,
    /// Occurs when a rate-limit parameter is out of its legal range; the message names the parameter.
    #[error("invalid rate limit: {0}")]
    InvalidRateLimit(&'static str),
    /// Occurs when a pattern severity is not a finite number in [0, 1].
    #[error("severity {0} is not a finite number in [0, 1]")]
    SeverityOutOfRange(f64),
    /// Occurs when a pattern id is empty.
    #[error("pattern id is empty")]
    EmptyPatternId,
    /// Occurs when a pattern's text is empty once normalised (it would match everywhere).
    #[error("pattern {0} is empty once normalised")]
    EmptyPattern(String),
    /// Occurs when a pattern is added with an id that is already in use (in the firewall or in the same batch).
    #[error("pattern id {0} is already in use")]
    DuplicatePatternId(String),
    /// Occurs when removing a pattern id that the firewall does not hold.
    #[error("no pattern with id {0}")]
    UnknownPattern(String),
    /// Occurs when the Aho-Corasick automaton cannot be built (for example, it would exceed its size limits).
    #[error("cannot compile the pattern matcher: {0}")]
    MatcherBuild(String),
}
