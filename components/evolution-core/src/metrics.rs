//! Capability metrics and the learning-velocity series.
//!
//! Learning velocity is the least-squares slope of the success rate across the last
//! `velocity_epochs` complete epochs (an epoch is `epoch_len` consecutive experiences by id): a
//! positive value means the success rate is rising, in success-rate units per epoch. It is 0 until
//! two epochs are complete. The series keeps one counter per epoch in the window, so it costs
//! O(1) per logged experience and O(velocity_epochs) per metrics call.

use std::collections::VecDeque;

use serde::Serialize;

/// A snapshot of how the engine is doing, computed from aggregates only.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CapabilityMetrics {
    /// Experiences ever logged (evicted ones included).
    pub total_experiences: u64,
    /// Raw experiences currently retained.
    pub retained_experiences: usize,
    /// Distinct action types seen.
    pub action_types: usize,
    /// Distinct pattern keys seen.
    pub pattern_keys: usize,
    /// Experiences that succeeded.
    pub successes: u64,
    /// Experiences that failed.
    pub failures: u64,
    /// Experiences that were learning outcomes.
    pub learnings: u64,
    /// `successes / total_experiences`, `None` when empty.
    pub success_rate: Option<f64>,
    /// Mean of every known ethics score.
    pub average_ethics: Option<f64>,
    /// Mean of every known safety score.
    pub average_safety: Option<f64>,
    /// Experiences whose ethics score is an issue.
    pub ethics_issues: u64,
    /// Experiences whose safety score is an issue.
    pub safety_issues: u64,
    /// Success rate over the complete epochs of the velocity window, `None` before the first one.
    pub recent_success_rate: Option<f64>,
    /// Slope of the per-epoch success rate over the window (per epoch); 0 with fewer than 2 epochs.
    pub learning_velocity: f64,
    /// Complete epochs the velocity was fitted over.
    pub velocity_epochs: usize,
}

/// Successes per epoch seen by one writer shard, for its newest epochs (ids reach a shard in increasing
/// order, but not densely: the other shards take the ids in between).
#[derive(Debug)]
pub(crate) struct EpochCounts {
    epoch_len: u64,
    keep: usize,
    /// `(epoch, successes in it on this shard)`, oldest first, at most `keep` entries.
    successes: VecDeque<(u64, u64)>,
}

impl EpochCounts {
    /// Counts for epochs of `epoch_len` experiences, enough for a velocity window of `window` epochs.
    pub(crate) fn new(epoch_len: u64, window: usize) -> Self {
        Self {
            epoch_len,
            keep: window.saturating_add(1),
            successes: VecDeque::new(),
        }
    }

    /// Records experience `id` (larger than every id recorded here before). O(1).
    ///
    /// An epoch dropped here is older than this shard's `keep` newest, hence older than the engine's
    /// `keep` newest, so no window ever needs it.
    pub(crate) fn record(&mut self, id: u64, success: bool) {
        let epoch = id / self.epoch_len;
        if self.successes.back().is_none_or(|&(e, _)| e != epoch) {
            self.successes.push_back((epoch, 0));
            if self.successes.len() > self.keep {
                self.successes.pop_front();
            }
        }
        if success && let Some((_, n)) = self.successes.back_mut() {
            *n += 1;
        }
    }

    /// Successes this shard saw in `epoch` (0 if none or no longer kept).
    fn successes_in(&self, epoch: u64) -> u64 {
        self.successes
            .iter()
            .rev()
            .find(|&&(e, _)| e == epoch)
            .map_or(0, |&(_, n)| n)
    }

    /// Success rates of the complete epochs in a window of `window` epochs, oldest first, summed over
    /// `shards` which together recorded exactly the ids below `logged`.
    pub(crate) fn complete_rates<'a>(
        shards: impl Iterator<Item = &'a EpochCounts> + Clone,
        epoch_len: u64,
        window: usize,
        logged: u64,
    ) -> Vec<f64> {
        let complete = logged / epoch_len;
        let first = complete.saturating_sub(window as u64);
        (first..complete)
            .map(|e| {
                let n: u64 = shards.clone().map(|s| s.successes_in(e)).sum();
                n as f64 / epoch_len as f64
            })
            .collect()
    }
}

/// Least-squares slope of `ys` against `0, 1, 2, ...`; 0 with fewer than two points.
pub(crate) fn slope(ys: &[f64]) -> f64 {
    if ys.len() < 2 {
        return 0.0;
    }
    let n = ys.len() as f64;
    let mean_x = (n - 1.0) / 2.0;
    let mean_y = ys.iter().sum::<f64>() / n;
    let (mut num, mut den) = (0.0, 0.0);
    for (x, y) in ys.iter().enumerate() {
        let dx = x as f64 - mean_x;
        num += dx * (y - mean_y);
        den += dx * dx;
    }
    num / den
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn slope_of_a_line_is_its_gradient() {
        assert!((slope(&[0.1, 0.2, 0.3, 0.4]) - 0.1).abs() < 1e-12);
        assert!((slope(&[0.5, 0.5]) - 0.0).abs() < 1e-12);
        assert_eq!(slope(&[0.9]), 0.0);
    }

    #[test]
    fn only_complete_epochs_in_the_window_count() {
        let mut s = EpochCounts::new(4, 2);
        // Epoch 0: 1/4, epoch 1: 2/4, epoch 2: 4/4, epoch 3 partial.
        let outcomes = [
            true, false, false, false, true, true, false, false, true, true, true, true, true,
        ];
        for (id, &ok) in outcomes.iter().enumerate() {
            s.record(id as u64, ok);
        }
        let rates = |shards: &[&EpochCounts], window, logged| {
            EpochCounts::complete_rates(shards.iter().copied(), 4, window, logged)
        };
        assert_eq!(rates(&[&s], 2, outcomes.len() as u64), vec![0.5, 1.0]);
        let mut exact = EpochCounts::new(4, 5);
        for (id, &ok) in outcomes.iter().take(12).enumerate() {
            exact.record(id as u64, ok);
        }
        assert_eq!(rates(&[&exact], 5, 12), vec![0.25, 0.5, 1.0]);
    }

    #[test]
    fn shards_with_interleaved_ids_sum_to_the_whole() {
        // Ids alternate between two shards; every id succeeds except multiples of 3.
        let (mut even, mut odd) = (EpochCounts::new(4, 3), EpochCounts::new(4, 3));
        let mut whole = EpochCounts::new(4, 3);
        for id in 0..22u64 {
            let ok = !id.is_multiple_of(3);
            whole.record(id, ok);
            if id.is_multiple_of(2) {
                even.record(id, ok);
            } else {
                odd.record(id, ok);
            }
        }
        let merged = EpochCounts::complete_rates([&even, &odd].into_iter(), 4, 3, 22);
        assert_eq!(
            merged,
            EpochCounts::complete_rates([&whole].into_iter(), 4, 3, 22)
        );
        assert_eq!(merged.len(), 3);
    }
}
