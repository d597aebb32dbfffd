//! The ordering core: assigns sequence numbers, timestamps and previous-hash links under one small lock, lets
//! callers sign outside it, and commits signed entries strictly in order with group commit.
//!
//! # Protocol
//!
//! 1. **Reserve** (under the lock, no I/O): [`SequencerState::reserve`] gives each entry the next sequence
//!    number, a timestamp clamped to be no earlier than the previous one, and the previous entry's leaf hash;
//!    it computes the entry's leaf hash (which covers all of those and the content) and makes it the new chain
//!    head. A call with several contents reserves consecutive numbers in one acquisition. The reservation
//!    records the current *epoch*.
//! 2. **Sign** (no lock): the caller signs the leaf hash. Several threads sign in parallel.
//! 3. **Submit** (under the lock): signed entries go into a `ready` map keyed by sequence number, unless the
//!    epoch has changed meanwhile (then the call fails with `Aborted` and nothing of it is written).
//! 4. **Commit**: whoever finds no commit in progress and the next uncommitted sequence number ready becomes
//!    the committer, unless the entry right after the ready run belongs to a small call (at most
//!    [`SHARE_WITH_SIGNERS`] entries) that has reserved and is still signing: then it waits for that call
//!    instead, so that concurrent small appends share one transaction (the call that completes the run
//!    commits it; a signer always finishes or poisons, so the wait is bounded by one signing). It takes the
//!    longest run of consecutive ready entries (the group), releases the lock,
//!    extends a copy of the committed Merkle frontier, and writes entries plus new tree nodes in one
//!    transaction. Then, under the lock, it publishes the new frontier (readers now see the longer prefix) and
//!    wakes everyone. A caller returns once its last entry is committed, so acknowledged means durable.
//! 5. **Failure**: if a commit fails, nothing of the group was written. The committer ends the epoch: it
//!    clears `ready`, rewinds the sequencer to the committed size and head, and bumps the epoch. Every entry
//!    reserved in the old epoch and not committed fails with `Aborted` (or the store error, for the
//!    committer), and later entries are reserved afresh after the last *durable* entry. So a failed commit can
//!    never leave a hole that later entries link past, and no sequence number is ever committed twice.
//!
//! 6. **Panic**: if a signer or a commit panics, the panic is caught where it happens and the sequencer is
//!    *poisoned*: the panicking call, every waiting call whose entries were not committed, and every later
//!    call return [`AppendError::Poisoned`]. Nothing waits for an entry that will never be submitted or for a
//!    committer that will never return, and nothing guesses what a panicking commit wrote: the owner reopens
//!    the log from what is durable.
//!
//! Commits happen in sequence order only (`ready` is drained from the committed size upward), and the
//! committer role is exclusive, so the chain never forks. Everything here takes its locks from
//! [`crate::sync`], so the `loom-tests` crate model-checks this very code.

use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};

use crate::entry::{Entry, EntryContent, UnsignedEntry};
use crate::frontier::Frontier;
use crate::hasher::Hash;
use crate::sync::{Condvar, Mutex};
use crate::tree_math::NodeId;

/// A ready run is not committed while the call right after it, of at most this many entries, is still
/// signing: waiting one signature (tens of microseconds) lets concurrent small appends share a commit, whose
/// fixed cost (a SQLite transaction, tens of microseconds) is what bounds unbatched appends. Larger calls
/// are not waited for (signing 1024 entries takes milliseconds; the committer writes what is ready while
/// they sign).
pub const SHARE_WITH_SIGNERS: u64 = 32;

/// The pure, lock-free sequencing state: next number, last timestamp, chain head.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SequencerState {
    next_seq: u64,
    last_ts: u64,
    head: Hash,
}

impl SequencerState {
    /// The state of an empty log (head is all zeros).
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// The state after `next_seq` entries, the last with timestamp `last_ts` and leaf hash `head`.
    #[must_use]
    pub fn resume(next_seq: u64, last_ts: u64, head: Hash) -> Self {
        Self {
            next_seq,
            last_ts,
            head,
        }
    }

    /// The number the next entry gets.
    #[must_use]
    pub fn next_seq(&self) -> u64 {
        self.next_seq
    }

    /// The leaf hash of the last reserved entry.
    #[must_use]
    pub fn head(&self) -> Hash {
        self.head
    }

    /// The timestamp of the last reserved entry.
    #[must_use]
    pub fn last_ts(&self) -> u64 {
        self.last_ts
    }

    /// The entry `content` would become if reserved now. Does not change the state: [`Self::reserve`] is
    /// `draft` followed by [`Self::advance`] in one exclusive borrow; splitting them across two lock
    /// acquisitions forks the chain.
    #[must_use]
    pub fn draft(&self, now_ns: u64, content: EntryContent) -> UnsignedEntry {
        UnsignedEntry::new(self.next_seq, now_ns.max(self.last_ts), self.head, content)
    }

    /// Makes `entry` the chain head. `entry` must be a [`Self::draft`] of this very state.
    pub fn advance(&mut self, entry: &UnsignedEntry) {
        self.next_seq = entry.seq + 1;
        self.last_ts = entry.timestamp_ns;
        self.head = entry.hash;
    }

    /// Gives `content` the next place in the chain and returns it, unsigned.
    pub fn reserve(&mut self, now_ns: u64, content: EntryContent) -> UnsignedEntry {
        let entry = self.draft(now_ns, content);
        self.advance(&entry);
        entry
    }
}

/// Where an acknowledged entry landed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Receipt {
    /// Its sequence number.
    pub seq: u64,
    /// Its timestamp (ns since the Unix epoch).
    pub timestamp_ns: u64,
    /// Its leaf hash.
    pub hash: Hash,
}

/// Why [`Sequencer::append_with`] failed.
#[derive(Debug, PartialEq, Eq)]
pub enum AppendError<E> {
    /// The entry at `seq` (and any after it in the same call) was discarded because a commit failed; entries of
    /// the same call before `seq` are durable.
    Aborted {
        /// First sequence number of the call that was not written.
        seq: u64,
    },
    /// This caller ran the failing commit; the store's error.
    Commit(E),
    /// A signer or a commit panicked (in this call or an earlier one); the sequencer accepts nothing more.
    Poisoned,
}

/// Interior nodes created by one commit: `(node, hash)` for every perfect subtree completed, levels >= 1.
pub type NewNodes = Vec<(NodeId, Hash)>;

#[derive(Debug)]
struct Core {
    seq: SequencerState,
    epoch: u64,
    /// `epoch_ends[e]` is the committed size when epoch `e` ended.
    epoch_ends: Vec<u64>,
    ready: BTreeMap<u64, Entry>,
    /// Calls that reserved and are still signing: first seq -> last seq (current epoch only).
    signing: BTreeMap<u64, u64>,
    committing: bool,
    committed: Frontier,
    committed_head: Hash,
    /// Set when a signer or commit panicked: every pending and later call fails with `Poisoned`.
    poisoned: bool,
}

impl Core {
    /// The end (exclusive) of the run of consecutive ready entries from the committed size, at most `max`
    /// long, and whether a commit of it should wait for the small call still signing right after it.
    fn ready_run(&self, max: usize) -> (u64, bool) {
        let next = self.committed.size();
        let mut end = next;
        while end - next < max as u64 && self.ready.contains_key(&end) {
            end += 1;
        }
        let wait = end - next < max as u64
            && self
                .signing
                .get(&end)
                .is_some_and(|last| last - end < SHARE_WITH_SIGNERS);
        (end, wait)
    }

    /// `Some(true)` if entry `last` of `epoch` is committed, `Some(false)` if it was discarded, `None` if pending.
    fn outcome(&self, last: u64, epoch: u64) -> Option<bool> {
        if epoch == self.epoch {
            (self.committed.size() > last).then_some(true)
        } else {
            let end = usize::try_from(epoch)
                .ok()
                .and_then(|e| self.epoch_ends.get(e))
                .copied()
                .unwrap_or(0);
            Some(end > last)
        }
    }
}

/// The thread-safe ordering core shared by all appenders (see the module doc for the protocol).
#[derive(Debug)]
pub struct Sequencer {
    core: Mutex<Core>,
    changed: Condvar,
    max_group: usize,
}

impl Default for Sequencer {
    fn default() -> Self {
        Self::new()
    }
}

impl Sequencer {
    /// The sequencer of an empty log.
    #[must_use]
    pub fn new() -> Self {
        Self::resume(Frontier::new(), Hash::default(), 0)
    }

    /// The sequencer of a log whose committed tree is `frontier`, whose last entry has leaf hash `head` and
    /// timestamp `last_ts`.
    #[must_use]
    pub fn resume(frontier: Frontier, head: Hash, last_ts: u64) -> Self {
        let core = Core {
            seq: SequencerState::resume(frontier.size(), last_ts, head),
            epoch: 0,
            epoch_ends: Vec::new(),
            ready: BTreeMap::new(),
            signing: BTreeMap::new(),
            committing: false,
            committed: frontier,
            committed_head: head,
            poisoned: false,
        };
        Self {
            core: Mutex::new(core),
            changed: Condvar::new(),
            max_group: 4096,
        }
    }

    /// A snapshot of the committed tree: its size and root always belong together (a consistent prefix).
    #[must_use]
    pub fn committed(&self) -> Frontier {
        self.core.lock().committed.clone()
    }

    /// The committed size.
    #[must_use]
    pub fn committed_size(&self) -> u64 {
        self.core.lock().committed.size()
    }

    /// Returns true if and only if a signer or commit panicked and the sequencer refuses every append.
    #[must_use]
    pub fn is_poisoned(&self) -> bool {
        self.core.lock().poisoned
    }

    /// Marks the sequencer poisoned and wakes every waiter (they then fail with `Poisoned`).
    fn poison(&self) {
        let mut core = self.core.lock();
        core.poisoned = true;
        core.committing = false;
        drop(core);
        self.changed.notify_all();
    }

    /// The leaf hash of the last committed entry (zeros if none).
    #[must_use]
    pub fn committed_head(&self) -> Hash {
        self.core.lock().committed_head
    }

    /// Appends `contents` as consecutive entries: reserve, `sign` each outside the lock, then commit in order
    /// through `commit` (which may be called by this thread for other threads' entries too, and must write
    /// everything it is given or nothing). Returns once every entry of the call is committed.
    ///
    /// # Errors
    /// [`AppendError::Commit`] if this thread ran a failing commit, [`AppendError::Aborted`] if another
    /// thread's failing commit discarded the call's entries. Either way the log stays gap-free.
    pub fn append_with<E>(
        &self,
        contents: Vec<EntryContent>,
        now_ns: u64,
        mut sign: impl FnMut(&UnsignedEntry) -> [u8; 64],
        mut commit: impl FnMut(&[Entry], &[(NodeId, Hash)]) -> Result<(), E>,
    ) -> Result<Vec<Receipt>, AppendError<E>> {
        if contents.is_empty() {
            return Ok(Vec::new());
        }
        // 1. Reserve.
        let (drafts, epoch) = {
            let mut core = self.core.lock();
            if core.poisoned {
                return Err(AppendError::Poisoned);
            }
            let drafts: Vec<UnsignedEntry> = contents
                .into_iter()
                .map(|c| core.seq.reserve(now_ns, c))
                .collect();
            if let (Some(a), Some(b)) = (drafts.first(), drafts.last()) {
                core.signing.insert(a.seq, b.seq);
            }
            (drafts, core.epoch)
        };
        let receipts: Vec<Receipt> = drafts
            .iter()
            .map(|d| Receipt {
                seq: d.seq,
                timestamp_ns: d.timestamp_ns,
                hash: d.hash,
            })
            .collect();
        let (first, last) = (receipts[0].seq, receipts[receipts.len() - 1].seq);
        // 2. Sign, in parallel with other callers. A panicking signer poisons the sequencer: its reserved
        // numbers will never be submitted, so nobody may wait for them.
        let signed = catch_unwind(AssertUnwindSafe(|| {
            drafts
                .into_iter()
                .map(|d| {
                    let sig = sign(&d);
                    d.with_signature(sig)
                })
                .collect::<Vec<Entry>>()
        }));
        let Ok(signed) = signed else {
            self.poison();
            return Err(AppendError::Poisoned);
        };
        // 3. Submit.
        let mut core = self.core.lock();
        if core.poisoned {
            return Err(AppendError::Poisoned);
        }
        if core.epoch != epoch {
            return Err(AppendError::Aborted { seq: first });
        }
        core.signing.remove(&first);
        for e in signed {
            core.ready.insert(e.seq, e);
        }
        let mut failure = None;
        // 4. Commit (as the committer, or wait for one).
        loop {
            match core.outcome(last, epoch) {
                Some(true) => return Ok(receipts),
                Some(false) => {
                    return Err(match failure {
                        Some(e) => AppendError::Commit(e),
                        None => {
                            let end = usize::try_from(epoch)
                                .ok()
                                .and_then(|i| core.epoch_ends.get(i))
                                .copied()
                                .unwrap_or(first);
                            AppendError::Aborted {
                                seq: end.max(first),
                            }
                        }
                    });
                }
                None if core.poisoned => return Err(AppendError::Poisoned),
                None => {}
            }
            let next = core.committed.size();
            if core.committing || !core.ready.contains_key(&next) {
                core = self.changed.wait(core);
                continue;
            }
            let (end, wait) = core.ready_run(self.max_group);
            if wait {
                // The call after the run is signing; it commits the longer run when it submits.
                core = self.changed.wait(core);
                continue;
            }
            core.committing = true;
            let group: Vec<Entry> = (next..end).filter_map(|s| core.ready.remove(&s)).collect();
            let mut frontier = core.committed.clone();
            drop(core);
            let mut nodes = Vec::with_capacity(group.len() + 8);
            for e in &group {
                frontier.push_with(e.hash, |id, h| nodes.push((id, h)));
            }
            // A panicking commit may have written any part of the group: poison, and let the owner reopen.
            let Ok(result) = catch_unwind(AssertUnwindSafe(|| commit(&group, &nodes))) else {
                self.poison();
                return Err(AppendError::Poisoned);
            };
            core = self.core.lock();
            core.committing = false;
            match result {
                Ok(()) => {
                    if let Some(e) = group.last() {
                        core.committed_head = e.hash;
                    }
                    core.committed = frontier;
                }
                Err(e) => {
                    // 5. End the epoch: discard everything uncommitted, rewind to the durable head.
                    let size = core.committed.size();
                    core.epoch_ends.push(size);
                    core.epoch += 1;
                    core.ready.clear();
                    core.signing.clear();
                    let (ts, head) = (core.seq.last_ts(), core.committed_head);
                    core.seq = SequencerState::resume(size, ts, head);
                    failure = Some(e);
                }
            }
            self.changed.notify_all();
        }
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    fn content(i: u64) -> EntryContent {
        EntryContent::unchecked("a", "t", &i.to_string())
    }

    #[test]
    fn timestamps_never_go_backwards() {
        let mut s = SequencerState::new();
        let a = s.reserve(100, content(0));
        let b = s.reserve(50, content(1));
        assert_eq!((a.timestamp_ns, b.timestamp_ns), (100, 100));
        assert_eq!(b.prev_hash, a.hash);
        assert_eq!(b.seq, 1);
    }

    #[test]
    fn concurrent_single_appends_share_one_commit() {
        // Appender 0 reserves, waits until appender 1 has reserved too, and submits first; appender 1 then
        // keeps signing until it hears of a commit (or 300 ms pass). Appender 0 must wait for it instead of
        // paying for a transaction of its own: one commit of both. Without the wait, appender 0 commits
        // alone at once and appender 1 hears of it: two commits.
        let seq = Sequencer::new();
        let commits = std::sync::Mutex::new(Vec::new());
        let (reserved0_tx, reserved0_rx) = std::sync::mpsc::channel::<()>();
        let (reserved1_tx, reserved1_rx) = std::sync::mpsc::channel::<()>();
        let (committed_tx, committed_rx) = std::sync::mpsc::channel::<()>();
        let commit = |g: &[Entry], _: &[(NodeId, Hash)]| {
            if let Ok(mut c) = commits.lock() {
                c.push(g.iter().map(|e| e.seq).collect::<Vec<_>>());
            }
            Ok::<(), ()>(())
        };
        std::thread::scope(|s| {
            let (seq, commit) = (&seq, &commit);
            let tx = committed_tx.clone();
            s.spawn(move || {
                let r = seq.append_with(
                    vec![content(0)],
                    1,
                    |_| {
                        let _ = reserved0_tx.send(());
                        let _ = reserved1_rx.recv();
                        [0; 64]
                    },
                    |g, n| {
                        let _ = tx.send(());
                        commit(g, n)
                    },
                );
                assert!(r.is_ok(), "append 0 failed: {r:?}");
            });
            s.spawn(move || {
                let _ = reserved0_rx.recv();
                let r = seq.append_with(
                    vec![content(1)],
                    1,
                    |_| {
                        let _ = reserved1_tx.send(());
                        let _ = committed_rx.recv_timeout(std::time::Duration::from_millis(300));
                        [0; 64]
                    },
                    |g, n| {
                        let _ = committed_tx.send(());
                        commit(g, n)
                    },
                );
                assert!(r.is_ok(), "append 1 failed: {r:?}");
            });
        });
        let commits = commits.into_inner().unwrap_or_default();
        assert_eq!(commits, vec![vec![0, 1]], "two single appends, one commit");
    }

    #[test]
    fn a_large_call_still_signing_is_not_waited_for() {
        // A small call's ready entry is committed at once while a call of more than SHARE_WITH_SIGNERS
        // entries, reserved after it, is still signing (the big call's signer waits to hear of that commit;
        // with a wrong wait both would wait for each other, so the signer gives up after 10 s and the test
        // fails instead of hanging).
        let seq = Sequencer::new();
        let both_reserved = std::sync::Barrier::new(2);
        let (committed_tx, committed_rx) = std::sync::mpsc::channel::<()>();
        let (reserved_tx, reserved_rx) = std::sync::mpsc::channel::<()>();
        let big = SHARE_WITH_SIGNERS + 1;
        let heard = std::thread::scope(|s| {
            let (seq, both_reserved) = (&seq, &both_reserved);
            s.spawn(move || {
                let r = seq.append_with(
                    vec![content(0)],
                    1,
                    |_| {
                        let _ = reserved_tx.send(());
                        both_reserved.wait();
                        [0; 64]
                    },
                    |_, _| Ok::<(), ()>(()),
                );
                assert!(r.is_ok());
                let _ = committed_tx.send(());
            });
            let big_call = s.spawn(move || {
                let mut heard = None;
                let _ = reserved_rx.recv();
                let r = seq.append_with(
                    (1..=big).map(content).collect(),
                    1,
                    |d| {
                        if d.seq == 1 {
                            both_reserved.wait();
                            heard = Some(
                                committed_rx
                                    .recv_timeout(std::time::Duration::from_secs(10))
                                    .is_ok(),
                            );
                        }
                        [0; 64]
                    },
                    |_, _| Ok::<(), ()>(()),
                );
                assert!(r.is_ok());
                heard
            });
            big_call.join().ok().flatten()
        });
        assert_eq!(
            heard,
            Some(true),
            "the small call waited for the large one's signing"
        );
        assert_eq!(seq.committed_size(), big + 1);
    }

    #[test]
    fn failed_commit_rewinds_without_a_hole() {
        let seq = Sequencer::new();
        let mut written: Vec<Entry> = Vec::new();
        let ok = seq.append_with(
            vec![content(0)],
            1,
            |_| [0; 64],
            |g: &[Entry], _| {
                written.extend_from_slice(g);
                Ok::<(), ()>(())
            },
        );
        assert!(ok.is_ok());
        let bad = seq.append_with(
            vec![content(1), content(2)],
            2,
            |_| [0; 64],
            |_, _| Err("disk full"),
        );
        assert_eq!(bad, Err(AppendError::Commit("disk full")));
        let again = seq
            .append_with(
                vec![content(3)],
                3,
                |_| [0; 64],
                |g: &[Entry], _| {
                    written.extend_from_slice(g);
                    Ok::<(), ()>(())
                },
            )
            .unwrap_or_default();
        assert_eq!(
            again[0].seq, 1,
            "the failed numbers are reused, not skipped"
        );
        assert_eq!(
            written[1].prev_hash, written[0].hash,
            "the chain links to the last durable entry"
        );
        assert_eq!(seq.committed_size(), 2);
    }
}
