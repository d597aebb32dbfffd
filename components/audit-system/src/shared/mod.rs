//! [`SharedLog`]: one audit log in PostgreSQL, appended to by several processes at once.
//!
//! # How appends are ordered
//!
//! Within a process, threads' appends share transactions ([`group`]). Across processes, the database
//! decides: the committer's transaction first locks the one-row `log_head` table (`SELECT ... FOR UPDATE`),
//! and while it holds that lock nobody else can append. Under the lock it reads the tail (size, last leaf
//! hash, last timestamp); entries are numbered, timestamped and linked from *that* tail, signed, inserted
//! with the tree nodes they complete, the head row is moved past them, and the transaction commits. Only then
//! is an append acknowledged. So whatever the interleaving, the log has no fork, no gap and no repeated
//! number (and `entries.seq` is a primary key besides).
//!
//! To keep the lock short in the common case, the committer numbers and signs the group *before* taking
//! the lock, against its cached view of the tail; under the lock it only checks that the tail is still the
//! one it signed against. If another process appended meanwhile, it reloads the tail and the Merkle frontier
//! (O(log n) node reads) under the lock and numbers and signs again.
//!
//! # What each process sees
//!
//! The process caches the tail and frontier it last committed or read. [`SharedLog::tree`] reads the head row
//! (one query) and refreshes the cache from the stored peaks when another process moved it, so sizes, roots,
//! published heads, proofs and [`SharedLog::verify`] always describe the whole shared log.
//!
//! # Signing
//!
//! Every writer holds the same log key (see the crate README for why, and for what an auditor checks).

mod group;

use std::io::Write;

use crate::attest::Attestation;
use crate::entry::{Entry, EntryContent, Limits, UnsignedEntry};
use crate::error::{AuditError, VerifyError};
use crate::frontier::Frontier;
use crate::hasher::Hash;
use crate::proof::{ConsistencyProof, InclusionProof, NodeSource, root_at};
use crate::sequencer::{Receipt, SequencerState};
use crate::sign::{LogKey, PublicKey, SignedTreeHead};
use crate::store::{PostgresStore, Query, Store, Tail, lock_tail, node_hashes_on, write_group};
use crate::sync::{Mutex, now_ns};
use crate::tree_math::{NodeId, perfect_cover};
use crate::verify::{VerifyReport, verify_stored, write_export};

use group::{Failure, GroupCommit};

/// Entries below which signing stays on the committer's thread.
const PARALLEL_SIGNING: usize = 256;

/// A tail of the log and the Merkle frontier over it.
#[derive(Clone, Debug, Default)]
struct View {
    tail: Tail,
    frontier: Frontier,
}

/// A group numbered, signed and hashed into the tree against one view.
struct Sequenced {
    entries: Vec<Entry>,
    nodes: Vec<(NodeId, Hash)>,
    after: View,
}

/// Numbers `contents` after `view`'s tail (timestamps clamped never to go backwards), signs them (on several
/// threads for large groups) and extends the frontier.
fn sequence(view: &View, contents: Vec<EntryContent>, now: u64, key: &LogKey) -> Sequenced {
    let t = view.tail;
    let mut state = SequencerState::resume(t.size, t.last_ts, t.last_hash);
    let drafts: Vec<UnsignedEntry> = contents
        .into_iter()
        .map(|c| state.reserve(now, c))
        .collect();
    let sign = |ds: &[UnsignedEntry]| -> Vec<[u8; 64]> {
        ds.iter().map(|d| key.sign_entry_hash(&d.hash)).collect()
    };
    let threads = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .clamp(1, 8);
    let sigs: Vec<[u8; 64]> = if drafts.len() < PARALLEL_SIGNING || threads == 1 {
        sign(&drafts)
    } else {
        let chunk = drafts.len().div_ceil(threads);
        std::thread::scope(|s| {
            let handles: Vec<_> = drafts.chunks(chunk).map(|c| s.spawn(|| sign(c))).collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
                .collect()
        })
    };
    let mut frontier = view.frontier.clone();
    let mut nodes = Vec::with_capacity(drafts.len() + 8);
    let entries: Vec<Entry> = drafts
        .into_iter()
        .zip(sigs)
        .map(|(d, sig)| {
            frontier.push_with(d.hash, |id, h| nodes.push((id, h)));
            d.with_signature(sig)
        })
        .collect();
    let after = View {
        tail: Tail {
            size: state.next_seq(),
            last_hash: state.head(),
            last_ts: state.last_ts(),
        },
        frontier,
    };
    Sequenced {
        entries,
        nodes,
        after,
    }
}

/// A signed, tamper-evident audit log in a PostgreSQL schema, shared by any number of writer processes (each
/// holding the log key) and threads. `Sync`: share it in an `Arc`.
///
/// Invariants, across all processes: entries are numbered densely from 0, each links to the previous entry's
/// leaf hash, timestamps never decrease, every entry and published head is signed by the log key, and the
/// stored Merkle tree describes exactly the committed entries. An append returns only after the COMMIT that
/// wrote it (with `synchronous_commit = on`).
pub struct SharedLog {
    store: PostgresStore,
    key: LogKey,
    limits: Limits,
    view: Mutex<View>,
    group: GroupCommit,
}

impl std::fmt::Debug for SharedLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SharedLog")
            .field("store", &self.store)
            .field("key", &self.key)
            .finish_non_exhaustive()
    }
}

impl SharedLog {
    /// Connects to the server at `url` and opens (or creates) the log in `schema`, signing with `key`, with
    /// the default [`Limits`].
    ///
    /// # Errors
    /// Those of [`PostgresStore::connect`] and [`Self::with_store`].
    pub fn connect(url: &str, schema: &str, key: LogKey) -> Result<Self, AuditError> {
        Self::with_store(PostgresStore::connect(url, schema)?, key, Limits::default())
    }

    /// Opens the log in `store`, signing with `key`.
    ///
    /// # Errors
    /// [`AuditError::KeyMismatch`] if the log belongs to another key; [`AuditError::Damaged`] naming the first
    /// bad entry or node if the stored tree cannot be rebuilt; server errors.
    pub fn with_store(
        store: PostgresStore,
        key: LogKey,
        limits: Limits,
    ) -> Result<Self, AuditError> {
        store.bind_key(&key.public_key())?;
        let log = Self {
            store,
            key,
            limits,
            view: Mutex::new(View::default()),
            group: GroupCommit::default(),
        };
        match log.tree() {
            Ok(_) => Ok(log),
            // The stored tree cannot be rebuilt: name the damage.
            Err(AuditError::MissingNodes) => Err(
                match verify_stored(&log.store, &log.key.public_key(), &[], None) {
                    Err(v) => AuditError::Damaged(Box::new(v)),
                    Ok(_) => AuditError::MissingNodes,
                },
            ),
            Err(e) => Err(e),
        }
    }

    /// Appends one entry and returns once the transaction carrying it committed.
    ///
    /// # Errors
    /// Invalid content ([`AuditError::BadField`], [`AuditError::PayloadTooLarge`], [`AuditError::InvalidJson`])
    /// before anything is sent; [`AuditError::CommitFailed`] if the server or connection failed (the append is
    /// not acknowledged; the next append reconnects).
    pub fn append(
        &self,
        actor: &str,
        action: &str,
        payload_json: &str,
    ) -> Result<Receipt, AuditError> {
        let content = EntryContent::new(actor, action, payload_json, &self.limits)?;
        self.single(content)
    }

    /// Appends one entry carrying `attestations` (see [`crate::AuditLog::append_attested`]).
    ///
    /// # Errors
    /// As [`Self::append`], and those of [`EntryContent::with_attestations`].
    pub fn append_attested(
        &self,
        actor: &str,
        action: &str,
        payload_json: &str,
        attestations: Vec<Attestation>,
    ) -> Result<Receipt, AuditError> {
        let content = EntryContent::new(actor, action, payload_json, &self.limits)?
            .with_attestations(attestations)?;
        self.single(content)
    }

    fn single(&self, content: EntryContent) -> Result<Receipt, AuditError> {
        self.group
            .submit(vec![content], |c| self.commit_group(c))?
            .pop()
            .ok_or(AuditError::CommitFailed {
                reason: "no receipt".into(),
                maybe_written: true,
            })
    }

    /// Appends several entries as consecutive sequence numbers in one transaction; returns once committed.
    ///
    /// # Errors
    /// As [`Self::append`]; if any item is invalid, nothing is sent.
    pub fn append_batch(&self, items: &[(&str, &str, &str)]) -> Result<Vec<Receipt>, AuditError> {
        let contents = items
            .iter()
            .map(|(a, t, p)| EntryContent::new(a, t, p, &self.limits))
            .collect::<Result<Vec<_>, _>>()?;
        self.group.submit(contents, |c| self.commit_group(c))
    }

    /// One transaction for a group of contents (see the module doc).
    fn commit_group(&self, contents: Vec<EntryContent>) -> Result<Vec<Receipt>, Failure> {
        let cached = self.view.lock().clone();
        let presigned = sequence(&cached, contents.clone(), now_ns(), &self.key);
        let mut at_commit = false;
        let result = self.store.with_writer(|client| {
            let mut tx = client.transaction()?;
            let tail = lock_tail(&mut tx)?;
            let group =
                if tail.size == cached.tail.size && tail.last_hash.ct_eq(&cached.tail.last_hash) {
                    presigned
                } else {
                    // Another process appended since: number and sign again from the tail it left.
                    let peaks = node_hashes_on(&mut tx, &perfect_cover(0..tail.size))?;
                    let frontier =
                        Frontier::from_peaks(tail.size, peaks).ok_or(AuditError::MissingNodes)?;
                    sequence(&View { tail, frontier }, contents, now_ns(), &self.key)
                };
            write_group(&mut tx, &group.entries, &group.nodes)?;
            at_commit = true;
            tx.commit()?;
            Ok(group)
        });
        match result {
            Ok(group) => {
                let receipts = group
                    .entries
                    .iter()
                    .map(|e| Receipt {
                        seq: e.seq,
                        timestamp_ns: e.timestamp_ns,
                        hash: e.hash,
                    })
                    .collect();
                self.remember(group.after);
                Ok(receipts)
            }
            Err(e) => Err(Failure {
                reason: e.to_string(),
                maybe_written: at_commit,
            }),
        }
    }

    /// Keeps `view` as the cached one if it is newer.
    fn remember(&self, view: View) {
        let mut v = self.view.lock();
        if view.tail.size >= v.tail.size {
            *v = view;
        }
    }

    /// The size and Merkle root of the whole shared log now (one query; O(log n) node reads more if another
    /// process appended since this one last looked), taken together.
    ///
    /// # Errors
    /// Server errors.
    pub fn tree(&self) -> Result<(u64, Hash), AuditError> {
        let tail = self.store.tail()?;
        {
            let v = self.view.lock();
            if v.tail.size == tail.size && v.tail.last_hash.ct_eq(&tail.last_hash) {
                return Ok((tail.size, v.frontier.root()));
            }
        }
        let peaks = self.store.node_hashes(&perfect_cover(0..tail.size))?;
        let frontier = Frontier::from_peaks(tail.size, peaks).ok_or(AuditError::MissingNodes)?;
        let root = frontier.root();
        self.remember(View { tail, frontier });
        Ok((tail.size, root))
    }

    /// Number of entries in the shared log now.
    ///
    /// # Errors
    /// Server errors.
    pub fn len(&self) -> Result<u64, AuditError> {
        Ok(self.store.tail()?.size)
    }

    /// Returns true if and only if the shared log has no entry.
    ///
    /// # Errors
    /// Server errors.
    pub fn is_empty(&self) -> Result<bool, AuditError> {
        Ok(self.len()? == 0)
    }

    fn check_size(&self, size: u64) -> Result<(), AuditError> {
        if size <= self.view.lock().tail.size {
            return Ok(());
        }
        let now = self.len()?;
        if size > now {
            return Err(AuditError::SizeOutOfRange {
                requested: size,
                size: now,
            });
        }
        Ok(())
    }

    /// Signs the current head of the whole shared log (every entry it covers is committed, hence durable),
    /// stores it and returns it for publication.
    ///
    /// # Errors
    /// Server errors; then no head was returned.
    pub fn publish_tree_head(&self) -> Result<SignedTreeHead, AuditError> {
        let (size, root) = self.tree()?;
        self.store.sync()?;
        let sth = self.key.sign_tree_head(size, now_ns(), root);
        self.store.save_tree_head(&sth)?;
        Ok(sth)
    }

    /// The Merkle root of the first `size` entries.
    ///
    /// # Errors
    /// [`AuditError::SizeOutOfRange`] beyond the log; server errors.
    pub fn root_at(&self, size: u64) -> Result<Hash, AuditError> {
        self.check_size(size)?;
        root_at(&self.store, size)
    }

    /// The proof that entry `seq` is in the tree of the first `size` entries.
    ///
    /// # Errors
    /// [`AuditError::SizeOutOfRange`], [`AuditError::Proof`] if `seq >= size`; server errors.
    pub fn inclusion_proof(&self, seq: u64, size: u64) -> Result<InclusionProof, AuditError> {
        self.check_size(size)?;
        InclusionProof::build(&self.store, seq, size)
    }

    /// The proof that the first `old_size` entries are a prefix of the first `new_size`.
    ///
    /// # Errors
    /// [`AuditError::SizeOutOfRange`], [`AuditError::Proof`] if `old_size > new_size`; server errors.
    pub fn consistency_proof(
        &self,
        old_size: u64,
        new_size: u64,
    ) -> Result<ConsistencyProof, AuditError> {
        self.check_size(new_size)?;
        ConsistencyProof::build(&self.store, old_size, new_size)
    }

    /// Checks that the log extends `head`, an earlier signed head kept elsewhere (see
    /// [`crate::AuditLog::check_extends`]).
    ///
    /// # Errors
    /// [`VerifyError::BadTreeHeadSignature`], [`VerifyError::Truncated`], [`VerifyError::Inconsistent`],
    /// [`VerifyError::Read`].
    pub fn check_extends(&self, head: &SignedTreeHead) -> Result<(), VerifyError> {
        if !self.public_key().verify_tree_head(head) {
            return Err(VerifyError::BadTreeHeadSignature { size: head.size });
        }
        let (size, root) = self.tree()?;
        if head.size > size {
            return Err(VerifyError::Truncated {
                expected: head.size,
                found: size,
            });
        }
        let inconsistent = VerifyError::Inconsistent {
            old_size: head.size,
            new_size: size,
        };
        match ConsistencyProof::build(&self.store, head.size, size) {
            Ok(proof) => proof.verify(&head.root, &root).map_err(|_| inconsistent),
            Err(AuditError::MissingNodes) => Err(inconsistent),
            Err(e) => Err(e.into()),
        }
    }

    /// The entry `seq`, if committed.
    ///
    /// # Errors
    /// Server errors.
    pub fn entry(&self, seq: u64) -> Result<Option<Entry>, AuditError> {
        Ok(self.store.entries(seq..seq.saturating_add(1))?.pop())
    }

    /// Entries matching `query` (served by indexes); page through large results with
    /// [`Store::query_page`] on [`Self::store`].
    ///
    /// # Errors
    /// Server errors.
    pub fn query(&self, query: &Query) -> Result<Vec<Entry>, AuditError> {
        self.store.query(query)
    }

    /// The log's public key, for verifiers.
    #[must_use]
    pub fn public_key(&self) -> PublicKey {
        self.key.public_key()
    }

    /// The underlying store.
    #[must_use]
    pub fn store(&self) -> &PostgresStore {
        &self.store
    }

    /// Verifies the whole shared log as it is now: dense sequence, every leaf hash, link, timestamp,
    /// signature and attestation, every stored tree node, the latest signed head, and the root against the
    /// head row. Entries other processes commit while it runs are verified too. Time linear in the rows,
    /// memory one chunk.
    ///
    /// # Errors
    /// [`VerifyError`] naming the first bad entry or node (or the truncation / root mismatch).
    pub fn verify(&self) -> Result<VerifyReport, VerifyError> {
        let expected = self.tree()?;
        verify_stored(&self.store, &self.key.public_key(), &[], Some(expected))
    }

    /// Writes the log as JSON Lines with a freshly signed head as the last line (see
    /// [`crate::AuditLog::export_jsonl`]); verify it offline with [`crate::verify_export`].
    ///
    /// # Errors
    /// Server or write errors.
    pub fn export_jsonl(&self, out: impl Write) -> Result<SignedTreeHead, AuditError> {
        let sth = self.publish_tree_head()?;
        write_export(&self.store, &self.public_key(), &sth, out)?;
        Ok(sth)
    }
}
