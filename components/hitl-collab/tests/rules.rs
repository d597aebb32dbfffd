//! One test per queue rule: ids, capacity, order, roles, exactly-once, expiry, escalation, pause, history.

#![cfg(not(loom))]

mod common;

use std::time::Duration;

use common::{queue, req};
use hitl_collab::{
    DecisionRequest, HitlError, Outcome, Priority, RequestId, Role, Verdict, WorkflowId,
};

#[test]
fn fresh_ids_are_distinct_and_skip_caller_supplied_ones() {
    let (q, _) = queue(10, 10);
    let taken = q
        .request(req(Priority::Low, 10).with_id(RequestId(1)))
        .unwrap();
    assert_eq!(taken, RequestId(1));
    let fresh = q.request(req(Priority::Low, 10)).unwrap();
    assert_ne!(fresh, taken);
    let another = q.request(req(Priority::Low, 10)).unwrap();
    assert_ne!(another, fresh);
    assert_ne!(another, taken);
}

#[test]
fn duplicate_caller_id_is_an_error_even_after_the_decision() {
    let (q, _) = queue(10, 10);
    let id = q
        .request(req(Priority::Low, 10).with_id(RequestId(42)))
        .unwrap();
    assert_eq!(
        q.request(req(Priority::High, 10).with_id(RequestId(42))),
        Err(HitlError::DuplicateId(id))
    );
    q.approve(id, "rev").unwrap();
    assert_eq!(
        q.request(req(Priority::Low, 10).with_id(RequestId(42))),
        Err(HitlError::DuplicateId(id))
    );
    // The original is untouched: still the low-priority, approved one.
    assert_eq!(q.get(id).unwrap().priority, Priority::Low);
    assert_eq!(q.status(id).unwrap().unwrap().outcome, Outcome::Approved);
}

#[test]
fn full_queue_answers_queue_full_and_frees_a_slot_on_decision() {
    let (q, _) = queue(2, 10);
    let a = q.request(req(Priority::Low, 10)).unwrap();
    q.request(req(Priority::Low, 10)).unwrap();
    assert_eq!(
        q.request(req(Priority::Critical, 10)),
        Err(HitlError::QueueFull { capacity: 2 })
    );
    assert_eq!(q.pending_len(), 2);
    q.reject(a, "rev", "no").unwrap();
    assert!(q.request(req(Priority::Low, 10)).is_ok());
}

#[test]
fn zero_timeout_and_zero_bounds_are_rejected() {
    let (q, _) = queue(2, 2);
    let zero = DecisionRequest::new("a", "b", Priority::Low, Duration::ZERO);
    assert_eq!(q.request(zero), Err(HitlError::ZeroTimeout));
    assert_eq!(
        hitl_collab::HitlQueue::new(0).err(),
        Some(HitlError::ZeroBound { what: "capacity" })
    );
    assert_eq!(
        hitl_collab::HitlQueue::builder().retention(0).build().err(),
        Some(HitlError::ZeroBound { what: "retention" })
    );
}

#[test]
fn pending_is_served_by_priority_then_age() {
    let (q, _) = queue(10, 10);
    let low1 = q.request(req(Priority::Low, 10)).unwrap();
    let high1 = q.request(req(Priority::High, 10)).unwrap();
    let low2 = q.request(req(Priority::Low, 10)).unwrap();
    let crit = q.request(req(Priority::Critical, 10)).unwrap();
    let high2 = q.request(req(Priority::High, 10)).unwrap();
    let order: Vec<_> = q.pending_top(10).into_iter().map(|v| v.id).collect();
    assert_eq!(order, vec![crit, high1, high2, low1, low2]);
    let top2: Vec<_> = q.pending_top(2).into_iter().map(|v| v.id).collect();
    assert_eq!(top2, vec![crit, high1]);
}

#[test]
fn only_registered_reviewers_with_enough_role_and_not_the_requester_decide() {
    let (q, _) = queue(10, 10);
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
    q.register_reviewer("agent", Role::Admin);
    assert_eq!(
        q.approve(crit, "agent"),
        Err(HitlError::SelfReview {
            id: crit,
            reviewer: "agent".into()
        })
    );
    assert_eq!(q.status(crit).unwrap(), None);
    assert!(q.approve(crit, "admin").unwrap().is_approved());
    // Unregistering takes the right away.
    let low = q.request(req(Priority::Low, 10)).unwrap();
    assert_eq!(q.unregister_reviewer("rev"), Some(Role::Reviewer));
    assert!(matches!(
        q.approve(low, "rev"),
        Err(HitlError::UnknownReviewer(_))
    ));
}

#[test]
fn a_request_is_decided_once_and_later_attempts_see_the_decision_that_stood() {
    let (q, _) = queue(10, 10);
    let id = q.request(req(Priority::Medium, 10)).unwrap();
    let first = q.reject(id, "rev", "too risky").unwrap();
    assert_eq!(first.outcome, Outcome::Rejected);
    assert_eq!(first.note, "too risky");
    for verdict in [Verdict::Approve, Verdict::Reject] {
        match q.decide(id, "admin", verdict, "") {
            Err(HitlError::AlreadyDecided { id: got, decision }) => {
                assert_eq!(got, id);
                assert_eq!(decision, first);
            }
            other => panic!("expected AlreadyDecided, got {other:?}"),
        }
    }
    assert!(q.pending_top(10).is_empty());
    assert_eq!(q.status(id).unwrap(), Some(first));
}

#[test]
fn timeout_is_a_rejection_enforced_without_anyone_reading_the_request() {
    let (q, clock) = queue(10, 10);
    let short = q.request(req(Priority::Low, 5)).unwrap();
    let long = q.request(req(Priority::Low, 50)).unwrap();
    clock.advance(Duration::from_secs(4));
    assert!(q.expire_due().is_empty());
    clock.advance(Duration::from_secs(1));
    let expired = q.expire_due();
    assert_eq!(expired.len(), 1);
    assert_eq!(expired[0].0, short);
    assert_eq!(expired[0].1.outcome, Outcome::Expired);
    assert!(!expired[0].1.is_approved());
    // A late approval cannot override the expiry.
    assert!(matches!(
        q.approve(short, "rev"),
        Err(HitlError::AlreadyDecided { decision, .. }) if decision.outcome == Outcome::Expired
    ));
    // Any call expires what is due, even one that is not about the request.
    clock.advance(Duration::from_secs(100));
    assert!(q.pending_top(10).is_empty());
    assert_eq!(q.status(long).unwrap().unwrap().outcome, Outcome::Expired);
    q.check_invariants().unwrap();
}

#[test]
fn escalation_raises_priority_and_role_and_keeps_age() {
    let (q, clock) = queue(10, 10);
    let old_low = q.request(req(Priority::Low, 10)).unwrap();
    let high = q.request(req(Priority::High, 10)).unwrap();
    assert_eq!(
        q.escalate(old_low, Priority::High, Duration::ZERO),
        Ok(Priority::Low)
    );
    // Older than `high`, so first among the High ones.
    let order: Vec<_> = q.pending_top(10).into_iter().map(|v| v.id).collect();
    assert_eq!(order, vec![old_low, high]);
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
    // Extending the deadline keeps it alive past the original timeout.
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
    q.check_invariants().unwrap();
}

#[test]
fn paused_workflow_keeps_its_place_but_is_not_actionable_and_still_expires() {
    let (q, clock) = queue(10, 10);
    let wf = WorkflowId::new("deploy");
    let first = q
        .request(req(Priority::Medium, 10).with_workflow(wf.clone()))
        .unwrap();
    let second = q.request(req(Priority::Medium, 10)).unwrap();
    let third = q
        .request(req(Priority::Medium, 30).with_workflow(wf.clone()))
        .unwrap();
    assert!(q.pause_workflow(&wf));
    assert!(!q.pause_workflow(&wf));
    let listed: Vec<_> = q.pending_top(10).into_iter().map(|v| v.id).collect();
    assert_eq!(listed, vec![second]);
    assert_eq!(q.pending_len(), 3);
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
    // Requests submitted while paused are parked too.
    let fourth = q
        .request(req(Priority::High, 30).with_workflow(wf.clone()))
        .unwrap();
    assert!(q.pending_top(10).is_empty());
    // Deadlines keep running while paused: fail-safe.
    clock.advance(Duration::from_secs(10));
    assert_eq!(q.status(first).unwrap().unwrap().outcome, Outcome::Expired);
    assert!(q.resume_workflow(&wf));
    assert!(!q.resume_workflow(&wf));
    let listed: Vec<_> = q.pending_top(10).into_iter().map(|v| v.id).collect();
    assert_eq!(listed, vec![fourth, third]);
    q.check_invariants().unwrap();
}

#[test]
fn decide_next_skips_what_the_reviewer_may_not_decide() {
    let (q, _) = queue(10, 10);
    let crit = q.request(req(Priority::Critical, 10)).unwrap();
    let own = q
        .request(DecisionRequest::new(
            "rev",
            "mine",
            Priority::Medium,
            Duration::from_secs(10),
        ))
        .unwrap();
    let low = q.request(req(Priority::Low, 10)).unwrap();
    let (id, decision) = q
        .decide_next("rev", Verdict::Approve, "ok")
        .unwrap()
        .unwrap();
    assert_eq!(id, low);
    assert_eq!(decision.reviewer.as_deref(), Some("rev"));
    assert_eq!(q.decide_next("rev", Verdict::Approve, "").unwrap(), None);
    assert_eq!(q.status(crit).unwrap(), None);
    assert_eq!(q.status(own).unwrap(), None);
    assert!(matches!(
        q.decide_next("nobody", Verdict::Approve, ""),
        Err(HitlError::UnknownReviewer(_))
    ));
}

#[test]
fn history_is_bounded_by_retention_oldest_first() {
    let (q, _) = queue(10, 2);
    let ids: Vec<_> = (0..3)
        .map(|_| q.request(req(Priority::Low, 10)).unwrap())
        .collect();
    for id in &ids {
        q.approve(*id, "rev").unwrap();
    }
    assert_eq!(q.retained_len(), 2);
    assert_eq!(q.status(ids[0]), Err(HitlError::UnknownRequest(ids[0])));
    assert!(q.status(ids[1]).unwrap().is_some());
    assert!(q.status(ids[2]).unwrap().is_some());
    q.check_invariants().unwrap();
}

#[test]
fn unknown_ids_are_typed_errors() {
    let (q, _) = queue(10, 10);
    let ghost = RequestId(999);
    assert_eq!(
        q.approve(ghost, "rev"),
        Err(HitlError::UnknownRequest(ghost))
    );
    assert_eq!(q.get(ghost), Err(HitlError::UnknownRequest(ghost)));
    assert_eq!(
        q.escalate(ghost, Priority::High, Duration::ZERO),
        Err(HitlError::UnknownRequest(ghost))
    );
    assert_eq!(
        q.wait_for_decision(ghost, Duration::ZERO),
        Err(HitlError::UnknownRequest(ghost))
    );
}

#[test]
fn request_view_keeps_context_and_deadline() {
    let (q, clock) = queue(10, 10);
    clock.advance(Duration::from_secs(3));
    let ctx = serde_json::json!({"action": "rm", "score": 0.4});
    let id = q
        .request(req(Priority::High, 7).with_context(ctx.clone()))
        .unwrap();
    let view = q.get(id).unwrap();
    assert_eq!(view.request.context, ctx);
    assert_eq!(view.submitted_at.as_nanos(), 3_000_000_000);
    assert_eq!(view.deadline.as_nanos(), 10_000_000_000);
}

#[test]
fn queue_is_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<hitl_collab::HitlQueue>();
    assert_send_sync::<hitl_collab::HitlError>();
}
