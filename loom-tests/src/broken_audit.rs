//! Broken variants of the audit-system ordering logic, each with one classic concurrency bug, so the loom
//! models in `tests/audit_*.rs` can show they catch it. They use the real pure pieces of audit-system
//! (`SequencerState`, `Frontier`, `MemoryStore`); only the locking around them is (deliberately) wrong.

use std::collections::{BTreeMap, BTreeSet};
use std::panic::{AssertUnwindSafe, catch_unwind};

use audit_system::{
    Entry, EntryContent, Frontier, MemoryStore, SequencerState, Store, UnsignedEntry,
};
use loom::sync::{Condvar, Mutex};

/// Reservation split across two lock acquisitions: the draft (check) and the advance (act) are separate, so
/// two appenders can draft the same sequence number and fork the chain.
#[derive(Debug, Default)]
pub struct SplitReserve {
    state: Mutex<SequencerState>,
}

impl SplitReserve {
    /// An empty log's state.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Reserves the next place for `content` (wrongly).
    pub fn reserve(&self, now_ns: u64, content: EntryContent) -> UnsignedEntry {
        let draft = self
            .state
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .draft(now_ns, content);
        self.state
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .advance(&draft);
        draft
    }
}

/// A committer that publishes the new tree (size and root) before the store holds its nodes, so a reader can
/// see a size it cannot get proofs for.
#[derive(Debug, Default)]
pub struct PublishBeforeWrite {
    committed: Mutex<Frontier>,
    store: MemoryStore,
}

impl PublishBeforeWrite {
    /// An empty log.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Commits one entry (wrongly: publish, then write).
    pub fn commit(&self, entry: Entry) {
        let mut nodes = Vec::new();
        self.committed
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push_with(entry.hash, |id, h| nodes.push((id, h)));
        let _ = self.store.commit(&[entry], &nodes);
    }

    /// The published tree.
    #[must_use]
    pub fn committed(&self) -> Frontier {
        self.committed
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// The store proofs are built from.
    #[must_use]
    pub fn store(&self) -> &MemoryStore {
        &self.store
    }
}

#[derive(Debug, Default)]
struct GroupState {
    ready: BTreeMap<u64, Entry>,
    committing: bool,
    committed: u64,
}

/// Group commit whose leader election is check-then-act across two lock acquisitions: two threads can both
/// see "nobody is committing" and both commit the same group.
#[derive(Debug, Default)]
pub struct SplitLeader {
    state: Mutex<GroupState>,
    changed: Condvar,
}

impl SplitLeader {
    /// No entries yet.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Submits a signed entry and returns once it is committed, committing groups through `commit` when this
    /// thread (wrongly) thinks it is the leader.
    pub fn submit_and_wait(&self, entry: Entry, mut commit: impl FnMut(&[Entry])) {
        let seq = entry.seq;
        self.state
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .ready
            .insert(seq, entry);
        loop {
            let can_lead = {
                let g = self.state.lock().unwrap_or_else(|e| e.into_inner());
                if g.committed > seq {
                    return;
                }
                !g.committing && g.ready.contains_key(&g.committed)
            };
            if can_lead {
                let group: Vec<Entry> = {
                    let mut g = self.state.lock().unwrap_or_else(|e| e.into_inner());
                    g.committing = true;
                    let start = g.committed;
                    g.ready.range(start..).map(|(_, e)| e.clone()).collect()
                };
                commit(&group);
                let mut g = self.state.lock().unwrap_or_else(|e| e.into_inner());
                g.committing = false;
                for e in &group {
                    g.ready.remove(&e.seq);
                    g.committed = g.committed.max(e.seq + 1);
                }
                self.changed.notify_all();
            } else {
                let g = self.state.lock().unwrap_or_else(|e| e.into_inner());
                if g.committed <= seq && (g.committing || !g.ready.contains_key(&g.committed)) {
                    drop(self.changed.wait(g).unwrap_or_else(|e| e.into_inner()));
                }
            }
        }
    }
}

#[derive(Debug, Default)]
struct OrderState {
    next_seq: u64,
    ready: BTreeSet<u64>,
    committed: u64,
}

/// How many times [`SilentPanic::append`] yields waiting for its turn before it reports that it would wait for
/// ever (loom aborts on a real deadlock instead of letting a model report it, so the twin spins, boundedly).
pub const SPIN_LIMIT: usize = 3;

/// In-order commit with the panic handling audit-system had before issue #12: a panicking signer's panic is
/// caught and reported to its own caller, but nobody else is told, so an appender whose entry comes after the
/// lost one waits for ever (the sequencer's `poison` step is missing).
#[derive(Debug, Default)]
pub struct SilentPanic {
    state: Mutex<OrderState>,
}

impl SilentPanic {
    /// No entries yet.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Reserves a number, runs `sign` (which may panic), and returns once the entry is committed in order.
    ///
    /// # Errors
    /// `"signer panicked"`; `"waits for ever"` if the entry before it never arrives within [`SPIN_LIMIT`]
    /// yields (in the real design, a wait on a condition variable that nobody will ever signal).
    pub fn append(&self, sign: impl FnOnce()) -> Result<u64, &'static str> {
        let seq = {
            let mut g = self.state.lock().unwrap_or_else(|e| e.into_inner());
            g.next_seq += 1;
            g.next_seq - 1
        };
        if catch_unwind(AssertUnwindSafe(sign)).is_err() {
            return Err("signer panicked");
        }
        let mut spins = 0;
        let mut g = self.state.lock().unwrap_or_else(|e| e.into_inner());
        g.ready.insert(seq);
        loop {
            let next = g.committed;
            if g.ready.remove(&next) {
                g.committed += 1;
                continue;
            }
            if g.committed > seq {
                return Ok(seq);
            }
            drop(g);
            spins += 1;
            if spins > SPIN_LIMIT {
                return Err("waits for ever");
            }
            loom::thread::yield_now();
            g = self.state.lock().unwrap_or_else(|e| e.into_inner());
        }
    }
}

#[derive(Debug, Default)]
struct EagerState {
    next_seq: u64,
    ready: BTreeSet<u64>,
    committing: bool,
    committed: u64,
}

/// Group commit as it was before issue #14: the first appender to submit commits whatever is ready at once,
/// without waiting for a small call that has reserved and is still signing, so two single appends signing
/// at the same time pay for two transactions (correct, but the commits are not shared).
#[derive(Debug, Default)]
pub struct EagerGroupCommit {
    state: Mutex<EagerState>,
    changed: Condvar,
}

impl EagerGroupCommit {
    /// No entries yet.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Reserves a number, runs `sign`, and returns the number once committed, committing runs of ready
    /// numbers through `commit` when no commit is in progress.
    pub fn append(&self, sign: impl FnOnce(), mut commit: impl FnMut(&[u64])) -> u64 {
        let seq = {
            let mut g = self.state.lock().unwrap_or_else(|e| e.into_inner());
            g.next_seq += 1;
            g.next_seq - 1
        };
        sign();
        let mut g = self.state.lock().unwrap_or_else(|e| e.into_inner());
        g.ready.insert(seq);
        loop {
            if g.committed > seq {
                return seq;
            }
            if g.committing || !g.ready.contains(&g.committed) {
                g = self.changed.wait(g).unwrap_or_else(|e| e.into_inner());
                continue;
            }
            g.committing = true;
            let start = g.committed;
            let mut end = start;
            while g.ready.remove(&end) {
                end += 1;
            }
            drop(g);
            commit(&(start..end).collect::<Vec<_>>());
            g = self.state.lock().unwrap_or_else(|e| e.into_inner());
            g.committing = false;
            g.committed = end;
            self.changed.notify_all();
        }
    }
}
