//! Pipeline throughput for requests that need no review: one `process` call on an in-memory and a
//! SQLite audit log, a `process_batch` of 100 on SQLite, and `process` after the specification's
//! preload (100K experiences, 100K audit entries, 1K patterns, 1K pending reviews); from two threads, a
//! safe request on SQLite beside its limit (the same threads only signing the request's audit entries).

use std::hint::black_box;
use std::sync::{Arc, Mutex, mpsc};
use std::time::Instant;

use hitl_collab::{
    HitlEvent, HitlQueue, Observer, ObserverError, RequestView, ReviewerKey, Verdict,
};

use aegis_pipeline::preload::Preload;
use aegis_pipeline::{ActionRequest, ExecutionError, Executor, Pipeline};
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};

/// Does nothing: the benchmark measures the pipeline, not a side effect.
struct Noop;

impl Executor for Noop {
    fn execute(&self, _request: &ActionRequest) -> Result<serde_json::Value, ExecutionError> {
        Ok(serde_json::Value::Null)
    }
}

fn safe(i: u64) -> ActionRequest {
    ActionRequest::new(
        "bench-agent",
        "report.read",
        format!("read report {i} in /srv/reports"),
    )
    .with_expected_outcome("display the report to the user who asked for it")
}

fn memory_pipeline() -> Pipeline {
    Pipeline::builder()
        .executor(Noop)
        .without_rate_limit()
        .build()
        .expect("pipeline builds")
}

fn bench_process(c: &mut Criterion) {
    let mut group = c.benchmark_group("pipeline");
    group.throughput(Throughput::Elements(1));

    let pipeline = memory_pipeline();
    let mut i = 0;
    group.bench_function("process/safe/memory", |b| {
        b.iter(|| {
            i += 1;
            black_box(pipeline.process(&safe(i)).expect("processed"))
        });
    });

    let dir = tempfile::tempdir().expect("temp dir");
    let pipeline = Pipeline::builder()
        .executor(Noop)
        .without_rate_limit()
        .audit_sqlite_in(dir.path())
        .build()
        .expect("pipeline builds");
    group.bench_function("process/safe/sqlite", |b| {
        b.iter(|| {
            i += 1;
            black_box(pipeline.process(&safe(i)).expect("processed"))
        });
    });

    let power_dir = tempfile::tempdir().expect("temp dir");
    let power = Pipeline::builder()
        .executor(Noop)
        .without_rate_limit()
        .audit_sqlite_with(power_dir.path(), audit_system::Durability::PowerLoss)
        .build()
        .expect("pipeline builds");
    group.bench_function("process/safe/sqlite_power_loss", |b| {
        b.iter(|| {
            i += 1;
            black_box(power.process(&safe(i)).expect("processed"))
        });
    });

    group.throughput(Throughput::Elements(100));
    group.bench_function("process_batch_100/safe/sqlite", |b| {
        b.iter_batched(
            || (0..100).map(safe).collect::<Vec<_>>(),
            |batch| black_box(pipeline.process_batch(&batch)),
            BatchSize::SmallInput,
        );
    });

    let preloaded = memory_pipeline();
    preloaded
        .preload(&Preload::seed_spec())
        .expect("preload succeeds");
    group.throughput(Throughput::Elements(1));
    group.bench_function("process/safe/memory/seed_spec_preload", |b| {
        b.iter(|| {
            i += 1;
            black_box(preloaded.process(&safe(i)).expect("processed"))
        });
    });
    group.finish();
}

/// The parts of a safe request's cost, to find the bottleneck: the two checks, one two-entry audit
/// commit (a safe request makes two), and one learned experience.
fn bench_parts(c: &mut Criterion) {
    let mut group = c.benchmark_group("pipeline_parts");
    let pipeline = memory_pipeline();
    let request = safe(1);
    group.bench_function("firewall.validate", |b| {
        b.iter(|| black_box(pipeline.screen(&request).expect("valid")));
    });
    let action = love_engine::Action::new("report.read")
        .with_expected_outcome(request.expected_outcome.clone())
        .with_context(request.content.clone());
    group.bench_function("love.check_ethics", |b| {
        b.iter(|| black_box(pipeline.love_engine().check_ethics(&action).expect("valid")));
    });
    let payload =
        serde_json::json!({ "run": 1, "verdict": "Allow", "safety_score": 1.0 }).to_string();
    // The pipeline's default log: in memory, with a fresh key.
    let log = audit_system::AuditLog::in_memory(audit_system::LogKey::generate());
    group.bench_function("audit.append_batch_2/memory", |b| {
        b.iter(|| {
            black_box(
                log.append_batch(&[("a", "x", &payload), ("b", "y", &payload)])
                    .expect("appended"),
            )
        });
    });
    group.bench_function("evolution.log_experience", |b| {
        b.iter(|| {
            black_box(
                pipeline
                    .evolution()
                    .log_experience(
                        evolution_core::Experience::new(
                            "report.read",
                            evolution_core::Outcome::Success,
                        )
                        .with_safety_score(1.0)
                        .with_ethics_score(0.8),
                    )
                    .expect("logged"),
            )
        });
    });
    group.finish();
}

/// Throughput from two threads (the machine's cores), and the round trip of a reviewed request: a
/// reviewer thread approves each review as its event arrives, `process` wakes and executes.
fn bench_concurrent_and_review(c: &mut Criterion) {
    let mut group = c.benchmark_group("pipeline_concurrency");
    let pipeline = Arc::new(memory_pipeline());
    group.throughput(Throughput::Elements(1));
    group.bench_function("process/safe/memory/2_threads", |b| {
        b.iter_custom(|iters| {
            let start = Instant::now();
            let workers: Vec<_> = (0..2)
                .map(|t| {
                    let pipeline = Arc::clone(&pipeline);
                    std::thread::spawn(move || {
                        for i in 0..iters / 2 + (iters % 2) * (1 - t) {
                            black_box(pipeline.process(&safe(i)).expect("processed"));
                        }
                    })
                })
                .collect();
            for w in workers {
                w.join().expect("worker");
            }
            start.elapsed()
        });
    });

    // Issue #14, row 3: a safe request end to end on SQLite (default durability) from two threads, and
    // beside it its limit in the same run: the same two threads doing nothing but the request's Ed25519
    // signatures (one per audit entry it writes, counted below, not assumed).
    let dir = tempfile::tempdir().expect("temp dir");
    let sqlite = Arc::new(
        Pipeline::builder()
            .executor(Noop)
            .without_rate_limit()
            .audit_sqlite_in(dir.path())
            .build()
            .expect("pipeline builds"),
    );
    let before = sqlite.audit_log().len().expect("read");
    sqlite.process(&safe(0)).expect("processed");
    let signatures = sqlite.audit_log().len().expect("read") - before;
    group.bench_function("process/safe/sqlite/2_threads", |b| {
        b.iter_custom(|iters| {
            on_two_threads(iters, |i| {
                black_box(sqlite.process(&safe(i)).expect("processed"));
            })
        });
    });
    let key = audit_system::LogKey::generate();
    let hash = audit_system::Hash([7; 32]);
    eprintln!("a safe request writes {signatures} signed audit entries");
    group.bench_function(
        "process/safe/sqlite/2_threads/limit_ed25519_sign_per_entry",
        |b| {
            b.iter_custom(|iters| {
                on_two_threads(iters, |_| {
                    for _ in 0..signatures {
                        black_box(key.sign_entry_hash(black_box(&hash)));
                    }
                })
            });
        },
    );

    let (tx, rx) = mpsc::channel();
    let stop = tx.clone();
    let admin = ReviewerKey::generate();
    let reviewed = Arc::new(
        Pipeline::builder()
            .executor(Noop)
            .without_rate_limit()
            .bootstrap_admin("bench-admin", admin.public())
            .review_queue(HitlQueue::builder().observer(Feed(Mutex::new(tx))))
            .build()
            .expect("pipeline builds"),
    );
    let desk = reviewed.review_desk();
    // Each approval is signed by the reviewer and verified by the queue, as in production.
    let reviewer = std::thread::spawn(move || {
        while let Ok(Some(view)) = rx.recv() {
            desk.decide(&admin.decide("bench-admin", &view, Verdict::Approve, ""))
                .expect("approved");
        }
    });
    let maintenance = ActionRequest::new(
        "bench-agent",
        "service.restart",
        "restart the service nginx",
    )
    .with_expected_outcome("nginx runs the new release");
    group.bench_function("process/reviewed_and_approved/memory", |b| {
        b.iter(|| black_box(reviewed.process(&maintenance).expect("processed")));
    });
    group.finish();
    stop.send(None).expect("reviewer listening");
    reviewer.join().expect("reviewer");
}

/// Runs `op(i)` for `iters` values of `i` split over two threads; returns the wall time.
fn on_two_threads(iters: u64, op: impl Fn(u64) + Sync) -> std::time::Duration {
    let start = Instant::now();
    std::thread::scope(|s| {
        for t in 0..2u64 {
            let op = &op;
            s.spawn(move || {
                for i in (t..iters).step_by(2) {
                    op(i);
                }
            });
        }
    });
    start.elapsed()
}

/// Hands each new review to the reviewer thread (`None` from the bench stops it).
struct Feed(Mutex<mpsc::Sender<Option<RequestView>>>);

impl Observer for Feed {
    fn on_event(&self, event: &HitlEvent) -> Result<(), ObserverError> {
        if let HitlEvent::Requested(view) = event {
            let _ = self.0.lock().expect("feed lock").send(Some(view.clone()));
        }
        Ok(())
    }
}

criterion_group!(
    benches,
    bench_process,
    bench_parts,
    bench_concurrent_and_review
);
criterion_main!(benches);
