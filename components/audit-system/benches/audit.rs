//! Criterion benchmarks of the audit log, with the raw costs they are judged against measured in the same
//! run: Ed25519 signing and verification, and plain SQLite inserts.
//!
//! `cargo bench -p audit-system --bench audit -- --quick`

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use audit_system::{AuditLog, Durability, Hash, Limits, LogKey, Query};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

/// Entries per `append_batch` call in the throughput benchmark.
const BATCH: usize = 1024;

fn payload(i: usize) -> String {
    format!(
        "{{\"request\":{i},\"user\":\"u{}\",\"decision\":\"approved\",\"score\":0.{i:04}}}",
        i % 97
    )
}

fn filled_log(dir: &tempfile::TempDir, n: usize, every: usize) -> AuditLog {
    let log = AuditLog::open(dir.path().join("bench.db"), LogKey::generate())
        .unwrap_or_else(|e| panic!("{e}"));
    let items: Vec<(String, String)> = (0..n)
        .map(|i| {
            (
                if i % every == 0 {
                    "target".to_string()
                } else {
                    format!("other{}", i % 7)
                },
                payload(i),
            )
        })
        .collect();
    for chunk in items.chunks(4096) {
        let batch: Vec<(&str, &str, &str)> = chunk
            .iter()
            .map(|(a, p)| ("bench", a.as_str(), p.as_str()))
            .collect();
        log.append_batch(&batch).unwrap_or_else(|e| panic!("{e}"));
    }
    log
}

fn log_action(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let log = AuditLog::open(dir.path().join("a.db"), LogKey::generate())
        .unwrap_or_else(|e| panic!("{e}"));
    let mut i = 0;
    c.bench_function("log_action", |b| {
        b.iter(|| {
            i += 1;
            black_box(
                log.append("bench", "act", &payload(i))
                    .unwrap_or_else(|e| panic!("{e}")),
            )
        });
    });
}

fn verify(c: &mut Criterion) {
    let mut g = c.benchmark_group("verify");
    g.sample_size(10);
    for n in [1_000usize, 10_000] {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let log = filled_log(&dir, n, 3);
        g.throughput(Throughput::Elements(n as u64));
        g.bench_function(BenchmarkId::new("verify_chain", n), |b| {
            b.iter(|| black_box(log.verify().unwrap_or_else(|e| panic!("{e}"))));
        });
        // The floor: n single-threaded signature verifications of the same entries.
        let entries = log.query(&Query::new()).unwrap_or_else(|e| panic!("{e}"));
        let pk = log.public_key();
        g.bench_function(BenchmarkId::new("ed25519_verify_only", n), |b| {
            b.iter(|| assert!(entries.iter().all(|e| pk.verify_entry(e))));
        });
        g.bench_function(BenchmarkId::new("ed25519_batch64_verify_only", n), |b| {
            b.iter(|| assert!(entries.chunks(64).all(|c| pk.verify_entries_batch(c))));
        });
    }
    g.finish();
}

fn query_and_root(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    // 100K entries, every 10th of action "target": 10K matches.
    let log = filled_log(&dir, 100_000, 10);
    let mut g = c.benchmark_group("history");
    g.sample_size(20);
    g.bench_function("query_history_10k_of_100k", |b| {
        b.iter(|| {
            let hits = log
                .query(&Query::new().action("target"))
                .unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(hits.len(), 10_000);
            black_box(hits)
        });
    });
    g.bench_function("query_history_limit_100_desc", |b| {
        b.iter(|| black_box(log.query(&Query::new().action("target").descending().limit(100))));
    });
    g.finish();
    let dir10 = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let log10 = filled_log(&dir10, 10_000, 3);
    c.bench_function("merkle_root_10k_in_memory_frontier", |b| {
        b.iter(|| black_box(log10.root()))
    });
    c.bench_function("merkle_root_10k_from_store", |b| {
        b.iter(|| black_box(log10.root_at(9_999).unwrap_or_else(|e| panic!("{e}"))));
    });
    c.bench_function("inclusion_proof_10k", |b| {
        b.iter(|| {
            black_box(
                log10
                    .inclusion_proof(1234, 10_000)
                    .unwrap_or_else(|e| panic!("{e}")),
            )
        });
    });
}

/// Appends `iters` entries from `threads` threads in batches of `batch`; returns the wall time.
fn run_appends(log: &Arc<AuditLog>, threads: usize, iters: u64, batch: usize) -> Duration {
    let per_thread = (iters as usize).div_ceil(threads);
    let start = Instant::now();
    std::thread::scope(|s| {
        for t in 0..threads {
            let log = Arc::clone(log);
            s.spawn(move || {
                let payloads: Vec<String> = (0..batch).map(|i| payload(i + t)).collect();
                let mut left = per_thread;
                while left > 0 {
                    let k = left.min(batch);
                    let items: Vec<(&str, &str, &str)> = payloads[..k]
                        .iter()
                        .map(|p| ("bench", "act", p.as_str()))
                        .collect();
                    log.append_batch(&items).unwrap_or_else(|e| panic!("{e}"));
                    left -= k;
                }
            });
        }
    });
    start.elapsed()
}

fn append_throughput(c: &mut Criterion) {
    let mut g = c.benchmark_group("append_throughput");
    g.throughput(Throughput::Elements(1));
    let key = LogKey::generate();
    let hash = Hash([42; 32]);
    g.bench_function("raw_ed25519_sign_1_core", |b| {
        b.iter(|| black_box(key.sign_entry_hash(black_box(&hash))))
    });
    g.bench_function("raw_ed25519_sign_2_threads", |b| {
        b.iter_custom(|iters| {
            let start = Instant::now();
            std::thread::scope(|s| {
                for _ in 0..2 {
                    s.spawn(|| {
                        for _ in 0..iters / 2 {
                            black_box(key.sign_entry_hash(black_box(&hash)));
                        }
                    });
                }
            });
            start.elapsed()
        });
    });
    g.bench_function("raw_sqlite_insert_batch1024_sync_normal", |b| {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let mut conn = rusqlite::Connection::open(dir.path().join("raw.db")).unwrap_or_else(|e| panic!("{e}"));
        conn.execute_batch(
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;
             CREATE TABLE e (seq INTEGER PRIMARY KEY, ts INTEGER, actor TEXT, action TEXT, payload TEXT,
                             prev BLOB, hash BLOB, sig BLOB);
             CREATE INDEX e_ts ON e (ts); CREATE INDEX e_action ON e (action, ts);",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let mut seq = 0i64;
        b.iter_custom(|iters| {
            let start = Instant::now();
            let mut left = iters;
            while left > 0 {
                let tx = conn.transaction().unwrap_or_else(|e| panic!("{e}"));
                {
                    let mut st = tx
                        .prepare_cached("INSERT INTO e VALUES (?1, ?2, 'bench', 'act', ?3, ?4, ?5, ?6)")
                        .unwrap_or_else(|e| panic!("{e}"));
                    for _ in 0..left.min(BATCH as u64) {
                        seq += 1;
                        st.execute(rusqlite::params![seq, seq, payload(seq as usize), &[0u8; 32][..], &[1u8; 32][..], &[2u8; 64][..]])
                            .unwrap_or_else(|e| panic!("{e}"));
                    }
                }
                tx.commit().unwrap_or_else(|e| panic!("{e}"));
                left = left.saturating_sub(BATCH as u64);
            }
            start.elapsed()
        });
    });
    for (name, durability) in [
        ("process_crash", Durability::ProcessCrash),
        ("power_loss", Durability::PowerLoss),
    ] {
        for threads in [1usize, 2] {
            let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
            let log = AuditLog::open_with(
                dir.path().join("t.db"),
                LogKey::generate(),
                durability,
                Limits::default(),
            );
            let log = Arc::new(log.unwrap_or_else(|e| panic!("{e}")));
            g.bench_function(
                BenchmarkId::new(format!("signed_persisted_batch1024_{name}"), threads),
                |b| {
                    b.iter_custom(|iters| run_appends(&log, threads, iters, BATCH));
                },
            );
            g.bench_function(
                BenchmarkId::new(format!("signed_persisted_single_{name}"), threads),
                |b| {
                    b.iter_custom(|iters| run_appends(&log, threads, iters, 1));
                },
            );
        }
    }
    g.finish();
}

criterion_group!(
    benches,
    log_action,
    verify,
    query_and_root,
    append_throughput
);
criterion_main!(benches);
