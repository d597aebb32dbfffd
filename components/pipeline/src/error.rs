//! The one error type of the crate, [`PipelineError`].

use std::sync::Arc;

use audit_system::AuditError;
use evolution_core::EvolutionError;
use hitl_collab::{HitlError, RequestId};
use intent_firewall::FirewallError;
use love_engine::LoveError;

use crate::RunId;

/// Everything that can stop a request, or a pipeline from being built.
///
/// A request that ends in an error never reaches the executor unless the error says so
/// ([`PipelineError::Learning`] and an [`PipelineError::Audit`] at step `action.executed` or later
/// happen after execution; their `run` says which request).
#[derive(Debug, Clone, thiserror::Error)]
pub enum PipelineError {
    /// Occurs when the firewall cannot assess the request (empty source, empty or oversized content),
    /// or a firewall cannot be built from the given patterns.
    #[error("firewall: {0}")]
    Firewall(#[from] FirewallError),

    /// Occurs when the love engine cannot assess the action (empty action type, oversized text), or its
    /// configuration is invalid.
    #[error("ethics check: {0}")]
    Ethics(#[from] LoveError),

    /// Occurs when the review queue refuses a request (full: retry later), cannot be built, or a wait for
    /// a decision fails.
    #[error("review queue: {0}")]
    Review(#[from] HitlError),

    /// Occurs when an audit entry cannot be written; the request stops at that step (fail closed).
    #[error("audit entry {step} of run {run} could not be written: {source}")]
    Audit {
        /// The request's run.
        run: RunId,
        /// The audit action that failed (one of [`crate::steps`]).
        step: &'static str,
        /// What the audit log reported.
        #[source]
        source: Arc<AuditError>,
    },

    /// Occurs when the review decision of a run was made but its audit entry did not arrive from the
    /// review queue's observer within [`crate::PipelineConfig::audit_delivery_timeout`].
    #[error("the decision on review {review} of run {run} was not audited in time")]
    AuditNotDelivered {
        /// The request's run.
        run: RunId,
        /// The review request.
        review: RequestId,
    },

    /// Occurs when the audit entry of a control-plane change (a reviewer registration, a pattern
    /// change, a preload) cannot be written; the change is not made (fail closed).
    #[error("control-plane audit entry {step} could not be written: {source}")]
    ControlAudit {
        /// The audit action that failed (one of [`crate::steps`]).
        step: &'static str,
        /// What the audit log reported.
        #[source]
        source: Arc<AuditError>,
    },

    /// Occurs when a reviewer registration is refused (see [`crate::RegistrationError`]).
    #[error("reviewer registration: {0}")]
    Registration(#[from] crate::RegistrationError),

    /// Occurs when the audit log cannot be opened or preloaded.
    #[error("audit log: {0}")]
    AuditLog(#[source] Arc<AuditError>),

    /// Occurs when the outcome of an executed or refused request cannot be learned.
    #[error("learning the outcome of run {run}: {source}")]
    Learning {
        /// The request's run.
        run: RunId,
        /// What the evolution engine reported.
        #[source]
        source: EvolutionError,
    },

    /// Occurs when the evolution engine cannot be configured or preloaded.
    #[error("evolution engine: {0}")]
    Evolution(#[from] EvolutionError),

    /// Occurs when a configuration value is outside its documented range.
    #[error("configuration value {name} is invalid: {reason}")]
    InvalidConfig {
        /// The field.
        name: &'static str,
        /// Why it was refused.
        reason: &'static str,
    },

    /// Occurs when a pipeline is built without an executor.
    #[error("no executor was given to the pipeline builder")]
    MissingExecutor,
}

impl PipelineError {
    pub(crate) fn audit(run: RunId, step: &'static str, source: AuditError) -> Self {
        Self::Audit {
            run,
            step,
            source: Arc::new(source),
        }
    }
}
