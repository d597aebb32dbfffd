#![cfg(not(loom))]
//! Issue #12 findings against a running or reopened log: truncation hidden by deleting the heads too, rows
//! far beyond the log, negative sequence numbers, columns of the wrong type and edited tree nodes. Each is
//! named (entry or node) by `verify()`, in time linear in the rows present, and by opening the log.

use std::path::{Path, PathBuf};

use audit_system::{
    AuditError, AuditLog, EntryFault, LogKey, NodeFault, SqliteStore, VerifyError, verify_store,
};
use rusqlite::Connection;

const SECRET: [u8; 32] = [3; 32];

fn ok<T, E: std::fmt::Display>(r: Result<T, E>) -> T {
    r.unwrap_or_else(|e| panic!("{e}"))
}

fn key() -> LogKey {
    LogKey::from_secret_bytes(&SECRET)
}

fn append(log: &AuditLog, n: u64) {
    for i in 0..n {
        ok(log.append("actor", "act", &format!("{{\"i\":{i}}}")));
    }
}

fn edit(db: &Path, sql: &str) {
    ok(ok(Connection::open(db)).execute_batch(sql));
}

/// Copies row 0 to sequence number `seq` (any i64).
fn insert_row(db: &Path, seq: i64) {
    edit(
        db,
        &format!(
            "INSERT INTO entries (seq, ts_ns, actor, action, payload, prev_hash, leaf_hash, signature)
             SELECT {seq}, ts_ns, actor, action, payload, prev_hash, leaf_hash, signature
             FROM entries WHERE seq = 0"
        ),
    );
}

fn fixture(n: u64, publish: bool) -> (tempfile::TempDir, PathBuf) {
    let dir = ok(tempfile::tempdir());
    let db = dir.path().join("h.db");
    let log = ok(AuditLog::open(&db, key()));
    append(&log, n);
    if publish {
        ok(log.publish_tree_head());
    }
    (dir, db)
}

/// The finding as reported: 10 entries and a head, then the last 2 rows, their tree nodes and the head are
/// deleted with plain SQL. The database alone is a valid 8-entry log; the witness file is not fooled.
#[test]
fn truncation_after_restart_is_caught_by_the_witness() {
    let dir = ok(tempfile::tempdir());
    let (db, witness) = (dir.path().join("h.db"), dir.path().join("h.witness"));
    {
        let log = ok(AuditLog::open_witnessed(&db, key(), &witness));
        append(&log, 10);
        let head = ok(log.publish_tree_head());
        assert_eq!(head.size, 10);
        assert_eq!(ok(log.verify()).size, 10);
    }
    edit(
        &db,
        "DELETE FROM entries WHERE seq >= 8;
         DELETE FROM tree_nodes WHERE (idx + 1) << level > 8;
         DELETE FROM tree_heads;",
    );
    // Without the witness the shorter log is indistinguishable from an honest one.
    let plain = ok(AuditLog::open(&db, key()));
    assert_eq!((plain.len(), ok(plain.verify()).size), (8, 8));
    // With it, opening fails, naming the shrinkage.
    match AuditLog::open_witnessed(&db, key(), &witness) {
        Err(AuditError::NotWitnessed(e)) => assert!(
            matches!(
                *e,
                VerifyError::Truncated {
                    expected: 10,
                    found: 8
                }
            ),
            "{e}"
        ),
        other => panic!("expected NotWitnessed, got {other:?}"),
    }
    // And so does checking the plain log against the witnessed head, or verify() with the witness bound.
    let head = ok(audit_system::Witness::new(&witness).load()).unwrap_or_else(|| panic!("no head"));
    assert!(matches!(
        plain.check_extends(&head),
        Err(VerifyError::Truncated {
            expected: 10,
            found: 8
        })
    ));
}

#[test]
fn a_rewritten_history_does_not_extend_the_witness() {
    let dir = ok(tempfile::tempdir());
    let (db, witness) = (dir.path().join("h.db"), dir.path().join("h.witness"));
    {
        let log = ok(AuditLog::open_witnessed(&db, key(), &witness));
        append(&log, 6);
        ok(log.publish_tree_head());
    }
    // Someone with the log key rebuilds the log from scratch with other content and more entries.
    std::fs::remove_file(&db).unwrap_or_else(|e| panic!("{e}"));
    {
        let log = ok(AuditLog::open(&db, key()));
        for i in 0..9 {
            ok(log.append("actor", "other", &i.to_string()));
        }
    }
    match AuditLog::open_witnessed(&db, key(), &witness) {
        Err(AuditError::NotWitnessed(e)) => assert!(
            matches!(
                *e,
                VerifyError::Inconsistent {
                    old_size: 6,
                    new_size: 9
                }
            ),
            "{e}"
        ),
        other => panic!("expected NotWitnessed, got {other:?}"),
    }
}

#[test]
fn verify_checks_the_witness_too() {
    let dir = ok(tempfile::tempdir());
    let (db, witness) = (dir.path().join("h.db"), dir.path().join("h.witness"));
    let log = ok(AuditLog::open_witnessed(&db, key(), &witness));
    append(&log, 5);
    ok(log.publish_tree_head());
    // Another (honest) head of a different log replaces the witness behind the running log's back.
    let other = AuditLog::in_memory(key());
    append(&other, 7);
    ok(audit_system::Witness::new(&witness).store(&ok(other.publish_tree_head())));
    assert!(matches!(
        log.verify(),
        Err(VerifyError::Truncated {
            expected: 7,
            found: 5
        })
    ));
}

/// Confirmed before the fix: `verify()` looped for ever over 2^63 sequence numbers.
#[test]
fn a_row_far_beyond_the_log_is_named_and_verify_terminates() {
    let (_d, db) = fixture(0, false);
    let log = ok(AuditLog::open(&db, key()));
    append(&log, 10);
    insert_row(&db, i64::MAX - 1);
    assert!(matches!(
        log.verify(),
        Err(VerifyError::Entry {
            seq,
            fault: EntryFault::Unexpected
        }) if seq == u64::MAX / 2 - 1
    ));
    // Reopening names the row instead of a bare MissingNodes.
    drop(log);
    match AuditLog::open(&db, key()) {
        Err(AuditError::Damaged(e)) => assert!(
            matches!(*e, VerifyError::Entry { seq, fault: EntryFault::Unexpected } if seq == u64::MAX / 2 - 1),
            "{e}"
        ),
        other => panic!("expected Damaged, got {other:?}"),
    }
}

#[test]
fn a_negative_sequence_number_is_named() {
    let (_d, db) = fixture(10, true);
    insert_row(&db, -1);
    let log = ok(AuditLog::open(&db, key()));
    assert!(matches!(
        log.verify(),
        Err(VerifyError::NegativeSequence { seq: -1 })
    ));
}

/// Before the fix, reopening a log whose only row was renumbered to -1 overflowed (`u64::MAX + 1`).
#[test]
fn a_log_of_only_negative_rows_is_a_typed_error_at_open() {
    let (_d, db) = fixture(1, false);
    edit(&db, "UPDATE entries SET seq = -5");
    match AuditLog::open(&db, key()) {
        Err(AuditError::Damaged(e)) => {
            assert!(
                matches!(*e, VerifyError::NegativeSequence { seq: -5 }),
                "{e}"
            );
        }
        other => panic!("expected Damaged, got {other:?}"),
    }
}

#[test]
fn a_column_of_the_wrong_type_names_the_entry() {
    for (sql, seq, column) in [
        (
            "UPDATE entries SET ts_ns = 'soon' WHERE seq = 4",
            4,
            "ts_ns",
        ),
        (
            "UPDATE entries SET actor = x'00ff' WHERE seq = 6",
            6,
            "actor",
        ),
        (
            "UPDATE entries SET payload = x'7b7d' WHERE seq = 2",
            2,
            "payload",
        ),
        (
            "UPDATE entries SET attestations = '[' WHERE seq = 3",
            3,
            "attestations",
        ),
    ] {
        let (_d, db) = fixture(10, true);
        edit(&db, sql);
        let store = ok(SqliteStore::open(&db));
        let pk = key().public_key();
        match verify_store(&store, &pk) {
            Err(VerifyError::Entry {
                seq: s,
                fault: EntryFault::Unreadable { column: c },
            }) => assert_eq!((s, c), (seq, column), "{sql}"),
            other => panic!("{sql}: expected an unreadable entry, got {other:?}"),
        }
    }
}

/// Before the fix, an edited interior node below the peaks passed `verify()` while proofs through it failed.
#[test]
fn an_edited_or_missing_tree_node_is_named() {
    let (_d, db) = fixture(10, true);
    // Size 10 = peaks (3, 0) and (1, 4); (1, 1) lies below the first peak.
    edit(
        &db,
        "UPDATE tree_nodes SET hash = zeroblob(32) WHERE level = 1 AND idx = 1",
    );
    let log = ok(AuditLog::open(&db, key()));
    let head = ok(log.publish_tree_head());
    let proof = ok(log.inclusion_proof(0, 10));
    let leaf = ok(log.entry(0)).map(|e| e.hash).unwrap_or_default();
    assert!(
        proof.verify(&leaf, &head.root).is_err(),
        "the proof goes through the edited node"
    );
    assert!(matches!(
        log.verify(),
        Err(VerifyError::Node {
            level: 1,
            index: 1,
            fault: NodeFault::Mismatch
        })
    ));
    let (_d, db) = fixture(10, true);
    edit(&db, "DELETE FROM tree_nodes WHERE level = 2 AND idx = 1");
    let store = ok(SqliteStore::open(&db));
    assert!(matches!(
        verify_store(&store, &key().public_key()),
        Err(VerifyError::Node {
            level: 2,
            index: 1,
            fault: NodeFault::Missing
        })
    ));
}
