//! The thread-safe engine: sharded writers, one tiny sequencer, and a store filled in batches.
//!
//! # How a write goes
//! A thread logs through its own writer shard (a `Mutex` that other running threads rarely touch; the next
//! free one if its own is held): it
//! resolves names through the shard's cache, takes its id and timestamp from the sequencer (a `Mutex` held
//! for a compare and two stores: the one point every write passes, since ids are dense and timestamps follow
//! them), counts the experience in the shard's aggregates and epoch counts, and buffers the record. When a
//! shard has buffered [`FLUSH_AT`] records, the writer moves every shard's buffer into the store (the ring
//! and its indexes, behind an `RwLock`) in one batch, so the store's lock and cache lines change cores once
//! per batch instead of once per write.
//!
//! # What a reader sees
//! - Aggregates, patterns, suggestions and metrics lock every shard at once (in shard order) and add them
//!   up: the result counts exactly the experiences with ids below some `n`, every experience whose
//!   `log_experience` returned before the read began among them, and each of those in all of its
//!   aggregates (never an experience half-counted, never a later id without an earlier one).
//! - Raw records (`get`, `query`, `retained`, `memory_usage`) are read from the store after moving every
//!   buffered record into it whenever the store is behind the sequencer, so a reader sees every experience
//!   logged before the read began (its own included) and a dense id range.
//! - Re-scoring (`learn_from_*`) changes the record in the store and its shard's aggregates under both
//!   locks, so no reader sees one without the other.
//!
//! Lock order (no cycles): `committed` -> shards (in index order) -> `sequence` / `names`; a writer holds
//! one shard, then at most `sequence` or `names`, and releases its shard before it flushes.

use std::sync::Arc;

use crate::metrics::{EpochCounts, slope};
use crate::patterns::recognize;
use crate::shard::{Dimension, Names, Shard};
use crate::stats::IssueThresholds;
use crate::store::{Record, Selection, Store};
use crate::suggestions::suggest;
use crate::sync::{Mutex, MutexGuard, Padded, RwLock, default_shards, now_us, thread_slot};
use crate::{
    ActionStats, CapabilityMetrics, EvolutionConfig, EvolutionError, Experience, ExperienceId,
    ExperienceRecord, MemoryUsage, Pattern, Query, Suggestion,
};

/// Records a shard buffers before its writer moves all buffers into the store. Larger batches cost fewer
/// hand-offs of the store between cores and more bytes per shard (2 x 128 x 80 bytes, buffer and spare).
pub(crate) const FLUSH_AT: usize = 128;

/// Buffered records at which a writer waits for the store instead of trying it (readers holding it for a
/// long time must not let buffers grow without bound).
const FLUSH_MUST: usize = 16 * FLUSH_AT;

/// Learns from outcomes: logs [`Experience`]s, keeps per-action-type and per-pattern-key
/// aggregates up to date in O(1), and derives patterns, suggestions and metrics from them.
///
/// `Send + Sync`: share it (e.g. in an `Arc`) and call every method through `&self`. Threads that log
/// at the same time mostly work on different writer shards; see the `engine` module source for what a
/// reader sees while others write.
#[derive(Debug)]
pub struct EvolutionEngine {
    config: EvolutionConfig,
    limits: IssueThresholds,
    /// Dense ids and non-decreasing timestamps: the one point every write passes.
    sequence: Padded<Mutex<Sequence>>,
    shards: Box<[Padded<Mutex<Shard>>]>,
    names: Padded<Mutex<Names>>,
    committed: Padded<RwLock<Committed>>,
    /// Handed out as the context of records that have none.
    empty: Arc<str>,
}

/// The next id and the newest timestamp handed out.
#[derive(Debug, Default)]
struct Sequence {
    next_id: u64,
    last_timestamp_us: u64,
}

impl Sequence {
    /// The next id and its timestamp: `explicit` if given and not earlier than the last one, else the
    /// `clock` reading raised to the last one. Nothing changes on error.
    fn assign(&mut self, explicit: Option<u64>, clock: u64) -> Result<(u64, u64), EvolutionError> {
        let timestamp_us = match explicit {
            Some(given) if given < self.last_timestamp_us => {
                return Err(EvolutionError::TimestampRegressed {
                    given_us: given,
                    last_us: self.last_timestamp_us,
                });
            }
            Some(given) => given,
            None => clock.max(self.last_timestamp_us),
        };
        let id = self.next_id;
        self.next_id += 1;
        self.last_timestamp_us = timestamp_us;
        Ok((id, timestamp_us))
    }
}

/// The store and the spare buffers swapped into the shards when their records move to the store.
#[derive(Debug)]
struct Committed {
    store: Store,
    spares: Vec<Vec<(u64, Record)>>,
}

/// Aggregates summed over every shard at one instant.
struct Merged {
    actions: Vec<ActionStats>,
    keys: Vec<ActionStats>,
    totals: ActionStats,
    /// Experiences counted: exactly the ids below this.
    logged: u64,
    rates: Vec<f64>,
}

/// Names with their aggregates.
type Named = Vec<(Arc<str>, ActionStats)>;

/// Adds `part` into `sum` index by index.
fn add_all(sum: &mut Vec<ActionStats>, part: &[ActionStats]) {
    if sum.len() < part.len() {
        sum.resize(part.len(), ActionStats::default());
    }
    for (s, p) in sum.iter_mut().zip(part) {
        s.merge(p);
    }
}

/// Names paired with their aggregates, skipping names nothing was counted under (a name interned by a
/// write that then failed its timestamp check).
fn named(names: &[Arc<str>], stats: &[ActionStats]) -> Named {
    names
        .iter()
        .zip(stats)
        .filter(|(_, s)| s.count > 0)
        .map(|(n, s)| (Arc::clone(n), *s))
        .collect()
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
        let shards = (0..default_shards().min(usize::from(u16::MAX)))
            .map(|_| {
                Padded(Mutex::new(Shard::new(EpochCounts::new(
                    config.epoch_len,
                    config.velocity_epochs,
                ))))
            })
            .collect();
        let committed = Committed {
            store: Store::new(config.retention),
            spares: Vec::new(),
        };
        Self {
            limits,
            sequence: Padded(Mutex::new(Sequence::default())),
            shards,
            names: Padded(Mutex::new(Names::default())),
            committed: Padded(RwLock::new(committed)),
            empty: Arc::from(""),
            config,
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
        let clock = timestamp_us.map_or_else(now_us, |_| 0);

        let (index, mut shard) = self.writer_shard();
        let action = shard.action(&action_type, &self.names)?;
        let pattern = match &pattern_key {
            Some(key) => Some(shard.key(key, &self.names)?),
            None => None,
        };
        let (id, timestamp_us) = self.sequence.lock().assign(timestamp_us, clock)?;
        let record = Record {
            timestamp_us,
            ethics,
            safety,
            context,
            pattern,
            action,
            // Fits: there are at most u16::MAX shards.
            shard: index as u16,
            outcome,
        };
        shard.log(id, record, self.limits);
        let buffered = shard.buffer.len();
        drop(shard);
        if buffered >= FLUSH_AT {
            let committed = if buffered >= FLUSH_MUST {
                Some(self.committed.write())
            } else {
                self.committed.try_write()
            };
            if let Some(mut committed) = committed {
                self.flush(&mut committed);
            }
        }
        Ok(ExperienceId(id))
    }

    /// Moves every shard's buffered records into the store. All shards are locked at once while their
    /// buffers are swapped for empty spares, so no write is half done and the buffered ids are exactly
    /// the ones from the store's next id to the sequencer's.
    fn flush(&self, committed: &mut Committed) {
        let Committed { store, spares } = committed;
        if spares.len() < self.shards.len() {
            spares.resize_with(self.shards.len(), Vec::new);
        }
        {
            let mut guards = self.lock_shards();
            for (shard, spare) in guards.iter_mut().zip(spares.iter_mut()) {
                std::mem::swap(&mut shard.buffer, spare);
            }
        }
        store.append_runs(spares);
    }

    /// The calling thread's own shard if it is free, else the first free one after it, else (all busy) its
    /// own once free: a writer never waits behind a thread that was descheduled holding a shard while
    /// another shard is free. Any shard is correct (ids still rise within each shard, since a writer takes
    /// its id under the shard's lock); the thread's own keeps its aggregates in its core's cache.
    fn writer_shard(&self) -> (usize, MutexGuard<'_, Shard>) {
        let n = self.shards.len();
        let home = thread_slot() % n;
        for k in 0..n {
            let index = (home + k) % n;
            if let Some(shard) = self.shards[index].try_lock() {
                return (index, shard);
            }
        }
        (home, self.shards[home].lock())
    }

    /// Every shard's lock, taken in index order.
    fn lock_shards(&self) -> Vec<MutexGuard<'_, Shard>> {
        self.shards.iter().map(|s| s.lock()).collect()
    }

    /// Experiences handed an id so far.
    fn logged(&self) -> u64 {
        self.sequence.lock().next_id
    }

    /// Runs `read` on the store once it holds every experience logged before this call.
    fn read_store<R>(&self, read: impl FnOnce(&Store) -> R) -> R {
        let logged = self.logged();
        {
            let committed = self.committed.read();
            if committed.store.next_id() >= logged {
                return read(&committed.store);
            }
        }
        let mut committed = self.committed.write();
        self.flush(&mut committed);
        read(&committed.store)
    }

    /// Aggregates of every shard, summed at one instant.
    fn merged(&self) -> Merged {
        let shards = self.lock_shards();
        let logged = self.logged();
        let mut m = Merged {
            actions: Vec::new(),
            keys: Vec::new(),
            totals: ActionStats::default(),
            logged,
            rates: EpochCounts::complete_rates(
                shards.iter().map(|s| &s.epochs),
                self.config.epoch_len,
                self.config.velocity_epochs,
                logged,
            ),
        };
        for s in &shards {
            add_all(&mut m.actions, &s.actions);
            add_all(&mut m.keys, &s.keys);
            m.totals.merge(&s.totals);
        }
        m
    }

    /// The summed aggregates of one group (`pick` chooses it in a shard), `None` if nothing was counted.
    fn group_stats(&self, pick: impl Fn(&Shard) -> Option<&ActionStats>) -> Option<ActionStats> {
        let mut sum = ActionStats::default();
        for shard in &self.lock_shards() {
            if let Some(s) = pick(shard) {
                sum.merge(s);
            }
        }
        (sum.count > 0).then_some(sum)
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
        let mut committed = self.committed.write();
        if committed.store.next_id() < self.logged() {
            // Also for an old id: whether it is evicted depends on everything logged before this call.
            self.flush(&mut committed);
        }
        let record = committed.store.get_mut(id)?;
        let shard = self
            .shards
            .get(usize::from(record.shard))
            .ok_or(EvolutionError::UnknownExperience(id))?;
        let mut shard = shard.lock();
        let old = match dim {
            Dimension::Ethics => record.ethics.replace(score),
            Dimension::Safety => record.safety.replace(score),
        };
        shard.rescore(record, dim, old, score, self.limits);
        Ok(())
    }

    /// The retained experience `id`. O(1).
    ///
    /// # Errors
    /// [`EvolutionError::UnknownExperience`], [`EvolutionError::ExperienceEvicted`].
    pub fn get(&self, id: ExperienceId) -> Result<ExperienceRecord, EvolutionError> {
        self.read_store(|store| {
            let record = store.get(id)?;
            Ok(self.to_record(&self.names.lock(), id, record))
        })
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
        self.read_store(|store| {
            let names = self.names.lock();
            let action = match &query.action_type {
                Some(name) => match names.actions.find(name) {
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
            let ids = store.select(&selection);
            Ok(ids
                .into_iter()
                .filter_map(|id| store.get(id).ok().map(|r| self.to_record(&names, id, r)))
                .collect())
        })
    }

    /// Aggregates of one action type over every experience ever logged, `None` if never seen.
    pub fn action_stats(&self, action_type: &str) -> Option<ActionStats> {
        let index = self.names.lock().actions.find(action_type)?;
        self.group_stats(|s| s.actions.get(index as usize))
    }

    /// Aggregates of one pattern key over every experience ever logged, `None` if never seen.
    pub fn pattern_stats(&self, pattern_key: &str) -> Option<ActionStats> {
        let index = self.names.lock().keys.find(pattern_key)?;
        self.group_stats(|s| s.keys.get(index as usize))
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
        let merged = self.merged();
        named(self.names.lock().actions.names(), &merged.actions)
    }

    /// Aggregates over every experience ever logged.
    pub fn totals(&self) -> ActionStats {
        let mut sum = ActionStats::default();
        for shard in &self.lock_shards() {
            sum.merge(&shard.totals);
        }
        sum
    }

    /// Experiences ever logged (= the next id).
    pub fn total_logged(&self) -> u64 {
        self.logged()
    }

    /// Raw experiences currently retained.
    pub fn retained(&self) -> usize {
        self.read_store(Store::len)
    }

    /// Action types and pattern keys with their aggregates, from one merge.
    fn named_groups(&self) -> (Merged, Named, Named) {
        let merged = self.merged();
        let names = self.names.lock();
        let actions = named(names.actions.names(), &merged.actions);
        let keys = named(names.keys.names(), &merged.keys);
        (merged, actions, keys)
    }

    /// Recognised patterns (see [`crate::patterns`] for the rules).
    /// O(action types + pattern keys).
    pub fn recognize_patterns(&self) -> Vec<Pattern> {
        let (_, actions, keys) = self.named_groups();
        recognize(
            actions.iter().map(|(n, s)| (n, s)),
            keys.iter().map(|(n, s)| (n, s)),
            &self.config,
        )
    }

    /// Improvement suggestions, most urgent first (see [`crate::suggestions`] for the rules).
    /// O(action types + pattern keys).
    pub fn suggest_improvements(&self) -> Vec<Suggestion> {
        let (_, actions, keys) = self.named_groups();
        suggest(
            actions.iter().map(|(n, s)| (n, s)),
            keys.iter().map(|(n, s)| (n, s)),
            &self.config,
        )
    }

    /// A snapshot of the capability metrics (see [`crate::metrics`]). O(velocity_epochs).
    pub fn capability_metrics(&self) -> CapabilityMetrics {
        let (merged, actions, keys) = self.named_groups();
        let t = merged.totals;
        let rates = &merged.rates;
        let recent = (!rates.is_empty()).then(|| rates.iter().sum::<f64>() / rates.len() as f64);
        CapabilityMetrics {
            total_experiences: merged.logged,
            retained_experiences: self.retained(),
            action_types: actions.len(),
            pattern_keys: keys.len(),
            successes: t.successes,
            failures: t.failures,
            learnings: t.learnings,
            success_rate: t.success_rate(),
            average_ethics: t.mean_ethics(),
            average_safety: t.mean_safety(),
            ethics_issues: t.ethics_issues,
            safety_issues: t.safety_issues,
            recent_success_rate: recent,
            learning_velocity: slope(rates),
            velocity_epochs: rates.len(),
        }
    }

    /// Bytes held, by part (see [`MemoryUsage`] for how they are counted).
    pub fn memory_usage(&self) -> MemoryUsage {
        let (retained, store) = self.read_store(|store| (store.len(), store.memory()));
        let (mut aggregate_bytes, mut buffer_bytes) = (0, 0);
        for shard in &self.lock_shards() {
            aggregate_bytes += shard.aggregate_bytes();
            buffer_bytes += shard.buffer_bytes();
        }
        {
            let committed = self.committed.read();
            buffer_bytes += committed
                .spares
                .iter()
                .map(|s| s.capacity() * std::mem::size_of::<(u64, Record)>())
                .sum::<usize>();
        }
        let names = self.names.lock();
        aggregate_bytes += names.actions.memory() + names.keys.memory();
        MemoryUsage {
            retained,
            record_bytes: store.records,
            index_bytes: store.indexes,
            context_bytes: store.contexts,
            aggregate_bytes,
            buffer_bytes,
        }
    }

    fn to_record(&self, names: &Names, id: ExperienceId, r: &Record) -> ExperienceRecord {
        ExperienceRecord {
            id,
            action_type: names
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
            pattern_key: r.pattern.and_then(|p| names.keys.name(p)).map(Arc::clone),
        }
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use crate::Outcome;

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
