//! The engine: validated configuration, the checks, and the recorded history.

use std::cell::RefCell;

use parking_lot::Mutex;

use crate::action::Action;
use crate::consistency::{self, ConsistencyReport};
use crate::ethics::{EthicalAssessment, Scan};
use crate::history::{AlignmentReport, AssessmentRecord, History};
use crate::love_metric::{self, LoveMetric, SystemState};
use crate::normalize::Tokens;
use crate::{LoveConfig, LoveError};

thread_local! {
    /// Per-thread token buffer, reused across checks so a check allocates no scratch.
    static SCRATCH: RefCell<Tokens> = RefCell::new(Tokens::default());
}

/// The love engine: scores actions, checks generated text, and keeps an alignment history.
///
/// `Send + Sync`: share it behind an `Arc` and call every method through `&self` from many
/// threads. The only shared state is the assessment history, behind one short lock taken once per
/// [`LoveEngine::check_ethics`]. Every result is a deterministic function of its input (and, for
/// [`LoveEngine::evaluate_alignment`], of the recorded history).
#[derive(Debug)]
pub struct LoveEngine {
    config: LoveConfig,
    history: Mutex<History>,
}

impl Default for LoveEngine {
    fn default() -> Self {
        Self::new()
    }
}

impl LoveEngine {
    /// Creates an engine with [`LoveConfig::default`].
    #[must_use]
    pub fn new() -> Self {
        let config = LoveConfig::default();
        Self {
            history: Mutex::new(History::new(config.history_capacity)),
            config,
        }
    }

    /// Creates an engine with the default configuration but the given approval threshold.
    ///
    /// # Errors
    /// [`LoveError::ThresholdOutOfRange`] if `threshold` is not in [0, 1], and
    /// [`LoveError::ReviewBandOutOfRange`] if it is below the default review band (0.15).
    pub fn with_threshold(threshold: f64) -> Result<Self, LoveError> {
        Self::with_config(LoveConfig {
            threshold,
            ..LoveConfig::default()
        })
    }

    /// Creates an engine with a custom configuration, after validating it.
    ///
    /// # Errors
    /// Whatever [`LoveConfig::validate`] reports.
    pub fn with_config(config: LoveConfig) -> Result<Self, LoveError> {
        config.validate()?;
        Ok(Self {
            history: Mutex::new(History::new(config.history_capacity)),
            config,
        })
    }

    /// The engine's configuration.
    #[must_use]
    pub fn config(&self) -> &LoveConfig {
        &self.config
    }

    /// Scores an action on the five dimensions, decides a verdict, and records the assessment in
    /// the history.
    ///
    /// Cost: linear in the action's text; one lock acquisition to record.
    ///
    /// # Errors
    /// [`LoveError::EmptyActionType`] if the action type is empty or whitespace, and
    /// [`LoveError::ActionTooLarge`] if its text exceeds
    /// [`LoveConfig::max_action_bytes`].
    pub fn check_ethics(&self, action: &Action) -> Result<EthicalAssessment, LoveError> {
        let assessment = self.assess(action)?;
        self.history.lock().record(&assessment);
        Ok(assessment)
    }

    /// Scores an action like [`LoveEngine::check_ethics`] without recording it.
    ///
    /// # Errors
    /// As [`LoveEngine::check_ethics`].
    pub fn assess(&self, action: &Action) -> Result<EthicalAssessment, LoveError> {
        if action.action_type.trim().is_empty() {
            return Err(LoveError::EmptyActionType);
        }
        // One traversal: count the text while scanning it, and stop scanning once past the
        // maximum (the scan is linear, so at most `max` bytes are ever scanned).
        let max = self.config.max_action_bytes;
        let mut len = 0usize;
        let mut scan = Scan::default();
        SCRATCH.with_borrow_mut(|tokens| {
            action.visit_text(|field, text| {
                len = len.saturating_add(text.len());
                if len <= max {
                    scan.segment(field, text, tokens);
                }
            });
        });
        if len > max {
            return Err(LoveError::ActionTooLarge { len, max });
        }
        Ok(scan.finish(&self.config))
    }

    /// Checks a generated text against the context it was given (see [`crate::consistency`]).
    ///
    /// Cost: linear in `text.len() + context.len()`.
    ///
    /// # Errors
    /// [`LoveError::TextTooLarge`] if either text exceeds [`LoveConfig::max_text_bytes`].
    pub fn detect_hallucination(
        &self,
        text: &str,
        context: &str,
    ) -> Result<ConsistencyReport, LoveError> {
        let max = self.config.max_text_bytes;
        for t in [text, context] {
            if t.len() > max {
                return Err(LoveError::TextTooLarge { len: t.len(), max });
            }
        }
        Ok(consistency::check(
            text,
            context,
            self.config.consistency_threshold,
        ))
    }

    /// The love metric of the change from `before` to `after` (see [`crate::love_metric`]).
    #[must_use]
    pub fn compute_love_metric(&self, before: &SystemState, after: &SystemState) -> LoveMetric {
        love_metric::compute_love_metric(before, after)
    }

    /// Evaluates alignment from the recorded history (see [`crate::history`]).
    ///
    /// Cost: linear in the retained history, under the history lock.
    ///
    /// # Errors
    /// [`LoveError::NoHistory`] if nothing has been recorded yet.
    pub fn evaluate_alignment(&self) -> Result<AlignmentReport, LoveError> {
        self.history.lock().evaluate(self.config.trend_window)
    }

    /// Number of assessments currently retained.
    #[must_use]
    pub fn history_len(&self) -> usize {
        self.history.lock().len()
    }

    /// Number of assessments ever recorded, including evicted ones.
    #[must_use]
    pub fn total_assessments(&self) -> u64 {
        self.history.lock().total()
    }

    /// A copy of the retained records, oldest first.
    #[must_use]
    pub fn history(&self) -> Vec<AssessmentRecord> {
        self.history.lock().records().copied().collect()
    }
}
