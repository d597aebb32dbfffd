//! Property: every indexed query returns exactly what a brute-force filter over the retained
//! experiences returns, in the same order.

#![cfg(not(loom))]

use evolution_core::{EvolutionConfig, EvolutionEngine, Experience, ExperienceId, Outcome, Query};
use proptest::prelude::*;

const ACTIONS: [&str; 4] = ["read", "write", "delete", "exec"];

fn outcome() -> impl Strategy<Value = Outcome> {
    prop_oneof![
        Just(Outcome::Success),
        Just(Outcome::Failure),
        Just(Outcome::Learning)
    ]
}

/// (action, outcome, timestamp step) per experience.
fn history() -> impl Strategy<Value = Vec<(usize, Outcome, u64)>> {
    proptest::collection::vec((0..ACTIONS.len(), outcome(), 0..4u64), 0..150)
}

fn query() -> impl Strategy<Value = Query> {
    (
        proptest::option::of(prop_oneof![4 => (0..ACTIONS.len()).prop_map(|a| ACTIONS[a].to_string()), 1 => Just("unknown".to_string())]),
        prop_oneof![Just(0u8), Just(1), Just(2), Just(3), Just(4), Just(5)],
        proptest::option::of((0..400u64, 0..400u64).prop_map(|(a, b)| a.min(b)..a.max(b))),
    )
        .prop_map(|(action, outcome_filter, time)| {
            let mut q = Query::new();
            if let Some(a) = action {
                q = q.action_type(a);
            }
            q = match outcome_filter {
                0 => q,
                1 => q.outcome(Outcome::Success),
                2 => q.outcome(Outcome::Failure),
                3 => q.outcome(Outcome::Learning),
                4 => q.successful(true),
                _ => q.successful(false),
            };
            if let Some(t) = time {
                q = q.time_range(t);
            }
            q
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn queries_equal_brute_force(
        items in history(),
        keep in proptest::option::of(1..60usize),
        queries in proptest::collection::vec((query(), proptest::option::of(0..20usize), any::<bool>()), 1..8),
    ) {
        let config = match keep {
            Some(n) => EvolutionConfig::with_retention(n),
            None => Ok(EvolutionConfig::default()),
        }.map_err(|e| TestCaseError::fail(e.to_string()))?;
        let engine = EvolutionEngine::with_config(config).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let mut ts = 0;
        for (a, o, step) in &items {
            ts += step;
            engine.log_experience(Experience::new(ACTIONS[*a], *o).with_timestamp_us(ts).with_context(format!("{ts}")))
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
        }
        let first = keep.map_or(0, |n| items.len().saturating_sub(n)) as u64;
        let retained: Vec<_> = (first..items.len() as u64)
            .map(|id| engine.get(ExperienceId(id)))
            .collect::<Result<_, _>>()
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        for (q, limit, newest) in queries {
            let mut q = q;
            if let Some(n) = limit { q = q.limit(n); }
            if newest { q = q.newest_first(); }
            let got = engine.query(&q).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let mut want: Vec<_> = retained.iter().filter(|r| q.matches(r)).cloned().collect();
            if newest { want.reverse(); }
            want.truncate(limit.unwrap_or(usize::MAX));
            prop_assert_eq!(got, want, "{:?}", q);
        }
    }
}
