//! The thread-safe engine: one `RwLock` around the aggregates, the ring and its indexes.
//!
//! Why one lock and not shards by action type: dense global ids (O(1) lookup by id) and a single
//! time order (binary-searched time ranges) need one serialisation point anyway, and every write
//! holds the lock for only a few hash lookups and pushes (validation, the clock read and the
//! context allocation happen before locking). Reads (queries, patterns, metrics) share the lock.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use parking_lot::RwLock;

use crate::groups::Groups;
use crate::metrics::{EpochSeries, slope};
use crate::patterns::recognize;
use crate::stats::IssueThresholds;
use crate::store::{Record, Selection, Store};
use crate::suggestions::suggest;
use crate::{
    ActionStats, CapabilityMetrics, EvolutionConfig, EvolutionError, Experience, ExperienceId,
    ExperienceRecord, MemoryUsage, Outcome, Pattern, Query, Suggestion,
};

const ACTION_TYPE: &str = "action type";
const PATTERN_KEY: &str = "pattern key";

/// Learns from outcomes: logs [`Experience`]s, keeps per-action-type and per-pattern-key
/// aggregates up to date in O(1), and derives patterns, suggestions and metrics from them.
///
/// `Send + Sync`: share it (e.g. in an `Arc`) and call every method through `&self`.
#[derive(Debug)]
pub struct EvolutionEngine {
    config: EvolutionConfig,
    limits: IssueThresholds,
    inner: RwLock<Inner>,
}

#[derive(Debug)]
struct Inner {
    actions: Groups,
    keys: Groups,
    totals: ActionStats,
    store: Store,
    epochs: EpochSeries,
    last_timestamp_us: u64,
    /// Handed out as the context of records that have none.
    empty: Arc<str>,
}

/// Microseconds since the Unix epoch by the system clock (0 before the epoch).
fn now_us() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_micros()).unwrap_or(u64::MAX))
}

fn non_empty(text: &str, error: EvolutionError) -> Result<&str, EvolutionError> {
    if text.trim().is_empty() {
        Err(error)
    } else {
        Ok(text)
    }
}

impl Default for EvolutionEngine {
    fn default() -> Self {
        Self::new()
    }
}

impl EvolutionEngine {
    /// An engine with the default configuration (no retention bound).
    pub fn new() -> Self {
        Self::build(EvolutionConfig::default())
    }

    /// An engine with `config`.
    ///
    /// # Errors
    /// Whatever [`EvolutionConfig::validate`] rejects.
    pub fn with_config(config: EvolutionConfig) -> Result<Self, EvolutionError> {
        config.validate()?;
        Ok(Self::build(config))
    }

    fn build(config: EvolutionConfig) -> Self {
        let limits = IssueThresholds {
            ethics_below: config.ethics_issue_below,
            safety_below: config.safety_issue_below,
        };
        let inner = Inner {
            actions: Groups::default(),
            keys: Groups::default(),
            totals: ActionStats::default(),
            store: Store::new(config.retention),
            epochs: EpochSeries::new(config.epoch_len, config.velocity_epochs),
            last_timestamp_us: 0,
            empty: Arc::from(""),
        };
        Self {
            config,
            limits,
            inner: RwLock::new(inner),
        }
    }

    /// The configuration in force.
    pub fn config(&self) -> &EvolutionConfig {
        &self.config
    }

    /// Logs one experience and returns its id. O(1) amortised: updates the aggregates of its
    /// action type, its pattern key and the totals, appends it to the ring and its indexes, and
    /// evicts the oldest raw experience if over the retention bound.
    ///
    /// Without an explicit timestamp the engine stamps the system time, never earlier than the
    /// last logged timestamp (so a clock step backwards cannot break time ordering).
    ///
    /// # Errors
    /// [`EvolutionError::EmptyActionType`], [`EvolutionError::EmptyPatternKey`],
    /// [`EvolutionError::ScoreOutOfRange`], [`EvolutionError::TimestampRegressed`] (explicit
    /// timestamp earlier than the last one), [`EvolutionError::TooManyNames`]. Nothing is logged
    /// on error.
    pub fn log_experience(&self, experience: Experience) -> Result<ExperienceId, EvolutionError> {
        let Experience {
            action_type,
            outcome,
            ethics_score,
            safety_score,
            timestamp_us,
            context,
            pattern_key,
        } = experience;
        non_empty(&action_type, EvolutionError::EmptyActionType)?;
        if let Some(key) = &pattern_key {
            non_empty(key, EvolutionError::EmptyPatternKey)?;
        }
        let ethics = ethics_score
            .map(|s| crate::experience::validate_score("ethics", s))
            .transpose()?;
        let safety = safety_score
            .map(|s| crate::experience::validate_score("safety", s))
            .transpose()?;
        let context = (!context.is_empty()).then(|| Arc::<str>::from(context));
        let clock = timestamp_us.unwrap_or_else(now_us);

        let mut inner = self.inner.write();
        let timestamp_us = match timestamp_us {
            Some(given) if given < inner.last_timestamp_us => {
                return Err(EvolutionError::TimestampRegressed {
                    given_us: given,
                    last_us: inner.last_timestamp_us,
                });
            }
            _ => clock.max(inner.last_timestamp_us),
        };
        let action = inner.actions.intern(&action_type, ACTION_TYPE)?;
        let pattern = match &pattern_key {
            Some(key) => Some(inner.keys.intern(key, PATTERN_KEY)?),
            None => None,
        };
        let limits = self.limits;
        if let Some(s) = inner.actions.stats_mut(action) {
            s.add(outcome, ethics, safety, limits);
        }
        if let Some(s) = pattern.and_then(|p| inner.keys.stats_mut(p)) {
            s.add(outcome, ethics, safety, limits);
        }
        inner.totals.add(outcome, ethics, safety, limits);
        let next = inner.store.next_id();
        inner.epochs.record(next, outcome == Outcome::Success);
        inner.last_timestamp_us = timestamp_us;
        Ok(inner.store.push(Record {
            timestamp_us,
            ethics,
            safety,
            context,
            pattern,
            action,
            outcome,
        }))
    }

    /// Sets (or replaces) the ethics score of experience `id`, moving every aggregate it counts
    /// in from the old score to the new one. O(1).
    ///
    /// # Errors
    /// [`EvolutionError::ScoreOutOfRange`], [`EvolutionError::UnknownExperience`],
    /// [`EvolutionError::ExperienceEvicted`]. Nothing changes on error.
    pub fn learn_from_ethics(&self, id: ExperienceId, score: f64) -> Result<(), EvolutionError> {
        self.rescore(
            id,
            crate::experience::validate_score("ethics", score)?,
            Dimension::Ethics,
        )
    }

    /// Sets (or replaces) the safety score of experience `id`, moving every aggregate it counts
    /// in from the old score to the new one. O(1).
    ///
    /// # Errors
    /// [`EvolutionError::ScoreOutOfRange`], [`EvolutionError::UnknownExperience`],
    /// [`EvolutionError::ExperienceEvicted`]. Nothing changes on error.
    pub fn learn_from_safety(&self, id: ExperienceId, score: f64) -> Result<(), EvolutionError> {
        self.rescore(
            id,
            crate::experience::validate_score("safety", score)?,
            Dimension::Safety,
        )
    }

    fn rescore(&self, id: ExperienceId, score: f64, dim: Dimension) -> Result<(), EvolutionError> {
        let limits = self.limits;
        let mut guard = self.inner.write();
        let inner = &mut *guard;
        let record = inner.store.get_mut(id)?;
        let old = match dim {
            Dimension::Ethics => record.ethics.replace(score),
            Dimension::Safety => record.safety.replace(score),
        };
        let (action, pattern) = (record.action, record.pattern);
        let apply = |s: &mut ActionStats| match dim {
            Dimension::Ethics => s.replace_ethics(old, score, limits),
            Dimension::Safety => s.replace_safety(old, score, limits),
        };
        if let Some(s) = inner.actions.stats_mut(action) {
            apply(s);
        }
        if let Some(s) = pattern.and_then(|p| inner.keys.stats_mut(p)) {
            apply(s);
        }
        apply(&mut inner.totals);
        Ok(())
    }

    /// The retained experience `id`. O(1).
    ///
    /// # Errors
    /// [`EvolutionError::UnknownExperience`], [`EvolutionError::ExperienceEvicted`].
    pub fn get(&self, id: ExperienceId) -> Result<ExperienceRecord, EvolutionError> {
        let inner = self.inner.read();
        let record = inner.store.get(id)?;
        Ok(inner.to_record(id, record))
    }

    /// Retained experiences matching `query`, through the indexes: O(log n) plus the size of the
    /// narrowest matching index slice.
    ///
    /// # Errors
    /// [`EvolutionError::InvertedTimeRange`] when the time range starts after it ends.
    pub fn query(&self, query: &Query) -> Result<Vec<ExperienceRecord>, EvolutionError> {
        if query.time.start > query.time.end {
            return Err(EvolutionError::InvertedTimeRange {
                start_us: query.time.start,
                end_us: query.time.end,
            });
        }
        let inner = self.inner.read();
        let action = match &query.action_type {
            Some(name) => match inner.actions.find(name) {
                Some(a) => Some(a),
                None => return Ok(Vec::new()),
            },
            None => None,
        };
        let selection = Selection {
            action,
            outcomes: query.outcomes,
            time: query.time.clone(),
            newest_first: query.newest_first,
            limit: query.limit,
        };
        let ids = inner.store.select(&selection);
        Ok(ids
            .into_iter()
            .filter_map(|id| inner.store.get(id).ok().map(|r| inner.to_record(id, r)))
            .collect())
    }

    /// Aggregates of one action type over every experience ever logged, `None` if never seen.
    pub fn action_stats(&self, action_type: &str) -> Option<ActionStats> {
        let inner = self.inner.read();
        inner
            .actions
            .find(action_type)
            .and_then(|a| inner.actions.stats(a))
            .copied()
    }

    /// Aggregates of one pattern key over every experience ever logged, `None` if never seen.
    pub fn pattern_stats(&self, pattern_key: &str) -> Option<ActionStats> {
        let inner = self.inner.read();
        inner
            .keys
            .find(pattern_key)
            .and_then(|k| inner.keys.stats(k))
            .copied()
    }

    /// How many experiences with this pattern key have a safety score below
    /// `safety_issue_below` (0 for an unknown key). O(1).
    pub fn safety_issue_count(&self, pattern_key: &str) -> u64 {
        self.pattern_stats(pattern_key)
            .map_or(0, |s| s.safety_issues)
    }

    /// Returns true if and only if the pattern key has at least `block_pattern_after` safety
    /// issues (the pipeline then blocks matching requests without human review).
    pub fn should_block_pattern(&self, pattern_key: &str) -> bool {
        self.safety_issue_count(pattern_key) >= self.config.block_pattern_after
    }

    /// Every action type with its aggregates, in first-seen order.
    pub fn all_action_stats(&self) -> Vec<(Arc<str>, ActionStats)> {
        let inner = self.inner.read();
        inner
            .actions
            .iter()
            .map(|(n, s)| (Arc::clone(n), *s))
            .collect()
    }

    /// Aggregates over every experience ever logged.
    pub fn totals(&self) -> ActionStats {
        self.inner.read().totals
    }

    /// Experiences ever logged (= the next id).
    pub fn total_logged(&self) -> u64 {
        self.inner.read().store.next_id()
    }

    /// Raw experiences currently retained.
    pub fn retained(&self) -> usize {
        self.inner.read().store.len()
    }

    /// Recognised patterns (see [`crate::patterns`] for the rules).
    /// O(action types + pattern keys).
    pub fn recognize_patterns(&self) -> Vec<Pattern> {
        let inner = self.inner.read();
        recognize(inner.actions.iter(), inner.keys.iter(), &self.config)
    }

    /// Improvement suggestions, most urgent first (see [`crate::suggestions`] for the rules).
    /// O(action types + pattern keys).
    pub fn suggest_improvements(&self) -> Vec<Suggestion> {
        let inner = self.inner.read();
        suggest(inner.actions.iter(), inner.keys.iter(), &self.config)
    }

    /// A snapshot of the capability metrics (see [`crate::metrics`]). O(velocity_epochs).
    pub fn capability_metrics(&self) -> CapabilityMetrics {
        let inner = self.inner.read();
        let t = inner.totals;
        let logged = inner.store.next_id();
        let rates = inner.epochs.complete_rates(logged);
        let recent = (!rates.is_empty()).then(|| rates.iter().sum::<f64>() / rates.len() as f64);
        CapabilityMetrics {
            total_experiences: logged,
            retained_experiences: inner.store.len(),
            action_types: inner.actions.len(),
            pattern_keys: inner.keys.len(),
            successes: t.successes,
            failures: t.failures,
            learnings: t.learnings,
            success_rate: t.success_rate(),
            average_ethics: t.mean_ethics(),
            average_safety: t.mean_safety(),
            ethics_issues: t.ethics_issues,
            safety_issues: t.safety_issues,
            recent_success_rate: recent,
            learning_velocity: slope(&rates),
            velocity_epochs: rates.len(),
        }
    }

    /// Bytes held, by part (see [`MemoryUsage`] for how they are counted).
    pub fn memory_usage(&self) -> MemoryUsage {
        let inner = self.inner.read();
        let store = inner.store.memory();
        MemoryUsage {
            retained: inner.store.len(),
            record_bytes: store.records,
            index_bytes: store.indexes,
            context_bytes: store.contexts,
            aggregate_bytes: inner.actions.memory() + inner.keys.memory(),
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum Dimension {
    Ethics,
    Safety,
}

impl Inner {
    fn to_record(&self, id: ExperienceId, r: &Record) -> ExperienceRecord {
        ExperienceRecord {
            id,
            action_type: self
                .actions
                .name(r.action)
                .map_or_else(|| Arc::from(""), Arc::clone),
            outcome: r.outcome,
            ethics_score: r.ethics,
            safety_score: r.safety,
            timestamp_us: r.timestamp_us,
            context: r
                .context
                .as_ref()
                .map_or_else(|| Arc::clone(&self.empty), Arc::clone),
            pattern_key: r.pattern.and_then(|p| self.keys.name(p)).map(Arc::clone),
        }
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    fn at(action: &str, outcome: Outcome, ts: u64) -> Experience {
        Experience::new(action, outcome).with_timestamp_us(ts)
    }

    #[test]
    fn engine_is_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<EvolutionEngine>();
    }

    #[test]
    fn bad_input_is_a_typed_error_and_logs_nothing() {
        let e = EvolutionEngine::new();
        let cases = [
            (
                Experience::new("", Outcome::Success),
                EvolutionError::EmptyActionType,
            ),
            (
                Experience::new(" \t", Outcome::Success),
                EvolutionError::EmptyActionType,
            ),
            (
                Experience::new("a", Outcome::Success).with_pattern_key(""),
                EvolutionError::EmptyPatternKey,
            ),
            (
                Experience::new("a", Outcome::Success).with_safety_score(1.5),
                EvolutionError::ScoreOutOfRange {
                    field: "safety",
                    value: 1.5,
                },
            ),
            (
                Experience::new("a", Outcome::Success).with_ethics_score(-0.5),
                EvolutionError::ScoreOutOfRange {
                    field: "ethics",
                    value: -0.5,
                },
            ),
        ];
        for (exp, want) in cases {
            assert_eq!(e.log_experience(exp), Err(want));
        }
        assert!(matches!(
            e.log_experience(Experience::new("a", Outcome::Success).with_ethics_score(f64::NAN)),
            Err(EvolutionError::ScoreOutOfRange {
                field: "ethics",
                ..
            })
        ));
        assert_eq!(e.total_logged(), 0);
        assert_eq!(e.totals(), ActionStats::default());
        assert!(e.all_action_stats().is_empty());
    }

    #[test]
    fn unknown_and_evicted_ids_are_told_apart() -> Result<(), EvolutionError> {
        let e = EvolutionEngine::with_config(EvolutionConfig::with_retention(2)?)?;
        for i in 0..3 {
            e.log_experience(at("a", Outcome::Success, i))?;
        }
        assert_eq!(
            e.learn_from_ethics(ExperienceId(3), 0.5),
            Err(EvolutionError::UnknownExperience(ExperienceId(3)))
        );
        assert_eq!(
            e.learn_from_safety(ExperienceId(0), 0.5),
            Err(EvolutionError::ExperienceEvicted {
                id: ExperienceId(0),
                oldest_retained: ExperienceId(1)
            })
        );
        assert_eq!(e.get(ExperienceId(1))?.timestamp_us, 1);
        assert_eq!(
            e.learn_from_ethics(ExperienceId(1), f64::INFINITY),
            Err(EvolutionError::ScoreOutOfRange {
                field: "ethics",
                value: f64::INFINITY
            })
        );
        assert_eq!(e.totals().ethics.count, 0);
        Ok(())
    }

    #[test]
    fn explicit_timestamps_must_not_go_backwards() -> Result<(), EvolutionError> {
        let e = EvolutionEngine::new();
        e.log_experience(at("a", Outcome::Success, 100))?;
        e.log_experience(at("a", Outcome::Success, 100))?;
        assert_eq!(
            e.log_experience(at("a", Outcome::Success, 99)),
            Err(EvolutionError::TimestampRegressed {
                given_us: 99,
                last_us: 100
            })
        );
        assert_eq!(e.total_logged(), 2);
        Ok(())
    }

    #[test]
    fn stamped_timestamps_never_go_backwards() -> Result<(), EvolutionError> {
        let e = EvolutionEngine::new();
        // An explicit timestamp far in the future: later stamps must not be earlier.
        let future = now_us() + 3_600_000_000;
        e.log_experience(at("a", Outcome::Success, future))?;
        let id = e.log_experience(Experience::new("a", Outcome::Success))?;
        assert_eq!(e.get(id)?.timestamp_us, future);
        Ok(())
    }

    #[test]
    fn learning_a_score_moves_every_aggregate() -> Result<(), EvolutionError> {
        let e = EvolutionEngine::new();
        let id = e.log_experience(
            Experience::new("mail.bulk", Outcome::Failure)
                .with_ethics_score(0.9)
                .with_pattern_key("spam"),
        )?;
        e.log_experience(Experience::new("mail.bulk", Outcome::Success).with_ethics_score(0.7))?;
        e.learn_from_ethics(id, 0.1)?;
        e.learn_from_safety(id, 0.2)?;
        let s = e
            .action_stats("mail.bulk")
            .ok_or(EvolutionError::EmptyActionType)?;
        assert_eq!(
            (
                s.ethics.count,
                s.ethics_issues,
                s.safety.count,
                s.safety_issues
            ),
            (2, 1, 1, 1)
        );
        assert!((s.mean_ethics().unwrap_or(f64::NAN) - 0.4).abs() < 1e-12);
        let k = e
            .pattern_stats("spam")
            .ok_or(EvolutionError::EmptyPatternKey)?;
        assert_eq!((k.count, k.ethics_issues, k.safety_issues), (1, 1, 1));
        assert_eq!(e.totals().ethics_issues, 1);
        let r = e.get(id)?;
        assert_eq!((r.ethics_score, r.safety_score), (Some(0.1), Some(0.2)));
        Ok(())
    }

    #[test]
    fn pattern_is_blocked_from_the_third_safety_issue() -> Result<(), EvolutionError> {
        let e = EvolutionEngine::new();
        let rejected = || {
            Experience::new("shell.exec", Outcome::Failure)
                .with_safety_score(0.3)
                .with_pattern_key("curl-pipe-sh")
        };
        for expected in 1..=3 {
            assert!(!e.should_block_pattern("curl-pipe-sh"));
            e.log_experience(rejected())?;
            assert_eq!(e.safety_issue_count("curl-pipe-sh"), expected);
        }
        assert!(e.should_block_pattern("curl-pipe-sh"));
        assert_eq!(e.safety_issue_count("never-seen"), 0);
        let block = e
            .suggest_improvements()
            .into_iter()
            .find(|s| s.kind == crate::SuggestionKind::BlockPattern);
        assert_eq!(block.map(|s| s.subject), Some(Arc::from("curl-pipe-sh")));
        Ok(())
    }

    #[test]
    fn metrics_count_every_experience_even_after_eviction() -> Result<(), EvolutionError> {
        let config = EvolutionConfig {
            epoch_len: 10,
            ..EvolutionConfig::with_retention(5)?
        };
        let e = EvolutionEngine::with_config(config)?;
        // Epoch k succeeds k times out of 10: velocity 0.1 per epoch.
        for epoch in 0..4u64 {
            for j in 0..10u64 {
                let outcome = if j < epoch {
                    Outcome::Success
                } else {
                    Outcome::Failure
                };
                e.log_experience(Experience::new("a", outcome).with_safety_score(0.5))?;
            }
        }
        let m = e.capability_metrics();
        assert_eq!((m.total_experiences, m.retained_experiences), (40, 5));
        assert_eq!((m.successes, m.failures, m.learnings), (6, 34, 0));
        assert_eq!(m.velocity_epochs, 4);
        assert!(
            (m.learning_velocity - 0.1).abs() < 1e-12,
            "{}",
            m.learning_velocity
        );
        assert_eq!(m.average_safety, Some(0.5));
        assert_eq!(m.safety_issues, 40);
        assert_eq!(m.average_ethics, None);
        Ok(())
    }

    #[test]
    fn inverted_time_range_is_rejected_and_unknown_type_is_empty() -> Result<(), EvolutionError> {
        let e = EvolutionEngine::new();
        e.log_experience(at("a", Outcome::Success, 5))?;
        assert_eq!(
            e.query(&Query::new().time_range(std::ops::Range { start: 10, end: 5 })),
            Err(EvolutionError::InvertedTimeRange {
                start_us: 10,
                end_us: 5
            })
        );
        assert!(e.query(&Query::new().action_type("zzz"))?.is_empty());
        assert_eq!(e.query(&Query::new().action_type("a"))?.len(), 1);
        Ok(())
    }

    #[test]
    fn memory_per_experience_is_bounded_and_counts_contexts() -> Result<(), EvolutionError> {
        let e = EvolutionEngine::new();
        for i in 0..1000 {
            e.log_experience(at("a", Outcome::ALL[i % 3], i as u64).with_context("0123456789"))?;
        }
        let m = e.memory_usage();
        assert_eq!(m.retained, 1000);
        assert_eq!(m.context_bytes, 1000 * (16 + 10));
        let per = m.bytes_per_experience().unwrap_or(f64::INFINITY);
        // 72 (record) + 16 (indexes) + 26 (context) = 114, at most doubled by spare capacity.
        assert!((114.0..=2.0 * 114.0).contains(&per), "{per}");
        assert!(m.total_bytes() > m.record_bytes);
        Ok(())
    }

    #[test]
    fn invalid_config_is_rejected() {
        let config = EvolutionConfig {
            failure_mode_rate: 2.0,
            ..EvolutionConfig::default()
        };
        assert!(matches!(
            EvolutionEngine::with_config(config),
            Err(EvolutionError::ConfigOutOfRange {
                name: "failure_mode_rate",
                ..
            })
        ));
    }
}
