//! A curve: one point per (size, phase), each holding its repetitions, with medians for time-based measures.

use std::collections::BTreeMap;
use std::sync::OnceLock;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::{Measure, QuantileError};
use crate::digest::Analysis;
use crate::expect::{Verdict, Verdicts};
use crate::run::{PrepareRecord, RawCurve};
use crate::shape::{LoadShape, Phase, PhaseRole};

/// What the x axis of a curve is: sizes when there are several, else workers for a sweep, else phases.
///
/// ```
/// use scale_props::{Axis, Experiment};
/// assert_eq!(Experiment::new("a").sizes([1, 2]).op(|_: &(), _| ()).ops(1).run()?.axis, Axis::Size);
/// assert_eq!(Experiment::new("b").op(|_: &(), _| ()).ops(1).run()?.axis, Axis::Phase);
/// # Ok::<(), scale_props::RunError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Axis {
    /// State size (several sizes).
    Size,
    /// Worker count (one size, phases with different worker counts).
    Workers,
    /// Phases of one shape (e.g. a burst), in order.
    Phase,
}

/// One (size, phase) of a curve with all its repetitions; the methods give medians over repetitions for
/// time-based measures and totals for counts.
///
/// ```
/// let c = scale_props::Experiment::new("point").repetitions(3).ops(100)
///     .op(|_: &(), ctx| { ctx.count("rows", 2); ctx.i % 50 != 0 }).run()?;
/// let p = &c.points[0];
/// assert_eq!((p.total_completed(), p.total_errors(), p.work_per_op("rows")), (300, 6, 2.0));
/// assert!(p.median_latency_ns(0.99).is_ok() && p.median_latency_ns(2.0).is_err());
/// # Ok::<(), scale_props::RunError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Point {
    /// State size.
    pub size: u64,
    /// The phase.
    pub phase: Phase,
    /// One measure per repetition, in order.
    pub repetitions: Vec<Measure>,
}

fn median(mut v: Vec<f64>) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(f64::total_cmp);
    let m = v.len() / 2;
    if v.len() % 2 == 1 {
        v[m]
    } else {
        (v[m - 1] + v[m]) / 2.0
    }
}

impl Point {
    /// The x value on `axis`.
    pub fn x(&self, axis: Axis, index: usize) -> f64 {
        match axis {
            Axis::Size => self.size as f64,
            Axis::Workers => self.phase.workers as f64,
            Axis::Phase => index as f64 + 1.0,
        }
    }
    /// Median over repetitions of `f`.
    pub fn median_of(&self, f: impl Fn(&Measure) -> f64) -> f64 {
        median(self.repetitions.iter().map(f).collect())
    }
    /// Median mean time per operation, ns.
    pub fn median_op_ns(&self) -> f64 {
        self.median_of(|m| m.mean_op_ns)
    }
    /// Median over repetitions of the p50 latency, ns: the robust time-per-operation used for growth fits
    /// (a preempted batch moves a mean, rarely a median).
    pub fn median_p50_ns(&self) -> f64 {
        self.median_of(|m| m.latency.p50 as f64)
    }
    /// Median throughput, operations per second.
    pub fn median_throughput(&self) -> f64 {
        self.median_of(|m| m.throughput)
    }
    /// Median over repetitions of the latency at `quantile` in [0, 1], ns, each read from its recorded
    /// histogram ([`Measure::latency_at`]; repetitions that recorded nothing are left out).
    ///
    /// # Errors
    /// [`QuantileError::OutOfRange`] outside [0, 1]; [`QuantileError::Empty`] when no repetition recorded a
    /// latency.
    pub fn median_latency_ns(&self, quantile: f64) -> Result<f64, QuantileError> {
        let mut values = Vec::with_capacity(self.repetitions.len());
        for m in &self.repetitions {
            match m.latency_at(quantile) {
                Ok(v) => values.push(v as f64),
                Err(QuantileError::Empty) => {}
                Err(e) => return Err(e),
            }
        }
        if values.is_empty() {
            return Err(QuantileError::Empty);
        }
        Ok(median(values))
    }
    /// Operations that ran, over all repetitions.
    pub fn total_completed(&self) -> u64 {
        self.repetitions.iter().map(|m| m.completed).sum()
    }
    /// Errors over all repetitions.
    pub fn total_errors(&self) -> u64 {
        self.repetitions
            .iter()
            .flat_map(|m| m.errors.values())
            .sum()
    }
    /// Errors by kind over all repetitions.
    pub fn errors_by_kind(&self) -> BTreeMap<String, u64> {
        let mut out = BTreeMap::new();
        for (k, v) in self.repetitions.iter().flat_map(|m| &m.errors) {
            *out.entry(k.clone()).or_insert(0) += v;
        }
        out
    }
    /// Errors / completed over all repetitions.
    pub fn error_rate(&self) -> f64 {
        let done = self.total_completed();
        if done == 0 {
            0.0
        } else {
            self.total_errors() as f64 / done as f64
        }
    }
    /// Dropped operations over all repetitions.
    pub fn total_dropped(&self) -> u64 {
        self.repetitions.iter().map(|m| m.dropped).sum()
    }
    /// Work counter `name` summed over all repetitions (0 if never counted).
    pub fn work_total(&self, name: &str) -> u64 {
        self.repetitions
            .iter()
            .filter_map(|m| m.work.get(name))
            .sum()
    }
    /// Names of the work counters seen.
    pub fn work_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .repetitions
            .iter()
            .flat_map(|m| m.work.keys().cloned())
            .collect();
        names.sort();
        names.dedup();
        names
    }
    /// Work counter `name` per completed operation.
    pub fn work_per_op(&self, name: &str) -> f64 {
        let done = self.total_completed();
        if done == 0 {
            0.0
        } else {
            self.work_total(name) as f64 / done as f64
        }
    }
    /// Allocations and bytes per completed operation over all repetitions, if counted.
    pub fn allocations_per_op(&self) -> Option<(f64, f64)> {
        let done = self.total_completed();
        let mut sum = (0u64, 0u64);
        for m in &self.repetitions {
            let a = m.allocations?;
            sum.0 += a.count;
            sum.1 += a.bytes;
        }
        (done > 0).then(|| (sum.0 as f64 / done as f64, sum.1 as f64 / done as f64))
    }
    /// Highest sampled RSS over the repetitions, bytes.
    pub fn peak_rss(&self) -> Option<u64> {
        self.repetitions
            .iter()
            .filter_map(|m| m.memory.map(|x| x.peak))
            .max()
    }
    /// Median CPU utilisation per core.
    pub fn median_cpu_utilisation(&self) -> Option<f64> {
        self.repetitions
            .iter()
            .all(|m| m.cpu.is_some())
            .then(|| self.median_of(|m| m.cpu.map_or(0.0, |c| c.utilisation_per_core)))
    }
    /// Median wall time.
    pub fn median_wall(&self) -> Duration {
        Duration::from_secs_f64(self.median_of(|m| m.wall.as_secs_f64()))
    }
}

/// The analysis of a curve, computed on first use and kept: it never takes part in comparisons (it is a
/// function of the curve) nor in serialisation.
#[derive(Debug, Clone, Default)]
struct AnalysisCell(OnceLock<Analysis>);

impl PartialEq for AnalysisCell {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

/// The result of an experiment: points in run order, with the shape and sizes they came from, the verdicts
/// on the experiment's claims ([`Curve::verdicts`]) and its analysis, computed once ([`Curve::analysis`]).
///
/// Its methods, by what they answer: what was measured (here: [`Curve::series`], [`Curve::points_in`],
/// [`Curve::memory_per_item`], [`Curve::p99_during_spike`], [`Curve::recovered_within`]); fits, rows and
/// digest ([`Curve::analysis`]); whether claims hold (in [`crate::expect`]: [`Curve::verdicts`],
/// [`Curve::check`], [`Curve::breaking_point`], [`Curve::knee`], [`Curve::usl`]).
///
/// ```
/// use scale_props::{Axis, Experiment};
/// let curve = Experiment::new("vec.push").sizes([10, 100, 1_000])
///     .prepare(|n| vec![0u8; n as usize])
///     .op(|v, ctx| { ctx.add_work(v.len() as u64); })
///     .ops(50)
///     .run()?;
/// assert_eq!(curve.axis, Axis::Size);
/// assert_eq!(curve.points[2].work_per_op("work"), 1_000.0);
/// # Ok::<(), scale_props::RunError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Curve {
    /// The experiment id.
    pub id: String,
    /// The load shape.
    pub shape: LoadShape,
    /// Sizes, in order.
    pub sizes: Vec<u64>,
    /// Repetitions per point.
    pub repetitions: u32,
    /// The x axis.
    pub axis: Axis,
    /// One point per (size, phase), sizes outer.
    pub points: Vec<Point>,
    /// What preparing each size cost.
    pub prepare_rss: Vec<(u64, Option<(u64, u64)>)>,
    /// Logical CPUs of the machine.
    pub cores: usize,
    /// One verdict per claim of the experiment, in claim order.
    #[serde(default, rename = "verdicts")]
    pub(crate) verdict_list: Vec<Verdict>,
    #[serde(skip)]
    analysis: AnalysisCell,
}

impl Curve {
    /// Summarises raw records. Cost: O(records x histogram buckets).
    pub fn from_raw(raw: &RawCurve) -> Self {
        let phases = raw.shape.phases();
        let axis = if raw.sizes.len() > 1 {
            Axis::Size
        } else if phases.len() > 1 && phases.iter().all(|p| p.role == PhaseRole::Steady) {
            Axis::Workers
        } else {
            Axis::Phase
        };
        let mut points: Vec<Point> = Vec::new();
        for r in &raw.records {
            let m = Measure::from_record(r, raw.cores);
            match points
                .iter_mut()
                .find(|p| p.size == r.size && p.phase == r.phase)
            {
                Some(p) => p.repetitions.push(m),
                None => points.push(Point {
                    size: r.size,
                    phase: r.phase.clone(),
                    repetitions: vec![m],
                }),
            }
        }
        Self {
            id: raw.id.clone(),
            shape: raw.shape.clone(),
            sizes: raw.sizes.clone(),
            repetitions: raw.repetitions,
            axis,
            points,
            prepare_rss: raw
                .prepares
                .iter()
                .map(|p: &PrepareRecord| (p.size, p.rss))
                .collect(),
            cores: raw.cores,
            verdict_list: Vec::new(),
            analysis: AnalysisCell::default(),
        }
    }

    /// The curve's fits, digest and table rows, computed on first use and kept, so checks, verdicts,
    /// reports and snapshots read one analysis. (The fields of a curve are public for reading: a curve
    /// changed after its analysis was taken keeps the old analysis.)
    ///
    /// ```
    /// let curve = scale_props::Experiment::new("analysis.once").op(|_: &(), _| ()).ops(10).run()?;
    /// assert!(std::ptr::eq(curve.analysis(), curve.analysis()));
    /// assert_eq!(curve.analysis().rows.len(), 1);
    /// # Ok::<(), scale_props::RunError>(())
    /// ```
    pub fn analysis(&self) -> &Analysis {
        self.analysis.0.get_or_init(|| Analysis::of(self))
    }

    /// The verdicts on the claims the experiment carried ([`crate::Experiment::claim`]), in claim order.
    pub fn verdicts(&self) -> Verdicts<'_> {
        Verdicts::of(self)
    }

    /// Points playing `role` (e.g. the spike of a burst).
    pub fn points_in(&self, role: PhaseRole) -> impl Iterator<Item = &Point> {
        self.points.iter().filter(move |p| p.phase.role == role)
    }

    /// (x, y) pairs of a per-point value along the axis.
    pub fn series(&self, f: impl Fn(&Point) -> f64) -> Vec<(f64, f64)> {
        self.points
            .iter()
            .enumerate()
            .map(|(i, p)| (p.x(self.axis, i), f(p)))
            .collect()
    }

    /// Total errors over the curve.
    pub fn total_errors(&self) -> u64 {
        self.points.iter().map(Point::total_errors).sum()
    }

    /// Median p99 (ns) of the spike phase of a burst, if there is one.
    pub fn p99_during_spike(&self) -> Option<f64> {
        self.points_in(PhaseRole::Spike)
            .next()
            .and_then(|p| p.median_latency_ns(0.99).ok())
    }

    /// Median p99 (ns) of the phase before the spike, if there is one.
    pub fn p99_before_spike(&self) -> Option<f64> {
        self.points_in(PhaseRole::BeforeSpike)
            .next()
            .and_then(|p| p.median_latency_ns(0.99).ok())
    }

    /// Returns true if and only if, in every repetition of the recovery phase, every batch that started at
    /// least `window` after the phase began had latency at most `tolerance` times the p99 before the spike.
    /// False when the curve has no burst.
    ///
    /// ```
    /// use std::time::Duration;
    /// use scale_props::{shape::Burst, Experiment};
    /// let c = Experiment::new("recovery").shape(Burst::new(1, 2, 200)?).op(|_: &(), _| ()).run()?;
    /// let _ok: bool = c.recovered_within(Duration::from_millis(1), 50.0);
    /// assert!(!Experiment::new("flat").op(|_: &(), _| ()).ops(5).run()?.recovered_within(Duration::ZERO, 1.0));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn recovered_within(&self, window: Duration, tolerance: f64) -> bool {
        let (Some(before), Some(recovery)) = (
            self.p99_before_spike(),
            self.points_in(PhaseRole::Recovery).next(),
        ) else {
            return false;
        };
        let limit = before * tolerance;
        let from = u64::try_from(window.as_nanos()).unwrap_or(u64::MAX);
        recovery.repetitions.iter().all(|m| {
            m.timeline
                .iter()
                .filter(|(t, _)| *t >= from)
                .all(|(_, lat)| *lat as f64 <= limit)
        })
    }

    /// Memory per item of each size: RSS growth while preparing, divided by the size (bytes per item).
    ///
    /// ```
    /// let c = scale_props::Experiment::new("mem").sizes([1_000_000])
    ///     .prepare(|n| vec![1u64; n as usize]).op(|v, _| v.len() > 0).ops(5).run()?;
    /// if let Some(per_item) = c.memory_per_item()[0].1 { assert!(per_item > 0.0); }
    /// # Ok::<(), scale_props::RunError>(())
    /// ```
    pub fn memory_per_item(&self) -> Vec<(u64, Option<f64>)> {
        self.prepare_rss
            .iter()
            .map(|(size, rss)| {
                (
                    *size,
                    rss.filter(|_| *size > 0)
                        .map(|(b, a)| (a as f64 - b as f64) / *size as f64),
                )
            })
            .collect()
    }
}
