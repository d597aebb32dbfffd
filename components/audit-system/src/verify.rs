//! Whole-chain verification: every signature (in parallel), every link, every timestamp, and the recomputed
//! Merkle root against the signed tree heads. Used on a live store and on an exported JSON Lines file.

use std::io::{BufRead, Write};

use serde::{Deserialize, Serialize};

use crate::entry::Entry;
use crate::error::{EntryFault, VerifyError};
use crate::frontier::Frontier;
use crate::hasher::Hash;
use crate::sign::{PublicKey, SignedTreeHead};
use crate::store::Store;

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

/// Checks entries fed in sequence order, in chunks.
pub(crate) struct ChainVerifier<'k> {
    key: &'k PublicKey,
    next_seq: u64,
    prev_hash: Hash,
    last_ts: u64,
    frontier: Frontier,
    /// Roots to check when the tree reaches their size, smallest size first.
    checkpoints: Vec<(u64, Hash)>,
    checked: usize,
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
            next_seq: 0,
            prev_hash: Hash::default(),
            last_ts: 0,
            frontier: Frontier::new(),
            checkpoints: Vec::new(),
            checked: 0,
            tree_head: None,
        };
        if let Some(sth) = tree_head {
            if !key.verify_tree_head(&sth) {
                return Err(VerifyError::BadTreeHeadSignature { size: sth.size });
            }
            v.tree_head = Some(sth.size);
            v.add_checkpoint(sth.size, sth.root)?;
        }
        Ok(v)
    }

    /// Also checks that the root over the first `size` entries is `root`.
    /// Call before feeding any entry.
    pub(crate) fn add_checkpoint(&mut self, size: u64, root: Hash) -> Result<(), VerifyError> {
        self.checkpoints.push((size, root));
        self.checkpoints.sort_by_key(|c| c.0);
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

    /// Checks the next run of entries; reports the first bad one.
    pub(crate) fn feed(&mut self, entries: &[Entry]) -> Result<(), VerifyError> {
        let sigs = signatures_ok(self.key, entries);
        for (e, sig_ok) in entries.iter().zip(sigs) {
            let fault = |fault| VerifyError::Entry { seq: e.seq, fault };
            if e.seq > self.next_seq {
                return Err(VerifyError::Entry {
                    seq: self.next_seq,
                    fault: EntryFault::Missing,
                });
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
            self.frontier.push(computed);
            self.next_seq += 1;
            self.prev_hash = computed;
            self.last_ts = e.timestamp_ns;
            self.check_reached()?;
        }
        Ok(())
    }

    /// Ends verification: the log must be at least `min_size` long and cover the tree head.
    pub(crate) fn finish(self, min_size: u64) -> Result<VerifyReport, VerifyError> {
        let size = self.frontier.size();
        let expected = self
            .checkpoints
            .iter()
            .map(|c| c.0)
            .max()
            .unwrap_or(0)
            .max(min_size);
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

pub(crate) fn write_line(w: &mut impl Write, line: &ExportLine) -> std::io::Result<()> {
    serde_json::to_writer(&mut *w, line)?;
    w.write_all(b"\n")
}

/// Verifies a JSON Lines export (from [`AuditLog::export_jsonl`](crate::AuditLog::export_jsonl)) offline, with
/// nothing but the log's public key: every entry, every link, and the root against the signed tree head on the
/// last line.
///
/// # Errors
/// [`VerifyError`] naming the first bad entry or line.
pub fn verify_export(reader: impl BufRead, key: &PublicKey) -> Result<VerifyReport, VerifyError> {
    let mut entries = Vec::new();
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
            Ok(ExportLine::Entry(e)) => entries.push(e),
            Ok(ExportLine::TreeHead(h)) => head = Some(h),
            Err(e) => {
                return Err(VerifyError::Malformed {
                    line: n,
                    reason: e.to_string(),
                });
            }
        }
    }
    let Some(head) = head else {
        return Err(VerifyError::Malformed {
            line: 0,
            reason: "no signed tree head".into(),
        });
    };
    let size = head.size;
    let mut v = ChainVerifier::new(key, Some(head))?;
    v.feed(&entries)?;
    let report = v.finish(size)?;
    if report.size != size {
        return Err(VerifyError::Entry {
            seq: size,
            fault: EntryFault::Unexpected,
        });
    }
    Ok(report)
}

/// Verifies a store on its own (no open log needed, e.g. after a crash or on a copied file), with nothing but
/// the public key: dense sequence, every leaf hash, link, timestamp and signature, and the recomputed root
/// against the latest signed tree head in the store.
///
/// # Errors
/// [`VerifyError`] naming the first bad entry (or the truncation / root mismatch).
pub fn verify_store(store: &dyn Store, key: &PublicKey) -> Result<VerifyReport, VerifyError> {
    verify_stored(store, key, None)
}

/// [`verify_store`], also checking that the first `expected.0` entries have root `expected.1`.
pub(crate) fn verify_stored(
    store: &dyn Store,
    key: &PublicKey,
    expected: Option<(u64, Hash)>,
) -> Result<VerifyReport, VerifyError> {
    let mut v = ChainVerifier::new(key, store.latest_tree_head()?)?;
    let mut min_size = 0;
    if let Some((size, root)) = expected {
        v.add_checkpoint(size, root)?;
        min_size = size;
    }
    // Read up to the highest stored entry: entries committed after a snapshot are verified too (they are in
    // the store before they are published), so concurrent appends are not mistaken for inserted rows.
    let end = store.last_entry()?.map_or(0, |e| e.seq + 1).max(min_size);
    let mut at = 0;
    while at < end {
        let chunk = store.entries(at..at.saturating_add(CHUNK).min(end))?;
        v.feed(&chunk)?;
        at += CHUNK;
    }
    v.finish(min_size)
}
