//! Queries over the retained experiences, by action type, outcome and time range.

use std::ops::Range;

use crate::{ExperienceRecord, Outcome};

/// A filter over retained experiences, built fluently; every part is optional and parts combine
/// with AND. Results come oldest first unless [`Query::newest_first`] is set.
///
/// The engine answers it through indexes (see the crate docs): cost is O(log n) plus the size of
/// the narrowest index slice that matches, never a scan of the whole history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    pub(crate) action_type: Option<String>,
    pub(crate) outcomes: [bool; 3],
    pub(crate) time: Range<u64>,
    pub(crate) limit: usize,
    pub(crate) newest_first: bool,
}

impl Default for Query {
    fn default() -> Self {
        Self::new()
    }
}

impl Query {
    /// Matches every retained experience.
    pub fn new() -> Self {
        Self {
            action_type: None,
            outcomes: [true; 3],
            time: 0..u64::MAX,
            limit: usize::MAX,
            newest_first: false,
        }
    }

    /// Only experiences of this action type.
    #[must_use]
    pub fn action_type(mut self, action_type: impl Into<String>) -> Self {
        self.action_type = Some(action_type.into());
        self
    }

    /// Only experiences with exactly this outcome.
    #[must_use]
    pub fn outcome(mut self, outcome: Outcome) -> Self {
        self.outcomes = [false; 3];
        self.outcomes[outcome.index()] = true;
        self
    }

    /// `true`: only successes; `false`: only failures and learning outcomes.
    #[must_use]
    pub fn successful(mut self, successful: bool) -> Self {
        self.outcomes = [successful, !successful, !successful];
        self
    }

    /// Only experiences with `start_us <= timestamp_us < end_us` (microseconds since the Unix
    /// epoch). A range with `start > end` is rejected by the engine.
    #[must_use]
    pub fn time_range(mut self, range: Range<u64>) -> Self {
        self.time = range;
        self
    }

    /// At most `n` results.
    #[must_use]
    pub fn limit(mut self, n: usize) -> Self {
        self.limit = n;
        self
    }

    /// Newest results first (with [`Query::limit`]: the newest `n`).
    #[must_use]
    pub fn newest_first(mut self) -> Self {
        self.newest_first = true;
        self
    }

    /// Returns true if and only if `record` passes every filter (ignores limit and order).
    /// This is the brute-force definition the indexed answer must agree with.
    pub fn matches(&self, record: &ExperienceRecord) -> bool {
        self.action_type
            .as_deref()
            .is_none_or(|a| a == &*record.action_type)
            && self.outcomes[record.outcome.index()]
            && self.time.contains(&record.timestamp_us)
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use crate::ExperienceId;
    use std::sync::Arc;

    fn record(action: &str, outcome: Outcome, ts: u64) -> ExperienceRecord {
        ExperienceRecord {
            id: ExperienceId(0),
            action_type: Arc::from(action),
            outcome,
            ethics_score: None,
            safety_score: None,
            timestamp_us: ts,
            context: Arc::from(""),
            pattern_key: None,
        }
    }

    #[test]
    fn empty_query_matches_everything() {
        assert!(Query::new().matches(&record("a", Outcome::Learning, 0)));
    }

    #[test]
    fn every_filter_applies() {
        let q = Query::new()
            .action_type("a")
            .successful(false)
            .time_range(10..20);
        assert!(q.matches(&record("a", Outcome::Failure, 10)));
        assert!(q.matches(&record("a", Outcome::Learning, 19)));
        assert!(!q.matches(&record("a", Outcome::Success, 15)));
        assert!(!q.matches(&record("b", Outcome::Failure, 15)));
        assert!(!q.matches(&record("a", Outcome::Failure, 20)));
        assert!(
            Query::new()
                .outcome(Outcome::Success)
                .matches(&record("z", Outcome::Success, 1))
        );
    }
}
