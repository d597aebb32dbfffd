//! The gate cannot be walked around: every field the executor gets is screened, nothing executes
//! without a write-ahead audit entry, a large output is still audited, and the rate limit is keyed on
//! the identity the operator gave the pipeline, not on the caller's `requester` label.

#![cfg(not(loom))]

mod support;

use std::sync::Arc;

use aegis_pipeline::{ActionRequest, Disposition, ExecutionError, Executor, Pipeline, RunId};
use audit_system::{AuditLog, Limits, LogKey};
use hitl_collab::HitlQueue;
use serde_json::{Value, json};
use support::{FlakyDisk, RecordingExecutor, trail};

/// A pipeline whose review queue is already full (one preloaded review, capacity 1): any request
/// that needs a review fails at once with `QueueFull` instead of waiting for a reviewer.
fn no_room_for_review(executor: &Arc<RecordingExecutor>) -> Pipeline {
    let pipeline = Pipeline::builder()
        .executor(Arc::clone(executor))
        .review_queue(HitlQueue::builder().capacity(1))
        .build()
        .unwrap();
    pipeline
        .preload(&aegis_pipeline::preload::Preload::new().pending_reviews(1))
        .unwrap();
    pipeline
}

#[test]
fn a_command_in_the_parameters_is_screened_like_one_in_the_content() {
    let executor = Arc::new(RecordingExecutor::default());
    let pipeline = no_room_for_review(&executor);
    let request = ActionRequest::new("agent-7", "shell.exec", "check disk")
        .with_parameters(json!({"bin": "rm", "args": ["-rf", "/"]}));
    let result = pipeline.process(&request);
    assert!(
        !matches!(&result, Ok(r) if matches!(r.disposition, Disposition::Executed { .. })),
        "rm -rf / in the parameters executed: {result:?}"
    );
    assert_eq!(executor.calls(), 0);
    let t = trail(&pipeline, RunId(0));
    assert_ne!(t[0].payload["verdict"], "Allow");
}

#[test]
fn the_context_and_expected_outcome_are_screened_too() {
    let executor = Arc::new(RecordingExecutor::default());
    let pipeline = no_room_for_review(&executor);
    let request = ActionRequest::new("agent-7", "shell.exec", "tidy up")
        .with_expected_outcome("then run rm -rf / --no-preserve-root");
    let _ = pipeline.process(&request);
    assert_eq!(executor.calls(), 0);
    assert_ne!(trail(&pipeline, RunId(0))[0].payload["verdict"], "Allow");
}

/// Returns an output far over the audit log's 64 KiB payload limit.
struct Verbose;

impl Executor for Verbose {
    fn execute(&self, _: &ActionRequest) -> Result<Value, ExecutionError> {
        Ok(json!({ "log": "x".repeat(200 * 1024) }))
    }
}

#[test]
fn an_output_over_the_payload_limit_is_audited_by_digest() {
    let pipeline = Pipeline::in_memory(Verbose).unwrap();
    let request = ActionRequest::new("agent-7", "report.read", "read the report in /srv/reports")
        .with_expected_outcome("display the report to the user who asked for it");
    let report = pipeline.process(&request).unwrap();
    let Disposition::Executed { output } = &report.disposition else {
        panic!("not executed: {report:?}");
    };
    assert_eq!(output["log"].as_str().map(str::len), Some(200 * 1024));
    let t = trail(&pipeline, report.run);
    let executed = t.iter().find(|s| s.action == "action.executed").unwrap();
    assert!(executed.payload["output"]["bytes"].as_u64().unwrap() > 200 * 1024);
    assert_eq!(
        executed.payload["output"]["sha256"].as_str().map(str::len),
        Some(64)
    );
    pipeline.audit_log().verify().unwrap();
}

#[test]
fn an_action_whose_write_ahead_entry_cannot_be_written_does_not_execute() {
    let executor = Arc::new(RecordingExecutor::default());
    let (disk, _) = FlakyDisk::new();
    *disk.fail_action.lock().unwrap() = Some("action.executing");
    let log = AuditLog::with_store(disk, LogKey::generate(), Limits::default()).unwrap();
    let pipeline = Pipeline::builder()
        .executor(Arc::clone(&executor))
        .audit_log(Arc::new(log))
        .build()
        .unwrap();
    let request = ActionRequest::new("agent-7", "report.read", "read the report in /srv/reports")
        .with_expected_outcome("display the report to the user who asked for it");
    assert!(pipeline.process(&request).is_err());
    assert_eq!(executor.calls(), 0, "executed without a write-ahead entry");
    let trail = support::all_entries(pipeline.audit_log());
    assert!(trail.iter().all(|s| s.action != "action.executed"));
}

#[test]
fn rotating_requester_names_does_not_refill_the_rate_limit() {
    let executor = Arc::new(RecordingExecutor::default());
    let config = intent_firewall::FirewallConfig::default().with_rate_limit(Some(
        intent_firewall::RateLimitConfig::per_second(2, 0.001).unwrap(),
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
    let dispositions: Vec<Disposition> = (0..5)
        .map(|i| {
            let request = ActionRequest::new(
                format!("agent-{i}"),
                "report.read",
                "read the report in /srv/reports",
            )
            .with_expected_outcome("display the report to the user who asked for it");
            pipeline.process(&request).unwrap().disposition
        })
        .collect();
    assert_eq!(executor.calls(), 2, "{dispositions:?}");
}
