//! [`HitlQueue`]: the thread-safe queue, its builder, and observer delivery.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::Duration;

use crate::clock::{Clock, Timestamp};
use crate::decision::{Decision, Verdict};
use crate::error::HitlError;
use crate::invariant::InvariantViolation;
use crate::observer::{HitlEvent, Observer};
use crate::request::{DecisionRequest, Priority, RequestId, RequestView, WorkflowId};
use crate::reviewer::Role;
use crate::signature::{ReviewerPublicKey, SignedDecision};
use crate::state::State;
use crate::sync::{Arc, AtomicU64, Condvar, Mutex, MutexGuard, Ordering};

/// What every handle and the reaper share.
pub(crate) struct Shared {
    pub(crate) state: Mutex<State>,
    pub(crate) clock: Box<dyn Clock>,
    observers: Vec<Box<dyn Observer>>,
    /// Held by the one thread currently delivering events to observers.
    delivery: Mutex<()>,
    observer_failures: AtomicU64,
    /// The reaper sleeps on this until the next deadline, an earlier deadline, or shutdown.
    pub(crate) reaper_wake: Condvar,
    reaper_enabled: bool,
}

impl Shared {
    /// Locks the state and brings it up to the clock's time (expiring what is due).
    pub(crate) fn lock_now(&self) -> (MutexGuard<'_, State>, Vec<(RequestId, Decision)>) {
        let mut state = self.state.lock();
        let expired = state.tick(self.clock.now());
        (state, expired)
    }

    /// Runs one operation under the lock, wakes the reaper if a new earliest deadline appeared, then
    /// delivers pending events outside the lock.
    fn run<R>(&self, op: impl FnOnce(&mut State) -> R) -> R {
        let result = {
            let (mut state, _) = self.lock_now();
            let before = state.next_deadline();
            let result = op(&mut state);
            if self.reaper_enabled {
                let after = state.next_deadline();
                if after.is_some() && (before.is_none() || after < before) {
                    self.reaper_wake.notify_one();
                }
            }
            result
        };
        self.deliver();
        result
    }

    /// Hands undelivered events to every observer, in order, outside the state lock.
    ///
    /// Only one thread delivers at a time (the `delivery` lock, taken with `try_lock` so a re-entrant
    /// observer never deadlocks). A thread that finds delivery busy leaves its events to the holder, which
    /// re-checks the outbox after releasing the lock, so no event is left behind.
    pub(crate) fn deliver(&self) {
        if self.observers.is_empty() {
            return;
        }
        loop {
            let Some(turn) = self.delivery.try_lock() else {
                return;
            };
            loop {
                let batch = std::mem::take(&mut self.state.lock().outbox);
                if batch.is_empty() {
                    break;
                }
                for event in &batch {
                    self.notify_observers(event);
                }
            }
            drop(turn);
            if self.state.lock().outbox.is_empty() {
                return;
            }
        }
    }

    fn notify_observers(&self, event: &HitlEvent) {
        for observer in &self.observers {
            let outcome = catch_unwind(AssertUnwindSafe(|| observer.on_event(event)));
            if !matches!(outcome, Ok(Ok(()))) {
                self.observer_failures.fetch_add(1, Ordering::SeqCst);
            }
        }
    }
}

/// Configures and builds a [`HitlQueue`]; start from [`HitlQueue::builder`].
pub struct HitlQueueBuilder {
    capacity: usize,
    retention: usize,
    clock: Option<Box<dyn Clock>>,
    observers: Vec<Box<dyn Observer>>,
    reaper: bool,
    signatures_required: bool,
}

impl HitlQueueBuilder {
    /// Accepts only signed decisions ([`HitlQueue::decide_signed`]); deciding on a name alone then answers
    /// [`HitlError::UnsignedDecision`]. Default off: an embedding that authenticates its reviewers itself
    /// may pass names. The Aegis pipeline always turns it on.
    #[must_use]
    pub fn require_signatures(mut self, required: bool) -> Self {
        self.signatures_required = required;
        self
    }

    /// Sets the most pending requests the queue holds (default 10 000); more answer `QueueFull`.
    #[must_use]
    pub fn capacity(mut self, capacity: usize) -> Self {
        self.capacity = capacity;
        self
    }

    /// Sets how many decided requests are kept for history (default 10 000); the oldest decisions are
    /// forgotten first, after which their ids answer `UnknownRequest` and may be reused.
    #[must_use]
    pub fn retention(mut self, retention: usize) -> Self {
        self.retention = retention;
        self
    }

    /// Sets the clock (default: [`crate::SystemClock`]; under `cfg(loom)`, a [`crate::ManualClock`]).
    #[must_use]
    pub fn clock(mut self, clock: impl Clock) -> Self {
        self.clock = Some(Box::new(clock));
        self
    }

    /// Adds an observer; observers are called in the order they were added.
    #[must_use]
    pub fn observer(mut self, observer: impl Observer) -> Self {
        self.observers.push(Box::new(observer));
        self
    }

    /// Starts a background reaper thread that expires requests at their deadlines even if nobody calls the
    /// queue (default off: expiry then happens at the next call, which still never reports a late request as
    /// pending). The reaper stops when the queue is dropped. Not available under `cfg(loom)`.
    #[cfg(not(loom))]
    #[must_use]
    pub fn reaper(mut self, enabled: bool) -> Self {
        self.reaper = enabled;
        self
    }

    /// Builds the queue.
    ///
    /// # Errors
    ///
    /// Returns [`HitlError::ZeroBound`] if capacity or retention is zero.
    pub fn build(self) -> Result<HitlQueue, HitlError> {
        if self.capacity == 0 {
            return Err(HitlError::ZeroBound { what: "capacity" });
        }
        if self.retention == 0 {
            return Err(HitlError::ZeroBound { what: "retention" });
        }
        let clock = self.clock.unwrap_or_else(default_clock);
        let shared = Arc::new(Shared {
            state: Mutex::new(State::new(
                self.capacity,
                self.retention,
                !self.observers.is_empty(),
                self.signatures_required,
            )),
            clock,
            observers: self.observers,
            delivery: Mutex::new(()),
            observer_failures: AtomicU64::new(0),
            reaper_wake: Condvar::new(),
            reaper_enabled: self.reaper,
        });
        #[cfg(not(loom))]
        let reaper = self
            .reaper
            .then(|| crate::reaper::Reaper::spawn(Arc::clone(&shared)));
        Ok(HitlQueue {
            shared,
            #[cfg(not(loom))]
            reaper,
        })
    }
}

#[cfg(not(loom))]
fn default_clock() -> Box<dyn Clock> {
    Box::new(crate::clock::SystemClock::new())
}

#[cfg(loom)]
fn default_clock() -> Box<dyn Clock> {
    Box::new(crate::clock::ManualClock::new())
}

/// A bounded human-review queue in which every request is decided exactly once.
///
/// Every method takes `&self`; share the queue between threads with an `Arc`. All state sits behind one
/// lock, held only for O(log n) work per call (plus k for listings); observers run outside it. Every call
/// first expires the requests whose deadline has passed, so no caller ever sees a late request as pending,
/// and the optional reaper ([`HitlQueueBuilder::reaper`]) expires them on time even when nobody calls.
///
/// Paused workflows: their requests keep their place in the order but are not listed by
/// [`HitlQueue::pending_top`], not served by [`HitlQueue::decide_next`], and deciding one answers
/// [`HitlError::WorkflowPaused`]. Their deadlines keep running: a request still expires (is rejected) on time
/// while its workflow is paused, because a paused review must not hold an action open forever.
pub struct HitlQueue {
    shared: Arc<Shared>,
    #[cfg(not(loom))]
    reaper: Option<crate::reaper::Reaper>,
}

impl HitlQueue {
    /// Returns a builder with capacity and retention 10 000, the system clock, no observers and no reaper.
    #[must_use]
    pub fn builder() -> HitlQueueBuilder {
        HitlQueueBuilder {
            capacity: 10_000,
            retention: 10_000,
            clock: None,
            observers: Vec::new(),
            reaper: false,
            signatures_required: false,
        }
    }

    /// Returns a queue holding at most `capacity` pending requests, with the other defaults of [`Self::builder`].
    ///
    /// # Errors
    ///
    /// Returns [`HitlError::ZeroBound`] if `capacity` is zero.
    pub fn new(capacity: usize) -> Result<Self, HitlError> {
        Self::builder().capacity(capacity).build()
    }

    /// Registers a reviewer with a role, or changes its role; returns the previous role. O(1).
    /// A reviewer registered without a key cannot make signed decisions.
    pub fn register_reviewer(&self, name: &str, role: Role) -> Option<Role> {
        self.shared.run(|s| s.register_reviewer(name, role, None))
    }

    /// Registers a reviewer with a role and the public key its signed decisions must verify with, or
    /// replaces its role and key (a decision signed with the old key is refused from then on); returns
    /// the previous role. O(1).
    pub fn register_reviewer_key(
        &self,
        name: &str,
        role: Role,
        key: ReviewerPublicKey,
    ) -> Option<Role> {
        self.shared
            .run(|s| s.register_reviewer(name, role, Some(key)))
    }

    /// Returns a registered reviewer's role and key (`None` for a reviewer registered without one).
    pub fn reviewer(&self, name: &str) -> Option<(Role, Option<ReviewerPublicKey>)> {
        self.shared.run(|s| s.reviewer(name))
    }

    /// Returns true if and only if the queue accepts only signed decisions.
    pub fn requires_signatures(&self) -> bool {
        self.shared.run(|s| s.signatures_required())
    }

    /// Removes a reviewer; returns its role if it was registered. O(1).
    pub fn unregister_reviewer(&self, name: &str) -> Option<Role> {
        self.shared.run(|s| s.unregister_reviewer(name))
    }

    /// Submits a request; returns its id (the caller's, if it gave one). O(log n).
    ///
    /// # Errors
    ///
    /// [`HitlError::ZeroTimeout`] for a zero timeout, [`HitlError::QueueFull`] when `capacity` requests are
    /// pending, [`HitlError::DuplicateId`] when a caller-supplied id is held by a pending or retained request.
    pub fn request(&self, request: DecisionRequest) -> Result<RequestId, HitlError> {
        self.shared.run(|s| s.request(request))
    }

    /// Decides a pending request on the reviewer's name alone (the caller vouches for who the reviewer
    /// is). O(log n).
    ///
    /// # Errors
    ///
    /// [`HitlError::UnsignedDecision`] if the queue requires signatures; then, in this order: [`HitlError::UnknownRequest`]; [`HitlError::AlreadyDecided`] with the decision that
    /// stands (also after an expiry); [`HitlError::UnknownReviewer`]; [`HitlError::SelfReview`];
    /// [`HitlError::InsufficientRole`] for the current priority; [`HitlError::WorkflowPaused`].
    pub fn decide(
        &self,
        id: RequestId,
        reviewer: &str,
        verdict: Verdict,
        note: &str,
    ) -> Result<Decision, HitlError> {
        self.shared.run(|s| s.decide(id, reviewer, verdict, note))
    }

    /// Decides a pending request with a reviewer's signed statement. O(log n) plus one Ed25519
    /// verification (tens of microseconds), which runs outside the queue's lock: the key is read under
    /// the lock, the signature checked without it, and the decision written under the lock only if the
    /// same key is still registered, so a key replaced in between makes the decision fail, never stand.
    ///
    /// # Errors
    ///
    /// [`HitlError::UnknownReviewer`]; [`HitlError::KeyNotRegistered`] if the reviewer has no key or
    /// its key changed; [`HitlError::BadSignature`] if the signature does not verify with the registered
    /// key; then, under the lock, [`HitlError::UnknownRequest`], [`HitlError::AlreadyDecided`],
    /// [`HitlError::DigestMismatch`] if the statement names another digest than the request's, and the
    /// rules of [`Self::decide`] ([`HitlError::SelfReview`], [`HitlError::InsufficientRole`],
    /// [`HitlError::WorkflowPaused`]).
    pub fn decide_signed(&self, signed: &SignedDecision) -> Result<Decision, HitlError> {
        let key = self.shared.run(|s| s.reviewer_key(&signed.reviewer))?;
        if !key.verifies(signed.statement.signed_text().as_bytes(), &signed.signature) {
            return Err(HitlError::BadSignature {
                reviewer: signed.reviewer.clone(),
            });
        }
        self.shared.run(|s| s.decide_signed(signed, key))
    }

    /// Approves a pending request; see [`Self::decide`].
    ///
    /// # Errors
    ///
    /// As [`Self::decide`].
    pub fn approve(&self, id: RequestId, reviewer: &str) -> Result<Decision, HitlError> {
        self.decide(id, reviewer, Verdict::Approve, "")
    }

    /// Rejects a pending request with a reason; see [`Self::decide`].
    ///
    /// # Errors
    ///
    /// As [`Self::decide`].
    pub fn reject(
        &self,
        id: RequestId,
        reviewer: &str,
        reason: &str,
    ) -> Result<Decision, HitlError> {
        self.decide(id, reviewer, Verdict::Reject, reason)
    }

    /// Decides the first actionable request in serving order that `reviewer` may decide (role high enough,
    /// not its own); `Ok(None)` if there is none. O(log n + s) where s is the number of requests skipped.
    ///
    /// # Errors
    ///
    /// [`HitlError::UnknownReviewer`] if `reviewer` is not registered.
    pub fn decide_next(
        &self,
        reviewer: &str,
        verdict: Verdict,
        note: &str,
    ) -> Result<Option<(RequestId, Decision)>, HitlError> {
        self.shared.run(|s| s.decide_next(reviewer, verdict, note))
    }

    /// Raises a pending request's priority (and so the role needed to decide it) and moves its deadline
    /// `extend_by` later (`Duration::ZERO` keeps it), all in one step under the lock. The request keeps its
    /// age: among requests of the new priority it is placed by its original submission order. Returns the
    /// previous priority. O(log n).
    ///
    /// # Errors
    ///
    /// [`HitlError::UnknownRequest`], [`HitlError::AlreadyDecided`] (a decided or expired request cannot be
    /// escalated), or [`HitlError::NotAnEscalation`] if `to` is not higher than the current priority.
    pub fn escalate(
        &self,
        id: RequestId,
        to: Priority,
        extend_by: Duration,
    ) -> Result<Priority, HitlError> {
        self.shared.run(|s| s.escalate(id, to, extend_by))
    }

    /// Pauses a workflow (see the type doc); returns true if and only if it was running. O(m log n) for m
    /// requests in the workflow.
    pub fn pause_workflow(&self, workflow: &WorkflowId) -> bool {
        self.shared.run(|s| s.pause(workflow))
    }

    /// Resumes a workflow; its requests return to their places. Returns true if and only if it was paused.
    pub fn resume_workflow(&self, workflow: &WorkflowId) -> bool {
        self.shared.run(|s| s.resume(workflow))
    }

    /// Returns up to `k` actionable pending requests, highest priority first, then oldest. O(log n + k): the
    /// queue is kept ordered, nothing is sorted here.
    pub fn pending_top(&self, k: usize) -> Vec<RequestView> {
        self.shared.run(|s| s.pending_top(k))
    }

    /// Returns a snapshot of a pending or retained request.
    ///
    /// # Errors
    ///
    /// [`HitlError::UnknownRequest`] if the id is unknown or its decision was evicted from history.
    pub fn get(&self, id: RequestId) -> Result<RequestView, HitlError> {
        self.shared.run(|s| s.view(id))
    }

    /// Returns the decision that stands, or `None` while the request is pending.
    ///
    /// # Errors
    ///
    /// [`HitlError::UnknownRequest`] if the id is unknown or its decision was evicted from history.
    pub fn status(&self, id: RequestId) -> Result<Option<Decision>, HitlError> {
        self.shared.run(|s| s.status(id))
    }

    /// Expires every request whose deadline has passed by the queue's clock; returns those it expired, in
    /// deadline order. Every other call does this too; call it to drive expiry without the reaper.
    pub fn expire_due(&self) -> Vec<(RequestId, Decision)> {
        let expired = {
            let (_state, expired) = self.shared.lock_now();
            expired
        };
        self.shared.deliver();
        expired
    }

    /// Blocks until the request is decided (or expires) and returns the decision that stands, waiting at
    /// most `timeout` by the queue's clock. Returns at once if it is already decided.
    ///
    /// The waiter sleeps on a condition variable of its own request, notified under the same lock that
    /// writes the decision, so it cannot miss a decision made just before it waits, and it wakes as soon as
    /// the decision is made. It also wakes at the request's own deadline and expires it, so a waiter sees
    /// an expiry on time even without the reaper. (With a [`crate::ManualClock`] it notices a clock advance
    /// when woken by a decision or by `expire_due`.)
    ///
    /// # Errors
    ///
    /// [`HitlError::WaitTimedOut`] if still pending after `timeout`; [`HitlError::UnknownRequest`] if the id
    /// is unknown or was evicted from history while waiting.
    pub fn wait_for_decision(
        &self,
        id: RequestId,
        timeout: Duration,
    ) -> Result<Decision, HitlError> {
        let result = {
            let (mut state, _) = self.shared.lock_now();
            let give_up = state.now().saturating_add(timeout);
            loop {
                match state.status(id) {
                    Err(error) => break Err(error),
                    Ok(Some(decision)) => break Ok(decision),
                    Ok(None) => {}
                }
                let now = state.now();
                if now >= give_up {
                    break Err(HitlError::WaitTimedOut(id));
                }
                let Some((cv, deadline)) = state.waiter(id) else {
                    break Err(HitlError::UnknownRequest(id));
                };
                let wake_at: Timestamp = give_up.min(deadline);
                let (guard, _) = cv.wait_timeout(state, wake_at.saturating_duration_since(now));
                state = guard;
                state.tick(self.shared.clock.now());
            }
        };
        self.shared.deliver();
        result
    }

    /// Returns the number of pending requests (paused ones included).
    pub fn pending_len(&self) -> usize {
        self.shared.run(|s| s.pending_len())
    }

    /// Returns the number of decided requests kept for history.
    pub fn retained_len(&self) -> usize {
        self.shared.run(|s| s.retained_len())
    }

    /// Returns how many observer calls failed (returned `Err` or panicked) so far.
    pub fn observer_failures(&self) -> u64 {
        self.shared.observer_failures.load(Ordering::SeqCst)
    }

    /// Checks every internal invariant (each request in exactly one state and one index place, counts,
    /// bounds, no late pending request). O(n log n); meant for tests and loom models.
    ///
    /// # Errors
    ///
    /// Returns the first [`InvariantViolation`] found; any is a bug in this crate.
    pub fn check_invariants(&self) -> Result<(), InvariantViolation> {
        let result = {
            let (state, _) = self.shared.lock_now();
            state.check_invariants()
        };
        self.shared.deliver();
        result
    }
}

impl Drop for HitlQueue {
    fn drop(&mut self) {
        #[cfg(not(loom))]
        if let Some(reaper) = self.reaper.take() {
            reaper.stop(&self.shared);
        }
    }
}

impl std::fmt::Debug for HitlQueue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HitlQueue")
            .field("observers", &self.shared.observers.len())
            .finish_non_exhaustive()
    }
}
