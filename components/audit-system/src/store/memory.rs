//! An in-memory [`Store`]: everything in vectors behind one lock. Not durable.

use std::ops::Range;

use super::{Order, Query, Store};
use crate::entry::Entry;
use crate::error::AuditError;
use crate::hasher::Hash;
use crate::proof::NodeSource;
use crate::sign::{PublicKey, SignedTreeHead};
use crate::sync::Mutex;
use crate::tree_math::NodeId;

#[derive(Debug, Default)]
struct Inner {
    key: Option<PublicKey>,
    entries: Vec<Entry>,
    /// `levels[l - 1][i]` is interior node `(l, i)`.
    levels: Vec<Vec<Hash>>,
    heads: Vec<SignedTreeHead>,
}

/// A volatile store for tests and loom models.
#[derive(Debug, Default)]
pub struct MemoryStore {
    inner: Mutex<Inner>,
}

impl MemoryStore {
    /// An empty store.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }
}

impl NodeSource for MemoryStore {
    fn node_hashes(&self, ids: &[NodeId]) -> Result<Vec<Hash>, AuditError> {
        let inner = self.inner.lock();
        ids.iter()
            .map(|id| {
                let i = usize::try_from(id.index).ok()?;
                if id.level == 0 {
                    inner.entries.get(i).map(|e| e.hash)
                } else {
                    inner.levels.get(id.level as usize - 1)?.get(i).copied()
                }
            })
            .collect::<Option<Vec<Hash>>>()
            .ok_or(AuditError::MissingNodes)
    }
}

impl Store for MemoryStore {
    fn bind_key(&self, key: &PublicKey) -> Result<(), AuditError> {
        let mut inner = self.inner.lock();
        match inner.key {
            Some(k) if k != *key => Err(AuditError::KeyMismatch),
            _ => {
                inner.key = Some(*key);
                Ok(())
            }
        }
    }

    fn commit(&self, entries: &[Entry], nodes: &[(NodeId, Hash)]) -> Result<(), AuditError> {
        let mut inner = self.inner.lock();
        inner.entries.extend_from_slice(entries);
        for (id, h) in nodes {
            let l = id.level as usize - 1;
            if inner.levels.len() <= l {
                inner.levels.resize_with(l + 1, Vec::new);
            }
            inner.levels[l].push(*h);
        }
        Ok(())
    }

    fn last_entry(&self) -> Result<Option<Entry>, AuditError> {
        Ok(self.inner.lock().entries.last().cloned())
    }

    fn entries(&self, seqs: Range<u64>) -> Result<Vec<Entry>, AuditError> {
        let inner = self.inner.lock();
        let len = inner.entries.len() as u64;
        let (s, e) = (seqs.start.min(len) as usize, seqs.end.min(len) as usize);
        Ok(inner.entries[s..e].to_vec())
    }

    fn query(&self, query: &Query) -> Result<Vec<Entry>, AuditError> {
        let inner = self.inner.lock();
        let limit = query.limit.unwrap_or(usize::MAX);
        let hits = inner.entries.iter().filter(|e| query.matches(e));
        Ok(match query.order {
            Order::Ascending => hits.take(limit).cloned().collect(),
            Order::Descending => {
                let all: Vec<&Entry> = hits.collect();
                all.into_iter().rev().take(limit).cloned().collect()
            }
        })
    }

    fn query_page(
        &self,
        query: &Query,
        after: Option<(u64, u64)>,
        limit: usize,
    ) -> Result<Vec<Entry>, AuditError> {
        let inner = self.inner.lock();
        let key = |e: &Entry| (e.timestamp_ns, e.seq);
        // Entries are stored in sequence order, and timestamps never decrease with it, so sequence order is
        // (timestamp, seq) order.
        Ok(match query.order {
            Order::Ascending => inner
                .entries
                .iter()
                .filter(|e| query.matches(e) && after.is_none_or(|c| key(e) > c))
                .take(limit)
                .cloned()
                .collect(),
            Order::Descending => inner
                .entries
                .iter()
                .rev()
                .filter(|e| query.matches(e) && after.is_none_or(|c| key(e) < c))
                .take(limit)
                .cloned()
                .collect(),
        })
    }

    fn save_tree_head(&self, sth: &SignedTreeHead) -> Result<(), AuditError> {
        self.inner.lock().heads.push(sth.clone());
        Ok(())
    }

    fn latest_tree_head(&self) -> Result<Option<SignedTreeHead>, AuditError> {
        Ok(self
            .inner
            .lock()
            .heads
            .iter()
            .max_by_key(|h| h.size)
            .cloned())
    }
}
