//! The `LoadShape` sum type and the bounds every shape respects.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::{Burst, Closed, Open, Phase, Ramp, ShapeError, Steps, WorkerSweep};

/// Most threads (users, servers) a phase may use.
pub const MAX_WORKERS: u64 = 1024;
/// Most operations a phase may run.
pub const MAX_OPS: u64 = 100_000_000;
/// Longest time bound a phase may have.
pub const MAX_DURATION: Duration = Duration::from_secs(600);
/// Time bound used when a constructor is not given one.
pub(crate) const DEFAULT_DURATION: Duration = Duration::from_secs(60);

/// Any load the engine can offer. Every variant is bounded in operations and in time.
///
/// ```
/// use scale_props::shape::{Burst, LoadShape};
/// let shape: LoadShape = Burst::new(10, 5, 200)?.into();
/// assert_eq!(shape.phases().len(), 3);
/// assert_eq!(shape.peak_workers(), 50);
/// # Ok::<(), scale_props::shape::ShapeError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum LoadShape {
    /// N users back to back, optional think time.
    Closed(Closed),
    /// Operations arriving at a fixed rate.
    Open(Open),
    /// Load levels at multiples of a base (1x, 10x, ...).
    Steps(Steps),
    /// Users rising linearly.
    Ramp(Ramp),
    /// Base load, a k-times spike, recovery.
    Burst(Burst),
    /// Worker counts (1, 2, 4, ...).
    Sweep(WorkerSweep),
}

impl LoadShape {
    /// The phases the runner executes, in order.
    pub fn phases(&self) -> Vec<Phase> {
        match self {
            Self::Closed(s) => s.phases(),
            Self::Open(s) => s.phases(),
            Self::Steps(s) => s.phases(),
            Self::Ramp(s) => s.phases(),
            Self::Burst(s) => s.phases(),
            Self::Sweep(s) => s.phases(),
        }
    }

    /// Total operations over all phases.
    pub fn total_ops(&self) -> u64 {
        self.phases().iter().map(|p| p.ops).sum()
    }

    /// The most threads any phase uses.
    pub fn peak_workers(&self) -> usize {
        self.phases().iter().map(|p| p.workers).max().unwrap_or(1)
    }

    /// A single number ordering shapes by how much load they offer (peak concurrency, or rate for open
    /// models, times total operations); used to find the smallest failing load.
    pub fn load(&self) -> u128 {
        let intensity = match self {
            Self::Open(o) => u128::from(o.rate_per_sec()),
            _ => self.peak_workers() as u128,
        };
        intensity * u128::from(self.total_ops())
    }

    /// A one-line description with the numbers a person can act on.
    pub fn describe(&self) -> String {
        match self {
            Self::Closed(s) => format!(
                "closed: {} users, {} ops{}",
                s.users(),
                s.ops(),
                s.think()
                    .map_or_else(String::new, |t| format!(", think {t:?}"))
            ),
            Self::Open(s) => format!(
                "open: {}/s over {} workers, {} ops",
                s.rate_per_sec(),
                s.workers(),
                s.ops()
            ),
            Self::Steps(s) => format!(
                "steps: base {} users x {:?}, {} ops each",
                s.base(),
                s.factors(),
                s.ops_per_step()
            ),
            Self::Ramp(s) => format!(
                "ramp: {} -> {} users in {} steps",
                s.from(),
                s.to(),
                s.steps()
            ),
            Self::Burst(s) => format!(
                "burst: base {} users, spike x{}, {} ops per phase",
                s.base(),
                s.factor(),
                s.ops()
            ),
            Self::Sweep(s) => format!("workers {:?}, {} ops each", s.workers(), s.ops_per_level()),
        }
    }
}

impl std::fmt::Display for LoadShape {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe())
    }
}

pub(crate) fn check_workers(what: &'static str, n: u64) -> Result<usize, ShapeError> {
    if n == 0 || n > MAX_WORKERS {
        return Err(ShapeError::WorkersOutOfRange {
            what,
            got: n,
            max: MAX_WORKERS,
        });
    }
    usize::try_from(n).map_err(|_| ShapeError::WorkersOutOfRange {
        what,
        got: n,
        max: MAX_WORKERS,
    })
}

pub(crate) fn check_ops(n: u64) -> Result<u64, ShapeError> {
    if n == 0 || n > MAX_OPS {
        return Err(ShapeError::OpsOutOfRange {
            got: n,
            max: MAX_OPS,
        });
    }
    Ok(n)
}

pub(crate) fn check_duration(d: Duration) -> Result<Duration, ShapeError> {
    if d.is_zero() || d > MAX_DURATION {
        return Err(ShapeError::DurationOutOfRange {
            got_ms: d.as_millis(),
            max_secs: MAX_DURATION.as_secs(),
        });
    }
    Ok(d)
}

macro_rules! impl_into_shape {
    ($($t:ident),*) => {$(
        impl From<$t> for LoadShape {
            fn from(s: $t) -> Self {
                Self::$t(s)
            }
        }
    )*};
}
impl_into_shape!(Closed, Open, Steps, Ramp, Burst);

impl From<WorkerSweep> for LoadShape {
    fn from(s: WorkerSweep) -> Self {
        Self::Sweep(s)
    }
}
