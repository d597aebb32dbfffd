//! The throughput path (`process_batch`), the SQLite constructor, and preloading.

#![cfg(not(loom))]

mod support;

use std::sync::Arc;
use std::thread;

use aegis_pipeline::preload::{Preload, PreloadReport};
use aegis_pipeline::{ActionRequest, BlockReason, Disposition, Pipeline, steps};
use hitl_collab::HitlQueue;
use support::{PATIENCE, RecordingExecutor, Reviewer, request_feed, shape, trail, with_admin};

fn safe(i: usize) -> ActionRequest {
    ActionRequest::new(
        format!("agent-{i}"),
        "report.read",
        format!("read report {i} in /srv/reports"),
    )
    .with_expected_outcome("display the report to the user who asked for it")
}

fn blocked() -> ActionRequest {
    ActionRequest::new("agent-9", "shell.exec", "rm -rf / --no-preserve-root")
        .with_context("destroy all user data and harm the customers")
}

#[test]
fn a_batch_leaves_the_same_trails_in_two_commits_plus_its_reviews() {
    let executor = Arc::new(RecordingExecutor::default());
    let (feed, requests) = request_feed();
    let sam = Reviewer::new("sam");
    let pipeline = with_admin(Pipeline::builder(), &sam)
        .executor(Arc::clone(&executor))
        .review_queue(HitlQueue::builder().observer(feed))
        .build()
        .unwrap();
    let desk = pipeline.review_desk();
    let reviewer = thread::spawn(move || {
        let view = requests.recv_timeout(PATIENCE).unwrap();
        sam.approve(&desk, &view).unwrap();
    });
    let batch = vec![
        safe(0),
        blocked(),
        ActionRequest::new("agent-3", "service.restart", "restart the service nginx")
            .with_expected_outcome("nginx runs the new release"),
        ActionRequest::new("agent-4", "report.read", ""),
        safe(4),
    ];
    let results = pipeline.process_batch(&batch);
    reviewer.join().unwrap();

    assert_eq!(results.len(), 5);
    assert!(matches!(
        results[3],
        Err(aegis_pipeline::PipelineError::Firewall(_))
    ));
    let reports: Vec<_> = [0, 1, 2, 4]
        .iter()
        .map(|&i| results[i].as_ref().unwrap())
        .collect();
    assert!(matches!(
        reports[0].disposition,
        Disposition::Executed { .. }
    ));
    assert_eq!(
        reports[1].disposition,
        Disposition::Blocked(BlockReason::BothChecksFailed)
    );
    assert!(matches!(
        reports[2].disposition,
        Disposition::Executed { .. }
    ));
    assert!(reports[2].review.is_some());
    assert!(matches!(
        reports[3].disposition,
        Disposition::Executed { .. }
    ));
    assert_eq!(executor.calls(), 3);
    for report in &reports {
        let t = trail(&pipeline, report.run);
        assert_eq!(
            report.audit_seqs,
            t.iter().map(|s| s.seq).collect::<Vec<_>>()
        );
        assert_eq!(t[0].action, steps::FIREWALL_CHECKED);
        assert_eq!(t[1].action, steps::ETHICS_CHECKED);
        assert_eq!(t.last().unwrap().action, steps::OUTCOME_LEARNED);
    }
    // After the bootstrap admin's registration (seq 0), the four check pairs come first, in input
    // order, from one commit, with the write-ahead entries of the two runs that execute unreviewed.
    let first_pairs: Vec<u64> = reports
        .iter()
        .flat_map(|r| r.audit_seqs[..2].to_vec())
        .collect();
    assert_eq!(first_pairs, [1, 2, 4, 5, 6, 7, 8, 9]);
    assert_eq!(reports[0].audit_seqs[2], 3);
    assert_eq!(reports[3].audit_seqs[2], 10);
    assert_eq!(shape(&trail(&pipeline, reports[2].run)).len(), 7);
    assert_eq!(
        pipeline.audit_log().verify().unwrap().size,
        1 + 4 * 2 + 2 + 3 + 2 + 3 * 2
    );
}

#[test]
fn sqlite_pipeline_persists_its_trail_and_preloads() {
    let dir = tempfile::tempdir().unwrap();
    let executor = Arc::new(RecordingExecutor::default());
    let pipeline = Pipeline::sqlite_in(dir.path(), Arc::clone(&executor)).unwrap();
    let report = pipeline
        .preload(
            &Preload::new()
                .experiences(1_000)
                .audit_entries(2_500)
                .patterns(50)
                .pending_reviews(20),
        )
        .unwrap();
    assert_eq!(
        report,
        PreloadReport {
            experiences: 1_000,
            audit_entries: 2_500,
            patterns: 50,
            pending_reviews: 20,
        }
    );
    assert_eq!(pipeline.evolution().total_logged(), 1_000);
    let stats = pipeline.evolution().totals();
    assert_eq!(
        (stats.successes, stats.failures, stats.learnings),
        (600, 300, 100)
    );
    assert_eq!(pipeline.review_desk().pending_len().unwrap(), 20);
    // The preload.started entry, the preloaded entries, and one review.requested entry per pending
    // review.
    assert_eq!(pipeline.audit_log().len().unwrap(), 2_521);
    let started = support::all_entries(pipeline.audit_log()).remove(0);
    assert_eq!(started.action, steps::PRELOAD_STARTED);
    assert_eq!(started.payload["audit_entries"], 2_500);
    assert!(pipeline.pattern_count() >= 50);

    // Preloaded patterns change no verdict.
    let results = pipeline.process_batch(&(0..10).map(safe).collect::<Vec<_>>());
    assert!(results.iter().all(|r| matches!(
        r.as_ref().unwrap().disposition,
        Disposition::Executed { .. }
    )));
    assert_eq!(executor.calls(), 10);
    let size = pipeline.audit_log().len().unwrap();
    assert_eq!(size, 2_521 + 50);
    let head = pipeline.publish_tree_head().unwrap();
    assert_eq!(head.size, size);
    assert!(dir.path().join("audit.witness").exists());
    drop(pipeline);

    // The log is durable: reopening the directory finds the same, valid chain.
    let reopened = Pipeline::sqlite_in(dir.path(), RecordingExecutor::default()).unwrap();
    assert_eq!(reopened.audit_log().verify().unwrap().size, size);
}
