//! [`PipelineBuilder`]: assembles a pipeline from its components, with defaults for each.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;

use audit_system::{AuditLog, Durability, Limits, LogKey, SqliteStore};
use evolution_core::EvolutionEngine;
use hitl_collab::{HitlQueue, HitlQueueBuilder, ReviewQueue, ReviewerPublicKey, Role};
use intent_firewall::{Firewall, FirewallConfig};
use love_engine::LoveEngine;

use crate::executor::Executor;
use crate::ledger::RefusalLedger;
use crate::observer::{AuditObserver, SharedObserver};
use crate::trail::{Trail, actors, steps};
use crate::{AuditBackend, Pipeline, PipelineConfig, PipelineError};

/// The agent identity of a pipeline built without [`PipelineBuilder::agent`].
pub const DEFAULT_AGENT: &str = "agent";

/// Where the audit log lives.
#[derive(Debug)]
enum AuditTarget {
    Memory,
    SqliteDir(PathBuf, Durability, Option<PathBuf>),
    Log(Arc<AuditLog>),
    #[cfg(all(feature = "postgres", not(loom)))]
    Shared(Arc<audit_system::SharedLog>),
}

/// Which review queue the pipeline runs on: give either builder to [`PipelineBuilder::review_queue`]
/// (both convert into this).
#[non_exhaustive]
pub enum ReviewBackend {
    /// The in-memory queue of this process ([`HitlQueue`]).
    Memory(HitlQueueBuilder),
    /// A queue in PostgreSQL shared by every process that opens it ([`hitl_collab::PgQueue`]);
    /// feature `postgres`.
    #[cfg(all(feature = "postgres", not(loom)))]
    Postgres(hitl_collab::PgQueueBuilder),
}

impl std::fmt::Debug for ReviewBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Memory(_) => f.write_str("ReviewBackend::Memory"),
            #[cfg(all(feature = "postgres", not(loom)))]
            Self::Postgres(builder) => f
                .debug_tuple("ReviewBackend::Postgres")
                .field(builder)
                .finish(),
        }
    }
}

impl From<HitlQueueBuilder> for ReviewBackend {
    fn from(builder: HitlQueueBuilder) -> Self {
        Self::Memory(builder)
    }
}

#[cfg(all(feature = "postgres", not(loom)))]
impl From<hitl_collab::PgQueueBuilder> for ReviewBackend {
    fn from(builder: hitl_collab::PgQueueBuilder) -> Self {
        Self::Postgres(builder)
    }
}

impl ReviewBackend {
    /// Adds the pipeline's audit observer after the caller's, requires signed decisions, builds.
    fn build(self, observer: SharedObserver) -> Result<Arc<dyn ReviewQueue>, PipelineError> {
        Ok(match self {
            Self::Memory(builder) => Arc::new(
                builder
                    .observer(observer)
                    .require_signatures(true)
                    .build()?,
            ),
            #[cfg(all(feature = "postgres", not(loom)))]
            Self::Postgres(builder) => Arc::new(
                builder
                    .observer(observer)
                    .require_signatures(true)
                    .build()?,
            ),
        })
    }
}

/// Builds a [`Pipeline`]; start from [`Pipeline::builder`].
///
/// Defaults: [`PipelineConfig::default`]; a firewall with the default patterns and configuration
/// (rate limited per requester; see [`PipelineBuilder::without_rate_limit`]); a default love engine
/// and evolution engine; an in-memory audit log with a fresh key; a review queue from
/// [`HitlQueue::builder`] with the system clock and the reaper on. An executor is required.
pub struct PipelineBuilder {
    config: PipelineConfig,
    agent: String,
    admin: Option<(String, ReviewerPublicKey)>,
    firewall: Option<Firewall>,
    rate_limited: bool,
    love: Option<Arc<LoveEngine>>,
    evolution: Option<Arc<EvolutionEngine>>,
    audit: AuditTarget,
    queue: Option<ReviewBackend>,
    executor: Option<Box<dyn Executor>>,
}

impl std::fmt::Debug for PipelineBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PipelineBuilder")
            .field("config", &self.config)
            .field("audit", &self.audit)
            .finish_non_exhaustive()
    }
}

impl Default for PipelineBuilder {
    fn default() -> Self {
        Self {
            config: PipelineConfig::default(),
            agent: DEFAULT_AGENT.to_owned(),
            admin: None,
            firewall: None,
            rate_limited: true,
            love: None,
            evolution: None,
            audit: AuditTarget::Memory,
            queue: None,
            executor: None,
        }
    }
}

impl PipelineBuilder {
    /// Sets the configuration (validated by [`PipelineBuilder::build`]).
    #[must_use]
    pub fn config(mut self, config: PipelineConfig) -> Self {
        self.config = config;
        self
    }

    /// Sets the identity of the agent this pipeline screens (default [`DEFAULT_AGENT`]). The operator
    /// assigns it; the agent cannot change it per request. It keys the firewall's rate limit, is the
    /// requester of every review (so the agent can never approve its own action), and may not be
    /// registered as a reviewer. Build one pipeline per agent to give each agent its own limit.
    #[must_use]
    pub fn agent(mut self, identity: impl Into<String>) -> Self {
        self.agent = identity.into();
        self
    }

    /// Registers the first administrator, whose key signs the grants of every other reviewer
    /// ([`Pipeline::register_reviewer`]). `build` writes its `reviewer.registered` entry (actor
    /// `operator`) before the pipeline is returned. Without one, no reviewer can ever be registered,
    /// and every review expires (a rejection).
    #[must_use]
    pub fn bootstrap_admin(mut self, name: impl Into<String>, key: ReviewerPublicKey) -> Self {
        self.admin = Some((name.into(), key));
        self
    }

    /// Uses this firewall (its thresholds are the pipeline's firewall threshold). The pipeline owns
    /// it: change its patterns through [`Pipeline::add_patterns`] / [`Pipeline::remove_patterns`].
    #[must_use]
    pub fn firewall(mut self, firewall: Firewall) -> Self {
        self.firewall = Some(firewall);
        self
    }

    /// Builds the default firewall without its per-requester rate limit (load tests from few
    /// sources). Ignored when a firewall is given.
    #[must_use]
    pub fn without_rate_limit(mut self) -> Self {
        self.rate_limited = false;
        self
    }

    /// Uses this love engine (its threshold is the pipeline's ethics threshold).
    #[must_use]
    pub fn love_engine(mut self, love: impl Into<Arc<LoveEngine>>) -> Self {
        self.love = Some(love.into());
        self
    }

    /// Uses this evolution engine.
    #[must_use]
    pub fn evolution(mut self, evolution: impl Into<Arc<EvolutionEngine>>) -> Self {
        self.evolution = Some(evolution.into());
        self
    }

    /// Keeps the audit log in memory, signed with a fresh key (the default).
    #[must_use]
    pub fn audit_in_memory(mut self) -> Self {
        self.audit = AuditTarget::Memory;
        self
    }

    /// Keeps the audit log in SQLite in `dir`: `audit.db`, signed with the key in `audit.key`
    /// (created with mode 0600 if absent), with the store's default durability (survives a process
    /// crash), witnessed by `audit.witness` (the last published tree head, kept outside the database:
    /// a log cut short is refused at open; see [`PipelineBuilder::audit_witness`] to keep it
    /// elsewhere). The directory must exist.
    #[must_use]
    pub fn audit_sqlite_in(self, dir: impl Into<PathBuf>) -> Self {
        self.audit_sqlite_with(dir, Durability::default())
    }

    /// As [`PipelineBuilder::audit_sqlite_in`], with a chosen durability
    /// ([`Durability::PowerLoss`] syncs every commit to disk).
    #[must_use]
    pub fn audit_sqlite_with(mut self, dir: impl Into<PathBuf>, durability: Durability) -> Self {
        self.audit = AuditTarget::SqliteDir(dir.into(), durability, None);
        self
    }

    /// Keeps the SQLite log's witness file (the last published tree head) at `path` instead of
    /// `audit.witness` beside the database: put it where whoever can write the database cannot.
    /// Ignored unless the log is in SQLite.
    #[must_use]
    pub fn audit_witness(mut self, path: impl Into<PathBuf>) -> Self {
        if let AuditTarget::SqliteDir(_, _, witness) = &mut self.audit {
            *witness = Some(path.into());
        }
        self
    }

    /// Writes to this audit log, which must have this process as its only writer (in memory, SQLite,
    /// or with feature `postgres` a `PostgresStore`; a second writer process on the same store is
    /// refused by the store). For several pipeline processes on one log, see
    /// `PipelineBuilder::shared_audit_log` (feature `postgres`).
    #[must_use]
    pub fn audit_log(mut self, log: Arc<AuditLog>) -> Self {
        self.audit = AuditTarget::Log(log);
        self
    }

    /// Writes to this log in PostgreSQL, which any number of pipeline processes (and other writers
    /// holding the log key) append to at once; feature `postgres`. Commits from all of them are
    /// ordered by the database into one dense, hash-linked, signed sequence. As with every other
    /// log, an entry that cannot be committed (server gone, connection lost, commit outcome unknown)
    /// fails the step that wrote it, so the request stops there (fail closed). Open the log with
    /// `SharedLog::connect(url, schema, key)`; keep a clone of the `Arc` to verify or export it.
    #[cfg(all(feature = "postgres", not(loom)))]
    #[must_use]
    pub fn shared_audit_log(mut self, log: Arc<audit_system::SharedLog>) -> Self {
        self.audit = AuditTarget::Shared(log);
        self
    }

    /// Builds the review queue from this builder: a [`HitlQueueBuilder`] (in memory: capacity,
    /// retention, clock, reaper, your own observers) or, with feature `postgres`, a
    /// `hitl_collab::PgQueueBuilder` (a queue in PostgreSQL shared with other processes). The
    /// pipeline adds its audit observer after yours and makes the queue accept only signed decisions.
    #[must_use]
    pub fn review_queue(mut self, queue: impl Into<ReviewBackend>) -> Self {
        self.queue = Some(queue.into());
        self
    }

    /// Sets the executor that carries out approved actions (required).
    #[must_use]
    pub fn executor(mut self, executor: impl Executor + 'static) -> Self {
        self.executor = Some(Box::new(executor));
        self
    }

    /// Builds the pipeline.
    ///
    /// # Errors
    /// [`PipelineError::InvalidConfig`] (also for an empty agent identity, or a bootstrap admin named as
    /// the agent), [`PipelineError::MissingExecutor`],
    /// [`PipelineError::ControlAudit`] if the bootstrap admin's registration cannot be audited,
    /// [`PipelineError::AuditLog`] if the audit log cannot be opened, [`PipelineError::Firewall`] /
    /// [`PipelineError::Review`] if the default firewall or the queue cannot be built (or, for a
    /// queue in PostgreSQL, the bootstrap admin's key cannot be registered in it).
    pub fn build(self) -> Result<Pipeline, PipelineError> {
        self.config.validate()?;
        let executor = self.executor.ok_or(PipelineError::MissingExecutor)?;
        if self.agent.is_empty() {
            return Err(PipelineError::InvalidConfig {
                name: "agent",
                reason: "must not be empty",
            });
        }
        if self
            .admin
            .as_ref()
            .is_some_and(|(name, _)| *name == self.agent)
        {
            return Err(PipelineError::InvalidConfig {
                name: "bootstrap_admin",
                reason: "must not be the agent identity",
            });
        }
        let firewall = match self.firewall {
            Some(firewall) => Arc::new(firewall),
            None => {
                let config = if self.rate_limited {
                    FirewallConfig::default()
                } else {
                    FirewallConfig::default().without_rate_limit()
                };
                Arc::new(
                    Firewall::builder()
                        .config(config)
                        .default_patterns()
                        .build()?,
                )
            }
        };
        let log = match self.audit {
            AuditTarget::Memory => Arc::new(AuditLog::in_memory(LogKey::generate())).into(),
            AuditTarget::Log(log) => log.into(),
            #[cfg(all(feature = "postgres", not(loom)))]
            AuditTarget::Shared(log) => AuditBackend::Shared(log),
            AuditTarget::SqliteDir(dir, durability, witness) => {
                let open = || {
                    let key = LogKey::load_or_create_file(dir.join("audit.key"))?;
                    let store = SqliteStore::open_with(dir.join("audit.db"), durability)?;
                    AuditLog::with_store(store, key, Limits::default())?
                        .with_witness(witness.unwrap_or_else(|| dir.join("audit.witness")))
                };
                AuditBackend::Local(Arc::new(
                    open().map_err(|e| PipelineError::AuditLog(Arc::new(e)))?,
                ))
            }
        };
        let trail = Trail::new(log);
        let observer = Arc::new(AuditObserver::new(trail.clone()));
        let queue = self
            .queue
            .unwrap_or_else(|| default_queue().into())
            .build(SharedObserver(Arc::clone(&observer)))?;
        if let Some((name, key)) = &self.admin {
            trail.control(
                actors::OPERATOR,
                steps::REVIEWER_REGISTERED,
                &serde_json::json!({
                    "reviewer": name,
                    "role": Role::Admin,
                    "public_key": key.to_hex(),
                    "granted_by": actors::OPERATOR,
                    "bootstrap": true,
                }),
            )?;
            queue.register_reviewer_key(name, Role::Admin, *key)?;
        }
        let first_run = first_run(&trail, &self.agent)?;
        Ok(Pipeline {
            ledger: RefusalLedger::new(self.config.block_pattern_after),
            config: self.config,
            agent: self.agent,
            firewall,
            love: self.love.unwrap_or_default(),
            evolution: self.evolution.unwrap_or_default(),
            queue,
            trail,
            observer,
            executor,
            next_run: AtomicU64::new(first_run),
        })
    }
}

/// Runs one pipeline process numbers, at most, on a log shared with other processes.
pub const RUNS_PER_INSTANCE: u64 = 1 << 32;

/// The first run id of a new pipeline: 0 on a log of its own; on a log shared with other pipeline
/// processes, the sequence number of the `pipeline.started` entry it writes times [`RUNS_PER_INSTANCE`]
/// (sequence numbers are unique on the log, so run ids are unique across its processes).
#[cfg_attr(not(all(feature = "postgres", not(loom))), allow(unused_variables))]
fn first_run(trail: &Trail, agent: &str) -> Result<u64, PipelineError> {
    match trail.log() {
        #[cfg(all(feature = "postgres", not(loom)))]
        AuditBackend::Shared(_) => {
            let seq = trail.control(
                actors::PIPELINE,
                steps::PIPELINE_STARTED,
                &serde_json::json!({ "agent": agent, "process": std::process::id() }),
            )?;
            seq.checked_mul(RUNS_PER_INSTANCE)
                .ok_or(PipelineError::InvalidConfig {
                    name: "shared audit log",
                    reason: "more than 2^32 entries: run ids would overflow",
                })
        }
        _ => Ok(0),
    }
}

impl Pipeline {
    /// Returns a builder with every default (see [`PipelineBuilder`]).
    #[must_use]
    pub fn builder() -> PipelineBuilder {
        PipelineBuilder::default()
    }

    /// A full pipeline with the defaults and an in-memory audit log.
    ///
    /// # Errors
    /// As [`PipelineBuilder::build`].
    pub fn in_memory(executor: impl Executor + 'static) -> Result<Self, PipelineError> {
        Self::builder().executor(executor).build()
    }

    /// A full pipeline with the defaults and a durable SQLite audit log in `dir` (see
    /// [`PipelineBuilder::audit_sqlite_in`]).
    ///
    /// # Errors
    /// As [`PipelineBuilder::build`].
    pub fn sqlite_in(
        dir: impl Into<PathBuf>,
        executor: impl Executor + 'static,
    ) -> Result<Self, PipelineError> {
        Self::builder()
            .executor(executor)
            .audit_sqlite_in(dir)
            .build()
    }
}

/// The default review queue: system clock, reaper on (the reaper does not exist under loom).
#[cfg(not(loom))]
fn default_queue() -> HitlQueueBuilder {
    HitlQueue::builder().reaper(true)
}

/// The default review queue: system clock, reaper on (the reaper does not exist under loom).
#[cfg(loom)]
fn default_queue() -> HitlQueueBuilder {
    HitlQueue::builder()
}
