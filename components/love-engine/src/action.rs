//! The action an agent proposes, as the engine sees it.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::ethics::{Evidence, Field};

/// Parameters of an action: structured JSON, ordered key/value pairs, or nothing.
///
/// Only text is judged: object keys and string values (at any depth) for JSON, keys and values
/// for pairs. Numbers, booleans and nulls carry no ethical evidence and are skipped.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub enum Parameters {
    /// No parameters.
    #[default]
    None,
    /// A JSON document.
    Json(serde_json::Value),
    /// Ordered key/value pairs.
    KeyValue(Vec<(String, String)>),
}

/// An action proposed by an agent: what it does, with what, what it expects, and why.
///
/// Build one with [`Action::new`] and the `with_*` methods. The engine rejects an empty action
/// type and oversized text when the action is checked, not here.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Action {
    /// What kind of action this is, e.g. `"send_email"` or `"read_report"`.
    pub action_type: String,
    /// The action's parameters.
    pub parameters: Parameters,
    /// What the agent expects to happen.
    pub expected_outcome: String,
    /// Free-text context: the reason, the requester, the situation.
    pub context: String,
}

impl Action {
    /// Creates an action of the given type with no parameters, outcome or context.
    #[must_use]
    pub fn new(action_type: impl Into<String>) -> Self {
        Self {
            action_type: action_type.into(),
            ..Self::default()
        }
    }

    /// Replaces the parameters with a JSON document.
    #[must_use]
    pub fn with_json(mut self, parameters: serde_json::Value) -> Self {
        self.parameters = Parameters::Json(parameters);
        self
    }

    /// Appends one key/value parameter (switching JSON or no parameters to key/value pairs).
    #[must_use]
    pub fn with_parameter(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        let pair = (key.into(), value.into());
        match &mut self.parameters {
            Parameters::KeyValue(pairs) => pairs.push(pair),
            other => *other = Parameters::KeyValue(vec![pair]),
        }
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
}

impl Action {
    /// Returns the original words an [`Evidence`] points at, or `None` if the evidence does not
    /// belong to this action.
    #[must_use]
    pub fn quote(&self, evidence: &Evidence) -> Option<&str> {
        let mut found = None;
        self.visit_text(|field, text| {
            if field == evidence.field {
                found = text.get(evidence.span.clone());
            }
        });
        found
    }

    /// Calls `f` on every text of the action in scan order: type, parameter texts (see
    /// [`Field::Parameter`]), expected outcome, context.
    pub(crate) fn visit_text<'a>(&'a self, mut f: impl FnMut(Field, &'a str)) {
        f(Field::ActionType, &self.action_type);
        let mut index = 0;
        let mut param = |text: &'a str| {
            f(Field::Parameter { index }, text);
            index += 1;
        };
        match &self.parameters {
            Parameters::None => {}
            Parameters::KeyValue(pairs) => {
                for (k, v) in pairs {
                    param(k);
                    param(v);
                }
            }
            Parameters::Json(root) => {
                // Depth first without recursion: deep documents cannot overflow the stack.
                let mut stack: Vec<&Value> = vec![root];
                while let Some(value) = stack.pop() {
                    match value {
                        Value::String(s) => param(s),
                        Value::Array(items) => stack.extend(items.iter().rev()),
                        Value::Object(map) => {
                            for k in map.keys() {
                                param(k);
                            }
                            stack.extend(map.values().rev());
                        }
                        Value::Null | Value::Bool(_) | Value::Number(_) => {}
                    }
                }
            }
        }
        f(Field::ExpectedOutcome, &self.expected_outcome);
        f(Field::Context, &self.context);
    }
}
