//! Pipeline throughput for requests that need no review: one `process` call on an in-memory and a
//! SQLite audit log, a `process_batch` of 100 on SQLite, and `process` after the specification's
//! preload (100K experiences, 100K audit entries, 1K patterns, 1K pending reviews).

use std::hint::black_box;

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
    let fw_request = intent_firewall::Request::new("bench-agent", request.content.clone());
    group.bench_function("firewall.validate", |b| {
        b.iter(|| black_box(pipeline.firewall().validate(&fw_request).expect("valid")));
    });
    let action = love_engine::Action::new("report.read")
        .with_expected_outcome(request.expected_outcome.clone())
        .with_context(request.content.clone());
    group.bench_function("love.check_ethics", |b| {
        b.iter(|| black_box(pipeline.love_engine().check_ethics(&action).expect("valid")));
    });
    let payload =
        serde_json::json!({ "run": 1, "verdict": "Allow", "safety_score": 1.0 }).to_string();
    group.bench_function("audit.append_batch_2/memory", |b| {
        b.iter(|| {
            black_box(
                pipeline
                    .audit_log()
                    .append_batch(&[("a", "x", &payload), ("b", "y", &payload)])
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

criterion_group!(benches, bench_process, bench_parts);
criterion_main!(benches);
