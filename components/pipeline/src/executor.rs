//! Where approved actions take effect: the [`Executor`] trait, implemented by the caller.

use std::sync::Arc;

use crate::ActionRequest;

/// Why an executor could not carry out an action.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("execution failed: {reason}")]
pub struct ExecutionError {
    /// What went wrong, for the audit log and the outcome.
    pub reason: String,
}

impl ExecutionError {
    /// An error with the given reason.
    #[must_use]
    pub fn new(reason: impl Into<String>) -> Self {
        Self {
            reason: reason.into(),
        }
    }
}

/// Performs an action the pipeline let through: the one place a real side effect happens.
///
/// The pipeline calls it only for requests that passed both checks or were approved by a reviewer,
/// never for a blocked or rejected one, and at most once per request. It is called from whatever thread
/// calls [`Pipeline::process`](crate::Pipeline::process), so it must be `Send + Sync`.
pub trait Executor: Send + Sync {
    /// Carries out the action; the returned JSON is written to the `action.executed` audit entry.
    ///
    /// # Errors
    /// [`ExecutionError`] if the action failed; the pipeline audits it as `action.failed` and learns a
    /// failure.
    fn execute(&self, request: &ActionRequest) -> Result<serde_json::Value, ExecutionError>;
}

/// A shared executor executes: the caller can keep its own handle.
impl<E: Executor + ?Sized> Executor for Arc<E> {
    fn execute(&self, request: &ActionRequest) -> Result<serde_json::Value, ExecutionError> {
        (**self).execute(request)
    }
}
