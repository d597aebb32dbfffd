//! Criterion benchmarks of the evolution engine.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use evolution_core::{EvolutionConfig, EvolutionEngine, Experience, ExperienceId, Outcome};

const ACTIONS: [&str; 10] = [
    "file.read",
    "file.write",
    "file.delete",
    "net.fetch",
    "net.post",
    "db.query",
    "db.drop",
    "mail.send",
    "shell.exec",
    "config.update",
];

/// The i-th experience of the standard mix: 60% success, 30% failure, 10% learning.
fn experience(i: u64) -> Experience {
    let outcome = match i % 10 {
        0..=5 => Outcome::Success,
        6..=8 => Outcome::Failure,
        _ => Outcome::Learning,
    };
    let score =
        |salt: u64| ((i.wrapping_mul(2_654_435_761).wrapping_add(salt)) % 1000) as f64 / 999.0;
    let mut e = Experience::new(ACTIONS[(i % ACTIONS.len() as u64) as usize], outcome)
        .with_ethics_score(score(17))
        .with_safety_score(score(91));
    if i.is_multiple_of(7) {
        e = e.with_pattern_key(format!("pattern-{}", i % 50));
    }
    e
}

fn engine_with(n: u64) -> EvolutionEngine {
    let engine = EvolutionEngine::new();
    for i in 0..n {
        engine
            .log_experience(experience(i))
            .expect("valid experience");
    }
    engine
}

fn log_experience(c: &mut Criterion) {
    let engine = EvolutionEngine::new();
    let mut i = 0u64;
    c.bench_function("log_experience", |b| {
        b.iter(|| {
            i += 1;
            black_box(
                engine
                    .log_experience(experience(i))
                    .expect("valid experience"),
            )
        })
    });
}

fn log_experience_by_history(c: &mut Criterion) {
    let mut group = c.benchmark_group("log_experience_by_history");
    for n in [1_000u64, 100_000, 1_000_000] {
        let engine = engine_with(n);
        let memory = engine.memory_usage();
        eprintln!(
            "memory with {n} experiences: {} bytes total, {:.1} bytes per experience ({memory:?})",
            memory.total_bytes(),
            memory.bytes_per_experience().unwrap_or(0.0)
        );
        let mut i = n;
        group.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, _| {
            b.iter(|| {
                i += 1;
                black_box(
                    engine
                        .log_experience(experience(i))
                        .expect("valid experience"),
                )
            })
        });
    }
    group.finish();
}

fn log_experience_with_retention(c: &mut Criterion) {
    let config = EvolutionConfig::with_retention(100_000).expect("non-zero retention");
    let engine = EvolutionEngine::with_config(config).expect("valid config");
    for i in 0..200_000 {
        engine
            .log_experience(experience(i))
            .expect("valid experience");
    }
    let mut i = 200_000u64;
    c.bench_function("log_experience_retained/100000", |b| {
        b.iter(|| {
            i += 1;
            black_box(
                engine
                    .log_experience(experience(i))
                    .expect("valid experience"),
            )
        })
    });
}

/// Experiences each thread logs per iteration of the concurrent benchmark.
const PER_THREAD: u64 = 20_000;

/// Thread counts of the concurrent benchmark: 1 is the reference rate.
const THREADS: [u64; 4] = [1, 2, 4, 16];

/// Runs `threads` threads that each log `PER_THREAD` experiences, into one shared engine or (the limit
/// measured beside it: no shared state at all) into one engine each; returns the time the threads took.
fn log_from_threads(threads: u64, shared: bool) -> Duration {
    let engines: Vec<EvolutionEngine> = (0..if shared { 1 } else { threads })
        .map(|_| EvolutionEngine::new())
        .collect();
    let start = Instant::now();
    std::thread::scope(|scope| {
        for t in 0..threads {
            let engine = &engines[if shared { 0 } else { t as usize }];
            scope.spawn(move || {
                for i in 0..PER_THREAD {
                    black_box(
                        engine
                            .log_experience(experience(t * PER_THREAD + i))
                            .expect("valid experience"),
                    );
                }
            });
        }
    });
    let took = start.elapsed();
    drop(engines);
    took
}

/// Logging from 1, 2, 4 and 16 threads at once: total throughput into one shared engine, and beside it the
/// same threads each logging into an engine of its own (nothing shared: the machine's limit for this work
/// at that thread count, under whatever load the machine has during the run). Prints each rate as a ratio
/// of the 1-thread rate and of the no-sharing limit.
fn log_experience_concurrent(c: &mut Criterion) {
    let mut group = c.benchmark_group("log_experience_concurrent");
    let measured: RefCell<BTreeMap<(bool, u64), (u64, Duration)>> = RefCell::new(BTreeMap::new());
    for threads in THREADS {
        group.throughput(Throughput::Elements(threads * PER_THREAD));
        for (name, shared) in [("shared", true), ("independent", false)] {
            group.bench_with_input(BenchmarkId::new(name, threads), &threads, |b, &threads| {
                b.iter_custom(|iters| {
                    let took: Duration =
                        (0..iters).map(|_| log_from_threads(threads, shared)).sum();
                    let mut m = measured.borrow_mut();
                    let entry = m.entry((shared, threads)).or_default();
                    entry.0 += iters * threads * PER_THREAD;
                    entry.1 += took;
                    took
                })
            });
        }
    }
    group.finish();
    let m = measured.into_inner();
    let rate = |shared, threads| {
        m.get(&(shared, threads))
            .map(|&(ops, took)| ops as f64 / took.as_secs_f64().max(f64::MIN_POSITIVE))
    };
    if let Some(one) = rate(true, 1) {
        for threads in THREADS {
            if let (Some(ours), Some(limit)) = (rate(true, threads), rate(false, threads)) {
                eprintln!(
                    "log_experience_concurrent/{threads}: shared {:.2} M/s = {:.2}x of 1 thread; \
                     no-sharing limit {:.2} M/s = {:.2}x of 1 thread; shared / limit = {:.2}",
                    ours / 1e6,
                    ours / one,
                    limit / 1e6,
                    limit / one,
                    ours / limit
                );
            }
        }
    }
}

fn recognize_patterns(c: &mut Criterion) {
    let engine = engine_with(1_000);
    c.bench_function("recognize_patterns/1000", |b| {
        b.iter(|| black_box(engine.recognize_patterns()))
    });
}

fn suggest_improvements(c: &mut Criterion) {
    let engine = engine_with(500);
    c.bench_function("suggest_improvements/500", |b| {
        b.iter(|| black_box(engine.suggest_improvements()))
    });
}

fn capability_metrics(c: &mut Criterion) {
    let engine = engine_with(10_000);
    c.bench_function("get_capability_metrics", |b| {
        b.iter(|| black_box(engine.capability_metrics()))
    });
}

fn learn_from_ethics(c: &mut Criterion) {
    let engine = engine_with(100_000);
    let mut i = 0u64;
    c.bench_function("learn_from_ethics/100000", |b| {
        b.iter(|| {
            i = (i + 7919) % 100_000;
            engine
                .learn_from_ethics(ExperienceId(i), (i % 100) as f64 / 100.0)
                .expect("retained id")
        })
    });
}

criterion_group!(
    benches,
    log_experience,
    log_experience_by_history,
    log_experience_with_retention,
    log_experience_concurrent,
    recognize_patterns,
    suggest_improvements,
    capability_metrics,
    learn_from_ethics
);
criterion_main!(benches);
