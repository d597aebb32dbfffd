//! Signed decisions: a decision stands only if it is signed by the key registered for its reviewer,
//! over this request's digest; every other decision is refused with a typed error.

#![cfg(not(loom))]

use std::time::Duration;

use hitl_collab::{
    DecisionStatement, HitlError, HitlQueue, ManualClock, Priority, RequestId, ReviewerKey, Role,
    Verdict,
};

fn signed_queue() -> HitlQueue {
    HitlQueue::builder()
        .clock(ManualClock::new())
        .require_signatures(true)
        .build()
        .unwrap()
}

fn submit(queue: &HitlQueue, requester: &str) -> RequestId {
    queue
        .request(hitl_collab::DecisionRequest::new(
            requester,
            "rm -rf /tmp/cache",
            Priority::High,
            Duration::from_secs(60),
        ))
        .unwrap()
}

#[test]
fn a_decision_signed_with_the_registered_key_stands_and_carries_its_proof() {
    let queue = signed_queue();
    let alice = ReviewerKey::generate();
    queue.register_reviewer_key("alice", Role::Senior, alice.public());
    let id = submit(&queue, "agent");
    let view = queue.get(id).unwrap();
    let decision = queue
        .decide_signed(&alice.decide("alice", &view, Verdict::Approve, "fine"))
        .unwrap();
    assert!(decision.is_approved());
    let proof = decision.signature.expect("signed");
    assert_eq!(proof.public_key, alice.public().to_hex());
    assert!(proof.statement.contains(&view.digest.to_hex()));
    assert_eq!(proof.verify("alice"), Ok(()));
    assert_eq!(queue.status(id).unwrap().unwrap().signature, Some(proof));
}

#[test]
fn a_queue_that_requires_signatures_refuses_names_alone() {
    let queue = signed_queue();
    queue.register_reviewer("alice", Role::Admin);
    let id = submit(&queue, "agent");
    assert_eq!(queue.approve(id, "alice"), Err(HitlError::UnsignedDecision));
    assert_eq!(
        queue.decide_next("alice", Verdict::Approve, ""),
        Err(HitlError::UnsignedDecision)
    );
    assert!(queue.requires_signatures());
    assert_eq!(queue.status(id).unwrap(), None);
}

#[test]
fn a_signature_by_another_key_is_refused() {
    let queue = signed_queue();
    let alice = ReviewerKey::generate();
    let mallory = ReviewerKey::generate();
    queue.register_reviewer_key("alice", Role::Admin, alice.public());
    let id = submit(&queue, "agent");
    let view = queue.get(id).unwrap();
    let forged = mallory.decide("alice", &view, Verdict::Approve, "");
    assert_eq!(
        queue.decide_signed(&forged),
        Err(HitlError::BadSignature {
            reviewer: "alice".into()
        })
    );
    // A changed statement under a genuine signature is refused too.
    let mut changed = alice.decide("alice", &view, Verdict::Reject, "no");
    changed.statement.verdict = Verdict::Approve;
    assert!(matches!(
        queue.decide_signed(&changed),
        Err(HitlError::BadSignature { .. })
    ));
    assert_eq!(queue.status(id).unwrap(), None);
}

#[test]
fn a_reviewer_without_a_key_or_unknown_is_refused() {
    let queue = signed_queue();
    queue.register_reviewer("bob", Role::Admin);
    let key = ReviewerKey::generate();
    let id = submit(&queue, "agent");
    let view = queue.get(id).unwrap();
    assert_eq!(
        queue.decide_signed(&key.decide("bob", &view, Verdict::Approve, "")),
        Err(HitlError::KeyNotRegistered {
            reviewer: "bob".into()
        })
    );
    assert_eq!(
        queue.decide_signed(&key.decide("carol", &view, Verdict::Approve, "")),
        Err(HitlError::UnknownReviewer("carol".into()))
    );
}

#[test]
fn a_replaced_key_no_longer_decides() {
    let queue = signed_queue();
    let old = ReviewerKey::generate();
    let new = ReviewerKey::generate();
    queue.register_reviewer_key("alice", Role::Admin, old.public());
    let id = submit(&queue, "agent");
    let view = queue.get(id).unwrap();
    let signed_before = old.decide("alice", &view, Verdict::Approve, "");
    queue.register_reviewer_key("alice", Role::Admin, new.public());
    assert!(matches!(
        queue.decide_signed(&signed_before),
        Err(HitlError::BadSignature { .. })
    ));
    assert!(
        queue
            .decide_signed(&new.decide("alice", &view, Verdict::Approve, ""))
            .is_ok()
    );
}

#[test]
fn a_signature_cannot_be_moved_to_another_request_or_content() {
    let queue = signed_queue();
    let alice = ReviewerKey::generate();
    queue.register_reviewer_key("alice", Role::Admin, alice.public());
    let first = queue.get(submit(&queue, "agent")).unwrap();
    let second = queue.get(submit(&queue, "agent")).unwrap();
    // Signed for the first request's digest but naming the second request.
    let statement = DecisionStatement {
        request: second.id,
        ..DecisionStatement::for_view(&first, Verdict::Approve, "", 0)
    };
    assert_eq!(
        queue.decide_signed(&alice.sign("alice", statement)),
        Err(HitlError::DigestMismatch(second.id))
    );
    // Moving the first request's signed statement to the second fails the signature.
    let mut moved = alice.decide("alice", &first, Verdict::Approve, "");
    moved.statement.request = second.id;
    assert!(matches!(
        queue.decide_signed(&moved),
        Err(HitlError::BadSignature { .. })
    ));
    assert_eq!(queue.status(second.id).unwrap(), None);
}

#[test]
fn a_signed_decision_on_ones_own_request_is_refused() {
    let queue = signed_queue();
    let agent = ReviewerKey::generate();
    queue.register_reviewer_key("agent", Role::Admin, agent.public());
    let id = submit(&queue, "agent");
    let view = queue.get(id).unwrap();
    assert!(matches!(
        queue.decide_signed(&agent.decide("agent", &view, Verdict::Approve, "")),
        Err(HitlError::SelfReview { .. })
    ));
}
