//! Loom: two reviewers decide the same request at once; exactly one decision stands and the other reviewer
//! gets AlreadyDecided carrying it. The broken variant (check and write under two lock acquisitions) lets
//! both succeed, and loom finds that interleaving.

#![cfg(loom)]

use hitl_collab::{HitlError, HitlQueue, ManualClock, Outcome, Priority, RequestId, Role};
use loom::sync::Arc;
use loom::thread;
use loom_tests::broken_hitl::BrokenQueue;
use loom_tests::hitl_support::{pending, small_queue};

/// Preemption bound of this file's models (loom-tests/README.md, "HITL models", says why).
const PREEMPTIONS: usize = 3;

#[test]
fn hitl_two_reviewers_exactly_one_decision_stands() {
    loom_tests::bound::check(PREEMPTIONS, || {
        let queue = small_queue(
            HitlQueue::builder().clock(ManualClock::new()),
            &[("alice", Role::Admin), ("bob", Role::Admin)],
        );
        let id = pending(&queue, Priority::High);

        let other = {
            let queue = Arc::clone(&queue);
            thread::spawn(move || queue.reject(id, "bob", "no"))
        };
        let mine = queue.approve(id, "alice");
        let theirs = other.join().expect("no panic");

        let stood = queue.status(id).expect("retained").expect("decided");
        match (mine, theirs) {
            (Ok(d), Err(HitlError::AlreadyDecided { decision, .. }))
            | (Err(HitlError::AlreadyDecided { decision, .. }), Ok(d)) => {
                assert_eq!(d, decision, "the loser is told the decision that stood");
                assert_eq!(d, stood);
            }
            other => panic!("expected exactly one decision to stand, got {other:?}"),
        }
        queue.check_invariants().expect("invariants");
    });
}

#[test]
#[should_panic(expected = "exactly one decision must stand")]
fn hitl_broken_split_decide_is_caught() {
    loom_tests::bound::check(PREEMPTIONS, || {
        let queue = Arc::new(BrokenQueue::new(2));
        let id: RequestId = queue.request(Priority::High).expect("room");
        let other = {
            let queue = Arc::clone(&queue);
            thread::spawn(move || queue.decide(id, Outcome::Rejected))
        };
        let mine = queue.decide(id, Outcome::Approved);
        let theirs = other.join().expect("no panic");
        assert!(
            mine.is_ok() != theirs.is_ok(),
            "exactly one decision must stand: {mine:?} {theirs:?}"
        );
    });
}
