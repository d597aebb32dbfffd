//! Harness overhead per timed operation: the engine running a no-op, timed one by one and in batches, beside
//! the physical limit of timing each operation alone (one clock read and one HDR histogram record per
//! operation, nothing else) and a bare loop.
//!
//! `cargo bench -p scale-props --bench overhead -- --quick`; per-op cost = 1 / reported throughput. The limit
//! ratio is `overhead/limit_clock_plus_hdr` over `overhead/each_op_timed` (adjacent ids, same run).

use std::hint::black_box;
use std::time::Instant;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use hdrhistogram::Histogram;
use scale_props::Experiment;
use scale_props::measure::cpu_times;

const OPS: u64 = 200_000;

/// CPU time (user + system, whole process) per operation of `f` running `ops` operations, in ns: on a shared
/// machine this is the figure that other processes' load does not inflate.
fn cpu_ns_per_op(f: impl Fn(), ops: u64) -> f64 {
    let before = cpu_times();
    f();
    match (before, cpu_times()) {
        (Some(b), Some(a)) => a.since(&b).total().as_nanos() as f64 / ops as f64,
        _ => f64::NAN,
    }
}

/// The least work that times each of `ops` operations alone: one clock read per operation (its end is the
/// next one's start) and one record into a histogram of the engine's precision (3 significant figures,
/// growing on demand as the engine's per-worker histograms do).
fn limit_clock_plus_hdr(ops: u64) -> u64 {
    let mut hist = Histogram::<u64>::new_with_bounds(1, 2_048, 3).expect("valid bounds");
    hist.auto(true);
    let mut prev = Instant::now();
    for i in 0..ops {
        black_box(i);
        let now = Instant::now();
        let ns = u64::try_from(now.duration_since(prev).as_nanos()).unwrap_or(u64::MAX);
        if hist.record(ns.max(1)).is_err() {
            hist.saturating_record(ns);
        }
        prev = now;
    }
    hist.len()
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
    g.bench_function("each_op_timed", |b| b.iter(|| black_box(each.run())));
    g.bench_function("limit_clock_plus_hdr", |b| {
        b.iter(|| black_box(limit_clock_plus_hdr(OPS)))
    });
    let batched = Experiment::new("bench.batched").ops(OPS).op(|_: &(), ctx| {
        black_box(ctx.i);
    });
    g.bench_function("batched", |b| b.iter(|| black_box(batched.run())));
    g.bench_function("bare_loop", |b| {
        b.iter(|| {
            for i in 0..OPS {
                black_box(i);
            }
        })
    });
    g.finish();
    let each_cpu = cpu_ns_per_op(
        || {
            let _ = black_box(each.run());
        },
        OPS,
    );
    let limit_cpu = cpu_ns_per_op(
        || {
            black_box(limit_clock_plus_hdr(OPS));
        },
        OPS,
    );
    let batched_cpu = cpu_ns_per_op(
        || {
            let _ = black_box(batched.run());
        },
        OPS,
    );
    println!(
        "cpu time per op (user+system, incl. fixed run costs): each_op_timed {each_cpu:.1} ns, \
         limit_clock_plus_hdr {limit_cpu:.1} ns (limit ratio {:.2}), batched {batched_cpu:.1} ns",
        limit_cpu / each_cpu
    );
}

criterion_group!(benches, overhead);
criterion_main!(benches);
