//! How much more two threads log into one shared engine than one thread does, round after round: the
//! spread of that gain on the machine at hand (the scalability suite's `stress.concurrency.evolution`
//! claims at least 1.3x; `log_experience_concurrent` in the benches measures it under criterion).
//!
//! `cargo run --release -p evolution-core --example two_thread_gain [rounds] [logs per round] [prefill]`
//! (default 5 rounds of 200 000 logs into an engine already holding `prefill` = 0 experiences, each
//! experience with an action type of 20 and a pattern key of 10, as in the suite).

use std::time::Instant;

use evolution_core::{EvolutionEngine, Experience, Outcome};

fn experience(i: u64) -> Experience {
    let outcome = match i % 10 {
        0..=5 => Outcome::Success,
        6..=8 => Outcome::Failure,
        _ => Outcome::Learning,
    };
    Experience::new(format!("action.{}", i % 20), outcome)
        .with_safety_score(if outcome == Outcome::Failure {
            0.3
        } else {
            0.9
        })
        .with_ethics_score(0.8)
        .with_pattern_key(format!("pattern-{}", i % 10))
}

/// Logs `total` experiences from `threads` threads into one engine holding `prefill` experiences; returns
/// logs per second.
fn rate(threads: u64, total: u64, prefill: u64) -> Result<f64, evolution_core::EvolutionError> {
    let engine = EvolutionEngine::new();
    for i in 0..prefill {
        engine.log_experience(experience(u64::MAX / 2 + i))?;
    }
    let per = total / threads;
    let start = Instant::now();
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let engine = &engine;
                s.spawn(move || {
                    (0..per).try_for_each(|i| {
                        engine.log_experience(experience(t * per + i)).map(|_| ())
                    })
                })
            })
            .collect();
        handles
            .into_iter()
            .try_for_each(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
    })?;
    Ok((per * threads) as f64 / start.elapsed().as_secs_f64())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let rounds: u32 = args.next().map_or(Ok(5), |a| a.parse())?;
    let total: u64 = args.next().map_or(Ok(200_000), |a| a.parse())?;
    let prefill: u64 = args.next().map_or(Ok(0), |a| a.parse())?;
    let mut gains = Vec::new();
    for round in 1..=rounds {
        let one = rate(1, total, prefill)?;
        let two = rate(2, total, prefill)?;
        gains.push(two / one);
        println!(
            "round {round}: 1 thread {:.2} M logs/s, 2 threads {:.2} M logs/s, gain {:.2}x",
            one / 1e6,
            two / 1e6,
            two / one
        );
    }
    gains.sort_by(f64::total_cmp);
    if let (Some(low), Some(high)) = (gains.first(), gains.last()) {
        println!(
            "gain over {rounds} rounds: {low:.2}x .. {high:.2}x, median {:.2}x",
            gains[gains.len() / 2]
        );
    }
    Ok(())
}
