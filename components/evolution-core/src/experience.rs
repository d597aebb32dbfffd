//! What the caller logs ([`Experience`]) and what it reads back ([`ExperienceRecord`]).

use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::EvolutionError;

/// Dense identifier of a logged experience: the first experience gets 0, the next 1, and so on.
///
/// Ids are never reused; with a retention bound, old ids become
/// [`ExperienceEvicted`](EvolutionError::ExperienceEvicted) rather than unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ExperienceId(pub u64);

impl fmt::Display for ExperienceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

/// How an action turned out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Outcome {
    /// The action achieved its goal.
    Success,
    /// The action failed or was rejected.
    Failure,
    /// Neither: the action was exploratory and produced knowledge rather than a result.
    Learning,
}

impl Outcome {
    /// All outcomes, in index order.
    pub const ALL: [Outcome; 3] = [Outcome::Success, Outcome::Failure, Outcome::Learning];

    /// Dense index (0, 1, 2) used by per-outcome arrays.
    pub(crate) fn index(self) -> usize {
        match self {
            Outcome::Success => 0,
            Outcome::Failure => 1,
            Outcome::Learning => 2,
        }
    }
}

/// One outcome to learn from, as handed to
/// [`EvolutionEngine::log_experience`](crate::EvolutionEngine::log_experience).
///
/// Nothing is validated until it is logged: scores must then be in `[0, 1]` (not NaN), the action
/// type and pattern key non-empty, and an explicit timestamp not earlier than the last logged one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Experience {
    /// What kind of action this was (e.g. `"file.delete"`); statistics are kept per action type.
    pub action_type: String,
    /// How it turned out.
    pub outcome: Outcome,
    /// Ethics score in `[0, 1]`, if known (it can be learned later with `learn_from_ethics`).
    pub ethics_score: Option<f64>,
    /// Safety score in `[0, 1]`, if known (it can be learned later with `learn_from_safety`).
    pub safety_score: Option<f64>,
    /// Microseconds since the Unix epoch; `None` lets the engine stamp the logging time.
    pub timestamp_us: Option<u64>,
    /// Free-form context (kept verbatim, never parsed).
    pub context: String,
    /// Optional key of a recurring pattern, e.g. the id of the safety pattern that matched.
    pub pattern_key: Option<String>,
}

impl Experience {
    /// An experience of `action_type` with `outcome`, no scores, no context, stamped when logged.
    pub fn new(action_type: impl Into<String>, outcome: Outcome) -> Self {
        Self {
            action_type: action_type.into(),
            outcome,
            ethics_score: None,
            safety_score: None,
            timestamp_us: None,
            context: String::new(),
            pattern_key: None,
        }
    }

    /// Sets the ethics score (validated when logged).
    #[must_use]
    pub fn with_ethics_score(mut self, score: f64) -> Self {
        self.ethics_score = Some(score);
        self
    }

    /// Sets the safety score (validated when logged).
    #[must_use]
    pub fn with_safety_score(mut self, score: f64) -> Self {
        self.safety_score = Some(score);
        self
    }

    /// Sets an explicit timestamp in microseconds since the Unix epoch.
    #[must_use]
    pub fn with_timestamp_us(mut self, timestamp_us: u64) -> Self {
        self.timestamp_us = Some(timestamp_us);
        self
    }

    /// Sets the free-form context.
    #[must_use]
    pub fn with_context(mut self, context: impl Into<String>) -> Self {
        self.context = context.into();
        self
    }

    /// Sets the pattern key (e.g. a safety pattern id).
    #[must_use]
    pub fn with_pattern_key(mut self, key: impl Into<String>) -> Self {
        self.pattern_key = Some(key.into());
        self
    }
}

/// A retained experience as read back from the engine.
///
/// Strings are shared (`Arc<str>`), so reading a record never copies its context.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExperienceRecord {
    /// The id `log_experience` returned.
    pub id: ExperienceId,
    /// The action type.
    pub action_type: Arc<str>,
    /// The outcome.
    pub outcome: Outcome,
    /// Current ethics score (the latest learned one), if any.
    pub ethics_score: Option<f64>,
    /// Current safety score (the latest learned one), if any.
    pub safety_score: Option<f64>,
    /// When it was logged, microseconds since the Unix epoch.
    pub timestamp_us: u64,
    /// The free-form context.
    pub context: Arc<str>,
    /// The pattern key, if any.
    pub pattern_key: Option<Arc<str>>,
}

/// Checks that `value` is a score in `[0, 1]` (NaN is rejected).
///
/// # Errors
/// [`EvolutionError::ScoreOutOfRange`] naming `field` when it is not.
pub(crate) fn validate_score(field: &'static str, value: f64) -> Result<f64, EvolutionError> {
    if (0.0..=1.0).contains(&value) {
        Ok(value)
    } else {
        Err(EvolutionError::ScoreOutOfRange { field, value })
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn scores_inside_the_unit_interval_are_accepted() {
        for v in [0.0, 0.5, 1.0] {
            assert_eq!(validate_score("ethics", v), Ok(v));
        }
    }

    #[test]
    fn nan_infinite_and_out_of_range_scores_are_rejected() {
        for v in [f64::NAN, -0.01, 1.01, f64::INFINITY, f64::NEG_INFINITY] {
            assert!(matches!(
                validate_score("safety", v),
                Err(EvolutionError::ScoreOutOfRange {
                    field: "safety",
                    ..
                })
            ));
        }
    }

    #[test]
    fn builder_sets_every_field() {
        let e = Experience::new("a", Outcome::Learning)
            .with_ethics_score(0.1)
            .with_safety_score(0.2)
            .with_timestamp_us(7)
            .with_context("ctx")
            .with_pattern_key("p");
        assert_eq!(e.action_type, "a");
        assert_eq!(e.outcome, Outcome::Learning);
        assert_eq!(e.ethics_score, Some(0.1));
        assert_eq!(e.safety_score, Some(0.2));
        assert_eq!(e.timestamp_us, Some(7));
        assert_eq!(e.context, "ctx");
        assert_eq!(e.pattern_key.as_deref(), Some("p"));
    }

    #[test]
    fn outcome_indexes_are_dense_and_distinct() {
        let idx: Vec<usize> = Outcome::ALL.iter().map(|o| o.index()).collect();
        assert_eq!(idx, vec![0, 1, 2]);
    }
}
