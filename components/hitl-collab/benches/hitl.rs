//! Criterion benchmarks of the review queue: single operations, listing the top of a large queue, the
//! 8-requester / 4-reviewer run, and how fast a blocked waiter wakes after a decision.
//!
//! Run: `cargo bench -p hitl-collab --bench hitl -- --quick` (add a filter such as `pending_top10` to run one).

#![allow(missing_docs)]

use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use hitl_collab::{DecisionRequest, HitlError, HitlQueue, Priority, Role, Verdict};

const TIMEOUT: Duration = Duration::from_secs(3600);

/// The seed mix: 40% low, 30% medium, 20% high, 10% critical.
fn mixed_priority(i: usize) -> Priority {
    match i % 10 {
        0..=3 => Priority::Low,
        4..=6 => Priority::Medium,
        7 | 8 => Priority::High,
        _ => Priority::Critical,
    }
}

fn request(i: usize) -> DecisionRequest {
    DecisionRequest::new(
        "agent",
        "delete temporary files",
        mixed_priority(i),
        TIMEOUT,
    )
    .with_context(serde_json::json!({ "action": "rm", "n": i }))
}

fn queue_with(pending: usize) -> HitlQueue {
    let queue = HitlQueue::builder()
        .capacity(pending.max(1) + 16)
        .retention(1024)
        .build()
        .expect("valid bounds");
    queue.register_reviewer("admin", Role::Admin);
    for i in 0..pending {
        queue.request(request(i)).expect("room");
    }
    queue
}

fn single_operations(c: &mut Criterion) {
    c.bench_function("request_decision", |b| {
        b.iter_custom(|iters| {
            let n = usize::try_from(iters).unwrap_or(usize::MAX);
            let queue = HitlQueue::builder()
                .capacity(n + 1)
                .retention(1)
                .build()
                .expect("bounds");
            let requests: Vec<DecisionRequest> = (0..n).map(request).collect();
            let start = Instant::now();
            for r in requests {
                black_box(queue.request(r).expect("room"));
            }
            start.elapsed()
        });
    });

    let big = queue_with(10_000);
    c.bench_function("get_pending_decisions", |b| {
        b.iter(|| black_box(big.pending_top(10)));
    });

    c.bench_function("approve_decision", |b| {
        b.iter_custom(|iters| {
            let n = usize::try_from(iters).unwrap_or(usize::MAX);
            let queue = HitlQueue::builder()
                .capacity(n + 1)
                .retention(n + 1)
                .build()
                .expect("bounds");
            queue.register_reviewer("admin", Role::Admin);
            let ids: Vec<_> = (0..n)
                .map(|i| queue.request(request(i)).expect("room"))
                .collect();
            let start = Instant::now();
            for id in ids {
                black_box(queue.approve(id, "admin").expect("pending"));
            }
            start.elapsed()
        });
    });
}

/// 1000 requests from 8 requester threads, decided by 4 reviewer threads. Threads are spawned before the
/// clock starts and released together; the time is from release until the last thread finished its work.
fn concurrent_run() -> Duration {
    const REQUESTERS: usize = 8;
    const PER: usize = 125;
    const TOTAL: usize = REQUESTERS * PER;
    let queue = Arc::new(
        HitlQueue::builder()
            .capacity(TOTAL)
            .retention(TOTAL)
            .build()
            .expect("bounds"),
    );
    for r in 0..4 {
        queue.register_reviewer(&format!("reviewer-{r}"), Role::Admin);
    }
    let decided = Arc::new(AtomicUsize::new(0));
    let start_line = Arc::new(Barrier::new(REQUESTERS + 4 + 1));
    let mut handles = Vec::new();
    for t in 0..REQUESTERS {
        let (queue, start_line) = (Arc::clone(&queue), Arc::clone(&start_line));
        let requests: Vec<DecisionRequest> = (0..PER).map(|i| request(t * PER + i)).collect();
        handles.push(thread::spawn(move || {
            start_line.wait();
            for r in requests {
                queue.request(r).expect("capacity holds all");
            }
            Instant::now()
        }));
    }
    for r in 0..4 {
        let (queue, start_line, decided) = (
            Arc::clone(&queue),
            Arc::clone(&start_line),
            Arc::clone(&decided),
        );
        handles.push(thread::spawn(move || {
            let name = format!("reviewer-{r}");
            start_line.wait();
            while decided.load(Ordering::Relaxed) < TOTAL {
                match queue.decide_next(&name, Verdict::Approve, "") {
                    Ok(Some(_)) => {
                        decided.fetch_add(1, Ordering::Relaxed);
                    }
                    Ok(None) => thread::yield_now(),
                    Err(HitlError::AlreadyDecided { .. }) => {}
                    Err(e) => panic!("unexpected {e}"),
                }
            }
            Instant::now()
        }));
    }
    start_line.wait();
    let start = Instant::now();
    let end = handles
        .into_iter()
        .map(|h| h.join().expect("no panic"))
        .max()
        .unwrap_or(start);
    end.saturating_duration_since(start)
}

fn concurrent(c: &mut Criterion) {
    let mut group = c.benchmark_group("concurrent");
    group.sample_size(20);
    group.bench_function("concurrent_decisions", |b| {
        b.iter_custom(|iters| (0..iters).map(|_| concurrent_run()).sum());
    });
    group.finish();
}

fn pending_top_by_size(c: &mut Criterion) {
    let mut group = c.benchmark_group("pending_top10_by_queue_size");
    for size in [100usize, 1_000, 10_000, 100_000] {
        let queue = queue_with(size);
        group.bench_with_input(BenchmarkId::from_parameter(size), &size, |b, _| {
            b.iter(|| black_box(queue.pending_top(10)));
        });
    }
    group.finish();
}

/// Latency from a reviewer's decision to the return of a waiter blocked in `wait_for_decision`. The waiter
/// is a long-lived thread; before each decision the deciding thread gives it 200 us (untimed) to block.
fn waiter_wakeup(c: &mut Criterion) {
    let queue = Arc::new(
        HitlQueue::builder()
            .capacity(16)
            .retention(16)
            .build()
            .expect("bounds"),
    );
    queue.register_reviewer("admin", Role::Admin);
    let (to_waiter, ids) = mpsc::channel::<Option<hitl_collab::RequestId>>();
    let (woke_tx, woke) = mpsc::channel::<Instant>();
    let (ready_tx, ready) = mpsc::channel::<()>();
    let waiter = {
        let queue = Arc::clone(&queue);
        thread::spawn(move || {
            while let Ok(Some(id)) = ids.recv() {
                let _ = ready_tx.send(());
                let decision = queue.wait_for_decision(id, TIMEOUT);
                let now = Instant::now();
                black_box(decision.expect("decided"));
                let _ = woke_tx.send(now);
            }
        })
    };
    let mut samples: Vec<Duration> = Vec::new();
    c.bench_function("waiter_wakeup", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for i in 0..iters {
                let id = queue
                    .request(request(usize::try_from(i).unwrap_or(0)))
                    .expect("room");
                to_waiter.send(Some(id)).expect("waiter alive");
                ready.recv().expect("waiter alive");
                thread::sleep(Duration::from_micros(200));
                let decided_at = Instant::now();
                queue.approve(id, "admin").expect("pending");
                let woke_at = woke.recv().expect("waiter alive");
                let latency = woke_at.saturating_duration_since(decided_at);
                samples.push(latency);
                total += latency;
            }
            total
        });
    });
    let _ = to_waiter.send(None);
    let _ = waiter.join();
    samples.sort_unstable();
    if !samples.is_empty() {
        let at = |q: f64| samples[((samples.len() - 1) as f64 * q) as usize];
        println!(
            "waiter_wakeup: {} wake-ups, median {:?}, p90 {:?}, p99 {:?}, max {:?}",
            samples.len(),
            at(0.5),
            at(0.9),
            at(0.99),
            at(1.0)
        );
    }
}

criterion_group!(
    benches,
    single_operations,
    pending_top_by_size,
    concurrent,
    waiter_wakeup
);
criterion_main!(benches);
