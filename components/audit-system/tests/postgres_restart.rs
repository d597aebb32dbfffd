//! The server restarts (`scripts/postgres.sh restart`, fast shutdown: every connection is cut) while four
//! threads append to a shared log. The appenders get typed errors (`CommitFailed` / `Postgres`), never a
//! panic or a hang; they reconnect by themselves once the server is back; nothing acknowledged is lost; the
//! log verifies; reads (tree, proofs) work again.
//!
//! `harness = false`: it restarts the one server the other tests use, so it runs as its own binary, alone.
//! Needs AEGIS_POSTGRES_URL to point at the cluster of scripts/postgres.sh (its `port=` is passed back to the
//! script as AEGIS_PG_PORT).

mod pg_support;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use audit_system::{AuditError, LogKey, SharedLog, Store};

/// What one appender saw.
#[derive(Default)]
struct Seen {
    acks: Vec<(u64, String)>,
    acks_after_restart: usize,
    errors: BTreeMap<&'static str, usize>,
    other_errors: Vec<String>,
}

fn main() {
    let Some(url) = pg_support::url() else { return };
    let port = url
        .split_whitespace()
        .find_map(|kv| kv.strip_prefix("port="))
        .unwrap_or("54329")
        .to_owned();
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/postgres.sh");
    let schema = pg_support::fresh_schema("restart");
    let key = LogKey::generate();
    let log =
        Arc::new(SharedLog::connect(&url, &schema, key.clone()).unwrap_or_else(|e| panic!("{e}")));

    let stop = Arc::new(AtomicBool::new(false));
    let restarted = Arc::new(AtomicBool::new(false));
    let seen: Vec<Arc<Mutex<Seen>>> = (0..4).map(|_| Arc::default()).collect();
    let threads: Vec<_> = seen
        .iter()
        .enumerate()
        .map(|(t, seen)| {
            let (log, stop, restarted, seen) = (
                Arc::clone(&log),
                Arc::clone(&stop),
                Arc::clone(&restarted),
                Arc::clone(seen),
            );
            std::thread::spawn(move || {
                let mut i = 0u64;
                while !stop.load(Ordering::SeqCst) {
                    let result = log.append("appender", "tick", &format!("[{t},{i}]"));
                    i += 1;
                    let mut s = seen
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner);
                    match result {
                        Ok(r) => {
                            s.acks.push((r.seq, r.hash.to_hex()));
                            if restarted.load(Ordering::SeqCst) {
                                s.acks_after_restart += 1;
                            }
                        }
                        Err(e) => {
                            let kind = match e {
                                AuditError::CommitFailed { .. } => "CommitFailed",
                                AuditError::Postgres(_) => "Postgres",
                                other => {
                                    s.other_errors.push(other.to_string());
                                    "other"
                                }
                            };
                            *s.errors.entry(kind).or_default() += 1;
                            drop(s);
                            // The application's back-off while the server is away (the log itself only
                            // reconnects on the next call).
                            std::thread::sleep(Duration::from_millis(20));
                        }
                    }
                }
            })
        })
        .collect();

    let acked = |seen: &[Arc<Mutex<Seen>>]| -> usize {
        seen.iter()
            .map(|s| s.lock().map_or(0, |s| s.acks.len()))
            .sum()
    };
    let deadline = Instant::now() + Duration::from_secs(60);
    while acked(&seen) < 200 {
        assert!(Instant::now() < deadline, "no progress before the restart");
        std::thread::sleep(Duration::from_millis(5));
    }
    let before = acked(&seen);
    let started = Instant::now();
    let status = std::process::Command::new("bash")
        .arg(&script)
        .arg("restart")
        .env("AEGIS_PG_PORT", &port)
        .status()
        .unwrap_or_else(|e| panic!("{}: {e}", script.display()));
    assert!(
        status.success(),
        "scripts/postgres.sh restart failed: {status}"
    );
    let downtime = started.elapsed();
    restarted.store(true, Ordering::SeqCst);

    // Every appender recovers on its own.
    let deadline = Instant::now() + Duration::from_secs(60);
    while seen
        .iter()
        .any(|s| s.lock().map_or(0, |s| s.acks_after_restart) < 20)
    {
        if Instant::now() > deadline {
            stop.store(true, Ordering::SeqCst);
            panic!("an appender did not recover within 60 s of the restart");
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    stop.store(true, Ordering::SeqCst);
    for t in threads {
        assert!(t.join().is_ok(), "an appender panicked");
    }

    let mut acks = Vec::new();
    let mut errors: BTreeMap<&'static str, usize> = BTreeMap::new();
    for s in &seen {
        let s = s.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        assert!(
            s.other_errors.is_empty(),
            "untyped errors: {:?}",
            s.other_errors
        );
        acks.extend(s.acks.iter().cloned());
        for (k, v) in &s.errors {
            *errors.entry(k).or_default() += v;
        }
    }
    assert!(
        errors.values().sum::<usize>() > 0,
        "the restart was not noticed by any appender (did it happen?)"
    );

    // Nothing acknowledged is lost; the log verifies; reads work again.
    let report = log
        .verify()
        .unwrap_or_else(|e| panic!("verify after the restart: {e}"));
    let entries = log
        .store()
        .entries(0..report.size)
        .unwrap_or_else(|e| panic!("{e}"));
    acks.sort();
    for pair in acks.windows(2) {
        assert_ne!(pair[0].0, pair[1].0, "seq {} acknowledged twice", pair[0].0);
    }
    for (seq, hash) in &acks {
        let Some(e) = entries.get(*seq as usize) else {
            panic!("acknowledged entry {seq} lost (log has {})", report.size);
        };
        assert_eq!(
            &e.hash.to_hex(),
            hash,
            "entry {seq} is not the one acknowledged"
        );
    }
    let (size, root) = log.tree().unwrap_or_else(|e| panic!("{e}"));
    log.inclusion_proof(0, size)
        .unwrap_or_else(|e| panic!("{e}"))
        .verify(&entries[0].hash, &root)
        .unwrap_or_else(|e| panic!("{e}"));
    // A fresh process (here: a fresh log) sees the same log.
    let again = SharedLog::connect(&url, &schema, key).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(again.tree().ok(), Some((size, root)));
    println!(
        "restart: {before} acknowledged before, restart took {:.2} s, errors {errors:?}, {} acknowledged in \
         all, log {} entries, all present, verify ok",
        downtime.as_secs_f64(),
        acks.len(),
        report.size
    );
    pg_support::drop_schema(&url, &schema);
    println!("postgres_restart: ok");
}
