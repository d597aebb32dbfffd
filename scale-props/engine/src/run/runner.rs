//! Runs one phase on a rayon pool: per-worker recorders, batching of sub-microsecond operations, open-model
//! pacing with coordinated-omission correction, merged at the end with `Histogram::add`.
//!
//! The measured window runs from the moment every worker has its recorder and is waiting at a start barrier
//! to the moment the last worker finishes its last operation: per-worker setup, thread wake-up and the merge
//! stay outside it, so throughput at a thousand workers measures operations, not bookkeeping.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Barrier, OnceLock};
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;
use rayon::ThreadPool;

use super::probe::{
    RssMonitor, allocator_installed, cpu_times, disk_io, rss_bytes, thread_allocations,
    thread_run_delay,
};
use super::{OpContext, PhaseRecord, RunError, Workload};
use crate::shape::{Arrival, Phase, PhaseRole};

/// Batches grow while a batch takes less than this.
const BATCH_TARGET_NS: u64 = 2_000;
/// Largest batch timed together.
const MAX_BATCH: u64 = 1_024;
/// Highest latency the histograms hold (longer values are clamped to it and still counted).
const MAX_LATENCY_NS: u64 = 3_600_000_000_000;

/// A latency histogram template: 1 ns to 1 h, 3 significant figures.
pub(crate) fn histogram_template() -> Result<Histogram<u64>, RunError> {
    Histogram::new_with_bounds(1, MAX_LATENCY_NS, 3).map_err(|e| RunError::Histogram {
        reason: e.to_string(),
    })
}

/// A worker's own latency histogram: same precision as the template, but starting small (1 ns to 2 us) and
/// growing on demand, so a thousand workers do not allocate and zero a quarter of a megabyte each.
fn worker_histogram(template: &Histogram<u64>) -> Histogram<u64> {
    match Histogram::new_with_bounds(1, 2_048, 3) {
        Ok(mut h) => {
            h.auto(true);
            h
        }
        // Fixed, valid bounds: cannot fail; the full-size copy is correct, only slower to set up.
        Err(_) => Histogram::new_from(template),
    }
}

/// Process-wide probes read at one edge of the measured window.
struct Edge {
    at: Instant,
    cpu: Option<super::probe::CpuTimes>,
    io: super::probe::DiskIo,
}

impl Edge {
    /// Probes first, clock last (start) or clock first, probes after (end): probes stay outside the window.
    fn start() -> Self {
        let (cpu, io) = (cpu_times(), disk_io());
        Self {
            at: Instant::now(),
            cpu,
            io,
        }
    }
    fn end() -> Self {
        let at = Instant::now();
        Self {
            at,
            cpu: cpu_times(),
            io: disk_io(),
        }
    }
}

/// One worker's private recorder: nothing here is shared while operations run.
struct WorkerRecord {
    hist: Histogram<u64>,
    completed: u64,
    errors: BTreeMap<String, u64>,
    dropped: u64,
    busy_ns: u128,
    allocs: (u64, u64),
    counters: RefCell<Vec<(&'static str, u64)>>,
    max_batch: u64,
    timeline: Vec<(u64, u64)>,
    /// When this worker's last operation ended (None if it ran none).
    last_end: Option<Instant>,
    /// Run-queue delay of this worker's thread over the phase.
    cpu_wait: Option<Duration>,
}

impl WorkerRecord {
    fn new(template: &Histogram<u64>) -> Self {
        Self {
            hist: worker_histogram(template),
            completed: 0,
            errors: BTreeMap::new(),
            dropped: 0,
            busy_ns: 0,
            allocs: (0, 0),
            // Room for a few named counters, so the first count inside a timed batch does not allocate.
            counters: RefCell::new(Vec::with_capacity(8)),
            max_batch: 0,
            timeline: Vec::new(),
            last_end: None,
            cpu_wait: None,
        }
    }
}

/// Shared, read-only inputs of one phase run.
pub(crate) struct PhaseInput<'a, W: Workload> {
    pub workload: &'a W,
    pub state: &'a W::State,
    pub phase: &'a Phase,
    pub size: u64,
    pub repetition: u32,
    pub batching: bool,
}

/// Runs one phase on `pool` (which has exactly `phase.workers` threads) and returns its record.
pub(crate) fn run_phase<W: Workload>(
    pool: &ThreadPool,
    input: &PhaseInput<'_, W>,
) -> Result<PhaseRecord, RunError> {
    let template = histogram_template()?;
    let phase = input.phase;
    let next = AtomicU64::new(0);
    let keep_timeline = phase.role == PhaseRole::Recovery;
    let rss_before = rss_bytes();
    let monitor = RssMonitor::start(Duration::from_millis(5));
    // Every worker sets up its recorder, then waits here; the first one through reads the start edge.
    let ready = Barrier::new(pool.current_num_threads());
    let start_edge: OnceLock<Edge> = OnceLock::new();
    let running = AtomicUsize::new(pool.current_num_threads());
    let end_edge: OnceLock<Edge> = OnceLock::new();
    let workers: Vec<WorkerRecord> = pool.broadcast(|ctx| {
        let mut rec = WorkerRecord::new(&template);
        let waited_before = thread_run_delay();
        ready.wait();
        let start = start_edge.get_or_init(Edge::start).at;
        let deadline = start + phase.max_duration;
        match phase.arrival {
            None => closed_loop(
                input,
                &next,
                ctx.index(),
                start,
                deadline,
                keep_timeline,
                &mut rec,
            ),
            Some(arrival) => open_loop(
                input,
                &next,
                ctx.index(),
                arrival,
                start,
                deadline,
                &mut rec,
            ),
        }
        // The last worker to finish closes the window.
        if running.fetch_sub(1, Ordering::AcqRel) == 1 {
            let _ = end_edge.set(Edge::end());
        }
        rec.cpu_wait = waited_before
            .zip(thread_run_delay())
            .map(|(before, after)| after.saturating_sub(before));
        rec
    });
    let peak = monitor.stop();
    let rss_after = rss_bytes();
    let (start, end) = match (start_edge.into_inner(), end_edge.into_inner()) {
        (Some(s), Some(e)) => (s, e),
        // Unreachable with at least one worker; measure the whole call rather than lose the phase.
        (s, _) => {
            let s = s.unwrap_or_else(Edge::start);
            (s, Edge::end())
        }
    };
    // The window closes when the last operation ends: workers still waking up to find no work left, or
    // sleeping a think time after their last operation, do not stretch it.
    let last_op = workers.iter().filter_map(|w| w.last_end).max();
    let wall = last_op
        .unwrap_or(end.at)
        .saturating_duration_since(start.at);
    let mut record = PhaseRecord {
        phase: phase.clone(),
        size: input.size,
        repetition: input.repetition,
        latency_ns: template,
        completed: 0,
        errors: BTreeMap::new(),
        dropped: 0,
        unfinished: 0,
        wall,
        busy_ns: 0,
        allocations: allocator_installed().then_some((0, 0)),
        work: BTreeMap::new(),
        rss: match (rss_before, rss_after, peak) {
            (Some(b), Some(a), Some(p)) => Some((b, a, p.max(a).max(b))),
            _ => None,
        },
        cpu: end
            .cpu
            .zip(start.cpu)
            .map(|(after, before)| after.since(&before)),
        io: end.io.since(&start.io),
        cpu_wait: workers.iter().map(|w| w.cpu_wait).sum(),
        max_batch: 0,
        timeline: Vec::new(),
    };
    for w in workers {
        // Same bounds as the template: `add` cannot fail; if it ever did, the latencies would be lost
        // silently, so fall back to recording the merged values one quantile bucket at a time.
        if record.latency_ns.add(&w.hist).is_err() {
            for v in w.hist.iter_recorded() {
                record
                    .latency_ns
                    .saturating_record_n(v.value_iterated_to(), v.count_at_value());
            }
        }
        record.completed += w.completed;
        record.dropped += w.dropped;
        record.busy_ns += w.busy_ns;
        record.max_batch = record.max_batch.max(w.max_batch);
        for (k, v) in w.errors {
            *record.errors.entry(k).or_insert(0) += v;
        }
        for (k, v) in w.counters.into_inner() {
            *record.work.entry(k.to_owned()).or_insert(0) += v;
        }
        if let Some(a) = record.allocations.as_mut() {
            a.0 += w.allocs.0;
            a.1 += w.allocs.1;
        }
        record.timeline.extend(w.timeline);
    }
    record.timeline.sort_unstable();
    record.unfinished = phase.ops.saturating_sub(record.completed + record.dropped);
    Ok(record)
}

fn run_one<W: Workload>(input: &PhaseInput<'_, W>, i: u64, worker: usize, rec: &mut WorkerRecord) {
    let ctx = OpContext::new(i, worker, input.size, &rec.counters);
    if let Err(e) = input.workload.op(input.state, &ctx) {
        *rec.errors.entry(e.kind().to_owned()).or_insert(0) += 1;
    }
}

/// The closed model: each worker takes the next operations until all are done or the deadline passes.
/// Operations are timed alone ([`closed_loop_each`]) when they have a think time, a recovery timeline or
/// batching is off; otherwise in doubling batches ([`closed_loop_batched`]).
fn closed_loop<W: Workload>(
    input: &PhaseInput<'_, W>,
    next: &AtomicU64,
    worker: usize,
    start: Instant,
    deadline: Instant,
    keep_timeline: bool,
    rec: &mut WorkerRecord,
) {
    let phase = input.phase;
    if phase.think.is_some() || keep_timeline || !input.batching {
        closed_loop_each(input, next, worker, start, deadline, keep_timeline, rec);
    } else {
        closed_loop_batched(input, next, worker, deadline, rec);
    }
}

/// Latencies a worker holds before recording them into its histogram in one pass.
const PENDING: usize = 256;
/// The most operations a worker claims with one step of the shared counter when each is timed alone.
const MAX_CLAIM: u64 = 16;

/// Each operation timed alone, with one clock read per operation: an operation's latency runs from the end
/// of the one before it (or from the worker's start, a think time's end or a histogram flush) to its own
/// end, so it includes the engine's step between two operations (a buffer store and a loop step, a few ns;
/// `cargo bench -p scale-props --bench overhead` measures the whole path against one clock read plus one
/// histogram record). Latencies are held in a small buffer and recorded in one pass, outside any operation's
/// time; operations are claimed from the shared counter up to [`MAX_CLAIM`] at a time when there are many.
fn closed_loop_each<W: Workload>(
    input: &PhaseInput<'_, W>,
    next: &AtomicU64,
    worker: usize,
    start: Instant,
    deadline: Instant,
    keep_timeline: bool,
    rec: &mut WorkerRecord,
) {
    let phase = input.phase;
    let ops = phase.ops;
    // Few operations per worker: one per claim, so the last ones spread over every worker.
    let claim = (ops / (256 * phase.workers as u64)).clamp(1, MAX_CLAIM);
    let track = allocator_installed();
    let mut pending = [0u64; PENDING];
    let mut held = 0usize;
    let (mut busy, mut done) = (0u64, 0u64);
    let mut last_end = None;
    let mut now = Instant::now();
    'run: while now < deadline {
        let first = next.fetch_add(claim, Ordering::Relaxed);
        if first >= ops {
            break;
        }
        for i in first..(first + claim).min(ops) {
            let (c0, b0) = allocations(track);
            run_one(input, i, worker, rec);
            let end = Instant::now();
            if track {
                let (c1, b1) = allocations(track);
                rec.allocs.0 += c1.wrapping_sub(c0);
                rec.allocs.1 += b1.wrapping_sub(b0);
            }
            let ns = nanos(end.duration_since(now)).max(1);
            if keep_timeline {
                let offset =
                    u64::try_from(now.duration_since(start).as_nanos()).unwrap_or(u64::MAX);
                rec.timeline.push((offset, ns));
            }
            busy = busy.saturating_add(ns);
            done += 1;
            last_end = Some(end);
            now = end;
            if let Some(slot) = pending.get_mut(held) {
                *slot = ns;
                held += 1;
            } else {
                record_all(&mut rec.hist, &pending);
                pending[0] = ns;
                held = 1;
                now = Instant::now();
            }
            if let Some(think) = phase.think {
                std::thread::sleep(think);
                now = Instant::now();
            }
            if now >= deadline {
                break 'run;
            }
        }
    }
    record_all(&mut rec.hist, &pending[..held]);
    rec.busy_ns += u128::from(busy);
    rec.completed += done;
    if done > 0 {
        rec.max_batch = rec.max_batch.max(1);
        rec.last_end = last_end;
    }
}

/// Operations timed in batches that double while a batch takes under [`BATCH_TARGET_NS`] (each operation
/// recorded at the batch's mean), so the clock does not dominate sub-microsecond operations.
fn closed_loop_batched<W: Workload>(
    input: &PhaseInput<'_, W>,
    next: &AtomicU64,
    worker: usize,
    deadline: Instant,
    rec: &mut WorkerRecord,
) {
    let phase = input.phase;
    let ops = phase.ops;
    let cap = (ops / (4 * phase.workers as u64)).clamp(1, MAX_BATCH);
    let mut batch = 1u64;
    let track = allocator_installed();
    let mut now = Instant::now();
    while now < deadline {
        let first = next.fetch_add(batch, Ordering::Relaxed);
        if first >= ops {
            break;
        }
        let last = (first + batch).min(ops);
        let (c0, b0) = allocations(track);
        let t0 = Instant::now();
        for i in first..last {
            run_one(input, i, worker, rec);
        }
        now = Instant::now();
        let (c1, b1) = allocations(track);
        let n = last - first;
        let elapsed = nanos(now.duration_since(t0));
        rec.allocs.0 += c1.wrapping_sub(c0);
        rec.allocs.1 += b1.wrapping_sub(b0);
        // u64 arithmetic only: a u128 division here would cost about as much as a clock read.
        let per_op = if n == 1 { elapsed } else { elapsed / n }.max(1);
        record(&mut rec.hist, per_op, n);
        rec.busy_ns += u128::from(elapsed);
        rec.completed += n;
        rec.max_batch = rec.max_batch.max(n);
        rec.last_end = Some(now);
        if elapsed < BATCH_TARGET_NS && batch < cap {
            batch = (batch * 2).min(cap);
        }
    }
}

fn open_loop<W: Workload>(
    input: &PhaseInput<'_, W>,
    next: &AtomicU64,
    worker: usize,
    arrival: Arrival,
    start: Instant,
    deadline: Instant,
    rec: &mut WorkerRecord,
) {
    let ops = input.phase.ops;
    let gap_ns = 1_000_000_000f64 / arrival.rate_per_sec as f64;
    let track = allocator_installed();
    loop {
        let i = next.fetch_add(1, Ordering::Relaxed);
        if i >= ops {
            break;
        }
        let scheduled = start + Duration::from_nanos((i as f64 * gap_ns) as u64);
        if scheduled >= deadline {
            break;
        }
        wait_until(scheduled);
        let t0 = Instant::now();
        if t0.duration_since(scheduled) > arrival.drop_after {
            rec.dropped += 1;
            continue;
        }
        let (c0, b0) = allocations(track);
        run_one(input, i, worker, rec);
        let end = Instant::now();
        let (c1, b1) = allocations(track);
        rec.allocs.0 += c1.wrapping_sub(c0);
        rec.allocs.1 += b1.wrapping_sub(b0);
        // Coordinated omission: latency counts from the scheduled start, not from when a worker got to it.
        let latency = u64::try_from(end.duration_since(scheduled).as_nanos())
            .unwrap_or(u64::MAX)
            .max(1);
        record(&mut rec.hist, latency, 1);
        rec.busy_ns += end.duration_since(t0).as_nanos();
        rec.completed += 1;
        rec.max_batch = 1;
        rec.last_end = Some(end);
    }
}

/// Records `n` operations of `ns` each in a worker's growing histogram, clamped to the template's bound.
/// (`saturating_record` would clamp to the histogram's *current* bound instead of growing it.)
#[inline]
fn record(hist: &mut Histogram<u64>, ns: u64, n: u64) {
    let ns = ns.clamp(1, MAX_LATENCY_NS);
    if hist.record_n(ns, n).is_err() {
        // Growth failed (only if the counts array would not fit in memory): keep the count, clamped.
        hist.saturating_record_n(ns, n);
    }
}

/// Records each latency in `values` once (see [`record`]).
fn record_all(hist: &mut Histogram<u64>, values: &[u64]) {
    for &ns in values {
        record(hist, ns, 1);
    }
}

/// This thread's allocation counters, or zeros when the counting allocator is not installed (saves the
/// thread-local reads on the hot path).
#[inline]
fn allocations(track: bool) -> (u64, u64) {
    if track { thread_allocations() } else { (0, 0) }
}

/// Whole nanoseconds of a duration, saturating (u64 arithmetic: cheap on the hot path).
#[inline]
fn nanos(d: Duration) -> u64 {
    d.as_secs()
        .saturating_mul(1_000_000_000)
        .saturating_add(u64::from(d.subsec_nanos()))
}

/// Paces the open model: sleeps while the scheduled start is far, then yields until it arrives.
fn wait_until(t: Instant) {
    loop {
        let now = Instant::now();
        if now >= t {
            return;
        }
        let left = t - now;
        if left > Duration::from_micros(200) {
            std::thread::sleep(left - Duration::from_micros(100));
        } else {
            std::thread::yield_now();
        }
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use std::time::Duration;

    use crate::Experiment;
    use crate::shape::Closed;

    #[derive(Debug)]
    #[allow(dead_code)]
    enum Failure {
        Full { at: u64 },
        Busy,
    }

    #[test]
    fn errors_are_counted_by_kind_never_hidden() -> Result<(), crate::RunError> {
        let raw = Experiment::new("runner.errors")
            .shape(Closed::new(2, 300)?)
            .op(|_: &(), ctx| match ctx.i % 3 {
                0 => Ok(()),
                1 => Err(Failure::Full { at: ctx.i }),
                _ => Err(Failure::Busy),
            })
            .execute()?;
        let r = &raw.records[0];
        assert_eq!(r.completed, 300);
        assert_eq!(r.errors.get("Full"), Some(&100));
        assert_eq!(r.errors.get("Busy"), Some(&100));
        assert_eq!(
            r.latency_ns.len(),
            300,
            "every operation is in the histogram, failed or not"
        );
        Ok(())
    }

    #[test]
    fn an_op_error_in_a_result_keeps_its_own_kind() -> Result<(), crate::RunError> {
        let raw = Experiment::new("runner.op_error")
            .shape(Closed::new(2, 90)?)
            .op(|_: &(), ctx| match ctx.i % 3 {
                0 => Ok(()),
                1 => Err(crate::OpError::new("disk full")),
                _ => Err(crate::OpError::new("timeout")),
            })
            .execute()?;
        let r = &raw.records[0];
        assert_eq!(r.errors.get("disk full"), Some(&30));
        assert_eq!(r.errors.get("timeout"), Some(&30));
        assert_eq!(r.errors.get("OpError"), None);
        Ok(())
    }

    #[test]
    fn short_operations_are_batched_unless_told_not_to() -> Result<(), crate::RunError> {
        let batched = Experiment::new("runner.batched")
            .ops(10_000)
            .op(|_: &(), _| ())
            .execute()?;
        assert!(batched.records[0].max_batch > 1);
        let single = Experiment::new("runner.single")
            .ops(1_000)
            .batching(false)
            .op(|_: &(), _| ())
            .execute()?;
        assert_eq!(single.records[0].max_batch, 1);
        assert_eq!(single.records[0].latency_ns.len(), 1_000);
        Ok(())
    }

    #[test]
    fn the_time_bound_stops_a_phase_and_reports_what_did_not_run() -> Result<(), crate::RunError> {
        let shape = Closed::new(1, 1_000)?.with_max_duration(Duration::from_millis(30))?;
        let raw = Experiment::new("runner.bounded")
            .shape(shape)
            // About a millisecond of real arithmetic per operation.
            .op(|_: &(), ctx| {
                (0..1_000_000u64).fold(ctx.i, |a, x| std::hint::black_box(a ^ x.wrapping_mul(31)))
                    != 1
            })
            .execute()?;
        let r = &raw.records[0];
        assert!(
            r.unfinished > 0 && r.completed + r.unfinished == 1_000,
            "{} + {}",
            r.completed,
            r.unfinished
        );
        Ok(())
    }

    #[test]
    fn zero_repetitions_and_empty_sizes_are_typed_errors() {
        let e = Experiment::new("runner.bad")
            .repetitions(0)
            .op(|_: &(), _| ())
            .execute();
        assert!(matches!(e, Err(crate::RunError::ZeroRepetitions { .. })));
        let e = Experiment::new("runner.bad")
            .sizes([])
            .op(|_: &(), _| ())
            .execute();
        assert!(matches!(e, Err(crate::RunError::NoSizes { .. })));
        let e = Experiment::new("runner.bad")
            .workers([0])
            .op(|_: &(), _| ())
            .execute();
        assert!(matches!(e, Err(crate::RunError::Shape(_))));
    }
}
