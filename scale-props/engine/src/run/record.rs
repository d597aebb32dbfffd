//! Plain records of what happened in each run: the runner's output, the measure stage's input.

use std::collections::BTreeMap;
use std::time::Duration;

use hdrhistogram::Histogram;

use super::probe::{CpuTimes, DiskIo};
use crate::shape::{LoadShape, Phase};

/// What happened in one run of one phase at one size.
#[derive(Debug, Clone)]
pub struct PhaseRecord {
    /// The phase.
    pub phase: Phase,
    /// The state size.
    pub size: u64,
    /// Repetition index (0-based).
    pub repetition: u32,
    /// Latency per operation in nanoseconds (per-worker histograms merged with `add`).
    pub latency_ns: Histogram<u64>,
    /// Operations that ran (successes and errors).
    pub completed: u64,
    /// Errors by kind.
    pub errors: BTreeMap<String, u64>,
    /// Open model: operations not started within the lateness tolerance.
    pub dropped: u64,
    /// Operations never run because the phase hit its time bound.
    pub unfinished: u64,
    /// Wall time of the phase.
    pub wall: Duration,
    /// Sum over workers of time spent inside timed operations, in nanoseconds.
    pub busy_ns: u128,
    /// Allocations counted around operations, if the counting allocator is installed.
    pub allocations: Option<(u64, u64)>,
    /// Work counters by name, summed over workers.
    pub work: BTreeMap<String, u64>,
    /// RSS in bytes before, after and at the sampled peak, if the platform reports it.
    pub rss: Option<(u64, u64, u64)>,
    /// CPU time consumed by the process during the phase.
    pub cpu: Option<CpuTimes>,
    /// Time the workers spent runnable but waiting for a CPU during the phase, summed over workers (Linux
    /// run-queue delay); `None` where the kernel does not report it.
    pub cpu_wait: Option<Duration>,
    /// Disk bytes read and written by the process during the phase.
    pub io: DiskIo,
    /// Largest batch of operations timed together (1 means every operation was timed alone).
    pub max_batch: u64,
    /// (start offset from phase start, latency) in nanoseconds per timed batch, kept for recovery phases.
    pub timeline: Vec<(u64, u64)>,
}

/// What preparing the state of one size cost.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrepareRecord {
    /// The size.
    pub size: u64,
    /// Time spent preparing.
    pub duration: Duration,
    /// RSS before and after preparing, if the platform reports it.
    pub rss: Option<(u64, u64)>,
}

/// Everything an experiment recorded, in run order.
#[derive(Debug, Clone)]
pub struct RawCurve {
    /// The experiment id.
    pub id: String,
    /// The load shape.
    pub shape: LoadShape,
    /// The sizes, in order.
    pub sizes: Vec<u64>,
    /// Repetitions per (size, phase).
    pub repetitions: u32,
    /// One record per (size, phase, repetition).
    pub records: Vec<PhaseRecord>,
    /// One record per size.
    pub prepares: Vec<PrepareRecord>,
    /// Logical CPUs available to the process.
    pub cores: usize,
}
