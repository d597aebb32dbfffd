//! A pipeline whose audit log is a `SharedLog` fails closed exactly as on SQLite: when the server
//! refuses a commit, the request stops at that step with `PipelineError::Audit` (and a control-plane
//! change with `PipelineError::ControlAudit`), the executor does not run for a refused write-ahead
//! entry, and once the server accepts commits again the pipeline goes on and the log verifies.
//! The server is made to refuse with a trigger on the log's `entries` table (AEGIS_POSTGRES_URL;
//! without it the tests fail under `CI` and otherwise say how to start a server).

#![cfg(not(loom))]

mod pg_support;
mod support;

use std::sync::Arc;

use aegis_pipeline::{ActionRequest, Disposition, Pipeline, PipelineError, steps};
use audit_system::{AuditError, LogKey, SharedLog};
use intent_firewall::{Pattern, PatternCategory, Severity};
use support::{RecordingExecutor, all_entries};

fn safe(i: u64) -> ActionRequest {
    ActionRequest::new(
        "agent-7",
        "report.read",
        format!("read report {i} in /srv/reports"),
    )
    .with_expected_outcome("display the report to the user who asked for it")
}

/// A pipeline on a fresh shared log, the log, its schema and the executor.
fn on_shared_log(url: &str) -> (Pipeline, Arc<SharedLog>, String, Arc<RecordingExecutor>) {
    let schema = format!("aegis_pipeline_{}", pg_support::fresh("failclosed"));
    let log = Arc::new(SharedLog::connect(url, &schema, LogKey::generate()).unwrap());
    let executor = Arc::new(RecordingExecutor::default());
    let pipeline = Pipeline::builder()
        .without_rate_limit()
        .shared_audit_log(Arc::clone(&log))
        .executor(Arc::clone(&executor))
        .build()
        .unwrap();
    (pipeline, log, schema, executor)
}

/// Makes the server refuse every insert into the log's entries whose action is `action` (any
/// action when `None`).
fn refuse(admin: &mut postgres::Client, action: Option<&str>) {
    let when = action.map_or(String::new(), |a| format!("WHEN (NEW.action = '{a}')"));
    admin
        .batch_execute(&format!(
            "CREATE OR REPLACE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS \
             $$ BEGIN RAISE EXCEPTION 'the test refuses this entry'; END $$;
             DROP TRIGGER IF EXISTS refuse ON entries;
             CREATE TRIGGER refuse BEFORE INSERT ON entries FOR EACH ROW {when} \
             EXECUTE FUNCTION refuse();"
        ))
        .unwrap();
}

fn accept(admin: &mut postgres::Client) {
    admin
        .batch_execute("DROP TRIGGER IF EXISTS refuse ON entries")
        .unwrap();
}

fn is_commit_failure(source: &AuditError) -> bool {
    matches!(source, AuditError::CommitFailed { .. })
}

#[test]
fn a_refused_commit_refuses_the_request_and_the_pipeline_recovers() {
    let Some(url) = pg_support::url() else { return };
    let (pipeline, log, schema, executor) = on_shared_log(&url);
    let mut admin = pg_support::admin(&url, &schema);
    pipeline.process(&safe(0)).unwrap();
    assert_eq!(executor.calls(), 1);

    // The first commit (the checks and the write-ahead entry) is refused: nothing runs.
    refuse(&mut admin, None);
    let refused = pipeline.process(&safe(1));
    match &refused {
        Err(PipelineError::Audit { step, source, .. }) => {
            assert_eq!(*step, steps::FIREWALL_CHECKED);
            assert!(is_commit_failure(source), "{source}");
        }
        other => panic!("expected an audit error at the checks, got {other:?}"),
    }
    assert_eq!(
        executor.calls(),
        1,
        "the executor ran without its write-ahead entry"
    );
    // A batch is refused as a whole, and none of it runs.
    let batch = pipeline.process_batch(&[safe(2), safe(3)]);
    assert!(
        batch
            .iter()
            .all(|r| matches!(r, Err(PipelineError::Audit { step, .. }) if *step == steps::FIREWALL_CHECKED)),
        "{batch:?}"
    );
    assert_eq!(executor.calls(), 1);

    // Only the last commit (after the executor ran) is refused: the error says so, and the log
    // holds the run's write-ahead entry but no claim that the action completed.
    refuse(&mut admin, Some(steps::OUTCOME_LEARNED));
    match pipeline.process(&safe(4)) {
        Err(PipelineError::Audit { step, run, source }) => {
            assert_eq!(step, steps::ACTION_EXECUTED);
            assert!(is_commit_failure(&source), "{source}");
            let trail: Vec<String> = all_entries(pipeline.audit_log())
                .into_iter()
                .filter(|s| s.payload["run"] == run.0)
                .map(|s| s.action)
                .collect();
            assert_eq!(
                trail,
                [
                    steps::FIREWALL_CHECKED,
                    steps::ETHICS_CHECKED,
                    steps::ACTION_EXECUTING
                ]
            );
        }
        other => panic!("expected an audit error after execution, got {other:?}"),
    }
    assert_eq!(executor.calls(), 2);

    // A control-plane change whose entry is refused is not made.
    refuse(&mut admin, None);
    let before = pipeline.pattern_count();
    let pattern = Pattern::new(
        "test.marker",
        "zqxtestmarker",
        Severity::new(0.5).unwrap(),
        PatternCategory::Custom,
    )
    .unwrap();
    assert!(matches!(
        pipeline.add_patterns(vec![pattern]),
        Err(PipelineError::ControlAudit { step, .. }) if step == steps::PATTERNS_ADDED
    ));
    assert_eq!(pipeline.pattern_count(), before);

    // The server accepts commits again: the pipeline goes on, and the log verifies.
    accept(&mut admin);
    let report = pipeline.process(&safe(5)).unwrap();
    assert!(matches!(report.disposition, Disposition::Executed { .. }));
    assert_eq!(executor.calls(), 3);
    let size = log.verify().unwrap().size;
    // pipeline.started, then the runs' entries.
    assert_eq!(size, 1 + 5 + 3 + 5);
    assert_eq!(pipeline.audit_log().len().unwrap(), size);
    pg_support::drop_schema(&url, &schema);
}
