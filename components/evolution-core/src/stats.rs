//! Incremental per-action-type (and per-pattern-key) aggregates.
//!
//! Every update is O(1): logging adds one experience, re-scoring subtracts the old score and adds
//! the new one. Nothing is ever recomputed over the history. Means are running sums divided by
//! counts; a sum is reset to exactly 0 when its count returns to 0, and a mean is clamped to
//! `[0, 1]` only to absorb floating-point rounding of the subtractions (at most a few ulps).

use serde::Serialize;

use crate::Outcome;

/// Count and running sum of one kind of score (ethics or safety).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct ScoreStats {
    /// How many experiences carry this score.
    pub count: u64,
    /// Sum of those scores.
    pub sum: f64,
}

impl ScoreStats {
    /// Mean score, `None` when no experience carries one.
    pub fn mean(&self) -> Option<f64> {
        (self.count > 0).then(|| (self.sum / self.count as f64).clamp(0.0, 1.0))
    }

    fn add(&mut self, score: f64) {
        self.count += 1;
        self.sum += score;
    }

    fn remove(&mut self, score: f64) {
        self.count -= 1;
        self.sum = if self.count == 0 {
            0.0
        } else {
            self.sum - score
        };
    }
}

/// Where an experience's score counts as an issue.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct IssueThresholds {
    pub(crate) ethics_below: f64,
    pub(crate) safety_below: f64,
}

/// Aggregates of a group of experiences (one action type, one pattern key, or all of them).
///
/// Invariants: `successes + failures + learnings == count`; `ethics.count <= count`;
/// `ethics_issues <= ethics.count` (likewise for safety).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct ActionStats {
    /// Experiences logged.
    pub count: u64,
    /// Of which [`Outcome::Success`].
    pub successes: u64,
    /// Of which [`Outcome::Failure`].
    pub failures: u64,
    /// Of which [`Outcome::Learning`].
    pub learnings: u64,
    /// Ethics scores known.
    pub ethics: ScoreStats,
    /// Safety scores known.
    pub safety: ScoreStats,
    /// Experiences whose ethics score is below the configured issue threshold.
    pub ethics_issues: u64,
    /// Experiences whose safety score is below the configured issue threshold.
    pub safety_issues: u64,
}

impl ActionStats {
    /// Fraction of experiences that succeeded, `None` when empty.
    pub fn success_rate(&self) -> Option<f64> {
        self.rate(self.successes)
    }

    /// Fraction of experiences that failed, `None` when empty.
    pub fn failure_rate(&self) -> Option<f64> {
        self.rate(self.failures)
    }

    /// Fraction of experiences that were learning outcomes, `None` when empty.
    pub fn learning_rate(&self) -> Option<f64> {
        self.rate(self.learnings)
    }

    /// Mean ethics score, `None` when none is known.
    pub fn mean_ethics(&self) -> Option<f64> {
        self.ethics.mean()
    }

    /// Mean safety score, `None` when none is known.
    pub fn mean_safety(&self) -> Option<f64> {
        self.safety.mean()
    }

    fn rate(&self, part: u64) -> Option<f64> {
        (self.count > 0).then(|| part as f64 / self.count as f64)
    }

    /// Adds the aggregates of a disjoint group of experiences (another writer shard's share).
    pub(crate) fn merge(&mut self, other: &ActionStats) {
        self.count += other.count;
        self.successes += other.successes;
        self.failures += other.failures;
        self.learnings += other.learnings;
        self.ethics.count += other.ethics.count;
        self.ethics.sum += other.ethics.sum;
        self.safety.count += other.safety.count;
        self.safety.sum += other.safety.sum;
        self.ethics_issues += other.ethics_issues;
        self.safety_issues += other.safety_issues;
    }

    /// Adds one experience.
    pub(crate) fn add(
        &mut self,
        outcome: Outcome,
        ethics: Option<f64>,
        safety: Option<f64>,
        limits: IssueThresholds,
    ) {
        self.count += 1;
        match outcome {
            Outcome::Success => self.successes += 1,
            Outcome::Failure => self.failures += 1,
            Outcome::Learning => self.learnings += 1,
        }
        if let Some(e) = ethics {
            self.add_ethics(e, limits);
        }
        if let Some(s) = safety {
            self.add_safety(s, limits);
        }
    }

    /// Replaces an experience's ethics score `old` (if it had one) by `new`.
    pub(crate) fn replace_ethics(&mut self, old: Option<f64>, new: f64, limits: IssueThresholds) {
        if let Some(o) = old {
            self.ethics.remove(o);
            if o < limits.ethics_below {
                self.ethics_issues -= 1;
            }
        }
        self.add_ethics(new, limits);
    }

    /// Replaces an experience's safety score `old` (if it had one) by `new`.
    pub(crate) fn replace_safety(&mut self, old: Option<f64>, new: f64, limits: IssueThresholds) {
        if let Some(o) = old {
            self.safety.remove(o);
            if o < limits.safety_below {
                self.safety_issues -= 1;
            }
        }
        self.add_safety(new, limits);
    }

    fn add_ethics(&mut self, score: f64, limits: IssueThresholds) {
        self.ethics.add(score);
        if score < limits.ethics_below {
            self.ethics_issues += 1;
        }
    }

    fn add_safety(&mut self, score: f64, limits: IssueThresholds) {
        self.safety.add(score);
        if score < limits.safety_below {
            self.safety_issues += 1;
        }
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    const LIMITS: IssueThresholds = IssueThresholds {
        ethics_below: 0.6,
        safety_below: 0.7,
    };

    #[test]
    fn outcomes_are_counted_by_kind() {
        let mut s = ActionStats::default();
        s.add(Outcome::Success, None, None, LIMITS);
        s.add(Outcome::Success, None, None, LIMITS);
        s.add(Outcome::Failure, None, None, LIMITS);
        s.add(Outcome::Learning, None, None, LIMITS);
        assert_eq!(
            (s.count, s.successes, s.failures, s.learnings),
            (4, 2, 1, 1)
        );
        assert_eq!(s.success_rate(), Some(0.5));
        assert_eq!(s.failure_rate(), Some(0.25));
        assert_eq!(s.learning_rate(), Some(0.25));
    }

    #[test]
    fn empty_stats_have_no_rates_or_means() {
        let s = ActionStats::default();
        assert_eq!(s.success_rate(), None);
        assert_eq!(s.mean_ethics(), None);
        assert_eq!(s.mean_safety(), None);
    }

    #[test]
    fn scores_below_threshold_are_issues() {
        let mut s = ActionStats::default();
        s.add(Outcome::Success, Some(0.59), Some(0.7), LIMITS);
        s.add(Outcome::Success, Some(0.6), Some(0.69), LIMITS);
        assert_eq!((s.ethics_issues, s.safety_issues), (1, 1));
        assert!((s.mean_ethics().unwrap_or(f64::NAN) - 0.595).abs() < 1e-12);
    }

    #[test]
    fn replacing_a_score_moves_the_mean_and_the_issue_count() {
        let mut s = ActionStats::default();
        s.add(Outcome::Failure, Some(0.2), None, LIMITS);
        s.add(Outcome::Failure, Some(0.8), None, LIMITS);
        assert_eq!(s.ethics_issues, 1);
        s.replace_ethics(Some(0.2), 0.9, LIMITS);
        assert_eq!(s.ethics_issues, 0);
        assert_eq!(s.ethics.count, 2);
        assert!((s.mean_ethics().unwrap_or(f64::NAN) - 0.85).abs() < 1e-12);
        s.replace_safety(None, 0.1, LIMITS);
        assert_eq!((s.safety.count, s.safety_issues), (1, 1));
        assert_eq!(s.mean_safety(), Some(0.1));
    }

    #[test]
    fn sum_resets_to_zero_when_its_count_does() {
        let mut s = ScoreStats::default();
        s.add(0.1);
        s.add(0.2);
        s.remove(0.1);
        s.remove(0.2);
        assert_eq!(s, ScoreStats::default());
    }
}
