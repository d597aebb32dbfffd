//! The five end-to-end workflows (`workflow_cases`) on the in-memory review queue.

#![cfg(not(loom))]

mod support;
mod workflow_cases;

use aegis_pipeline::ReviewBackend;
use hitl_collab::HitlQueue;
use support::RequestFeed;

fn in_memory(feed: RequestFeed) -> ReviewBackend {
    HitlQueue::builder().observer(feed).into()
}

#[test]
fn workflow_1_safe_action_executes_after_a_write_ahead_entry() {
    workflow_cases::workflow_1_safe_action_executes_after_a_write_ahead_entry(
        workflow_cases::fixture(in_memory),
    );
}

#[test]
fn workflow_2_unsafe_system_file_delete_is_blocked_without_review() {
    workflow_cases::workflow_2_unsafe_system_file_delete_is_blocked_without_review(
        workflow_cases::fixture(in_memory),
    );
}

#[test]
fn workflow_2b_critical_pattern_with_an_ethical_purpose_needs_an_admin() {
    workflow_cases::workflow_2b_critical_pattern_with_an_ethical_purpose_needs_an_admin(
        workflow_cases::fixture(in_memory),
    );
}

#[test]
fn workflow_3_unethical_bulk_email_gets_critical_review_is_rejected_and_learned() {
    workflow_cases::workflow_3_unethical_bulk_email_gets_critical_review_is_rejected_and_learned(
        workflow_cases::fixture(in_memory),
    );
}

#[test]
fn workflow_4_borderline_maintenance_is_approved_executed_and_logged() {
    workflow_cases::workflow_4_borderline_maintenance_is_approved_executed_and_logged(
        workflow_cases::fixture(in_memory),
    );
}

#[test]
fn workflow_5_third_rejection_blocks_the_pattern_without_review() {
    workflow_cases::workflow_5_third_rejection_blocks_the_pattern_without_review(
        workflow_cases::fixture(in_memory),
    );
}
