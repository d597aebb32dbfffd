//! The five end-to-end workflows (`workflow_cases`) on the PostgreSQL review queue, each on a queue of
//! its own (AEGIS_POSTGRES_URL, a libpq `key=value` string; start a server with
//! `eval "$(scripts/postgres.sh start)"`). Without the variable the tests fail when `CI` is set and
//! otherwise say how to start a server and pass. The audit log is in PostgreSQL too, in a schema of
//! its own per test, once as a single-writer `PostgresStore` (module `store`) and once as the
//! `SharedLog` several pipeline processes can append to (module `shared`), so every step of every
//! workflow goes through the server on both.

#![cfg(not(loom))]

mod pg_support;
mod support;
mod workflow_cases;

use aegis_pipeline::{AuditBackend, ReviewBackend};
use hitl_collab::PgQueue;
use pg_support::PgAudit;
use support::RequestFeed;
use workflow_cases::Fixture;

/// The workflow fixture with its review queue and its audit log (`audit`) in PostgreSQL, or `None`
/// (outside CI) after saying how to start a server.
fn on_postgres(audit: PgAudit) -> Option<Fixture> {
    let url = pg_support::url()?;
    let queue = pg_support::fresh("wf");
    let set_audit = audit.setter(&url);
    let fixture = workflow_cases::fixture_with_audit(
        move |feed: RequestFeed| -> ReviewBackend {
            PgQueue::builder(url, queue)
                .schema("aegis_pipeline_test")
                .observer(feed)
                .into()
        },
        set_audit,
    );
    // The pipeline writes to a shared log exactly when it was given one.
    let shared = matches!(fixture.audit_log(), AuditBackend::Shared(_));
    assert_eq!(shared, matches!(audit, PgAudit::Shared), "{audit:?}");
    Some(fixture)
}

/// The five workflows as tests, on the audit log `$audit`.
macro_rules! workflows {
    ($module:ident, $audit:expr) => {
        mod $module {
            use super::*;

            #[test]
            fn workflow_1_safe_action_executes_after_a_write_ahead_entry() {
                if let Some(fixture) = on_postgres($audit) {
                    workflow_cases::workflow_1_safe_action_executes_after_a_write_ahead_entry(
                        fixture,
                    );
                }
            }

            #[test]
            fn workflow_2_unsafe_system_file_delete_is_blocked_without_review() {
                if let Some(fixture) = on_postgres($audit) {
                    workflow_cases::workflow_2_unsafe_system_file_delete_is_blocked_without_review(
                        fixture,
                    );
                }
            }

            #[test]
            fn workflow_2b_critical_pattern_with_an_ethical_purpose_needs_an_admin() {
                if let Some(fixture) = on_postgres($audit) {
                    workflow_cases::workflow_2b_critical_pattern_with_an_ethical_purpose_needs_an_admin(
                        fixture,
                    );
                }
            }

            #[test]
            fn workflow_3_unethical_bulk_email_gets_critical_review_is_rejected_and_learned() {
                if let Some(fixture) = on_postgres($audit) {
                    workflow_cases::workflow_3_unethical_bulk_email_gets_critical_review_is_rejected_and_learned(fixture);
                }
            }

            #[test]
            fn workflow_4_borderline_maintenance_is_approved_executed_and_logged() {
                if let Some(fixture) = on_postgres($audit) {
                    workflow_cases::workflow_4_borderline_maintenance_is_approved_executed_and_logged(
                        fixture,
                    );
                }
            }

            #[test]
            fn workflow_5_third_rejection_blocks_the_pattern_without_review() {
                if let Some(fixture) = on_postgres($audit) {
                    workflow_cases::workflow_5_third_rejection_blocks_the_pattern_without_review(
                        fixture,
                    );
                }
            }
        }
    };
}

workflows!(store, PgAudit::Store);
workflows!(shared, PgAudit::Shared);
