//! The deterministic digest of a curve.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{Fits, PerOp};
use crate::fit::Complexity;
use crate::measure::{Axis, Curve, Point};

/// The facts of one point that are the same on every run and every machine.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PointDigest {
    /// State size.
    pub size: u64,
    /// Phase name.
    pub phase: String,
    /// Workers.
    pub workers: usize,
    /// Operations scheduled per repetition.
    pub ops: u64,
    /// Errors by kind, over all repetitions.
    pub errors: BTreeMap<String, u64>,
    /// Work per operation by counter: exact for one worker, a log2 bucket when workers interleave.
    pub work_per_op: BTreeMap<String, PerOp>,
    /// Allocations per operation (log2 bucket), when the counting allocator is installed.
    pub allocations_per_op: Option<PerOp>,
    /// Bytes allocated per operation (log2 bucket), when the counting allocator is installed.
    pub alloc_bytes_per_op: Option<PerOp>,
}

/// How one phase grows with size.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GrowthDigest {
    /// Phase name.
    pub phase: String,
    /// Complexity class fitted from each work counter (deterministic).
    ///
    /// Time is left out on purpose: its verdict ([`crate::fit::TimeVerdict`]) comes from timings, and near a
    /// bin edge or a cache step it can differ between two runs of the same commit (a binary search over
    /// 1K..1M measured exponents 0.43 to 0.59 in five runs); the reports carry it.
    pub work: BTreeMap<String, Complexity>,
}

/// Everything about a curve that belongs in a snapshot: shape, sizes, counts, classes. Never raw times.
///
/// ```
/// use scale_props::{digest::CurveDigest, Experiment};
/// let e = Experiment::new("digest.demo").sizes([8, 16]).op(|_: &(), ctx| ctx.add_work(ctx.size)).ops(10);
/// let (a, b) = (CurveDigest::of(&e.run()?), CurveDigest::of(&e.run()?));
/// assert_eq!(a, b);
/// # Ok::<(), scale_props::RunError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CurveDigest {
    /// Experiment id.
    pub id: String,
    /// The load shape, described.
    pub shape: String,
    /// The x axis.
    pub axis: Axis,
    /// Sizes.
    pub sizes: Vec<u64>,
    /// Repetitions per point.
    pub repetitions: u32,
    /// One digest per point.
    pub points: Vec<PointDigest>,
    /// Growth with size per phase (size curves with at least three sizes).
    pub growth: Vec<GrowthDigest>,
}

impl CurveDigest {
    /// The digest of a curve (fits computed on the way; use [`CurveDigest::from_fits`] if you have them).
    pub fn of(curve: &Curve) -> Self {
        Self::from_fits(curve, &Fits::of(curve))
    }

    /// The digest of a curve with its fits.
    pub fn from_fits(curve: &Curve, fits: &Fits) -> Self {
        let growth = fits
            .phases
            .iter()
            .map(|g| GrowthDigest {
                phase: g.phase.clone(),
                work: g.work.iter().map(|(k, f)| (k.clone(), f.best)).collect(),
            })
            .collect();
        Self {
            id: curve.id.clone(),
            shape: curve.shape.describe(),
            axis: curve.axis,
            sizes: curve.sizes.clone(),
            repetitions: curve.repetitions,
            points: curve.points.iter().map(point_digest).collect(),
            growth,
        }
    }
}

fn point_digest(p: &Point) -> PointDigest {
    let done = p.total_completed();
    let work_per_op = p
        .work_names()
        .into_iter()
        .map(|name| {
            let v = if p.phase.workers == 1 {
                PerOp::exact(p.work_total(&name), done)
            } else {
                PerOp::bucket(p.work_per_op(&name))
            };
            (name, v)
        })
        .collect();
    let allocs = p.allocations_per_op();
    PointDigest {
        size: p.size,
        phase: p.phase.name.clone(),
        workers: p.phase.workers,
        ops: p.phase.ops,
        errors: p.errors_by_kind(),
        work_per_op,
        allocations_per_op: allocs.map(|(c, _)| PerOp::bucket(c)),
        alloc_bytes_per_op: allocs.map(|(_, b)| PerOp::bucket(b)),
    }
}
