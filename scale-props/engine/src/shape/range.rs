//! Inclusive ranges of load values, accepted from any integer range syntax.

use std::ops::{Range, RangeInclusive};

/// An inclusive range of load values (users, rate, factor, operations) for a strategy.
///
/// Built from `lo..hi`, `lo..=hi` or a single `u64`. An empty range (`5..5`) becomes `5..=5` rather than
/// panicking later; strategies shrink toward `lo`.
///
/// ```
/// use scale_props::shape::LoadRange;
/// let r: LoadRange = (10..200).into();
/// assert_eq!((r.lo(), r.hi()), (10, 199));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoadRange {
    lo: u64,
    hi: u64,
}

impl LoadRange {
    /// Lowest value (inclusive).
    pub fn lo(&self) -> u64 {
        self.lo
    }
    /// Highest value (inclusive).
    pub fn hi(&self) -> u64 {
        self.hi
    }
    /// The same range with both ends clamped into `min..=max`.
    pub(crate) fn within(self, min: u64, max: u64) -> Self {
        let lo = self.lo.clamp(min, max);
        let hi = self.hi.clamp(lo, max);
        Self { lo, hi }
    }
}

impl From<Range<u64>> for LoadRange {
    fn from(r: Range<u64>) -> Self {
        let hi = r.end.saturating_sub(1).max(r.start);
        Self { lo: r.start, hi }
    }
}

impl From<RangeInclusive<u64>> for LoadRange {
    fn from(r: RangeInclusive<u64>) -> Self {
        let (lo, hi) = r.into_inner();
        Self { lo, hi: hi.max(lo) }
    }
}

impl From<u64> for LoadRange {
    fn from(v: u64) -> Self {
        Self { lo: v, hi: v }
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn ranges_convert_inclusively() {
        let r: LoadRange = (3..=7).into();
        assert_eq!((r.lo(), r.hi()), (3, 7));
        let e: LoadRange = (5..5).into();
        assert_eq!((e.lo(), e.hi()), (5, 5));
        assert_eq!(LoadRange::from(9).within(1, 4), LoadRange { lo: 4, hi: 4 });
    }
}
