//! Observer delivery for one PostgreSQL queue handle.
//!
//! A handle's observers see (1) every change this handle commits, and (2) the decision or expiry of each
//! request this handle submitted when another process committed it, once, as soon as this handle learns
//! of it (a waiter, `status`, `get`). Events are queued under the `order` lock, which a committing call
//! holds from its `COMMIT` until its events are queued, so within a handle they are queued in commit
//! order (a request's `Requested` always precedes its decision). They are delivered outside every lock,
//! one at a time, as [`crate::HitlQueue`] does: a failing or panicking observer is counted and changes
//! nothing.

use std::collections::HashSet;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicU64, Ordering};

use parking_lot::{Mutex, MutexGuard};

use crate::decision::{Decision, Outcome};
use crate::observer::{HitlEvent, Observer};
use crate::request::RequestId;

/// The observers of one handle and what is still to be delivered to them.
pub(crate) struct Events {
    observers: Vec<Box<dyn Observer>>,
    /// Held from a commit until its events are queued.
    order: Mutex<()>,
    outbox: Mutex<Vec<HitlEvent>>,
    /// Held by the one thread delivering.
    delivery: Mutex<()>,
    failures: AtomicU64,
    /// Requests this handle submitted whose decision its observers have not seen yet.
    own: Mutex<HashSet<RequestId>>,
}

impl Events {
    pub(crate) fn new(observers: Vec<Box<dyn Observer>>) -> Self {
        Self {
            observers,
            order: Mutex::new(()),
            outbox: Mutex::new(Vec::new()),
            delivery: Mutex::new(()),
            failures: AtomicU64::new(0),
            own: Mutex::new(HashSet::new()),
        }
    }

    /// Observer calls that failed so far.
    pub(crate) fn failures(&self) -> u64 {
        self.failures.load(Ordering::SeqCst)
    }

    /// The ordering lock, or `None` when nobody observes (nothing to order).
    pub(crate) fn order(&self) -> Option<MutexGuard<'_, ()>> {
        (!self.observers.is_empty()).then(|| self.order.lock())
    }

    /// Queues events of a change this handle committed; call with the [`Events::order`] guard held.
    pub(crate) fn committed(&self, events: Vec<HitlEvent>) {
        if self.observers.is_empty() {
            return;
        }
        {
            let mut own = self.own.lock();
            for event in &events {
                match event {
                    HitlEvent::Requested(view) => {
                        own.insert(view.id);
                    }
                    HitlEvent::Decided { id, .. } | HitlEvent::Expired { id, .. } => {
                        own.remove(id);
                    }
                    _ => {}
                }
            }
        }
        self.outbox.lock().extend(events);
    }

    /// This handle saw the decision of `id` (perhaps made elsewhere): queues it if `id` is one of its
    /// own requests whose decision its observers have not seen, then delivers.
    pub(crate) fn learned(&self, id: RequestId, decision: &Decision) {
        if self.observers.is_empty() {
            return;
        }
        {
            let _order = self.order.lock();
            if !self.own.lock().remove(&id) {
                return;
            }
            let event = if decision.outcome == Outcome::Expired {
                HitlEvent::Expired {
                    id,
                    decision: decision.clone(),
                }
            } else {
                HitlEvent::Decided {
                    id,
                    decision: decision.clone(),
                }
            };
            self.outbox.lock().push(event);
        }
        self.deliver();
    }

    /// Hands queued events to every observer, in order, outside the other locks (as the in-memory
    /// queue does: the thread that finds delivery busy leaves its events to the one delivering).
    pub(crate) fn deliver(&self) {
        if self.observers.is_empty() {
            return;
        }
        loop {
            let Some(turn) = self.delivery.try_lock() else {
                return;
            };
            loop {
                let batch = std::mem::take(&mut *self.outbox.lock());
                if batch.is_empty() {
                    break;
                }
                for event in &batch {
                    for observer in &self.observers {
                        let outcome = catch_unwind(AssertUnwindSafe(|| observer.on_event(event)));
                        if !matches!(outcome, Ok(Ok(()))) {
                            self.failures.fetch_add(1, Ordering::SeqCst);
                        }
                    }
                }
            }
            drop(turn);
            if self.outbox.lock().is_empty() {
                return;
            }
        }
    }
}
