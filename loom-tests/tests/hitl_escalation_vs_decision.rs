//! Loom: an escalation races a decision. Whatever the order, no request is stuck: it is either decided and
//! in no index, or pending once in the index at its new priority and decidable by a reviewer with the new
//! role. The broken variant moves the request out of the index and back in under two lock acquisitions,
//! and loom finds the decision that lands in between and leaves a decided request stuck in the index.

#![cfg(loom)]

use std::time::Duration;

use hitl_collab::{HitlError, HitlQueue, ManualClock, Outcome, Priority, Role};
use loom::sync::Arc;
use loom::thread;
use loom_tests::broken_hitl::BrokenQueue;
use loom_tests::hitl_support::{pending, small_queue};

/// Preemption bound of this file's models (loom-tests/README.md, "HITL models", says why).
const PREEMPTIONS: usize = 3;

#[test]
fn hitl_escalation_races_decision_without_a_stuck_request() {
    loom_tests::bound::check(PREEMPTIONS, || {
        let queue = small_queue(
            HitlQueue::builder().clock(ManualClock::new()),
            &[("rev", Role::Reviewer), ("admin", Role::Admin)],
        );
        let id = pending(&queue, Priority::Low);
        let escalator = {
            let queue = Arc::clone(&queue);
            thread::spawn(move || queue.escalate(id, Priority::Critical, Duration::ZERO))
        };
        let decision = queue.approve(id, "rev");
        let escalation = escalator.join().expect("no panic");
        queue.check_invariants().expect("no stuck state");
        match (decision, escalation) {
            (Ok(d), Err(HitlError::AlreadyDecided { decision, .. })) => {
                assert_eq!(d, decision);
                assert!(queue.pending_top(10).is_empty());
            }
            (
                Err(HitlError::InsufficientRole {
                    needed: Role::Admin,
                    ..
                }),
                Ok(Priority::Low),
            ) => {
                let listed = queue.pending_top(10);
                assert_eq!(listed.len(), 1);
                assert_eq!((listed[0].id, listed[0].priority), (id, Priority::Critical));
                assert_eq!(
                    queue
                        .approve(id, "admin")
                        .expect("admin may decide")
                        .outcome,
                    Outcome::Approved
                );
                queue.check_invariants().expect("invariants");
            }
            other => panic!("unexpected pair {other:?}"),
        }
    });
}

#[test]
#[should_panic(expected = "a decided request is stuck in the pending index")]
fn hitl_broken_split_escalation_is_caught() {
    loom_tests::bound::check(PREEMPTIONS, || {
        let queue = Arc::new(BrokenQueue::new(2));
        let id = queue.request(Priority::Low).expect("room");
        let escalator = {
            let queue = Arc::clone(&queue);
            thread::spawn(move || queue.escalate(id, Priority::Critical))
        };
        let _ = queue.decide(id, Outcome::Approved);
        escalator.join().expect("no panic");
        assert!(
            !queue.has_stuck_request(),
            "a decided request is stuck in the pending index"
        );
    });
}
