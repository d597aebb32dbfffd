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

/// Successes per epoch for the newest epochs (the last one possibly incomplete).
#[derive(Debug)]
pub(crate) struct EpochSeries {
    epoch_len: u64,
    keep: usize,
    /// Index of the newest epoch, if any.
    newest: Option<u64>,
    successes: VecDeque<u64>,
}

impl EpochSeries {
    pub(crate) fn new(epoch_len: u64, window: usize) -> Self {
        Self {
            epoch_len,
            keep: window + 1,
            newest: None,
            successes: VecDeque::new(),
        }
    }

    /// Records experience `id` (ids arrive densely, in order). O(1).
    pub(crate) fn record(&mut self, id: u64, success: bool) {
        let epoch = id / self.epoch_len;
        if self.newest != Some(epoch) {
            self.newest = Some(epoch);
            self.successes.push_back(0);
            if self.successes.len() > self.keep {
                self.successes.pop_front();
            }
        }
        if success && let Some(last) = self.successes.back_mut() {
            *last += 1;
        }
    }

    /// Success rates of the complete epochs in the window, oldest first, given how many
    /// experiences were logged.
    pub(crate) fn complete_rates(&self, logged: u64) -> Vec<f64> {
        let partial = usize::from(!logged.is_multiple_of(self.epoch_len));
        let complete = self.successes.len().saturating_sub(partial);
        let window = complete.min(self.keep - 1);
        self.successes
            .iter()
            .take(complete)
            .skip(complete - window)
            .map(|&s| s as f64 / self.epoch_len as f64)
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
        let mut s = EpochSeries::new(4, 2);
        // Epoch 0: 1/4, epoch 1: 2/4, epoch 2: 4/4, epoch 3 partial.
        let outcomes = [
            true, false, false, false, true, true, false, false, true, true, true, true, true,
        ];
        for (id, &ok) in outcomes.iter().enumerate() {
            s.record(id as u64, ok);
        }
        assert_eq!(s.complete_rates(outcomes.len() as u64), vec![0.5, 1.0]);
        let mut exact = EpochSeries::new(4, 5);
        for (id, &ok) in outcomes.iter().take(12).enumerate() {
            exact.record(id as u64, ok);
        }
        assert_eq!(exact.complete_rates(12), vec![0.25, 0.5, 1.0]);
    }
}
