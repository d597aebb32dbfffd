//! Loom: writers log through evolution-core's sharded engine (two writer shards under loom, the main thread
//! and the spawned one on different shards) while a reader takes a metrics snapshot and queries the raw
//! records. Every snapshot counts exactly the experiences with ids below its total (the outcome counts add up
//! to it), queries return a dense id range, and after the writers finish ids are dense and every aggregate
//! counts both experiences. The broken twin adds up the shards one lock at a time and reads the sequencer
//! afterwards; loom finds a snapshot whose counts fall short of its total.
//!
//! Preemption bound 2 (set in code): each interleaving of the real engine passes about a dozen lock
//! acquisitions; 2 preemptions already let a writer stop between its shard lock, the sequencer and the buffer
//! push while the reader merges, which is where a torn snapshot would come from, and 3 multiplies the run
//! time without reaching a state that 2 cannot.

#![cfg(loom)]

use evolution_core::{EvolutionEngine, Experience, ExperienceId, Outcome, Query};
use loom::sync::{Arc, Mutex};
use loom::thread;

fn model(f: impl Fn() + Sync + Send + 'static) {
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = Some(2);
    builder.check(f);
}

#[test]
fn evolution_snapshots_count_a_prefix_of_ids_while_two_threads_log() {
    model(|| {
        let engine = Arc::new(EvolutionEngine::new());
        let writer = {
            let engine = Arc::clone(&engine);
            thread::spawn(move || {
                engine
                    .log_experience(Experience::new("a", Outcome::Success))
                    .expect("valid experience")
            })
        };
        let reader = {
            let engine = Arc::clone(&engine);
            thread::spawn(move || {
                let m = engine.capability_metrics();
                assert_eq!(
                    m.successes + m.failures + m.learnings,
                    m.total_experiences,
                    "a snapshot counts exactly the ids below its total"
                );
                let all = engine.query(&Query::new()).expect("valid query");
                assert!(
                    all.iter()
                        .enumerate()
                        .all(|(i, r)| r.id == ExperienceId(i as u64)),
                    "a query sees a dense id range"
                );
            })
        };
        let mine = engine
            .log_experience(Experience::new("b", Outcome::Failure).with_safety_score(0.1))
            .expect("valid experience");
        // A reader on this thread after its own write sees it.
        assert_eq!(engine.get(mine).map(|r| r.outcome), Ok(Outcome::Failure));
        let theirs = writer.join().expect("writer panicked");
        reader.join().expect("reader panicked");
        let mut ids = [mine.0, theirs.0];
        ids.sort_unstable();
        assert_eq!(ids, [0, 1], "ids are dense");
        let totals = engine.totals();
        assert_eq!(
            (totals.count, totals.successes, totals.safety_issues),
            (2, 1, 1)
        );
        let all = engine.query(&Query::new()).expect("valid query");
        assert_eq!(all.len(), 2);
        assert!(all[0].timestamp_us <= all[1].timestamp_us);
    });
}

#[test]
fn evolution_rescore_moves_the_aggregates_of_the_shard_that_counted_it() {
    model(|| {
        let engine = Arc::new(EvolutionEngine::new());
        let id = engine
            .log_experience(Experience::new("a", Outcome::Success).with_ethics_score(0.9))
            .expect("valid experience");
        let learner = {
            let engine = Arc::clone(&engine);
            thread::spawn(move || engine.learn_from_ethics(id, 0.1).expect("logged"))
        };
        let m = engine.capability_metrics();
        assert!(m.ethics_issues <= 1 && m.average_ethics.is_some());
        learner.join().expect("learner panicked");
        let totals = engine.totals();
        assert_eq!((totals.ethics.count, totals.ethics_issues), (1, 1));
        assert!((totals.ethics.sum - 0.1).abs() < 1e-12);
    });
}

/// A two-shard counter with the engine's write path (shard lock, then the sequencer) and a broken read: it
/// adds up the shards one lock at a time and reads the sequencer last.
struct TornReads {
    shards: [Mutex<u64>; 2],
    next_id: Mutex<u64>,
}

impl TornReads {
    fn log(&self, shard: usize) {
        let mut counted = self.shards[shard].lock().expect("not poisoned");
        *self.next_id.lock().expect("not poisoned") += 1;
        *counted += 1;
    }

    /// (counted, logged) as the broken reader sees them.
    fn snapshot(&self) -> (u64, u64) {
        let counted: u64 = self
            .shards
            .iter()
            .map(|s| *s.lock().expect("not poisoned"))
            .sum();
        (counted, *self.next_id.lock().expect("not poisoned"))
    }
}

#[test]
#[should_panic(expected = "snapshot counts fall short of its total")]
fn evolution_broken_shard_by_shard_snapshot_is_caught() {
    model(|| {
        let engine = Arc::new(TornReads {
            shards: [Mutex::new(0), Mutex::new(0)],
            next_id: Mutex::new(0),
        });
        let writers: Vec<_> = (0..2)
            .map(|shard| {
                let engine = Arc::clone(&engine);
                thread::spawn(move || engine.log(shard))
            })
            .collect();
        let (counted, logged) = engine.snapshot();
        assert_eq!(counted, logged, "snapshot counts fall short of its total");
        for w in writers {
            w.join().expect("writer");
        }
    });
}
