#![cfg(not(loom))]
//! A panic inside a commit or a signer fails closed: the panicking append and every later one return
//! `AuditError::Poisoned`, none hangs (each append runs in its own thread and is joined). And a tree head is
//! signed only after the store synced everything it covers.

use std::ops::Range;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use audit_system::{
    AuditError, AuditLog, Entry, Hash, Limits, LogKey, MemoryStore, NodeSource, PublicKey, Query,
    SignedTreeHead, Store, tree_math::NodeId,
};

/// A memory store whose commit number `panic_at` (0-based) panics, and which records what it is asked to do.
struct Faulty {
    inner: MemoryStore,
    commits: AtomicU64,
    panic_at: u64,
    events: Mutex<Vec<String>>,
}

impl Faulty {
    fn new(panic_at: u64) -> Self {
        Self {
            inner: MemoryStore::new(),
            commits: AtomicU64::new(0),
            panic_at,
            events: Mutex::new(Vec::new()),
        }
    }
    fn note(&self, e: String) {
        self.events
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(e);
    }
}

impl NodeSource for Faulty {
    fn node_hashes(&self, ids: &[NodeId]) -> Result<Vec<Hash>, AuditError> {
        self.inner.node_hashes(ids)
    }
}

impl Store for Faulty {
    fn bind_key(&self, key: &PublicKey) -> Result<(), AuditError> {
        self.inner.bind_key(key)
    }
    fn commit(&self, entries: &[Entry], nodes: &[(NodeId, Hash)]) -> Result<(), AuditError> {
        if self.commits.fetch_add(1, Ordering::SeqCst) == self.panic_at {
            panic!("the store fell over");
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
        self.note(format!("save_tree_head {}", sth.size));
        self.inner.save_tree_head(sth)
    }
    fn latest_tree_head(&self) -> Result<Option<SignedTreeHead>, AuditError> {
        self.inner.latest_tree_head()
    }
    fn sync(&self) -> Result<(), AuditError> {
        let size = self.inner.last_entry()?.map_or(0, |e| e.seq + 1);
        self.note(format!("sync {size}"));
        Ok(())
    }
}

fn log_over(store: Faulty) -> Arc<AuditLog> {
    Arc::new(
        AuditLog::with_store(store, LogKey::generate(), Limits::default())
            .unwrap_or_else(|e| panic!("{e}")),
    )
}

/// Runs one append in its own thread; `None` if the append panicked out of the log.
fn append_in_thread(log: &Arc<AuditLog>, i: u64) -> Option<Result<u64, AuditError>> {
    let log = Arc::clone(log);
    std::thread::spawn(move || log.append("a", "t", &i.to_string()).map(|r| r.seq))
        .join()
        .ok()
}

/// Before the fix, the panic escaped the append and every later append waited for ever.
#[test]
fn a_panicking_commit_poisons_the_log_instead_of_hanging_it() {
    let log = log_over(Faulty::new(2));
    assert!(matches!(append_in_thread(&log, 0), Some(Ok(0))));
    assert!(matches!(append_in_thread(&log, 1), Some(Ok(1))));
    assert!(matches!(
        append_in_thread(&log, 2),
        Some(Err(AuditError::Poisoned))
    ));
    for i in 3..6 {
        assert!(matches!(
            append_in_thread(&log, i),
            Some(Err(AuditError::Poisoned))
        ));
    }
    assert_eq!(log.len(), 2);
}

#[test]
fn concurrent_appenders_all_return_when_a_commit_panics() {
    let log = log_over(Faulty::new(5));
    let threads: Vec<_> = (0..8u64)
        .map(|t| {
            let log = Arc::clone(&log);
            std::thread::spawn(move || {
                (0..20u64)
                    .map(|i| log.append("a", "t", &(t * 100 + i).to_string()).is_ok())
                    .collect::<Vec<bool>>()
            })
        })
        .collect();
    let mut acked = 0;
    for t in threads {
        let oks = t
            .join()
            .unwrap_or_else(|_| panic!("a panic escaped an append"));
        // Once an appender saw the poison, it never succeeds again.
        if let Some(first_bad) = oks.iter().position(|ok| !ok) {
            assert!(oks[first_bad..].iter().all(|ok| !ok));
        }
        acked += oks.iter().filter(|ok| **ok).count() as u64;
    }
    assert_eq!(acked, log.len(), "every acknowledged entry is committed");
    assert!(matches!(
        log.append("a", "t", "1"),
        Err(AuditError::Poisoned)
    ));
}

/// A head is signed only after `Store::sync` made every entry it covers durable.
#[test]
fn publishing_a_head_syncs_first() {
    let store = Arc::new(Faulty::new(u64::MAX));
    let log = AuditLog::with_store(
        Shared(Arc::clone(&store)),
        LogKey::generate(),
        Limits::default(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    for i in 0..3 {
        log.append("a", "t", &i.to_string())
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let head = log.publish_tree_head().unwrap_or_else(|e| panic!("{e}"));
    let events = store
        .events
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    assert_eq!(
        events,
        vec![
            format!("sync {}", head.size),
            format!("save_tree_head {}", head.size)
        ]
    );
}

/// `Faulty` behind an `Arc`, so the test can read its events after handing it to the log.
struct Shared(Arc<Faulty>);

impl NodeSource for Shared {
    fn node_hashes(&self, ids: &[NodeId]) -> Result<Vec<Hash>, AuditError> {
        self.0.node_hashes(ids)
    }
}

impl Store for Shared {
    fn bind_key(&self, key: &PublicKey) -> Result<(), AuditError> {
        self.0.bind_key(key)
    }
    fn commit(&self, entries: &[Entry], nodes: &[(NodeId, Hash)]) -> Result<(), AuditError> {
        self.0.commit(entries, nodes)
    }
    fn last_entry(&self) -> Result<Option<Entry>, AuditError> {
        self.0.last_entry()
    }
    fn entries(&self, seqs: Range<u64>) -> Result<Vec<Entry>, AuditError> {
        self.0.entries(seqs)
    }
    fn query(&self, query: &Query) -> Result<Vec<Entry>, AuditError> {
        self.0.query(query)
    }
    fn save_tree_head(&self, sth: &SignedTreeHead) -> Result<(), AuditError> {
        self.0.save_tree_head(sth)
    }
    fn latest_tree_head(&self) -> Result<Option<SignedTreeHead>, AuditError> {
        self.0.latest_tree_head()
    }
    fn sync(&self) -> Result<(), AuditError> {
        self.0.sync()
    }
}
