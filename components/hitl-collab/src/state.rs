//! The queue's single-threaded core: every rule, applied under the one lock that [`crate::HitlQueue`] holds.
//!
//! Each request is in exactly one state. Pending: it has a record, one place in the [`PendingIndex`] and one
//! entry in the deadline index. Decided: its record holds the [`Decision`], it is in neither index, and its
//! id is in the history queue until retention evicts it. Every transition from pending to decided goes
//! through [`State::finish`], which is the only place that writes a decision, so a request is decided once.

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::time::Duration;

use crate::clock::Timestamp;
use crate::decision::{Decision, Outcome, Verdict};
use crate::error::HitlError;
use crate::index::{PendingIndex, pending_key};
use crate::invariant::InvariantViolation;
use crate::observer::HitlEvent;
use crate::request::{DecisionRequest, Priority, RequestId, RequestView, WorkflowId};
use crate::reviewer::Role;
use crate::signature::{DecisionSignature, RequestDigest, ReviewerPublicKey, SignedDecision};
use crate::sync::{Arc, Condvar, DataArc};

/// A registered reviewer: its role and, for signed decisions, its public key.
#[derive(Debug, Clone, Copy)]
struct Reviewer {
    role: Role,
    key: Option<ReviewerPublicKey>,
}

/// Where a request stands.
#[derive(Debug)]
enum Status {
    Pending,
    Decided(Decision),
}

#[derive(Debug)]
struct Record {
    view: RequestView,
    seq: u64,
    status: Status,
    /// Created by the first waiter; notified (and dropped) when the request is decided.
    waiters: Option<Arc<Condvar>>,
}

/// All queue state; see the module doc for the invariants.
#[derive(Debug)]
pub(crate) struct State {
    capacity: usize,
    retention: usize,
    records: HashMap<RequestId, Record>,
    pending: PendingIndex,
    deadlines: BTreeSet<(Timestamp, RequestId)>,
    history: VecDeque<RequestId>,
    reviewers: HashMap<String, Reviewer>,
    /// True if and only if only signed decisions are accepted.
    signatures_required: bool,
    next_seq: u64,
    next_id: u64,
    now: Timestamp,
    record_events: bool,
    /// Events not yet handed to observers, in the order they happened.
    pub(crate) outbox: Vec<HitlEvent>,
    /// Set when the owning queue is dropped, to stop the reaper.
    #[cfg_attr(loom, allow(dead_code))]
    pub(crate) shutdown: bool,
}

impl State {
    /// Returns an empty state; `record_events` is false when nobody observes.
    pub(crate) fn new(
        capacity: usize,
        retention: usize,
        record_events: bool,
        signatures_required: bool,
    ) -> Self {
        Self {
            capacity,
            retention,
            records: HashMap::new(),
            pending: PendingIndex::default(),
            deadlines: BTreeSet::new(),
            history: VecDeque::new(),
            reviewers: HashMap::new(),
            signatures_required,
            next_seq: 0,
            next_id: 1,
            now: Timestamp::ZERO,
            record_events,
            outbox: Vec::new(),
            shutdown: false,
        }
    }

    /// Returns true if and only if only signed decisions are accepted.
    pub(crate) fn signatures_required(&self) -> bool {
        self.signatures_required
    }

    /// Returns the latest time the state has seen.
    pub(crate) fn now(&self) -> Timestamp {
        self.now
    }

    /// Moves the state's time to `now` (never backwards) and expires every request whose deadline is due.
    pub(crate) fn tick(&mut self, now: Timestamp) -> Vec<(RequestId, Decision)> {
        if now > self.now {
            self.now = now;
        }
        let mut expired = Vec::new();
        while let Some(&(deadline, id)) = self.deadlines.first() {
            if deadline > self.now {
                break;
            }
            let decision = Decision {
                outcome: Outcome::Expired,
                reviewer: None,
                decided_at: self.now,
                note: String::new(),
                signature: None,
            };
            if self.finish(id, decision.clone()) {
                expired.push((id, decision));
            } else {
                // A deadline entry without a pending record would be a bug; drop it rather than spin.
                self.deadlines.remove(&(deadline, id));
            }
        }
        expired
    }

    /// Returns the earliest deadline of a pending request.
    pub(crate) fn next_deadline(&self) -> Option<Timestamp> {
        self.deadlines.first().map(|(t, _)| *t)
    }

    /// Returns the number of pending requests.
    pub(crate) fn pending_len(&self) -> usize {
        self.pending.len()
    }

    /// Returns the number of decided requests kept for history.
    pub(crate) fn retained_len(&self) -> usize {
        self.history.len()
    }

    /// Registers (or re-registers) a reviewer; returns its previous role.
    pub(crate) fn register_reviewer(
        &mut self,
        name: &str,
        role: Role,
        key: Option<ReviewerPublicKey>,
    ) -> Option<Role> {
        self.reviewers
            .insert(name.to_owned(), Reviewer { role, key })
            .map(|r| r.role)
    }

    /// Removes a reviewer; returns its role.
    pub(crate) fn unregister_reviewer(&mut self, name: &str) -> Option<Role> {
        self.reviewers.remove(name).map(|r| r.role)
    }

    /// Returns a reviewer's role and registered key.
    pub(crate) fn reviewer(&self, name: &str) -> Option<(Role, Option<ReviewerPublicKey>)> {
        self.reviewers.get(name).map(|r| (r.role, r.key))
    }

    /// Returns the key registered for `name`, to check a signature against outside the lock.
    pub(crate) fn reviewer_key(&self, name: &str) -> Result<ReviewerPublicKey, HitlError> {
        let reviewer = self
            .reviewers
            .get(name)
            .ok_or_else(|| HitlError::UnknownReviewer(name.to_owned()))?;
        reviewer.key.ok_or_else(|| HitlError::KeyNotRegistered {
            reviewer: name.to_owned(),
        })
    }

    /// Accepts a request.
    pub(crate) fn request(&mut self, request: DecisionRequest) -> Result<RequestId, HitlError> {
        if request.timeout.is_zero() {
            return Err(HitlError::ZeroTimeout);
        }
        if self.pending.len() >= self.capacity {
            return Err(HitlError::QueueFull {
                capacity: self.capacity,
            });
        }
        let id = match request.id {
            Some(id) if self.records.contains_key(&id) => return Err(HitlError::DuplicateId(id)),
            Some(id) => id,
            None => self.fresh_id(),
        };
        let seq = self.next_seq;
        self.next_seq += 1;
        let priority = request.priority;
        let deadline = self.now.saturating_add(request.timeout);
        let workflow = request.workflow.clone();
        let digest = RequestDigest::of(id, &request, self.now);
        let view = RequestView {
            id,
            request: DataArc::new(request),
            priority,
            submitted_at: self.now,
            deadline,
            digest,
        };
        self.pending
            .insert(pending_key(priority, seq), id, workflow.as_ref());
        self.deadlines.insert((deadline, id));
        if self.record_events {
            self.outbox.push(HitlEvent::Requested(view.clone()));
        }
        self.records.insert(
            id,
            Record {
                view,
                seq,
                status: Status::Pending,
                waiters: None,
            },
        );
        Ok(id)
    }

    fn fresh_id(&mut self) -> RequestId {
        loop {
            let id = RequestId(self.next_id);
            self.next_id = self.next_id.wrapping_add(1);
            if !self.records.contains_key(&id) {
                return id;
            }
        }
    }

    /// Applies a reviewer's verdict on a name alone (refused when signatures are required).
    pub(crate) fn decide(
        &mut self,
        id: RequestId,
        reviewer: &str,
        verdict: Verdict,
        note: &str,
    ) -> Result<Decision, HitlError> {
        if self.signatures_required {
            return Err(HitlError::UnsignedDecision);
        }
        self.apply(id, reviewer, verdict, note, None)
    }

    /// Applies a signed decision whose signature `verified_with` has already checked (outside the lock).
    /// The key must still be the one registered for the reviewer, and the signed digest the request's.
    pub(crate) fn decide_signed(
        &mut self,
        signed: &SignedDecision,
        verified_with: ReviewerPublicKey,
    ) -> Result<Decision, HitlError> {
        let id = signed.statement.request;
        let record = self.records.get(&id).ok_or(HitlError::UnknownRequest(id))?;
        if let Status::Decided(decision) = &record.status {
            return Err(HitlError::AlreadyDecided {
                id,
                decision: decision.clone(),
            });
        }
        if self.reviewer_key(&signed.reviewer)? != verified_with {
            return Err(HitlError::KeyNotRegistered {
                reviewer: signed.reviewer.clone(),
            });
        }
        if record.view.digest != signed.statement.digest {
            return Err(HitlError::DigestMismatch(id));
        }
        let proof = DecisionSignature {
            public_key: verified_with.to_hex(),
            signature: hex::encode(signed.signature),
            statement: signed.statement.signed_text(),
        };
        self.apply(
            id,
            &signed.reviewer,
            signed.statement.verdict,
            &signed.statement.note,
            Some(Box::new(proof)),
        )
    }

    /// Checks every rule of a decision and writes it.
    fn apply(
        &mut self,
        id: RequestId,
        reviewer: &str,
        verdict: Verdict,
        note: &str,
        signature: Option<Box<DecisionSignature>>,
    ) -> Result<Decision, HitlError> {
        let record = self.records.get(&id).ok_or(HitlError::UnknownRequest(id))?;
        if let Status::Decided(decision) = &record.status {
            return Err(HitlError::AlreadyDecided {
                id,
                decision: decision.clone(),
            });
        }
        let role = self
            .reviewers
            .get(reviewer)
            .ok_or_else(|| HitlError::UnknownReviewer(reviewer.to_owned()))?
            .role;
        if record.view.request.requester == reviewer {
            return Err(HitlError::SelfReview {
                id,
                reviewer: reviewer.to_owned(),
            });
        }
        let needed = record.view.priority.required_role();
        if !role.covers(needed) {
            return Err(HitlError::InsufficientRole {
                id,
                needed,
                has: role,
            });
        }
        if let Some(workflow) = record.view.request.workflow.as_ref()
            && self.pending.is_paused(Some(workflow))
        {
            return Err(HitlError::WorkflowPaused(workflow.clone()));
        }
        let decision = Decision {
            outcome: Outcome::from(verdict),
            reviewer: Some(reviewer.to_owned()),
            decided_at: self.now,
            note: note.to_owned(),
            signature,
        };
        self.finish(id, decision.clone());
        Ok(decision)
    }

    /// Decides the first actionable request, in serving order, that `reviewer` may decide.
    pub(crate) fn decide_next(
        &mut self,
        reviewer: &str,
        verdict: Verdict,
        note: &str,
    ) -> Result<Option<(RequestId, Decision)>, HitlError> {
        if self.signatures_required {
            return Err(HitlError::UnsignedDecision);
        }
        let role = self
            .reviewers
            .get(reviewer)
            .ok_or_else(|| HitlError::UnknownReviewer(reviewer.to_owned()))?
            .role;
        let next = self.pending.actionable().find_map(|(_, id)| {
            let record = self.records.get(id)?;
            let allowed = role.covers(record.view.priority.required_role())
                && record.view.request.requester != reviewer;
            allowed.then_some(*id)
        });
        match next {
            Some(id) => self
                .decide(id, reviewer, verdict, note)
                .map(|d| Some((id, d))),
            None => Ok(None),
        }
    }

    /// Raises a pending request's priority and moves its deadline `extend_by` later, in one step.
    pub(crate) fn escalate(
        &mut self,
        id: RequestId,
        to: Priority,
        extend_by: Duration,
    ) -> Result<Priority, HitlError> {
        let record = self
            .records
            .get_mut(&id)
            .ok_or(HitlError::UnknownRequest(id))?;
        if let Status::Decided(decision) = &record.status {
            return Err(HitlError::AlreadyDecided {
                id,
                decision: decision.clone(),
            });
        }
        let from = record.view.priority;
        if to <= from {
            return Err(HitlError::NotAnEscalation {
                id,
                current: from,
                requested: to,
            });
        }
        let workflow = record.view.request.workflow.clone();
        let old_deadline = record.view.deadline;
        let new_deadline = old_deadline.saturating_add(extend_by);
        record.view.priority = to;
        record.view.deadline = new_deadline;
        let seq = record.seq;
        self.pending
            .remove(pending_key(from, seq), workflow.as_ref());
        self.pending
            .insert(pending_key(to, seq), id, workflow.as_ref());
        self.deadlines.remove(&(old_deadline, id));
        self.deadlines.insert((new_deadline, id));
        if self.record_events {
            self.outbox.push(HitlEvent::Escalated { id, from, to });
        }
        Ok(from)
    }

    /// Pauses a workflow; returns true if and only if it was running.
    pub(crate) fn pause(&mut self, workflow: &WorkflowId) -> bool {
        let changed = self.pending.pause(workflow);
        if changed && self.record_events {
            self.outbox
                .push(HitlEvent::WorkflowPaused(workflow.clone()));
        }
        changed
    }

    /// Resumes a workflow; returns true if and only if it was paused.
    pub(crate) fn resume(&mut self, workflow: &WorkflowId) -> bool {
        let changed = self.pending.resume(workflow);
        if changed && self.record_events {
            self.outbox
                .push(HitlEvent::WorkflowResumed(workflow.clone()));
        }
        changed
    }

    /// Returns up to `k` actionable requests in serving order.
    pub(crate) fn pending_top(&self, k: usize) -> Vec<RequestView> {
        self.pending
            .actionable()
            .take(k)
            .filter_map(|(_, id)| self.records.get(id).map(|r| r.view.clone()))
            .collect()
    }

    /// Returns a request's snapshot.
    pub(crate) fn view(&self, id: RequestId) -> Result<RequestView, HitlError> {
        self.records
            .get(&id)
            .map(|r| r.view.clone())
            .ok_or(HitlError::UnknownRequest(id))
    }

    /// Returns the decision that stands, or `None` while pending.
    pub(crate) fn status(&self, id: RequestId) -> Result<Option<Decision>, HitlError> {
        let record = self.records.get(&id).ok_or(HitlError::UnknownRequest(id))?;
        Ok(match &record.status {
            Status::Pending => None,
            Status::Decided(decision) => Some(decision.clone()),
        })
    }

    /// Returns the condition variable a waiter on a pending request blocks on, and the request's deadline.
    pub(crate) fn waiter(&mut self, id: RequestId) -> Option<(Arc<Condvar>, Timestamp)> {
        let record = self.records.get_mut(&id)?;
        let deadline = record.view.deadline;
        let cv = record
            .waiters
            .get_or_insert_with(|| Arc::new(Condvar::new()));
        Some((Arc::clone(cv), deadline))
    }

    /// The only transition out of pending: writes the decision, unindexes, wakes waiters, records history.
    /// Returns false (and changes nothing) if the request is not pending.
    fn finish(&mut self, id: RequestId, decision: Decision) -> bool {
        let Some(record) = self.records.get_mut(&id) else {
            return false;
        };
        if !matches!(record.status, Status::Pending) {
            return false;
        }
        let key = pending_key(record.view.priority, record.seq);
        self.pending
            .remove(key, record.view.request.workflow.as_ref());
        self.deadlines.remove(&(record.view.deadline, id));
        if let Some(cv) = record.waiters.take() {
            cv.notify_all();
        }
        if self.record_events {
            let event = if decision.outcome == Outcome::Expired {
                HitlEvent::Expired {
                    id,
                    decision: decision.clone(),
                }
            } else {
                HitlEvent::Decided {
                    id,
                    decision: decision.clone(),
                }
            };
            self.outbox.push(event);
        }
        record.status = Status::Decided(decision);
        self.history.push_back(id);
        while self.history.len() > self.retention {
            if let Some(old) = self.history.pop_front() {
                self.records.remove(&old);
            }
        }
        true
    }

    /// Checks every invariant in the module doc; O(n log n), for tests and models.
    pub(crate) fn check_invariants(&self) -> Result<(), InvariantViolation> {
        let fail = |what: String| Err(InvariantViolation { what });
        if !self.pending.is_consistent() {
            return fail("pending index and workflow maps disagree".into());
        }
        let indexed = self.pending.all();
        if indexed.len() != self.pending.len() || self.deadlines.len() != self.pending.len() {
            return fail(format!(
                "{} indexed, {} counted pending, {} deadlines",
                indexed.len(),
                self.pending.len(),
                self.deadlines.len()
            ));
        }
        if self.pending.len() > self.capacity {
            return fail(format!(
                "{} pending over capacity {}",
                self.pending.len(),
                self.capacity
            ));
        }
        if self.history.len() > self.retention {
            return fail("history over retention".into());
        }
        let mut pending_records = 0usize;
        for (id, record) in &self.records {
            if record.view.id != *id {
                return fail(format!("record under {id} has id {}", record.view.id));
            }
            match record.status {
                Status::Pending => {
                    pending_records += 1;
                    let key = pending_key(record.view.priority, record.seq);
                    let paused = self
                        .pending
                        .is_paused(record.view.request.workflow.as_ref());
                    if !indexed.contains(&(key, *id, paused)) {
                        return fail(format!("pending {id} is not indexed at its key"));
                    }
                    if !self.deadlines.contains(&(record.view.deadline, *id)) {
                        return fail(format!("pending {id} has no deadline entry"));
                    }
                    if record.view.deadline <= self.now {
                        return fail(format!("pending {id} is past its deadline"));
                    }
                }
                Status::Decided(_) => {
                    if record.waiters.is_some() {
                        return fail(format!("decided {id} still has waiters"));
                    }
                }
            }
        }
        if pending_records != self.pending.len() {
            return fail(format!(
                "{pending_records} pending records, {} indexed",
                self.pending.len()
            ));
        }
        let decided_records = self.records.len() - pending_records;
        if decided_records != self.history.len() {
            return fail(format!(
                "{decided_records} decided records, {} in history",
                self.history.len()
            ));
        }
        for id in &self.history {
            match self.records.get(id).map(|r| &r.status) {
                Some(Status::Decided(_)) => {}
                _ => return fail(format!("history names {id}, which is not decided")),
            }
        }
        Ok(())
    }
}
