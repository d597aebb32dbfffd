//! Per-pattern refusal counts: after enough refusals, a safety pattern is blocked without review.
//!
//! Why a ledger of its own rather than evolution-core's `safety_issue_count`: evolution counts every
//! experience with a low safety score, including borderline actions a reviewer *approved*, and keys each
//! experience by one pattern only. The rule here is about *refusals* of requests the firewall flagged,
//! and a request can carry several patterns. So the ledger counts, for every pattern matched by a request
//! whose firewall verdict was not `Allow`, each time such a request was refused: rejected or left to
//! expire by a reviewer, or blocked outright because both checks failed. Automatic blocks are not
//! counted (they would only inflate a count already over the limit).

use std::collections::HashMap;
use std::sync::{PoisonError, RwLock};

use intent_firewall::PatternId;

/// A pattern that reached the refusal limit, with its count.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct BlockedPattern {
    /// The pattern's id.
    pub pattern: String,
    /// Refusals counted so far (at least the limit).
    pub refusals: u64,
}

/// Thread-safe refusal counts per pattern id. Reads share a lock; a refusal takes it briefly to write.
#[derive(Debug)]
pub struct RefusalLedger {
    counts: RwLock<HashMap<PatternId, u64>>,
    limit: u64,
}

impl RefusalLedger {
    /// An empty ledger that blocks a pattern once it has `limit` refusals.
    #[must_use]
    pub fn new(limit: u64) -> Self {
        Self {
            counts: RwLock::new(HashMap::new()),
            limit,
        }
    }

    /// Counts one refusal for each pattern (a pattern listed twice counts once).
    pub fn record_refusal<'a>(&self, patterns: impl IntoIterator<Item = &'a PatternId>) {
        let mut seen: Vec<&PatternId> = Vec::new();
        let mut counts = self.counts.write().unwrap_or_else(PoisonError::into_inner);
        for id in patterns {
            if seen.contains(&id) {
                continue;
            }
            seen.push(id);
            *counts.entry(id.clone()).or_insert(0) += 1;
        }
    }

    /// Adds `refusals` to one pattern's count (for preloading state).
    pub fn add(&self, pattern: PatternId, refusals: u64) {
        let mut counts = self.counts.write().unwrap_or_else(PoisonError::into_inner);
        let count = counts.entry(pattern).or_insert(0);
        *count = count.saturating_add(refusals);
    }

    /// The first of `patterns` that has reached the limit, if any. O(number of patterns).
    pub fn blocked<'a>(
        &self,
        patterns: impl IntoIterator<Item = &'a PatternId>,
    ) -> Option<BlockedPattern> {
        let counts = self.counts.read().unwrap_or_else(PoisonError::into_inner);
        patterns.into_iter().find_map(|id| {
            let refusals = counts.get(id).copied().unwrap_or(0);
            (refusals >= self.limit).then(|| BlockedPattern {
                pattern: id.to_string(),
                refusals,
            })
        })
    }

    /// Refusals counted for one pattern (0 if never refused).
    pub fn refusals(&self, pattern: &str) -> u64 {
        let counts = self.counts.read().unwrap_or_else(PoisonError::into_inner);
        counts.get(pattern).copied().unwrap_or(0)
    }

    /// Number of patterns with at least one refusal.
    pub fn len(&self) -> usize {
        self.counts
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    /// Returns true if and only if no refusal was ever counted.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The refusal limit.
    pub fn limit(&self) -> u64 {
        self.limit
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn blocks_exactly_at_the_limit() {
        let ledger = RefusalLedger::new(3);
        let id = PatternId::from("git-force-push");
        for expected in [None, None, None] {
            assert_eq!(ledger.blocked([&id]), expected);
            ledger.record_refusal([&id]);
        }
        assert_eq!(
            ledger.blocked([&id]),
            Some(BlockedPattern {
                pattern: "git-force-push".into(),
                refusals: 3
            })
        );
    }

    #[test]
    fn a_pattern_listed_twice_counts_once() {
        let ledger = RefusalLedger::new(3);
        let id = PatternId::from("kill-9");
        ledger.record_refusal([&id, &id]);
        assert_eq!(ledger.refusals("kill-9"), 1);
        assert_eq!(ledger.len(), 1);
    }
}
