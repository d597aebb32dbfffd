//! [`ReviewDesk`]: what reviewers get of the pipeline's review queue.
//!
//! The pipeline owns its queue (in memory or in PostgreSQL, see [`crate::ReviewBackend`]). Reviewers
//! read pending requests and send signed decisions through the desk; registering reviewers is not on it
//! (that is [`crate::Pipeline::register_reviewer`], audited and signed by an admin), so holding the
//! pipeline does not let anyone make themselves a reviewer.

use std::sync::Arc;
use std::time::Duration;

use hitl_collab::{
    Decision, HitlError, InvariantViolation, Priority, RequestId, RequestView, ReviewQueue,
    SignedDecision, WorkflowId,
};

/// The reviewers' side of a pipeline's review queue; cheap to clone and share between threads.
///
/// Every call can fail with [`HitlError::Backend`] when the queue is in PostgreSQL and the database
/// cannot be reached; the in-memory queue never answers it.
#[derive(Debug, Clone)]
pub struct ReviewDesk(pub(crate) Arc<dyn ReviewQueue>);

impl ReviewDesk {
    /// Decides a pending request with a reviewer's signed statement; see
    /// [`hitl_collab::HitlQueue::decide_signed`]. The pipeline's queue accepts nothing else.
    ///
    /// # Errors
    /// As [`ReviewQueue::decide_signed`].
    pub fn decide(&self, signed: &SignedDecision) -> Result<Decision, HitlError> {
        self.0.decide_signed(signed)
    }

    /// Up to `k` actionable pending requests, highest priority first, then oldest.
    ///
    /// # Errors
    /// As [`ReviewQueue::pending_top`].
    pub fn pending_top(&self, k: usize) -> Result<Vec<RequestView>, HitlError> {
        self.0.pending_top(k)
    }

    /// A pending or retained request.
    ///
    /// # Errors
    /// As [`ReviewQueue::get`].
    pub fn get(&self, id: RequestId) -> Result<RequestView, HitlError> {
        self.0.get(id)
    }

    /// The decision that stands, or `None` while pending.
    ///
    /// # Errors
    /// As [`ReviewQueue::status`].
    pub fn status(&self, id: RequestId) -> Result<Option<Decision>, HitlError> {
        self.0.status(id)
    }

    /// Raises a pending request's priority; see [`hitl_collab::HitlQueue::escalate`].
    ///
    /// # Errors
    /// As [`ReviewQueue::escalate`].
    pub fn escalate(
        &self,
        id: RequestId,
        to: Priority,
        extend_by: Duration,
    ) -> Result<Priority, HitlError> {
        self.0.escalate(id, to, extend_by)
    }

    /// Pauses a workflow; see [`hitl_collab::HitlQueue::pause_workflow`].
    ///
    /// # Errors
    /// As [`ReviewQueue::pause_workflow`].
    pub fn pause_workflow(&self, workflow: &WorkflowId) -> Result<bool, HitlError> {
        self.0.pause_workflow(workflow)
    }

    /// Resumes a workflow; see [`hitl_collab::HitlQueue::resume_workflow`].
    ///
    /// # Errors
    /// As [`ReviewQueue::resume_workflow`].
    pub fn resume_workflow(&self, workflow: &WorkflowId) -> Result<bool, HitlError> {
        self.0.resume_workflow(workflow)
    }

    /// Expires every request whose deadline has passed; see [`hitl_collab::HitlQueue::expire_due`].
    ///
    /// # Errors
    /// As [`ReviewQueue::expire_due`].
    pub fn expire_due(&self) -> Result<Vec<(RequestId, Decision)>, HitlError> {
        self.0.expire_due()
    }

    /// Number of pending requests.
    ///
    /// # Errors
    /// As [`ReviewQueue::pending_len`].
    pub fn pending_len(&self) -> Result<usize, HitlError> {
        self.0.pending_len()
    }

    /// Number of decided requests kept for history.
    ///
    /// # Errors
    /// As [`ReviewQueue::retained_len`].
    pub fn retained_len(&self) -> Result<usize, HitlError> {
        self.0.retained_len()
    }

    /// How many observer calls failed so far.
    #[must_use]
    pub fn observer_failures(&self) -> u64 {
        self.0.observer_failures()
    }

    /// Checks the queue's invariants; see [`ReviewQueue::check_invariants`].
    ///
    /// # Errors
    /// The first violation found.
    pub fn check_invariants(&self) -> Result<(), InvariantViolation> {
        self.0.check_invariants()
    }
}
