//! A bounded human-in-the-loop review queue in which every request is decided exactly once.
//!
//! Requesters submit a [`DecisionRequest`] (requester, description, JSON context, [`Priority`], timeout).
//! Registered reviewers, each with a [`Role`], approve or reject pending requests, served highest priority
//! first and oldest first within a priority. A request ends exactly once: approved, rejected, or expired at
//! its deadline (an expiry is a rejection: fail-safe). Every later attempt gets
//! [`HitlError::AlreadyDecided`] carrying the decision that stood.
//!
//! # Example
//!
//! ```
//! use std::time::Duration;
//! use hitl_collab::{DecisionRequest, HitlError, HitlQueue, ManualClock, Outcome, Priority, Role};
//!
//! # fn main() -> Result<(), HitlError> { hitl_collab::run_example(|| {
//! let clock = ManualClock::new();
//! let queue = HitlQueue::builder().capacity(100).clock(clock.clone()).build()?;
//! queue.register_reviewer("alice", Role::Senior);
//!
//! let urgent = queue.request(DecisionRequest::new(
//!     "agent-7",
//!     "delete /tmp/cache",
//!     Priority::High,
//!     Duration::from_secs(300),
//! ))?;
//! let routine = queue.request(DecisionRequest::new("agent-7", "send a report", Priority::Low, Duration::from_secs(60)))?;
//!
//! // Highest priority first.
//! assert_eq!(queue.pending_top(10)[0].id, urgent);
//! assert!(queue.approve(urgent, "alice")?.is_approved());
//! assert!(matches!(queue.approve(urgent, "alice"), Err(HitlError::AlreadyDecided { .. })));
//!
//! // Nobody decides the routine one in time: it expires, which is a rejection.
//! clock.advance(Duration::from_secs(61));
//! assert_eq!(queue.expire_due()[0].0, routine);
//! assert_eq!(queue.wait_for_decision(routine, Duration::ZERO)?.outcome, Outcome::Expired);
//! # Ok(()) }) }
//! ```
//!
//! # Design
//!
//! - One lock guards all state ([`HitlQueue`] methods hold it for O(log n) work). Pending requests live in
//!   an ordered index keyed by `(Reverse(priority), submission sequence)`, so insert and removal are
//!   O(log n) and [`HitlQueue::pending_top`] walks only the first k entries. A second ordered index by
//!   deadline drives expiry: every call expires what is due first, and the optional reaper thread sleeps on
//!   a condition variable until the next deadline.
//! - One function writes decisions (approve, reject and expiry all go through it), under the lock, after
//!   checking the request is still pending: that is what makes "exactly once" hold.
//! - [`HitlQueue::wait_for_decision`] waits on a per-request condition variable, notified under the lock
//!   that writes the decision: no polling, no lost wake-up.
//! - [`Observer`]s see every [`HitlEvent`] after it is committed, outside the lock, in commit order; a
//!   failing or panicking observer is counted and cannot undo or corrupt a state change.
//! - Sync types and the clock come from `sync.rs`, which switches to loom under `cfg(loom)`; the models in
//!   `loom-tests/tests/hitl_*.rs` check this very code.
//!
//! # Backends
//!
//! [`ReviewQueue`] is the trait both queues implement: [`HitlQueue`] in memory, and, with the cargo
//! feature `postgres`, `PgQueue`, which keeps requests, decisions and reviewer keys in PostgreSQL so
//! many processes share one queue (decided exactly once across processes by a row-locked transaction,
//! deadlines expired by whichever process looks, waiters woken by `LISTEN`/`NOTIFY`; see the README).
//!
//! # When not to use it
//!
//! [`HitlQueue`] is an in-memory queue: pending requests do not survive a restart. Persist the observer's events (the
//! pipeline audits them) if you need a durable record.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod backend;
mod clock;
mod decision;
mod error;
mod example;
mod index;
mod invariant;
mod observer;
#[cfg(all(feature = "postgres", not(loom)))]
mod pg;
mod queue;
#[cfg(not(loom))]
mod reaper;
mod request;
mod reviewer;
mod signature;
mod state;
mod sync;

pub use backend::ReviewQueue;
#[cfg(not(loom))]
pub use clock::SystemClock;
pub use clock::{Clock, ManualClock, Timestamp};
pub use decision::{Decision, Outcome, Verdict};
pub use error::HitlError;
pub use example::run_example;
pub use invariant::InvariantViolation;
pub use observer::{HitlEvent, Observer, ObserverError};
#[cfg(all(feature = "postgres", not(loom)))]
pub use pg::{PgQueue, PgQueueBuilder};
pub use queue::{HitlQueue, HitlQueueBuilder};
pub use request::{DecisionRequest, Priority, RequestId, RequestView, WorkflowId};
pub use reviewer::Role;
pub use signature::{
    DECISION_DOMAIN, DecisionSignature, DecisionStatement, RequestDigest, ReviewerKey,
    ReviewerPublicKey, SignedDecision,
};
