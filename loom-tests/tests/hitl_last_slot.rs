//! Loom: two requests race for the last place in a bounded queue; one gets it, the other gets QueueFull,
//! and the queue never holds more than its capacity. The broken variant checks the room and inserts under
//! two lock acquisitions, and loom finds both requests getting in.

#![cfg(loom)]

use std::time::Duration;

use hitl_collab::{HitlError, HitlQueue, ManualClock, Priority};
use loom::sync::Arc;
use loom::thread;
use loom_tests::broken_hitl::BrokenQueue;
use loom_tests::hitl_support::{pending, request, small_queue};

/// Preemption bound of this file's models (loom-tests/README.md, "HITL models", says why).
const PREEMPTIONS: usize = 3;

#[test]
fn hitl_two_requests_race_for_the_last_slot_one_gets_queue_full() {
    loom_tests::bound::check(PREEMPTIONS, || {
        let queue = small_queue(HitlQueue::builder().clock(ManualClock::new()), &[]);
        pending(&queue, Priority::Low);
        let minute = Duration::from_secs(60);
        let other = {
            let queue = Arc::clone(&queue);
            thread::spawn(move || queue.request(request("op", Priority::High, minute)))
        };
        let mine = queue.request(request("op", Priority::Critical, minute));
        let theirs = other.join().expect("no panic");
        match (&mine, &theirs) {
            (Ok(_), Err(HitlError::QueueFull { capacity: 2 }))
            | (Err(HitlError::QueueFull { capacity: 2 }), Ok(_)) => {}
            other => panic!("expected one success and one QueueFull, got {other:?}"),
        }
        assert_eq!(queue.pending_len(), 2);
        queue.check_invariants().expect("invariants");
    });
}

#[test]
#[should_panic(expected = "exactly one gets the last slot")]
fn hitl_broken_split_capacity_check_is_caught() {
    loom_tests::bound::check(PREEMPTIONS, || {
        let queue = Arc::new(BrokenQueue::new(2));
        queue.request(Priority::Low).expect("room");
        let other = {
            let queue = Arc::clone(&queue);
            thread::spawn(move || queue.request(Priority::High))
        };
        let mine = queue.request(Priority::Critical);
        let theirs = other.join().expect("no panic");
        assert!(
            mine.is_some() != theirs.is_some(),
            "exactly one gets the last slot"
        );
        assert!(
            queue.pending_len() <= 2,
            "exactly one gets the last slot: capacity exceeded"
        );
    });
}
