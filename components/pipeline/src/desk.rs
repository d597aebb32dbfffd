//! [`ReviewDesk`]: what reviewers get of the pipeline's review queue.
//!
//! The pipeline owns its queue. Reviewers read pending requests and send signed decisions through the
//! desk; registering reviewers is not on it (that is [`crate::Pipeline::register_reviewer`], audited
//! and signed by an admin), so holding the pipeline does not let anyone make themselves a reviewer.

use std::sync::Arc;
use std::time::Duration;

use hitl_collab::{
    Decision, HitlError, HitlQueue, InvariantViolation, Priority, RequestId, RequestView,
    SignedDecision, WorkflowId,
};

/// The reviewers' side of a pipeline's review queue; cheap to clone and share between threads.
#[derive(Debug, Clone)]
pub struct ReviewDesk(pub(crate) Arc<HitlQueue>);

impl ReviewDesk {
    /// Decides a pending request with a reviewer's signed statement; see
    /// [`HitlQueue::decide_signed`]. The pipeline's queue accepts nothing else.
    ///
    /// # Errors
    /// As [`HitlQueue::decide_signed`].
    pub fn decide(&self, signed: &SignedDecision) -> Result<Decision, HitlError> {
        self.0.decide_signed(signed)
    }

    /// Up to `k` actionable pending requests, highest priority first, then oldest.
    #[must_use]
    pub fn pending_top(&self, k: usize) -> Vec<RequestView> {
        self.0.pending_top(k)
    }

    /// A pending or retained request.
    ///
    /// # Errors
    /// As [`HitlQueue::get`].
    pub fn get(&self, id: RequestId) -> Result<RequestView, HitlError> {
        self.0.get(id)
    }

    /// The decision that stands, or `None` while pending.
    ///
    /// # Errors
    /// As [`HitlQueue::status`].
    pub fn status(&self, id: RequestId) -> Result<Option<Decision>, HitlError> {
        self.0.status(id)
    }

    /// Raises a pending request's priority; see [`HitlQueue::escalate`].
    ///
    /// # Errors
    /// As [`HitlQueue::escalate`].
    pub fn escalate(
        &self,
        id: RequestId,
        to: Priority,
        extend_by: Duration,
    ) -> Result<Priority, HitlError> {
        self.0.escalate(id, to, extend_by)
    }

    /// Pauses a workflow; see [`HitlQueue::pause_workflow`].
    pub fn pause_workflow(&self, workflow: &WorkflowId) -> bool {
        self.0.pause_workflow(workflow)
    }

    /// Resumes a workflow; see [`HitlQueue::resume_workflow`].
    pub fn resume_workflow(&self, workflow: &WorkflowId) -> bool {
        self.0.resume_workflow(workflow)
    }

    /// Expires every request whose deadline has passed; see [`HitlQueue::expire_due`].
    pub fn expire_due(&self) -> Vec<(RequestId, Decision)> {
        self.0.expire_due()
    }

    /// Number of pending requests.
    #[must_use]
    pub fn pending_len(&self) -> usize {
        self.0.pending_len()
    }

    /// Number of decided requests kept for history.
    #[must_use]
    pub fn retained_len(&self) -> usize {
        self.0.retained_len()
    }

    /// How many observer calls failed so far.
    #[must_use]
    pub fn observer_failures(&self) -> u64 {
        self.0.observer_failures()
    }

    /// Checks the queue's internal invariants; see [`HitlQueue::check_invariants`].
    ///
    /// # Errors
    /// The first violation found.
    pub fn check_invariants(&self) -> Result<(), InvariantViolation> {
        self.0.check_invariants()
    }
}
