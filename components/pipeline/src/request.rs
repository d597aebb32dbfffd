//! What a caller hands to the pipeline: [`ActionRequest`], and the run id each request gets.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The number the pipeline gives each processed request; every audit entry of the request carries it
/// (payload field `run`), so a request's trail can be picked out of a shared log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct RunId(pub u64);

impl fmt::Display for RunId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "run-{}", self.0)
    }
}

/// An action an agent asks to perform.
///
/// Both screens read every field the executor will receive (see [`crate::screen`]). `requester` is the
/// caller's own label, recorded in the audit trail but trusted for nothing: the firewall's rate limit
/// and the review's self-review check use the agent identity the operator gave the pipeline
/// ([`crate::PipelineBuilder::agent`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActionRequest {
    /// Who asks, as the caller names it (a label: see the type doc).
    pub requester: String,
    /// What kind of action, e.g. `"shell.exec"` or `"email.send"`; outcomes are learned per type.
    pub action_type: String,
    /// The command or instruction itself, as the firewall should read it.
    pub content: String,
    /// Structured parameters (JSON `null` for none).
    pub parameters: serde_json::Value,
    /// What the agent expects to happen.
    pub expected_outcome: String,
    /// Why, for whom, in what situation.
    pub context: String,
}

impl ActionRequest {
    /// A request with no parameters, expected outcome or context.
    #[must_use]
    pub fn new(
        requester: impl Into<String>,
        action_type: impl Into<String>,
        content: impl Into<String>,
    ) -> Self {
        Self {
            requester: requester.into(),
            action_type: action_type.into(),
            content: content.into(),
            parameters: serde_json::Value::Null,
            expected_outcome: String::new(),
            context: String::new(),
        }
    }

    /// Sets the structured parameters.
    #[must_use]
    pub fn with_parameters(mut self, parameters: serde_json::Value) -> Self {
        self.parameters = parameters;
        self
    }

    /// Sets the expected outcome.
    #[must_use]
    pub fn with_expected_outcome(mut self, outcome: impl Into<String>) -> Self {
        self.expected_outcome = outcome.into();
        self
    }

    /// Sets the free-text context.
    #[must_use]
    pub fn with_context(mut self, context: impl Into<String>) -> Self {
        self.context = context.into();
        self
    }

    /// The request as the firewall sees it: every field (see [`crate::screen`]), from `source`, the
    /// identity the operator assigned to the agent (never the caller-chosen `requester`).
    pub(crate) fn firewall_request(&self, source: &str) -> intent_firewall::Request {
        intent_firewall::Request::new(source.to_owned(), crate::screen::render(self))
    }

    /// The action as the love engine sees it: the parameters and expected outcome as fields, and the
    /// content, the parameters' command lines and the context as its context.
    pub(crate) fn ethics_action(&self) -> love_engine::Action {
        let mut action = love_engine::Action::new(self.action_type.clone())
            .with_expected_outcome(self.expected_outcome.clone());
        if !self.parameters.is_null() {
            action = action.with_json(self.parameters.clone());
        }
        action.with_context(crate::screen::ethics_context(self))
    }
}
