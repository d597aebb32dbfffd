//! Improvement suggestions derived from the incremental aggregates.
//!
//! Rules, per action type with `n` experiences (thresholds from [`EvolutionConfig`]):
//! - `n < min_samples`: [`SuggestionKind::GatherMoreData`], low priority.
//! - failure rate `>= failure_mode_rate`: [`SuggestionKind::ReduceFailures`], high if the failure
//!   rate is at least 0.5, else medium.
//! - mean ethics below `ethics_issue_below`: [`SuggestionKind::ReviewEthics`], high; otherwise
//!   any ethical issue: medium.
//! - mean safety below `safety_issue_below`: [`SuggestionKind::StrengthenSafety`], critical;
//!   otherwise any safety issue: high.
//! - success rate `>= success_pattern_rate` (with enough samples):
//!   [`SuggestionKind::ReinforceSuccess`], low.
//!
//! Per pattern key, `block_pattern_after` or more safety issues: [`SuggestionKind::BlockPattern`],
//! critical. Cost: O(action types + pattern keys), whatever the number of experiences.

use std::sync::Arc;

use serde::Serialize;

use crate::{ActionStats, EvolutionConfig, PatternScope};

/// How urgent a suggestion is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Priority {
    /// Nice to have.
    Low,
    /// Worth scheduling.
    Medium,
    /// Should be done soon.
    High,
    /// Should be done before the action runs again.
    Critical,
}

/// What to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum SuggestionKind {
    /// Too few experiences to judge; keep observing.
    GatherMoreData,
    /// The action fails often; investigate its failure modes.
    ReduceFailures,
    /// The action raises ethical concerns; route it to review.
    ReviewEthics,
    /// The action raises safety concerns; tighten its checks.
    StrengthenSafety,
    /// The pattern keeps causing safety issues; block it without human review.
    BlockPattern,
    /// The action works reliably; reuse its approach.
    ReinforceSuccess,
}

/// One improvement suggestion.
///
/// Invariant: `impact` is in `[0, 1]`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suggestion {
    /// What to do.
    pub kind: SuggestionKind,
    /// How urgent.
    pub priority: Priority,
    /// Whether the subject is an action type or a pattern key.
    pub scope: PatternScope,
    /// The action type or pattern key.
    pub subject: Arc<str>,
    /// Size of the problem (or strength of the evidence) the suggestion addresses.
    pub impact: f64,
    /// A sentence with the numbers behind it.
    pub rationale: String,
}

fn suggestion(
    kind: SuggestionKind,
    priority: Priority,
    scope: PatternScope,
    subject: &Arc<str>,
    impact: f64,
    rationale: String,
) -> Suggestion {
    Suggestion {
        kind,
        priority,
        scope,
        subject: Arc::clone(subject),
        impact: impact.clamp(0.0, 1.0),
        rationale,
    }
}

fn for_action(name: &Arc<str>, s: &ActionStats, c: &EvolutionConfig, out: &mut Vec<Suggestion>) {
    let scope = PatternScope::ActionType;
    if s.count < c.min_samples {
        let gap = 1.0 - s.count as f64 / c.min_samples as f64;
        let why = format!(
            "{name}: only {} of {} experiences needed to judge it",
            s.count, c.min_samples
        );
        out.push(suggestion(
            SuggestionKind::GatherMoreData,
            Priority::Low,
            scope,
            name,
            gap,
            why,
        ));
    } else {
        let failure = s.failure_rate().unwrap_or(0.0);
        if failure >= c.failure_mode_rate {
            let priority = if failure >= 0.5 {
                Priority::High
            } else {
                Priority::Medium
            };
            let why = format!(
                "{name}: fails {:.1}% of {} attempts",
                failure * 100.0,
                s.count
            );
            out.push(suggestion(
                SuggestionKind::ReduceFailures,
                priority,
                scope,
                name,
                failure,
                why,
            ));
        }
        let success = s.success_rate().unwrap_or(0.0);
        if success >= c.success_pattern_rate {
            let why = format!(
                "{name}: succeeds {:.1}% of {} attempts",
                success * 100.0,
                s.count
            );
            out.push(suggestion(
                SuggestionKind::ReinforceSuccess,
                Priority::Low,
                scope,
                name,
                success,
                why,
            ));
        }
    }
    if let Some(mean) = s.mean_ethics() {
        if mean < c.ethics_issue_below {
            let why = format!(
                "{name}: mean ethics score {mean:.3} is below {}",
                c.ethics_issue_below
            );
            out.push(suggestion(
                SuggestionKind::ReviewEthics,
                Priority::High,
                scope,
                name,
                c.ethics_issue_below - mean,
                why,
            ));
        } else if s.ethics_issues > 0 {
            let rate = s.ethics_issues as f64 / s.ethics.count as f64;
            let why = format!(
                "{name}: {} of {} ethics scores are below {}",
                s.ethics_issues, s.ethics.count, c.ethics_issue_below
            );
            out.push(suggestion(
                SuggestionKind::ReviewEthics,
                Priority::Medium,
                scope,
                name,
                rate,
                why,
            ));
        }
    }
    if let Some(mean) = s.mean_safety() {
        if mean < c.safety_issue_below {
            let why = format!(
                "{name}: mean safety score {mean:.3} is below {}",
                c.safety_issue_below
            );
            out.push(suggestion(
                SuggestionKind::StrengthenSafety,
                Priority::Critical,
                scope,
                name,
                c.safety_issue_below - mean,
                why,
            ));
        } else if s.safety_issues > 0 {
            let rate = s.safety_issues as f64 / s.safety.count as f64;
            let why = format!(
                "{name}: {} of {} safety scores are below {}",
                s.safety_issues, s.safety.count, c.safety_issue_below
            );
            out.push(suggestion(
                SuggestionKind::StrengthenSafety,
                Priority::High,
                scope,
                name,
                rate,
                why,
            ));
        }
    }
}

/// Applies the rules; sorted by priority (most urgent first), then impact (largest first), then
/// subject.
pub(crate) fn suggest<'a>(
    action_types: impl Iterator<Item = (&'a Arc<str>, &'a ActionStats)>,
    pattern_keys: impl Iterator<Item = (&'a Arc<str>, &'a ActionStats)>,
    config: &EvolutionConfig,
) -> Vec<Suggestion> {
    let mut out = Vec::new();
    for (name, s) in action_types {
        for_action(name, s, config, &mut out);
    }
    for (key, s) in pattern_keys {
        if s.safety_issues >= config.block_pattern_after {
            let rate = s.safety_issues as f64 / s.safety.count.max(1) as f64;
            let why = format!(
                "pattern {key}: {} safety issues (block after {})",
                s.safety_issues, config.block_pattern_after
            );
            out.push(suggestion(
                SuggestionKind::BlockPattern,
                Priority::Critical,
                PatternScope::PatternKey,
                key,
                rate,
                why,
            ));
        }
    }
    out.sort_by(|a, b| {
        b.priority
            .cmp(&a.priority)
            .then(b.impact.total_cmp(&a.impact))
            .then_with(|| a.subject.cmp(&b.subject))
            .then(a.kind.cmp(&b.kind))
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

    fn run(stats: &[(&str, ActionStats)], keys: &[(&str, ActionStats)]) -> Vec<Suggestion> {
        let a: Vec<(Arc<str>, ActionStats)> =
            stats.iter().map(|(n, s)| (Arc::from(*n), *s)).collect();
        let k: Vec<(Arc<str>, ActionStats)> =
            keys.iter().map(|(n, s)| (Arc::from(*n), *s)).collect();
        suggest(
            a.iter().map(|(n, s)| (n, s)),
            k.iter().map(|(n, s)| (n, s)),
            &EvolutionConfig::default(),
        )
    }

    fn repeated(n: usize, o: Outcome, e: Option<f64>, s: Option<f64>) -> ActionStats {
        let mut st = ActionStats::default();
        for _ in 0..n {
            st.add(o, e, s, LIMITS);
        }
        st
    }

    #[test]
    fn few_samples_ask_for_more_data() {
        let out = run(&[("x", repeated(2, Outcome::Success, None, None))], &[]);
        assert_eq!(out.len(), 1);
        assert_eq!(
            (out[0].kind, out[0].priority),
            (SuggestionKind::GatherMoreData, Priority::Low)
        );
        assert!((out[0].impact - 0.6).abs() < 1e-12);
    }

    #[test]
    fn mostly_failing_action_gets_high_priority_failure_work() {
        let out = run(&[("x", repeated(6, Outcome::Failure, None, None))], &[]);
        assert_eq!(
            (out[0].kind, out[0].priority),
            (SuggestionKind::ReduceFailures, Priority::High)
        );
        assert!(out[0].rationale.contains("100.0%"), "{}", out[0].rationale);
    }

    #[test]
    fn unsafe_action_is_critical_and_sorted_first() {
        let out = run(
            &[
                ("ok", repeated(10, Outcome::Success, Some(0.9), Some(0.9))),
                (
                    "risky",
                    repeated(10, Outcome::Success, Some(0.9), Some(0.2)),
                ),
            ],
            &[],
        );
        assert_eq!(
            (out[0].kind, out[0].priority, &*out[0].subject),
            (
                SuggestionKind::StrengthenSafety,
                Priority::Critical,
                "risky"
            )
        );
        assert!(out.iter().all(|s| s.kind != SuggestionKind::ReviewEthics));
    }

    #[test]
    fn pattern_key_is_blocked_only_from_the_configured_count() {
        let two = run(
            &[],
            &[("p", repeated(2, Outcome::Failure, None, Some(0.1)))],
        );
        assert!(two.is_empty());
        let three = run(
            &[],
            &[("p", repeated(3, Outcome::Failure, None, Some(0.1)))],
        );
        assert_eq!(
            (three[0].kind, three[0].scope),
            (SuggestionKind::BlockPattern, PatternScope::PatternKey)
        );
    }

    #[test]
    fn low_mean_ethics_asks_for_review() {
        let out = run(
            &[("mail", repeated(5, Outcome::Success, Some(0.3), None))],
            &[],
        );
        let review: Vec<_> = out
            .iter()
            .filter(|s| s.kind == SuggestionKind::ReviewEthics)
            .collect();
        assert_eq!(review.len(), 1);
        assert_eq!(review[0].priority, Priority::High);
        assert!((review[0].impact - 0.3).abs() < 1e-12);
    }
}
