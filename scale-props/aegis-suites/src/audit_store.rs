//! A [`Store`] wrapper that counts the work the audit log asks of its store (entries and tree nodes written,
//! nodes read, entries read), so audit costs have a deterministic complexity class.

use std::ops::Range;
use std::sync::atomic::{AtomicU64, Ordering};

use audit_system::tree_math::NodeId;
use audit_system::{
    AuditError, AuditLog, Entry, Hash, LogKey, NodeSource, PublicKey, Query, SignedTreeHead,
    SqliteStore, Store,
};

/// Counts of store work, read with [`StoreCounters::snapshot`].
#[derive(Debug, Default)]
pub struct StoreCounters {
    commits: AtomicU64,
    entries_written: AtomicU64,
    nodes_written: AtomicU64,
    nodes_read: AtomicU64,
    entries_read: AtomicU64,
    rows_queried: AtomicU64,
}

/// A point-in-time copy of [`StoreCounters`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StoreWork {
    /// Commit groups (transactions).
    pub commits: u64,
    /// Entries written.
    pub entries_written: u64,
    /// Interior Merkle nodes written.
    pub nodes_written: u64,
    /// Node hashes read (proofs, roots).
    pub nodes_read: u64,
    /// Entries read by sequence range (verification, export).
    pub entries_read: u64,
    /// Entries returned by indexed queries.
    pub rows_queried: u64,
}

impl StoreWork {
    /// The work done between `earlier` and `self`.
    #[must_use]
    pub fn since(&self, earlier: &StoreWork) -> StoreWork {
        StoreWork {
            commits: self.commits - earlier.commits,
            entries_written: self.entries_written - earlier.entries_written,
            nodes_written: self.nodes_written - earlier.nodes_written,
            nodes_read: self.nodes_read - earlier.nodes_read,
            entries_read: self.entries_read - earlier.entries_read,
            rows_queried: self.rows_queried - earlier.rows_queried,
        }
    }
}

impl StoreCounters {
    /// The current counts.
    pub fn snapshot(&self) -> StoreWork {
        StoreWork {
            commits: self.commits.load(Ordering::Relaxed),
            entries_written: self.entries_written.load(Ordering::Relaxed),
            nodes_written: self.nodes_written.load(Ordering::Relaxed),
            nodes_read: self.nodes_read.load(Ordering::Relaxed),
            entries_read: self.entries_read.load(Ordering::Relaxed),
            rows_queried: self.rows_queried.load(Ordering::Relaxed),
        }
    }
}

fn add(counter: &AtomicU64, n: usize) {
    counter.fetch_add(n as u64, Ordering::Relaxed);
}

/// Forwards every call to the inner store and counts it.
#[derive(Debug)]
pub struct CountingStore<S> {
    inner: S,
    counters: std::sync::Arc<StoreCounters>,
}

impl<S> CountingStore<S> {
    /// Wraps `inner`; the counters are shared with the caller.
    pub fn new(inner: S, counters: std::sync::Arc<StoreCounters>) -> Self {
        Self { inner, counters }
    }
}

impl<S: Store> NodeSource for CountingStore<S> {
    fn node_hashes(&self, ids: &[NodeId]) -> Result<Vec<Hash>, AuditError> {
        add(&self.counters.nodes_read, ids.len());
        self.inner.node_hashes(ids)
    }
}

impl<S: Store> Store for CountingStore<S> {
    fn bind_key(&self, key: &PublicKey) -> Result<(), AuditError> {
        self.inner.bind_key(key)
    }
    fn commit(&self, entries: &[Entry], nodes: &[(NodeId, Hash)]) -> Result<(), AuditError> {
        add(&self.counters.commits, 1);
        add(&self.counters.entries_written, entries.len());
        add(&self.counters.nodes_written, nodes.len());
        self.inner.commit(entries, nodes)
    }
    fn last_entry(&self) -> Result<Option<Entry>, AuditError> {
        self.inner.last_entry()
    }
    fn entries(&self, seqs: Range<u64>) -> Result<Vec<Entry>, AuditError> {
        let out = self.inner.entries(seqs)?;
        add(&self.counters.entries_read, out.len());
        Ok(out)
    }
    fn query(&self, query: &Query) -> Result<Vec<Entry>, AuditError> {
        let out = self.inner.query(query)?;
        add(&self.counters.rows_queried, out.len());
        Ok(out)
    }
    fn save_tree_head(&self, sth: &SignedTreeHead) -> Result<(), AuditError> {
        self.inner.save_tree_head(sth)
    }
    fn latest_tree_head(&self) -> Result<Option<SignedTreeHead>, AuditError> {
        self.inner.latest_tree_head()
    }
}

/// The actions of the audit mix (by `i % 5`); `delete` is 20% of entries.
pub const AUDIT_ACTIONS: [&str; 5] = ["login", "read", "delete", "update", "approve"];

/// An audit log on SQLite (the default, durable store) in its own temporary folder, with counted store work.
#[derive(Debug)]
pub struct AuditFixture {
    /// The log.
    pub log: AuditLog,
    /// Work done by the log's store.
    pub counters: std::sync::Arc<StoreCounters>,
    /// Bytes of the database files right after preparing.
    pub prepared_disk_bytes: u64,
    _dir: tempfile::TempDir,
}

/// Payload of entry `i` (about 100 bytes of JSON).
pub fn payload(i: u64) -> String {
    format!(
        r#"{{"run":{i},"path":"/srv/data/file-{}.csv","bytes":{},"ok":true}}"#,
        i % 1_000,
        i * 37 % 100_000
    )
}

impl AuditFixture {
    /// A fresh SQLite log in a temporary folder holding `n` entries of the mix (written in batches of 1 000).
    ///
    /// # Errors
    /// A message if the folder, the database or an append fails.
    pub fn with_entries(n: u64) -> Result<Self, String> {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let counters = std::sync::Arc::new(StoreCounters::default());
        let store = SqliteStore::open(dir.path().join("audit.db")).map_err(|e| e.to_string())?;
        let key = LogKey::from_secret_bytes(&[7u8; 32]);
        let log = AuditLog::with_store(
            CountingStore::new(store, std::sync::Arc::clone(&counters)),
            key,
            audit_system::Limits::default(),
        )
        .map_err(|e| e.to_string())?;
        let mut i = 0;
        while i < n {
            let end = (i + 1_000).min(n);
            let actors: Vec<String> = (i..end).map(|k| format!("agent-{}", k % 8)).collect();
            let payloads: Vec<String> = (i..end).map(payload).collect();
            let items: Vec<(&str, &str, &str)> = (i..end)
                .map(|k| {
                    let j = (k - i) as usize;
                    (
                        actors[j].as_str(),
                        AUDIT_ACTIONS[(k % 5) as usize],
                        payloads[j].as_str(),
                    )
                })
                .collect();
            log.append_batch(&items).map_err(|e| e.to_string())?;
            i = end;
        }
        let prepared_disk_bytes = dir_bytes(dir.path());
        Ok(Self {
            log,
            counters,
            prepared_disk_bytes,
            _dir: dir,
        })
    }

    /// Appends entry `i` of the mix; returns the store work it caused (exact with one writer).
    ///
    /// # Errors
    /// The log's error.
    pub fn append(&self, i: u64) -> Result<StoreWork, AuditError> {
        let before = self.counters.snapshot();
        self.log.append(
            &format!("agent-{}", i % 8),
            AUDIT_ACTIONS[(i % 5) as usize],
            &payload(i),
        )?;
        Ok(self.counters.snapshot().since(&before))
    }
}

/// Total bytes of the regular files directly in `dir` (0 if unreadable).
pub fn dir_bytes(dir: &std::path::Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .filter_map(|e| e.metadata().ok())
                .filter(std::fs::Metadata::is_file)
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}
