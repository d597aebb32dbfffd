//! Memory accounting of an engine.

use serde::Serialize;

/// Bytes held by an engine, counted from container capacities and string lengths (not from the
/// allocator, so allocator overhead and slack inside allocations are not included).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct MemoryUsage {
    /// Raw experiences retained.
    pub retained: usize,
    /// The ring of records: capacity x `size_of` of one record (72 bytes on 64-bit targets).
    pub record_bytes: usize,
    /// The per-action-type and per-outcome id indexes (8 bytes per id per index, by capacity).
    pub index_bytes: usize,
    /// Heap blocks of non-empty contexts (16 bytes of reference counts + the text).
    pub context_bytes: usize,
    /// Interned names and their aggregates, per writer shard (grows with action types and pattern keys
    /// only).
    pub aggregate_bytes: usize,
    /// Writer shards' record buffers and their spares, by capacity: a fixed amount per shard in use (up to
    /// 2 x 128 records of 80 bytes), not per experience.
    pub buffer_bytes: usize,
}

impl MemoryUsage {
    /// Sum of all parts.
    pub fn total_bytes(&self) -> usize {
        self.record_bytes
            + self.index_bytes
            + self.context_bytes
            + self.aggregate_bytes
            + self.buffer_bytes
    }

    /// Bytes of records, indexes and contexts per retained experience, `None` when none is
    /// retained.
    pub fn bytes_per_experience(&self) -> Option<f64> {
        (self.retained > 0).then(|| {
            (self.record_bytes + self.index_bytes + self.context_bytes) as f64
                / self.retained as f64
        })
    }
}
