//! What the firewall concludes about a request.

use serde::Serialize;

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

    /// Returns the ids of the matched patterns.
    pub fn matched_ids(&self) -> impl Iterator<Item = &PatternId> {
        self.matches.iter().map(|m| &m.id)
    }
}
