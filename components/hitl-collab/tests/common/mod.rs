//! Helpers shared by the integration tests.

#![allow(dead_code)]

use std::time::Duration;

use hitl_collab::{DecisionRequest, HitlQueue, ManualClock, Priority, Role};

/// A queue on a manual clock with reviewers `rev` (Reviewer), `senior` (Senior) and `admin` (Admin).
pub fn queue(capacity: usize, retention: usize) -> (HitlQueue, ManualClock) {
    let clock = ManualClock::new();
    let queue = HitlQueue::builder()
        .capacity(capacity)
        .retention(retention)
        .clock(clock.clone())
        .build()
        .expect("valid bounds");
    queue.register_reviewer("rev", Role::Reviewer);
    queue.register_reviewer("senior", Role::Senior);
    queue.register_reviewer("admin", Role::Admin);
    (queue, clock)
}

/// A request by `agent` with the given priority and a timeout in seconds.
pub fn req(priority: Priority, secs: u64) -> DecisionRequest {
    DecisionRequest::new("agent", "do something", priority, Duration::from_secs(secs))
}
