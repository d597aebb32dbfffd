//! Loom: a reviewer's decision races the request's timeout while a waiter blocks on the request. Exactly one
//! outcome stands, and the waiter sees that one. The broken variant writes the outcome in a second lock
//! acquisition, so the expiry can overwrite an approval the waiter already saw.

#![cfg(loom)]

use std::time::Duration;

use hitl_collab::{HitlError, HitlQueue, ManualClock, Outcome, Priority, Role};
use loom::sync::Arc;
use loom::thread;
use loom_tests::broken_hitl::BrokenQueue;
use loom_tests::hitl_support::{request, small_queue};

/// Preemption bound of this file's models (loom-tests/README.md, "HITL models", says why).
const PREEMPTIONS: usize = 3;

#[test]
fn hitl_decision_races_timeout_one_outcome_and_the_waiter_sees_it() {
    loom_tests::bound::check(PREEMPTIONS, || {
        let clock = ManualClock::new();
        let queue = small_queue(
            HitlQueue::builder().clock(clock.clone()),
            &[("alice", Role::Reviewer)],
        );
        let id = queue
            .request(request("op", Priority::Low, Duration::from_secs(10)))
            .expect("room");

        let reviewer = {
            let queue = Arc::clone(&queue);
            thread::spawn(move || queue.approve(id, "alice"))
        };
        let timer = {
            let queue = Arc::clone(&queue);
            thread::spawn(move || {
                clock.advance(Duration::from_secs(10));
                queue.expire_due()
            })
        };
        let seen = queue
            .wait_for_decision(id, Duration::from_secs(3600))
            .expect("decided");
        let approval = reviewer.join().expect("no panic");
        let expired = timer.join().expect("no panic");

        let stood = queue.status(id).expect("retained").expect("decided");
        assert_eq!(seen, stood, "the waiter sees the decision that stands");
        match approval {
            Ok(d) => {
                assert_eq!(d, stood);
                assert!(expired.is_empty(), "an approved request cannot also expire");
            }
            Err(HitlError::AlreadyDecided { decision, .. }) => {
                assert_eq!(decision.outcome, Outcome::Expired);
                assert_eq!(decision, stood);
            }
            Err(e) => panic!("unexpected {e}"),
        }
        queue.check_invariants().expect("invariants");
    });
}

#[test]
#[should_panic(expected = "one outcome")]
fn hitl_broken_expiry_overwriting_a_decision_is_caught() {
    loom_tests::bound::check(PREEMPTIONS, || {
        let queue = Arc::new(BrokenQueue::new(2));
        let id = queue.request(Priority::Low).expect("room");
        let timer = {
            let queue = Arc::clone(&queue);
            thread::spawn(move || queue.decide(id, Outcome::Expired))
        };
        let approval = queue.decide(id, Outcome::Approved);
        let expiry = timer.join().expect("no panic");
        let stood = queue.outcome(id);
        assert!(
            approval.is_ok() != expiry.is_ok(),
            "one outcome: {approval:?} {expiry:?}"
        );
        if let Ok(o) = approval {
            assert_eq!(
                Some(o),
                stood,
                "one outcome: the approval the reviewer saw must stand"
            );
        }
    });
}
