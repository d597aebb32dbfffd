//! Why an experiment could not run.

use crate::shape::ShapeError;

/// Errors of [`crate::run::Experiment`]: bad configuration or a failed setup. Operation failures are not
/// errors here: they are counted by kind in the results.
///
/// ```
/// use scale_props::{Experiment, RunError};
/// let e = Experiment::new("x").sizes([]).op(|_: &(), _| ()).run().unwrap_err();
/// assert!(matches!(e, RunError::NoSizes { .. }));
/// ```
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RunError {
    /// Occurs when the load shape is invalid (e.g. a worker count of zero).
    #[error("invalid load shape: {0}")]
    Shape(#[from] ShapeError),
    /// Occurs when `.shape(..)` is combined with `.workers(..)` or `.ops(..)`: a shape carries its own
    /// workers and operations, so the builder refuses to guess which was meant.
    #[error(
        "experiment {id}: the load shape ({shape}) conflicts with {with}; give one or the other"
    )]
    ConflictingLoad {
        /// The experiment id.
        id: String,
        /// The shape, described.
        shape: String,
        /// The conflicting builder calls.
        with: String,
    },
    /// Occurs when an experiment is given an empty list of sizes.
    #[error("experiment {id} has no sizes (give at least one)")]
    NoSizes {
        /// The experiment id.
        id: String,
    },
    /// Occurs when an experiment is asked for zero repetitions.
    #[error("experiment {id} needs at least one repetition")]
    ZeroRepetitions {
        /// The experiment id.
        id: String,
    },
    /// Occurs when the rayon thread pool cannot be built (e.g. the OS refuses more threads).
    #[error("could not build a pool of {workers} workers: {reason}")]
    PoolBuild {
        /// Workers asked for.
        workers: usize,
        /// The OS or rayon message.
        reason: String,
    },
    /// Occurs when preparing the state of a size fails.
    #[error("preparing size {size} failed: {reason}")]
    Prepare {
        /// The size.
        size: u64,
        /// The workload's message.
        reason: String,
    },
    /// Occurs when the latency histogram cannot be created (should not happen with the built-in bounds).
    #[error("histogram setup failed: {reason}")]
    Histogram {
        /// hdrhistogram's message.
        reason: String,
    },
}
