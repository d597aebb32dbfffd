//! Concurrent logging from several threads loses nothing: counts add up, ids are dense and
//! unique, and time order follows id order.

#![cfg(not(loom))]

use std::collections::HashSet;

use evolution_core::{EvolutionEngine, Experience, ExperienceId, Outcome, Query};

const THREADS: usize = 4;
const PER_THREAD: usize = 2_000;

#[test]
fn concurrent_logging_loses_nothing() {
    let engine = EvolutionEngine::new();
    let ids: Vec<Vec<ExperienceId>> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..THREADS)
            .map(|t| {
                let engine = &engine;
                scope.spawn(move || {
                    (0..PER_THREAD)
                        .map(|i| {
                            let outcome = Outcome::ALL[i % 3];
                            let e = Experience::new(format!("worker-{t}"), outcome)
                                .with_safety_score(0.5)
                                .with_pattern_key("shared");
                            let id = engine.log_experience(e).expect("valid experience");
                            if i.is_multiple_of(5) {
                                engine.learn_from_ethics(id, 0.25).expect("just logged");
                            }
                            if i.is_multiple_of(100) {
                                // Readers interleave with writers.
                                assert!(!engine.recognize_patterns().is_empty());
                            }
                            id
                        })
                        .collect()
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| w.join().expect("worker panicked"))
            .collect()
    });

    let total = (THREADS * PER_THREAD) as u64;
    let unique: HashSet<ExperienceId> = ids.iter().flatten().copied().collect();
    assert_eq!(unique.len() as u64, total);
    assert!(unique.iter().all(|id| id.0 < total), "ids are dense");
    assert_eq!(engine.total_logged(), total);

    let totals = engine.totals();
    assert_eq!(totals.count, total);
    assert_eq!(totals.successes + totals.failures + totals.learnings, total);
    assert_eq!(
        totals.ethics.count,
        (THREADS * PER_THREAD.div_ceil(5)) as u64
    );
    assert_eq!(engine.safety_issue_count("shared"), total);
    for t in 0..THREADS {
        let s = engine
            .action_stats(&format!("worker-{t}"))
            .expect("worker logged");
        assert_eq!(s.count, PER_THREAD as u64);
        assert_eq!(s.successes, PER_THREAD.div_ceil(3) as u64);
    }

    let all = engine.query(&Query::new()).expect("valid query");
    assert_eq!(all.len() as u64, total);
    assert!(
        all.windows(2)
            .all(|w| w[0].id.0 + 1 == w[1].id.0 && w[0].timestamp_us <= w[1].timestamp_us)
    );
}

/// What one thread logged, by id, to recompute the aggregates from.
struct Logged {
    id: ExperienceId,
    action: usize,
    outcome: Outcome,
    ethics: Option<f64>,
    safety: Option<f64>,
    key: Option<usize>,
}

const ACTIONS: [&str; 3] = ["read", "write", "exec"];
const KEYS: [&str; 2] = ["rm-rf", "curl-sh"];

/// The i-th experience thread `t` logs: every thread mixes every action type and key, so shards share
/// groups.
fn mixed(t: usize, i: usize) -> (usize, Outcome, Option<f64>, Option<f64>, Option<usize>) {
    let action = (t + i) % ACTIONS.len();
    let outcome = Outcome::ALL[(i / 2) % 3];
    let ethics = (!i.is_multiple_of(4)).then(|| ((t * 31 + i * 7) % 101) as f64 / 100.0);
    let safety = i
        .is_multiple_of(3)
        .then(|| ((t * 17 + i * 13) % 101) as f64 / 100.0);
    let key = (i % 5 < 2).then_some(i % KEYS.len());
    (action, outcome, ethics, safety, key)
}

fn recompute<'a>(items: impl Iterator<Item = &'a Logged>) -> (u64, u64, u64, u64, u64, f64, u64) {
    let mut r = (0, 0, 0, 0, 0, 0.0, 0);
    for x in items {
        r.0 += 1;
        r.1 += u64::from(x.outcome == Outcome::Success);
        r.2 += u64::from(x.outcome == Outcome::Failure);
        if let Some(e) = x.ethics {
            r.3 += 1;
            r.4 += u64::from(e < 0.6);
            r.5 += e;
        }
        r.6 += x.safety.map_or(0, |s| u64::from(s < 0.7));
    }
    r
}

fn summary(s: &evolution_core::ActionStats) -> (u64, u64, u64, u64, u64, f64, u64) {
    (
        s.count,
        s.successes,
        s.failures,
        s.ethics.count,
        s.ethics_issues,
        s.ethics.sum,
        s.safety_issues,
    )
}

fn assert_close(
    got: (u64, u64, u64, u64, u64, f64, u64),
    want: (u64, u64, u64, u64, u64, f64, u64),
    what: &str,
) {
    assert_eq!(
        (got.0, got.1, got.2, got.3, got.4, got.6),
        (want.0, want.1, want.2, want.3, want.4, want.6),
        "{what}"
    );
    assert!(
        (got.5 - want.5).abs() < 1e-6,
        "{what}: {} vs {}",
        got.5,
        want.5
    );
}

/// Writers on several threads (so several shards) log and re-score experiences of shared action types and
/// keys while readers take snapshots: every snapshot counts exactly the ids below its total, and at the end
/// every aggregate equals a recomputation over what the threads logged, ids are dense and time follows ids.
#[test]
fn concurrent_writers_keep_aggregates_equal_to_a_recomputation() {
    const WRITERS: usize = 6;
    const EACH: usize = 3_000;
    let engine = evolution_core::EvolutionEngine::with_config(evolution_core::EvolutionConfig {
        epoch_len: 7,
        ..evolution_core::EvolutionConfig::default()
    })
    .expect("valid config");
    let logged: Vec<Logged> = std::thread::scope(|scope| {
        let reader = scope.spawn(|| {
            let mut snapshots = 0u32;
            while engine.total_logged() < (WRITERS * EACH) as u64 {
                let m = engine.capability_metrics();
                // One instant: the outcome counts add up to the experiences counted.
                assert_eq!(m.successes + m.failures + m.learnings, m.total_experiences);
                let all = engine.query(&Query::new()).expect("valid query");
                assert!(all.len() as u64 >= m.total_experiences);
                assert!(all.iter().enumerate().all(|(i, r)| r.id.0 == i as u64));
                snapshots += 1;
            }
            snapshots
        });
        let writers: Vec<_> = (0..WRITERS)
            .map(|t| {
                let engine = &engine;
                scope.spawn(move || {
                    let mut mine = Vec::with_capacity(EACH);
                    for i in 0..EACH {
                        let (action, outcome, ethics, safety, key) = mixed(t, i);
                        let mut e = Experience::new(ACTIONS[action], outcome);
                        e.ethics_score = ethics;
                        e.safety_score = safety;
                        e.pattern_key = key.map(|k| KEYS[k].to_string());
                        let id = engine.log_experience(e).expect("valid experience");
                        let mut x = Logged {
                            id,
                            action,
                            outcome,
                            ethics,
                            safety,
                            key,
                        };
                        if i % 9 == 4 {
                            let score = ((t + i) % 10) as f64 / 10.0;
                            engine.learn_from_ethics(id, score).expect("just logged");
                            x.ethics = Some(score);
                        }
                        mine.push(x);
                    }
                    mine
                })
            })
            .collect();
        let logged = writers
            .into_iter()
            .flat_map(|w| w.join().expect("writer panicked"))
            .collect();
        assert!(reader.join().expect("reader panicked") > 0);
        logged
    });

    let total = (WRITERS * EACH) as u64;
    let mut ids: Vec<u64> = logged.iter().map(|x| x.id.0).collect();
    ids.sort_unstable();
    assert_eq!(
        ids,
        (0..total).collect::<Vec<_>>(),
        "ids are dense and unique"
    );
    for (a, name) in ACTIONS.iter().enumerate() {
        let got = engine.action_stats(name).expect("logged");
        assert_close(
            summary(&got),
            recompute(logged.iter().filter(|x| x.action == a)),
            name,
        );
    }
    for (k, key) in KEYS.iter().enumerate() {
        let got = engine.pattern_stats(key).expect("logged");
        assert_close(
            summary(&got),
            recompute(logged.iter().filter(|x| x.key == Some(k))),
            key,
        );
    }
    assert_close(
        summary(&engine.totals()),
        recompute(logged.iter()),
        "totals",
    );
    let m = engine.capability_metrics();
    assert_eq!(
        (m.total_experiences, m.retained_experiences),
        (total, total as usize)
    );
    let mut by_id: Vec<&Logged> = logged.iter().collect();
    by_id.sort_unstable_by_key(|x| x.id);
    let epochs = total / 7;
    let want_rates: Vec<f64> = (epochs - 10..epochs)
        .map(|e| {
            let part = &by_id[(e * 7) as usize..(e * 7 + 7) as usize];
            part.iter()
                .filter(|x| x.outcome == Outcome::Success)
                .count() as f64
                / 7.0
        })
        .collect();
    let want_recent = want_rates.iter().sum::<f64>() / want_rates.len() as f64;
    assert!((m.recent_success_rate.unwrap_or(f64::NAN) - want_recent).abs() < 1e-9);

    let all = engine.query(&Query::new()).expect("valid query");
    assert_eq!(all.len() as u64, total);
    for (r, x) in all.iter().zip(&by_id) {
        assert_eq!(r.id, x.id);
        assert_eq!(&*r.action_type, ACTIONS[x.action]);
        assert_eq!(
            (r.outcome, r.ethics_score, r.safety_score),
            (x.outcome, x.ethics, x.safety)
        );
    }
    assert!(
        all.windows(2)
            .all(|w| w[0].timestamp_us <= w[1].timestamp_us)
    );
}
