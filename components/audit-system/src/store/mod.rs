//! Storage behind the log: the [`Store`] trait, with [`SqliteStore`] (the default, durable) and
//! [`MemoryStore`] (fast, for tests and models).

mod memory;
mod query;
mod sqlite;

use std::ops::Range;

pub use memory::MemoryStore;
pub use query::{Order, Query};
pub use sqlite::{Durability, SCHEMA_VERSION, SqliteStore};

use crate::entry::Entry;
use crate::error::AuditError;
use crate::hasher::Hash;
use crate::proof::NodeSource;
use crate::sign::{PublicKey, SignedTreeHead};
use crate::tree_math::NodeId;

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
}
