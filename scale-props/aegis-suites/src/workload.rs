//! A closure workload whose state preparation can fail (the engine then stops with `RunError::Prepare`
//! instead of every operation failing).

use std::fmt::Debug;
use std::marker::PhantomData;

use scale_props::{OpContext, OpError, OpOutcome, Workload};

/// Workload of a fallible `prepare(size) -> Result<State, String>` and an
/// `op(&State, &OpContext) -> Result<T, OpError>` (map component errors with [`kind`], which keeps their variant
/// name as the error kind).
pub struct Fallible<S, R, P, O> {
    prepare: P,
    op: O,
    _types: PhantomData<fn() -> (S, R)>,
}

impl<S, R, P, O> Debug for Fallible<S, R, P, O> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Fallible")
    }
}

/// Builds a [`Fallible`] workload.
///
/// ```
/// use scale_props::Experiment;
/// let w = aegis_scale::workload::fallible(
///     |n| if n > 0 { Ok(vec![0u8; n as usize]) } else { Err("empty".to_owned()) },
///     |v: &Vec<u8>, ctx| Ok(ctx.add_work(v.len() as u64)),
/// );
/// let curve = Experiment::new("fallible.doc").sizes([4]).ops(3).workload(w).run()?;
/// assert_eq!(curve.points[0].work_total("work"), 12);
/// # Ok::<(), scale_props::RunError>(())
/// ```
pub fn fallible<S, R, P, O>(prepare: P, op: O) -> Fallible<S, R, P, O>
where
    S: Sync,
    P: Fn(u64) -> Result<S, String> + Sync,
    O: Fn(&S, &OpContext<'_>) -> Result<R, OpError> + Sync,
{
    Fallible {
        prepare,
        op,
        _types: PhantomData,
    }
}

impl<S, R, P, O> Workload for Fallible<S, R, P, O>
where
    S: Sync,
    P: Fn(u64) -> Result<S, String> + Sync,
    O: Fn(&S, &OpContext<'_>) -> Result<R, OpError> + Sync,
{
    type State = S;
    fn prepare(&self, size: u64) -> Result<S, String> {
        (self.prepare)(size)
    }
    fn op(&self, state: &S, ctx: &OpContext<'_>) -> Result<(), OpError> {
        (self.op)(state, ctx).map(|_| ())
    }
}

/// An [`OpError`] named for the variant of `e` (the leading identifier of its `Debug` form).
///
/// ```
/// #[derive(Debug)]
/// enum E { QueueFull { capacity: usize } }
/// assert_eq!(aegis_scale::workload::kind(E::QueueFull { capacity: 3 }).kind(), "QueueFull");
/// ```
pub fn kind<E: Debug + 'static>(e: E) -> OpError {
    match Err::<(), E>(e).into_outcome() {
        Err(op) => op,
        Ok(()) => OpError::new("unknown"),
    }
}
