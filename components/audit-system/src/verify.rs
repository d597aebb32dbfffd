//! Whole-chain verification: every signature (in parallel), every link, every timestamp, and the recomputed
//! Merkle root against the signed tree heads. Used on a live store and on an exported JSON Lines file.

use std::io::{BufRead, Write};

use serde::{Deserialize, Serialize};

use crate::entry::Entry;
use crate::error::{AuditError, EntryFault, NodeFault, VerifyError};
use crate::frontier::Frontier;
use crate::hasher::Hash;
use crate::proof::NodeSource;
use crate::sign::{PublicKey, SignedTreeHead};
use crate::store::{Store, StoredRow};
use crate::tree_math::NodeId;

/// Entries read per step while verifying.
const CHUNK: u64 = 4096;

/// What a successful verification established.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifyReport {
    /// Number of entries checked (all of them, dense from 0).
    pub size: u64,
    /// The recomputed Merkle root over them.
    pub root: Hash,
    /// The size of the signed tree head the root was checked against, if there was one.
    pub checked_tree_head: Option<u64>,
}

/// Checks entries fed in sequence order, in chunks; with a node source, also every stored interior node the
/// entries complete. Memory is bounded by one chunk plus O(log n).
pub(crate) struct ChainVerifier<'k> {
    key: &'k PublicKey,
    nodes: Option<&'k dyn NodeSource>,
    next_seq: u64,
    prev_hash: Hash,
    last_ts: u64,
    frontier: Frontier,
    /// Interior nodes completed by entries fed but not yet compared with the store.
    pending: Vec<(NodeId, Hash)>,
    /// Roots to check when the tree reaches their size, smallest size first.
    checkpoints: Vec<(u64, Hash)>,
    checked: usize,
    /// The size something outside the rows vouches for (tree heads, the open log, a witness): a gap before
    /// it is a missing entry, a row after a gap beyond it an inserted one.
    vouched: u64,
    tree_head: Option<u64>,
}

/// Entries per Ed25519 batch verification.
const BATCH: usize = 64;

/// Verifies a run of signatures: batch verification first, one by one only if the batch fails (to find
/// which); `true` where valid.
fn run_ok(key: &PublicKey, entries: &[Entry]) -> Vec<bool> {
    entries
        .chunks(BATCH)
        .flat_map(|batch| {
            if key.verify_entries_batch(batch) {
                vec![true; batch.len()]
            } else {
                batch.iter().map(|e| key.verify_entry(e)).collect()
            }
        })
        .collect()
}

/// Verifies the signatures of `entries` on up to `available_parallelism` threads; `true` where valid.
fn signatures_ok(key: &PublicKey, entries: &[Entry]) -> Vec<bool> {
    let threads = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .clamp(1, 8);
    if threads == 1 || entries.len() < 4 * BATCH {
        return run_ok(key, entries);
    }
    let chunk = entries.len().div_ceil(threads);
    std::thread::scope(|s| {
        let handles: Vec<_> = entries
            .chunks(chunk)
            .map(|part| s.spawn(move || run_ok(key, part)))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    })
}

impl<'k> ChainVerifier<'k> {
    /// A verifier expecting entry 0 first; `tree_head`, if given, is checked when its size is reached.
    pub(crate) fn new(
        key: &'k PublicKey,
        tree_head: Option<SignedTreeHead>,
    ) -> Result<Self, VerifyError> {
        let mut v = Self {
            key,
            nodes: None,
            next_seq: 0,
            prev_hash: Hash::default(),
            last_ts: 0,
            frontier: Frontier::new(),
            pending: Vec::new(),
            checkpoints: Vec::new(),
            checked: 0,
            vouched: 0,
            tree_head: None,
        };
        if let Some(sth) = tree_head {
            v.add_tree_head(&sth)?;
            v.tree_head = Some(sth.size);
        }
        Ok(v)
    }

    /// Also compares every interior node the entries complete with `nodes`.
    pub(crate) fn check_nodes_in(&mut self, nodes: &'k dyn NodeSource) {
        self.nodes = Some(nodes);
    }

    /// Also checks a signed tree head (its signature now, its root when its size is reached).
    pub(crate) fn add_tree_head(&mut self, sth: &SignedTreeHead) -> Result<(), VerifyError> {
        if !self.key.verify_tree_head(sth) {
            return Err(VerifyError::BadTreeHeadSignature { size: sth.size });
        }
        self.add_checkpoint(sth.size, sth.root)
    }

    /// Also checks that the root over the first `size` entries is `root`.
    /// Call before feeding any entry.
    pub(crate) fn add_checkpoint(&mut self, size: u64, root: Hash) -> Result<(), VerifyError> {
        self.checkpoints.push((size, root));
        self.checkpoints.sort_by_key(|c| c.0);
        self.vouched = self.vouched.max(size);
        self.check_reached()
    }

    fn check_reached(&mut self) -> Result<(), VerifyError> {
        while let Some(&(size, root)) = self.checkpoints.get(self.checked) {
            if size != self.frontier.size() {
                break;
            }
            if !self.frontier.root().ct_eq(&root) {
                return Err(VerifyError::RootMismatch { size });
            }
            self.checked += 1;
        }
        Ok(())
    }

    /// Compares the interior nodes completed so far with the store; names the first missing or wrong one.
    fn check_pending_nodes(&mut self) -> Result<(), VerifyError> {
        let Some(source) = self.nodes else {
            self.pending.clear();
            return Ok(());
        };
        if self.pending.is_empty() {
            return Ok(());
        }
        let ids: Vec<NodeId> = self.pending.iter().map(|p| p.0).collect();
        let stored = match source.node_hashes(&ids) {
            Ok(h) => h.into_iter().map(Some).collect(),
            // Find which: one by one.
            Err(AuditError::MissingNodes) => ids
                .iter()
                .map(|id| source.node_hashes(&[*id]).ok().and_then(|mut h| h.pop()))
                .collect(),
            Err(e) => return Err(e.into()),
        };
        let stored: Vec<Option<Hash>> = stored;
        for ((id, want), got) in self.pending.iter().zip(stored) {
            let fault = match got {
                None => NodeFault::Missing,
                Some(h) if !h.ct_eq(want) => NodeFault::Mismatch,
                Some(_) => continue,
            };
            return Err(VerifyError::Node {
                level: id.level,
                index: id.index,
                fault,
            });
        }
        self.pending.clear();
        Ok(())
    }

    /// Checks the next run of entries; reports the first bad one (after any bad node below the good ones).
    pub(crate) fn feed(&mut self, entries: &[Entry]) -> Result<(), VerifyError> {
        let result = self.feed_entries(entries);
        self.check_pending_nodes()?;
        result
    }

    fn feed_entries(&mut self, entries: &[Entry]) -> Result<(), VerifyError> {
        let sigs = signatures_ok(self.key, entries);
        for (e, sig_ok) in entries.iter().zip(sigs) {
            let fault = |fault| VerifyError::Entry { seq: e.seq, fault };
            if e.seq > self.next_seq {
                return Err(self.gap(self.next_seq, e.seq));
            }
            if e.seq < self.next_seq {
                return Err(fault(EntryFault::Unexpected));
            }
            let computed = e.computed_hash();
            if !computed.ct_eq(&e.hash) {
                return Err(fault(EntryFault::HashMismatch));
            }
            if !e.prev_hash.ct_eq(&self.prev_hash) {
                return Err(fault(EntryFault::ChainBroken));
            }
            if e.timestamp_ns < self.last_ts {
                return Err(fault(EntryFault::TimestampWentBackwards));
            }
            if !sig_ok {
                return Err(fault(EntryFault::BadSignature));
            }
            if let Some(index) = e.attestations.iter().position(|a| !a.verify()) {
                return Err(fault(EntryFault::BadAttestation { index }));
            }
            let pending = &mut self.pending;
            self.frontier
                .push_with(computed, |id, h| pending.push((id, h)));
            self.next_seq += 1;
            self.prev_hash = computed;
            self.last_ts = e.timestamp_ns;
            self.check_reached()?;
        }
        Ok(())
    }

    /// The fault for a row numbered `seq` when `expected` was due: the expected entry is missing if something
    /// vouches for it (a tree head, the open log, or a stored level-1 node over it, written when it and its
    /// sibling were committed); otherwise the row is not part of the log (inserted beyond its end).
    fn gap(&self, expected: u64, seq: u64) -> VerifyError {
        let node_vouches = self.nodes.is_some_and(|n| {
            n.node_hashes(&[NodeId {
                level: 1,
                index: expected >> 1,
            }])
            .is_ok()
        });
        if expected >= self.vouched && !node_vouches {
            VerifyError::Entry {
                seq,
                fault: EntryFault::Unexpected,
            }
        } else {
            VerifyError::Entry {
                seq: expected,
                fault: EntryFault::Missing,
            }
        }
    }

    /// Checks the next run of stored rows (as [`Store::scan`] returns them); reports the first bad one.
    pub(crate) fn feed_rows(&mut self, rows: Vec<StoredRow>) -> Result<(), VerifyError> {
        let mut entries = Vec::with_capacity(rows.len());
        let mut stop = None;
        for (expect, row) in (self.next_seq..).zip(rows) {
            let Ok(seq) = u64::try_from(row.seq) else {
                stop = Some(VerifyError::NegativeSequence { seq: row.seq });
                break;
            };
            if seq != expect {
                // Report the gap as seen after everything before it was checked.
                stop = Some(self.gap(expect, seq));
                break;
            }
            match row.entry {
                Ok(e) => entries.push(e),
                Err(fault) => {
                    stop = Some(VerifyError::Entry { seq, fault });
                    break;
                }
            }
        }
        self.feed(&entries)?;
        match stop {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    /// Ends verification: the log must be at least `min_size` long and cover the tree heads.
    pub(crate) fn finish(mut self, min_size: u64) -> Result<VerifyReport, VerifyError> {
        self.check_pending_nodes()?;
        let size = self.frontier.size();
        let expected = self.vouched.max(min_size);
        if size < expected {
            return Err(VerifyError::Truncated {
                expected,
                found: size,
            });
        }
        Ok(VerifyReport {
            size,
            root: self.frontier.root(),
            checked_tree_head: self.tree_head,
        })
    }
}

/// One line of a JSON Lines export.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub(crate) enum ExportLine {
    /// First line: what this is and whose key signed it (informational; verifiers bring their own key).
    Header {
        /// Always [`EXPORT_FORMAT`].
        format: String,
        /// Hex public key of the log.
        public_key: String,
    },
    /// One entry.
    Entry(Entry),
    /// Last line: the signed tree head over all exported entries.
    TreeHead(SignedTreeHead),
}

/// The `format` field of an export's header line.
pub const EXPORT_FORMAT: &str = "aegis-audit-log/1";

fn write_line(w: &mut impl Write, line: &ExportLine) -> std::io::Result<()> {
    serde_json::to_writer(&mut *w, line)?;
    w.write_all(b"\n")
}

/// Writes `store`'s entries `0..sth.size` as the JSON Lines export [`verify_export`] reads: a header, one line
/// per entry (read a chunk at a time), and `sth` as the last line. Both logs' `export_jsonl` write through it.
pub(crate) fn write_export(
    store: &dyn Store,
    public_key: &PublicKey,
    sth: &SignedTreeHead,
    mut out: impl Write,
) -> Result<(), AuditError> {
    let header = ExportLine::Header {
        format: EXPORT_FORMAT.into(),
        public_key: public_key.to_hex(),
    };
    write_line(&mut out, &header)?;
    let mut at = 0;
    while at < sth.size {
        for e in store.entries(at..at.saturating_add(CHUNK).min(sth.size))? {
            write_line(&mut out, &ExportLine::Entry(e))?;
        }
        at += CHUNK;
    }
    write_line(&mut out, &ExportLine::TreeHead(sth.clone()))?;
    out.flush()?;
    Ok(())
}

/// Verifies a JSON Lines export (from [`AuditLog::export_jsonl`](crate::AuditLog::export_jsonl)) offline, with
/// nothing but the log's public key: every entry, every link, and the root against the signed tree head on the
/// last line. Streams: memory is bounded by one chunk of entries, whatever the export's length.
///
/// # Errors
/// [`VerifyError`] naming the first bad entry or line.
pub fn verify_export(reader: impl BufRead, key: &PublicKey) -> Result<VerifyReport, VerifyError> {
    let mut v = ChainVerifier::new(key, None)?;
    // The head comes last, so while streaming every entry counts as vouched for: a gap is a missing entry
    // (entries beyond the head are caught at the end).
    v.vouched = u64::MAX;
    let mut chunk = Vec::new();
    let mut head = None;
    for (i, line) in reader.lines().enumerate() {
        let n = i as u64 + 1;
        let line = line.map_err(|e| VerifyError::Malformed {
            line: n,
            reason: e.to_string(),
        })?;
        if line.trim().is_empty() {
            continue;
        }
        if head.is_some() {
            return Err(VerifyError::Malformed {
                line: n,
                reason: "data after the tree head".into(),
            });
        }
        match serde_json::from_str::<ExportLine>(&line) {
            Ok(ExportLine::Header { format, .. }) if format == EXPORT_FORMAT => {}
            Ok(ExportLine::Header { format, .. }) => {
                return Err(VerifyError::Malformed {
                    line: n,
                    reason: format!("unknown format {format}"),
                });
            }
            Ok(ExportLine::Entry(e)) => {
                chunk.push(e);
                if chunk.len() as u64 >= CHUNK {
                    v.feed(&chunk)?;
                    chunk.clear();
                }
            }
            Ok(ExportLine::TreeHead(h)) => head = Some(h),
            Err(e) => {
                return Err(VerifyError::Malformed {
                    line: n,
                    reason: e.to_string(),
                });
            }
        }
    }
    v.feed(&chunk)?;
    let Some(head) = head else {
        return Err(VerifyError::Malformed {
            line: 0,
            reason: "no signed tree head".into(),
        });
    };
    if !key.verify_tree_head(&head) {
        return Err(VerifyError::BadTreeHeadSignature { size: head.size });
    }
    v.vouched = head.size;
    let report = v.finish(head.size)?;
    if report.size != head.size {
        return Err(VerifyError::Entry {
            seq: head.size,
            fault: EntryFault::Unexpected,
        });
    }
    if !report.root.ct_eq(&head.root) {
        return Err(VerifyError::RootMismatch { size: head.size });
    }
    Ok(VerifyReport {
        checked_tree_head: Some(head.size),
        ..report
    })
}

/// Verifies a store on its own (no open log needed, e.g. after a crash or on a copied file), with nothing but
/// the public key: dense sequence, every leaf hash, link, timestamp and signature, every stored interior node,
/// and the recomputed root against the latest signed tree head in the store. Walks the rows actually present
/// (time linear in them, memory bounded by one chunk), so inserted rows far beyond the log, negative sequence
/// numbers and columns of the wrong type are named, not looped over or reported as read errors.
///
/// # Errors
/// [`VerifyError`] naming the first bad entry or node (or the truncation / root mismatch).
pub fn verify_store(store: &dyn Store, key: &PublicKey) -> Result<VerifyReport, VerifyError> {
    verify_stored(store, key, &[], None)
}

/// [`verify_store`], also checking `heads` (e.g. a witness's) and that the first `expected.0` entries have root
/// `expected.1`.
pub(crate) fn verify_stored(
    store: &dyn Store,
    key: &PublicKey,
    heads: &[SignedTreeHead],
    expected: Option<(u64, Hash)>,
) -> Result<VerifyReport, VerifyError> {
    let mut v = ChainVerifier::new(key, store.latest_tree_head()?)?;
    v.check_nodes_in(store);
    for h in heads {
        v.add_tree_head(h)?;
    }
    let mut min_size = 0;
    if let Some((size, root)) = expected {
        v.add_checkpoint(size, root)?;
        min_size = size;
    }
    // Every row present, from the lowest sequence number up (entries committed after a snapshot are verified
    // too: they are in the store before they are published, so concurrent appends are not inserted rows).
    let mut from = i64::MIN;
    loop {
        let rows = store.scan(from, CHUNK as usize)?;
        let Some(last) = rows.last().map(|r| r.seq) else {
            break;
        };
        v.feed_rows(rows)?;
        match last.checked_add(1) {
            Some(next) => from = next,
            None => break,
        }
    }
    v.finish(min_size)
}
