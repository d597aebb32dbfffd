//! The one error type of the queue, [`HitlError`].

use crate::decision::Decision;
use crate::request::{Priority, RequestId, WorkflowId};
use crate::reviewer::Role;

/// Everything a queue operation can refuse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HitlError {
    /// Occurs when a queue is configured with a capacity or retention of zero.
    #[error("{what} must be at least 1")]
    ZeroBound {
        /// Which bound was zero (`capacity` or `retention`).
        what: &'static str,
    },
    /// Occurs when a request is submitted with a zero timeout.
    #[error("request timeout must be greater than zero")]
    ZeroTimeout,
    /// Occurs when a caller-supplied id is already held by a pending or retained request.
    #[error("request id {0} is already in use")]
    DuplicateId(RequestId),
    /// Occurs when the queue already holds its capacity of pending requests (backpressure: retry later).
    #[error("queue is full ({capacity} pending requests); retry later")]
    QueueFull {
        /// The configured capacity.
        capacity: usize,
    },
    /// Occurs when an id names no pending request and no retained decision.
    #[error("unknown request {0}")]
    UnknownRequest(RequestId),
    /// Occurs when a decision comes from a principal that is not a registered reviewer.
    #[error("{0} is not a registered reviewer")]
    UnknownReviewer(String),
    /// Occurs when a reviewer tries to decide a request it submitted itself.
    #[error("{reviewer} may not decide its own request {id}")]
    SelfReview {
        /// The request.
        id: RequestId,
        /// The reviewer who is also the requester.
        reviewer: String,
    },
    /// Occurs when a reviewer's role is below the role the request's priority needs.
    #[error("request {id} needs role {needed:?}, reviewer has {has:?}")]
    InsufficientRole {
        /// The request.
        id: RequestId,
        /// The role the current priority needs.
        needed: Role,
        /// The reviewer's role.
        has: Role,
    },
    /// Occurs when a request was already decided (or expired); carries the decision that stands.
    #[error("request {id} was already decided: {:?}", decision.outcome)]
    AlreadyDecided {
        /// The request.
        id: RequestId,
        /// The decision that stands.
        decision: Decision,
    },
    /// Occurs when deciding a request whose workflow is paused.
    #[error("workflow {0} is paused")]
    WorkflowPaused(WorkflowId),
    /// Occurs when an escalation does not raise the priority.
    #[error("cannot escalate request {id} from {current:?} to {requested:?}: not higher")]
    NotAnEscalation {
        /// The request.
        id: RequestId,
        /// Its current priority.
        current: Priority,
        /// The priority asked for.
        requested: Priority,
    },
    /// Occurs when a queue that requires signed decisions is asked to decide on a name alone
    /// (`decide`, `approve`, `reject`, `decide_next`): use [`crate::HitlQueue::decide_signed`].
    #[error("this queue accepts only signed decisions")]
    UnsignedDecision,
    /// Occurs when a decision's signature does not verify with the key registered for its reviewer (a
    /// wrong key, a changed statement, or a malformed signature).
    #[error("the signature of {reviewer}'s decision does not verify")]
    BadSignature {
        /// The reviewer the decision claims to come from.
        reviewer: String,
    },
    /// Occurs when a signed decision comes from a reviewer with no key registered, or whose key changed
    /// between the signature check and the decision.
    #[error("no matching key is registered for reviewer {reviewer}")]
    KeyNotRegistered {
        /// The reviewer.
        reviewer: String,
    },
    /// Occurs when a signed decision names a request digest other than the request's own (the reviewer
    /// saw, or signed for, different content).
    #[error("the signed digest does not match request {0}")]
    DigestMismatch(RequestId),
    /// Occurs when a public key is not 32 bytes of a valid Ed25519 point.
    #[error("malformed reviewer public key")]
    MalformedKey,
    /// Occurs when `wait_for_decision` gives up before the request is decided.
    #[error("request {0} still pending when the wait timed out")]
    WaitTimedOut(RequestId),
    /// Occurs when the queue's database cannot be reached or refuses a statement (PostgreSQL backend).
    /// Nothing the caller asked for is known to have taken effect; a decision that did stand despite
    /// the error is reported as [`HitlError::AlreadyDecided`] to any later attempt.
    #[error("review queue backend failed: {0}")]
    Backend(String),
    /// Occurs when a PostgreSQL queue or schema name is not 1 to 24 ASCII letters, digits or `_`.
    #[error("invalid queue or schema name {0:?}: use 1 to 24 ASCII letters, digits or '_'")]
    InvalidName(String),
    /// Occurs when a PostgreSQL queue handle asks for a policy (signatures, capacity, retention) other than
    /// the one the queue was registered with: every process of a queue enforces the same rules, so a
    /// handle cannot relax them.
    #[error("queue {queue:?} is registered with {stored}; this handle asked for {asked}")]
    PolicyMismatch {
        /// The queue.
        queue: String,
        /// The policy stored with the queue.
        stored: String,
        /// The policy this handle was built with.
        asked: String,
    },
}
