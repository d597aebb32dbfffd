//! Human-in-the-loop queue: request, top-k and decide against the number of pending requests, memory of a
//! bounded queue under sustained traffic, and QueueFull backpressure then recovery by draining.

use hitl_collab::{HitlQueue, Verdict};
use scale_props::shape::Closed;
use scale_props::fit::Complexity;
use scale_props::{Budget, Errors, Experiment, Growth, OpError};

use crate::claims::{AllCompleted, ErrorsOfKind, Relation, WorkTotal};
use crate::fixtures::{queue_with, review_request};
use crate::workload::{fallible, kind};
use crate::{Case, Scale, SuiteError, Topic};

/// Id of the request curve.
pub const REQUEST: &str = "hitl.request.pending";
/// Id of the top-10 curve.
pub const TOP10: &str = "hitl.pending_top10.pending";
/// Id of the decide curve.
pub const DECIDE: &str = "hitl.decide_next.pending";
/// Id of the QueueFull exhaustion run.
pub const QUEUE_FULL: &str = "hitl.queue_full.exhaustion";
/// Id of the bounded-memory run.
pub const MEMORY: &str = "memory.hitl.bounded";

fn sizes(scale: Scale) -> Vec<u64> {
    scale.pick(vec![100, 1_000, 10_000], vec![100, 1_000, 10_000, 100_000])
}

/// The HITL cases at `scale`.
///
/// # Errors
/// [`SuiteError::Shape`] if a shape is out of bounds.
pub fn cases(scale: Scale) -> Result<Vec<Case>, SuiteError> {
    let ops = scale.pick(2_000, 10_000);
    let reps = 3;
    let headroom = ops * u64::from(reps);
    let request = Experiment::new(REQUEST)
        .sizes(sizes(scale))
        .ops(ops)
        .repetitions(reps)
        .workload(fallible(
            move |n| queue_with(n, headroom),
            |q: &HitlQueue, ctx| q.request(review_request(ctx.size + ctx.i)).map_err(kind),
        ));
    let top = Experiment::new(TOP10)
        .sizes(sizes(scale))
        .ops(ops)
        .repetitions(reps)
        .workload(fallible(
            |n| queue_with(n, 1),
            |q: &HitlQueue, ctx| {
                ctx.count("views", q.pending_top(10).len() as u64);
                Ok::<(), OpError>(())
            },
        ));
    let decide = Experiment::new(DECIDE)
        .sizes(sizes(scale))
        .ops(ops)
        .repetitions(reps)
        .workload(fallible(
            |n| queue_with(n, 1),
            |q: &HitlQueue, ctx| {
                q.request(review_request(ctx.size + ctx.i)).map_err(kind)?;
                let d = q
                    .decide_next("admin", Verdict::Approve, "ok")
                    .map_err(kind)?;
                ctx.count("decided", u64::from(d.is_some()));
                Ok::<(), OpError>(())
            },
        ));
    let flat_in_time = || Growth::at_most(Complexity::Log).of_time();
    Ok(vec![
        Case::new("hitl", Topic::ComponentScaling, request)
            .claim(Errors::none())
            .claim(flat_in_time()),
        Case::new("hitl", Topic::ComponentScaling, top)
            .claim(Errors::none())
            .claim(flat_in_time())
            .claim(Growth::at_most(Complexity::Constant).of_work("views")),
        Case::new("hitl", Topic::ComponentScaling, decide)
            .claim(Errors::none())
            .claim(flat_in_time()),
        queue_full(scale.pick(500, 10_000))?,
        memory(scale)?,
    ])
}

/// A queue of capacity C starts full; one requester sends C requests (all refused with QueueFull), a reviewer
/// then decides C requests (the drain), and the requester sends C more (all accepted: recovered).
///
/// # Errors
/// [`SuiteError::Shape`] if `capacity` is 0 or too large for one run.
pub fn queue_full(capacity: u64) -> Result<Case, SuiteError> {
    let e = Experiment::new(QUEUE_FULL)
        .sizes([capacity])
        .shape(Closed::new(1, 3 * capacity)?)
        .repetitions(1)
        .workload(fallible(
            |n| queue_with(n, 0),
            |q: &HitlQueue, ctx| {
                let phase = ctx.i / ctx.size;
                if phase == 1 {
                    let d = q
                        .decide_next("admin", Verdict::Reject, "drain")
                        .map_err(kind)?;
                    ctx.count("drained", u64::from(d.is_some()));
                    Ok(())
                } else {
                    q.request(review_request(ctx.size + ctx.i))
                        .map(|_| ())
                        .map_err(kind)
                }
            },
        ));
    Ok(Case::new("hitl", Topic::Exhaustion, e)
        .claim(ErrorsOfKind {
            kind: "QueueFull",
            per_size: 1,
        })
        .claim(WorkTotal {
            name: "drained",
            per_size: 1,
            relation: Relation::Exactly,
        })
        .claim(AllCompleted))
}

/// Decisions the bounded queue retains.
const RETAINED: usize = 1_000;

/// Sustained request + decide on a queue that retains at most [`RETAINED`] decisions: memory stays bounded.
///
/// The queue is prepared at its steady state (twice [`RETAINED`] requests decided, so its retention is full
/// and its maps have grown): the growth measured is sustained traffic's. Before, the run included filling
/// the retention, a one-off megabyte that came to 50-80 B per operation at the test scale whenever the
/// allocator had no freed memory to reuse (over the bound in about one run in six).
fn memory(scale: Scale) -> Result<Case, SuiteError> {
    let e = Experiment::new(MEMORY)
        .sizes([1_000])
        .shape(Closed::new(1, scale.pick(20_000, 300_000))?)
        .repetitions(1)
        .workload(fallible(
            |n| {
                let q = HitlQueue::builder()
                    .capacity(usize::try_from(n).map_err(|e| e.to_string())?)
                    .retention(RETAINED)
                    .clock(hitl_collab::ManualClock::new())
                    .build()
                    .map_err(|e| e.to_string())?;
                q.register_reviewer("admin", hitl_collab::Role::Admin);
                for i in 0..2 * RETAINED as u64 {
                    q.request(review_request(i)).map_err(|e| e.to_string())?;
                    q.decide_next("admin", Verdict::Approve, "ok")
                        .map_err(|e| e.to_string())?;
                }
                Ok(q)
            },
            |q: &HitlQueue, ctx| {
                q.request(review_request(ctx.i)).map_err(kind)?;
                q.decide_next("admin", Verdict::Approve, "ok")
                    .map_err(kind)?;
                Ok::<(), OpError>(())
            },
        ));
    Ok(Case::new("hitl", Topic::Memory, e)
        .claim(Errors::none())
        .claim(Budget::memory_growth_per_op(64.0)))
}
