//! Pattern recognition over the incremental aggregates.
//!
//! Rules, per action type with `n` experiences (thresholds from [`EvolutionConfig`]):
//! - [`PatternKind::SuccessfulAction`]: `n >= min_samples` and success rate `>= success_pattern_rate`.
//! - [`PatternKind::FailureMode`]: `n >= min_samples` and failure rate `>= failure_mode_rate`.
//! - [`PatternKind::EthicalIssue`]: at least one ethics score below `ethics_issue_below`.
//! - [`PatternKind::SafetyIssue`]: at least one safety score below `safety_issue_below`.
//!
//! Per pattern key, the two issue rules apply as well. Each pattern's `confidence` is the Wilson
//! score lower bound (z = 1.96) of its rate: a rate seen on few samples earns little confidence.
//! Cost: O(action types + pattern keys), whatever the number of experiences.

use std::sync::Arc;

use serde::Serialize;

use crate::{ActionStats, EvolutionConfig};

/// What a pattern says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum PatternKind {
    /// An action type that reliably succeeds.
    SuccessfulAction,
    /// An action type that fails often.
    FailureMode,
    /// Ethics scores below the issue threshold were seen.
    EthicalIssue,
    /// Safety scores below the issue threshold were seen.
    SafetyIssue,
}

/// What a pattern is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum PatternScope {
    /// The subject is an action type.
    ActionType,
    /// The subject is a pattern key (e.g. a safety pattern id).
    PatternKey,
}

/// A recognised pattern.
///
/// Invariants: `occurrences <= sample_size`; `rate` and `confidence` are in `[0, 1]` and
/// `confidence <= rate`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pattern {
    /// What it says.
    pub kind: PatternKind,
    /// Whether the subject is an action type or a pattern key.
    pub scope: PatternScope,
    /// The action type or pattern key.
    pub subject: Arc<str>,
    /// How many experiences show it (successes, failures or issues).
    pub occurrences: u64,
    /// Out of how many (experiences, or experiences with the relevant score).
    pub sample_size: u64,
    /// `occurrences / sample_size`.
    pub rate: f64,
    /// Wilson lower bound of `rate` at 95%.
    pub confidence: f64,
}

/// Wilson score interval lower bound for `k` successes in `n` trials (z = 1.96); 0 when `n == 0`.
pub fn wilson_lower_bound(k: u64, n: u64) -> f64 {
    if n == 0 {
        return 0.0;
    }
    const Z: f64 = 1.96;
    let n = n as f64;
    let p = k as f64 / n;
    let z2 = Z * Z;
    let centre = p + z2 / (2.0 * n);
    let margin = Z * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    ((centre - margin) / (1.0 + z2 / n)).clamp(0.0, p)
}

fn pattern(
    kind: PatternKind,
    scope: PatternScope,
    subject: &Arc<str>,
    occurrences: u64,
    sample_size: u64,
) -> Pattern {
    Pattern {
        kind,
        scope,
        subject: Arc::clone(subject),
        occurrences,
        sample_size,
        rate: if sample_size == 0 {
            0.0
        } else {
            occurrences as f64 / sample_size as f64
        },
        confidence: wilson_lower_bound(occurrences, sample_size),
    }
}

fn issue_patterns(
    scope: PatternScope,
    subject: &Arc<str>,
    s: &ActionStats,
    out: &mut Vec<Pattern>,
) {
    if s.ethics_issues > 0 {
        out.push(pattern(
            PatternKind::EthicalIssue,
            scope,
            subject,
            s.ethics_issues,
            s.ethics.count,
        ));
    }
    if s.safety_issues > 0 {
        out.push(pattern(
            PatternKind::SafetyIssue,
            scope,
            subject,
            s.safety_issues,
            s.safety.count,
        ));
    }
}

/// Applies the rules to every action type and pattern key; sorted by kind, then scope, then
/// occurrences (most first), then subject.
pub(crate) fn recognize<'a>(
    action_types: impl Iterator<Item = (&'a Arc<str>, &'a ActionStats)>,
    pattern_keys: impl Iterator<Item = (&'a Arc<str>, &'a ActionStats)>,
    config: &EvolutionConfig,
) -> Vec<Pattern> {
    let mut out = Vec::new();
    for (name, s) in action_types {
        if s.count >= config.min_samples {
            if s.success_rate()
                .is_some_and(|r| r >= config.success_pattern_rate)
            {
                out.push(pattern(
                    PatternKind::SuccessfulAction,
                    PatternScope::ActionType,
                    name,
                    s.successes,
                    s.count,
                ));
            }
            if s.failure_rate()
                .is_some_and(|r| r >= config.failure_mode_rate)
            {
                out.push(pattern(
                    PatternKind::FailureMode,
                    PatternScope::ActionType,
                    name,
                    s.failures,
                    s.count,
                ));
            }
        }
        issue_patterns(PatternScope::ActionType, name, s, &mut out);
    }
    for (key, s) in pattern_keys {
        issue_patterns(PatternScope::PatternKey, key, s, &mut out);
    }
    out.sort_by(|a, b| {
        (a.kind, a.scope)
            .cmp(&(b.kind, b.scope))
            .then(b.occurrences.cmp(&a.occurrences))
            .then_with(|| a.subject.cmp(&b.subject))
    });
    out
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use crate::Outcome;
    use crate::stats::IssueThresholds;

    const LIMITS: IssueThresholds = IssueThresholds {
        ethics_below: 0.6,
        safety_below: 0.7,
    };

    fn stats(outcomes: &[(Outcome, Option<f64>, Option<f64>)]) -> ActionStats {
        let mut s = ActionStats::default();
        for &(o, e, f) in outcomes {
            s.add(o, e, f, LIMITS);
        }
        s
    }

    #[test]
    fn wilson_bound_is_below_the_rate_and_tightens_with_samples() {
        let few = wilson_lower_bound(4, 5);
        let many = wilson_lower_bound(800, 1000);
        assert!(few < many && many < 0.8, "{few} {many}");
        assert_eq!(wilson_lower_bound(0, 0), 0.0);
        assert_eq!(wilson_lower_bound(0, 10), 0.0);
        assert!((wilson_lower_bound(10, 10) - 0.7225).abs() < 1e-3);
    }

    #[test]
    fn reliable_action_is_a_success_pattern_and_flaky_one_a_failure_mode() {
        let good: Arc<str> = Arc::from("read");
        let bad: Arc<str> = Arc::from("delete");
        let g = stats(&[(Outcome::Success, None, None); 9]);
        let mut b = stats(&[(Outcome::Failure, None, None); 4]);
        b.add(Outcome::Success, None, None, LIMITS);
        let found = recognize(
            [(&good, &g), (&bad, &b)].into_iter(),
            std::iter::empty(),
            &EvolutionConfig::default(),
        );
        assert_eq!(found.len(), 2);
        assert_eq!(
            (found[0].kind, &*found[0].subject, found[0].occurrences),
            (PatternKind::SuccessfulAction, "read", 9)
        );
        assert_eq!(
            (found[1].kind, &*found[1].subject, found[1].occurrences),
            (PatternKind::FailureMode, "delete", 4)
        );
        assert!((found[1].rate - 0.8).abs() < 1e-12);
    }

    #[test]
    fn too_few_samples_give_no_success_or_failure_pattern() {
        let name: Arc<str> = Arc::from("rare");
        let s = stats(&[(Outcome::Failure, None, None); 4]);
        assert!(
            recognize(
                [(&name, &s)].into_iter(),
                std::iter::empty(),
                &EvolutionConfig::default()
            )
            .is_empty()
        );
    }

    #[test]
    fn low_scores_are_issues_for_action_types_and_pattern_keys() {
        let name: Arc<str> = Arc::from("email.bulk");
        let key: Arc<str> = Arc::from("spam");
        let s = stats(&[
            (Outcome::Learning, Some(0.1), Some(0.9)),
            (Outcome::Learning, Some(0.9), Some(0.2)),
        ]);
        let found = recognize(
            [(&name, &s)].into_iter(),
            [(&key, &s)].into_iter(),
            &EvolutionConfig::default(),
        );
        let kinds: Vec<(PatternKind, PatternScope)> =
            found.iter().map(|p| (p.kind, p.scope)).collect();
        assert_eq!(
            kinds,
            vec![
                (PatternKind::EthicalIssue, PatternScope::ActionType),
                (PatternKind::EthicalIssue, PatternScope::PatternKey),
                (PatternKind::SafetyIssue, PatternScope::ActionType),
                (PatternKind::SafetyIssue, PatternScope::PatternKey),
            ]
        );
        assert!(
            found
                .iter()
                .all(|p| p.occurrences == 1 && p.sample_size == 2)
        );
    }
}
