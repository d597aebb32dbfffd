//! Hooks for whoever must see every state change (the pipeline's audit log): [`Observer`] and [`HitlEvent`].

use crate::decision::Decision;
use crate::request::{Priority, RequestId, RequestView, WorkflowId};

/// One state change of the queue, in the order the queue made it.
#[derive(Debug, Clone, PartialEq)]
pub enum HitlEvent {
    /// A request was accepted into the queue.
    Requested(RequestView),
    /// A reviewer approved or rejected a request.
    Decided {
        /// The request.
        id: RequestId,
        /// The decision that now stands.
        decision: Decision,
    },
    /// A request passed its deadline undecided and was rejected (fail-safe).
    Expired {
        /// The request.
        id: RequestId,
        /// The expiry decision that now stands (outcome [`crate::Outcome::Expired`]).
        decision: Decision,
    },
    /// A pending request's priority was raised.
    Escalated {
        /// The request.
        id: RequestId,
        /// The priority before.
        from: Priority,
        /// The priority now.
        to: Priority,
    },
    /// A workflow was paused.
    WorkflowPaused(WorkflowId),
    /// A workflow was resumed.
    WorkflowResumed(WorkflowId),
}

/// Why an observer could not handle an event.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("observer failed: {reason}")]
pub struct ObserverError {
    /// What went wrong, for the failure log.
    pub reason: String,
}

impl ObserverError {
    /// Returns an error with the given reason.
    #[must_use]
    pub fn new(reason: impl Into<String>) -> Self {
        Self {
            reason: reason.into(),
        }
    }
}

/// Receives every [`HitlEvent`].
///
/// Contract:
/// - Events are delivered after the state change is committed and outside the queue's state lock, one at a
///   time, in exactly the order the changes were made (a global order across all threads). The delivering
///   thread is whichever thread first finds undelivered events, so an event may be delivered by another
///   thread shortly after the operation that caused it returned.
/// - An observer may call back into the queue; the resulting events are delivered after the current one.
/// - A failing observer (returning `Err` or panicking) never changes the state: the change already stands.
///   The failure is counted in [`crate::HitlQueue::observer_failures`] and delivery goes on with the next
///   observer and event. A panic is caught and counted like an `Err`.
pub trait Observer: Send + Sync + 'static {
    /// Handles one event.
    ///
    /// # Errors
    ///
    /// Returns [`ObserverError`] if the event could not be handled; the queue counts it and carries on.
    fn on_event(&self, event: &HitlEvent) -> Result<(), ObserverError>;
}

/// A shared observer observes: the caller can keep its own handle (to read what it collected).
impl<O: Observer + ?Sized> Observer for crate::sync::DataArc<O> {
    fn on_event(&self, event: &HitlEvent) -> Result<(), ObserverError> {
        (**self).on_event(event)
    }
}
