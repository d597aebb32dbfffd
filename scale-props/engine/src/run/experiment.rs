//! The closure-based experiment builder.

use std::collections::HashMap;
use std::fmt::Display;
use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Instant;

use rayon::{ThreadPool, ThreadPoolBuilder};

use super::probe::rss_bytes;
use super::runner::{PhaseInput, run_phase};
use super::{
    OpContext, OpError, OpOutcome, PrepareRecord, Progress, ProgressFn, RawCurve, RunError,
    Workload,
};
use crate::expect::{Expectation, Verdict};
use crate::measure::Curve;
use crate::shape::{Closed, LoadShape, WorkerSweep};

/// Operations per run when neither `.ops(..)` nor a shape says otherwise.
const DEFAULT_OPS: u64 = 1_000;

/// A claim carried by an experiment, judged when it runs.
type Claim = Box<dyn Expectation + Send + Sync>;

/// A scaling experiment: sizes (the x axis), a load shape, a workload, repetitions, and the claims it makes.
///
/// [`Experiment::run`] returns a [`crate::Curve`] with one verdict per claim; [`Experiment::execute`] returns
/// the raw records. Defaults: sizes `[1]`, one user running 1 000 operations, 1 repetition, no claims.
///
/// ```
/// use std::collections::BTreeMap;
/// use scale_props::Experiment;
/// let curve = Experiment::new("btreemap.get")
///     .sizes([100, 1_000])
///     .prepare(|n| (0..n).map(|k| (k, k)).collect::<BTreeMap<u64, u64>>())
///     .op(|map, ctx| map.get(&(ctx.i % ctx.size)).is_some())
///     .ops(200)
///     .repetitions(2)
///     .run()?;
/// assert_eq!(curve.points.len(), 2);
/// assert_eq!(curve.points[0].total_errors(), 0);
/// # Ok::<(), scale_props::RunError>(())
/// ```
#[must_use = "an experiment does nothing until `.run()`"]
pub struct Experiment<W = NoWorkload> {
    id: String,
    sizes: Vec<u64>,
    shape: Option<LoadShape>,
    workers: Option<Vec<u64>>,
    ops: Option<u64>,
    repetitions: u32,
    progress: Option<ProgressFn>,
    batching: bool,
    claims: Vec<Claim>,
    workload: W,
}

impl<W> std::fmt::Debug for Experiment<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Experiment")
            .field("id", &self.id)
            .field("sizes", &self.sizes)
            .field("shape", &self.shape)
            .field("workers", &self.workers)
            .field("ops", &self.ops)
            .field("repetitions", &self.repetitions)
            .field(
                "claims",
                &self.claims.iter().map(|c| c.describe()).collect::<Vec<_>>(),
            )
            .finish_non_exhaustive()
    }
}

/// The workload slot of an experiment that has none yet.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoWorkload;

/// A state-preparing closure waiting for its operation closure (see [`Experiment::prepare`] and
/// [`Experiment::try_prepare`]).
#[derive(Debug, Clone, Copy)]
pub struct Prepared<P>(P);

/// How a [`FnWorkload`] builds its state: an infallible or a fallible closure.
pub trait PrepareFn<S>: Sync {
    /// Builds the state of `size`.
    ///
    /// # Errors
    /// The closure's error, as text (the experiment stops with [`RunError::Prepare`]).
    fn build(&self, size: u64) -> Result<S, String>;
}

/// An infallible `Fn(u64) -> S` preparing closure.
#[derive(Debug, Clone, Copy)]
pub struct Infallible<P>(P);

/// A fallible `Fn(u64) -> Result<S, E>` preparing closure.
#[derive(Debug, Clone, Copy)]
pub struct Fallible<P>(P);

impl<S, P: Fn(u64) -> S + Sync> PrepareFn<S> for Infallible<P> {
    fn build(&self, size: u64) -> Result<S, String> {
        Ok((self.0)(size))
    }
}

impl<S, E: Display, P: Fn(u64) -> Result<S, E> + Sync> PrepareFn<S> for Fallible<P> {
    fn build(&self, size: u64) -> Result<S, String> {
        (self.0)(size).map_err(|e| e.to_string())
    }
}

/// The workload of an experiment whose operation needs no state.
pub type StatelessWorkload<R, O> = FnWorkload<(), R, Infallible<fn(u64)>, O>;

/// A [`Workload`] made of two closures: `prepare(size) -> State` (or `-> Result<State, E>`) and
/// `op(&State, &OpContext) -> outcome`.
pub struct FnWorkload<S, R, P, O> {
    prepare: P,
    op: O,
    _types: PhantomData<fn() -> (S, R)>,
}

impl<S, R, P, O> std::fmt::Debug for FnWorkload<S, R, P, O> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FnWorkload")
    }
}

impl<S, R, P, O> Workload for FnWorkload<S, R, P, O>
where
    S: Sync,
    R: OpOutcome,
    P: PrepareFn<S>,
    O: Fn(&S, &OpContext<'_>) -> R + Sync,
{
    type State = S;
    fn prepare(&self, size: u64) -> Result<S, String> {
        self.prepare.build(size)
    }
    fn op(&self, state: &S, ctx: &OpContext<'_>) -> Result<(), OpError> {
        (self.op)(state, ctx).into_outcome()
    }
}

impl Experiment<NoWorkload> {
    /// A new experiment with a stable id (used to name snapshots, plots and report rows).
    ///
    /// ```
    /// assert_eq!(scale_props::Experiment::new("audit.append").id(), "audit.append");
    /// ```
    pub fn new(id: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            sizes: vec![1],
            shape: None,
            workers: None,
            ops: None,
            repetitions: 1,
            progress: None,
            batching: true,
            claims: Vec::new(),
            workload: NoWorkload,
        }
    }

    /// An operation with no state (`&()`).
    pub fn op<R, O>(self, op: O) -> Experiment<StatelessWorkload<R, O>>
    where
        R: OpOutcome,
        O: Fn(&(), &OpContext<'_>) -> R + Sync,
    {
        fn unit(_: u64) {}
        self.with_workload(FnWorkload {
            prepare: Infallible(unit as fn(u64)),
            op,
            _types: PhantomData,
        })
    }

    /// Builds the state of each size, untimed, once per size; follow with `.op(..)`.
    pub fn prepare<S, P>(self, prepare: P) -> Experiment<Prepared<Infallible<P>>>
    where
        P: Fn(u64) -> S + Sync,
        S: Sync,
    {
        self.with_workload(Prepared(Infallible(prepare)))
    }

    /// Like [`Experiment::prepare`], for state whose building can fail: an `Err` stops the run with
    /// [`RunError::Prepare`] naming the size and the error's Display.
    ///
    /// ```
    /// use scale_props::{Experiment, RunError};
    /// let e = Experiment::new("try.prepare").sizes([1, 2])
    ///     .try_prepare(|n| if n < 2 { Ok(vec![0u8; n as usize]) } else { Err(format!("no room for {n}")) })
    ///     .op(|v, _| v.is_empty())
    ///     .ops(5)
    ///     .run()
    ///     .unwrap_err();
    /// assert_eq!(e, RunError::Prepare { size: 2, reason: "no room for 2".into() });
    /// ```
    pub fn try_prepare<S, E, P>(self, prepare: P) -> Experiment<Prepared<Fallible<P>>>
    where
        P: Fn(u64) -> Result<S, E> + Sync,
        E: Display,
        S: Sync,
    {
        self.with_workload(Prepared(Fallible(prepare)))
    }

    /// Uses a reusable [`Workload`].
    pub fn workload<T: Workload>(self, workload: T) -> Experiment<T> {
        self.with_workload(workload)
    }
}

impl<P> Experiment<Prepared<P>> {
    /// The operation to time, run against the prepared state.
    pub fn op<S, R, O>(self, op: O) -> Experiment<FnWorkload<S, R, P, O>>
    where
        P: PrepareFn<S>,
        S: Sync,
        R: OpOutcome,
        O: Fn(&S, &OpContext<'_>) -> R + Sync,
    {
        let Prepared(prepare) = self.workload;
        let next = Experiment {
            id: self.id,
            sizes: self.sizes,
            shape: self.shape,
            workers: self.workers,
            ops: self.ops,
            repetitions: self.repetitions,
            progress: self.progress,
            batching: self.batching,
            claims: self.claims,
            workload: (),
        };
        next.with_workload(FnWorkload {
            prepare,
            op,
            _types: PhantomData,
        })
    }
}

impl<W> Experiment<W> {
    fn with_workload<T>(self, workload: T) -> Experiment<T> {
        Experiment {
            id: self.id,
            sizes: self.sizes,
            shape: self.shape,
            workers: self.workers,
            ops: self.ops,
            repetitions: self.repetitions,
            progress: self.progress,
            batching: self.batching,
            claims: self.claims,
            workload,
        }
    }

    /// The experiment id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// State sizes to run at, in order (the x axis of a size curve).
    ///
    /// ```
    /// let c = scale_props::Experiment::new("sizes").sizes([1, 2, 3]).op(|_: &(), _| ()).ops(5).run()?;
    /// assert_eq!(c.points.iter().map(|p| p.size).collect::<Vec<_>>(), vec![1, 2, 3]);
    /// # Ok::<(), scale_props::RunError>(())
    /// ```
    pub fn sizes(mut self, sizes: impl IntoIterator<Item = u64>) -> Self {
        self.sizes = sizes.into_iter().collect();
        self
    }

    /// The load shape (instead of the default one-user load). A shape carries its own workers and
    /// operations: combined with `.workers(..)` or `.ops(..)`, the run fails with
    /// [`RunError::ConflictingLoad`] rather than guess which one was meant.
    ///
    /// ```
    /// use scale_props::{shape::Burst, Experiment};
    /// let c = Experiment::new("burst").shape(Burst::new(1, 4, 50)?).op(|_: &(), _| ()).run()?;
    /// assert_eq!(c.points[1].phase.workers, 4);
    /// assert!(c.p99_during_spike().is_some());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn shape(mut self, shape: impl Into<LoadShape>) -> Self {
        self.shape = Some(shape.into());
        self
    }

    /// A worker sweep (the x axis of a concurrency curve), each level running `.ops(..)` operations.
    ///
    /// ```
    /// let c = scale_props::Experiment::new("sweep").workers([1, 2]).ops(100).op(|_: &(), _| ()).run()?;
    /// assert_eq!(c.axis, scale_props::Axis::Workers);
    /// assert_eq!(c.points[1].total_completed(), 100);
    /// # Ok::<(), scale_props::RunError>(())
    /// ```
    pub fn workers(mut self, workers: impl IntoIterator<Item = u64>) -> Self {
        self.workers = Some(workers.into_iter().collect());
        self
    }

    /// Operations per run for the default load and for `.workers(..)` sweeps (not with `.shape(..)`).
    pub fn ops(mut self, ops: u64) -> Self {
        self.ops = Some(ops);
        self
    }

    /// States a claim about the run: judged when the experiment runs, its verdict read with
    /// [`Curve::verdicts`] (in claim order). Repeatable.
    ///
    /// ```
    /// use scale_props::prelude::*;
    /// let curve = Experiment::new("claim.doc")
    ///     .sizes([100, 1_000, 10_000])
    ///     .claim(Growth::at_most(Complexity::Linear).of_work("visited"))
    ///     .claim(Errors::none())
    ///     .op(|_: &(), ctx| ctx.count("visited", ctx.size))
    ///     .ops(10)
    ///     .run()?;
    /// curve.verdicts().assert_all()?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn claim(mut self, expectation: impl Expectation + Send + Sync + 'static) -> Self {
        self.claims.push(Box::new(expectation));
        self
    }

    /// Runs each (size, phase) this many times; time-based facts use the median.
    ///
    /// ```
    /// let c = scale_props::Experiment::new("reps").repetitions(3).ops(10).op(|_: &(), _| ()).run()?;
    /// assert_eq!(c.points[0].repetitions.len(), 3);
    /// # Ok::<(), scale_props::RunError>(())
    /// ```
    pub fn repetitions(mut self, repetitions: u32) -> Self {
        self.repetitions = repetitions;
        self
    }

    /// Whether operations shorter than about a microsecond are timed in batches (the default). With `false`,
    /// every operation is timed on its own: exact per-operation latencies, at the cost of two clock reads each.
    ///
    /// ```
    /// let c = scale_props::Experiment::new("single").batching(false).ops(50).op(|_: &(), _| ()).run()?;
    /// assert_eq!(c.points[0].repetitions[0].max_batch, 1);
    /// # Ok::<(), scale_props::RunError>(())
    /// ```
    pub fn batching(mut self, on: bool) -> Self {
        self.batching = on;
        self
    }

    /// Calls `f` with each [`Progress`] event.
    ///
    /// ```
    /// use std::sync::{Arc, atomic::{AtomicU64, Ordering}};
    /// let seen = Arc::new(AtomicU64::new(0));
    /// let s = Arc::clone(&seen);
    /// scale_props::Experiment::new("progress").sizes([1, 2]).ops(5)
    ///     .on_progress(move |_| { s.fetch_add(1, Ordering::Relaxed); })
    ///     .op(|_: &(), _| ()).run()?;
    /// assert_eq!(seen.load(Ordering::Relaxed), 4); // started, two runs, finished
    /// # Ok::<(), scale_props::RunError>(())
    /// ```
    pub fn on_progress(mut self, f: impl Fn(&Progress) + Send + Sync + 'static) -> Self {
        self.progress = Some(Arc::new(f));
        self
    }

    /// Sends each [`Progress`] event on a channel (send errors, i.e. a dropped receiver, are ignored).
    pub fn progress_channel(self, tx: std::sync::mpsc::Sender<Progress>) -> Self {
        self.on_progress(move |p| {
            let _ = tx.send(p.clone());
        })
    }

    /// The load shape this experiment will run, after applying `.workers(..)` / `.ops(..)` / defaults.
    ///
    /// # Errors
    /// [`RunError::Shape`] when the shape it implies is invalid.
    /// [`RunError::ConflictingLoad`] when `.shape(..)` is combined with `.workers(..)` or `.ops(..)`.
    ///
    /// ```
    /// use scale_props::{shape::Closed, Experiment, RunError};
    /// let e = Experiment::new("both").shape(Closed::new(2, 100)?).workers([1, 2]).op(|_: &(), _| ());
    /// assert!(matches!(e.resolved_shape(), Err(RunError::ConflictingLoad { .. })));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn resolved_shape(&self) -> Result<LoadShape, RunError> {
        let ops = self.ops.unwrap_or(DEFAULT_OPS);
        match (&self.shape, &self.workers) {
            (Some(shape), None) if self.ops.is_none() => Ok(shape.clone()),
            (Some(shape), workers) => Err(RunError::ConflictingLoad {
                id: self.id.clone(),
                shape: shape.describe(),
                with: match (workers, self.ops) {
                    (Some(w), Some(o)) => format!(".workers({w:?}) and .ops({o})"),
                    (Some(w), None) => format!(".workers({w:?})"),
                    (None, _) => format!(".ops({ops})"),
                },
            }),
            (None, Some(w)) => Ok(WorkerSweep::new(w.clone(), ops)?.into()),
            (None, None) => Ok(Closed::new(1, ops)?.into()),
        }
    }
}

impl<W: Workload> Experiment<W> {
    /// Runs the experiment, summarises it into a [`Curve`] and judges every claim on it: read the verdicts
    /// with [`Curve::verdicts`]. Runs [`Experiment::execute`], then [`Curve::from_raw`].
    ///
    /// # Errors
    /// [`RunError`] on an invalid configuration or a failed setup; failing operations are counted, not
    /// errors, and claims that fail are verdicts, not errors.
    pub fn run(&self) -> Result<Curve, RunError> {
        let mut curve = Curve::from_raw(&self.execute()?);
        if !self.claims.is_empty() {
            let verdicts = self
                .claims
                .iter()
                .map(|claim| Verdict {
                    case: curve.id.clone(),
                    claim: claim.describe(),
                    judgement: claim.judge(&curve, curve.analysis()),
                })
                .collect();
            curve.verdict_list = verdicts;
        }
        Ok(curve)
    }

    /// Runs every (size, phase, repetition) and returns the raw records (see `run()` for the summarised curve).
    ///
    /// ```
    /// let raw = scale_props::Experiment::new("raw").sizes([4, 8]).ops(10).op(|_: &(), _| ()).execute()?;
    /// assert_eq!(raw.records.len(), 2);
    /// # Ok::<(), scale_props::RunError>(())
    /// ```
    ///
    /// Order: for each size, prepare the state once (untimed), then for each phase run every repetition.
    ///
    /// # Errors
    /// [`RunError`] on an invalid configuration, a failed pool build or a failed `prepare`.
    pub fn execute(&self) -> Result<RawCurve, RunError> {
        if self.sizes.is_empty() {
            return Err(RunError::NoSizes {
                id: self.id.clone(),
            });
        }
        if self.repetitions == 0 {
            return Err(RunError::ZeroRepetitions {
                id: self.id.clone(),
            });
        }
        let shape = self.resolved_shape()?;
        let phases = shape.phases();
        let total = (self.sizes.len() * phases.len()) as u64 * u64::from(self.repetitions);
        self.emit(&Progress::Started {
            id: self.id.clone(),
            total,
        });
        let mut pools: HashMap<usize, ThreadPool> = HashMap::new();
        let mut records = Vec::with_capacity(total as usize);
        let mut prepares = Vec::with_capacity(self.sizes.len());
        for &size in &self.sizes {
            let rss0 = rss_bytes();
            let t0 = Instant::now();
            let state = self
                .workload
                .prepare(size)
                .map_err(|reason| RunError::Prepare { size, reason })?;
            prepares.push(PrepareRecord {
                size,
                duration: t0.elapsed(),
                rss: rss0.zip(rss_bytes()),
            });
            for phase in &phases {
                let pool = match pools.entry(phase.workers) {
                    std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
                    std::collections::hash_map::Entry::Vacant(e) => e.insert(
                        ThreadPoolBuilder::new()
                            .num_threads(phase.workers)
                            .thread_name(|i| format!("scale-props-worker-{i}"))
                            .build()
                            .map_err(|err| RunError::PoolBuild {
                                workers: phase.workers,
                                reason: err.to_string(),
                            })?,
                    ),
                };
                for repetition in 0..self.repetitions {
                    let input = PhaseInput {
                        workload: &self.workload,
                        state: &state,
                        phase,
                        size,
                        repetition,
                        batching: self.batching,
                    };
                    records.push(run_phase(pool, &input)?);
                    self.emit(&Progress::RunDone {
                        done: records.len() as u64,
                        total,
                        size,
                        phase: phase.name.clone(),
                    });
                }
            }
        }
        self.emit(&Progress::Finished {
            id: self.id.clone(),
        });
        Ok(RawCurve {
            id: self.id.clone(),
            shape,
            sizes: self.sizes.clone(),
            repetitions: self.repetitions,
            records,
            prepares,
            cores: std::thread::available_parallelism().map_or(1, usize::from),
        })
    }

    fn emit(&self, p: &Progress) {
        if let Some(f) = &self.progress {
            f(p);
        }
    }
}
