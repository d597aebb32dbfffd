//! The control plane: reviewers are registered only on an admin's signed grant, the agent can never
//! review, and every control change (registrations, pattern changes, preloads) is audited before it
//! is made, failing closed when the entry cannot be written.

#![cfg(not(loom))]

mod support;

use std::sync::Arc;
use std::thread;

use aegis_pipeline::{
    ActionRequest, Disposition, Pipeline, PipelineError, RegistrationError, ReviewerGrant, actors,
    steps,
};
use audit_system::{AuditLog, Limits, LogKey};
use hitl_collab::{HitlQueue, Role};
use intent_firewall::{Pattern, PatternCategory, Severity};
use support::{
    FlakyDisk, PATIENCE, RecordingExecutor, Reviewer, all_entries, request_feed, with_admin,
};

const AGENT: &str = "agent-7";

fn pipeline_with(admin: &Reviewer) -> Pipeline {
    with_admin(Pipeline::builder(), admin)
        .agent(AGENT)
        .executor(RecordingExecutor::default())
        .build()
        .unwrap()
}

#[test]
fn the_bootstrap_admin_and_every_grant_are_audited_with_their_signatures() {
    let admin = Reviewer::new("dana");
    let sam = Reviewer::new("sam");
    let pipeline = pipeline_with(&admin);
    admin.grant(&pipeline, &sam, Role::Senior);
    let log = all_entries(pipeline.audit_log());
    assert_eq!(log.len(), 2);
    assert_eq!(log[0].action, steps::REVIEWER_REGISTERED);
    assert_eq!(log[0].actor, actors::OPERATOR);
    assert_eq!(log[0].payload["public_key"], admin.key.public().to_hex());
    assert_eq!(log[1].actor, "dana");
    assert_eq!(log[1].payload["reviewer"], "sam");
    assert_eq!(log[1].payload["role"], "Senior");
    assert_eq!(log[1].payload["signer_key"], admin.key.public().to_hex());
    // The signed grant is the entry's attestation: anyone with the log can check it, and verify()
    // does.
    let attestation = &log[1].attestations[0];
    assert!(attestation.verify());
    assert_eq!(attestation.signer, admin.key.public().to_bytes());
    let grant: serde_json::Value = serde_json::from_slice(&attestation.statement).unwrap();
    assert_eq!(grant["domain"], aegis_pipeline::GRANT_DOMAIN);
    assert_eq!(grant["public_key"], sam.key.public().to_hex());
    pipeline.audit_log().verify().unwrap();
}

#[test]
fn only_an_admin_with_a_valid_signature_registers_reviewers() {
    let admin = Reviewer::new("dana");
    let sam = Reviewer::new("sam");
    let eve = Reviewer::new("eve");
    let pipeline = pipeline_with(&admin);
    admin.grant(&pipeline, &sam, Role::Senior);

    // A senior cannot grant.
    let by_senior = ReviewerGrant::new("eve", Role::Admin, eve.key.public(), "sam").sign(&sam.key);
    assert!(matches!(
        pipeline.register_reviewer(&by_senior),
        Err(PipelineError::Registration(RegistrationError::NotAnAdmin(
            _
        )))
    ));
    // Nobody can sign in the admin's name.
    let forged = ReviewerGrant::new("eve", Role::Admin, eve.key.public(), "dana").sign(&eve.key);
    assert!(matches!(
        pipeline.register_reviewer(&forged),
        Err(PipelineError::Registration(
            RegistrationError::BadSignature { .. }
        ))
    ));
    // A signed grant whose content was changed afterwards fails too.
    let mut changed =
        ReviewerGrant::new("eve", Role::Reviewer, eve.key.public(), "dana").sign(&admin.key);
    changed.grant.role = Role::Admin;
    assert!(matches!(
        pipeline.register_reviewer(&changed),
        Err(PipelineError::Registration(
            RegistrationError::BadSignature { .. }
        ))
    ));
    // None of the refusals reached the log.
    assert_eq!(pipeline.audit_log().len().unwrap(), 2);
}

#[test]
fn the_agent_cannot_be_registered_as_a_reviewer() {
    let admin = Reviewer::new("dana");
    let agent = Reviewer::new(AGENT);
    let pipeline = pipeline_with(&admin);
    let grant = ReviewerGrant::new(AGENT, Role::Admin, agent.key.public(), "dana").sign(&admin.key);
    assert!(matches!(
        pipeline.register_reviewer(&grant),
        Err(PipelineError::Registration(
            RegistrationError::AgentCannotReview(_)
        ))
    ));
    let built = with_admin(Pipeline::builder(), &agent)
        .agent(AGENT)
        .executor(RecordingExecutor::default())
        .build();
    assert!(matches!(
        built,
        Err(PipelineError::InvalidConfig {
            name: "bootstrap_admin",
            ..
        })
    ));
}

#[test]
fn the_requester_label_does_not_decide_who_is_reviewed() {
    // The caller names a reviewer as requester: the review is still the agent's, so that reviewer
    // may decide it, and the agent identity (not the label) is what a self-review is checked against.
    let (feed, requests) = request_feed();
    let admin = Reviewer::new("dana");
    let executor = Arc::new(RecordingExecutor::default());
    let pipeline = with_admin(Pipeline::builder(), &admin)
        .agent(AGENT)
        .executor(Arc::clone(&executor))
        .review_queue(HitlQueue::builder().observer(feed))
        .build()
        .unwrap();
    let desk = pipeline.review_desk();
    let reviewer = thread::spawn(move || {
        let view = requests.recv_timeout(PATIENCE).unwrap();
        assert_eq!(view.request.requester, AGENT);
        admin.approve(&desk, &view).unwrap();
    });
    let request = ActionRequest::new("dana", "service.restart", "restart the service nginx")
        .with_expected_outcome("nginx runs the new release");
    let report = pipeline.process(&request).unwrap();
    reviewer.join().unwrap();
    assert!(matches!(report.disposition, Disposition::Executed { .. }));
}

fn failing_on(action: &'static str) -> (Pipeline, Reviewer) {
    let (disk, _) = FlakyDisk::new();
    *disk.fail_action.lock().unwrap() = Some(action);
    let log = AuditLog::with_store(disk, LogKey::generate(), Limits::default()).unwrap();
    let admin = Reviewer::new("dana");
    let pipeline = with_admin(Pipeline::builder(), &admin)
        .agent(AGENT)
        .executor(RecordingExecutor::default())
        .audit_log(Arc::new(log))
        .build()
        .unwrap();
    (pipeline, admin)
}

#[test]
fn a_registration_that_cannot_be_audited_is_not_made() {
    let (disk, _) = FlakyDisk::new();
    *disk.fail_action.lock().unwrap() = Some(steps::REVIEWER_REGISTERED);
    let log = AuditLog::with_store(disk, LogKey::generate(), Limits::default()).unwrap();
    let admin = Reviewer::new("dana");
    let built = with_admin(Pipeline::builder(), &admin)
        .executor(RecordingExecutor::default())
        .audit_log(Arc::new(log))
        .build();
    assert!(matches!(
        built,
        Err(PipelineError::ControlAudit {
            step: steps::REVIEWER_REGISTERED,
            ..
        })
    ));
}

#[test]
fn a_pattern_change_that_cannot_be_audited_is_not_made() {
    let (pipeline, _) = failing_on(steps::PATTERNS_ADDED);
    let before = pipeline.pattern_count();
    let pattern = Pattern::new(
        "custom.wipe",
        "wipe the backups",
        Severity::new(0.9).unwrap(),
        PatternCategory::Custom,
    )
    .unwrap();
    assert!(matches!(
        pipeline.add_patterns(vec![pattern.clone()]),
        Err(PipelineError::ControlAudit { .. })
    ));
    assert_eq!(pipeline.pattern_count(), before);

    let (pipeline, _) = failing_on(steps::PATTERNS_REMOVED);
    assert_eq!(pipeline.add_patterns(vec![pattern]).unwrap(), 1);
    assert!(matches!(
        pipeline.remove_patterns(&["custom.wipe"]),
        Err(PipelineError::ControlAudit { .. })
    ));
    assert_eq!(pipeline.pattern_count(), before + 1);
    let log = all_entries(pipeline.audit_log());
    assert_eq!(log.last().unwrap().action, steps::PATTERNS_ADDED);
    assert_eq!(
        log.last().unwrap().payload["patterns"][0]["id"],
        "custom.wipe"
    );
}

#[test]
fn a_preload_that_cannot_be_audited_adds_nothing() {
    let (pipeline, _) = failing_on(steps::PRELOAD_STARTED);
    let before = pipeline.pattern_count();
    let result = pipeline.preload(
        &aegis_pipeline::preload::Preload::new()
            .experiences(10)
            .patterns(5),
    );
    assert!(matches!(result, Err(PipelineError::ControlAudit { .. })));
    assert_eq!(pipeline.pattern_count(), before);
    assert_eq!(pipeline.evolution().total_logged(), 0);
}
