//! The rules of `behaviour/` on the in-memory queue, through [`hitl_collab::ReviewQueue`] (the same
//! cases run on PostgreSQL in `postgres_queue.rs`).

#![cfg(not(loom))]

mod behaviour;

use hitl_collab::{HitlQueue, ManualClock, ReviewQueue, Role};

fn open(capacity: usize, signed: bool) -> (Box<dyn ReviewQueue>, ManualClock) {
    let clock = ManualClock::new();
    let queue = HitlQueue::builder()
        .capacity(capacity)
        .clock(clock.clone())
        .require_signatures(signed)
        .build()
        .unwrap();
    for (name, role) in [
        ("rev", Role::Reviewer),
        ("senior", Role::Senior),
        ("admin", Role::Admin),
    ] {
        queue.register_reviewer(name, role);
    }
    (Box::new(queue), clock)
}

#[test]
fn every_rule_holds_in_memory() {
    for (name, case) in behaviour::CASES {
        eprintln!("case {name}");
        case(&open);
    }
}
