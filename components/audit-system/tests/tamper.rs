#![cfg(not(loom))]
//! Tampering with the SQLite file directly: `verify` names the exact entry and what is wrong with it.

use std::path::{Path, PathBuf};

use audit_system::{
    AuditLog, EntryFault, LogKey, PublicKey, SqliteStore, VerifyError, entry::entry_hash,
    verify_store,
};
use rusqlite::{Connection, params};

const N: u64 = 20;

fn ok<T, E: std::fmt::Display>(r: Result<T, E>) -> T {
    r.unwrap_or_else(|e| panic!("{e}"))
}

/// A fresh log of `N` entries; returns its directory guard, database path and public key.
fn fixture(publish: bool) -> (tempfile::TempDir, PathBuf, PublicKey) {
    let dir = ok(tempfile::tempdir());
    let db = dir.path().join("t.db");
    let log = ok(AuditLog::open(&db, LogKey::generate()));
    for i in 0..N {
        ok(log.append("actor", "act", &format!("{{\"i\":{i}}}")));
    }
    if publish {
        ok(log.publish_tree_head());
    }
    let pk = log.public_key();
    assert_eq!(ok(log.verify()).size, N);
    (dir, db, pk)
}

fn verify(db: &Path, pk: &PublicKey) -> Result<u64, VerifyError> {
    let store = ok(SqliteStore::open(db));
    verify_store(&store, pk).map(|r| r.size)
}

fn edit(db: &Path, sql: &str) {
    let c = ok(Connection::open(db));
    ok(c.execute_batch(sql));
}

fn entry_fault(r: Result<u64, VerifyError>) -> (u64, EntryFault) {
    match r {
        Err(VerifyError::Entry { seq, fault }) => (seq, fault),
        other => panic!("expected an entry fault, got {other:?}"),
    }
}

#[test]
fn changed_payload_is_named() {
    let (_d, db, pk) = fixture(false);
    edit(
        &db,
        "UPDATE entries SET payload = '{\"i\":999}' WHERE seq = 5",
    );
    assert_eq!(entry_fault(verify(&db, &pk)), (5, EntryFault::HashMismatch));
}

#[test]
fn changed_timestamp_is_named() {
    let (_d, db, pk) = fixture(false);
    edit(&db, "UPDATE entries SET ts_ns = ts_ns + 1 WHERE seq = 11");
    assert_eq!(
        entry_fault(verify(&db, &pk)),
        (11, EntryFault::HashMismatch)
    );
}

#[test]
fn changed_payload_with_recomputed_hash_is_a_bad_signature() {
    let (_d, db, pk) = fixture(false);
    let c = ok(Connection::open(&db));
    let (ts, prev): (i64, Vec<u8>) = ok(c.query_row(
        "SELECT ts_ns, prev_hash FROM entries WHERE seq = 9",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    ));
    let prev = audit_system::Hash::from_slice(&prev).unwrap_or_default();
    let forged = entry_hash(9, ts as u64, &prev, "actor", "act", "{\"i\":-1}");
    ok(c.execute(
        "UPDATE entries SET payload = '{\"i\":-1}', leaf_hash = ?1 WHERE seq = 9",
        params![&forged.0[..]],
    ));
    assert_eq!(entry_fault(verify(&db, &pk)), (9, EntryFault::BadSignature));
}

#[test]
fn deleted_row_is_named() {
    let (_d, db, pk) = fixture(false);
    edit(&db, "DELETE FROM entries WHERE seq = 7");
    assert_eq!(entry_fault(verify(&db, &pk)), (7, EntryFault::Missing));
}

#[test]
fn deleted_tail_is_caught_by_the_signed_tree_head() {
    let (_d, db, pk) = fixture(true);
    edit(&db, "DELETE FROM entries WHERE seq >= 18");
    assert!(matches!(
        verify(&db, &pk),
        Err(VerifyError::Truncated {
            expected: N,
            found: 18
        })
    ));
}

#[test]
fn reordered_rows_are_named() {
    let (_d, db, pk) = fixture(false);
    edit(
        &db,
        "UPDATE entries SET seq = -1 WHERE seq = 3;
         UPDATE entries SET seq = 3 WHERE seq = 4;
         UPDATE entries SET seq = 4 WHERE seq = -1;",
    );
    assert_eq!(entry_fault(verify(&db, &pk)), (3, EntryFault::HashMismatch));
}

#[test]
fn inserted_row_is_named() {
    let (_d, db, pk) = fixture(false);
    let c = ok(Connection::open(&db));
    // Make room at 12 by shifting the tail up, then insert a well-formed entry signed by another key.
    for s in (12..N as i64).rev() {
        ok(c.execute(
            "UPDATE entries SET seq = ?1 WHERE seq = ?2",
            params![s + 1, s],
        ));
    }
    let (ts, prev): (i64, Vec<u8>) = ok(c.query_row(
        "SELECT ts_ns, leaf_hash FROM entries WHERE seq = 11",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    ));
    let prev = audit_system::Hash::from_slice(&prev).unwrap_or_default();
    let hash = entry_hash(12, ts as u64, &prev, "mallory", "act", "{}");
    let sig = LogKey::generate().sign_entry_hash(&hash);
    ok(c.execute(
        "INSERT INTO entries (seq, ts_ns, actor, action, payload, prev_hash, leaf_hash, signature)
         VALUES (12, ?1, 'mallory', 'act', '{}', ?2, ?3, ?4)",
        params![ts, &prev.0[..], &hash.0[..], &sig[..]],
    ));
    assert_eq!(
        entry_fault(verify(&db, &pk)),
        (12, EntryFault::BadSignature)
    );
}

#[test]
fn appended_forged_row_is_named() {
    let (_d, db, pk) = fixture(false);
    let c = ok(Connection::open(&db));
    ok(c.execute_batch(&format!(
        "INSERT INTO entries (seq, ts_ns, actor, action, payload, prev_hash, leaf_hash, signature)
         SELECT {N}, ts_ns, actor, action, payload, leaf_hash, leaf_hash, signature
         FROM entries WHERE seq = {}",
        N - 1
    )));
    assert_eq!(entry_fault(verify(&db, &pk)), (N, EntryFault::HashMismatch));
}

#[test]
fn replaced_signature_is_named() {
    let (_d, db, pk) = fixture(false);
    edit(
        &db,
        "UPDATE entries SET signature = (SELECT signature FROM entries WHERE seq = 8) WHERE seq = 7",
    );
    assert_eq!(entry_fault(verify(&db, &pk)), (7, EntryFault::BadSignature));
}

#[test]
fn zeroed_link_is_named() {
    let (_d, db, pk) = fixture(false);
    edit(
        &db,
        "UPDATE entries SET prev_hash = zeroblob(32) WHERE seq = 6",
    );
    // The link is part of the hashed fields, so the entry's own hash no longer matches either; the hash check
    // comes first and names the same entry.
    assert_eq!(
        verify(&db, &pk).map_err(|e| e.to_string()),
        Err("entry 6: stored hash does not match the entry's contents".into())
    );
}

#[test]
fn untouched_log_verifies() {
    let (_d, db, pk) = fixture(true);
    assert_eq!(ok(verify(&db, &pk)), N);
}
