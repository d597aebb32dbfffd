//! Aegis love engine: deterministic ethical scoring, consistency checks and alignment history.
//!
//! # Example
//! ```
//! use love_engine::{Action, LoveEngine, SystemState, Verdict};
//!
//! # fn main() -> Result<(), love_engine::LoveError> {
//! let engine = LoveEngine::new();
//!
//! let read = Action::new("read_report")
//!     .with_parameter("path", "reports/q3.csv")
//!     .with_expected_outcome("display the quarterly report to the user who requested it");
//! assert_eq!(engine.check_ethics(&read)?.verdict, Verdict::Approved);
//!
//! let spam = Action::new("send_bulk_email")
//!     .with_parameter("recipients", "all customers")
//!     .with_context("unsolicited promotion, sent without consent");
//! let verdict = engine.check_ethics(&spam)?;
//! assert_eq!(verdict.verdict, Verdict::Rejected);
//! assert!(verdict.concerns.iter().any(|c| spam.quote(&c.evidence) == Some("without consent")));
//!
//! // "will not delete" is not "delete".
//! let safe = Action::new("cleanup").with_context("this will not delete user files");
//! assert!(engine.check_ethics(&safe)?.concerns.is_empty());
//!
//! let report = engine.detect_hallucination(
//!     "Acme Corp runs 15 servers.",
//!     "Acme Corp runs 12 servers in Berlin.",
//! )?;
//! assert_eq!(report.contradicted, 1);
//!
//! let before = SystemState::new(&[0.25, 0.25, 0.25, 0.25], 0.4)?;
//! let after = SystemState::new(&[0.7, 0.1, 0.1, 0.1], 0.6)?;
//! assert!(engine.compute_love_metric(&before, &after).love > 0.5);
//!
//! let alignment = engine.evaluate_alignment()?;
//! assert_eq!(alignment.assessments, 3);
//! # Ok(())
//! # }
//! ```
//!
//! # Design
//! - **Ethics** ([`ethics`]): one lexicon of words and phrases ([`lexicon`]) compiled into a word
//!   table and a phrase trie. Each field of an action is tokenised once ([`normalize`]) through
//!   the shared `aegis-text` fold the firewall uses (NFKC/NFKD, case folding, invisible characters
//!   removed without splitting words, look-alikes folded): one hash probe per word, no allocation;
//!   phrases match whole words, leftmost-longest. A negator ("not", "never", "without", "prevent",
//!   ...) negates the phrase it governs, not an imperative after its object (see [`lexicon`]), and
//!   every concern keeps the words that raised it. Scores, weights and the
//!   verdict rule are documented in [`ethics`] and [`Dimension`].
//! - **Consistency** ([`consistency`]): a one-pass tokeniser extracts numbers, quantities, dates
//!   and multi-word names ([`claims`]); the context's claims go into hash maps, so the check is
//!   linear in the text length.
//! - **Love metric** ([`love_metric`]): Shannon entropy, order and wellbeing of two states.
//! - **Alignment** ([`history`]): computed from the recorded assessments; no history is an error,
//!   never a made-up number.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod action;
pub mod claims;
mod config;
pub mod consistency;
mod dimension;
mod engine;
mod error;
pub mod ethics;
pub mod history;
pub mod lexicon;
pub mod love_metric;
pub mod normalize;

pub use action::{Action, Parameters};
pub use claims::{Claim, ClaimKind};
pub use config::LoveConfig;
pub use consistency::{ConsistencyReport, Finding, FindingKind};
pub use dimension::{Dimension, DimensionScores, Severity};
pub use engine::LoveEngine;
pub use error::LoveError;
pub use ethics::{
    Concern, ConcernReason, EthicalAssessment, Evidence, Field, NegatedConcern, Support, Verdict,
};
pub use history::{AlignmentReport, AssessmentRecord};
pub use love_metric::{LoveMetric, SystemState, compute_love_metric};
