#![cfg(not(loom))]
// A global allocator needs `unsafe impl`; it only forwards to `System` and counts.
#![allow(unsafe_code)]
//! Streaming reads use memory bounded by one page/chunk, whatever the log's length: the peak of live heap
//! bytes during `query_iter` and `verify_export` stays flat from 8K to 32K entries, while `query` grows with
//! the log (measured in the same run, compared as ratios with wide margins).

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use audit_system::{AuditLog, LogKey, Query, verify_export};

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

struct PeakAlloc;

// SAFETY: every call forwards to `System` unchanged; the counters are plain atomics.
unsafe impl GlobalAlloc for PeakAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
        PEAK.fetch_max(live, Ordering::Relaxed);
        // SAFETY: same contract, forwarded.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: `ptr` came from `System` with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOC: PeakAlloc = PeakAlloc;

/// Peak live heap bytes above the level at the start of `f`.
fn peak_during(f: impl FnOnce()) -> usize {
    let base = LIVE.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    f();
    PEAK.load(Ordering::Relaxed).saturating_sub(base)
}

fn log_of(n: usize) -> AuditLog {
    let log = AuditLog::in_memory(LogKey::generate());
    let payloads: Vec<String> = (0..n).map(|i| format!("{{\"i\":{i}}}")).collect();
    for chunk in payloads.chunks(1024) {
        let items: Vec<(&str, &str, &str)> =
            chunk.iter().map(|p| ("actor", "act", p.as_str())).collect();
        log.append_batch(&items).unwrap_or_else(|e| panic!("{e}"));
    }
    log
}

struct Peaks {
    query: usize,
    query_iter: usize,
    verify_export: usize,
}

fn peaks(n: usize) -> Peaks {
    let log = log_of(n);
    let query = peak_during(|| {
        let all = log.query(&Query::new()).unwrap_or_default();
        assert_eq!(all.len(), n);
    });
    let query_iter = peak_during(|| {
        let count = log.query_iter(Query::new()).filter(Result::is_ok).count();
        assert_eq!(count, n);
    });
    let mut export = Vec::new();
    log.export_jsonl(&mut export)
        .unwrap_or_else(|e| panic!("{e}"));
    let verify_export = peak_during(|| {
        let r = verify_export(&export[..], &log.public_key()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.size, n as u64);
    });
    Peaks {
        query,
        query_iter,
        verify_export,
    }
}

/// Before the fix `verify_export` collected every entry (its peak grew 4x with the log), and there was no
/// streaming query.
#[test]
fn streaming_reads_use_bounded_memory() {
    let small = peaks(8 * 1024);
    let large = peaks(32 * 1024);
    let ratio = |a: usize, b: usize| a as f64 / b.max(1) as f64;
    eprintln!(
        "peak live bytes 8K -> 32K: query {} -> {}, query_iter {} -> {}, verify_export {} -> {}",
        small.query,
        large.query,
        small.query_iter,
        large.query_iter,
        small.verify_export,
        large.verify_export
    );
    assert!(
        ratio(large.query, small.query) > 3.0,
        "control: a loading query grows with the log"
    );
    assert!(
        ratio(large.query_iter, small.query_iter) < 1.5,
        "query_iter grew with the log"
    );
    assert!(
        ratio(large.verify_export, small.verify_export) < 1.5,
        "verify_export grew with the log"
    );
}
