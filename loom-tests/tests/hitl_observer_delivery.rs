//! Loom: observer events are delivered outside the queue lock by whichever thread finds them, yet every
//! committed event reaches the observer exactly once and a request's events arrive in the order they were
//! committed. The broken variant forgets to re-check the outbox after giving up the delivery turn, and loom
//! finds the event that is never delivered.

#![cfg(loom)]

use std::sync::Arc as StdArc;
use std::time::Duration;

use hitl_collab::{
    DecisionRequest, HitlEvent, HitlQueue, ManualClock, Observer, ObserverError, Priority, Role,
};
use loom::sync::{Arc, Mutex};
use loom::thread;
use loom_tests::broken_hitl::BrokenDelivery;

/// Records a short name for every event.
struct Recorder(Mutex<Vec<String>>);

impl Observer for Recorder {
    fn on_event(&self, event: &HitlEvent) -> Result<(), ObserverError> {
        let name = match event {
            HitlEvent::Requested(view) => format!("requested {}", view.id),
            HitlEvent::Decided { id, .. } => format!("decided {id}"),
            other => format!("{other:?}"),
        };
        self.0
            .lock()
            .map_err(|_| ObserverError::new("poisoned"))?
            .push(name);
        Ok(())
    }
}

/// Preemption bound of this file's models (loom-tests/README.md, "HITL models", says why).
const PREEMPTIONS: usize = 3;

#[test]
fn hitl_observer_gets_every_event_once_in_commit_order() {
    loom_tests::bound::check(PREEMPTIONS, || {
        let recorder = StdArc::new(Recorder(Mutex::new(Vec::new())));
        let queue = Arc::new(
            HitlQueue::builder()
                .capacity(2)
                .retention(2)
                .clock(ManualClock::new())
                .observer(StdArc::clone(&recorder))
                .build()
                .expect("valid bounds"),
        );
        queue.register_reviewer("alice", Role::Admin);
        let first = queue
            .request(DecisionRequest::new(
                "agent",
                "a",
                Priority::Low,
                Duration::from_secs(60),
            ))
            .expect("room");
        let reviewer = {
            let queue = Arc::clone(&queue);
            thread::spawn(move || queue.approve(first, "alice"))
        };
        let second = queue
            .request(DecisionRequest::new(
                "agent",
                "b",
                Priority::Low,
                Duration::from_secs(60),
            ))
            .expect("room");
        reviewer.join().expect("no panic").expect("decided");
        let seen = recorder.0.lock().expect("not poisoned").clone();
        let mut sorted = seen.clone();
        sorted.sort();
        let mut expected = vec![
            format!("requested {first}"),
            format!("decided {first}"),
            format!("requested {second}"),
        ];
        expected.sort();
        assert_eq!(sorted, expected, "every event exactly once: {seen:?}");
        assert_eq!(
            seen[0],
            format!("requested {first}"),
            "commit order: {seen:?}"
        );
        assert_eq!(queue.observer_failures(), 0);
    });
}

#[test]
fn hitl_broken_delivery_without_recheck_is_caught() {
    let found = std::panic::catch_unwind(|| {
        loom_tests::bound::check(PREEMPTIONS, || {
            let outbox = Arc::new(BrokenDelivery::new());
            let other = {
                let outbox = Arc::clone(&outbox);
                thread::spawn(move || outbox.commit(2))
            };
            outbox.commit(1);
            other.join().expect("no panic");
            let mut delivered = outbox.delivered();
            delivered.sort_unstable();
            assert_eq!(delivered, vec![1, 2], "an event was never delivered");
        });
    });
    assert!(found.is_err(), "loom must find the undelivered event");
}
