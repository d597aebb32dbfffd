//! Deterministic resampling shared by the bootstrap intervals (time growth, USL): the same data always give
//! the same interval, so a verdict does not change between two reports of one run.

use super::sample::median;

/// A deterministic splitmix64 stream.
pub(crate) struct SplitMix(pub(crate) u64);

impl SplitMix {
    /// A uniform index below `n` (`n > 0`).
    pub(crate) fn below(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z % n as u64) as usize
    }

    /// The median of `values.len()` values drawn from `values` with replacement (NaN when empty).
    pub(crate) fn resampled_median(&mut self, values: &[f64]) -> f64 {
        if values.is_empty() {
            return f64::NAN;
        }
        let drawn: Vec<f64> = (0..values.len())
            .map(|_| values[self.below(values.len())])
            .collect();
        median(&drawn).unwrap_or(f64::NAN)
    }
}

/// The q-quantile (0..=1) of sorted values, by nearest rank (`sorted` not empty).
pub(crate) fn quantile(sorted: &[f64], q: f64) -> f64 {
    let i = ((sorted.len() - 1) as f64 * q).round() as usize;
    sorted[i]
}
