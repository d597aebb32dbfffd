//! Harness overhead per timed operation: the engine running a no-op, timed one by one and in batches, against
//! a bare loop. `cargo bench -p scale-props --bench overhead -- --quick`; per-op cost = 1 / reported throughput.

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use scale_props::Experiment;
use scale_props::measure::cpu_times;

const OPS: u64 = 200_000;

/// CPU time (user + system, whole process) per operation of a run, in ns: on a shared machine this is the
/// figure that other processes' load does not inflate.
fn cpu_ns_per_op(e: &Experiment<impl scale_props::Workload>, ops: u64) -> f64 {
    let before = cpu_times();
    let _ = black_box(e.run());
    match (before, cpu_times()) {
        (Some(b), Some(a)) => a.since(&b).total().as_nanos() as f64 / ops as f64,
        _ => f64::NAN,
    }
}

fn overhead(c: &mut Criterion) {
    let mut g = c.benchmark_group("overhead");
    g.sample_size(10);
    g.throughput(Throughput::Elements(OPS));
    let each = Experiment::new("bench.each_op_timed")
        .batching(false)
        .ops(OPS)
        .op(|_: &(), ctx| {
            black_box(ctx.i);
        });
    g.bench_function(BenchmarkId::new("each_op_timed", OPS), |b| {
        b.iter(|| black_box(each.run()))
    });
    let batched = Experiment::new("bench.batched").ops(OPS).op(|_: &(), ctx| {
        black_box(ctx.i);
    });
    g.bench_function(BenchmarkId::new("batched", OPS), |b| {
        b.iter(|| black_box(batched.run()))
    });
    g.bench_function(BenchmarkId::new("bare_loop", OPS), |b| {
        b.iter(|| {
            for i in 0..OPS {
                black_box(i);
            }
        })
    });
    g.finish();
    println!(
        "cpu time per op (user+system, incl. fixed run costs): each_op_timed {:.1} ns, batched {:.1} ns",
        cpu_ns_per_op(&each, OPS),
        cpu_ns_per_op(&batched, OPS)
    );
}

criterion_group!(benches, overhead);
criterion_main!(benches);
