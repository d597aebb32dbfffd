//! The five end-to-end workflows (`workflow_cases`) on the PostgreSQL review queue, each on a queue of
//! its own (AEGIS_POSTGRES_URL, a libpq `key=value` string; start a server with
//! `eval "$(scripts/postgres.sh start)"`). Without the variable the tests fail when `CI` is set and
//! otherwise say how to start a server and pass. The audit log is in PostgreSQL too (`PostgresStore`,
//! a schema of its own per test), so every step of every workflow goes through the server.

#![cfg(not(loom))]

mod support;
mod workflow_cases;

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use aegis_pipeline::ReviewBackend;
use audit_system::{AuditLog, Limits, LogKey, PostgresStore};
use hitl_collab::PgQueue;
use support::RequestFeed;
use workflow_cases::Fixture;

/// The workflow fixture with its review queue and its audit log in PostgreSQL, or `None` (outside CI)
/// after saying how to start a server.
fn on_postgres() -> Option<Fixture> {
    let url = match std::env::var("AEGIS_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => url,
        _ => {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI is set but AEGIS_POSTGRES_URL is not: the PostgreSQL tests must run in CI \
                 (eval \"$(scripts/postgres.sh start)\")"
            );
            eprintln!(
                "skipped: AEGIS_POSTGRES_URL is not set; start a server with \
                 `eval \"$(scripts/postgres.sh start)\"` and run again"
            );
            return None;
        }
    };
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let queue = format!(
        "wf_{}_{}_{}",
        std::process::id(),
        nanos % 1_000_000,
        NEXT.fetch_add(1, Ordering::SeqCst)
    );
    let store = PostgresStore::connect(&url, &format!("aegis_pipeline_{queue}")).unwrap();
    let audit = AuditLog::with_store(store, LogKey::generate(), Limits::default()).unwrap();
    Some(workflow_cases::fixture_with_audit(
        move |feed: RequestFeed| -> ReviewBackend {
            PgQueue::builder(url, queue)
                .schema("aegis_pipeline_test")
                .observer(feed)
                .into()
        },
        Some(Arc::new(audit)),
    ))
}

#[test]
fn workflow_1_safe_action_executes_after_a_write_ahead_entry() {
    if let Some(fixture) = on_postgres() {
        workflow_cases::workflow_1_safe_action_executes_after_a_write_ahead_entry(fixture);
    }
}

#[test]
fn workflow_2_unsafe_system_file_delete_is_blocked_without_review() {
    if let Some(fixture) = on_postgres() {
        workflow_cases::workflow_2_unsafe_system_file_delete_is_blocked_without_review(fixture);
    }
}

#[test]
fn workflow_2b_critical_pattern_with_an_ethical_purpose_needs_an_admin() {
    if let Some(fixture) = on_postgres() {
        workflow_cases::workflow_2b_critical_pattern_with_an_ethical_purpose_needs_an_admin(
            fixture,
        );
    }
}

#[test]
fn workflow_3_unethical_bulk_email_gets_critical_review_is_rejected_and_learned() {
    if let Some(fixture) = on_postgres() {
        workflow_cases::workflow_3_unethical_bulk_email_gets_critical_review_is_rejected_and_learned(fixture);
    }
}

#[test]
fn workflow_4_borderline_maintenance_is_approved_executed_and_logged() {
    if let Some(fixture) = on_postgres() {
        workflow_cases::workflow_4_borderline_maintenance_is_approved_executed_and_logged(fixture);
    }
}

#[test]
fn workflow_5_third_rejection_blocks_the_pattern_without_review() {
    if let Some(fixture) = on_postgres() {
        workflow_cases::workflow_5_third_rejection_blocks_the_pattern_without_review(fixture);
    }
}
