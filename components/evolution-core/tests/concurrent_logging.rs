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
