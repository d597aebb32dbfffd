//! The five end-to-end workflows of the earlier specification, each with the exact audit trail it
//! must leave, written once and run on each review queue backend (`tests/workflows.rs` in memory,
//! `tests/postgres_workflows.rs` on PostgreSQL, there with each of the two PostgreSQL audit logs). Reviewer decisions come from real reviewer threads
//! that wait on the review queue's events (a channel fed by an observer), never on sleeps.

use std::sync::Arc;
use std::thread;
use std::time::Duration;

use aegis_pipeline::{
    ActionRequest, BlockReason, BlockedPattern, Disposition, Pipeline, PipelineBuilder,
    ReviewBackend, ReviewReason, Route, actors, steps,
};
use hitl_collab::{HitlError, Outcome, Priority, Role, Verdict};

use crate::support::{
    PATIENCE, RecordingExecutor, RequestFeed, Reviewer, Step, recorded_signature, request_feed,
    shape, trail, with_admin,
};

const ADMIN: &str = "dana-admin";
const SENIOR: &str = "sam-senior";
/// The agent identity the operator gave the pipeline.
const AGENT: &str = "agent-7";

pub struct Fixture {
    pipeline: Arc<Pipeline>,
    executor: Arc<RecordingExecutor>,
    requests: std::sync::mpsc::Receiver<hitl_collab::RequestView>,
    admin: Arc<Reviewer>,
    senior: Arc<Reviewer>,
}

impl Fixture {
    /// The pipeline's audit log.
    #[allow(dead_code)] // tests/postgres_workflows.rs checks which log the pipeline writes to
    pub fn audit_log(&self) -> &aegis_pipeline::AuditBackend {
        self.pipeline.audit_log()
    }
}

/// A pipeline for agent-7 with an admin and a senior reviewer, on the review queue `backend` builds
/// (given the observer that feeds new review requests to the reviewer threads).
#[allow(dead_code)] // tests/workflows.rs uses it; tests/postgres_workflows.rs brings its own audit log
pub fn fixture(backend: impl FnOnce(RequestFeed) -> ReviewBackend) -> Fixture {
    fixture_with_audit(backend, |builder| builder)
}

/// As [`fixture`], with the audit log `audit` sets on the builder (`audit_log(..)` or
/// `shared_audit_log(..)`; the default in-memory log if it sets none).
pub fn fixture_with_audit(
    backend: impl FnOnce(RequestFeed) -> ReviewBackend,
    audit: impl FnOnce(PipelineBuilder) -> PipelineBuilder,
) -> Fixture {
    let executor = Arc::new(RecordingExecutor::default());
    let (feed, requests) = request_feed();
    let admin = Reviewer::new(ADMIN);
    let senior = Reviewer::new(SENIOR);
    let builder = with_admin(Pipeline::builder(), &admin)
        .agent(AGENT)
        .executor(Arc::clone(&executor))
        .review_queue(backend(feed));
    let pipeline = audit(builder).build().unwrap();
    admin.grant(&pipeline, &senior, Role::Senior);
    Fixture {
        pipeline: Arc::new(pipeline),
        executor,
        requests,
        admin: Arc::new(admin),
        senior: Arc::new(senior),
    }
}

/// The decided entry carries the reviewer's signature over this request's digest, made with the key
/// the admin registered, and `verify()` still holds over the whole log.
fn assert_signed(pipeline: &Pipeline, decided: &Step, reviewer: &Reviewer, digest: &str) {
    let signature = recorded_signature(decided);
    assert_eq!(signature.public_key, reviewer.key.public().to_hex());
    assert!(
        signature.statement.contains(digest),
        "{}",
        signature.statement
    );
    pipeline.audit_log().verify().unwrap();
}

fn safe_read() -> ActionRequest {
    ActionRequest::new(
        "agent-7",
        "report.read",
        "read the quarterly report in /srv/reports",
    )
    .with_expected_outcome("display the report to the user who asked for it")
}

fn system_file_delete() -> ActionRequest {
    ActionRequest::new("agent-7", "shell.exec", "rm -rf / --no-preserve-root")
        .with_expected_outcome("delete the system files")
        .with_context("destroy all user data and harm the customers")
}

fn bulk_email() -> ActionRequest {
    ActionRequest::new(
        "agent-7",
        "email.send_bulk",
        "send the newsletter to all 50000 customers",
    )
    .with_expected_outcome("every customer receives the promotion")
    .with_context("unsolicited promotion, sent without consent, to a purchased list")
}

fn maintenance(service: &str) -> ActionRequest {
    ActionRequest::new(
        "agent-7",
        "service.restart",
        format!("restart the service {service}"),
    )
    .with_expected_outcome(format!("{service} runs the new release"))
    .with_context("deployment requested by the release manager")
}

pub fn workflow_1_safe_action_executes_after_a_write_ahead_entry(f: Fixture) {
    let report = f.pipeline.process(&safe_read()).unwrap();

    assert_eq!(report.route, Route::Execute);
    assert!(matches!(report.disposition, Disposition::Executed { .. }));
    assert_eq!(report.review, None);
    assert_eq!(f.executor.calls(), 1);

    let t = trail(&f.pipeline, report.run);
    assert_eq!(
        shape(&t),
        [
            (steps::FIREWALL_CHECKED, actors::FIREWALL),
            (steps::ETHICS_CHECKED, actors::ETHICS),
            (steps::ACTION_EXECUTING, actors::PIPELINE),
            (steps::ACTION_EXECUTED, actors::EXECUTOR),
            (steps::OUTCOME_LEARNED, actors::EVOLUTION),
        ]
    );
    assert_eq!(t[0].payload["verdict"], "Allow");
    assert_eq!(t[0].payload["safety_score"], 1.0);
    assert_eq!(t[0].payload["agent"], AGENT);
    assert_eq!(t[1].payload["verdict"], "Approved");
    assert_eq!(
        t[2].payload["action_digest"].as_str().map(str::len),
        Some(64)
    );
    assert_eq!(t[3].payload["output"]["call"], 1);
    assert_eq!(t[4].payload["outcome"], "Success");
    assert_eq!(t[4].payload["experience"], report.experience.0);
    assert_eq!(
        report.audit_seqs,
        t.iter().map(|s| s.seq).collect::<Vec<_>>()
    );
    let stats = f.pipeline.evolution().action_stats("report.read").unwrap();
    assert_eq!((stats.count, stats.successes), (1, 1));
    assert_eq!(f.pipeline.review_desk().retained_len().unwrap(), 0);
}

pub fn workflow_2_unsafe_system_file_delete_is_blocked_without_review(f: Fixture) {
    let report = f.pipeline.process(&system_file_delete()).unwrap();

    assert_eq!(
        report.disposition,
        Disposition::Blocked(BlockReason::BothChecksFailed)
    );
    assert_eq!(
        f.executor.calls(),
        0,
        "a blocked request reached the executor"
    );
    assert_eq!(f.pipeline.review_desk().pending_len().unwrap(), 0);
    assert_eq!(f.pipeline.review_desk().retained_len().unwrap(), 0);

    let t = trail(&f.pipeline, report.run);
    assert_eq!(
        shape(&t),
        [
            (steps::FIREWALL_CHECKED, actors::FIREWALL),
            (steps::ETHICS_CHECKED, actors::ETHICS),
            (steps::ACTION_BLOCKED, actors::PIPELINE),
            (steps::OUTCOME_LEARNED, actors::EVOLUTION),
        ]
    );
    assert_eq!(t[0].payload["verdict"], "Block");
    assert_eq!(t[0].payload["critical"], true);
    assert!(
        t[0].payload["patterns"]
            .as_array()
            .unwrap()
            .contains(&"fs.rm-rf-root".into())
    );
    assert_ne!(t[1].payload["verdict"], "Approved");
    assert_eq!(t[2].payload["block"]["reason"], "both_checks_failed");
    assert_eq!(t[3].payload["outcome"], "Failure");
    // Both checks failing counts as a refusal of each flagged pattern.
    assert_eq!(f.pipeline.refusals().refusals("fs.rm-rf-root"), 1);
}

pub fn workflow_2b_critical_pattern_with_an_ethical_purpose_needs_an_admin(f: Fixture) {
    let desk = f.pipeline.review_desk();
    let (admin, senior) = (Arc::clone(&f.admin), Arc::clone(&f.senior));
    let requests = f.requests;
    let reviewer = thread::spawn(move || {
        let view = requests.recv_timeout(PATIENCE).unwrap();
        // A senior reviewer may not decide a critical review.
        let refused = senior.reject(&desk, &view, "no");
        assert!(matches!(refused, Err(HitlError::InsufficientRole { .. })));
        // Nor may the senior sign in the admin's name with its own key.
        let forged = senior.key.decide(ADMIN, &view, Verdict::Approve, "");
        assert!(matches!(
            desk.decide(&forged),
            Err(HitlError::BadSignature { .. })
        ));
        admin.reject(&desk, &view, "not without a ticket").unwrap();
        view
    });
    let request = ActionRequest::new("agent-7", "shell.exec", "cat /etc/shadow")
        .with_expected_outcome("the auditor sees which accounts have passwords")
        .with_context("security audit approved by the owner");
    let report = f.pipeline.process(&request).unwrap();
    let view = reviewer.join().unwrap();

    assert_eq!(view.priority, Priority::Critical);
    assert_eq!(view.request.timeout, Duration::from_secs(600));
    assert!(matches!(
        report.route,
        Route::Review {
            reason: ReviewReason::CriticalPattern,
            ..
        }
    ));
    assert_eq!(report.disposition, Disposition::Rejected);
    assert_eq!(f.executor.calls(), 0);
    let t = trail(&f.pipeline, report.run);
    assert_eq!(
        shape(&t),
        [
            (steps::FIREWALL_CHECKED, actors::FIREWALL),
            (steps::ETHICS_CHECKED, actors::ETHICS),
            (steps::REVIEW_REQUESTED, AGENT),
            (steps::REVIEW_DECIDED, ADMIN),
            (steps::ACTION_REJECTED, actors::PIPELINE),
            (steps::OUTCOME_LEARNED, actors::EVOLUTION),
        ]
    );
    assert_eq!(t[2].payload["priority"], "Critical");
    assert_eq!(t[2].payload["timeout_ms"], 600_000);
    assert_eq!(t[3].payload["note"], "not without a ticket");
    let digest = view.digest.to_hex();
    assert_eq!(t[2].payload["digest"], digest);
    assert_signed(&f.pipeline, &t[3], &f.admin, &digest);
}

pub fn workflow_3_unethical_bulk_email_gets_critical_review_is_rejected_and_learned(f: Fixture) {
    let desk = f.pipeline.review_desk();
    let admin = Arc::clone(&f.admin);
    let requests = f.requests;
    let reviewer = thread::spawn(move || {
        let view = requests.recv_timeout(PATIENCE).unwrap();
        admin.reject(&desk, &view, "no consent").unwrap();
        view
    });
    let report = f.pipeline.process(&bulk_email()).unwrap();
    let view = reviewer.join().unwrap();

    assert_eq!(view.priority, Priority::Critical);
    assert_eq!(view.request.requester, AGENT);
    // The reviewer sees everything the executor would get.
    assert_eq!(
        view.request.context["action"],
        serde_json::to_value(bulk_email()).unwrap()
    );
    assert!(view.request.description.contains("without consent"));
    assert_eq!(view.request.timeout, Duration::from_secs(600));
    assert!(matches!(
        report.route,
        Route::Review {
            priority: Priority::Critical,
            reason: ReviewReason::EthicsFailed,
            ..
        }
    ));
    assert_eq!(report.disposition, Disposition::Rejected);
    let review = report.review.as_ref().unwrap();
    assert_eq!(review.decision.outcome, Outcome::Rejected);
    assert_eq!(review.decision.reviewer.as_deref(), Some(ADMIN));
    assert_eq!(
        f.executor.calls(),
        0,
        "a rejected request reached the executor"
    );

    let t = trail(&f.pipeline, report.run);
    assert_eq!(
        shape(&t),
        [
            (steps::FIREWALL_CHECKED, actors::FIREWALL),
            (steps::ETHICS_CHECKED, actors::ETHICS),
            (steps::REVIEW_REQUESTED, AGENT),
            (steps::REVIEW_DECIDED, ADMIN),
            (steps::ACTION_REJECTED, actors::PIPELINE),
            (steps::OUTCOME_LEARNED, actors::EVOLUTION),
        ]
    );
    assert_eq!(t[0].payload["verdict"], "Allow");
    assert_eq!(t[1].payload["verdict"], "Rejected");
    assert_eq!(t[2].payload["review"], review.id.0);
    assert_eq!(t[2].payload["priority"], "Critical");
    assert_eq!(t[3].payload["outcome"], "Rejected");
    assert_eq!(t[4].payload["review_outcome"], "Rejected");
    assert_signed(&f.pipeline, &t[3], &f.admin, &view.digest.to_hex());
    assert_eq!(t[5].payload["outcome"], "Failure");
    assert_eq!(t[5].payload["ethics_score"], report.ethics_score);
    assert_eq!(
        report.audit_seqs,
        t.iter().map(|s| s.seq).collect::<Vec<_>>()
    );

    // Learned: one failure of this action type, counted as an ethics issue, with both scores.
    let stats = f
        .pipeline
        .evolution()
        .action_stats("email.send_bulk")
        .unwrap();
    assert_eq!(
        (stats.count, stats.failures, stats.ethics_issues),
        (1, 1, 1)
    );
    assert_eq!(stats.mean_ethics(), Some(report.ethics_score));
    assert_eq!(stats.mean_safety(), Some(1.0));
}

pub fn workflow_4_borderline_maintenance_is_approved_executed_and_logged(f: Fixture) {
    let desk = f.pipeline.review_desk();
    let senior = Arc::clone(&f.senior);
    let requests = f.requests;
    let reviewer = thread::spawn(move || {
        let view = requests.recv_timeout(PATIENCE).unwrap();
        senior.approve(&desk, &view).unwrap();
        view
    });
    let report = f.pipeline.process(&maintenance("nginx")).unwrap();
    let view = reviewer.join().unwrap();

    assert_eq!(view.priority, Priority::High);
    assert_eq!(view.request.timeout, Duration::from_secs(300));
    assert!(matches!(
        report.route,
        Route::Review {
            reason: ReviewReason::UnsafeBorderline,
            ..
        }
    ));
    assert!(matches!(report.disposition, Disposition::Executed { .. }));
    assert_eq!(f.executor.action_types(), ["service.restart"]);

    let t = trail(&f.pipeline, report.run);
    assert_eq!(
        shape(&t),
        [
            (steps::FIREWALL_CHECKED, actors::FIREWALL),
            (steps::ETHICS_CHECKED, actors::ETHICS),
            (steps::REVIEW_REQUESTED, AGENT),
            (steps::REVIEW_DECIDED, SENIOR),
            (steps::ACTION_EXECUTING, actors::PIPELINE),
            (steps::ACTION_EXECUTED, actors::EXECUTOR),
            (steps::OUTCOME_LEARNED, actors::EVOLUTION),
        ]
    );
    assert_eq!(t[0].payload["verdict"], "Review");
    assert_eq!(t[0].payload["critical"], false);
    assert_eq!(t[2].payload["priority"], "High");
    assert_eq!(t[2].payload["timeout_ms"], 300_000);
    assert_eq!(t[3].payload["outcome"], "Approved");
    assert_signed(&f.pipeline, &t[3], &f.senior, &view.digest.to_hex());
    assert_eq!(t[4].payload["reviewed"], view.id.0);
    assert_eq!(t[6].payload["outcome"], "Success");
    assert_eq!(t[6].payload["pattern"], "maint.restart-service");
    let stats = f
        .pipeline
        .evolution()
        .action_stats("service.restart")
        .unwrap();
    assert_eq!((stats.count, stats.successes), (1, 1));
    // An approval is not a refusal.
    assert_eq!(f.pipeline.refusals().refusals("maint.restart-service"), 0);
}

pub fn workflow_5_third_rejection_blocks_the_pattern_without_review(f: Fixture) {
    let desk = f.pipeline.review_desk();
    let senior = Arc::clone(&f.senior);
    let requests = f.requests;
    let reviewer = thread::spawn(move || {
        for _ in 0..3 {
            let view = requests.recv_timeout(PATIENCE).unwrap();
            senior
                .reject(&desk, &view, "not during peak hours")
                .unwrap();
        }
        // Anything after the third would be a review that must not exist.
        requests
    });
    for (i, service) in ["payments-api", "ledger", "checkout"]
        .into_iter()
        .enumerate()
    {
        let report = f.pipeline.process(&maintenance(service)).unwrap();
        assert_eq!(report.disposition, Disposition::Rejected, "request {i}");
        let t = trail(&f.pipeline, report.run);
        let decided = t
            .iter()
            .find(|s| s.action == steps::REVIEW_DECIDED)
            .unwrap();
        assert_eq!(
            recorded_signature(decided).public_key,
            f.senior.key.public().to_hex()
        );
        assert_eq!(
            f.pipeline.refusals().refusals("maint.restart-service"),
            i as u64 + 1
        );
    }
    let requests = reviewer.join().unwrap();
    let reviews_before = f.pipeline.review_desk().retained_len().unwrap();
    assert_eq!(reviews_before, 3);

    let report = f.pipeline.process(&maintenance("search")).unwrap();
    assert_eq!(
        report.disposition,
        Disposition::Blocked(BlockReason::PatternBlocked(BlockedPattern {
            pattern: "maint.restart-service".into(),
            refusals: 3,
        }))
    );
    assert_eq!(report.review, None);
    assert_eq!(
        f.pipeline.review_desk().retained_len().unwrap(),
        reviews_before
    );
    assert_eq!(f.pipeline.review_desk().pending_len().unwrap(), 0);
    assert!(requests.try_recv().is_err(), "a fourth review was created");
    assert_eq!(f.executor.calls(), 0);

    let t = trail(&f.pipeline, report.run);
    assert_eq!(
        shape(&t),
        [
            (steps::FIREWALL_CHECKED, actors::FIREWALL),
            (steps::ETHICS_CHECKED, actors::ETHICS),
            (steps::ACTION_BLOCKED, actors::PIPELINE),
            (steps::OUTCOME_LEARNED, actors::EVOLUTION),
        ]
    );
    assert_eq!(t[2].payload["block"]["reason"], "pattern_blocked");
    assert_eq!(t[2].payload["block"]["pattern"], "maint.restart-service");
    assert_eq!(t[2].payload["block"]["refusals"], 3);
    // The automatic block is not counted as another refusal.
    assert_eq!(f.pipeline.refusals().refusals("maint.restart-service"), 3);
    // Evolution learned four failures of the pattern.
    let stats = f
        .pipeline
        .evolution()
        .pattern_stats("maint.restart-service")
        .unwrap();
    assert_eq!((stats.count, stats.failures), (4, 4));
}
