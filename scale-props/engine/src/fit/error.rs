//! The one error enum of the fitting routines.

/// Errors of the fitting routines: every one is bad input, reported instead of guessed around.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FitError {
    /// Occurs when a sample has fewer points than the routine needs; supply more sizes or load levels.
    #[error("need at least {needed} points, got {got}")]
    TooFewPoints {
        /// Points the routine needs.
        needed: usize,
        /// Points supplied.
        got: usize,
    },
    /// Occurs when a sample has fewer distinct x values than the routine needs (repeating one size does not
    /// show how cost grows); measure more distinct sizes.
    #[error("need at least {needed} distinct x values, got {got}")]
    TooFewDistinct {
        /// Distinct x values the routine needs.
        needed: usize,
        /// Distinct x values supplied.
        got: usize,
    },
    /// Occurs when x and y have different lengths.
    #[error("x has {x} values but y has {y}")]
    LengthMismatch {
        /// Length of x.
        x: usize,
        /// Length of y.
        y: usize,
    },
    /// Occurs when a value is NaN or infinite, or out of the routine's domain (e.g. x <= 0 for a log fit).
    #[error("value {value} at index {index} is not usable: {reason}")]
    BadValue {
        /// Index of the offending point.
        index: usize,
        /// The value.
        value: f64,
        /// Why it is rejected.
        reason: &'static str,
    },
    /// Occurs when a size has no repetitions to take the median of.
    #[error("size at index {index} has no repetitions")]
    EmptyGroup {
        /// Index of the size without repetitions.
        index: usize,
    },
    /// Occurs when a routine that walks a curve step by step gets x values that do not strictly increase.
    #[error("x at index {index} does not exceed the previous x; sort the points by load")]
    NotIncreasing {
        /// Index of the first x that is not larger than its predecessor.
        index: usize,
    },
    /// Occurs when fewer than two distinct worker levels lie within the cores a run had: the levels above the
    /// cores are CPU-capped, so the scaling of the code cannot be judged. Sweep workers up to the core count, or
    /// run where more cores are granted.
    #[error(
        "undecided: {within} distinct worker level(s) within the {cores} core(s) the run had; levels above the \
         cores are CPU-capped and say nothing about contention or coherency"
    )]
    TooFewWithinCores {
        /// Distinct levels at or below `cores`.
        within: usize,
        /// The cores the run had.
        cores: f64,
    },
    /// Occurs when a tuning parameter of a routine is outside its documented range.
    #[error("parameter {name} = {value} is out of range: {expected}")]
    BadParameter {
        /// Name of the parameter.
        name: &'static str,
        /// The value supplied.
        value: f64,
        /// The legal range.
        expected: &'static str,
    },
}
