//! What the firewall concludes about a request.

use serde::Serialize;

use crate::config::Thresholds;
use crate::exec::ExecutableReading;
use crate::intent::Intent;
use crate::pattern::{PatternCategory, PatternId, Severity};

/// The firewall's decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Verdict {
    /// Safe enough to proceed: the score is at or above the allow threshold and no critical pattern matched.
    Allow,
    /// Borderline: a human should decide (score between the block and allow thresholds).
    Review,
    /// Refused: a critical pattern matched, or the score is below the block threshold.
    Block,
    /// Refused because the source is over its rate limit (the assessment is still complete).
    RateLimited,
}

/// One blocked pattern found in a request.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PatternMatch {
    /// The pattern's id (stable: use it to learn repeated safety issues).
    pub id: PatternId,
    /// The pattern's severity.
    pub severity: Severity,
    /// The pattern's category.
    pub category: PatternCategory,
    /// True if and only if the pattern is critical (severity at least [`Severity::CRITICAL`]).
    pub critical: bool,
}

/// The full result of validating a request.
///
/// Invariants: `safety_score` is in [0, 1] and equals the product of `1 − severity` over `matches` (1 when there
/// are none); each pattern appears at most once in `matches`, in order of first occurrence.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Assessment {
    /// The decision.
    pub verdict: Verdict,
    /// Safety score in [0, 1]: 1 is perfectly safe.
    pub safety_score: f64,
    /// Every distinct pattern that matched.
    pub matches: Vec<PatternMatch>,
    /// The extracted intent.
    pub intent: Intent,
    /// The request content in canonical form (what intent extraction read).
    pub normalized: String,
    /// What the firewall read in the content's executable content (see [`ExecutableReading`]), or `None` when
    /// the content is not executable content.
    pub executable: Option<ExecutableReading>,
}

impl Assessment {
    /// Returns true if and only if the verdict is [`Verdict::Allow`].
    #[must_use]
    pub fn is_allowed(&self) -> bool {
        self.verdict == Verdict::Allow
    }

    /// Returns true if and only if a critical pattern matched.
    #[must_use]
    pub fn critical_matched(&self) -> bool {
        self.matches.iter().any(|m| m.critical)
    }

    /// Returns the highest severity among the matches, or 0 when nothing matched.
    #[must_use]
    pub fn max_severity(&self) -> f64 {
        self.matches
            .iter()
            .map(|m| m.severity.value())
            .fold(0.0, f64::max)
    }

    /// Returns true if and only if some executable content could not be classified (the verdict is then at
    /// least [`Verdict::Review`]).
    #[must_use]
    pub fn has_unreadable(&self) -> bool {
        self.executable
            .as_ref()
            .is_some_and(|r| !r.unreadable.is_empty())
    }

    /// Folds the assessment of another text of the same request into this one: its matches join (each pattern
    /// once), the score is recomputed over the distinct matches, its resolved and unreadable parts join, and the
    /// verdict is recomputed (never better than either verdict).
    pub(crate) fn absorb(&mut self, other: Self, thresholds: Thresholds) {
        for m in other.matches {
            if !self.matches.iter().any(|mine| mine.id == m.id) {
                self.safety_score *= 1.0 - m.severity.value();
                self.matches.push(m);
            }
        }
        if let Some(theirs) = other.executable {
            let mine = self
                .executable
                .get_or_insert_with(ExecutableReading::default);
            mine.resolved.extend(theirs.resolved);
            mine.unreadable.extend(theirs.unreadable);
            mine.unreadable.sort_unstable();
            mine.unreadable.dedup();
        }
        let recomputed = crate::firewall::verdict_for(
            &self.matches,
            self.safety_score,
            self.has_unreadable(),
            thresholds,
        );
        self.verdict = worst(worst(self.verdict, other.verdict), recomputed);
    }

    /// Returns the ids of the matched patterns.
    pub fn matched_ids(&self) -> impl Iterator<Item = &PatternId> {
        self.matches.iter().map(|m| &m.id)
    }
}

/// The more restrictive of two verdicts (Allow < Review < Block; RateLimited is kept as it is set later).
fn worst(a: Verdict, b: Verdict) -> Verdict {
    let rank = |v: Verdict| match v {
        Verdict::Allow => 0,
        Verdict::Review => 1,
        Verdict::Block => 2,
        Verdict::RateLimited => 3,
    };
    if rank(a) >= rank(b) { a } else { b }
}
