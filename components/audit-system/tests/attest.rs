#![cfg(not(loom))]
//! Attestations (statements signed by others, e.g. a reviewer's decision) are stored with their entry,
//! survive a reopen and an export, and are checked by `verify` and `verify_export`.

use audit_system::{
    Attestation, AuditError, AuditLog, EntryFault, LogKey, VerifyError, entry::entry_hash_with,
    verify_export,
};
use ed25519_dalek::{Signer as _, SigningKey};
use rusqlite::{Connection, params};

fn ok<T, E: std::fmt::Display>(r: Result<T, E>) -> T {
    r.unwrap_or_else(|e| panic!("{e}"))
}

fn reviewer_signs(statement: &[u8]) -> Attestation {
    let key = SigningKey::from_bytes(&[42; 32]);
    Attestation::new(
        key.verifying_key().to_bytes(),
        statement.to_vec(),
        key.sign(statement).to_bytes(),
    )
}

const SECRET: [u8; 32] = [9; 32];

/// A log of 4 entries, entry 2 carrying a reviewer's signed approval; returns the dir, db path and entry 2's
/// attestation.
fn fixture() -> (tempfile::TempDir, std::path::PathBuf, Attestation) {
    let dir = ok(tempfile::tempdir());
    let db = dir.path().join("a.db");
    let log = ok(AuditLog::open(&db, LogKey::from_secret_bytes(&SECRET)));
    let approval = reviewer_signs(b"approve request 7 digest 00ff at 1700000000");
    ok(log.append("agent", "request", "{}"));
    ok(log.append("agent", "request", "{}"));
    ok(log.append_attested("alice", "decision", r#"{"id":7}"#, vec![approval.clone()]));
    ok(log.append("agent", "executed", "{}"));
    (dir, db, approval)
}

#[test]
fn attestations_survive_reopen_and_export_and_verify() {
    let (_d, db, approval) = fixture();
    let log = ok(AuditLog::open(&db, LogKey::from_secret_bytes(&SECRET)));
    let e = ok(log.entry(2)).unwrap_or_else(|| panic!("entry 2 is missing"));
    assert_eq!(e.attestations, vec![approval]);
    assert!(ok(log.entry(1)).is_some_and(|e| e.attestations.is_empty()));
    assert_eq!(ok(log.verify()).size, 4);
    let mut export = Vec::new();
    ok(log.export_jsonl(&mut export));
    let text = String::from_utf8_lossy(&export);
    assert_eq!(text.matches("\"attestations\"").count(), 1);
    assert_eq!(ok(verify_export(&export[..], &log.public_key())).size, 4);
}

#[test]
fn a_bad_attestation_is_refused_before_anything_is_sequenced() {
    let log = AuditLog::in_memory(LogKey::generate());
    let mut forged = reviewer_signs(b"approve request 7");
    forged.statement = b"approve request 8".to_vec();
    let r = log.append_attested("mallory", "decision", "{}", vec![forged]);
    assert!(
        matches!(r, Err(AuditError::BadAttestation { index: 0 })),
        "{r:?}"
    );
    assert_eq!(log.len(), 0);
}

#[test]
fn an_edited_attestation_breaks_the_entry_hash() {
    let (_d, db, _) = fixture();
    let c = ok(Connection::open(&db));
    let other = reviewer_signs(b"approve request 8");
    ok(c.execute(
        "UPDATE entries SET attestations = ?1 WHERE seq = 2",
        [ok(serde_json::to_string(&vec![other]))],
    ));
    ok(c.execute("UPDATE entries SET attestations = NULL WHERE seq = 1", []));
    let log = ok(AuditLog::open(&db, LogKey::from_secret_bytes(&SECRET)));
    assert!(matches!(
        log.verify(),
        Err(VerifyError::Entry {
            seq: 2,
            fault: EntryFault::HashMismatch
        })
    ));
}

/// Even an entry re-hashed and re-signed with the log key is caught when its attestation signature is bad.
#[test]
fn a_bad_attestation_signature_is_a_verify_error_naming_the_entry() {
    let (_d, db, approval) = fixture();
    let mut bad = approval;
    bad.signature.0[10] ^= 1;
    let c = ok(Connection::open(&db));
    let (ts, prev, actor, action, payload): (i64, Vec<u8>, String, String, String) = ok(c
        .query_row(
            "SELECT ts_ns, prev_hash, actor, action, payload FROM entries WHERE seq = 2",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        ));
    let prev = audit_system::Hash::from_slice(&prev).unwrap_or_default();
    let atts = vec![bad];
    let hash = entry_hash_with(2, ts as u64, &prev, &actor, &action, &payload, &atts);
    let sig = LogKey::from_secret_bytes(&SECRET).sign_entry_hash(&hash);
    ok(c.execute(
        "UPDATE entries SET attestations = ?1, leaf_hash = ?2, signature = ?3 WHERE seq = 2",
        params![ok(serde_json::to_string(&atts)), &hash.0[..], &sig[..]],
    ));
    let log = ok(AuditLog::open(&db, LogKey::from_secret_bytes(&SECRET)));
    assert!(matches!(
        log.verify(),
        Err(VerifyError::Entry {
            seq: 2,
            fault: EntryFault::BadAttestation { index: 0 }
        })
    ));
    // The same entry in an export is named by verify_export.
    let mut export = Vec::new();
    let store = ok(audit_system::SqliteStore::open(&db));
    let log = ok(AuditLog::with_store(
        store,
        LogKey::from_secret_bytes(&SECRET),
        audit_system::Limits::default(),
    ));
    let _ = log.export_jsonl(&mut export);
    assert!(matches!(
        verify_export(&export[..], &log.public_key()),
        Err(VerifyError::Entry {
            seq: 2,
            fault: EntryFault::BadAttestation { index: 0 }
        })
    ));
}
