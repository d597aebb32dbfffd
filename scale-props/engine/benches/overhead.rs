//! Harness overhead per timed operation: the engine running a no-op, timed one by one and in batches, against
//! a bare loop. `cargo bench -p scale-props --bench overhead -- --quick`; per-op cost = 1 / reported throughput.

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use scale_props::Experiment;

const OPS: u64 = 200_000;

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
}

criterion_group!(benches, overhead);
criterion_main!(benches);
