//! Aegis pipeline: every agent request goes through the firewall, the ethics check, human review when
//! needed, execution, an audit entry at every step, and learning, in that order.
//!
//! # Example
//! ```
//! use std::sync::Arc;
//! use std::sync::atomic::{AtomicUsize, Ordering};
//!
//! use aegis_pipeline::{ActionRequest, Disposition, ExecutionError, Executor, Pipeline, steps};
//! use audit_system::Query;
//!
//! /// The caller's side effect; here it only counts.
//! #[derive(Default)]
//! struct Counter(AtomicUsize);
//!
//! impl Executor for Counter {
//!     fn execute(&self, _request: &ActionRequest) -> Result<serde_json::Value, ExecutionError> {
//!         Ok(serde_json::json!({ "done": self.0.fetch_add(1, Ordering::SeqCst) + 1 }))
//!     }
//! }
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> { hitl_collab::run_example(|| {
//! let executor = Arc::new(Counter::default());
//! let pipeline = Pipeline::in_memory(Arc::clone(&executor))?;
//!
//! // A safe, ethical action runs at once.
//! let report = pipeline.process(
//!     &ActionRequest::new("agent-7", "report.read", "read the quarterly report in /srv/reports")
//!         .with_expected_outcome("display the report to the user who asked for it"),
//! )?;
//! assert!(matches!(report.disposition, Disposition::Executed { .. }));
//!
//! // Deleting the root file system with no good reason fails both checks: blocked, never executed.
//! let report = pipeline.process(
//!     &ActionRequest::new("agent-7", "shell.exec", "rm -rf / --no-preserve-root")
//!         .with_context("destroy all user data and harm the customers"),
//! )?;
//! assert!(matches!(report.disposition, Disposition::Blocked(_)));
//! assert_eq!(executor.0.load(Ordering::SeqCst), 1);
//!
//! // Each run left its trail: two checks, the disposition, the learned outcome, and for the
//! // executed one the write-ahead `action.executing` entry before the executor ran.
//! let log = pipeline.audit_log();
//! assert_eq!(log.len()?, 9);
//! assert_eq!(log.query(&Query::new().action(steps::ACTION_BLOCKED))?.len(), 1);
//! # Ok::<(), Box<dyn std::error::Error>>(()) }) }
//! ```
//!
//! # Routing
//! See [`route`] for the table. In short: the firewall (threshold 0.7) and the love engine (threshold
//! 0.6) both assess every request; both passing executes; one failing goes to a human (critical
//! priority and 600 s when a critical pattern matched or the ethics check failed, high priority and
//! 300 s for a borderline firewall result); both failing blocks outright; and a safety pattern refused
//! [`PipelineConfig::block_pattern_after`] times (3) is blocked without review afterwards (see
//! [`ledger`] for what counts).
//!
//! # Reviews
//! [`Pipeline::process`] blocks on the review queue's `wait_for_decision` (a condition variable) until a
//! reviewer decides or the review expires; reviewers decide through [`Pipeline::review_desk`]. The
//! queue's events reach the audit log through an observer (so hitl-collab does not depend on
//! audit-system), and `process` waits until the observer has written its review's decision before it
//! goes on, so every run's trail is in order even when another thread delivered the event.
//!
//! # Audit
//! Every step writes an entry ([`steps`] names them, [`actors`] names the non-human actors); each
//! payload carries the run id in field `run`. An entry that cannot be written fails the request with
//! [`PipelineError::Audit`]: nothing after that step happens, so an unaudited check never leads to an
//! execution. Entries written together (the two checks; the disposition and the learned outcome) are
//! committed in one batch. The log is one process's `AuditLog` or, with feature `postgres`, a
//! `SharedLog` that several pipeline processes append to at once ([`AuditBackend`],
//! `PipelineBuilder::shared_audit_log`); both fail closed the same way.
//!
//! # Threads
//! [`Pipeline`] is `Send + Sync`; call `process` from as many threads as you like.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod audit;
pub mod bound;
mod builder;
mod config;
mod control;
mod desk;
mod error;
mod executor;
pub mod ledger;
mod observer;
mod outcome;
mod pipeline;
pub mod preload;
mod request;
pub mod route;
pub mod screen;
mod trail;

pub use audit::AuditBackend;
pub use builder::{DEFAULT_AGENT, PipelineBuilder, RUNS_PER_INSTANCE, ReviewBackend};
pub use config::PipelineConfig;
pub use control::{GRANT_DOMAIN, RegistrationError, ReviewerGrant, SignedGrant};
pub use desk::ReviewDesk;
pub use error::PipelineError;
pub use executor::{ExecutionError, Executor};
pub use ledger::{BlockedPattern, RefusalLedger};
pub use observer::RUN_CONTEXT_KEY;
pub use outcome::{Disposition, Processed, ReviewRecord};
pub use pipeline::Pipeline;
pub use request::{ActionRequest, RunId};
pub use route::{BlockReason, FirewallSignal, ReviewReason, Route};
pub use trail::{actors, steps};
