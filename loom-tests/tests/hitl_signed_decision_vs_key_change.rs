//! Loom: a signed decision races the replacement of its reviewer's key. The queue checks the signature
//! outside its lock (it costs tens of microseconds), so it must re-check under the lock that the key it
//! verified with is still registered. Property: if the key was replaced and the request was still
//! pending afterwards, a decision signed with the old key never stands. The broken variant skips the
//! re-check, and loom finds the decision that lands after the replacement.

#![cfg(loom)]

use hitl_collab::{HitlError, HitlQueue, ManualClock, Priority, ReviewerKey, Role, Verdict};
use loom::sync::Arc;
use loom::thread;
use loom_tests::broken_hitl::BrokenKeyedQueue;
use loom_tests::hitl_support::{pending, small_queue};

/// Preemption bound of this file's models (loom-tests/README.md, "HITL models", says why).
const PREEMPTIONS: usize = 3;

#[test]
fn hitl_a_replaced_key_never_decides_after_the_replacement() {
    loom_tests::bound::check(PREEMPTIONS, || {
        let queue = small_queue(
            HitlQueue::builder()
                .clock(ManualClock::new())
                .require_signatures(true),
            &[],
        );
        let old = ReviewerKey::from_secret_bytes(&[1; 32]);
        let new = ReviewerKey::from_secret_bytes(&[2; 32]);
        queue.register_reviewer_key("alice", Role::Admin, old.public());
        let id = pending(&queue, Priority::High);
        let view = queue.get(id).expect("known");
        let signed = old.sign(
            "alice",
            hitl_collab::DecisionStatement::for_view(&view, Verdict::Approve, "", 0),
        );
        let admin = {
            let queue = Arc::clone(&queue);
            let new_key = new.public();
            thread::spawn(move || {
                queue.register_reviewer_key("alice", Role::Admin, new_key);
                queue.status(id).expect("retained").is_none()
            })
        };
        let decided = queue.decide_signed(&signed);
        let pending_after_replacement = admin.join().expect("no panic");
        match decided {
            Ok(decision) => {
                assert!(
                    !pending_after_replacement,
                    "a decision signed with a replaced key stood after the replacement"
                );
                assert_eq!(queue.status(id).expect("retained"), Some(decision));
            }
            Err(HitlError::KeyNotRegistered { .. } | HitlError::BadSignature { .. }) => {
                assert_eq!(queue.status(id).expect("retained"), None);
            }
            Err(e) => panic!("unexpected {e}"),
        }
        queue.check_invariants().expect("invariants");
    });
}

#[test]
#[should_panic(expected = "a decision signed with a replaced key stood after the replacement")]
fn hitl_broken_decision_without_key_recheck_is_caught() {
    loom_tests::bound::check(PREEMPTIONS, || {
        let queue = Arc::new(BrokenKeyedQueue::new(1));
        let admin = {
            let queue = Arc::clone(&queue);
            thread::spawn(move || queue.replace_key_then_pending(2))
        };
        let decided = queue.decide_signed(1);
        let pending_after_replacement = admin.join().expect("no panic");
        assert!(
            !(decided && pending_after_replacement),
            "a decision signed with a replaced key stood after the replacement"
        );
    });
}
