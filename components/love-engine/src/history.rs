//! Bounded history of assessments and the alignment evaluation computed from it.
//!
//! # Retention
//! The newest [`LoveConfig::history_capacity`](crate::LoveConfig::history_capacity) records are
//! kept (default 10,000, about 80 bytes each); when full, the oldest is evicted. The total count
//! of assessments ever recorded is kept separately.
//!
//! # Alignment
//! Over the retained records: mean overall score, verdict rates, per-dimension means, and the
//! trend = least-squares slope of the overall score against the record's position over the last
//! [`LoveConfig::trend_window`](crate::LoveConfig::trend_window) records (score change per
//! assessment; 0 for a single record). The alignment score is
//! `0.5 * mean_score + 0.5 * approval_rate`, in [0, 1].

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use crate::LoveError;
use crate::dimension::DimensionScores;
use crate::ethics::{EthicalAssessment, Verdict};

/// What the history keeps of one assessment.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct AssessmentRecord {
    /// Position in the sequence of all assessments ever recorded by the engine (from 0).
    pub sequence: u64,
    /// The overall score.
    pub overall: f64,
    /// The per-dimension scores.
    pub scores: DimensionScores,
    /// The verdict.
    pub verdict: Verdict,
}

/// A bounded first-in, first-out store of assessment records (not synchronised; the engine wraps
/// it in a lock).
#[derive(Debug)]
pub(crate) struct History {
    records: VecDeque<AssessmentRecord>,
    capacity: usize,
    total: u64,
}

impl History {
    pub fn new(capacity: usize) -> Self {
        Self {
            records: VecDeque::with_capacity(capacity.min(1024)),
            capacity,
            total: 0,
        }
    }

    /// Appends a record, evicting the oldest if full. O(1).
    pub fn record(&mut self, assessment: &EthicalAssessment) {
        if self.records.len() == self.capacity {
            self.records.pop_front();
        }
        self.records.push_back(AssessmentRecord {
            sequence: self.total,
            overall: assessment.overall,
            scores: assessment.scores,
            verdict: assessment.verdict,
        });
        self.total += 1;
    }

    pub fn len(&self) -> usize {
        self.records.len()
    }

    pub fn total(&self) -> u64 {
        self.total
    }

    pub fn records(&self) -> impl Iterator<Item = &AssessmentRecord> {
        self.records.iter()
    }

    /// Computes the alignment report. Cost: linear in the number of retained records.
    pub fn evaluate(&self, trend_window: usize) -> Result<AlignmentReport, LoveError> {
        let n = self.records.len();
        if n == 0 {
            return Err(LoveError::NoHistory);
        }
        let mut sum = 0.0;
        let mut dims = [0.0; 5];
        let (mut approved, mut review, mut rejected) = (0usize, 0usize, 0usize);
        for r in &self.records {
            sum += r.overall;
            for (acc, v) in dims.iter_mut().zip(r.scores.to_array()) {
                *acc += v;
            }
            match r.verdict {
                Verdict::Approved => approved += 1,
                Verdict::NeedsReview => review += 1,
                Verdict::Rejected => rejected += 1,
            }
        }
        let nf = n as f64;
        let mean_score = sum / nf;
        let approval_rate = approved as f64 / nf;
        let window = trend_window.min(n);
        let trend = slope(self.records.iter().skip(n - window).map(|r| r.overall));
        Ok(AlignmentReport {
            assessments: n,
            total_recorded: self.total,
            mean_score,
            approval_rate,
            review_rate: review as f64 / nf,
            rejection_rate: rejected as f64 / nf,
            dimension_means: DimensionScores::from_array(dims.map(|d| d / nf)),
            trend,
            trend_window: window,
            alignment_score: (0.5 * mean_score + 0.5 * approval_rate).clamp(0.0, 1.0),
        })
    }
}

/// Least-squares slope of `ys` against `0, 1, 2, ...`; 0 for fewer than two points.
fn slope(ys: impl ExactSizeIterator<Item = f64> + Clone) -> f64 {
    let n = ys.len();
    if n < 2 {
        return 0.0;
    }
    let nf = n as f64;
    let mean_x = (nf - 1.0) / 2.0;
    let mean_y = ys.clone().sum::<f64>() / nf;
    let mut num = 0.0;
    let mut den = 0.0;
    for (i, y) in ys.enumerate() {
        let dx = i as f64 - mean_x;
        num += dx * (y - mean_y);
        den += dx * dx;
    }
    if den > 0.0 { num / den } else { 0.0 }
}

/// The alignment of the engine's recent decisions, from its recorded history.
///
/// Invariants: rates sum to 1; every score and rate is in [0, 1].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct AlignmentReport {
    /// Records evaluated (the retained history).
    pub assessments: usize,
    /// Assessments ever recorded, including evicted ones.
    pub total_recorded: u64,
    /// Mean overall score.
    pub mean_score: f64,
    /// Share of [`Verdict::Approved`].
    pub approval_rate: f64,
    /// Share of [`Verdict::NeedsReview`].
    pub review_rate: f64,
    /// Share of [`Verdict::Rejected`].
    pub rejection_rate: f64,
    /// Mean score per dimension.
    pub dimension_means: DimensionScores,
    /// Least-squares slope of the overall score per assessment over the trend window
    /// (positive: improving).
    pub trend: f64,
    /// Number of records the trend was fitted over.
    pub trend_window: usize,
    /// `0.5 * mean_score + 0.5 * approval_rate`.
    pub alignment_score: f64,
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn slope_of_a_line_is_exact() {
        let ys: Vec<f64> = (0..10).map(|i| 0.1 + 0.05 * f64::from(i)).collect();
        assert!((slope(ys.iter().copied()) - 0.05).abs() < 1e-12);
        assert_eq!(slope([0.3].into_iter()), 0.0);
        assert!(slope([0.5, 0.5, 0.5].into_iter()).abs() < 1e-12);
    }

    #[test]
    fn empty_history_is_an_error() {
        assert_eq!(History::new(4).evaluate(10), Err(LoveError::NoHistory));
    }
}
