//! What is measured: a workload that prepares state of a size and runs one operation against it.

use std::cell::RefCell;
use std::fmt::Debug;

/// The context of one operation: which operation, on which worker, against which size, and a handle to the
/// worker's work counters.
///
/// ```
/// use scale_props::Experiment;
/// let curve = Experiment::new("ctx.demo")
///     .op(|_state: &(), ctx| ctx.add_work(ctx.i % 2))
///     .ops(10)
///     .run()?;
/// assert_eq!(curve.points[0].work_total("work"), 5);
/// # Ok::<(), scale_props::RunError>(())
/// ```
#[derive(Debug)]
pub struct OpContext<'a> {
    /// Index of this operation within its phase (0-based, unique across workers).
    pub i: u64,
    /// Index of the worker thread (0-based).
    pub worker: usize,
    /// The state size this phase runs against.
    pub size: u64,
    counters: &'a RefCell<Vec<(&'static str, u64)>>,
}

impl<'a> OpContext<'a> {
    pub(crate) fn new(
        i: u64,
        worker: usize,
        size: u64,
        counters: &'a RefCell<Vec<(&'static str, u64)>>,
    ) -> Self {
        Self {
            i,
            worker,
            size,
            counters,
        }
    }

    /// Adds `n` to the default work counter, named `"work"` (e.g. comparisons, rows visited).
    pub fn add_work(&self, n: u64) {
        self.count("work", n);
    }

    /// Adds `n` to the named work counter. Counters are per worker (no sharing on the hot path) and summed
    /// after the phase.
    pub fn count(&self, name: &'static str, n: u64) {
        let mut c = self.counters.borrow_mut();
        match c.iter_mut().find(|(k, _)| *k == name) {
            Some((_, v)) => *v += n,
            None => c.push((name, n)),
        }
    }
}

/// A failed operation, counted under its kind.
///
/// ```
/// use scale_props::OpError;
/// assert_eq!(OpError::new("timeout").kind(), "timeout");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpError {
    kind: String,
}

impl OpError {
    /// An error of the given kind.
    pub fn new(kind: impl Into<String>) -> Self {
        Self { kind: kind.into() }
    }
    /// The kind errors are counted under.
    pub fn kind(&self) -> &str {
        &self.kind
    }
}

/// What an operation closure may return: `()` (always succeeds), `bool` (`false` counts as kind `"false"`),
/// `Result<T, E>` (an `Err(OpError)` counts under its own kind; any other `Err` under the leading identifier of
/// `E`'s `Debug` form, i.e. its variant name), or an [`OpError`].
///
/// ```
/// use scale_props::OpOutcome;
/// #[derive(Debug)]
/// enum E { Full { cap: usize } }
/// let r: Result<(), E> = Err(E::Full { cap: 3 });
/// assert_eq!(r.into_outcome().unwrap_err().kind(), "Full");
/// let r: Result<(), scale_props::OpError> = Err(scale_props::OpError::new("disk full"));
/// assert_eq!(r.into_outcome().unwrap_err().kind(), "disk full");
/// ```
pub trait OpOutcome {
    /// Converts to success or a kinded error.
    ///
    /// # Errors
    /// The operation's failure, as an [`OpError`].
    fn into_outcome(self) -> Result<(), OpError>;
}

impl OpOutcome for () {
    fn into_outcome(self) -> Result<(), OpError> {
        Ok(())
    }
}

impl OpOutcome for bool {
    fn into_outcome(self) -> Result<(), OpError> {
        if self {
            Ok(())
        } else {
            Err(OpError::new("false"))
        }
    }
}

impl OpOutcome for OpError {
    fn into_outcome(self) -> Result<(), OpError> {
        Err(self)
    }
}

impl<T, E: Debug + 'static> OpOutcome for Result<T, E> {
    fn into_outcome(self) -> Result<(), OpError> {
        match self {
            Ok(_) => Ok(()),
            Err(e) => {
                // An `OpError` keeps its own kind; any other error is counted under its variant name.
                if let Some(op) = (&e as &dyn std::any::Any).downcast_ref::<OpError>() {
                    return Err(op.clone());
                }
                let text = format!("{e:?}");
                let kind: String = text
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                Err(OpError::new(if kind.is_empty() { text } else { kind }))
            }
        }
    }
}

/// The measured target: prepare state of a size (untimed), then run one operation against it from a worker.
///
/// The closure builder [`crate::Experiment`] implements this for you; implement it directly for reusable
/// targets.
///
/// ```
/// use scale_props::{Experiment, OpContext, OpError, Workload};
/// struct Scan;
/// impl Workload for Scan {
///     type State = Vec<u64>;
///     fn prepare(&self, size: u64) -> Result<Vec<u64>, String> {
///         Ok((0..size).collect())
///     }
///     fn op(&self, v: &Vec<u64>, ctx: &OpContext<'_>) -> Result<(), OpError> {
///         ctx.add_work(v.len() as u64);
///         if v.iter().any(|x| *x == u64::MAX) { Err(OpError::new("found")) } else { Ok(()) }
///     }
/// }
/// let curve = Experiment::new("scan").sizes([10, 20]).ops(5).workload(Scan).run()?;
/// assert_eq!(curve.points[1].work_total("work"), 100);
/// # Ok::<(), scale_props::RunError>(())
/// ```
pub trait Workload: Sync {
    /// The state operations run against; shared by all workers.
    type State: Sync;
    /// Builds the state for `size` (not timed).
    ///
    /// # Errors
    /// A message; the experiment stops with [`crate::RunError::Prepare`].
    fn prepare(&self, size: u64) -> Result<Self::State, String>;
    /// Runs one operation.
    ///
    /// # Errors
    /// The operation's failure; it is counted under its kind, never hidden.
    fn op(&self, state: &Self::State, ctx: &OpContext<'_>) -> Result<(), OpError>;
}
