//! Progress events, so a CLI can draw bars while an experiment runs.

use std::sync::Arc;

/// One progress event: `Started`, one `RunDone` per (size, phase, repetition), `Finished`.
///
/// ```
/// let (tx, rx) = std::sync::mpsc::channel();
/// scale_props::Experiment::new("p").ops(5).progress_channel(tx).op(|_: &(), _| ()).run()?;
/// let events: Vec<scale_props::Progress> = rx.try_iter().collect();
/// assert!(matches!(events[1], scale_props::Progress::RunDone { done: 1, total: 1, .. }));
/// # Ok::<(), scale_props::RunError>(())
/// ```
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
