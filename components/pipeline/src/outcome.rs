//! What `process` returns: [`Processed`], with its [`Disposition`] and [`ReviewRecord`].

use evolution_core::ExperienceId;
use hitl_collab::{Decision, Priority, RequestId};
use serde::Serialize;

use crate::{BlockReason, Route, RunId};

/// How a request ended.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "disposition", rename_all = "snake_case")]
pub enum Disposition {
    /// The executor carried it out; `output` is what it returned.
    Executed {
        /// The executor's result.
        output: serde_json::Value,
    },
    /// The executor was called and failed.
    ExecutionFailed {
        /// The executor's reason.
        reason: String,
    },
    /// Refused without review; the executor was not called.
    Blocked(BlockReason),
    /// Refused by review (rejected, or expired undecided); the executor was not called.
    Rejected,
}

impl Disposition {
    /// Returns true if and only if the executor was called (successfully or not).
    #[must_use]
    pub fn reached_executor(&self) -> bool {
        matches!(self, Self::Executed { .. } | Self::ExecutionFailed { .. })
    }

    /// The outcome the evolution engine learns: success only for a successful execution.
    #[must_use]
    pub fn learned_outcome(&self) -> evolution_core::Outcome {
        match self {
            Self::Executed { .. } => evolution_core::Outcome::Success,
            _ => evolution_core::Outcome::Failure,
        }
    }
}

/// The human review a request went through.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReviewRecord {
    /// The review request's id in the queue.
    pub id: RequestId,
    /// Its priority when submitted.
    pub priority: Priority,
    /// The decision that stood.
    pub decision: Decision,
}

/// Everything the pipeline did with one request.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Processed {
    /// The run id (the `run` field of the request's audit entries).
    pub run: RunId,
    /// The firewall's safety score.
    pub safety_score: f64,
    /// The love engine's overall ethics score.
    pub ethics_score: f64,
    /// Where routing sent the request.
    pub route: Route,
    /// The review, if there was one.
    pub review: Option<ReviewRecord>,
    /// How it ended.
    pub disposition: Disposition,
    /// The experience the evolution engine logged for it.
    pub experience: ExperienceId,
    /// Sequence numbers of every audit entry of this run, in order (review entries included).
    pub audit_seqs: Vec<u64>,
}
