//! Failure paths: an audit failure fails the request (never hidden, never executed), an expired
//! review is a rejection, and the pipeline holds up under many threads.

#![cfg(not(loom))]

mod support;

use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use aegis_pipeline::{
    ActionRequest, BlockReason, Disposition, Pipeline, PipelineError, Route, actors, steps,
};
use audit_system::{AuditLog, Limits, LogKey, MemoryStore};
use hitl_collab::{HitlQueue, ManualClock, Outcome, Role};
use support::{
    FlakyDisk, PATIENCE, RecordingExecutor, Reviewer, request_feed, shape, trail, with_admin,
};

fn safe_read() -> ActionRequest {
    ActionRequest::new(
        "agent-7",
        "report.read",
        "read the quarterly report in /srv/reports",
    )
    .with_expected_outcome("display the report to the user who asked for it")
}

fn maintenance() -> ActionRequest {
    ActionRequest::new("agent-7", "service.restart", "restart the service nginx")
        .with_expected_outcome("nginx runs the new release")
        .with_context("deployment requested by the release manager")
}

#[test]
fn an_entry_the_log_refuses_fails_the_request_before_anything_runs() {
    let executor = Arc::new(RecordingExecutor::default());
    let limits = Limits {
        max_payload_bytes: 64,
        ..Limits::default()
    };
    let log = AuditLog::with_store(MemoryStore::new(), LogKey::generate(), limits).unwrap();
    let pipeline = Pipeline::builder()
        .executor(Arc::clone(&executor))
        .audit_log(Arc::new(log))
        .build()
        .unwrap();

    let error = pipeline.process(&safe_read()).unwrap_err();
    assert!(
        matches!(
            error,
            PipelineError::Audit {
                step: steps::FIREWALL_CHECKED,
                ..
            }
        ),
        "{error}"
    );
    assert_eq!(executor.calls(), 0);
    assert_eq!(pipeline.audit_log().len().unwrap(), 0);
}

#[test]
fn a_failing_disk_fails_the_request_and_the_log_recovers() {
    let executor = Arc::new(RecordingExecutor::default());
    let (disk, fail) = FlakyDisk::new();
    let log = AuditLog::with_store(disk, LogKey::generate(), Limits::default()).unwrap();
    let pipeline = Pipeline::builder()
        .executor(Arc::clone(&executor))
        .audit_log(Arc::new(log))
        .build()
        .unwrap();

    fail.store(true, Ordering::SeqCst);
    let error = pipeline.process(&safe_read()).unwrap_err();
    assert!(matches!(error, PipelineError::Audit { .. }), "{error}");
    assert_eq!(executor.calls(), 0);

    fail.store(false, Ordering::SeqCst);
    let report = pipeline.process(&safe_read()).unwrap();
    assert!(matches!(report.disposition, Disposition::Executed { .. }));
    assert_eq!(executor.calls(), 1);
    assert_eq!(pipeline.audit_log().len().unwrap(), 5);
    assert_eq!(pipeline.audit_log().verify().unwrap().size, 5);
}

#[test]
fn an_approval_that_cannot_be_audited_is_never_executed() {
    let executor = Arc::new(RecordingExecutor::default());
    let (disk, _) = FlakyDisk::new();
    // The disk refuses the decision's entry: the decision stands in the queue, but cannot be audited.
    *disk.fail_action.lock().unwrap() = Some(steps::REVIEW_DECIDED);
    let log = AuditLog::with_store(disk, LogKey::generate(), Limits::default()).unwrap();
    let (feed, requests) = request_feed();
    let sam = Reviewer::new("sam");
    let pipeline = with_admin(Pipeline::builder(), &sam)
        .executor(Arc::clone(&executor))
        .audit_log(Arc::new(log))
        .review_queue(HitlQueue::builder().observer(feed))
        .build()
        .unwrap();
    let desk = pipeline.review_desk();
    let reviewer = thread::spawn(move || {
        let view = requests.recv_timeout(PATIENCE).unwrap();
        sam.approve(&desk, &view).unwrap();
    });
    let error = pipeline.process(&maintenance()).unwrap_err();
    reviewer.join().unwrap();

    assert!(
        matches!(
            error,
            PipelineError::Audit {
                step: steps::REVIEW_DECIDED,
                ..
            }
        ),
        "{error}"
    );
    assert_eq!(executor.calls(), 0, "an unaudited approval was executed");
    assert_eq!(pipeline.review_desk().observer_failures(), 1);
    let actions: Vec<String> = support::all_entries(pipeline.audit_log())
        .into_iter()
        .map(|s| s.action)
        .collect();
    assert_eq!(
        actions,
        [
            steps::REVIEWER_REGISTERED,
            steps::FIREWALL_CHECKED,
            steps::ETHICS_CHECKED,
            steps::REVIEW_REQUESTED
        ]
    );
}

#[test]
fn an_expired_review_is_a_rejection_with_its_own_trail() {
    let executor = Arc::new(RecordingExecutor::default());
    let clock = ManualClock::new();
    let (feed, requests) = request_feed();
    let pipeline = Arc::new(
        Pipeline::builder()
            .executor(Arc::clone(&executor))
            .review_queue(HitlQueue::builder().clock(clock.clone()).observer(feed))
            .build()
            .unwrap(),
    );
    let worker = {
        let pipeline = Arc::clone(&pipeline);
        thread::spawn(move || pipeline.process(&maintenance()))
    };
    let view = requests.recv_timeout(PATIENCE).unwrap();
    // Nobody decides: five minutes and a second pass.
    clock.advance(Duration::from_secs(301));
    let expired = pipeline.review_desk().expire_due().unwrap();
    assert_eq!(expired.len(), 1);
    assert_eq!(expired[0].0, view.id);
    let report = worker.join().unwrap().unwrap();

    assert_eq!(report.disposition, Disposition::Rejected);
    assert_eq!(
        report.review.as_ref().unwrap().decision.outcome,
        Outcome::Expired
    );
    assert_eq!(executor.calls(), 0);
    let t = trail(&pipeline, report.run);
    assert_eq!(
        shape(&t),
        [
            (steps::FIREWALL_CHECKED, actors::FIREWALL),
            (steps::ETHICS_CHECKED, actors::ETHICS),
            (steps::REVIEW_REQUESTED, aegis_pipeline::DEFAULT_AGENT),
            (steps::REVIEW_EXPIRED, actors::REVIEW_QUEUE),
            (steps::ACTION_REJECTED, actors::PIPELINE),
            (steps::OUTCOME_LEARNED, actors::EVOLUTION),
        ]
    );
    assert_eq!(t[3].payload["outcome"], "Expired");
    assert_eq!(t[4].payload["review_outcome"], "Expired");
    assert_eq!(pipeline.refusals().refusals("maint.restart-service"), 1);
}

#[test]
fn many_threads_each_leave_a_complete_ordered_trail() {
    const WORKERS: usize = 8;
    const PER_WORKER: usize = 12;
    const REVIEWERS: usize = 2;
    let executor = Arc::new(RecordingExecutor::default());
    let (feed, requests) = request_feed();
    let admin = Reviewer::new("admin");
    let pipeline = Arc::new(
        with_admin(Pipeline::builder(), &admin)
            .executor(Arc::clone(&executor))
            .review_queue(HitlQueue::builder().observer(feed))
            .build()
            .unwrap(),
    );
    let queue = pipeline.review_desk();
    let reviews = WORKERS * PER_WORKER / 3;
    let requests = Arc::new(Mutex::new(requests));
    let reviewers: Vec<_> = (0..REVIEWERS)
        .map(|r| {
            let (queue, requests) = (queue.clone(), Arc::clone(&requests));
            let reviewer = Reviewer::new(&format!("reviewer-{r}"));
            admin.grant(&pipeline, &reviewer, Role::Senior);
            thread::spawn(move || {
                for _ in 0..reviews / REVIEWERS {
                    let view = requests.lock().unwrap().recv_timeout(PATIENCE).unwrap();
                    reviewer.approve(&queue, &view).unwrap();
                }
            })
        })
        .collect();
    let workers: Vec<_> = (0..WORKERS)
        .map(|w| {
            let pipeline = Arc::clone(&pipeline);
            thread::spawn(move || {
                (0..PER_WORKER)
                    .map(|i| {
                        let request = match i % 3 {
                            0 => safe_read(),
                            1 => maintenance(),
                            _ => ActionRequest::new(
                                format!("agent-{w}"),
                                "shell.exec",
                                "rm -rf / --no-preserve-root",
                            )
                            .with_context("destroy all user data and harm the customers"),
                        };
                        pipeline.process(&request).unwrap()
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let reports: Vec<_> = workers
        .into_iter()
        .flat_map(|w| w.join().unwrap())
        .collect();
    for r in reviewers {
        r.join().unwrap();
    }

    let mut entries = 0;
    let mut executed = 0;
    for report in &reports {
        let t = trail(&pipeline, report.run);
        entries += t.len();
        assert_eq!(
            report.audit_seqs,
            t.iter().map(|s| s.seq).collect::<Vec<_>>()
        );
        let actions: Vec<&str> = t.iter().map(|s| s.action.as_str()).collect();
        let expected: &[&str] = match (&report.route, &report.disposition) {
            (Route::Execute, Disposition::Executed { .. }) => &[
                steps::FIREWALL_CHECKED,
                steps::ETHICS_CHECKED,
                steps::ACTION_EXECUTING,
                steps::ACTION_EXECUTED,
                steps::OUTCOME_LEARNED,
            ],
            (Route::Review { .. }, Disposition::Executed { .. }) => &[
                steps::FIREWALL_CHECKED,
                steps::ETHICS_CHECKED,
                steps::REVIEW_REQUESTED,
                steps::REVIEW_DECIDED,
                steps::ACTION_EXECUTING,
                steps::ACTION_EXECUTED,
                steps::OUTCOME_LEARNED,
            ],
            (Route::Block(BlockReason::BothChecksFailed), Disposition::Blocked(_)) => &[
                steps::FIREWALL_CHECKED,
                steps::ETHICS_CHECKED,
                steps::ACTION_BLOCKED,
                steps::OUTCOME_LEARNED,
            ],
            other => panic!("unexpected route and disposition {other:?}"),
        };
        assert_eq!(actions, expected);
        executed += usize::from(report.disposition.reached_executor());
    }
    assert_eq!(executor.calls(), executed);
    assert_eq!(executed, 2 * WORKERS * PER_WORKER / 3);
    // Plus the bootstrap admin's and the two reviewers' registrations.
    let registrations = 1 + REVIEWERS;
    assert_eq!(
        pipeline.audit_log().len().unwrap() as usize,
        entries + registrations
    );
    assert_eq!(
        pipeline.audit_log().verify().unwrap().size as usize,
        entries + registrations
    );
    assert_eq!(queue.observer_failures(), 0);
    assert_eq!(queue.pending_len().unwrap(), 0);
    queue.check_invariants().unwrap();
    let totals = pipeline.evolution().totals();
    assert_eq!(totals.count as usize, WORKERS * PER_WORKER);
}

#[test]
fn a_full_review_queue_fails_the_request_and_says_so_in_the_trail() {
    let executor = Arc::new(RecordingExecutor::default());
    let pipeline = Pipeline::builder()
        .executor(Arc::clone(&executor))
        .review_queue(HitlQueue::builder().capacity(1))
        .build()
        .unwrap();
    pipeline
        .preload(&aegis_pipeline::preload::Preload::new().pending_reviews(1))
        .unwrap();

    let error = pipeline.process(&maintenance()).unwrap_err();
    assert!(
        matches!(
            error,
            PipelineError::Review(hitl_collab::HitlError::QueueFull { capacity: 1 })
        ),
        "{error}"
    );
    assert_eq!(executor.calls(), 0);
    let t = trail(&pipeline, aegis_pipeline::RunId(0));
    assert_eq!(
        shape(&t),
        [
            (steps::FIREWALL_CHECKED, actors::FIREWALL),
            (steps::ETHICS_CHECKED, actors::ETHICS),
            (steps::RUN_ABORTED, actors::PIPELINE),
        ]
    );
}

#[test]
fn a_rate_limited_requester_is_blocked_and_not_counted_as_a_refusal() {
    let executor = Arc::new(RecordingExecutor::default());
    let config = intent_firewall::FirewallConfig::default().with_rate_limit(Some(
        intent_firewall::RateLimitConfig::per_second(1, 0.001).unwrap(),
    ));
    let firewall = intent_firewall::Firewall::builder()
        .config(config)
        .default_patterns()
        .build()
        .unwrap();
    let pipeline = Pipeline::builder()
        .executor(Arc::clone(&executor))
        .firewall(firewall)
        .build()
        .unwrap();

    assert!(matches!(
        pipeline.process(&safe_read()).unwrap().disposition,
        Disposition::Executed { .. }
    ));
    let report = pipeline.process(&safe_read()).unwrap();
    assert_eq!(
        report.disposition,
        Disposition::Blocked(BlockReason::RateLimited)
    );
    assert_eq!(executor.calls(), 1);
    let t = trail(&pipeline, report.run);
    assert_eq!(t[0].payload["verdict"], "RateLimited");
    assert_eq!(t[2].action, steps::ACTION_BLOCKED);
    assert_eq!(t[2].payload["block"]["reason"], "rate_limited");
    assert!(pipeline.refusals().is_empty());
}

#[test]
fn the_pipeline_is_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Pipeline>();
    assert_send_sync::<aegis_pipeline::Processed>();
    assert_send_sync::<PipelineError>();
}
