//! Digest: the deterministic facts of a curve ([`CurveDigest`], for snapshots), the fits computed once for
//! reporters ([`Analysis`]), and the insta snapshot of a digest.
//!
//! Depends on [`crate::shape`], [`crate::run`], [`crate::measure`] and [`crate::fit`]. Raw times never enter a
//! digest: only counts, classes fitted from deterministic counters, and time growth in wide bins.

mod analysis;
mod curve_digest;
mod per_op;
mod row;
mod snapshot;

pub use analysis::{Analysis, Fits, PhaseFits};
pub use curve_digest::{CurveDigest, GrowthDigest, PointDigest};
pub use per_op::PerOp;
pub use row::{Row, Status};
pub use snapshot::{assert_digest_snapshot, file_stem, snapshot_dir, snapshot_name};
