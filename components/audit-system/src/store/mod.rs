//! Storage behind the log: the [`Store`] trait, with [`SqliteStore`] (the default, durable) and
//! [`MemoryStore`] (fast, for tests and models).

mod memory;
#[cfg(feature = "postgres")]
mod postgres;
mod query;
mod sqlite;

use std::ops::Range;

pub use memory::MemoryStore;
#[cfg(feature = "postgres")]
pub use postgres::PostgresStore;
#[cfg(feature = "postgres")]
pub(crate) use postgres::{Tail, lock_tail, node_hashes_on, write_group};
pub use query::{Order, Query};
pub use sqlite::{Durability, SCHEMA_VERSION, SqliteStore};

use crate::entry::Entry;
use crate::error::{AuditError, EntryFault};
use crate::hasher::Hash;
use crate::proof::NodeSource;
use crate::sign::{PublicKey, SignedTreeHead};
use crate::tree_math::NodeId;

/// One stored row as verification sees it: the sequence number as stored (negative in a hostile row) and the
/// entry, or the fault that keeps it from being read (a column of the wrong type).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredRow {
    /// The row's sequence number as stored.
    pub seq: i64,
    /// The decoded entry, or why it could not be decoded.
    pub entry: Result<Entry, EntryFault>,
}

/// Durable storage of entries, tree nodes and signed tree heads.
///
/// Implementations must make [`Store::commit`] atomic (all of a group or none) and durable on return, and must
/// answer [`NodeSource::node_hashes`] for leaves (level 0, the entries' leaf hashes) and for every interior
/// node ever committed.
pub trait Store: NodeSource + Send + Sync {
    /// Records the log's public key on first use; later calls check it matches.
    ///
    /// # Errors
    /// [`AuditError::KeyMismatch`] if a different key is recorded; storage errors.
    fn bind_key(&self, key: &PublicKey) -> Result<(), AuditError>;

    /// Writes a group of consecutive entries and the interior nodes they complete, atomically and durably.
    ///
    /// # Errors
    /// Storage errors; then nothing of the group is written.
    fn commit(&self, entries: &[Entry], nodes: &[(NodeId, Hash)]) -> Result<(), AuditError>;

    /// The entry with the highest sequence number, if any.
    ///
    /// # Errors
    /// Storage errors.
    fn last_entry(&self) -> Result<Option<Entry>, AuditError>;

    /// The stored entries whose sequence numbers are in `seqs`, in sequence order (gaps are skipped).
    ///
    /// # Errors
    /// Storage errors.
    fn entries(&self, seqs: Range<u64>) -> Result<Vec<Entry>, AuditError>;

    /// Entries matching `query`, served by indexes.
    ///
    /// # Errors
    /// Storage errors.
    fn query(&self, query: &Query) -> Result<Vec<Entry>, AuditError>;

    /// Persists a signed tree head.
    ///
    /// # Errors
    /// Storage errors.
    fn save_tree_head(&self, sth: &SignedTreeHead) -> Result<(), AuditError>;

    /// The signed tree head with the largest size, if any.
    ///
    /// # Errors
    /// Storage errors.
    fn latest_tree_head(&self) -> Result<Option<SignedTreeHead>, AuditError>;

    /// Makes every committed entry durable against power loss, whatever the durability of plain commits.
    /// The log calls it before it signs a tree head, so nothing signed and published can be rolled back.
    /// The default does nothing (right for a store that is durable on commit or not durable at all); a store
    /// that defers syncing must override it.
    ///
    /// # Errors
    /// Storage errors.
    fn sync(&self) -> Result<(), AuditError> {
        Ok(())
    }

    /// Up to `limit` stored rows whose sequence number is at least `from`, in sequence order, whatever their
    /// number (negative or far beyond the log) or content: verification walks the rows actually present, so
    /// its time is linear in them. A row that cannot be decoded is returned with its fault, not as an error.
    ///
    /// The default reads through [`Self::entries`] (which cannot see negative numbers) and jumps a gap to
    /// [`Self::last_entry`].
    ///
    /// # Errors
    /// Storage errors.
    fn scan(&self, from: i64, limit: usize) -> Result<Vec<StoredRow>, AuditError> {
        let start = u64::try_from(from).unwrap_or(0);
        let mut rows = self.entries(start..start.saturating_add(limit as u64))?;
        if rows.is_empty()
            && let Some(last) = self.last_entry()?
            && last.seq >= start
        {
            rows.push(last);
        }
        Ok(rows
            .into_iter()
            .map(|e| StoredRow {
                seq: i64::try_from(e.seq).unwrap_or(i64::MAX),
                entry: Ok(e),
            })
            .collect())
    }

    /// One page of [`Self::query`]: at most `limit` matching entries that come strictly after `after` (a
    /// `(timestamp_ns, seq)` cursor, the last entry of the previous page) in the query's order. The query's
    /// own `limit` is ignored. Used by [`crate::AuditLog::query_iter`] to stream results in bounded memory.
    ///
    /// The default filters the result of [`Self::query`] (correct, but not bounded in memory).
    ///
    /// # Errors
    /// Storage errors.
    fn query_page(
        &self,
        query: &Query,
        after: Option<(u64, u64)>,
        limit: usize,
    ) -> Result<Vec<Entry>, AuditError> {
        let mut q = query.clone();
        q.limit = None;
        let desc = q.order == Order::Descending;
        Ok(self
            .query(&q)?
            .into_iter()
            .filter(|e| {
                after.is_none_or(|c| {
                    let k = (e.timestamp_ns, e.seq);
                    if desc { k < c } else { k > c }
                })
            })
            .take(limit)
            .collect())
    }
}
