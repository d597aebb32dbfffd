//! Real threads: waiters, the reaper, observers, and the 8-requester / 4-reviewer stress run.

#![cfg(not(loom))]

mod common;

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::thread;
use std::time::Duration;

use common::{queue, req};
use hitl_collab::{
    DecisionRequest, HitlError, HitlEvent, HitlQueue, Observer, ObserverError, Outcome, Priority,
    RequestId, Role, Verdict,
};

const LONG: Duration = Duration::from_secs(30);

#[test]
fn waiter_wakes_with_the_decision_made_on_another_thread() {
    let (q, _) = queue(10, 10);
    let q = Arc::new(q);
    let id = q.request(req(Priority::High, 60)).unwrap();
    let waiter = {
        let q = Arc::clone(&q);
        thread::spawn(move || q.wait_for_decision(id, LONG))
    };
    let made = q.reject(id, "senior", "no").unwrap();
    let seen = waiter.join().unwrap().unwrap();
    assert_eq!(seen, made);
}

#[test]
fn many_waiters_on_one_request_all_see_the_same_decision() {
    let (q, _) = queue(10, 10);
    let q = Arc::new(q);
    let id = q.request(req(Priority::Low, 60)).unwrap();
    let waiters: Vec<_> = (0..4)
        .map(|_| {
            let q = Arc::clone(&q);
            thread::spawn(move || q.wait_for_decision(id, LONG))
        })
        .collect();
    let made = q.approve(id, "rev").unwrap();
    for w in waiters {
        assert_eq!(w.join().unwrap().unwrap(), made);
    }
}

#[test]
fn wait_gives_up_after_its_timeout_and_the_request_stays_pending() {
    let q = HitlQueue::new(10).unwrap();
    let id = q.request(req(Priority::Low, 3600)).unwrap();
    assert_eq!(
        q.wait_for_decision(id, Duration::from_millis(5)),
        Err(HitlError::WaitTimedOut(id))
    );
    assert_eq!(q.status(id).unwrap(), None);
}

#[test]
fn waiter_sees_the_expiry_at_the_deadline_without_a_reaper() {
    let q = HitlQueue::new(10).unwrap();
    let id = q
        .request(DecisionRequest::new(
            "a",
            "b",
            Priority::Low,
            Duration::from_millis(20),
        ))
        .unwrap();
    let decision = q.wait_for_decision(id, LONG).unwrap();
    assert_eq!(decision.outcome, Outcome::Expired);
}

/// Sends every event down a channel.
struct Channel(Mutex<mpsc::Sender<HitlEvent>>);

impl Observer for Channel {
    fn on_event(&self, event: &HitlEvent) -> Result<(), ObserverError> {
        self.0
            .lock()
            .map_err(|_| ObserverError::new("poisoned"))?
            .send(event.clone())
            .map_err(|_| ObserverError::new("receiver gone"))
    }
}

#[test]
fn reaper_expires_on_time_with_nobody_calling_and_stops_on_drop() {
    let (tx, rx) = mpsc::channel();
    let q = HitlQueue::builder()
        .observer(Channel(Mutex::new(tx)))
        .reaper(true)
        .build()
        .unwrap();
    let slow = q.request(req(Priority::Low, 3600)).unwrap();
    let fast = q
        .request(DecisionRequest::new(
            "a",
            "b",
            Priority::Low,
            Duration::from_millis(10),
        ))
        .unwrap();
    // Nobody touches the queue now: the expiry must come from the reaper.
    let mut expired = None;
    while let Ok(event) = rx.recv_timeout(LONG) {
        if let HitlEvent::Expired { id, decision } = event {
            expired = Some((id, decision.outcome));
            break;
        }
    }
    assert_eq!(expired, Some((fast, Outcome::Expired)));
    assert_eq!(q.status(slow).unwrap(), None);
    drop(q); // joins the reaper; a hang here fails the test run
}

#[test]
fn observers_see_every_change_in_order_and_failures_change_nothing() {
    struct Failing;
    impl Observer for Failing {
        fn on_event(&self, _: &HitlEvent) -> Result<(), ObserverError> {
            Err(ObserverError::new("audit log down"))
        }
    }
    struct Panicking;
    impl Observer for Panicking {
        fn on_event(&self, event: &HitlEvent) -> Result<(), ObserverError> {
            if matches!(event, HitlEvent::Decided { .. }) {
                panic!("observer bug");
            }
            Ok(())
        }
    }
    let (tx, rx) = mpsc::channel();
    let clock = hitl_collab::ManualClock::new();
    let q = HitlQueue::builder()
        .clock(clock.clone())
        .observer(Failing)
        .observer(Panicking)
        .observer(Channel(Mutex::new(tx)))
        .build()
        .unwrap();
    q.register_reviewer("admin", Role::Admin);
    let a = q.request(req(Priority::Low, 10)).unwrap();
    let b = q.request(req(Priority::Low, 5)).unwrap();
    q.escalate(a, Priority::Critical, Duration::ZERO).unwrap();
    q.approve(a, "admin").unwrap();
    clock.advance(Duration::from_secs(5));
    q.expire_due();
    let events: Vec<HitlEvent> = rx.try_iter().collect();
    let summary: Vec<String> = events
        .iter()
        .map(|e| match e {
            HitlEvent::Requested(v) => format!("requested {}", v.id),
            HitlEvent::Decided { id, decision } => format!("decided {id} {:?}", decision.outcome),
            HitlEvent::Expired { id, .. } => format!("expired {id}"),
            HitlEvent::Escalated { id, to, .. } => format!("escalated {id} {to:?}"),
            other => format!("{other:?}"),
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            format!("requested {a}"),
            format!("requested {b}"),
            format!("escalated {a} Critical"),
            format!("decided {a} Approved"),
            format!("expired {b}"),
        ]
    );
    // Failing observer: 5 events; panicking observer: 1 decision.
    assert_eq!(q.observer_failures(), 6);
    assert!(q.status(a).unwrap().unwrap().is_approved());
    assert_eq!(q.status(b).unwrap().unwrap().outcome, Outcome::Expired);
    q.check_invariants().unwrap();
}

/// Counts decisions per request id.
#[derive(Default)]
struct Tally(Mutex<HashMap<RequestId, usize>>);

impl Observer for Tally {
    fn on_event(&self, event: &HitlEvent) -> Result<(), ObserverError> {
        if let HitlEvent::Decided { id, .. } | HitlEvent::Expired { id, .. } = event {
            *self
                .0
                .lock()
                .map_err(|_| ObserverError::new("poisoned"))?
                .entry(*id)
                .or_default() += 1;
        }
        Ok(())
    }
}

#[test]
fn stress_8_requesters_4_reviewers_every_request_decided_exactly_once() {
    const REQUESTERS: usize = 8;
    const PER_REQUESTER: usize = 125;
    const TOTAL: usize = REQUESTERS * PER_REQUESTER;
    let tally = Arc::new(Tally::default());
    let q = Arc::new(
        HitlQueue::builder()
            .capacity(64) // small, so requesters meet backpressure
            .retention(TOTAL)
            .observer(Arc::clone(&tally))
            .build()
            .unwrap(),
    );
    for r in 0..4 {
        q.register_reviewer(&format!("reviewer-{r}"), Role::Admin);
    }
    let submitted = Arc::new(AtomicUsize::new(0));
    let full_answers = Arc::new(AtomicUsize::new(0));
    let requesters: Vec<_> = (0..REQUESTERS)
        .map(|t| {
            let (q, submitted, full) = (
                Arc::clone(&q),
                Arc::clone(&submitted),
                Arc::clone(&full_answers),
            );
            thread::spawn(move || {
                let mut ids = Vec::with_capacity(PER_REQUESTER);
                for i in 0..PER_REQUESTER {
                    let priority = Priority::ALL[(t + i) % 4];
                    loop {
                        match q.request(DecisionRequest::new(
                            format!("agent-{t}"),
                            "op",
                            priority,
                            LONG,
                        )) {
                            Ok(id) => break ids.push(id),
                            Err(HitlError::QueueFull { .. }) => {
                                full.fetch_add(1, Ordering::Relaxed);
                                thread::yield_now();
                            }
                            Err(e) => panic!("unexpected {e}"),
                        }
                    }
                    submitted.fetch_add(1, Ordering::SeqCst);
                }
                ids
            })
        })
        .collect();
    let reviewers: Vec<_> = (0..4)
        .map(|r| {
            let (q, submitted) = (Arc::clone(&q), Arc::clone(&submitted));
            thread::spawn(move || {
                let name = format!("reviewer-{r}");
                let mut mine = Vec::new();
                let mut collisions = 0usize;
                loop {
                    // Half the time pick from the listing (so reviewers collide), else take the next one.
                    let listed = q.pending_top(2);
                    let attempt = match listed.get(r % 2) {
                        Some(view) if mine.len() % 2 == 0 => {
                            q.approve(view.id, &name).map(|d| Some((view.id, d)))
                        }
                        _ => q.decide_next(&name, Verdict::Approve, ""),
                    };
                    match attempt {
                        Ok(Some((id, _))) => mine.push(id),
                        Ok(None) => {
                            if submitted.load(Ordering::SeqCst) == TOTAL && q.pending_len() == 0 {
                                break;
                            }
                            thread::yield_now();
                        }
                        Err(HitlError::AlreadyDecided { .. }) => collisions += 1,
                        Err(e) => panic!("unexpected {e}"),
                    }
                }
                (mine, collisions)
            })
        })
        .collect();
    let mut requested: Vec<RequestId> = requesters
        .into_iter()
        .flat_map(|h| h.join().unwrap())
        .collect();
    let mut decided: Vec<RequestId> = Vec::new();
    for h in reviewers {
        let (mine, _) = h.join().unwrap();
        decided.extend(mine);
    }
    requested.sort();
    decided.sort();
    assert_eq!(requested.len(), TOTAL);
    assert_eq!(
        decided, requested,
        "every request decided by exactly one reviewer"
    );
    let tally = tally.0.lock().unwrap();
    assert_eq!(tally.len(), TOTAL);
    assert!(
        tally.values().all(|n| *n == 1),
        "one decision event per request"
    );
    assert_eq!(q.pending_len(), 0);
    q.check_invariants().unwrap();
}
