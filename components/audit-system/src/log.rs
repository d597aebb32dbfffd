//! [`AuditLog`]: the public face of the crate, tying sequencer, signer, store and proofs together.

use std::io::Write;
use std::path::Path;

use crate::attest::Attestation;
use crate::entry::{Entry, EntryContent, Limits};
use crate::error::{AuditError, VerifyError};

use crate::frontier::Frontier;
use crate::hasher::Hash;
use crate::proof::{ConsistencyProof, InclusionProof, root_at};
use crate::sequencer::{AppendError, Receipt, Sequencer};
use crate::sign::{LogKey, PublicKey, SignedTreeHead};
use crate::store::{Durability, MemoryStore, Query, SqliteStore, Store};
use crate::sync::{Mutex, now_ns};
use crate::tree_math::perfect_cover;
use crate::verify::{VerifyReport, verify_stored, write_export};
use crate::witness::Witness;

/// Entries per page of [`AuditLog::query_iter`].
const PAGE: usize = 256;

/// Rebuilds the sequencer from a store's last entry and the peaks of its tree.
fn resume(store: &dyn Store) -> Result<Sequencer, AuditError> {
    Ok(match store.last_entry()? {
        None => Sequencer::new(),
        Some(last) => {
            let size = last.seq.checked_add(1).ok_or(AuditError::MissingNodes)?;
            let peaks = store.node_hashes(&perfect_cover(0..size))?;
            let frontier = Frontier::from_peaks(size, peaks).ok_or(AuditError::MissingNodes)?;
            Sequencer::resume(frontier, last.hash, last.timestamp_ns)
        }
    })
}

/// The entries of a query, streamed a page at a time (see [`AuditLog::query_iter`]).
pub struct QueryIter<'a> {
    store: &'a dyn Store,
    query: Query,
    after: Option<(u64, u64)>,
    page: std::vec::IntoIter<Entry>,
    remaining: usize,
    done: bool,
}

impl std::fmt::Debug for QueryIter<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QueryIter")
            .field("query", &self.query)
            .field("after", &self.after)
            .finish_non_exhaustive()
    }
}

impl Iterator for QueryIter<'_> {
    type Item = Result<Entry, AuditError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.remaining == 0 || self.done {
            return None;
        }
        if let Some(e) = self.page.next() {
            self.remaining -= 1;
            self.after = Some((e.timestamp_ns, e.seq));
            return Some(Ok(e));
        }
        match self
            .store
            .query_page(&self.query, self.after, PAGE.min(self.remaining))
        {
            Ok(page) if page.is_empty() => {
                self.done = true;
                None
            }
            Ok(page) => {
                self.page = page.into_iter();
                self.next()
            }
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }
}

/// A signed, tamper-evident, append-only audit log.
///
/// Invariants: committed entries are numbered densely from 0; each links to the previous entry's leaf hash;
/// timestamps never decrease; every entry is signed by the log key; the committed Merkle tree (root, proofs)
/// always describes exactly the committed entries. `AuditLog` is `Sync`: share it with `Arc` and append from
/// any number of threads.
pub struct AuditLog {
    store: Box<dyn Store>,
    sequencer: Sequencer,
    key: LogKey,
    limits: Limits,
    witness: Option<Witness>,
    /// Serialises head publication, so the witness only ever moves forward.
    publishing: Mutex<()>,
}

impl std::fmt::Debug for AuditLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuditLog")
            .field("size", &self.len())
            .field("key", &self.key)
            .finish_non_exhaustive()
    }
}

impl AuditLog {
    /// Opens (or creates) a log in the SQLite file at `path`, signing with `key`, with the default
    /// [`Durability::ProcessCrash`] and [`Limits`].
    ///
    /// # Errors
    /// Those of [`SqliteStore::open`] and [`Self::with_store`].
    pub fn open(path: impl AsRef<Path>, key: LogKey) -> Result<Self, AuditError> {
        Self::open_with(path, key, Durability::default(), Limits::default())
    }

    /// Opens (or creates) a log in the SQLite file at `path` with the given durability and limits.
    ///
    /// # Errors
    /// Those of [`SqliteStore::open`] and [`Self::with_store`].
    pub fn open_with(
        path: impl AsRef<Path>,
        key: LogKey,
        durability: Durability,
        limits: Limits,
    ) -> Result<Self, AuditError> {
        Self::with_store(SqliteStore::open_with(path, durability)?, key, limits)
    }

    /// A volatile log in memory.
    #[must_use]
    pub fn in_memory(key: LogKey) -> Self {
        let store = MemoryStore::new();
        // A fresh memory store holds no key and no entries, so binding and resuming cannot fail.
        let _ = store.bind_key(&key.public_key());
        Self {
            store: Box::new(store),
            sequencer: Sequencer::new(),
            key,
            limits: Limits::default(),
            witness: None,
            publishing: Mutex::new(()),
        }
    }

    /// Opens a log over any store, rebuilding the Merkle frontier and chain head from it (O(log n) reads).
    ///
    /// # Errors
    /// [`AuditError::KeyMismatch`] if the store belongs to another key; [`AuditError::Damaged`] naming the
    /// first bad entry or node if its rows or tree nodes are damaged (found by a full verification, run only
    /// when the frontier cannot be rebuilt); storage errors.
    pub fn with_store(
        store: impl Store + 'static,
        key: LogKey,
        limits: Limits,
    ) -> Result<Self, AuditError> {
        store.bind_key(&key.public_key())?;
        let sequencer = match resume(&store) {
            Ok(s) => s,
            Err(e) => {
                // Name the damage: inserted rows far ahead, negative or unreadable rows, missing nodes.
                return Err(match verify_stored(&store, &key.public_key(), &[], None) {
                    Err(v) => AuditError::Damaged(Box::new(v)),
                    Ok(_) => e,
                });
            }
        };
        Ok(Self {
            store: Box::new(store),
            sequencer,
            key,
            limits,
            witness: None,
            publishing: Mutex::new(()),
        })
    }

    /// Opens (or creates) a log in the SQLite file at `db`, witnessed by the file at `witness` (see
    /// [`Self::with_witness`]).
    ///
    /// # Errors
    /// Those of [`Self::open`] and [`Self::with_witness`].
    pub fn open_witnessed(
        db: impl AsRef<Path>,
        key: LogKey,
        witness: impl AsRef<Path>,
    ) -> Result<Self, AuditError> {
        Self::open(db, key)?.with_witness(witness)
    }

    /// Binds the log to a witness file kept outside the database (see [`crate::witness`]): the log must
    /// extend the head it holds, now and in every [`Self::verify`], and every published head replaces it.
    /// If the file does not exist, the current head is published into it.
    ///
    /// # Errors
    /// [`AuditError::NotWitnessed`] if the log is shorter than the witnessed head (truncated) or does not
    /// extend it (rewritten); [`AuditError::WitnessInvalid`]; storage and I/O errors.
    pub fn with_witness(mut self, path: impl AsRef<Path>) -> Result<Self, AuditError> {
        let witness = Witness::new(path);
        let head = witness.load()?;
        self.witness = Some(witness);
        match head {
            Some(head) => self
                .check_extends(&head)
                .map_err(|e| AuditError::NotWitnessed(Box::new(e)))?,
            None => {
                self.publish_tree_head()?;
            }
        }
        Ok(self)
    }

    /// The witness file, if the log has one.
    #[must_use]
    pub fn witness(&self) -> Option<&Witness> {
        self.witness.as_ref()
    }

    /// Checks that the log extends `head`, an earlier signed tree head of this log kept elsewhere (a witness,
    /// the last head a pipeline handed out, an auditor's copy): its signature verifies, the log is at least
    /// as long, and a consistency proof from `head` to the current tree verifies. O(log n) node reads.
    ///
    /// # Errors
    /// [`VerifyError::BadTreeHeadSignature`]; [`VerifyError::Truncated`] if the log shrank;
    /// [`VerifyError::Inconsistent`] if history was rewritten; [`VerifyError::Read`] for storage errors.
    pub fn check_extends(&self, head: &SignedTreeHead) -> Result<(), VerifyError> {
        if !self.public_key().verify_tree_head(head) {
            return Err(VerifyError::BadTreeHeadSignature { size: head.size });
        }
        let (size, root) = self.tree();
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
        match ConsistencyProof::build(&*self.store, head.size, size) {
            Ok(proof) => proof.verify(&head.root, &root).map_err(|_| inconsistent),
            Err(AuditError::MissingNodes) => Err(inconsistent),
            Err(e) => Err(e.into()),
        }
    }

    /// Appends one entry and returns once it is durable.
    ///
    /// # Errors
    /// Invalid content ([`AuditError::BadField`], [`AuditError::PayloadTooLarge`], [`AuditError::InvalidJson`])
    /// before anything is sequenced; a storage error or [`AuditError::Aborted`] if the commit failed (then
    /// nothing of this entry is written and the log continues gap-free).
    pub fn append(
        &self,
        actor: &str,
        action: &str,
        payload_json: &str,
    ) -> Result<Receipt, AuditError> {
        let content = EntryContent::new(actor, action, payload_json, &self.limits)?;
        let mut receipts = self.append_contents(vec![content])?;
        receipts
            .pop()
            .ok_or(AuditError::Aborted { seq: self.len() })
    }

    /// Appends one entry carrying `attestations` (statements signed by others, e.g. a reviewer's signed
    /// decision), and returns once it is durable. The attestations are stored with the entry, covered by its
    /// hash and the log's signature, exported with it, and checked again by [`Self::verify`] and
    /// [`crate::verify_export`].
    ///
    /// # Errors
    /// As [`Self::append`], and [`AuditError::BadAttestation`], [`AuditError::TooManyAttestations`],
    /// [`AuditError::StatementTooLarge`] before anything is sequenced.
    pub fn append_attested(
        &self,
        actor: &str,
        action: &str,
        payload_json: &str,
        attestations: Vec<Attestation>,
    ) -> Result<Receipt, AuditError> {
        let content = EntryContent::new(actor, action, payload_json, &self.limits)?
            .with_attestations(attestations)?;
        let mut receipts = self.append_contents(vec![content])?;
        receipts
            .pop()
            .ok_or(AuditError::Aborted { seq: self.len() })
    }

    /// Appends several entries as consecutive sequence numbers, in one reservation; returns once all are
    /// durable. Batching amortises locking and fsync further than group commit alone.
    ///
    /// # Errors
    /// As [`Self::append`]; if any item is invalid, nothing is sequenced. If a commit fails part-way through a
    /// large batch, [`AuditError::Aborted`]`{ seq }` (or the store error) is returned and the batch's entries
    /// before `seq` are durable, those from `seq` on are not written.
    pub fn append_batch(&self, items: &[(&str, &str, &str)]) -> Result<Vec<Receipt>, AuditError> {
        let contents = items
            .iter()
            .map(|(a, t, p)| EntryContent::new(a, t, p, &self.limits))
            .collect::<Result<Vec<_>, _>>()?;
        self.append_contents(contents)
    }

    fn append_contents(&self, contents: Vec<EntryContent>) -> Result<Vec<Receipt>, AuditError> {
        self.sequencer
            .append_with(
                contents,
                now_ns(),
                |d| self.key.sign_entry_hash(&d.hash),
                |group, nodes| self.store.commit(group, nodes),
            )
            .map_err(|e| match e {
                AppendError::Commit(e) => e,
                AppendError::Aborted { seq } => AuditError::Aborted { seq },
                AppendError::Poisoned => AuditError::Poisoned,
            })
    }

    /// Number of committed entries.
    #[must_use]
    pub fn len(&self) -> u64 {
        self.sequencer.committed_size()
    }

    /// Returns true if and only if no entry is committed.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The size and Merkle root of the committed log, taken together (a consistent prefix).
    #[must_use]
    pub fn tree(&self) -> (u64, Hash) {
        let f = self.sequencer.committed();
        (f.size(), f.root())
    }

    /// The Merkle root of the committed log.
    #[must_use]
    pub fn root(&self) -> Hash {
        self.tree().1
    }

    /// The Merkle root of the first `size` entries (O(log n) node reads).
    ///
    /// # Errors
    /// [`AuditError::SizeOutOfRange`] beyond the committed size; storage errors.
    pub fn root_at(&self, size: u64) -> Result<Hash, AuditError> {
        self.check_size(size)?;
        root_at(&*self.store, size)
    }

    fn check_size(&self, size: u64) -> Result<(), AuditError> {
        let committed = self.len();
        if size > committed {
            return Err(AuditError::SizeOutOfRange {
                requested: size,
                size: committed,
            });
        }
        Ok(())
    }

    /// Makes the committed log durable, then signs its head, persists it, replaces the witness (if any) and
    /// returns it for publication.
    ///
    /// Whatever the durability of plain appends ([`Durability::ProcessCrash`] does not fsync them), a head is
    /// signed only after [`Store::sync`] made every entry it covers survive power loss, so a published head
    /// can never cover entries that a power loss rolls back (which would let later appends fork it). Costs
    /// one fsync (two with a witness); plain appends are unaffected.
    ///
    /// # Errors
    /// Storage and I/O errors; then no head was returned.
    pub fn publish_tree_head(&self) -> Result<SignedTreeHead, AuditError> {
        let _one_at_a_time = self.publishing.lock();
        let (size, root) = self.tree();
        self.store.sync()?;
        let sth = self.key.sign_tree_head(size, now_ns(), root);
        self.store.save_tree_head(&sth)?;
        if let Some(w) = &self.witness {
            w.store(&sth)?;
        }
        Ok(sth)
    }

    /// The proof that entry `seq` is in the tree of the first `size` entries.
    ///
    /// # Errors
    /// [`AuditError::SizeOutOfRange`], [`AuditError::Proof`] if `seq >= size`; storage errors.
    pub fn inclusion_proof(&self, seq: u64, size: u64) -> Result<InclusionProof, AuditError> {
        self.check_size(size)?;
        InclusionProof::build(&*self.store, seq, size)
    }

    /// The proof that the first `old_size` entries are a prefix of the first `new_size`.
    ///
    /// # Errors
    /// [`AuditError::SizeOutOfRange`], [`AuditError::Proof`] if `old_size > new_size`; storage errors.
    pub fn consistency_proof(
        &self,
        old_size: u64,
        new_size: u64,
    ) -> Result<ConsistencyProof, AuditError> {
        self.check_size(new_size)?;
        ConsistencyProof::build(&*self.store, old_size, new_size)
    }

    /// The committed entry `seq`, if any.
    ///
    /// # Errors
    /// Storage errors.
    pub fn entry(&self, seq: u64) -> Result<Option<Entry>, AuditError> {
        Ok(self.store.entries(seq..seq.saturating_add(1))?.pop())
    }

    /// Entries matching `query` (served by indexes in SQLite).
    ///
    /// # Errors
    /// Storage errors.
    pub fn query(&self, query: &Query) -> Result<Vec<Entry>, AuditError> {
        self.store.query(query)
    }

    /// Streams the entries matching `query` page by page (keyset pagination on `(timestamp, seq)`), so
    /// memory stays bounded by one page however many entries match; honours the query's limit and order.
    /// Prefer it to [`Self::query`] for queries without a small limit.
    #[must_use]
    pub fn query_iter(&self, query: Query) -> QueryIter<'_> {
        QueryIter {
            store: &*self.store,
            remaining: query.limit.unwrap_or(usize::MAX),
            query,
            after: None,
            page: Vec::new().into_iter(),
            done: false,
        }
    }

    /// The log's public key, for verifiers.
    #[must_use]
    pub fn public_key(&self) -> PublicKey {
        self.key.public_key()
    }

    /// The underlying store.
    #[must_use]
    pub fn store(&self) -> &dyn Store {
        &*self.store
    }

    /// Verifies the whole stored log: dense sequence, every leaf hash, link, timestamp, signature and
    /// attestation, every stored tree node, and the recomputed root against the latest signed tree head, the
    /// witness's head (if the log has a witness) and the in-memory tree. Time linear in the rows present,
    /// memory bounded by one chunk.
    ///
    /// # Errors
    /// [`VerifyError`] naming the first bad entry or node (or the truncation / root mismatch).
    pub fn verify(&self) -> Result<VerifyReport, VerifyError> {
        let witnessed = match &self.witness {
            Some(w) => w.load()?,
            None => None,
        };
        let (size, root) = self.tree();
        verify_stored(
            &*self.store,
            &self.key.public_key(),
            witnessed.as_slice(),
            Some((size, root)),
        )
    }

    /// Writes the committed log as JSON Lines: a header, one line per entry, and a freshly signed tree head
    /// (also persisted) as the last line. Verify it offline with [`crate::verify_export`].
    ///
    /// # Errors
    /// Storage or write errors.
    pub fn export_jsonl(&self, out: impl Write) -> Result<SignedTreeHead, AuditError> {
        let sth = self.publish_tree_head()?;
        write_export(&*self.store, &self.public_key(), &sth, out)?;
        Ok(sth)
    }
}
