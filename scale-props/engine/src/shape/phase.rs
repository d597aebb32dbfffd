//! One phase of load: what the runner executes.

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// The part a phase plays in its shape, so results can be read per role (e.g. p99 during the spike).
///
/// ```
/// use scale_props::shape::{Burst, PhaseRole};
/// let roles: Vec<PhaseRole> = Burst::new(1, 2, 10)?.phases().iter().map(|p| p.role).collect();
/// assert_eq!(roles, [PhaseRole::BeforeSpike, PhaseRole::Spike, PhaseRole::Recovery]);
/// # Ok::<(), scale_props::shape::ShapeError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PhaseRole {
    /// Ordinary load (closed, open, a step, a sweep level).
    Steady,
    /// Base load before a burst.
    BeforeSpike,
    /// The spike of a burst.
    Spike,
    /// Base load after the spike, watched for recovery.
    Recovery,
}

/// Open-model pacing: operations scheduled at a fixed rate.
///
/// ```
/// let a = scale_props::shape::Open::new(1_000, 1, 10)?.phases()[0].arrival;
/// assert_eq!(a.map(|a| a.rate_per_sec), Some(1_000));
/// # Ok::<(), scale_props::shape::ShapeError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Arrival {
    /// Scheduled operations per second (>= 1).
    pub rate_per_sec: u64,
    /// An operation not started within this delay after its scheduled start is dropped, not run.
    pub drop_after: Duration,
}

/// One phase of a shape: `workers` threads run `ops` operations, within `max_duration`.
///
/// Invariants (guaranteed by the shape constructors): `1 <= workers <= MAX_WORKERS`, `1 <= ops <= MAX_OPS`,
/// `0 < max_duration <= MAX_DURATION`.
///
/// ```
/// use scale_props::shape::Closed;
/// let phases = Closed::new(4, 100)?.phases();
/// assert_eq!((phases[0].workers, phases[0].ops), (4, 100));
/// # Ok::<(), scale_props::shape::ShapeError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Phase {
    /// A stable, human-readable name (e.g. `workers=4`, `spike`).
    pub name: String,
    /// What the phase stands for in its shape.
    pub role: PhaseRole,
    /// Threads in the pool (closed-model users or open-model servers).
    pub workers: usize,
    /// Operations to run (or to schedule, in the open model).
    pub ops: u64,
    /// Pause a user takes after each operation (closed model).
    pub think: Option<Duration>,
    /// Open-model pacing; `None` for a closed model.
    pub arrival: Option<Arrival>,
    /// The phase stops after this long; unfinished operations are reported, never hidden.
    pub max_duration: Duration,
}
