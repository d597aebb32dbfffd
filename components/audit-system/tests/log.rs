#![cfg(not(loom))]
//! End-to-end behaviour of `AuditLog` on SQLite and in memory: appends, reopen, proofs, queries (with their
//! query plans), export, bad input, foreign files and concurrency.

use std::sync::Arc;

use audit_system::{
    AuditError, AuditLog, EntryFault, Limits, LogKey, Order, Query, SqliteStore, VerifyError,
    verify_export,
};

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"))
}

fn ok<T, E: std::fmt::Display>(r: Result<T, E>) -> T {
    r.unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn entries_are_dense_linked_signed_and_monotonic() {
    let log = AuditLog::in_memory(LogKey::generate());
    for i in 0..20 {
        let r = ok(log.append("svc", "act", &format!("{{\"i\":{i}}}")));
        assert_eq!(r.seq, i);
    }
    let all = ok(log.query(&Query::new()));
    assert_eq!(all.len(), 20);
    for w in all.windows(2) {
        assert_eq!(w[1].prev_hash, w[0].hash);
        assert!(w[1].timestamp_ns >= w[0].timestamp_ns);
    }
    assert!(all.iter().all(|e| log.public_key().verify_entry(e)));
    assert_eq!(ok(log.verify()).size, 20);
}

#[test]
fn reopen_rebuilds_frontier_and_head_and_continues() {
    let dir = tmp();
    let key = ok(LogKey::create_file(dir.path().join("k")));
    let db = dir.path().join("a.db");
    let root_before;
    {
        let log = ok(AuditLog::open(&db, key.clone()));
        for i in 0..37 {
            ok(log.append("a", "t", &i.to_string()));
        }
        root_before = log.root();
        ok(log.publish_tree_head());
    }
    let log = ok(AuditLog::open(
        &db,
        ok(LogKey::load_file(dir.path().join("k"))),
    ));
    assert_eq!(log.len(), 37);
    assert_eq!(log.root(), root_before);
    let r = ok(log.append("a", "t", "37"));
    assert_eq!(r.seq, 37);
    let e36 = ok(log.entry(36)).unwrap_or_else(|| panic!("entry 36"));
    assert_eq!(ok(log.entry(37)).map(|e| e.prev_hash), Some(e36.hash));
    let report = ok(log.verify());
    assert_eq!((report.size, report.checked_tree_head), (38, Some(37)));
    // The old tree head is consistent with the new one.
    let proof = ok(log.consistency_proof(37, 38));
    assert_eq!(proof.verify(&root_before, &log.root()), Ok(()));
    assert_eq!(ok(log.root_at(37)), root_before);
}

#[test]
fn opening_with_another_key_is_a_typed_error() {
    let dir = tmp();
    let db = dir.path().join("a.db");
    drop(ok(AuditLog::open(&db, LogKey::generate())));
    assert!(matches!(
        AuditLog::open(&db, LogKey::generate()),
        Err(AuditError::KeyMismatch)
    ));
}

#[test]
fn bad_input_is_rejected_and_nothing_is_written() {
    let dir = tmp();
    let store = ok(SqliteStore::open(dir.path().join("a.db")));
    let limits = Limits {
        max_payload_bytes: 32,
        max_field_bytes: 16,
    };
    let log = ok(AuditLog::with_store(store, LogKey::generate(), limits));
    assert!(matches!(
        log.append("a", "t", "{not json"),
        Err(AuditError::InvalidJson(_))
    ));
    let big = format!("\"{}\"", "x".repeat(40));
    assert!(matches!(
        log.append("a", "t", &big),
        Err(AuditError::PayloadTooLarge { len: 42, max: 32 })
    ));
    assert!(matches!(
        log.append("", "t", "1"),
        Err(AuditError::BadField { field: "actor", .. })
    ));
    assert!(matches!(
        log.append_batch(&[("a", "t", "1"), ("a", "t", "nope")]),
        Err(AuditError::InvalidJson(_))
    ));
    assert_eq!(log.len(), 0);
    assert!(ok(log.query(&Query::new())).is_empty());
    assert_eq!(
        ok(log.append("a", "t", "1")).seq,
        0,
        "no number was burnt by the rejected input"
    );
}

#[test]
fn foreign_corrupt_and_newer_files_are_typed_errors_and_untouched() {
    let dir = tmp();
    // Another application's SQLite database.
    let foreign = dir.path().join("foreign.db");
    {
        let c = ok(rusqlite::Connection::open(&foreign));
        ok(c.execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);"));
    }
    let before = ok(std::fs::read(&foreign));
    assert!(matches!(
        AuditLog::open(&foreign, LogKey::generate()),
        Err(AuditError::NotAnAuditLog { .. })
    ));
    assert_eq!(ok(std::fs::read(&foreign)), before);
    // Not a database at all.
    let garbage = dir.path().join("garbage.db");
    ok(std::fs::write(&garbage, vec![0x5a; 8192]));
    assert!(matches!(
        AuditLog::open(&garbage, LogKey::generate()),
        Err(AuditError::CorruptDatabase(_))
    ));
    assert_eq!(ok(std::fs::read(&garbage)), vec![0x5a; 8192]);
    // Ours, but from a newer schema.
    let newer = dir.path().join("newer.db");
    drop(ok(AuditLog::open(&newer, LogKey::generate())));
    {
        let c = ok(rusqlite::Connection::open(&newer));
        ok(c.pragma_update(None, "user_version", 99));
    }
    assert!(matches!(
        AuditLog::open(&newer, LogKey::generate()),
        Err(AuditError::UnsupportedSchemaVersion { found: 99, .. })
    ));
}

#[test]
fn missing_key_file_is_a_typed_error() {
    let dir = tmp();
    assert!(matches!(
        LogKey::load_file(dir.path().join("none")),
        Err(AuditError::KeyFileMissing { .. })
    ));
}

#[test]
fn proofs_verify_against_signed_tree_heads() {
    let log = AuditLog::in_memory(LogKey::generate());
    let mut receipts = Vec::new();
    for i in 0..25 {
        receipts.push(ok(log.append("a", "t", &i.to_string())));
    }
    let old = ok(log.publish_tree_head());
    for i in 25..40 {
        receipts.push(ok(log.append("a", "t", &i.to_string())));
    }
    let new = ok(log.publish_tree_head());
    let pk = log.public_key();
    assert!(pk.verify_tree_head(&old) && pk.verify_tree_head(&new));
    for r in &receipts {
        let p = ok(log.inclusion_proof(r.seq, new.size));
        assert_eq!(p.verify(&r.hash, &new.root), Ok(()));
    }
    let c = ok(log.consistency_proof(old.size, new.size));
    assert_eq!(c.verify(&old.root, &new.root), Ok(()));
    assert!(matches!(
        log.inclusion_proof(0, 41),
        Err(AuditError::SizeOutOfRange {
            requested: 41,
            size: 40
        })
    ));
}

#[test]
fn queries_filter_order_limit_and_use_indexes() {
    let dir = tmp();
    let db = dir.path().join("q.db");
    let log = ok(AuditLog::open(&db, LogKey::generate()));
    let items: Vec<(String, String)> = (0..300)
        .map(|i| {
            (
                ["read", "write", "delete"][i % 3].to_string(),
                i.to_string(),
            )
        })
        .collect();
    let batch: Vec<(&str, &str, &str)> = items
        .iter()
        .map(|(a, p)| ("u", a.as_str(), p.as_str()))
        .collect();
    let receipts = ok(log.append_batch(&batch));
    let writes = ok(log.query(&Query::new().action("write")));
    assert_eq!(writes.len(), 100);
    assert!(writes.iter().all(|e| e.action == "write"));
    assert!(writes.windows(2).all(|w| w[0].seq < w[1].seq));
    let last3 = ok(log.query(&Query::new().action("delete").descending().limit(3)));
    assert_eq!(
        last3.iter().map(|e| e.seq).collect::<Vec<_>>(),
        vec![299, 296, 293]
    );
    let (t0, t1) = (receipts[10].timestamp_ns, receipts[20].timestamp_ns);
    let window = ok(log.query(&Query::new().between(t0, t1 + 1)));
    assert!(
        window
            .iter()
            .all(|e| e.timestamp_ns >= t0 && e.timestamp_ns <= t1)
    );
    assert!(window.iter().any(|e| e.seq == 10) && window.iter().any(|e| e.seq == 20));

    let store = ok(SqliteStore::open(&db));
    for q in [
        Query::new(),
        Query::new().between(t0, t1),
        Query::new().action("write"),
        Query::new()
            .action("write")
            .between(t0, t1)
            .descending()
            .limit(5),
    ] {
        let plan = ok(store.explain(&q));
        assert!(!plan.is_empty());
        for line in &plan {
            assert!(
                !line.starts_with("SCAN entries") || line.contains("INDEX"),
                "full scan in {plan:?} for {q:?}"
            );
            assert!(
                !line.contains("TEMP B-TREE"),
                "sort without index in {plan:?} for {q:?}"
            );
        }
        assert!(
            plan.iter().any(|l| l.contains("USING INDEX entries_by_")),
            "{plan:?}"
        );
    }
    assert_eq!(Query::new().order, Order::Ascending);
}

#[test]
fn export_verifies_offline_and_tampering_is_named() {
    let log = AuditLog::in_memory(LogKey::generate());
    for i in 0..12 {
        ok(log.append("a", "t", &format!("{{\"n\":{i}}}")));
    }
    let mut out = Vec::new();
    let sth = ok(log.export_jsonl(&mut out));
    assert_eq!(sth.size, 12);
    let pk = log.public_key();
    assert_eq!(ok(verify_export(&out[..], &pk)).size, 12);
    let text = ok(String::from_utf8(out));
    // Edit entry 4's payload.
    let edited = text.replace("{\\\"n\\\":4}", "{\\\"n\\\":5}");
    assert_ne!(edited, text);
    assert!(matches!(
        verify_export(edited.as_bytes(), &pk),
        Err(VerifyError::Entry {
            seq: 4,
            fault: EntryFault::HashMismatch
        })
    ));
    // Drop entry 7's line.
    let lines: Vec<&str> = text.lines().collect();
    let dropped: String = lines
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != 8)
        .map(|(_, l)| format!("{l}\n"))
        .collect();
    assert!(matches!(
        verify_export(dropped.as_bytes(), &pk),
        Err(VerifyError::Entry {
            seq: 7,
            fault: EntryFault::Missing
        })
    ));
    // Another key: the export is streamed, so the first entry's signature fails before the head is read.
    assert!(matches!(
        verify_export(text.as_bytes(), &LogKey::generate().public_key()),
        Err(VerifyError::Entry {
            seq: 0,
            fault: EntryFault::BadSignature
        })
    ));
    // Only the head signed by another key.
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    if let Some(last) = lines.last_mut() {
        let mut head: serde_json::Value =
            serde_json::from_str(last).unwrap_or_else(|e| panic!("{e}"));
        let forged = LogKey::generate().sign_tree_head(12, 1, audit_system::Hash::default());
        head["signature"] = serde_json::json!(hex::encode(forged.signature.0));
        *last = head.to_string();
    }
    assert!(matches!(
        verify_export(lines.join("\n").as_bytes(), &pk),
        Err(VerifyError::BadTreeHeadSignature { size: 12 })
    ));
}

#[test]
fn stress_eight_threads_thousand_appends_each() {
    let dir = tmp();
    let log = Arc::new(ok(AuditLog::open(
        dir.path().join("s.db"),
        LogKey::generate(),
    )));
    let handles: Vec<_> = (0..8)
        .map(|t| {
            let log = Arc::clone(&log);
            std::thread::spawn(move || {
                (0..1000)
                    .map(|i| {
                        log.append(&format!("t{t}"), "op", &format!("[{t},{i}]"))
                            .map(|r| r.seq)
                    })
                    .collect::<Result<Vec<u64>, _>>()
            })
        })
        .collect();
    let mut seqs: Vec<u64> = handles
        .into_iter()
        .flat_map(|h| ok(h.join().unwrap_or_else(|_| panic!("thread panicked"))))
        .collect();
    seqs.sort_unstable();
    assert_eq!(seqs, (0..8000).collect::<Vec<u64>>(), "dense and unique");
    let report = ok(log.verify());
    assert_eq!(report.size, 8000);
    assert_eq!(report.root, log.root());
}

/// `query_iter` pages by `(timestamp, seq)`: with batches sharing one timestamp across page boundaries, it
/// returns exactly what `query` returns, in every order, filter and limit.
#[test]
fn query_iter_matches_query_across_pages() {
    let dir = tmp();
    let log = ok(AuditLog::open(dir.path().join("q.db"), LogKey::generate()));
    for b in 0..3 {
        let payloads: Vec<String> = (0..300)
            .map(|i| format!("{{\"b\":{b},\"i\":{i}}}"))
            .collect();
        let items: Vec<(&str, &str, &str)> = payloads
            .iter()
            .enumerate()
            .map(|(i, p)| {
                (
                    "svc",
                    if i % 3 == 0 { "delete" } else { "read" },
                    p.as_str(),
                )
            })
            .collect();
        ok(log.append_batch(&items));
    }
    for q in [
        Query::new(),
        Query::new().descending(),
        Query::new().action("delete"),
        Query::new().action("read").descending().limit(457),
        Query::new().limit(1),
    ] {
        let all = ok(log.query(&q));
        let streamed: Vec<_> = log.query_iter(q.clone()).map(ok).collect();
        assert_eq!(streamed, all, "{q:?}");
    }
    let mem = AuditLog::in_memory(LogKey::generate());
    ok(mem.append_batch(&[("a", "x", "1"), ("a", "y", "2"), ("a", "x", "3")]));
    let q = Query::new().action("x").descending();
    assert_eq!(
        mem.query_iter(q.clone()).map(ok).collect::<Vec<_>>(),
        ok(mem.query(&q))
    );
}
