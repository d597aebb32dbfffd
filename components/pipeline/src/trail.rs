//! The audit trail: the action names and actors of every entry the pipeline writes, and the writer.
//!
//! Every entry's payload is a JSON object; entries about one request carry its run id in field `run`.

use std::sync::Arc;

use audit_system::AuditError;
use serde_json::Value;

use crate::{AuditBackend, PipelineError, RunId};

/// Audit action names, one per step.
pub mod steps {
    /// The firewall assessed the request (actor [`super::actors::FIREWALL`]).
    pub const FIREWALL_CHECKED: &str = "firewall.checked";
    /// The love engine assessed the action (actor [`super::actors::ETHICS`]).
    pub const ETHICS_CHECKED: &str = "ethics.checked";
    /// A human review was requested (actor: the requester). Written by the review-queue observer.
    pub const REVIEW_REQUESTED: &str = "review.requested";
    /// A reviewer decided (actor: the reviewer). Written by the review-queue observer.
    pub const REVIEW_DECIDED: &str = "review.decided";
    /// A review expired undecided, a rejection (actor [`super::actors::REVIEW_QUEUE`]).
    pub const REVIEW_EXPIRED: &str = "review.expired";
    /// A pending review's priority was raised (actor [`super::actors::REVIEW_QUEUE`]).
    pub const REVIEW_ESCALATED: &str = "review.escalated";
    /// A review workflow was paused (actor [`super::actors::REVIEW_QUEUE`]).
    pub const WORKFLOW_PAUSED: &str = "review.workflow_paused";
    /// A review workflow was resumed (actor [`super::actors::REVIEW_QUEUE`]).
    pub const WORKFLOW_RESUMED: &str = "review.workflow_resumed";
    /// The action is about to reach the executor (actor [`super::actors::PIPELINE`]): the write-ahead
    /// entry, committed before the executor runs; if it cannot be written the action does not run.
    pub const ACTION_EXECUTING: &str = "action.executing";
    /// The executor carried out the action (actor [`super::actors::EXECUTOR`]); an output whose JSON
    /// is over 16 KiB is recorded by digest (see [`crate::bound`]).
    pub const ACTION_EXECUTED: &str = "action.executed";
    /// The executor failed (actor [`super::actors::EXECUTOR`]).
    pub const ACTION_FAILED: &str = "action.failed";
    /// The pipeline refused the request without review (actor [`super::actors::PIPELINE`]).
    pub const ACTION_BLOCKED: &str = "action.blocked";
    /// The request was refused because its review was rejected or expired (actor
    /// [`super::actors::PIPELINE`]).
    pub const ACTION_REJECTED: &str = "action.rejected";
    /// The outcome was learned by the evolution engine (actor [`super::actors::EVOLUTION`]).
    pub const OUTCOME_LEARNED: &str = "outcome.learned";
    /// A run stopped with an error after its checks were audited (actor [`super::actors::PIPELINE`]);
    /// written on a best-effort basis, the error itself is returned to the caller either way.
    pub const RUN_ABORTED: &str = "run.aborted";
    /// A synthetic entry written by [`crate::Pipeline::preload`] (actor [`super::actors::PRELOAD`]).
    pub const PRELOADED: &str = "preload.entry";
    /// [`crate::Pipeline::preload`] is about to add state (actor [`super::actors::OPERATOR`]); written
    /// before anything is added.
    pub const PRELOAD_STARTED: &str = "preload.started";
    /// A reviewer was registered (actor: the admin who signed the grant, or
    /// [`super::actors::OPERATOR`] for the bootstrap admin); written before the registration.
    pub const REVIEWER_REGISTERED: &str = "reviewer.registered";
    /// A pipeline process joined a log shared with other pipeline processes (actor
    /// [`super::actors::PIPELINE`]); its run ids start at this entry's sequence number times
    /// [`crate::RUNS_PER_INSTANCE`], so no two processes on one log number a run alike.
    pub const PIPELINE_STARTED: &str = "pipeline.started";
    /// Firewall patterns are about to be added (actor [`super::actors::OPERATOR`]).
    pub const PATTERNS_ADDED: &str = "firewall.patterns_added";
    /// Firewall patterns are about to be removed (actor [`super::actors::OPERATOR`]).
    pub const PATTERNS_REMOVED: &str = "firewall.patterns_removed";
}

/// Actors of the entries that are not written on behalf of a person.
pub mod actors {
    /// The intent firewall.
    pub const FIREWALL: &str = "intent-firewall";
    /// The love engine.
    pub const ETHICS: &str = "love-engine";
    /// The pipeline itself.
    pub const PIPELINE: &str = "aegis-pipeline";
    /// The executor.
    pub const EXECUTOR: &str = "executor";
    /// The evolution engine.
    pub const EVOLUTION: &str = "evolution-core";
    /// The review queue (expiries, escalations, pauses).
    pub const REVIEW_QUEUE: &str = "hitl-collab";
    /// The preloader.
    pub const PRELOAD: &str = "preload";
    /// Whoever holds the pipeline (the operator): control-plane changes and the bootstrap admin.
    pub const OPERATOR: &str = "operator";
}

/// Writes entries to the audit log (either backend); a failure becomes [`PipelineError::Audit`] or
/// [`PipelineError::ControlAudit`].
#[derive(Debug, Clone)]
pub(crate) struct Trail {
    log: AuditBackend,
}

impl Trail {
    pub(crate) fn new(log: AuditBackend) -> Self {
        Self { log }
    }

    pub(crate) fn log(&self) -> &AuditBackend {
        &self.log
    }

    /// Appends one entry; returns its sequence number (the review observer's writes).
    pub(crate) fn write(
        &self,
        actor: &str,
        step: &'static str,
        payload: &Value,
    ) -> Result<u64, Arc<AuditError>> {
        self.log
            .append(actor, step, &payload.to_string())
            .map(|r| r.seq)
            .map_err(Arc::new)
    }

    /// Appends one entry carrying a signed statement as an audit attestation (checked by the log
    /// before it is written and by every later `verify()`); returns its sequence number.
    pub(crate) fn write_attested(
        &self,
        actor: &str,
        step: &'static str,
        payload: &Value,
        attestation: audit_system::Attestation,
    ) -> Result<u64, Arc<AuditError>> {
        self.log
            .append_attested(actor, step, &payload.to_string(), vec![attestation])
            .map(|r| r.seq)
            .map_err(Arc::new)
    }

    /// Appends one control-plane entry (not about a run); a failure becomes
    /// [`PipelineError::ControlAudit`].
    pub(crate) fn control(
        &self,
        actor: &str,
        step: &'static str,
        payload: &Value,
    ) -> Result<u64, PipelineError> {
        self.write(actor, step, payload)
            .map_err(|source| PipelineError::ControlAudit { step, source })
    }

    /// Appends one control-plane entry carrying a signed statement as an audit attestation.
    pub(crate) fn control_attested(
        &self,
        actor: &str,
        step: &'static str,
        payload: &Value,
        attestation: audit_system::Attestation,
    ) -> Result<u64, PipelineError> {
        self.write_attested(actor, step, payload, attestation)
            .map_err(|source| PipelineError::ControlAudit { step, source })
    }

    /// Appends entries in one reservation (one commit); returns their sequence numbers. An error
    /// names `run` and the first entry's action.
    pub(crate) fn append(
        &self,
        run: RunId,
        entries: &[(&str, &'static str, Value)],
    ) -> Result<Vec<u64>, PipelineError> {
        if entries.is_empty() {
            return Ok(Vec::new());
        }
        let payloads: Vec<String> = entries.iter().map(|(_, _, p)| p.to_string()).collect();
        let items: Vec<(&str, &str, &str)> = entries
            .iter()
            .zip(&payloads)
            .map(|((actor, action, _), payload)| (*actor, *action, payload.as_str()))
            .collect();
        match self.log.append_batch(&items) {
            Ok(receipts) => Ok(receipts.iter().map(|r| r.seq).collect()),
            Err(e) => Err(PipelineError::audit(
                run,
                entries.first().map_or("", |(_, step, _)| step),
                e,
            )),
        }
    }
}
