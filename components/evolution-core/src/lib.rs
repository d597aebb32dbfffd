//! Aegis evolution core: learns from action outcomes with O(1) incremental aggregates.
//!
//! # Example
//! ```
//! use evolution_core::{EvolutionEngine, Experience, Outcome, Query};
//!
//! # fn main() -> Result<(), evolution_core::EvolutionError> {
//! # if evolution_core::BUILT_FOR_LOOM { return Ok(()); } // loom locks work only inside a model
//! let engine = EvolutionEngine::new();
//! let id = engine.log_experience(
//!     Experience::new("file.delete", Outcome::Failure)
//!         .with_safety_score(0.2)
//!         .with_pattern_key("rm-rf-root"),
//! )?;
//! engine.learn_from_ethics(id, 0.4)?;
//!
//! let stats = engine.action_stats("file.delete").expect("logged above");
//! assert_eq!((stats.count, stats.failures, stats.safety_issues), (1, 1, 1));
//! assert_eq!(engine.safety_issue_count("rm-rf-root"), 1);
//! assert_eq!(engine.query(&Query::new().successful(false))?.len(), 1);
//! assert!(!engine.recognize_patterns().is_empty());
//! # Ok(())
//! # }
//! ```
//!
//! # Design
//! - **Aggregates** ([`ActionStats`]) per action type, per pattern key and in total are running
//!   counts and sums, updated in O(1) by [`EvolutionEngine::log_experience`] and by
//!   [`EvolutionEngine::learn_from_ethics`] / [`EvolutionEngine::learn_from_safety`] (subtract
//!   the old score, add the new). [Patterns](patterns), [suggestions] and
//!   [metrics] read only these aggregates, so their cost grows with the number of
//!   action types and pattern keys, never with the number of experiences.
//! - **Raw experiences** live in a ring indexed by their dense [`ExperienceId`] minus a base
//!   offset (O(1) lookup), with one sorted id list per action type and per outcome. Timestamps
//!   never decrease with the id (explicit ones are checked, stamped ones are made monotonic), so a
//!   time range becomes an id range by binary search on the ring, and then a slice of each index
//!   by binary search: a [`Query`] costs O(log n) plus the narrowest matching slice.
//! - **Retention**: with [`EvolutionConfig::retention`] = N, only the newest N raw experiences are
//!   kept; aggregates keep counting every experience, and evicted ids give
//!   [`EvolutionError::ExperienceEvicted`].
//! - **Memory** per retained experience: a 72-byte record, 16 bytes of index entries, and the
//!   context text plus 16 bytes when non-empty; about 88 bytes + context, up to 2x that while a
//!   `VecDeque` has just doubled. [`EvolutionEngine::memory_usage`] reports it from capacities.
//! - **Threads**: a thread logs through its own writer shard (aggregates, epoch counts and a
//!   buffer of records), passing one tiny sequencer for its id and timestamp; buffers move to the
//!   ring in batches, and reads add up the shards. See the `engine` module source for what a
//!   reader sees while others write.

#![forbid(unsafe_code)]

mod config;
mod engine;
mod error;
mod experience;
mod memory;
pub mod metrics;
mod names;
pub mod patterns;
mod query;
mod shard;
mod stats;
mod store;
pub mod suggestions;
mod sync;

pub use config::EvolutionConfig;
pub use engine::EvolutionEngine;
pub use error::EvolutionError;
pub use experience::{Experience, ExperienceId, ExperienceRecord, Outcome};
pub use memory::MemoryUsage;
pub use metrics::CapabilityMetrics;
pub use patterns::{Pattern, PatternKind, PatternScope};
pub use query::Query;
pub use stats::{ActionStats, ScoreStats};
pub use suggestions::{Priority, Suggestion, SuggestionKind};

/// True when this library was built with `--cfg loom`: its locks are then loom's, which work only inside a
/// loom model, so doctests (built without the flag, linked against this library) return early.
#[doc(hidden)]
pub const BUILT_FOR_LOOM: bool = cfg!(loom);
