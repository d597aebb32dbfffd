//! [`ReviewQueue`]: the operations every queue backend offers, so a caller (the Aegis pipeline) can run on
//! the in-memory [`crate::HitlQueue`] or on the PostgreSQL queue (feature `postgres`) alike.
//!
//! Every method returns a `Result`: a backend behind a network can fail where the in-memory queue cannot
//! ([`HitlError::Backend`]). A failed call changes nothing that the caller is told stood: a decision that
//! returned an error either did not stand, or stands and a later call sees it ([`HitlError::AlreadyDecided`]).

use std::time::Duration;

use crate::decision::{Decision, Verdict};
use crate::error::HitlError;
use crate::invariant::InvariantViolation;
use crate::request::{DecisionRequest, Priority, RequestId, RequestView, WorkflowId};
use crate::reviewer::Role;
use crate::signature::{ReviewerPublicKey, SignedDecision};

/// A human-review queue in which every request is decided exactly once; see [`crate::HitlQueue`] for
/// the rules (priorities, roles, expiry as a rejection, escalation, paused workflows, signatures), which
/// every implementation keeps.
pub trait ReviewQueue: Send + Sync + std::fmt::Debug {
    /// Submits a request; returns its id. See [`crate::HitlQueue::request`].
    ///
    /// # Errors
    /// As [`crate::HitlQueue::request`], and [`HitlError::Backend`].
    fn request(&self, request: DecisionRequest) -> Result<RequestId, HitlError>;

    /// Decides on a reviewer's name alone. See [`crate::HitlQueue::decide`].
    ///
    /// # Errors
    /// As [`crate::HitlQueue::decide`], and [`HitlError::Backend`].
    fn decide(
        &self,
        id: RequestId,
        reviewer: &str,
        verdict: Verdict,
        note: &str,
    ) -> Result<Decision, HitlError>;

    /// Decides with a reviewer's signed statement. See [`crate::HitlQueue::decide_signed`].
    ///
    /// # Errors
    /// As [`crate::HitlQueue::decide_signed`], and [`HitlError::Backend`].
    fn decide_signed(&self, signed: &SignedDecision) -> Result<Decision, HitlError>;

    /// Decides the first actionable request the reviewer may decide. See [`crate::HitlQueue::decide_next`].
    ///
    /// # Errors
    /// As [`crate::HitlQueue::decide_next`], and [`HitlError::Backend`].
    fn decide_next(
        &self,
        reviewer: &str,
        verdict: Verdict,
        note: &str,
    ) -> Result<Option<(RequestId, Decision)>, HitlError>;

    /// Registers a reviewer without a key (it cannot sign); returns its previous role.
    ///
    /// # Errors
    /// [`HitlError::Backend`].
    fn register_reviewer(&self, name: &str, role: Role) -> Result<Option<Role>, HitlError>;

    /// Registers a reviewer with its public key; returns its previous role.
    ///
    /// # Errors
    /// [`HitlError::Backend`].
    fn register_reviewer_key(
        &self,
        name: &str,
        role: Role,
        key: ReviewerPublicKey,
    ) -> Result<Option<Role>, HitlError>;

    /// Removes a reviewer; returns its role if it was registered.
    ///
    /// # Errors
    /// [`HitlError::Backend`].
    fn unregister_reviewer(&self, name: &str) -> Result<Option<Role>, HitlError>;

    /// A registered reviewer's role and key.
    ///
    /// # Errors
    /// [`HitlError::Backend`].
    fn reviewer(&self, name: &str) -> Result<Option<(Role, Option<ReviewerPublicKey>)>, HitlError>;

    /// True if and only if this queue accepts only signed decisions.
    fn requires_signatures(&self) -> bool;

    /// A pending or retained request.
    ///
    /// # Errors
    /// [`HitlError::UnknownRequest`], [`HitlError::Backend`].
    fn get(&self, id: RequestId) -> Result<RequestView, HitlError>;

    /// The decision that stands, or `None` while pending.
    ///
    /// # Errors
    /// [`HitlError::UnknownRequest`], [`HitlError::Backend`].
    fn status(&self, id: RequestId) -> Result<Option<Decision>, HitlError>;

    /// Up to `k` actionable pending requests, highest priority first, then oldest.
    ///
    /// # Errors
    /// [`HitlError::Backend`].
    fn pending_top(&self, k: usize) -> Result<Vec<RequestView>, HitlError>;

    /// Raises a pending request's priority and extends its deadline. See [`crate::HitlQueue::escalate`].
    ///
    /// # Errors
    /// As [`crate::HitlQueue::escalate`], and [`HitlError::Backend`].
    fn escalate(
        &self,
        id: RequestId,
        to: Priority,
        extend_by: Duration,
    ) -> Result<Priority, HitlError>;

    /// Pauses a workflow; true if and only if it was running.
    ///
    /// # Errors
    /// [`HitlError::Backend`].
    fn pause_workflow(&self, workflow: &WorkflowId) -> Result<bool, HitlError>;

    /// Resumes a workflow; true if and only if it was paused.
    ///
    /// # Errors
    /// [`HitlError::Backend`].
    fn resume_workflow(&self, workflow: &WorkflowId) -> Result<bool, HitlError>;

    /// Expires every request whose deadline has passed; returns those this call expired.
    ///
    /// # Errors
    /// [`HitlError::Backend`].
    fn expire_due(&self) -> Result<Vec<(RequestId, Decision)>, HitlError>;

    /// Blocks until the request is decided or expires, at most `timeout`, without polling.
    /// See [`crate::HitlQueue::wait_for_decision`].
    ///
    /// # Errors
    /// [`HitlError::WaitTimedOut`], [`HitlError::UnknownRequest`], [`HitlError::Backend`].
    fn wait_for_decision(&self, id: RequestId, timeout: Duration) -> Result<Decision, HitlError>;

    /// Number of pending requests (paused ones included).
    ///
    /// # Errors
    /// [`HitlError::Backend`].
    fn pending_len(&self) -> Result<usize, HitlError>;

    /// Number of decided requests kept for history.
    ///
    /// # Errors
    /// [`HitlError::Backend`].
    fn retained_len(&self) -> Result<usize, HitlError>;

    /// How many observer calls of this handle failed so far.
    fn observer_failures(&self) -> u64;

    /// Checks the backend's invariants.
    ///
    /// # Errors
    /// The first [`InvariantViolation`] found (a bug), or one naming a backend failure.
    fn check_invariants(&self) -> Result<(), InvariantViolation>;

    /// Approves; see [`ReviewQueue::decide`].
    ///
    /// # Errors
    /// As [`ReviewQueue::decide`].
    fn approve(&self, id: RequestId, reviewer: &str) -> Result<Decision, HitlError> {
        self.decide(id, reviewer, Verdict::Approve, "")
    }

    /// Rejects with a reason; see [`ReviewQueue::decide`].
    ///
    /// # Errors
    /// As [`ReviewQueue::decide`].
    fn reject(&self, id: RequestId, reviewer: &str, reason: &str) -> Result<Decision, HitlError> {
        self.decide(id, reviewer, Verdict::Reject, reason)
    }
}

impl ReviewQueue for crate::HitlQueue {
    fn request(&self, request: DecisionRequest) -> Result<RequestId, HitlError> {
        Self::request(self, request)
    }
    fn decide(
        &self,
        id: RequestId,
        reviewer: &str,
        verdict: Verdict,
        note: &str,
    ) -> Result<Decision, HitlError> {
        Self::decide(self, id, reviewer, verdict, note)
    }
    fn decide_signed(&self, signed: &SignedDecision) -> Result<Decision, HitlError> {
        Self::decide_signed(self, signed)
    }
    fn decide_next(
        &self,
        reviewer: &str,
        verdict: Verdict,
        note: &str,
    ) -> Result<Option<(RequestId, Decision)>, HitlError> {
        Self::decide_next(self, reviewer, verdict, note)
    }
    fn register_reviewer(&self, name: &str, role: Role) -> Result<Option<Role>, HitlError> {
        Ok(Self::register_reviewer(self, name, role))
    }
    fn register_reviewer_key(
        &self,
        name: &str,
        role: Role,
        key: ReviewerPublicKey,
    ) -> Result<Option<Role>, HitlError> {
        Ok(Self::register_reviewer_key(self, name, role, key))
    }
    fn unregister_reviewer(&self, name: &str) -> Result<Option<Role>, HitlError> {
        Ok(Self::unregister_reviewer(self, name))
    }
    fn reviewer(&self, name: &str) -> Result<Option<(Role, Option<ReviewerPublicKey>)>, HitlError> {
        Ok(Self::reviewer(self, name))
    }
    fn requires_signatures(&self) -> bool {
        Self::requires_signatures(self)
    }
    fn get(&self, id: RequestId) -> Result<RequestView, HitlError> {
        Self::get(self, id)
    }
    fn status(&self, id: RequestId) -> Result<Option<Decision>, HitlError> {
        Self::status(self, id)
    }
    fn pending_top(&self, k: usize) -> Result<Vec<RequestView>, HitlError> {
        Ok(Self::pending_top(self, k))
    }
    fn escalate(
        &self,
        id: RequestId,
        to: Priority,
        extend_by: Duration,
    ) -> Result<Priority, HitlError> {
        Self::escalate(self, id, to, extend_by)
    }
    fn pause_workflow(&self, workflow: &WorkflowId) -> Result<bool, HitlError> {
        Ok(Self::pause_workflow(self, workflow))
    }
    fn resume_workflow(&self, workflow: &WorkflowId) -> Result<bool, HitlError> {
        Ok(Self::resume_workflow(self, workflow))
    }
    fn expire_due(&self) -> Result<Vec<(RequestId, Decision)>, HitlError> {
        Ok(Self::expire_due(self))
    }
    fn wait_for_decision(&self, id: RequestId, timeout: Duration) -> Result<Decision, HitlError> {
        Self::wait_for_decision(self, id, timeout)
    }
    fn pending_len(&self) -> Result<usize, HitlError> {
        Ok(Self::pending_len(self))
    }
    fn retained_len(&self) -> Result<usize, HitlError> {
        Ok(Self::retained_len(self))
    }
    fn observer_failures(&self) -> u64 {
        Self::observer_failures(self)
    }
    fn check_invariants(&self) -> Result<(), InvariantViolation> {
        Self::check_invariants(self)
    }
}
