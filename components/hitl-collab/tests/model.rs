//! Property test: any sequence of operations agrees with a plain reference model, and keeps every invariant
//! (each request in exactly one state; pending order = sort by (priority desc, age)).

#![cfg(not(loom))]

mod common;

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::time::Duration;

use hitl_collab::{
    DecisionRequest, HitlError, HitlQueue, ManualClock, Outcome, Priority, RequestId, Role,
    Verdict, WorkflowId,
};
use proptest::prelude::*;

const CAPACITY: usize = 6;
const RETENTION: usize = 5;
const REVIEWERS: [(&str, Role); 3] = [
    ("rev", Role::Reviewer),
    ("senior", Role::Senior),
    ("admin", Role::Admin),
];
const REQUESTERS: [&str; 2] = ["agent", "senior"];
const WORKFLOWS: [&str; 2] = ["w0", "w1"];

#[derive(Debug, Clone)]
enum Op {
    Request {
        priority: Priority,
        timeout: u64,
        requester: usize,
        workflow: Option<usize>,
        id: Option<u64>,
    },
    Decide {
        pick: usize,
        reviewer: usize,
        approve: bool,
    },
    DecideNext {
        reviewer: usize,
    },
    Escalate {
        pick: usize,
        to: Priority,
        extend: u64,
    },
    Pause(usize),
    Resume(usize),
    Advance(u64),
}

fn priority() -> impl Strategy<Value = Priority> {
    prop::sample::select(Priority::ALL.to_vec())
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (priority(), 1..20u64, 0..2usize, prop::option::of(0..2usize), prop::option::weighted(0.3, 1..6u64))
            .prop_map(|(priority, timeout, requester, workflow, id)| Op::Request { priority, timeout, requester, workflow, id }),
        3 => (any::<usize>(), 0..3usize, any::<bool>()).prop_map(|(pick, reviewer, approve)| Op::Decide { pick, reviewer, approve }),
        1 => (0..3usize).prop_map(|reviewer| Op::DecideNext { reviewer }),
        1 => (any::<usize>(), priority(), 0..5u64).prop_map(|(pick, to, extend)| Op::Escalate { pick, to, extend }),
        1 => (0..2usize).prop_map(Op::Pause),
        1 => (0..2usize).prop_map(Op::Resume),
        2 => (0..8u64).prop_map(Op::Advance),
    ]
}

#[derive(Debug, Clone)]
struct Req {
    priority: Priority,
    order: u64,
    deadline: u64,
    requester: &'static str,
    workflow: Option<usize>,
    outcome: Option<Outcome>,
}

#[derive(Default)]
struct Model {
    now: u64,
    next_order: u64,
    reqs: HashMap<RequestId, Req>,
    history: VecDeque<RequestId>,
    paused: BTreeSet<usize>,
    seen: Vec<RequestId>,
}

impl Model {
    fn pending_count(&self) -> usize {
        self.reqs.values().filter(|r| r.outcome.is_none()).count()
    }

    fn finish(&mut self, id: RequestId, outcome: Outcome) {
        if let Some(r) = self.reqs.get_mut(&id) {
            r.outcome = Some(outcome);
        }
        self.history.push_back(id);
        while self.history.len() > RETENTION {
            if let Some(old) = self.history.pop_front() {
                self.reqs.remove(&old);
            }
        }
    }

    fn tick(&mut self) {
        let mut due: Vec<(u64, RequestId)> = self
            .reqs
            .iter()
            .filter(|(_, r)| r.outcome.is_none() && r.deadline <= self.now)
            .map(|(id, r)| (r.deadline, *id))
            .collect();
        due.sort();
        for (_, id) in due {
            self.finish(id, Outcome::Expired);
        }
    }

    fn actionable(&self) -> Vec<RequestId> {
        let mut v: Vec<(std::cmp::Reverse<Priority>, u64, RequestId)> = self
            .reqs
            .iter()
            .filter(|(_, r)| {
                r.outcome.is_none() && !r.workflow.is_some_and(|w| self.paused.contains(&w))
            })
            .map(|(id, r)| (std::cmp::Reverse(r.priority), r.order, *id))
            .collect();
        v.sort();
        v.into_iter().map(|(_, _, id)| id).collect()
    }

    /// What deciding `id` by `reviewer` must answer: Ok(()) or the error's discriminant-level expectation.
    fn decide_check(&self, id: RequestId, reviewer: usize) -> Result<(), &'static str> {
        let Some(r) = self.reqs.get(&id) else {
            return Err("unknown");
        };
        if r.outcome.is_some() {
            return Err("decided");
        }
        let (name, role) = REVIEWERS[reviewer];
        if r.requester == name {
            return Err("self");
        }
        if !role.covers(r.priority.required_role()) {
            return Err("role");
        }
        if r.workflow.is_some_and(|w| self.paused.contains(&w)) {
            return Err("paused");
        }
        Ok(())
    }
}

fn kind(e: &HitlError) -> &'static str {
    match e {
        HitlError::UnknownRequest(_) => "unknown",
        HitlError::AlreadyDecided { .. } => "decided",
        HitlError::SelfReview { .. } => "self",
        HitlError::InsufficientRole { .. } => "role",
        HitlError::WorkflowPaused(_) => "paused",
        HitlError::QueueFull { .. } => "full",
        HitlError::DuplicateId(_) => "duplicate",
        HitlError::NotAnEscalation { .. } => "not-higher",
        _ => "other",
    }
}

fn run(ops: Vec<Op>) -> Result<(), TestCaseError> {
    let clock = ManualClock::new();
    let q = HitlQueue::builder()
        .capacity(CAPACITY)
        .retention(RETENTION)
        .clock(clock.clone())
        .build()
        .expect("valid bounds");
    for (name, role) in REVIEWERS {
        q.register_reviewer(name, role);
    }
    let mut m = Model::default();
    for op in ops {
        match op {
            Op::Request {
                priority,
                timeout,
                requester,
                workflow,
                id,
            } => {
                let mut r = DecisionRequest::new(
                    REQUESTERS[requester],
                    "x",
                    priority,
                    Duration::from_secs(timeout),
                );
                if let Some(w) = workflow {
                    r = r.with_workflow(WorkflowId::new(WORKFLOWS[w]));
                }
                if let Some(id) = id {
                    r = r.with_id(RequestId(id));
                }
                m.tick();
                let got = q.request(r);
                let expected = if m.pending_count() >= CAPACITY {
                    Err("full")
                } else if id.is_some_and(|id| m.reqs.contains_key(&RequestId(id))) {
                    Err("duplicate")
                } else {
                    Ok(())
                };
                match got {
                    Ok(new_id) => {
                        prop_assert_eq!(expected, Ok(()));
                        prop_assert!(
                            !m.reqs.contains_key(&new_id),
                            "fresh id {} reused while known",
                            new_id
                        );
                        m.reqs.insert(
                            new_id,
                            Req {
                                priority,
                                order: m.next_order,
                                deadline: m.now + timeout,
                                requester: REQUESTERS[requester],
                                workflow,
                                outcome: None,
                            },
                        );
                        m.next_order += 1;
                        m.seen.push(new_id);
                    }
                    Err(e) => prop_assert_eq!(expected, Err(kind(&e))),
                }
            }
            Op::Decide {
                pick,
                reviewer,
                approve,
            } => {
                if m.seen.is_empty() {
                    continue;
                }
                let id = m.seen[pick % m.seen.len()];
                m.tick();
                let verdict = if approve {
                    Verdict::Approve
                } else {
                    Verdict::Reject
                };
                let expected = m.decide_check(id, reviewer);
                let got = q.decide(id, REVIEWERS[reviewer].0, verdict, "");
                match got {
                    Ok(d) => {
                        prop_assert_eq!(expected, Ok(()));
                        prop_assert_eq!(d.outcome, Outcome::from(verdict));
                        m.finish(id, d.outcome);
                    }
                    Err(HitlError::AlreadyDecided { decision, .. }) => {
                        prop_assert_eq!(expected, Err("decided"));
                        prop_assert_eq!(Some(decision.outcome), m.reqs[&id].outcome);
                    }
                    Err(e) => prop_assert_eq!(expected, Err(kind(&e))),
                }
            }
            Op::DecideNext { reviewer } => {
                m.tick();
                let expected = m
                    .actionable()
                    .into_iter()
                    .find(|id| m.decide_check(*id, reviewer).is_ok());
                let got = q
                    .decide_next(REVIEWERS[reviewer].0, Verdict::Reject, "")
                    .expect("registered");
                prop_assert_eq!(got.as_ref().map(|(id, _)| *id), expected);
                if let Some(id) = expected {
                    m.finish(id, Outcome::Rejected);
                }
            }
            Op::Escalate { pick, to, extend } => {
                if m.seen.is_empty() {
                    continue;
                }
                let id = m.seen[pick % m.seen.len()];
                m.tick();
                let got = q.escalate(id, to, Duration::from_secs(extend));
                let expected = match m.reqs.get(&id) {
                    None => Err("unknown"),
                    Some(r) if r.outcome.is_some() => Err("decided"),
                    Some(r) if to <= r.priority => Err("not-higher"),
                    Some(_) => Ok(()),
                };
                match got {
                    Ok(_) => {
                        prop_assert_eq!(expected, Ok(()));
                        let r = m.reqs.get_mut(&id).expect("known");
                        r.priority = to;
                        r.deadline += extend;
                    }
                    Err(e) => prop_assert_eq!(expected, Err(kind(&e))),
                }
            }
            Op::Pause(w) => {
                m.tick();
                let changed = q.pause_workflow(&WorkflowId::new(WORKFLOWS[w]));
                prop_assert_eq!(changed, m.paused.insert(w));
            }
            Op::Resume(w) => {
                m.tick();
                let changed = q.resume_workflow(&WorkflowId::new(WORKFLOWS[w]));
                prop_assert_eq!(changed, m.paused.remove(&w));
            }
            Op::Advance(secs) => {
                clock.advance(Duration::from_secs(secs));
                m.now += secs;
                m.tick();
                let expired: BTreeSet<RequestId> =
                    q.expire_due().into_iter().map(|(id, _)| id).collect();
                let _ = expired;
            }
        }
        // After every step: invariants, serving order, and every known request's state.
        m.tick();
        q.check_invariants()
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        let listed: Vec<RequestId> = q
            .pending_top(usize::MAX)
            .into_iter()
            .map(|v| v.id)
            .collect();
        prop_assert_eq!(listed, m.actionable());
        prop_assert_eq!(q.pending_len(), m.pending_count());
        for id in &m.seen {
            match (q.status(*id), m.reqs.get(id)) {
                (Ok(got), Some(r)) => prop_assert_eq!(got.map(|d| d.outcome), r.outcome),
                (Err(HitlError::UnknownRequest(_)), None) => {}
                (got, want) => prop_assert!(false, "{id}: queue says {got:?}, model {want:?}"),
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn any_operation_sequence_matches_the_model_and_keeps_invariants(ops in prop::collection::vec(op(), 1..60)) {
        run(ops)?;
    }
}
