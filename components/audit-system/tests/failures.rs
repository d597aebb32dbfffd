#![cfg(not(loom))]
//! Commit failures under concurrency: a store that fails some commits must never leave a hole, a fork, or an
//! acknowledged entry missing.

use std::ops::Range;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use audit_system::{
    AuditError, AuditLog, Entry, Hash, Limits, LogKey, MemoryStore, NodeSource, Query,
    SignedTreeHead, Store, tree_math::NodeId,
};

/// A memory store whose every `fail_every`-th commit fails (like a full disk), writing nothing.
struct FlakyStore {
    inner: MemoryStore,
    calls: AtomicU64,
    fail_every: u64,
}

impl NodeSource for FlakyStore {
    fn node_hashes(&self, ids: &[NodeId]) -> Result<Vec<Hash>, AuditError> {
        self.inner.node_hashes(ids)
    }
}

impl Store for FlakyStore {
    fn bind_key(&self, key: &audit_system::PublicKey) -> Result<(), AuditError> {
        self.inner.bind_key(key)
    }
    fn commit(&self, entries: &[Entry], nodes: &[(NodeId, Hash)]) -> Result<(), AuditError> {
        if self.calls.fetch_add(1, Ordering::SeqCst) % self.fail_every == self.fail_every - 1 {
            return Err(AuditError::Io(std::io::Error::other("disk full")));
        }
        self.inner.commit(entries, nodes)
    }
    fn last_entry(&self) -> Result<Option<Entry>, AuditError> {
        self.inner.last_entry()
    }
    fn entries(&self, seqs: Range<u64>) -> Result<Vec<Entry>, AuditError> {
        self.inner.entries(seqs)
    }
    fn query(&self, query: &Query) -> Result<Vec<Entry>, AuditError> {
        self.inner.query(query)
    }
    fn save_tree_head(&self, sth: &SignedTreeHead) -> Result<(), AuditError> {
        self.inner.save_tree_head(sth)
    }
    fn latest_tree_head(&self) -> Result<Option<SignedTreeHead>, AuditError> {
        self.inner.latest_tree_head()
    }
}

#[test]
fn failed_commits_leave_no_hole_and_lose_nothing_acknowledged() {
    let store = FlakyStore {
        inner: MemoryStore::new(),
        calls: AtomicU64::new(0),
        fail_every: 7,
    };
    let log = Arc::new(
        AuditLog::with_store(store, LogKey::generate(), Limits::default())
            .unwrap_or_else(|e| panic!("{e}")),
    );
    let handles: Vec<_> = (0..4)
        .map(|t| {
            let log = Arc::clone(&log);
            std::thread::spawn(move || {
                let mut acked = Vec::new();
                let mut failed = 0;
                for i in 0..100 {
                    match log.append("t", "op", &format!("[{t},{i}]")) {
                        Ok(r) => acked.push(r),
                        Err(AuditError::Io(_) | AuditError::Aborted { .. }) => failed += 1,
                        Err(e) => panic!("unexpected error {e}"),
                    }
                }
                (acked, failed)
            })
        })
        .collect();
    let mut acked = Vec::new();
    let mut failed = 0;
    for h in handles {
        let (a, f) = h.join().unwrap_or_else(|_| panic!("thread panicked"));
        acked.extend(a);
        failed += f;
    }
    assert!(failed > 0, "the store never failed");
    assert_eq!(
        acked.len() as u64,
        log.len(),
        "acknowledged and committed counts differ"
    );
    let report = log.verify().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(report.size, log.len());
    for r in &acked {
        let e = log
            .entry(r.seq)
            .unwrap_or_else(|e| panic!("{e}"))
            .unwrap_or_else(|| panic!("entry {} lost", r.seq));
        assert_eq!(
            e.hash, r.hash,
            "entry {} is not the one acknowledged",
            r.seq
        );
    }
}
