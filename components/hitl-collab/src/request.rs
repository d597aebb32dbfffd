//! What a requester submits: [`DecisionRequest`], its [`Priority`], [`RequestId`] and [`WorkflowId`].

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::clock::Timestamp;
use crate::reviewer::Role;
use crate::signature::RequestDigest;
use crate::sync::DataArc;

/// The identity of one decision request within one queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct RequestId(pub u64);

impl fmt::Display for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "req-{}", self.0)
    }
}

/// How urgent a request is; higher priorities are served first and need a higher [`Role`] to decide.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Priority {
    /// Routine; any reviewer.
    Low,
    /// Normal; any reviewer.
    Medium,
    /// Needs a senior reviewer.
    High,
    /// Needs an admin.
    Critical,
}

impl Priority {
    /// All priorities, lowest first.
    pub const ALL: [Self; 4] = [Self::Low, Self::Medium, Self::High, Self::Critical];

    /// Returns the least role allowed to decide a request of this priority:
    /// Low and Medium need [`Role::Reviewer`], High needs [`Role::Senior`], Critical needs [`Role::Admin`].
    #[must_use]
    pub const fn required_role(self) -> Role {
        match self {
            Self::Low | Self::Medium => Role::Reviewer,
            Self::High => Role::Senior,
            Self::Critical => Role::Admin,
        }
    }
}

/// A named group of requests that can be paused and resumed together.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct WorkflowId(pub String);

impl WorkflowId {
    /// Returns a workflow id from any string.
    #[must_use]
    pub fn new(name: impl Into<String>) -> Self {
        Self(name.into())
    }
}

impl fmt::Display for WorkflowId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A request for a human decision, as submitted to [`crate::HitlQueue::request`].
///
/// Build it with [`DecisionRequest::new`] and the `with_*` methods. A zero timeout is rejected by the queue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DecisionRequest {
    /// Who asks; this principal may not decide its own request.
    pub requester: String,
    /// What is to be decided, for the reviewer.
    pub description: String,
    /// Free-form machine context (the action, scores, matched patterns...).
    pub context: serde_json::Value,
    /// Initial priority.
    pub priority: Priority,
    /// How long the request may stay undecided before it expires (a rejection).
    pub timeout: Duration,
    /// A caller-chosen id; `None` lets the queue pick a fresh one.
    pub id: Option<RequestId>,
    /// The workflow the request belongs to, if it can be paused with others.
    pub workflow: Option<WorkflowId>,
}

impl DecisionRequest {
    /// Returns a request with a null context, a fresh id and no workflow.
    #[must_use]
    pub fn new(
        requester: impl Into<String>,
        description: impl Into<String>,
        priority: Priority,
        timeout: Duration,
    ) -> Self {
        Self {
            requester: requester.into(),
            description: description.into(),
            context: serde_json::Value::Null,
            priority,
            timeout,
            id: None,
            workflow: None,
        }
    }

    /// Sets the JSON context.
    #[must_use]
    pub fn with_context(mut self, context: serde_json::Value) -> Self {
        self.context = context;
        self
    }

    /// Asks for a specific id; submitting it while another request with that id is known fails with
    /// [`crate::HitlError::DuplicateId`].
    #[must_use]
    pub fn with_id(mut self, id: RequestId) -> Self {
        self.id = Some(id);
        self
    }

    /// Puts the request in a workflow.
    #[must_use]
    pub fn with_workflow(mut self, workflow: WorkflowId) -> Self {
        self.workflow = Some(workflow);
        self
    }
}

/// A read-only snapshot of a request as the queue holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestView {
    /// The request's id.
    pub id: RequestId,
    /// The request as submitted (its `priority` is the original one; see `priority` here for the current one).
    pub request: DataArc<DecisionRequest>,
    /// The current priority (after any escalation).
    pub priority: Priority,
    /// When it was submitted.
    pub submitted_at: Timestamp,
    /// When it expires if undecided.
    pub deadline: Timestamp,
    /// The digest a signed decision on it must name (see [`crate::RequestDigest`]).
    pub digest: RequestDigest,
}
