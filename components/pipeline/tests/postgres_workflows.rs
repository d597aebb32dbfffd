//! The five end-to-end workflows (`workflow_cases`) on the PostgreSQL review queue, each on a queue of
//! its own (AEGIS_POSTGRES_URL, a libpq `key=value` string; start a server with
//! `eval "$(scripts/postgres.sh start)"`). Without the variable the tests fail when `CI` is set and
//! otherwise say how to start a server and pass. The audit log is the default (in memory).

#![cfg(not(loom))]

mod support;
mod workflow_cases;

use std::sync::atomic::{AtomicU32, Ordering};

use aegis_pipeline::ReviewBackend;
use hitl_collab::PgQueue;
use support::RequestFeed;

/// A review queue in PostgreSQL no other test (or earlier run) uses, or `None` (outside CI) after
/// saying how to start a server.
fn on_postgres() -> Option<impl FnOnce(RequestFeed) -> ReviewBackend> {
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
    Some(move |feed: RequestFeed| {
        PgQueue::builder(url, queue)
            .schema("aegis_pipeline_test")
            .observer(feed)
            .into()
    })
}

#[test]
fn workflow_1_safe_action_executes_after_a_write_ahead_entry() {
    if let Some(backend) = on_postgres() {
        workflow_cases::workflow_1_safe_action_executes_after_a_write_ahead_entry(
            workflow_cases::fixture(backend),
        );
    }
}

#[test]
fn workflow_2_unsafe_system_file_delete_is_blocked_without_review() {
    if let Some(backend) = on_postgres() {
        workflow_cases::workflow_2_unsafe_system_file_delete_is_blocked_without_review(
            workflow_cases::fixture(backend),
        );
    }
}

#[test]
fn workflow_2b_critical_pattern_with_an_ethical_purpose_needs_an_admin() {
    if let Some(backend) = on_postgres() {
        workflow_cases::workflow_2b_critical_pattern_with_an_ethical_purpose_needs_an_admin(
            workflow_cases::fixture(backend),
        );
    }
}

#[test]
fn workflow_3_unethical_bulk_email_gets_critical_review_is_rejected_and_learned() {
    if let Some(backend) = on_postgres() {
        workflow_cases::workflow_3_unethical_bulk_email_gets_critical_review_is_rejected_and_learned(workflow_cases::fixture(backend));
    }
}

#[test]
fn workflow_4_borderline_maintenance_is_approved_executed_and_logged() {
    if let Some(backend) = on_postgres() {
        workflow_cases::workflow_4_borderline_maintenance_is_approved_executed_and_logged(
            workflow_cases::fixture(backend),
        );
    }
}

#[test]
fn workflow_5_third_rejection_blocks_the_pattern_without_review() {
    if let Some(backend) = on_postgres() {
        workflow_cases::workflow_5_third_rejection_blocks_the_pattern_without_review(
            workflow_cases::fixture(backend),
        );
    }
}
