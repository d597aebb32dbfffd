//! One writer shard: the aggregates of the experiences logged through it, its epoch counts, a cache of
//! interned names, and the records it logged that the store has not taken yet.
//!
//! A thread logs through one shard (chosen by [`crate::sync::thread_slot`]), so two threads running at once
//! rarely touch the same shard and never write the same cache line for aggregates. Aggregates are additive:
//! the engine's aggregates are the sums over its shards, merged on read.

use std::collections::HashMap;
use std::mem::size_of;
use std::sync::Arc;

use crate::metrics::EpochCounts;
use crate::names::Interner;
use crate::stats::IssueThresholds;
use crate::store::Record;
use crate::sync::Mutex;
use crate::{ActionStats, EvolutionError, Outcome};

/// The interned action types and pattern keys, shared by all shards.
#[derive(Debug, Default)]
pub(crate) struct Names {
    pub(crate) actions: Interner,
    pub(crate) keys: Interner,
}

/// Which score a re-score replaces.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Dimension {
    Ethics,
    Safety,
}

/// See the module documentation.
#[derive(Debug)]
pub(crate) struct Shard {
    /// Action-type and pattern-key indexes this shard has resolved before (saves the shared lock).
    action_cache: HashMap<Arc<str>, u32>,
    key_cache: HashMap<Arc<str>, u32>,
    /// Aggregates by action-type index (shorter than the interner when later types never came here).
    pub(crate) actions: Vec<ActionStats>,
    /// Aggregates by pattern-key index.
    pub(crate) keys: Vec<ActionStats>,
    pub(crate) totals: ActionStats,
    pub(crate) epochs: EpochCounts,
    /// Logged records with their ids, ids increasing, not yet moved to the store.
    pub(crate) buffer: Vec<(u64, Record)>,
}

/// The aggregates at `index`, growing `stats` to hold it.
fn slot(stats: &mut Vec<ActionStats>, index: u32) -> &mut ActionStats {
    let at = index as usize;
    if stats.len() <= at {
        stats.resize(at + 1, ActionStats::default());
    }
    &mut stats[at]
}

impl Shard {
    pub(crate) fn new(epochs: EpochCounts) -> Self {
        Self {
            action_cache: HashMap::new(),
            key_cache: HashMap::new(),
            actions: Vec::new(),
            keys: Vec::new(),
            totals: ActionStats::default(),
            epochs,
            buffer: Vec::new(),
        }
    }

    /// The index of action type `name`, interning it in `names` on first sight.
    ///
    /// # Errors
    /// [`EvolutionError::TooManyNames`].
    pub(crate) fn action(
        &mut self,
        name: &str,
        names: &Mutex<Names>,
    ) -> Result<u32, EvolutionError> {
        if let Some(&id) = self.action_cache.get(name) {
            return Ok(id);
        }
        let (id, shared) = names.lock().actions.intern(name, "action type")?;
        self.action_cache.insert(shared, id);
        Ok(id)
    }

    /// The index of pattern key `name`, interning it in `names` on first sight.
    ///
    /// # Errors
    /// [`EvolutionError::TooManyNames`].
    pub(crate) fn key(&mut self, name: &str, names: &Mutex<Names>) -> Result<u32, EvolutionError> {
        if let Some(&id) = self.key_cache.get(name) {
            return Ok(id);
        }
        let (id, shared) = names.lock().keys.intern(name, "pattern key")?;
        self.key_cache.insert(shared, id);
        Ok(id)
    }

    /// Counts experience `id` in every aggregate it belongs to and buffers its record. O(1) amortised.
    pub(crate) fn log(&mut self, id: u64, record: Record, limits: IssueThresholds) {
        let (outcome, ethics, safety) = (record.outcome, record.ethics, record.safety);
        slot(&mut self.actions, record.action).add(outcome, ethics, safety, limits);
        if let Some(p) = record.pattern {
            slot(&mut self.keys, p).add(outcome, ethics, safety, limits);
        }
        self.totals.add(outcome, ethics, safety, limits);
        self.epochs.record(id, outcome == Outcome::Success);
        self.buffer.push((id, record));
    }

    /// Moves an experience this shard counted from score `old` to `new` in every aggregate it is in.
    pub(crate) fn rescore(
        &mut self,
        record: &Record,
        dim: Dimension,
        old: Option<f64>,
        new: f64,
        limits: IssueThresholds,
    ) {
        let apply = |s: &mut ActionStats| match dim {
            Dimension::Ethics => s.replace_ethics(old, new, limits),
            Dimension::Safety => s.replace_safety(old, new, limits),
        };
        apply(slot(&mut self.actions, record.action));
        if let Some(p) = record.pattern {
            apply(slot(&mut self.keys, p));
        }
        apply(&mut self.totals);
    }

    /// Bytes held by the aggregates and name caches (not the buffer: see [`Shard::buffer_bytes`]).
    pub(crate) fn aggregate_bytes(&self) -> usize {
        let cache = size_of::<Arc<str>>() + size_of::<u32>() + 1;
        (self.actions.capacity() + self.keys.capacity()) * size_of::<ActionStats>()
            + (self.action_cache.capacity() + self.key_cache.capacity()) * cache
    }

    /// Bytes of the buffer's capacity.
    pub(crate) fn buffer_bytes(&self) -> usize {
        self.buffer.capacity() * size_of::<(u64, Record)>()
    }
}
