//! Property: after any sequence of logged experiences and `learn_*` calls (valid or not), every
//! aggregate, the patterns and the metrics equal a recomputation from scratch over a shadow list.

#![cfg(not(loom))]

use std::collections::BTreeMap;

use evolution_core::{
    ActionStats, EvolutionConfig, EvolutionEngine, EvolutionError, Experience, ExperienceId,
    Outcome, PatternKind, PatternScope,
};
use proptest::prelude::*;

const ACTIONS: [&str; 4] = ["read", "write", "delete", "exec"];
const KEYS: [&str; 3] = ["rm-rf", "curl-sh", "drop-db"];

#[derive(Debug, Clone)]
enum Op {
    Log {
        action: usize,
        outcome: Outcome,
        ethics: Option<f64>,
        safety: Option<f64>,
        key: Option<usize>,
    },
    LearnEthics {
        id: u64,
        score: f64,
    },
    LearnSafety {
        id: u64,
        score: f64,
    },
}

#[derive(Debug, Clone)]
struct Shadow {
    action: usize,
    outcome: Outcome,
    ethics: Option<f64>,
    safety: Option<f64>,
    key: Option<usize>,
}

fn score() -> impl Strategy<Value = f64> {
    prop_oneof![
        8 => 0.0..=1.0f64,
        1 => Just(0.6),
        1 => prop_oneof![Just(f64::NAN), Just(-0.25), Just(1.5)],
    ]
}

fn outcome() -> impl Strategy<Value = Outcome> {
    prop_oneof![
        Just(Outcome::Success),
        Just(Outcome::Failure),
        Just(Outcome::Learning)
    ]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0..ACTIONS.len(), outcome(), proptest::option::of(score()), proptest::option::of(score()),
              proptest::option::of(0..KEYS.len()))
            .prop_map(|(action, outcome, ethics, safety, key)| Op::Log { action, outcome, ethics, safety, key }),
        1 => (0..80u64, score()).prop_map(|(id, score)| Op::LearnEthics { id, score }),
        1 => (0..80u64, score()).prop_map(|(id, score)| Op::LearnSafety { id, score }),
    ]
}

fn valid(score: f64) -> bool {
    (0.0..=1.0).contains(&score)
}

/// Aggregates recomputed from scratch.
fn recompute<'a>(items: impl Iterator<Item = &'a Shadow>, config: &EvolutionConfig) -> ActionStats {
    let mut s = ActionStats::default();
    for x in items {
        s.count += 1;
        match x.outcome {
            Outcome::Success => s.successes += 1,
            Outcome::Failure => s.failures += 1,
            Outcome::Learning => s.learnings += 1,
        }
        if let Some(e) = x.ethics {
            s.ethics.count += 1;
            s.ethics.sum += e;
            s.ethics_issues += u64::from(e < config.ethics_issue_below);
        }
        if let Some(v) = x.safety {
            s.safety.count += 1;
            s.safety.sum += v;
            s.safety_issues += u64::from(v < config.safety_issue_below);
        }
    }
    s
}

fn assert_same(got: &ActionStats, want: &ActionStats, what: &str) -> Result<(), TestCaseError> {
    prop_assert_eq!(
        (got.count, got.successes, got.failures, got.learnings),
        (want.count, want.successes, want.failures, want.learnings),
        "{} counts",
        what
    );
    prop_assert_eq!(
        (
            got.ethics.count,
            got.ethics_issues,
            got.safety.count,
            got.safety_issues
        ),
        (
            want.ethics.count,
            want.ethics_issues,
            want.safety.count,
            want.safety_issues
        ),
        "{} score counts",
        what
    );
    prop_assert!(
        (got.ethics.sum - want.ethics.sum).abs() <= 1e-9,
        "{} ethics sum {} vs {}",
        what,
        got.ethics.sum,
        want.ethics.sum
    );
    prop_assert!(
        (got.safety.sum - want.safety.sum).abs() <= 1e-9,
        "{} safety sum {} vs {}",
        what,
        got.safety.sum,
        want.safety.sum
    );
    for mean in [got.mean_ethics(), got.mean_safety()].into_iter().flatten() {
        prop_assert!(
            (0.0..=1.0).contains(&mean),
            "{} mean {} outside [0, 1]",
            what,
            mean
        );
    }
    Ok(())
}

fn run(ops: &[Op], retention: Option<usize>) -> Result<(), TestCaseError> {
    let config = EvolutionConfig {
        retention: retention.and_then(std::num::NonZeroUsize::new),
        epoch_len: 3,
        velocity_epochs: 4,
        min_samples: 2,
        ..EvolutionConfig::default()
    };
    let engine = EvolutionEngine::with_config(config.clone())
        .map_err(|e| TestCaseError::fail(e.to_string()))?;
    let mut shadow: Vec<Shadow> = Vec::new();
    for op in ops {
        let oldest = retention.map_or(0, |r| shadow.len().saturating_sub(r)) as u64;
        match *op {
            Op::Log {
                action,
                outcome,
                ethics,
                safety,
                key,
            } => {
                let mut e = Experience::new(ACTIONS[action], outcome);
                e.ethics_score = ethics;
                e.safety_score = safety;
                e.pattern_key = key.map(|k| KEYS[k].to_string());
                let ok = ethics.is_none_or(valid) && safety.is_none_or(valid);
                let got = engine.log_experience(e);
                if ok {
                    prop_assert_eq!(got, Ok(ExperienceId(shadow.len() as u64)));
                    shadow.push(Shadow {
                        action,
                        outcome,
                        ethics,
                        safety,
                        key,
                    });
                } else {
                    let is_score_error = matches!(got, Err(EvolutionError::ScoreOutOfRange { .. }));
                    prop_assert!(is_score_error, "{:?}", got);
                }
            }
            Op::LearnEthics { id, score } | Op::LearnSafety { id, score } => {
                let ethics = matches!(op, Op::LearnEthics { .. });
                let got = if ethics {
                    engine.learn_from_ethics(ExperienceId(id), score)
                } else {
                    engine.learn_from_safety(ExperienceId(id), score)
                };
                if !valid(score) {
                    let is_score_error = matches!(got, Err(EvolutionError::ScoreOutOfRange { .. }));
                    prop_assert!(is_score_error, "{:?}", got);
                } else if id >= shadow.len() as u64 {
                    prop_assert_eq!(
                        got,
                        Err(EvolutionError::UnknownExperience(ExperienceId(id)))
                    );
                } else if id < oldest {
                    prop_assert_eq!(
                        got,
                        Err(EvolutionError::ExperienceEvicted {
                            id: ExperienceId(id),
                            oldest_retained: ExperienceId(oldest)
                        })
                    );
                } else {
                    prop_assert_eq!(got, Ok(()));
                    let x = &mut shadow[id as usize];
                    if ethics {
                        x.ethics = Some(score)
                    } else {
                        x.safety = Some(score)
                    }
                }
            }
        }
    }

    // Per action type, per pattern key and in total.
    let mut by_action: BTreeMap<&str, ActionStats> = BTreeMap::new();
    for (a, name) in ACTIONS.iter().enumerate() {
        if shadow.iter().any(|x| x.action == a) {
            let want = recompute(shadow.iter().filter(|x| x.action == a), &config);
            let got = engine
                .action_stats(name)
                .ok_or_else(|| TestCaseError::fail("missing action"))?;
            assert_same(&got, &want, name)?;
            by_action.insert(name, want);
        } else {
            prop_assert!(engine.action_stats(name).is_none());
        }
    }
    for (k, key) in KEYS.iter().enumerate() {
        let want = recompute(shadow.iter().filter(|x| x.key == Some(k)), &config);
        match engine.pattern_stats(key) {
            Some(got) => assert_same(&got, &want, key)?,
            None => prop_assert_eq!(want.count, 0),
        }
        prop_assert_eq!(engine.safety_issue_count(key), want.safety_issues);
    }
    let total = recompute(shadow.iter(), &config);
    assert_same(&engine.totals(), &total, "totals")?;

    // Metrics.
    let m = engine.capability_metrics();
    prop_assert_eq!(m.total_experiences, shadow.len() as u64);
    prop_assert_eq!(
        m.retained_experiences,
        retention.map_or(shadow.len(), |r| shadow.len().min(r))
    );
    prop_assert_eq!(
        (m.successes, m.failures, m.learnings),
        (total.successes, total.failures, total.learnings)
    );
    let complete = shadow.len() / 3;
    let rates: Vec<f64> = (complete.saturating_sub(4)..complete)
        .map(|e| {
            shadow[e * 3..e * 3 + 3]
                .iter()
                .filter(|x| x.outcome == Outcome::Success)
                .count() as f64
                / 3.0
        })
        .collect();
    prop_assert_eq!(m.velocity_epochs, rates.len());
    let want_velocity = if rates.len() < 2 {
        0.0
    } else {
        let n = rates.len() as f64;
        let mx = (n - 1.0) / 2.0;
        let my = rates.iter().sum::<f64>() / n;
        let num: f64 = rates
            .iter()
            .enumerate()
            .map(|(x, y)| (x as f64 - mx) * (y - my))
            .sum();
        let den: f64 = (0..rates.len()).map(|x| (x as f64 - mx).powi(2)).sum();
        num / den
    };
    prop_assert!(
        (m.learning_velocity - want_velocity).abs() <= 1e-9,
        "{} vs {}",
        m.learning_velocity,
        want_velocity
    );

    // Patterns: every action-type pattern agrees with the recomputed counts and rules.
    let patterns = engine.recognize_patterns();
    for (name, s) in &by_action {
        let has = |kind| {
            patterns.iter().find(|p| {
                p.kind == kind && p.scope == PatternScope::ActionType && &*p.subject == *name
            })
        };
        let enough = s.count >= config.min_samples;
        let success = enough && s.successes as f64 / s.count as f64 >= config.success_pattern_rate;
        prop_assert_eq!(
            has(PatternKind::SuccessfulAction).map(|p| p.occurrences),
            success.then_some(s.successes)
        );
        let failure = enough && s.failures as f64 / s.count as f64 >= config.failure_mode_rate;
        prop_assert_eq!(
            has(PatternKind::FailureMode).map(|p| p.occurrences),
            failure.then_some(s.failures)
        );
        prop_assert_eq!(
            has(PatternKind::EthicalIssue).map(|p| p.occurrences),
            (s.ethics_issues > 0).then_some(s.ethics_issues)
        );
        prop_assert_eq!(
            has(PatternKind::SafetyIssue).map(|p| p.occurrences),
            (s.safety_issues > 0).then_some(s.safety_issues)
        );
    }
    for p in &patterns {
        prop_assert!(
            (0.0..=1.0).contains(&p.rate) && (0.0..=p.rate).contains(&p.confidence),
            "{:?}",
            p
        );
    }
    for s in engine.suggest_improvements() {
        prop_assert!((0.0..=1.0).contains(&s.impact), "{:?}", s);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn aggregates_equal_recomputation(ops in proptest::collection::vec(op(), 0..120)) {
        run(&ops, None)?;
    }

    #[test]
    fn retention_keeps_aggregates_exact(ops in proptest::collection::vec(op(), 0..120), keep in 1..20usize) {
        run(&ops, Some(keep))?;
    }
}
