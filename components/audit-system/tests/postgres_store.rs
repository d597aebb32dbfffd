//! The PostgreSQL store and the shared log against a real server (AEGIS_POSTGRES_URL): proofs agree with the
//! memory and SQLite stores, tampering is named by `verify`, a foreign key is refused, two logs in one
//! schema interleave without a fork, a single-writer `AuditLog` over the store refuses to fork.

mod pg_support;

use std::sync::Arc;

use audit_system::{
    AuditError, AuditLog, ConsistencyProof, EntryFault, Frontier, InclusionProof, Limits, LogKey,
    MemoryStore, NodeFault, PostgresStore, Query, SharedLog, SqliteStore, Store, VerifyError,
    verify_export,
};
use pg_support::{admin, drop_schema, fresh_schema, url};

fn open(url: &str, schema: &str, key: &LogKey) -> SharedLog {
    SharedLog::connect(url, schema, key.clone()).unwrap_or_else(|e| panic!("{e}"))
}

/// A log of `n` entries in a fresh schema.
fn filled(url: &str, tag: &str, n: u64) -> (String, LogKey, SharedLog) {
    let schema = fresh_schema(tag);
    let key = LogKey::generate();
    let log = open(url, &schema, &key);
    for i in 0..n {
        log.append("alice", "act", &format!("{{\"i\":{i}}}"))
            .unwrap_or_else(|e| panic!("{e}"));
    }
    (schema, key, log)
}

#[test]
fn proofs_and_roots_agree_with_the_memory_and_sqlite_stores() {
    let Some(url) = url() else { return };
    let (schema, _key, log) = filled(&url, "proofs", 20);
    let batch: Vec<(String, String, String)> = (0..17)
        .map(|i| ("bob".into(), "batch".into(), format!("[{i}]")))
        .collect();
    let items: Vec<(&str, &str, &str)> = batch
        .iter()
        .map(|(a, b, c)| (a.as_str(), b.as_str(), c.as_str()))
        .collect();
    let receipts = log.append_batch(&items).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        receipts.iter().map(|r| r.seq).collect::<Vec<_>>(),
        (20..37).collect::<Vec<_>>()
    );
    let (size, root) = log.tree().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(size, 37);

    // The same entries, with the nodes a frontier computes, in the memory and SQLite stores.
    let entries = log
        .store()
        .entries(0..size)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(entries.len(), 37);
    let mut frontier = Frontier::new();
    let mut nodes = Vec::new();
    for e in &entries {
        frontier.push_with(e.hash, |id, h| nodes.push((id, h)));
    }
    assert_eq!(frontier.root(), root);
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let sqlite = SqliteStore::open(dir.path().join("log.db")).unwrap_or_else(|e| panic!("{e}"));
    let memory = MemoryStore::new();
    for s in [&sqlite as &dyn Store, &memory] {
        s.commit(&entries, &nodes).unwrap_or_else(|e| panic!("{e}"));
    }
    for n in 1..=size {
        let pg_root = log.root_at(n).unwrap_or_else(|e| panic!("{e}"));
        for old in 0..=n {
            let pg = log
                .consistency_proof(old, n)
                .unwrap_or_else(|e| panic!("{e}"));
            for other in [&sqlite as &dyn Store, &memory] {
                assert_eq!(
                    ConsistencyProof::build(other, old, n).unwrap_or_else(|e| panic!("{e}")),
                    pg
                );
            }
        }
        for seq in 0..n {
            let pg = log
                .inclusion_proof(seq, n)
                .unwrap_or_else(|e| panic!("{e}"));
            for other in [&sqlite as &dyn Store, &memory] {
                assert_eq!(
                    InclusionProof::build(other, seq, n).unwrap_or_else(|e| panic!("{e}")),
                    pg
                );
            }
            pg.verify(&entries[seq as usize].hash, &pg_root)
                .unwrap_or_else(|e| panic!("{e}"));
        }
    }
    assert!(matches!(
        log.inclusion_proof(0, size + 1),
        Err(AuditError::SizeOutOfRange { .. })
    ));

    let head = log.publish_tree_head().unwrap_or_else(|e| panic!("{e}"));
    assert!(log.public_key().verify_tree_head(&head));
    assert_eq!((head.size, head.root), (size, root));
    assert_eq!(log.verify().map(|r| r.size).ok(), Some(size));
    let mut export = Vec::new();
    log.export_jsonl(&mut export)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        verify_export(&export[..], &log.public_key())
            .map(|r| r.size)
            .ok(),
        Some(size)
    );
    let batch = log
        .query(&Query::new().action("batch"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(batch.len(), 17);
    let page = log
        .store()
        .query_page(
            &Query::new().descending(),
            Some((batch[3].timestamp_ns, batch[3].seq)),
            5,
        )
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(page.len(), 5);
    assert!(
        page.iter()
            .all(|e| (e.timestamp_ns, e.seq) < (batch[3].timestamp_ns, batch[3].seq))
    );
    drop_schema(&url, &schema);
}

/// Applies `sql` to a fresh 20-entry log and returns what `verify` says.
fn tampered(url: &str, sql: &str) -> VerifyError {
    let (schema, _key, log) = filled(url, "tamper", 20);
    log.publish_tree_head().unwrap_or_else(|e| panic!("{e}"));
    assert!(log.verify().is_ok());
    admin(url, &schema)
        .batch_execute(sql)
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    let err = match log.verify() {
        Ok(r) => panic!("{sql}: verify passed ({} entries)", r.size),
        Err(e) => e,
    };
    drop_schema(url, &schema);
    err
}

#[test]
fn verify_names_the_first_tampered_row_or_node() {
    let Some(url) = url() else { return };
    let entry = |seq, fault| (seq, fault);
    for (sql, want) in [
        (
            "UPDATE entries SET payload = '{\"i\":999}' WHERE seq = 7",
            entry(7, EntryFault::HashMismatch),
        ),
        (
            "UPDATE entries SET signature = (SELECT signature FROM entries WHERE seq = 2) WHERE seq = 9",
            entry(9, EntryFault::BadSignature),
        ),
        (
            "DELETE FROM entries WHERE seq = 12",
            entry(12, EntryFault::Missing),
        ),
        (
            "UPDATE entries SET ts_ns = -5 WHERE seq = 4",
            entry(4, EntryFault::Unreadable { column: "ts_ns" }),
        ),
        (
            "UPDATE entries SET attestations = 'not json' WHERE seq = 3",
            entry(
                3,
                EntryFault::Unreadable {
                    column: "attestations",
                },
            ),
        ),
    ] {
        match tampered(&url, sql) {
            VerifyError::Entry { seq, fault } => assert_eq!((seq, fault), want, "{sql}"),
            other => panic!("{sql}: {other}"),
        }
    }
    match tampered(
        &url,
        "UPDATE tree_nodes SET hash = '\\x00' || substring(hash from 2) WHERE level = 2 AND idx = 1",
    ) {
        VerifyError::Node {
            level: 2,
            index: 1,
            fault: NodeFault::Mismatch,
        } => {}
        other => panic!("edited node: {other}"),
    }
    match tampered(&url, "DELETE FROM entries WHERE seq >= 15") {
        VerifyError::Truncated {
            expected: 20,
            found: 15,
        } => {}
        other => panic!("cut short: {other}"),
    }
    match tampered(
        &url,
        "INSERT INTO entries SELECT -3, ts_ns, actor, action, payload, prev_hash, leaf_hash, signature, \
         attestations FROM entries WHERE seq = 0",
    ) {
        VerifyError::NegativeSequence { seq: -3 } => {}
        other => panic!("negative row: {other}"),
    }
}

#[test]
fn opening_a_log_whose_tree_cannot_be_rebuilt_names_the_missing_node() {
    let Some(url) = url() else { return };
    let (schema, key, _) = filled(&url, "peak", 20);
    // The peaks of 20 entries are the nodes over 0..16 (level 4) and 16..20 (level 2).
    admin(&url, &schema)
        .batch_execute("DELETE FROM tree_nodes WHERE level = 4 AND idx = 0")
        .unwrap_or_else(|e| panic!("{e}"));
    match SharedLog::connect(&url, &schema, key) {
        Err(AuditError::Damaged(v)) => assert!(
            matches!(
                *v,
                VerifyError::Node {
                    level: 4,
                    index: 0,
                    fault: NodeFault::Missing
                }
            ),
            "{v}"
        ),
        other => panic!("{other:?}"),
    }
    drop_schema(&url, &schema);
}

#[test]
fn another_key_is_refused_and_the_log_stays_usable() {
    let Some(url) = url() else { return };
    let (schema, key, log) = filled(&url, "key", 3);
    assert!(matches!(
        SharedLog::connect(&url, &schema, LogKey::generate()),
        Err(AuditError::KeyMismatch)
    ));
    let store = PostgresStore::connect(&url, &schema).unwrap_or_else(|e| panic!("{e}"));
    assert!(matches!(
        AuditLog::with_store(store, LogKey::generate(), Limits::default()),
        Err(AuditError::KeyMismatch)
    ));
    assert_eq!(log.verify().map(|r| r.size).ok(), Some(3));
    assert_eq!(open(&url, &schema, &key).len().ok(), Some(3));
    drop_schema(&url, &schema);
}

#[test]
fn two_logs_on_one_schema_interleave_without_a_fork_and_see_each_other() {
    let Some(url) = url() else { return };
    let schema = fresh_schema("two");
    let key = LogKey::generate();
    let a = Arc::new(open(&url, &schema, &key));
    let b = Arc::new(open(&url, &schema, &key));
    let threads: Vec<_> = (0..6)
        .map(|t| {
            let log = Arc::clone(if t % 2 == 0 { &a } else { &b });
            std::thread::spawn(move || {
                (0..40)
                    .map(|i| {
                        log.append("w", "tick", &format!("[{t},{i}]"))
                            .unwrap_or_else(|e| panic!("{e}"))
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let mut receipts: Vec<_> = threads
        .into_iter()
        .flat_map(|t| t.join().unwrap_or_else(|_| panic!("appender panicked")))
        .collect();
    receipts.sort_by_key(|r| r.seq);
    assert_eq!(
        receipts.iter().map(|r| r.seq).collect::<Vec<_>>(),
        (0..240).collect::<Vec<_>>(),
        "every number exactly once"
    );
    // Each log sees the whole shared log, whoever wrote it.
    assert_eq!(
        a.tree().unwrap_or_else(|e| panic!("{e}")),
        b.tree().unwrap_or_else(|e| panic!("{e}"))
    );
    let (size, root) = a.tree().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(size, 240);
    for r in &receipts {
        a.inclusion_proof(r.seq, size)
            .unwrap_or_else(|e| panic!("{e}"))
            .verify(&r.hash, &root)
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let head = b.publish_tree_head().unwrap_or_else(|e| panic!("{e}"));
    b.append("w", "late", "1").unwrap_or_else(|e| panic!("{e}"));
    a.check_extends(&head).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(a.verify().map(|r| r.size).ok(), Some(241));
    drop_schema(&url, &schema);
}

#[test]
fn a_single_writer_audit_log_over_the_store_refuses_to_fork() {
    let Some(url) = url() else { return };
    let schema = fresh_schema("single");
    let key = LogKey::generate();
    let store = PostgresStore::connect(&url, &schema).unwrap_or_else(|e| panic!("{e}"));
    let single = AuditLog::with_store(store, key.clone(), Limits::default())
        .unwrap_or_else(|e| panic!("{e}"));
    for i in 0..5 {
        single
            .append("solo", "x", &i.to_string())
            .unwrap_or_else(|e| panic!("{e}"));
    }
    single.verify().unwrap_or_else(|e| panic!("{e}"));
    // Another writer appends behind its back: its next commit is refused, nothing forks.
    let shared = open(&url, &schema, &key);
    assert_eq!(shared.len().ok(), Some(5));
    shared
        .append("other", "x", "1")
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(matches!(
        single.append("solo", "x", "6"),
        Err(AuditError::Conflict {
            expected: 5,
            found: 6
        })
    ));
    assert_eq!(shared.verify().map(|r| r.size).ok(), Some(6));
    drop_schema(&url, &schema);
}

#[test]
fn a_writer_stuck_holding_the_lock_makes_appends_fail_not_hang() {
    let Some(url) = url() else { return };
    let (schema, key, _) = filled(&url, "stuck", 2);
    // A short lock timeout through the URL (the default is 30 s).
    let short = format!("{url} options='-c lock_timeout=500'");
    let log = open(&short, &schema, &key);
    let mut stuck = admin(&url, &schema);
    let mut tx = stuck.transaction().unwrap_or_else(|e| panic!("{e}"));
    tx.query_one("SELECT size FROM log_head WHERE id = 1 FOR UPDATE", &[])
        .unwrap_or_else(|e| panic!("{e}"));
    let started = std::time::Instant::now();
    let r = log.append("w", "x", "1");
    assert!(
        matches!(
            r,
            Err(AuditError::CommitFailed {
                maybe_written: false,
                ..
            })
        ),
        "{r:?}"
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
    tx.rollback().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(log.append("w", "x", "2").map(|r| r.seq).ok(), Some(2));
    assert_eq!(log.verify().map(|r| r.size).ok(), Some(3));
    drop_schema(&url, &schema);
}

#[test]
fn by_default_a_stuck_writer_fails_the_others_after_the_lock_timeout() {
    // Without any option in the URL the store's own 30 s lock timeout applies (before it, this hung forever).
    let Some(url) = url() else { return };
    let (schema, key, log) = filled(&url, "stuckdefault", 1);
    let mut stuck = admin(&url, &schema);
    let mut tx = stuck.transaction().unwrap_or_else(|e| panic!("{e}"));
    tx.query_one("SELECT size FROM log_head WHERE id = 1 FOR UPDATE", &[])
        .unwrap_or_else(|e| panic!("{e}"));
    let r = log.append("w", "x", "1");
    assert!(matches!(r, Err(AuditError::CommitFailed { .. })), "{r:?}");
    tx.rollback().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        open(&url, &schema, &key)
            .append("w", "x", "2")
            .map(|r| r.seq)
            .ok(),
        Some(1)
    );
    drop_schema(&url, &schema);
}

#[test]
fn a_foreign_schema_is_refused() {
    let Some(url) = url() else { return };
    let schema = fresh_schema("foreign");
    let mut c = postgres::Client::connect(&url, postgres::NoTls).unwrap_or_else(|e| panic!("{e}"));
    c.batch_execute(&format!(
        "CREATE SCHEMA {schema}; CREATE TABLE {schema}.customers (id int)"
    ))
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(matches!(
        PostgresStore::connect(&url, &schema),
        Err(AuditError::NotAnAuditLogSchema(_))
    ));
    drop_schema(&url, &schema);
}

#[test]
fn an_unreachable_server_is_a_typed_error() {
    // Runs without a server: nothing listens on port 1.
    let started = std::time::Instant::now();
    let r = SharedLog::connect(
        "host=127.0.0.1 port=1 user=postgres dbname=aegis connect_timeout=5",
        "unreachable",
        LogKey::generate(),
    );
    assert!(matches!(r, Err(AuditError::Postgres(_))), "{r:?}");
    assert!(started.elapsed() < std::time::Duration::from_secs(60));
}
