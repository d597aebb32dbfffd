//! The queue's rules written once against [`ReviewQueue`], run on every backend: `tests/backends.rs`
//! (in memory) and `tests/postgres_queue.rs` (PostgreSQL).
//!
//! Each case gets a factory that opens a fresh, empty queue on a [`ManualClock`] with reviewers `rev`
//! (Reviewer), `senior` (Senior) and `admin` (Admin) registered without keys.

#![allow(dead_code)]

use std::time::Duration;

use hitl_collab::{
    DecisionRequest, DecisionStatement, HitlError, ManualClock, Outcome, Priority, RequestId,
    ReviewQueue, ReviewerKey, Role, Verdict, WorkflowId,
};

/// Opens a fresh queue: capacity, whether it requires signatures; returns it with its clock.
pub type Factory<'a> = &'a dyn Fn(usize, bool) -> (Box<dyn ReviewQueue>, ManualClock);

/// A request by `agent` with the given priority and a timeout in seconds.
pub fn req(priority: Priority, secs: u64) -> DecisionRequest {
    DecisionRequest::new("agent", "do something", priority, Duration::from_secs(secs))
}

fn ids(q: &dyn ReviewQueue, k: usize) -> Vec<RequestId> {
    q.pending_top(k)
        .unwrap()
        .into_iter()
        .map(|v| v.id)
        .collect()
}

/// One rule's test.
pub type Case = fn(Factory<'_>);

/// Every case, with its name (for the failure message).
pub const CASES: &[(&str, Case)] = &[
    ("served_by_priority_then_age", served_by_priority_then_age),
    ("roles_and_self_review", roles_and_self_review),
    ("decided_once", decided_once),
    ("expiry_is_a_rejection", expiry_is_a_rejection),
    ("escalation_keeps_age", escalation_keeps_age),
    ("paused_workflow", paused_workflow),
    ("capacity_and_ids", capacity_and_ids),
    ("signed_decisions", signed_decisions),
    (
        "forged_moved_and_replaced_signatures",
        forged_moved_and_replaced_signatures,
    ),
];

pub fn served_by_priority_then_age(open: Factory<'_>) {
    let (q, _) = open(10, false);
    let low1 = q.request(req(Priority::Low, 10)).unwrap();
    let high1 = q.request(req(Priority::High, 10)).unwrap();
    let low2 = q.request(req(Priority::Low, 10)).unwrap();
    let crit = q.request(req(Priority::Critical, 10)).unwrap();
    let high2 = q.request(req(Priority::High, 10)).unwrap();
    assert_eq!(ids(&*q, 10), vec![crit, high1, high2, low1, low2]);
    assert_eq!(ids(&*q, 2), vec![crit, high1]);
    assert_eq!(q.pending_len().unwrap(), 5);
}

pub fn roles_and_self_review(open: Factory<'_>) {
    let (q, _) = open(10, false);
    let crit = q.request(req(Priority::Critical, 10)).unwrap();
    assert_eq!(
        q.approve(crit, "mallory"),
        Err(HitlError::UnknownReviewer("mallory".into()))
    );
    assert_eq!(
        q.approve(crit, "senior"),
        Err(HitlError::InsufficientRole {
            id: crit,
            needed: Role::Admin,
            has: Role::Senior
        })
    );
    q.register_reviewer("agent", Role::Admin).unwrap();
    assert_eq!(
        q.approve(crit, "agent"),
        Err(HitlError::SelfReview {
            id: crit,
            reviewer: "agent".into()
        })
    );
    assert_eq!(q.status(crit).unwrap(), None);
    assert!(q.approve(crit, "admin").unwrap().is_approved());
    let low = q.request(req(Priority::Low, 10)).unwrap();
    assert_eq!(q.unregister_reviewer("rev").unwrap(), Some(Role::Reviewer));
    assert!(matches!(
        q.approve(low, "rev"),
        Err(HitlError::UnknownReviewer(_))
    ));
    assert_eq!(q.reviewer("senior").unwrap(), Some((Role::Senior, None)));
}

pub fn decided_once(open: Factory<'_>) {
    let (q, _) = open(10, false);
    let id = q.request(req(Priority::Medium, 10)).unwrap();
    let first = q.reject(id, "rev", "too risky").unwrap();
    assert_eq!(first.outcome, Outcome::Rejected);
    for verdict in [Verdict::Approve, Verdict::Reject] {
        match q.decide(id, "admin", verdict, "") {
            Err(HitlError::AlreadyDecided { id: got, decision }) => {
                assert_eq!(got, id);
                assert_eq!(decision, first);
            }
            other => panic!("expected AlreadyDecided, got {other:?}"),
        }
    }
    assert!(ids(&*q, 10).is_empty());
    assert_eq!(q.status(id).unwrap(), Some(first.clone()));
    assert_eq!(q.wait_for_decision(id, Duration::ZERO).unwrap(), first);
    assert_eq!(q.retained_len().unwrap(), 1);
    let ghost = RequestId(999_999);
    assert_eq!(
        q.approve(ghost, "rev"),
        Err(HitlError::UnknownRequest(ghost))
    );
    assert_eq!(q.get(ghost), Err(HitlError::UnknownRequest(ghost)));
    q.check_invariants().unwrap();
}

pub fn expiry_is_a_rejection(open: Factory<'_>) {
    let (q, clock) = open(10, false);
    let short = q.request(req(Priority::Low, 5)).unwrap();
    let long = q.request(req(Priority::Low, 50)).unwrap();
    clock.advance(Duration::from_secs(4));
    assert!(q.expire_due().unwrap().is_empty());
    clock.advance(Duration::from_secs(1));
    let expired = q.expire_due().unwrap();
    assert_eq!(expired.len(), 1);
    assert_eq!(expired[0].0, short);
    assert_eq!(expired[0].1.outcome, Outcome::Expired);
    assert!(matches!(
        q.approve(short, "rev"),
        Err(HitlError::AlreadyDecided { decision, .. }) if decision.outcome == Outcome::Expired
    ));
    // A decision attempt past the deadline records the expiry itself and fails.
    clock.advance(Duration::from_secs(100));
    assert!(matches!(
        q.approve(long, "rev"),
        Err(HitlError::AlreadyDecided { decision, .. }) if decision.outcome == Outcome::Expired
    ));
    assert_eq!(q.status(long).unwrap().unwrap().outcome, Outcome::Expired);
    assert!(ids(&*q, 10).is_empty());
    q.check_invariants().unwrap();
}

pub fn escalation_keeps_age(open: Factory<'_>) {
    let (q, clock) = open(10, false);
    let old_low = q.request(req(Priority::Low, 10)).unwrap();
    let high = q.request(req(Priority::High, 10)).unwrap();
    assert_eq!(
        q.escalate(old_low, Priority::High, Duration::ZERO),
        Ok(Priority::Low)
    );
    assert_eq!(ids(&*q, 10), vec![old_low, high]);
    assert!(matches!(
        q.approve(old_low, "rev"),
        Err(HitlError::InsufficientRole { .. })
    ));
    assert_eq!(
        q.escalate(old_low, Priority::Medium, Duration::ZERO),
        Err(HitlError::NotAnEscalation {
            id: old_low,
            current: Priority::High,
            requested: Priority::Medium
        })
    );
    q.escalate(old_low, Priority::Critical, Duration::from_secs(20))
        .unwrap();
    clock.advance(Duration::from_secs(15));
    assert_eq!(q.status(old_low).unwrap(), None);
    assert_eq!(q.status(high).unwrap().unwrap().outcome, Outcome::Expired);
    q.approve(old_low, "admin").unwrap();
    assert!(matches!(
        q.escalate(old_low, Priority::Critical, Duration::ZERO),
        Err(HitlError::AlreadyDecided { .. })
    ));
}

pub fn paused_workflow(open: Factory<'_>) {
    let (q, clock) = open(10, false);
    let wf = WorkflowId::new("deploy");
    let first = q
        .request(req(Priority::Medium, 10).with_workflow(wf.clone()))
        .unwrap();
    let second = q.request(req(Priority::Medium, 10)).unwrap();
    let third = q
        .request(req(Priority::Medium, 30).with_workflow(wf.clone()))
        .unwrap();
    assert!(q.pause_workflow(&wf).unwrap());
    assert!(!q.pause_workflow(&wf).unwrap());
    assert_eq!(ids(&*q, 10), vec![second]);
    assert_eq!(q.pending_len().unwrap(), 3);
    assert_eq!(
        q.approve(first, "rev"),
        Err(HitlError::WorkflowPaused(wf.clone()))
    );
    assert_eq!(
        q.decide_next("rev", Verdict::Approve, "")
            .unwrap()
            .unwrap()
            .0,
        second
    );
    let fourth = q
        .request(req(Priority::High, 30).with_workflow(wf.clone()))
        .unwrap();
    assert!(ids(&*q, 10).is_empty());
    clock.advance(Duration::from_secs(10));
    assert_eq!(q.status(first).unwrap().unwrap().outcome, Outcome::Expired);
    assert!(q.resume_workflow(&wf).unwrap());
    assert!(!q.resume_workflow(&wf).unwrap());
    assert_eq!(ids(&*q, 10), vec![fourth, third]);
    // decide_next skips what the reviewer may not decide (High needs Senior).
    assert_eq!(
        q.decide_next("rev", Verdict::Approve, "")
            .unwrap()
            .map(|d| d.0),
        Some(third)
    );
    assert_eq!(q.decide_next("rev", Verdict::Approve, "").unwrap(), None);
}

pub fn capacity_and_ids(open: Factory<'_>) {
    let (q, _) = open(2, false);
    let a = q
        .request(req(Priority::Low, 10).with_id(RequestId(42)))
        .unwrap();
    assert_eq!(a, RequestId(42));
    let b = q.request(req(Priority::Low, 10)).unwrap();
    assert_ne!(a, b);
    assert_eq!(
        q.request(req(Priority::Critical, 10)),
        Err(HitlError::QueueFull { capacity: 2 })
    );
    q.reject(a, "rev", "no").unwrap();
    assert_eq!(
        q.request(req(Priority::Low, 10).with_id(RequestId(42))),
        Err(HitlError::DuplicateId(a))
    );
    assert!(q.request(req(Priority::Low, 10)).is_ok());
    let zero = DecisionRequest::new("a", "b", Priority::Low, Duration::ZERO);
    assert_eq!(q.request(zero), Err(HitlError::ZeroTimeout));
}

pub fn signed_decisions(open: Factory<'_>) {
    let (q, _) = open(10, true);
    assert!(q.requires_signatures());
    let alice = ReviewerKey::generate();
    q.register_reviewer_key("alice", Role::Senior, alice.public())
        .unwrap();
    let id = q
        .request(DecisionRequest::new(
            "agent",
            "rm -rf /tmp/cache",
            Priority::High,
            Duration::from_secs(60),
        ))
        .unwrap();
    assert_eq!(q.approve(id, "alice"), Err(HitlError::UnsignedDecision));
    let view = q.get(id).unwrap();
    let decision = q
        .decide_signed(&alice.decide("alice", &view, Verdict::Approve, "fine"))
        .unwrap();
    let proof = decision.signature.clone().expect("signed");
    assert_eq!(proof.public_key, alice.public().to_hex());
    assert!(proof.statement.contains(&view.digest.to_hex()));
    assert_eq!(proof.verify("alice"), Ok(()));
    // Stored with the decision: reviewer and signature are attributable later.
    let stood = q.status(id).unwrap().unwrap();
    assert_eq!(stood.reviewer.as_deref(), Some("alice"));
    assert_eq!(stood.signature, Some(proof));
    // A signed decision on one's own request is refused.
    q.register_reviewer_key("agent", Role::Admin, alice.public())
        .unwrap();
    let own = q.get(q.request(req(Priority::Low, 10)).unwrap()).unwrap();
    assert!(matches!(
        q.decide_signed(&alice.decide("agent", &own, Verdict::Approve, "")),
        Err(HitlError::SelfReview { .. })
    ));
}

pub fn forged_moved_and_replaced_signatures(open: Factory<'_>) {
    let (q, _) = open(10, true);
    let alice = ReviewerKey::generate();
    let mallory = ReviewerKey::generate();
    q.register_reviewer_key("alice", Role::Admin, alice.public())
        .unwrap();
    let first = q.get(q.request(req(Priority::High, 60)).unwrap()).unwrap();
    let second = q.get(q.request(req(Priority::High, 60)).unwrap()).unwrap();
    assert_eq!(
        q.decide_signed(&mallory.decide("alice", &first, Verdict::Approve, "")),
        Err(HitlError::BadSignature {
            reviewer: "alice".into()
        })
    );
    let statement = DecisionStatement {
        request: second.id,
        ..DecisionStatement::for_view(&first, Verdict::Approve, "", 0)
    };
    assert_eq!(
        q.decide_signed(&alice.sign("alice", statement)),
        Err(HitlError::DigestMismatch(second.id))
    );
    assert_eq!(
        q.decide_signed(&alice.decide("carol", &first, Verdict::Approve, "")),
        Err(HitlError::UnknownReviewer("carol".into()))
    );
    q.register_reviewer("bob", Role::Admin).unwrap();
    assert_eq!(
        q.decide_signed(&alice.decide("bob", &first, Verdict::Approve, "")),
        Err(HitlError::KeyNotRegistered {
            reviewer: "bob".into()
        })
    );
    let before = alice.decide("alice", &first, Verdict::Approve, "");
    let new = ReviewerKey::generate();
    q.register_reviewer_key("alice", Role::Admin, new.public())
        .unwrap();
    assert!(matches!(
        q.decide_signed(&before),
        Err(HitlError::BadSignature { .. })
    ));
    assert_eq!(q.status(first.id).unwrap(), None);
    assert!(
        q.decide_signed(&new.decide("alice", &first, Verdict::Approve, ""))
            .is_ok()
    );
}
