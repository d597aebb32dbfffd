//! Progress events, so a CLI can draw bars while an experiment runs.

use std::sync::Arc;

/// One progress event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Progress {
    /// The experiment starts; `total` runs (sizes x phases x repetitions) are planned.
    Started {
        /// Experiment id.
        id: String,
        /// Planned runs.
        total: u64,
    },
    /// One run finished.
    RunDone {
        /// Runs finished so far.
        done: u64,
        /// Planned runs.
        total: u64,
        /// The size it ran at.
        size: u64,
        /// The phase name.
        phase: String,
    },
    /// The experiment finished.
    Finished {
        /// Experiment id.
        id: String,
    },
}

/// A progress observer; called from the thread that runs the experiment.
pub type ProgressFn = Arc<dyn Fn(&Progress) + Send + Sync>;
