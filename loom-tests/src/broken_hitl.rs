//! Deliberately broken variants of the hitl-collab decision logic, one per loom model.
//!
//! [`BrokenQueue`] keeps the same data as the real queue (records, an ordered pending index, a decision
//! condition variable) but each method splits a check and the action that depends on it across two lock
//! acquisitions, the classic check-then-act race the real `HitlQueue` avoids by doing both under one lock.
//! The `hitl_*` model tests run loom on these and expect it to find the bug, which shows each model can fail.
//!
//! Each HITL model file sets its own preemption bound in code (`PREEMPTIONS`, run through
//! [`crate::bound::check`]); loom-tests/README.md ("HITL models") gives each bound and why.
//!
//! Loom does not make a lock release a preemption point, so a window between two releases is explored only
//! if some other synchronising operation sits inside it; [`BrokenDelivery`] has one (a counter update) so the
//! stranded-event interleaving is reachable.

use std::cmp::Reverse;
use std::collections::{BTreeMap, HashMap};

use hitl_collab::{Outcome, Priority, RequestId};
use loom::sync::atomic::{AtomicUsize, Ordering};
use loom::sync::{Condvar, Mutex};

#[derive(Debug, Default)]
struct Record {
    priority: Option<Priority>,
    seq: u64,
    outcome: Option<Outcome>,
}

#[derive(Debug, Default)]
struct State {
    records: HashMap<RequestId, Record>,
    pending: BTreeMap<(Reverse<Priority>, u64), RequestId>,
    next: u64,
}

/// A review queue whose every operation has a check-then-act race.
#[derive(Debug)]
pub struct BrokenQueue {
    capacity: usize,
    state: Mutex<State>,
    decided: Condvar,
}

impl BrokenQueue {
    /// Returns an empty queue holding at most `capacity` pending requests (if it respected it).
    #[must_use]
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity,
            state: Mutex::new(State::default()),
            decided: Condvar::new(),
        }
    }

    fn lock(&self) -> loom::sync::MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Broken: checks the capacity under one lock and inserts under another, so two requesters can both
    /// take the last place. Returns the id, or `None` for "queue full".
    pub fn request(&self, priority: Priority) -> Option<RequestId> {
        let has_room = self.lock().pending.len() < self.capacity;
        if !has_room {
            return None;
        }
        let mut state = self.lock();
        let seq = state.next;
        state.next += 1;
        let id = RequestId(seq);
        state.pending.insert((Reverse(priority), seq), id);
        state.records.insert(
            id,
            Record {
                priority: Some(priority),
                seq,
                outcome: None,
            },
        );
        Some(id)
    }

    /// Broken: checks "still pending" under one lock and writes the outcome under another, so two
    /// deciders (or a decider and the expiry) can both succeed, the later overwriting the earlier.
    /// Returns the outcome this call wrote, or the one that stood if it saw the request decided.
    pub fn decide(&self, id: RequestId, outcome: Outcome) -> Result<Outcome, Outcome> {
        let seen = self.lock().records.get(&id).and_then(|r| r.outcome);
        if let Some(stood) = seen {
            return Err(stood);
        }
        let mut state = self.lock();
        if let Some(record) = state.records.get_mut(&id) {
            record.outcome = Some(outcome);
            let key = (
                Reverse(record.priority.unwrap_or(Priority::Low)),
                record.seq,
            );
            state.pending.remove(&key);
        }
        self.decided.notify_all();
        Ok(outcome)
    }

    /// Broken: checks for a decision under one lock, then waits under a second acquisition; a decision
    /// made in between is never noticed (lost wake-up).
    pub fn wait_for_decision(&self, id: RequestId) -> Option<Outcome> {
        if let Some(outcome) = self.lock().records.get(&id).and_then(|r| r.outcome) {
            return Some(outcome);
        }
        let mut state = self.lock();
        loop {
            // Only re-checks after a notification: the window above is already lost.
            state = self
                .decided
                .wait(state)
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if let Some(outcome) = state.records.get(&id).and_then(|r| r.outcome) {
                return Some(outcome);
            }
        }
    }

    /// Broken: takes the request out of the pending index under one lock and puts it back at the new
    /// priority under another, without re-checking; a decision in between leaves a decided request stuck in
    /// the pending index.
    pub fn escalate(&self, id: RequestId, to: Priority) -> bool {
        let removed = {
            let mut state = self.lock();
            let Some(record) = state.records.get(&id) else {
                return false;
            };
            if record.outcome.is_some() {
                return false;
            }
            let key = (
                Reverse(record.priority.unwrap_or(Priority::Low)),
                record.seq,
            );
            state.pending.remove(&key).map(|_| key.1)
        };
        let Some(seq) = removed else {
            return false;
        };
        let mut state = self.lock();
        state.pending.insert((Reverse(to), seq), id);
        if let Some(record) = state.records.get_mut(&id) {
            record.priority = Some(to);
        }
        true
    }

    /// Returns the number of entries in the pending index.
    pub fn pending_len(&self) -> usize {
        self.lock().pending.len()
    }

    /// Returns true if and only if some decided request is still in the pending index (a stuck request).
    pub fn has_stuck_request(&self) -> bool {
        let state = self.lock();
        state
            .pending
            .values()
            .any(|id| state.records.get(id).is_some_and(|r| r.outcome.is_some()))
    }

    /// Returns the outcome that stands.
    pub fn outcome(&self, id: RequestId) -> Option<Outcome> {
        self.lock().records.get(&id).and_then(|r| r.outcome)
    }
}

/// Broken observer delivery: events are committed to an outbox and delivered by whichever thread gets the
/// delivery lock, but a thread that finds delivery busy leaves its event to the holder, and the holder does
/// not re-check the outbox after releasing the lock, so an event committed in that window is never delivered.
#[derive(Debug, Default)]
pub struct BrokenDelivery {
    outbox: Mutex<Vec<u32>>,
    delivery: Mutex<()>,
    delivered: Mutex<Vec<u32>>,
    rounds: AtomicUsize,
}

impl BrokenDelivery {
    /// Returns an empty outbox.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Commits an event, then tries to deliver everything pending.
    pub fn commit(&self, event: u32) {
        self.outbox
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(event);
        let Ok(_turn) = self.delivery.try_lock() else {
            return;
        };
        loop {
            let batch = std::mem::take(
                &mut *self
                    .outbox
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner),
            );
            if batch.is_empty() {
                break;
            }
            self.delivered
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .extend(batch);
        }
        // Bookkeeping while still holding the turn: the window in which another thread's event is stranded.
        self.rounds.fetch_add(1, Ordering::SeqCst);
        // Missing: after releasing `delivery`, re-check the outbox.
    }

    /// Returns the events delivered so far, in delivery order.
    pub fn delivered(&self) -> Vec<u32> {
        self.delivered
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }
}

/// Broken signed decisions: the signature is checked against the key read under one lock, and the
/// decision is written under a second acquisition without checking that the key is still the
/// registered one, so a decision signed with a key replaced in between still stands.
#[derive(Debug)]
pub struct BrokenKeyedQueue {
    /// The registered key (a stand-in: a key id) and whether the request was decided.
    state: Mutex<(u8, bool)>,
}

impl BrokenKeyedQueue {
    /// A queue with one pending request and key `key` registered.
    #[must_use]
    pub fn new(key: u8) -> Self {
        Self {
            state: Mutex::new((key, false)),
        }
    }

    fn lock(&self) -> loom::sync::MutexGuard<'_, (u8, bool)> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Broken: decides if `signed_with` was the registered key when first looked at.
    pub fn decide_signed(&self, signed_with: u8) -> bool {
        let registered = self.lock().0;
        if registered != signed_with {
            return false;
        }
        // Missing: re-check that `signed_with` is still registered before writing.
        self.lock().1 = true;
        true
    }

    /// Replaces the registered key, then reports whether the request was still pending.
    pub fn replace_key_then_pending(&self, key: u8) -> bool {
        self.lock().0 = key;
        !self.lock().1
    }
}
