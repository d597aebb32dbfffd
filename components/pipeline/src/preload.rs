//! Preloading a pipeline with state for scalability runs: experiences, audit entries, firewall
//! patterns and pending reviews, as the earlier specification sized them ([`Preload::seed_spec`]:
//! 100K experiences, 100K audit entries, 1K patterns, 1K pending reviews).
//!
//! Everything preloaded is synthetic but real: experiences go through
//! [`EvolutionEngine::log_experience`](evolution_core::EvolutionEngine::log_experience), audit entries
//! are signed and committed, patterns are compiled into the firewall, reviews wait in the queue.
//! Preloaded patterns never match ordinary text (each is a unique made-up token), so they cost the
//! matcher its size without changing any verdict.

use std::sync::Arc;
use std::time::Duration;

use evolution_core::{Experience, Outcome};
use hitl_collab::{DecisionRequest, Priority};
use intent_firewall::{Pattern, PatternCategory, Severity};
use serde_json::json;

use crate::trail::{actors, steps};
use crate::{Pipeline, PipelineError};

/// Audit entries appended per commit while preloading.
const AUDIT_BATCH: usize = 1_000;

/// Requester of preloaded reviews (no reviewer should carry this name).
pub const PRELOAD_REQUESTER: &str = "preload";

/// How much state to preload; every count defaults to 0.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Preload {
    /// Experiences to log: 60% success, 30% failure, 10% learning, over 100 action types.
    pub experiences: u64,
    /// Audit entries to append (about 200 bytes of payload each), in batches of 1,000.
    pub audit_entries: u64,
    /// Firewall patterns to add (ids `preload.<i>`), compiled once.
    pub patterns: usize,
    /// Review requests to leave pending (priorities cycling Low..Critical, one-day timeout).
    pub pending_reviews: usize,
}

impl Preload {
    /// Nothing to preload.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// The earlier specification's pipeline setup: 100K experiences, 100K audit entries, 1K patterns
    /// and 1K pending reviews.
    #[must_use]
    pub fn seed_spec() -> Self {
        Self {
            experiences: 100_000,
            audit_entries: 100_000,
            patterns: 1_000,
            pending_reviews: 1_000,
        }
    }

    /// Sets the number of experiences.
    #[must_use]
    pub fn experiences(mut self, n: u64) -> Self {
        self.experiences = n;
        self
    }

    /// Sets the number of audit entries.
    #[must_use]
    pub fn audit_entries(mut self, n: u64) -> Self {
        self.audit_entries = n;
        self
    }

    /// Sets the number of firewall patterns.
    #[must_use]
    pub fn patterns(mut self, n: usize) -> Self {
        self.patterns = n;
        self
    }

    /// Sets the number of pending reviews.
    #[must_use]
    pub fn pending_reviews(mut self, n: usize) -> Self {
        self.pending_reviews = n;
        self
    }
}

/// What a preload added.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PreloadReport {
    /// Experiences logged.
    pub experiences: u64,
    /// Audit entries appended (the queue's observer adds one more per pending review).
    pub audit_entries: u64,
    /// Patterns added to the firewall.
    pub patterns: usize,
    /// Reviews left pending.
    pub pending_reviews: usize,
}

impl Pipeline {
    /// Preloads state for a scalability run (see the [module docs](self)).
    ///
    /// Writes `preload.started` (the counts) first; nothing is added if it cannot be written.
    ///
    /// # Errors
    /// [`PipelineError::ControlAudit`] if the first entry cannot be written; [`PipelineError::Evolution`], [`PipelineError::AuditLog`], [`PipelineError::Firewall`]
    /// (for example a pattern id already in use from an earlier preload), or
    /// [`PipelineError::Review`] (a full queue). What was added before the error stays.
    pub fn preload(&self, preload: &Preload) -> Result<PreloadReport, PipelineError> {
        self.trail.control(
            actors::OPERATOR,
            steps::PRELOAD_STARTED,
            &json!({
                "experiences": preload.experiences,
                "audit_entries": preload.audit_entries,
                "patterns": preload.patterns,
                "pending_reviews": preload.pending_reviews,
            }),
        )?;
        let mut report = PreloadReport::default();
        for i in 0..preload.experiences {
            let outcome = match i % 10 {
                0..=5 => Outcome::Success,
                6..=8 => Outcome::Failure,
                _ => Outcome::Learning,
            };
            let score = if outcome == Outcome::Failure {
                0.4
            } else {
                0.9
            };
            self.evolution.log_experience(
                Experience::new(format!("preload.action-{}", i % 100), outcome)
                    .with_ethics_score(score)
                    .with_safety_score(score),
            )?;
            report.experiences += 1;
        }

        let mut next = 0u64;
        while next < preload.audit_entries {
            let end = (next + AUDIT_BATCH as u64).min(preload.audit_entries);
            let payloads: Vec<String> = (next..end)
                .map(|i| {
                    json!({
                        "i": i,
                        "note": "synthetic entry preloaded for a scalability run; about two hundred bytes of payload in all",
                    })
                    .to_string()
                })
                .collect();
            let items: Vec<(&str, &str, &str)> = payloads
                .iter()
                .map(|p| (actors::PRELOAD, steps::PRELOADED, p.as_str()))
                .collect();
            self.trail
                .log()
                .append_batch(&items)
                .map_err(|e| PipelineError::AuditLog(Arc::new(e)))?;
            report.audit_entries += end - next;
            next = end;
        }

        if preload.patterns > 0 {
            let severity = Severity::new(0.5)?;
            let patterns = (0..preload.patterns)
                .map(|i| {
                    Pattern::new(
                        format!("preload.{i}"),
                        format!("zqx{i}vpreload marker"),
                        severity,
                        PatternCategory::Custom,
                    )
                })
                .collect::<Result<Vec<_>, _>>()?;
            report.patterns = self.firewall.add_patterns(patterns)?;
        }

        for i in 0..preload.pending_reviews {
            let priority = Priority::ALL[i % Priority::ALL.len()];
            self.queue.request(
                DecisionRequest::new(
                    PRELOAD_REQUESTER,
                    format!("preloaded review {i}"),
                    priority,
                    Duration::from_secs(24 * 3600),
                )
                .with_context(json!({ "preload": i })),
            )?;
            report.pending_reviews += 1;
        }
        Ok(report)
    }
}
