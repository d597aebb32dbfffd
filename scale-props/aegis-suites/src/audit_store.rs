//! A [`Store`] wrapper that counts the work the audit log asks of its store (commits, entries, tree nodes and
//! bytes written, nodes read, entries read), so audit costs have a deterministic complexity class, and disk
//! claims (bytes written, commits and fsyncs per appended entry) are judged at the durability the fixture
//! names.
//!
//! fsyncs are counted, not derived: the wrapper counts each store call that makes SQLite fsync the WAL at
//! the durability it runs at (a commit under `synchronous=FULL`, every [`Store::sync`]). What it cannot see
//! are the fsyncs of SQLite's own WAL checkpoints (about one per 1 000 pages written), under either
//! durability.

use std::ops::Range;
use std::sync::atomic::{AtomicU64, Ordering};

use audit_system::tree_math::NodeId;
use audit_system::{
    AuditError, AuditLog, Durability, Entry, Hash, LogKey, NodeSource, PublicKey, Query,
    SignedTreeHead, SqliteStore, Store, StoredRow,
};

/// Counts of store work, read with [`StoreCounters::snapshot`].
#[derive(Debug, Default)]
pub struct StoreCounters {
    commits: AtomicU64,
    bytes_written: AtomicU64,
    entries_written: AtomicU64,
    nodes_written: AtomicU64,
    nodes_read: AtomicU64,
    entries_read: AtomicU64,
    rows_queried: AtomicU64,
    fsyncs: AtomicU64,
    syncs: AtomicU64,
}

/// A point-in-time copy of [`StoreCounters`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StoreWork {
    /// Commit groups (transactions). Under [`Durability::PowerLoss`] (`synchronous=FULL`) SQLite fsyncs the WAL
    /// once per commit; under [`Durability::ProcessCrash`] (`synchronous=NORMAL`) a commit does not fsync.
    pub commits: u64,
    /// Row bytes handed to the store: per entry its fixed fields ([`ENTRY_FIXED_BYTES`]) plus actor, action and
    /// payload, and [`NODE_BYTES`] per tree node (SQLite's page and WAL overhead comes on top).
    pub bytes_written: u64,
    /// Entries written.
    pub entries_written: u64,
    /// Interior Merkle nodes written.
    pub nodes_written: u64,
    /// Node hashes read (proofs, roots).
    pub nodes_read: u64,
    /// Entries read by sequence range (verification, export).
    pub entries_read: u64,
    /// Entries returned by indexed queries (whole queries and pages).
    pub rows_queried: u64,
    /// WAL fsyncs the store's calls asked of SQLite: one per successful commit or tree-head save when each
    /// commit is an fsync (`synchronous=FULL`), one per successful [`Store::sync`]. SQLite's checkpoint
    /// fsyncs are not seen.
    pub fsyncs: u64,
    /// Successful [`Store::sync`] calls (each one WAL fsync).
    pub syncs: u64,
}

impl StoreWork {
    /// The work done between `earlier` and `self`.
    #[must_use]
    pub fn since(&self, earlier: &StoreWork) -> StoreWork {
        StoreWork {
            commits: self.commits - earlier.commits,
            bytes_written: self.bytes_written - earlier.bytes_written,
            entries_written: self.entries_written - earlier.entries_written,
            nodes_written: self.nodes_written - earlier.nodes_written,
            nodes_read: self.nodes_read - earlier.nodes_read,
            entries_read: self.entries_read - earlier.entries_read,
            rows_queried: self.rows_queried - earlier.rows_queried,
            fsyncs: self.fsyncs - earlier.fsyncs,
            syncs: self.syncs - earlier.syncs,
        }
    }
}

impl StoreCounters {
    /// The current counts.
    pub fn snapshot(&self) -> StoreWork {
        StoreWork {
            commits: self.commits.load(Ordering::Relaxed),
            bytes_written: self.bytes_written.load(Ordering::Relaxed),
            entries_written: self.entries_written.load(Ordering::Relaxed),
            nodes_written: self.nodes_written.load(Ordering::Relaxed),
            nodes_read: self.nodes_read.load(Ordering::Relaxed),
            entries_read: self.entries_read.load(Ordering::Relaxed),
            rows_queried: self.rows_queried.load(Ordering::Relaxed),
            fsyncs: self.fsyncs.load(Ordering::Relaxed),
            syncs: self.syncs.load(Ordering::Relaxed),
        }
    }
}

/// Bytes of an entry's fixed-size fields: sequence and timestamp (8 each), previous hash and hash (32 each),
/// signature (64).
pub const ENTRY_FIXED_BYTES: usize = 8 + 8 + 32 + 32 + 64;
/// Bytes of one stored tree node: its id (8) and hash (32).
pub const NODE_BYTES: usize = 8 + 32;

/// Attributes store work to operations so that totals stay exact when several threads append at once: each
/// call is credited with how far it advanced the running maximum of every counter it read (one writer: exactly
/// its own work; several: every unit of work credited once, to the first operation that saw it).
#[derive(Debug, Default)]
pub struct Attributor {
    seen: [AtomicU64; 8],
}

impl Attributor {
    /// Starts at the counters' current values.
    pub fn starting_at(now: &StoreWork) -> Self {
        let a = Self::default();
        let _ = a.credit(now);
        a
    }

    /// The work newly seen in `now`.
    pub fn credit(&self, now: &StoreWork) -> StoreWork {
        let f = |k: usize, v: u64| v.saturating_sub(self.seen[k].fetch_max(v, Ordering::Relaxed));
        StoreWork {
            commits: f(0, now.commits),
            bytes_written: f(1, now.bytes_written),
            entries_written: f(2, now.entries_written),
            nodes_written: f(3, now.nodes_written),
            nodes_read: f(4, now.nodes_read),
            entries_read: f(5, now.entries_read),
            rows_queried: 0,
            fsyncs: f(6, now.fsyncs),
            syncs: f(7, now.syncs),
        }
    }
}

fn add(counter: &AtomicU64, n: usize) {
    counter.fetch_add(n as u64, Ordering::Relaxed);
}

/// Forwards every call, every [`Store`] method included (none falls back to the trait's default), to the
/// inner store and counts it.
#[derive(Debug)]
pub struct CountingStore<S> {
    inner: S,
    counters: std::sync::Arc<StoreCounters>,
    fsync_per_commit: bool,
}

impl<S> CountingStore<S> {
    /// Wraps `inner`; the counters are shared with the caller. `fsync_per_commit` says whether each commit of
    /// the inner store is one fsync (SQLite at `synchronous=FULL`, [`Durability::PowerLoss`]).
    pub fn new(inner: S, counters: std::sync::Arc<StoreCounters>, fsync_per_commit: bool) -> Self {
        Self {
            inner,
            counters,
            fsync_per_commit,
        }
    }

    fn commit_fsync(&self) {
        if self.fsync_per_commit {
            add(&self.counters.fsyncs, 1);
        }
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
        let entry_bytes: usize = entries
            .iter()
            .map(|e| ENTRY_FIXED_BYTES + e.actor.len() + e.action.len() + e.payload.len())
            .sum();
        add(
            &self.counters.bytes_written,
            entry_bytes + nodes.len() * NODE_BYTES,
        );
        self.inner.commit(entries, nodes)?;
        self.commit_fsync();
        Ok(())
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
        self.inner.save_tree_head(sth)?;
        self.commit_fsync();
        Ok(())
    }
    fn latest_tree_head(&self) -> Result<Option<SignedTreeHead>, AuditError> {
        self.inner.latest_tree_head()
    }
    fn sync(&self) -> Result<(), AuditError> {
        self.inner.sync()?;
        add(&self.counters.syncs, 1);
        add(&self.counters.fsyncs, 1);
        Ok(())
    }
    fn scan(&self, from: i64, limit: usize) -> Result<Vec<StoredRow>, AuditError> {
        let out = self.inner.scan(from, limit)?;
        add(&self.counters.entries_read, out.len());
        Ok(out)
    }
    fn query_page(
        &self,
        query: &Query,
        after: Option<(u64, u64)>,
        limit: usize,
    ) -> Result<Vec<Entry>, AuditError> {
        let out = self.inner.query_page(query, after, limit)?;
        add(&self.counters.rows_queried, out.len());
        Ok(out)
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
    /// The durability the store runs at.
    pub durability: Durability,
    attributor: Attributor,
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

/// Payload of entry `i` padded to about `bytes` bytes of JSON (a `note` string fills the rest).
///
/// ```
/// let p = aegis_scale::audit_store::payload_of(3, 500);
/// assert!((490..=510).contains(&p.len()));
/// ```
pub fn payload_of(i: u64, bytes: usize) -> String {
    let base = payload(i);
    let fill = bytes.saturating_sub(base.len() + 10);
    format!(
        r#"{},"note":"{}"}}"#,
        &base[..base.len() - 1],
        "x".repeat(fill)
    )
}

impl AuditFixture {
    /// A fresh SQLite log at the default durability ([`Durability::ProcessCrash`]) holding `n` entries of the
    /// mix (written in batches of 1 000).
    ///
    /// # Errors
    /// A message if the folder, the database or an append fails.
    pub fn with_entries(n: u64) -> Result<Self, String> {
        Self::build(n, Durability::default(), payload)
    }

    /// As [`Self::with_entries`], at `durability`.
    ///
    /// # Errors
    /// As [`Self::with_entries`].
    pub fn with_durability(n: u64, durability: Durability) -> Result<Self, String> {
        Self::build(n, durability, payload)
    }

    /// A log at the default durability holding `n` entries whose payloads are about `bytes` bytes each.
    ///
    /// # Errors
    /// As [`Self::with_entries`].
    pub fn with_payloads(n: u64, bytes: usize) -> Result<Self, String> {
        Self::build(n, Durability::default(), move |i| payload_of(i, bytes))
    }

    fn build(
        n: u64,
        durability: Durability,
        payload: impl Fn(u64) -> String,
    ) -> Result<Self, String> {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let (log, counters) = counted_sqlite_log(dir.path(), durability)?;
        let mut i = 0;
        while i < n {
            let end = (i + 1_000).min(n);
            let actors: Vec<String> = (i..end).map(|k| format!("agent-{}", k % 8)).collect();
            let payloads: Vec<String> = (i..end).map(&payload).collect();
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
            prepared_disk_bytes,
            durability,
            attributor: Attributor::starting_at(&counters.snapshot()),
            counters,
            _dir: dir,
        })
    }

    /// Bytes of the database files now (database, WAL and shared-memory index).
    pub fn disk_bytes(&self) -> u64 {
        dir_bytes(self._dir.path())
    }

    /// Appends entry `i` of the mix; returns the store work credited to it by an [`Attributor`] (exactly its
    /// own with one writer; with several, totals over all appends are exact, and group commit moves commits
    /// between them).
    ///
    /// # Errors
    /// The log's error.
    pub fn append(&self, i: u64) -> Result<StoreWork, AuditError> {
        self.log.append(
            &format!("agent-{}", i % 8),
            AUDIT_ACTIONS[(i % 5) as usize],
            &payload(i),
        )?;
        Ok(self.attributor.credit(&self.counters.snapshot()))
    }
}

/// An audit log on SQLite (`audit.db` in `dir`, at `durability`, a fixed signing key) whose store work is
/// counted.
///
/// # Errors
/// A message if the database cannot be opened or the key bound.
pub fn counted_sqlite_log(
    dir: &std::path::Path,
    durability: Durability,
) -> Result<(AuditLog, std::sync::Arc<StoreCounters>), String> {
    let counters = std::sync::Arc::new(StoreCounters::default());
    let store =
        SqliteStore::open_with(dir.join("audit.db"), durability).map_err(|e| e.to_string())?;
    let log = AuditLog::with_store(
        CountingStore::new(
            store,
            std::sync::Arc::clone(&counters),
            durability == Durability::PowerLoss,
        ),
        LogKey::from_secret_bytes(&[7u8; 32]),
        audit_system::Limits::default(),
    )
    .map_err(|e| e.to_string())?;
    Ok((log, counters))
}

/// Lower-case name of a durability, as reports and case ids print it (`process_crash`, `power_loss`).
pub fn durability_name(d: Durability) -> &'static str {
    match d {
        Durability::ProcessCrash => "process_crash",
        Durability::PowerLoss => "power_loss",
    }
}

/// The SQLite `synchronous` setting a durability runs at.
pub fn synchronous(d: Durability) -> &'static str {
    match d {
        Durability::ProcessCrash => "NORMAL",
        Durability::PowerLoss => "FULL",
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

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    /// The wrapper sees (and forwards) every store call the log makes: `sync` before a tree head is signed,
    /// pages of a streamed query, the rows verification scans; and counts a WAL fsync only where SQLite makes
    /// one (a commit at FULL, a `sync`). Before, `sync`, `scan` and `query_page` fell back to the trait's
    /// defaults: `sync` did nothing, so a tree head published through the wrapper was signed without the
    /// fsync that makes it safe.
    #[test]
    fn every_store_call_is_forwarded_and_fsyncs_are_counted()
    -> Result<(), Box<dyn std::error::Error>> {
        for (durability, fsyncs_per_append) in
            [(Durability::ProcessCrash, 0), (Durability::PowerLoss, 1)]
        {
            let dir = tempfile::tempdir()?;
            let (log, counters) = counted_sqlite_log(dir.path(), durability)?;
            for i in 0..3 {
                log.append("agent-1", "read", &payload(i))?;
            }
            let appended = counters.snapshot();
            assert_eq!((appended.commits, appended.syncs), (3, 0));
            assert_eq!(appended.fsyncs, 3 * fsyncs_per_append);
            log.publish_tree_head()?;
            let published = counters.snapshot().since(&appended);
            assert_eq!(published.syncs, 1, "{durability:?}: sync reached the store");
            // The sync's own commit at FULL, and at PowerLoss the saved head's commit too.
            assert_eq!(published.fsyncs, 1 + fsyncs_per_append, "{durability:?}");
            let before = counters.snapshot();
            assert_eq!(log.query_iter(Query::new()).count(), 3);
            assert_eq!(counters.snapshot().since(&before).rows_queried, 3);
            let before = counters.snapshot();
            assert_eq!(log.verify()?.size, 3);
            assert!(counters.snapshot().since(&before).entries_read >= 3);
        }
        Ok(())
    }
}
