//! Loom: observer events are delivered outside the queue lock by whichever thread finds them, yet every
//! committed event reaches the observer exactly once and a request's events arrive in the order they were
//! committed. The broken variant forgets to re-check the outbox after giving up the delivery turn, and loom
//! finds the event that is never delivered.

#![cfg(loom)]

use std::sync::Arc as StdArc;
use std::time::Duration;

use hitl_collab::{HitlEvent, HitlQueue, ManualClock, Observer, ObserverError, Priority, Role};
use loom::sync::{Arc, Mutex};
use loom::thread;
use loom_tests::broken_hitl::BrokenDelivery;
use loom_tests::hitl_support::{request, small_queue};

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
        let queue = small_queue(
            HitlQueue::builder()
                .clock(ManualClock::new())
                .observer(StdArc::clone(&recorder)),
            &[("alice", Role::Admin)],
        );
        let minute = Duration::from_secs(60);
        let first = queue
            .request(request("a", Priority::Low, minute))
            .expect("room");
        let reviewer = {
            let queue = Arc::clone(&queue);
            thread::spawn(move || queue.approve(first, "alice"))
        };
        let second = queue
            .request(request("b", Priority::Low, minute))
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
#[should_panic(expected = "an event was never delivered")]
fn hitl_broken_delivery_without_recheck_is_caught() {
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
}
