//! The review queue's observer: writes every review event to the audit log and hands each pipeline run
//! the audit result of its own review.
//!
//! Events reach the observer after the queue committed them, possibly on another thread and shortly
//! after the call that caused them returned. So a run that has its decision waits here (on a condition
//! variable, never polling) until the observer has written the decision's entry; that keeps each run's
//! trail in order and lets an audit failure of a review event fail the run.

use std::collections::HashMap;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use audit_system::{Attestation, AuditError};
use hitl_collab::{DecisionSignature, HitlEvent, Observer, ObserverError, RequestId};
use serde_json::{Value, json};

use crate::trail::{Trail, actors, steps};
use crate::{PipelineError, RunId};

/// Key in a review request's JSON context that names the pipeline run it belongs to.
pub const RUN_CONTEXT_KEY: &str = "aegis_pipeline_run";

type AuditResult = Result<u64, Arc<AuditError>>;

#[derive(Debug)]
enum Tracked {
    /// Requested, not yet decided: the audit result of the request event.
    Pending { run: RunId, requested: AuditResult },
    /// Decided: both audit results, waiting for the run to collect them.
    Decided {
        run: RunId,
        requested: AuditResult,
        decided: AuditResult,
    },
    /// The run stopped waiting; drop the entry when the decision arrives.
    Abandoned { run: RunId },
}

impl Tracked {
    fn run(&self) -> RunId {
        match self {
            Self::Pending { run, .. } | Self::Decided { run, .. } | Self::Abandoned { run } => *run,
        }
    }
}

/// The audit sequence numbers of a run's review entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ReviewSeqs {
    pub(crate) requested: u64,
    pub(crate) decided: u64,
}

/// Audits review events; see the module doc.
#[derive(Debug)]
pub(crate) struct AuditObserver {
    trail: Trail,
    tracked: Mutex<HashMap<RequestId, Tracked>>,
    changed: Condvar,
}

impl AuditObserver {
    pub(crate) fn new(trail: Trail) -> Self {
        Self {
            trail,
            tracked: Mutex::new(HashMap::new()),
            changed: Condvar::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<RequestId, Tracked>> {
        self.tracked.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self, actor: &str, step: &'static str, payload: &Value) -> AuditResult {
        self.trail.write(actor, step, payload)
    }

    /// Writes an entry carrying the reviewer's signed statement as an audit attestation, so the log's
    /// `verify()` checks the signature from then on.
    fn write_attested(
        &self,
        actor: &str,
        step: &'static str,
        payload: &Value,
        attestation: Attestation,
    ) -> AuditResult {
        self.trail.write_attested(actor, step, payload, attestation)
    }

    /// Blocks until the decision on `review` has been audited, then returns the seqs of the run's two
    /// review entries. Waits on a condition variable, at most `bound`.
    pub(crate) fn await_decision_audit(
        &self,
        run: RunId,
        review: RequestId,
        bound: Duration,
    ) -> Result<ReviewSeqs, PipelineError> {
        let give_up = Instant::now() + bound;
        let mut tracked = self.lock();
        loop {
            if let Some(Tracked::Decided { .. }) = tracked.get(&review)
                && let Some(Tracked::Decided {
                    requested, decided, ..
                }) = tracked.remove(&review)
            {
                let requested = requested
                    .map_err(|source| audit_error(run, steps::REVIEW_REQUESTED, source))?;
                let decided =
                    decided.map_err(|source| audit_error(run, steps::REVIEW_DECIDED, source))?;
                return Ok(ReviewSeqs { requested, decided });
            }
            let now = Instant::now();
            if now >= give_up {
                tracked.insert(review, Tracked::Abandoned { run });
                return Err(PipelineError::AuditNotDelivered { run, review });
            }
            tracked = self
                .changed
                .wait_timeout(tracked, give_up - now)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }

    /// The run gave up on `review` before its decision: forget it once the decision arrives.
    pub(crate) fn abandon(&self, run: RunId, review: RequestId) {
        let mut tracked = self.lock();
        match tracked.get(&review) {
            Some(Tracked::Decided { .. }) => {
                tracked.remove(&review);
            }
            _ => {
                tracked.insert(review, Tracked::Abandoned { run });
            }
        }
    }

    fn on_requested(&self, view: &hitl_collab::RequestView) -> AuditResult {
        let run = view
            .request
            .context
            .get(RUN_CONTEXT_KEY)
            .and_then(Value::as_u64)
            .map(RunId);
        let payload = json!({
            "run": run,
            "review": view.id.0,
            "priority": view.priority,
            "timeout_ms": u64::try_from(view.request.timeout.as_millis()).unwrap_or(u64::MAX),
            "digest": view.digest,
            "description": crate::bound::bounded_text(&view.request.description),
        });
        let result = self.write(&view.request.requester, steps::REVIEW_REQUESTED, &payload);
        if let Some(run) = run {
            let mut tracked = self.lock();
            if !matches!(tracked.get(&view.id), Some(Tracked::Abandoned { .. })) {
                tracked.insert(
                    view.id,
                    Tracked::Pending {
                        run,
                        requested: result.clone(),
                    },
                );
            }
        }
        result
    }

    fn on_decided(
        &self,
        id: RequestId,
        decision: &hitl_collab::Decision,
        expired: bool,
    ) -> AuditResult {
        let run = self.lock().get(&id).map(Tracked::run);
        let payload = json!({
            "run": run,
            "review": id.0,
            "outcome": decision.outcome,
            "reviewer": decision.reviewer,
            "note": crate::bound::bounded_text(&decision.note),
            "signature": decision.signature,
        });
        let (actor, step) = if expired {
            (actors::REVIEW_QUEUE, steps::REVIEW_EXPIRED)
        } else {
            (
                decision.reviewer.as_deref().unwrap_or(actors::REVIEW_QUEUE),
                steps::REVIEW_DECIDED,
            )
        };
        let result = match decision.signature.as_deref().map(decision_attestation) {
            Some(Some(attestation)) => self.write_attested(actor, step, &payload, attestation),
            // The queue checked the signature before the decision stood, so this cannot happen; if it
            // did, the decision is not audited and the run fails closed.
            Some(None) => Err(Arc::new(AuditError::BadAttestation { index: 0 })),
            None => self.write(actor, step, &payload),
        };
        let mut tracked = self.lock();
        match tracked.remove(&id) {
            Some(Tracked::Pending { run, requested }) => {
                tracked.insert(
                    id,
                    Tracked::Decided {
                        run,
                        requested,
                        decided: result.clone(),
                    },
                );
                drop(tracked);
                self.changed.notify_all();
            }
            Some(other @ Tracked::Decided { .. }) => {
                // Exactly-once decisions make a second decision impossible; keep the first.
                tracked.insert(id, other);
            }
            Some(Tracked::Abandoned { .. }) | None => {}
        }
        result
    }
}

/// The audit attestation of a decision's signature (`None` if its hex fields do not parse).
fn decision_attestation(signature: &DecisionSignature) -> Option<Attestation> {
    let mut key = [0u8; 32];
    let mut bytes = [0u8; 64];
    hex::decode_to_slice(&signature.public_key, &mut key).ok()?;
    hex::decode_to_slice(&signature.signature, &mut bytes).ok()?;
    Some(Attestation::new(
        key,
        signature.statement.as_bytes().to_vec(),
        bytes,
    ))
}

fn audit_error(run: RunId, step: &'static str, source: Arc<AuditError>) -> PipelineError {
    PipelineError::Audit { run, step, source }
}

impl Observer for AuditObserver {
    fn on_event(&self, event: &HitlEvent) -> Result<(), ObserverError> {
        let result = match event {
            HitlEvent::Requested(view) => self.on_requested(view),
            HitlEvent::Decided { id, decision } => self.on_decided(*id, decision, false),
            HitlEvent::Expired { id, decision } => self.on_decided(*id, decision, true),
            HitlEvent::Escalated { id, from, to } => {
                let run = self.lock().get(id).map(Tracked::run);
                self.write(
                    actors::REVIEW_QUEUE,
                    steps::REVIEW_ESCALATED,
                    &json!({ "run": run, "review": id.0, "from": from, "to": to }),
                )
            }
            HitlEvent::WorkflowPaused(w) => self.write(
                actors::REVIEW_QUEUE,
                steps::WORKFLOW_PAUSED,
                &json!({ "workflow": w.0 }),
            ),
            HitlEvent::WorkflowResumed(w) => self.write(
                actors::REVIEW_QUEUE,
                steps::WORKFLOW_RESUMED,
                &json!({ "workflow": w.0 }),
            ),
        };
        result
            .map(|_| ())
            .map_err(|e| ObserverError::new(format!("audit entry not written: {e}")))
    }
}

/// The observer is shared between the queue (which owns a boxed observer) and the pipeline.
#[derive(Debug, Clone)]
pub(crate) struct SharedObserver(pub(crate) Arc<AuditObserver>);

impl Observer for SharedObserver {
    fn on_event(&self, event: &HitlEvent) -> Result<(), ObserverError> {
        self.0.on_event(event)
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use audit_system::LogKey;
    use hitl_collab::{DecisionRequest, HitlQueue, Priority, Role};

    use super::*;

    fn setup() -> (Arc<AuditObserver>, HitlQueue) {
        let trail = Trail::new(crate::AuditBackend::Local(Arc::new(
            audit_system::AuditLog::in_memory(LogKey::generate()),
        )));
        let observer = Arc::new(AuditObserver::new(trail));
        let queue = HitlQueue::builder()
            .observer(SharedObserver(Arc::clone(&observer)))
            .build()
            .unwrap();
        queue.register_reviewer("rita", Role::Admin);
        (observer, queue)
    }

    fn request(run: u64) -> DecisionRequest {
        DecisionRequest::new("agent", "x", Priority::High, Duration::from_secs(60))
            .with_context(json!({ RUN_CONTEXT_KEY: run }))
    }

    #[test]
    fn a_decided_review_is_handed_over_once_and_forgotten() {
        let (observer, queue) = setup();
        let id = queue.request(request(7)).unwrap();
        queue.approve(id, "rita").unwrap();
        let seqs = observer
            .await_decision_audit(RunId(7), id, Duration::from_secs(5))
            .unwrap();
        assert_eq!(
            seqs,
            ReviewSeqs {
                requested: 0,
                decided: 1
            }
        );
        assert!(observer.lock().is_empty());
    }

    #[test]
    fn an_abandoned_review_is_dropped_when_its_decision_arrives() {
        let (observer, queue) = setup();
        let id = queue.request(request(3)).unwrap();
        let waited = observer.await_decision_audit(RunId(3), id, Duration::from_millis(1));
        assert!(matches!(
            waited,
            Err(PipelineError::AuditNotDelivered { run: RunId(3), .. })
        ));
        assert_eq!(observer.lock().len(), 1);
        queue.reject(id, "rita", "late").unwrap();
        assert!(observer.lock().is_empty());
        // The decision was still audited.
        assert_eq!(observer.trail.log().len().unwrap(), 2);
    }

    #[test]
    fn requests_from_outside_the_pipeline_are_audited_but_not_tracked() {
        let (observer, queue) = setup();
        let id = queue
            .request(DecisionRequest::new(
                "someone",
                "y",
                Priority::Low,
                Duration::from_secs(60),
            ))
            .unwrap();
        assert!(observer.lock().is_empty());
        queue.approve(id, "rita").unwrap();
        assert!(observer.lock().is_empty());
        assert_eq!(observer.trail.log().len().unwrap(), 2);
    }
}
