//! [`Pipeline`]: one request through firewall, ethics, review, execution, audit and learning.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use evolution_core::{EvolutionEngine, Experience, ExperienceId};
use hitl_collab::DecisionRequest;
use intent_firewall::{Assessment, Firewall, Verdict as FirewallVerdict};
use love_engine::{EthicalAssessment, LoveEngine};
use serde_json::{Value, json};

use crate::desk::ReviewDesk;
use crate::executor::Executor;
use crate::ledger::RefusalLedger;
use crate::observer::{AuditObserver, RUN_CONTEXT_KEY};
use crate::route::{FirewallSignal, route};
use crate::trail::{Trail, actors, steps};
use crate::{
    ActionRequest, AuditBackend, BlockReason, Disposition, PipelineConfig, PipelineError,
    Processed, ReviewRecord, Route, RunId,
};

/// The Aegis pipeline: firewall, ethics, human review, execution, audit and learning, wired together.
///
/// Build one with [`Pipeline::builder`] (or [`Pipeline::in_memory`] / [`Pipeline::sqlite_in`]).
/// `Send + Sync`: share it behind an `Arc` and call [`Pipeline::process`] from any number of threads;
/// every component it holds is itself thread-safe, and the pipeline adds only an atomic run counter and
/// the refusal ledger's read-mostly lock.
pub struct Pipeline {
    pub(crate) config: PipelineConfig,
    pub(crate) agent: String,
    pub(crate) firewall: Arc<Firewall>,
    pub(crate) love: Arc<LoveEngine>,
    pub(crate) evolution: Arc<EvolutionEngine>,
    pub(crate) queue: Arc<dyn hitl_collab::ReviewQueue>,
    pub(crate) trail: Trail,
    pub(crate) observer: Arc<AuditObserver>,
    pub(crate) ledger: RefusalLedger,
    pub(crate) executor: Box<dyn Executor>,
    pub(crate) next_run: AtomicU64,
}

impl std::fmt::Debug for Pipeline {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pipeline")
            .field("config", &self.config)
            .field("runs", &self.next_run.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

/// What one run has gathered so far.
struct Run<'a> {
    id: RunId,
    request: &'a ActionRequest,
    firewall: Assessment,
    ethics: EthicalAssessment,
    route: Route,
    review: Option<ReviewRecord>,
    seqs: Vec<u64>,
}

impl Pipeline {
    /// Processes one request to its end and returns what happened.
    ///
    /// 1. The firewall and the love engine assess it, and both assessments are audited
    ///    (`firewall.checked`, `ethics.checked`) before anything acts on them.
    /// 2. [`route`](crate::route::route) decides: execute, review, or block.
    /// 3. A review is submitted to the queue and this call **blocks** on
    ///    [`hitl_collab::ReviewQueue::wait_for_decision`] (a condition variable, no polling) for at most the review's
    ///    timeout plus [`PipelineConfig::review_grace`]; the queue expires an undecided review at its
    ///    deadline, and an expiry is a rejection. The observer audits `review.requested` and
    ///    `review.decided` / `review.expired`; this call waits until it has.
    /// 4. An executed or failed action is audited (`action.executed` / `action.failed`); a refused one
    ///    (`action.blocked` / `action.rejected`) never reaches the executor.
    /// 5. The outcome, with both scores and the most severe matched pattern as pattern key, is logged to
    ///    the evolution engine and audited (`outcome.learned`), in the same commit as step 4.
    ///
    /// Blocking was chosen over a pending handle because a review is the rare path and a blocked
    /// thread per open review is what the callers (agents waiting for permission) want; run many
    /// requests concurrently by calling `process` from many threads. A request that needs no review
    /// costs two audit commits.
    ///
    /// # Errors
    /// [`PipelineError::Firewall`] / [`PipelineError::Ethics`] for a request the checks cannot assess
    /// (nothing is audited or executed); [`PipelineError::Audit`] when an entry cannot be written (the
    /// run stops at that step: a request whose checks or review were not audited never executes);
    /// [`PipelineError::Review`] when the queue is full; [`PipelineError::AuditNotDelivered`];
    /// [`PipelineError::Learning`] when the outcome cannot be logged (after the action took effect,
    /// which is audited first).
    pub fn process(&self, request: &ActionRequest) -> Result<Processed, PipelineError> {
        let mut run = self.assess(request)?;
        let checks = run.check_entries(&self.agent);
        run.seqs.extend(self.trail.append(run.id, &checks)?);
        self.proceed(run)
    }

    /// Processes many requests, committing the audit entries of those that need no review together:
    /// all check entries in one commit, then all dispositions and learned outcomes in another. Requests
    /// that go to review are processed one after another as in [`Pipeline::process`], between the two
    /// commits. Results come back in input order.
    ///
    /// This is the throughput path for a durable (SQLite) audit log, where each commit is a sync to
    /// disk: a batch of n safe requests costs 2 commits instead of 2n. Each run's trail is the same
    /// as with `process`; runs' entries interleave in the log.
    ///
    /// If the check commit fails, every request that reached it fails with that
    /// [`PipelineError::Audit`] and none executes; if the final commit fails, the requests that were
    /// executed by then fail with it (the side effects happened, the trail says so up to the checks).
    /// A batched commit's error names the first run in it. Per-request errors are as for
    /// [`Pipeline::process`].
    pub fn process_batch(
        &self,
        requests: &[ActionRequest],
    ) -> Vec<Result<Processed, PipelineError>> {
        let mut results: Vec<Option<Result<Processed, PipelineError>>> =
            (0..requests.len()).map(|_| None).collect();
        let mut runs = Vec::with_capacity(requests.len());
        for (slot, request) in requests.iter().enumerate() {
            match self.assess(request) {
                Ok(run) => runs.push((slot, run)),
                Err(e) => results[slot] = Some(Err(e)),
            }
        }
        let checks: Vec<Vec<Entry>> = runs
            .iter()
            .map(|(_, run)| run.check_entries(&self.agent))
            .collect();
        let counts: Vec<usize> = checks.iter().map(Vec::len).collect();
        let checks: Vec<Entry> = checks.into_iter().flatten().collect();
        let first = runs.first().map_or(RunId(0), |(_, run)| run.id);
        match self.trail.append(first, &checks) {
            Ok(seqs) => {
                let mut rest = seqs.as_slice();
                for ((_, run), count) in runs.iter_mut().zip(counts) {
                    let (mine, others) = rest.split_at(count.min(rest.len()));
                    run.seqs.extend_from_slice(mine);
                    rest = others;
                }
            }
            Err(e) => {
                for (slot, _) in runs {
                    results[slot] = Some(Err(e.clone()));
                }
                return results.into_iter().flatten().collect();
            }
        }
        let mut concluded = Vec::with_capacity(runs.len());
        for (slot, run) in runs {
            let acted = match &run.route {
                Route::Review { .. } => {
                    results[slot] = Some(self.proceed(run));
                    continue;
                }
                Route::Execute => self.execute(run),
                Route::Block(reason) => {
                    let reason = reason.clone();
                    self.refuse(run, Disposition::Blocked(reason))
                }
            };
            match self.learn(acted) {
                Ok(done) => concluded.push((slot, done)),
                Err(e) => results[slot] = Some(Err(e)),
            }
        }
        let entries: Vec<Entry> = concluded
            .iter_mut()
            .flat_map(|(_, done)| std::mem::take(&mut done.entries))
            .collect();
        let first = concluded.first().map_or(RunId(0), |(_, done)| done.run.id);
        match self.trail.append(first, &entries) {
            Ok(seqs) => {
                for ((slot, done), pair) in concluded.into_iter().zip(seqs.chunks(2)) {
                    results[slot] = Some(Ok(done.into_processed(pair)));
                }
            }
            Err(e) => {
                for (slot, _) in concluded {
                    results[slot] = Some(Err(e.clone()));
                }
            }
        }
        results.into_iter().flatten().collect()
    }

    /// Runs both checks and routes; nothing is audited yet.
    fn assess<'a>(&self, request: &'a ActionRequest) -> Result<Run<'a>, PipelineError> {
        let id = RunId(self.next_run.fetch_add(1, Ordering::Relaxed));
        let firewall = self
            .firewall
            .validate(&request.firewall_request(&self.agent))?;
        let ethics = self.love.check_ethics(&request.ethics_action())?;
        let signal = match firewall.verdict {
            FirewallVerdict::Allow => FirewallSignal::Pass,
            FirewallVerdict::RateLimited => FirewallSignal::RateLimited,
            FirewallVerdict::Review | FirewallVerdict::Block => FirewallSignal::Fail {
                critical: firewall.critical_matched(),
            },
        };
        let blocked = match signal {
            FirewallSignal::Fail { .. } => self.ledger.blocked(firewall.matched_ids()),
            _ => None,
        };
        let route = route(signal, ethics.is_approved(), blocked, &self.config);
        Ok(Run {
            id,
            request,
            firewall,
            ethics,
            route,
            review: None,
            seqs: Vec::new(),
        })
    }

    /// Everything after the audited checks: review, execution or refusal, learning, audit.
    fn proceed(&self, run: Run<'_>) -> Result<Processed, PipelineError> {
        let acted = match run.route.clone() {
            Route::Execute => self.execute(run),
            Route::Block(reason) => self.refuse(run, Disposition::Blocked(reason)),
            Route::Review {
                priority, timeout, ..
            } => {
                let (id, seqs) = (run.id, run.seqs.clone());
                match self.review(run, priority, timeout) {
                    Ok(acted) => acted,
                    Err(error) => return Err(self.abort(id, &seqs, error)),
                }
            }
        };
        let mut done = self.learn(acted)?;
        let entries = std::mem::take(&mut done.entries);
        let seqs = self.trail.append(done.run.id, &entries)?;
        Ok(done.into_processed(&seqs))
    }

    fn review<'a>(
        &self,
        mut run: Run<'a>,
        priority: hitl_collab::Priority,
        timeout: std::time::Duration,
    ) -> Result<Acted<'a>, PipelineError> {
        // The reviewer sees everything the executor will get: the screens' rendering of every field as
        // the description, and the action itself in the context (both covered by the digest it signs).
        let request = DecisionRequest::new(
            self.agent.clone(),
            format!(
                "{} (requested as {}):\n{}",
                run.request.action_type,
                run.request.requester,
                crate::screen::render(run.request)
            ),
            priority,
            timeout,
        )
        .with_context(json!({
            RUN_CONTEXT_KEY: run.id.0,
            "action": run.request,
            "route": run.route,
            "safety_score": run.firewall.safety_score,
            "ethics_score": run.ethics.overall,
            "patterns": pattern_ids(&run.firewall),
        }));
        let review = self.queue.request(request)?;
        let decision = match self
            .queue
            .wait_for_decision(review, timeout.saturating_add(self.config.review_grace))
        {
            Ok(decision) => decision,
            Err(e) => {
                self.observer.abandon(run.id, review);
                return Err(e.into());
            }
        };
        let seqs = self.observer.await_decision_audit(
            run.id,
            review,
            self.config.audit_delivery_timeout,
        )?;
        run.seqs.extend([seqs.requested, seqs.decided]);
        let approved = decision.is_approved();
        run.review = Some(ReviewRecord {
            id: review,
            priority,
            decision,
        });
        if approved {
            let entry = run.executing_entry();
            run.seqs.extend(self.trail.append(run.id, &[entry])?);
            Ok(self.execute(run))
        } else {
            Ok(self.refuse(run, Disposition::Rejected))
        }
    }

    /// Runs the executor. The run's `action.executing` entry has been committed (write-ahead): with
    /// the checks for a run that needs no review, after the decision for a reviewed one.
    fn execute<'a>(&self, run: Run<'a>) -> Acted<'a> {
        let (disposition, step, payload) = match self.executor.execute(run.request) {
            Ok(output) => {
                let payload = json!({
                    "run": run.id,
                    "action_type": run.request.action_type,
                    "output": crate::bound::bounded_json(&output),
                });
                (
                    Disposition::Executed { output },
                    steps::ACTION_EXECUTED,
                    payload,
                )
            }
            Err(e) => {
                let payload = json!({
                    "run": run.id,
                    "action_type": run.request.action_type,
                    "reason": crate::bound::bounded_text(&e.reason),
                });
                let failed = Disposition::ExecutionFailed { reason: e.reason };
                (failed, steps::ACTION_FAILED, payload)
            }
        };
        Acted {
            run,
            disposition,
            entry: (actors::EXECUTOR, step, payload),
        }
    }

    fn refuse<'a>(&self, run: Run<'a>, disposition: Disposition) -> Acted<'a> {
        let firewall_failed = run.firewall.verdict != FirewallVerdict::Allow
            && run.firewall.verdict != FirewallVerdict::RateLimited;
        let automatic = matches!(
            disposition,
            Disposition::Blocked(BlockReason::PatternBlocked(_) | BlockReason::RateLimited)
        );
        if firewall_failed && !automatic {
            self.ledger.record_refusal(run.firewall.matched_ids());
        }
        let entry = match &disposition {
            Disposition::Blocked(reason) => (
                actors::PIPELINE,
                steps::ACTION_BLOCKED,
                json!({ "run": run.id, "action_type": run.request.action_type, "block": reason }),
            ),
            _ => {
                let (outcome, reviewer) = run.review.as_ref().map_or((None, None), |r| {
                    (Some(r.decision.outcome), r.decision.reviewer.clone())
                });
                (
                    actors::PIPELINE,
                    steps::ACTION_REJECTED,
                    json!({
                        "run": run.id,
                        "action_type": run.request.action_type,
                        "review_outcome": outcome,
                        "reviewer": reviewer,
                    }),
                )
            }
        };
        Acted {
            run,
            disposition,
            entry,
        }
    }

    /// Records that a run stopped after its checks were audited (unless the audit log itself is what
    /// failed), then hands the error back.
    fn abort(&self, run: RunId, seqs: &[u64], error: PipelineError) -> PipelineError {
        if !matches!(error, PipelineError::Audit { .. }) {
            let entry = (
                actors::PIPELINE,
                steps::RUN_ABORTED,
                json!({ "run": run, "error": error.to_string(), "after": seqs }),
            );
            // Best effort: the caller gets `error` whether or not this entry is written.
            let _ = self.trail.append(run, &[entry]);
        }
        error
    }

    /// Logs the outcome to the evolution engine and returns the two entries still to be written. If
    /// learning fails, the disposition is audited on its own before the error is returned.
    fn learn<'a>(&self, acted: Acted<'a>) -> Result<Learned<'a>, PipelineError> {
        let Acted {
            run,
            disposition,
            entry,
        } = acted;
        let mut experience = Experience::new(
            run.request.action_type.clone(),
            disposition.learned_outcome(),
        )
        .with_safety_score(run.firewall.safety_score)
        .with_ethics_score(run.ethics.overall);
        if let Some(key) = most_severe(&run.firewall) {
            experience = experience.with_pattern_key(key);
        }
        let experience = match self.evolution.log_experience(experience) {
            Ok(id) => id,
            Err(source) => {
                self.trail.append(run.id, &[entry])?;
                return Err(PipelineError::Learning {
                    run: run.id,
                    source,
                });
            }
        };
        let learned = (
            actors::EVOLUTION,
            steps::OUTCOME_LEARNED,
            json!({
                "run": run.id,
                "experience": experience.0,
                "outcome": disposition.learned_outcome(),
                "safety_score": run.firewall.safety_score,
                "ethics_score": run.ethics.overall,
                "pattern": most_severe(&run.firewall),
            }),
        );
        Ok(Learned {
            run,
            disposition,
            experience,
            entries: vec![entry, learned],
        })
    }

    /// The configuration.
    #[must_use]
    pub fn config(&self) -> &PipelineConfig {
        &self.config
    }

    /// The identity the operator assigned to the agent this pipeline screens: the firewall's rate-limit
    /// source and the requester of every review (so it can never review its own actions).
    #[must_use]
    pub fn agent(&self) -> &str {
        &self.agent
    }

    /// Number of patterns the firewall holds (change them with [`Pipeline::add_patterns`] and
    /// [`Pipeline::remove_patterns`], which audit the change).
    #[must_use]
    pub fn pattern_count(&self) -> usize {
        self.firewall.pattern_count()
    }

    /// Runs the firewall alone on `request` as [`Pipeline::process`] would (every field, the agent's
    /// rate limit), without auditing or acting on the result.
    ///
    /// # Errors
    /// [`PipelineError::Firewall`] if the firewall cannot assess it.
    pub fn screen(&self, request: &ActionRequest) -> Result<Assessment, PipelineError> {
        Ok(self
            .firewall
            .validate(&request.firewall_request(&self.agent))?)
    }

    /// The love engine.
    #[must_use]
    pub fn love_engine(&self) -> &Arc<LoveEngine> {
        &self.love
    }

    /// The evolution engine that learns every outcome.
    #[must_use]
    pub fn evolution(&self) -> &Arc<EvolutionEngine> {
        &self.evolution
    }

    /// The reviewers' desk: pending reviews and signed decisions (register reviewers with
    /// [`Pipeline::register_reviewer`]).
    #[must_use]
    pub fn review_desk(&self) -> ReviewDesk {
        ReviewDesk(Arc::clone(&self.queue))
    }

    /// The audit log every step writes to: read, query and verify it through [`AuditBackend`]
    /// (on a shared log, every process's entries).
    #[must_use]
    pub fn audit_log(&self) -> &AuditBackend {
        self.trail.log()
    }

    /// Signs and publishes the audit log's current tree head; a witnessed (SQLite) log records it in
    /// its witness file first, so a later open refuses a log shorter than, or diverging from, any head
    /// handed out. On a shared log the head covers every process's entries.
    ///
    /// # Errors
    /// [`PipelineError::AuditLog`] if the head cannot be signed, synced or witnessed.
    pub fn publish_tree_head(&self) -> Result<audit_system::SignedTreeHead, PipelineError> {
        self.trail
            .log()
            .publish_tree_head()
            .map_err(|e| PipelineError::AuditLog(Arc::new(e)))
    }

    /// The refusal ledger that decides when a safety pattern is blocked without review.
    #[must_use]
    pub fn refusals(&self) -> &RefusalLedger {
        &self.ledger
    }

    /// Number of requests `process` has started.
    #[must_use]
    pub fn runs_started(&self) -> u64 {
        self.next_run.load(Ordering::Relaxed)
    }
}

/// One audit entry to write: actor, action, payload.
type Entry = (&'static str, &'static str, Value);

/// A run after its disposition is known, before learning.
struct Acted<'a> {
    run: Run<'a>,
    disposition: Disposition,
    entry: Entry,
}

/// A run after learning, with its last two entries still to be written.
struct Learned<'a> {
    run: Run<'a>,
    disposition: Disposition,
    experience: ExperienceId,
    entries: Vec<Entry>,
}

impl Learned<'_> {
    fn into_processed(self, seqs: &[u64]) -> Processed {
        let mut run = self.run;
        run.seqs.extend_from_slice(seqs);
        Processed {
            run: run.id,
            safety_score: run.firewall.safety_score,
            ethics_score: run.ethics.overall,
            route: run.route,
            review: run.review,
            disposition: self.disposition,
            experience: self.experience,
            audit_seqs: run.seqs,
        }
    }
}

impl Run<'_> {
    /// The two check entries, and for a run that executes without review its write-ahead
    /// `action.executing` entry, all committed together before the executor runs.
    fn check_entries(&self, agent: &str) -> Vec<Entry> {
        let mut entries = vec![
            (
                actors::FIREWALL,
                steps::FIREWALL_CHECKED,
                self.firewall_payload(agent),
            ),
            (actors::ETHICS, steps::ETHICS_CHECKED, self.ethics_payload()),
        ];
        if self.route == Route::Execute {
            entries.push(self.executing_entry());
        }
        entries
    }

    /// The write-ahead entry: the action is about to reach the executor.
    fn executing_entry(&self) -> Entry {
        (
            actors::PIPELINE,
            steps::ACTION_EXECUTING,
            json!({
                "run": self.id,
                "action_type": self.request.action_type,
                "action_digest": crate::bound::digest_json(self.request),
                "reviewed": self.review.as_ref().map(|r| r.id.0),
            }),
        )
    }

    fn firewall_payload(&self, agent: &str) -> Value {
        json!({
            "run": self.id,
            "requester": self.request.requester,
            "agent": agent,
            "action_type": self.request.action_type,
            "verdict": self.firewall.verdict,
            "safety_score": self.firewall.safety_score,
            "critical": self.firewall.critical_matched(),
            "patterns": pattern_ids(&self.firewall),
            "intent": self.firewall.intent.action,
        })
    }

    fn ethics_payload(&self) -> Value {
        json!({
            "run": self.id,
            "verdict": self.ethics.verdict,
            "ethics_score": self.ethics.overall,
            "threshold": self.ethics.threshold,
            "concerns": self.ethics.concerns.iter().map(|c| c.evidence.phrase.as_ref()).collect::<Vec<_>>(),
            "route": self.route,
        })
    }
}

fn pattern_ids(firewall: &Assessment) -> Vec<&str> {
    firewall.matched_ids().map(|id| id.as_str()).collect()
}

/// The id of the most severe matched pattern (the first one among equals).
fn most_severe(firewall: &Assessment) -> Option<String> {
    let mut best: Option<&intent_firewall::PatternMatch> = None;
    for m in &firewall.matches {
        if best.is_none_or(|b| m.severity.value() > b.severity.value()) {
            best = Some(m);
        }
    }
    best.map(|m| m.id.to_string())
}
