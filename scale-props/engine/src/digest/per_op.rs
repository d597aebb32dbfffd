//! Per-operation counts as snapshot-stable values: exact where deterministic, a log2 bucket where not.

use serde::{Deserialize, Serialize};

/// A per-operation count in a digest.
///
/// ```
/// use scale_props::digest::PerOp;
/// assert_eq!(PerOp::exact(7_000, 1_000), PerOp::Exact(7.0));
/// assert_eq!(PerOp::bucket(5.2), PerOp::Between(4, 8));
/// assert_eq!(PerOp::bucket(0.2), PerOp::Between(0, 1));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PerOp {
    /// The exact mean `total / ops`, rounded to 4 significant digits (deterministic counters only).
    Exact(f64),
    /// The mean rounded to the nearest integer lies in `[lo, hi)` (hi = 2 lo; `[0, 1)` for zero).
    Between(u64, u64),
}

impl PerOp {
    /// The exact mean of `total` over `ops` (0 when `ops` is 0), rounded to 4 significant digits.
    pub fn exact(total: u64, ops: u64) -> Self {
        if ops == 0 {
            return Self::Exact(0.0);
        }
        Self::Exact(round_sig(total as f64 / ops as f64, 4))
    }

    /// The power-of-two bucket of `mean` (rounded to the nearest integer first).
    pub fn bucket(mean: f64) -> Self {
        let n = mean.max(0.0).round() as u64;
        if n == 0 {
            return Self::Between(0, 1);
        }
        let lo = 1u64 << (63 - n.leading_zeros());
        Self::Between(lo, lo.saturating_mul(2))
    }
}

fn round_sig(x: f64, digits: i32) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    let scale = 10f64.powi(digits - 1 - x.abs().log10().floor() as i32);
    (x * scale).round() / scale
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_half_open_powers_of_two() {
        assert_eq!(PerOp::bucket(1.0), PerOp::Between(1, 2));
        assert_eq!(PerOp::bucket(0.999), PerOp::Between(1, 2));
        assert_eq!(PerOp::bucket(3.4), PerOp::Between(2, 4));
        assert_eq!(PerOp::bucket(1024.0), PerOp::Between(1024, 2048));
        assert_eq!(PerOp::exact(1, 3), PerOp::Exact(0.3333));
    }
}
