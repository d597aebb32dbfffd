#![cfg(not(loom))]
//! Behaviour of `check_ethics` on realistic actions: what must score low, what must score high,
//! negation, evidence, validation and the recorded history.

use love_engine::{
    Action, ConcernReason, Dimension, Field, LoveConfig, LoveEngine, LoveError, Verdict,
};
use serde_json::json;

fn engine() -> LoveEngine {
    LoveEngine::new()
}

fn check(action: &Action) -> love_engine::EthicalAssessment {
    engine()
        .check_ethics(action)
        .unwrap_or_else(|e| panic!("valid action rejected: {e}"))
}

#[test]
fn plain_read_scores_high_and_is_approved() {
    let a = check(
        &Action::new("read_report")
            .with_parameter("path", "reports/q3.csv")
            .with_expected_outcome("display the quarterly report to the user who requested it"),
    );
    assert_eq!(a.verdict, Verdict::Approved);
    assert!(a.overall >= 0.75, "{}", a.overall);
    assert!(a.concerns.is_empty(), "{:?}", a.concerns);
}

#[test]
fn bulk_unsolicited_email_scores_low() {
    let a = check(
        &Action::new("send_bulk_email")
            .with_json(json!({"recipients": "all customers", "subject": "Buy now"}))
            .with_expected_outcome("promotion reaches 1M inboxes")
            .with_context("unsolicited marketing campaign"),
    );
    assert_ne!(a.verdict, Verdict::Approved);
    assert!(a.overall < 0.5, "{}", a.overall);
    assert!(
        a.scores.autonomy < 0.3 && a.scores.beneficence < 0.4,
        "{:?}",
        a.scores
    );
}

#[test]
fn spam_without_consent_is_rejected() {
    let a = check(&Action::new("send_email").with_context("spam every address without consent"));
    assert_eq!(a.verdict, Verdict::Rejected);
}

#[test]
fn deleting_user_data_scores_low() {
    let a = check(
        &Action::new("delete_user_data")
            .with_parameter("scope", "all customer data")
            .with_context("permanently wipe accounts"),
    );
    assert_ne!(a.verdict, Verdict::Approved);
    assert!(a.scores.harm < 0.1, "{:?}", a.scores);
    assert!(a.overall < 0.5, "{}", a.overall);
}

#[test]
fn deception_discrimination_and_bypassing_consent_score_low() {
    for (action, dimension) in [
        (
            Action::new("reply").with_context("deceive the customer about the refund"),
            Dimension::Transparency,
        ),
        (
            Action::new("rank_applicants").with_context("discriminate based on gender"),
            Dimension::Fairness,
        ),
        (
            Action::new("enable_tracking").with_context("bypass consent settings"),
            Dimension::Autonomy,
        ),
    ] {
        let a = check(&action);
        assert!(a.scores.get(dimension) < 0.2, "{action:?}: {:?}", a.scores);
        assert_ne!(a.verdict, Verdict::Approved, "{action:?}");
        assert!(a.concerns.iter().any(|c| c.dimension == dimension));
    }
}

#[test]
fn will_not_delete_is_not_delete() {
    let plain = check(&Action::new("cleanup").with_context("delete the user files"));
    let negated = check(&Action::new("cleanup").with_context("will not delete the user files"));
    assert!(negated.scores.harm > plain.scores.harm);
    assert!(negated.concerns.is_empty(), "{:?}", negated.concerns);
    assert_eq!(negated.negated.len(), 1);
    assert_eq!(negated.negated[0].negator, "not");
    for text in [
        "don't delete anything",
        "never delete anything",
        "we do not ever delete",
        "without deleting anything",
    ] {
        let a = check(&Action::new("cleanup").with_context(text));
        assert!(a.concerns.is_empty(), "{text}: {:?}", a.concerns);
    }
}

#[test]
fn negated_safeguard_is_a_concern() {
    let a = check(&Action::new("migrate").with_context("there is no backup"));
    assert!(a.concerns.iter().any(|c| matches!(
        &c.reason,
        ConcernReason::NegatedSupport { negator } if negator == "no"
    )));
}

#[test]
fn evidence_quotes_the_original_words() {
    let action = Action::new("Send_Bulk_Email")
        .with_parameter("note", "Sent WITHOUT Consent")
        .with_context("fine");
    let a = check(&action);
    let bulk = a
        .concerns
        .iter()
        .find(|c| c.evidence.phrase == "bulk email")
        .unwrap_or_else(|| panic!("no bulk email concern in {:?}", a.concerns));
    assert_eq!(bulk.evidence.field, Field::ActionType);
    assert_eq!(action.quote(&bulk.evidence), Some("Bulk_Email"));
    let consent = a
        .concerns
        .iter()
        .find(|c| c.evidence.phrase == "without consent")
        .unwrap_or_else(|| panic!("no consent concern in {:?}", a.concerns));
    assert_eq!(consent.evidence.field, Field::Parameter { index: 1 });
    assert_eq!(action.quote(&consent.evidence), Some("WITHOUT Consent"));
}

#[test]
fn threshold_is_enforced() {
    let action = Action::new("read_report").with_context("summary for the team");
    let strict = LoveEngine::with_threshold(0.95).unwrap_or_else(|e| panic!("{e}"));
    let lax = LoveEngine::with_threshold(0.5).unwrap_or_else(|e| panic!("{e}"));
    let s = strict
        .check_ethics(&action)
        .unwrap_or_else(|e| panic!("{e}"));
    let l = lax.check_ethics(&action).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s.overall, l.overall);
    assert_eq!(l.verdict, Verdict::Approved);
    assert_ne!(s.verdict, Verdict::Approved);
    assert_eq!(s.threshold, 0.95);
}

#[test]
fn bad_input_gets_typed_errors() {
    let e = engine();
    assert_eq!(
        e.check_ethics(&Action::new("  ")),
        Err(LoveError::EmptyActionType)
    );
    let small = LoveEngine::with_config(LoveConfig {
        max_action_bytes: 16,
        ..LoveConfig::default()
    })
    .unwrap_or_else(|err| panic!("{err}"));
    assert!(matches!(
        small.check_ethics(&Action::new("read").with_json(json!({"k": "x".repeat(40)}))),
        Err(LoveError::ActionTooLarge { max: 16, .. })
    ));
    assert!(matches!(
        LoveEngine::with_threshold(1.5),
        Err(LoveError::ThresholdOutOfRange { .. })
    ));
    assert_eq!(e.history_len(), 0, "failed checks are not recorded");
}

#[test]
fn alignment_comes_from_history() {
    let e = engine();
    assert_eq!(e.evaluate_alignment(), Err(LoveError::NoHistory));
    let good = Action::new("read_report").with_context("summary requested by the user");
    let bad = Action::new("send_email").with_context("spam without consent");
    for _ in 0..3 {
        e.check_ethics(&bad).unwrap_or_else(|err| panic!("{err}"));
    }
    for _ in 0..3 {
        e.check_ethics(&good).unwrap_or_else(|err| panic!("{err}"));
    }
    let r = e.evaluate_alignment().unwrap_or_else(|err| panic!("{err}"));
    assert_eq!(r.assessments, 6);
    assert!((r.approval_rate - 0.5).abs() < 1e-12);
    assert!((r.rejection_rate - 0.5).abs() < 1e-12);
    assert!(
        r.trend > 0.0,
        "bad then good is an improving trend: {}",
        r.trend
    );
    let good_only = engine();
    good_only
        .check_ethics(&good)
        .unwrap_or_else(|err| panic!("{err}"));
    let g = good_only
        .evaluate_alignment()
        .unwrap_or_else(|err| panic!("{err}"));
    assert!(g.alignment_score > r.alignment_score);
    assert_eq!(g.trend, 0.0);
}

#[test]
fn history_is_bounded_and_keeps_the_newest() {
    let e = LoveEngine::with_config(LoveConfig {
        history_capacity: 4,
        ..LoveConfig::default()
    })
    .unwrap_or_else(|err| panic!("{err}"));
    for i in 0..10 {
        let text = if i < 6 { "spam" } else { "summary" };
        e.check_ethics(&Action::new("act").with_context(text))
            .unwrap_or_else(|err| panic!("{err}"));
    }
    assert_eq!(e.history_len(), 4);
    assert_eq!(e.total_assessments(), 10);
    let records = e.history();
    assert_eq!(records[0].sequence, 6);
    assert!(records.iter().all(|r| r.verdict == Verdict::Approved));
}

#[test]
fn engine_is_shareable_across_threads() {
    let e = std::sync::Arc::new(engine());
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let e = std::sync::Arc::clone(&e);
            std::thread::spawn(move || {
                for _ in 0..50 {
                    let _ = e.check_ethics(&Action::new("read").with_context("report"));
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap_or_else(|_| panic!("worker panicked"));
    }
    assert_eq!(e.total_assessments(), 200);
}

#[test]
fn json_parameters_are_scanned_in_document_order_and_quoted() {
    let action = Action::new("update").with_json(json!({
        "a_note": "keep a backup",
        "b_steps": ["read", {"c_mode": "Delete records"}]
    }));
    let a = check(&action);
    // Visit order: keys a_note, b_steps; "keep a backup"; "read"; key c_mode; "Delete records".
    let delete = a
        .concerns
        .iter()
        .find(|c| c.evidence.phrase == "delete")
        .unwrap_or_else(|| panic!("{:?}", a.concerns));
    assert_eq!(delete.evidence.field, Field::Parameter { index: 5 });
    assert_eq!(action.quote(&delete.evidence), Some("Delete"));
    let phrases: Vec<&str> = a
        .supports
        .iter()
        .map(|s| s.evidence.phrase.as_ref())
        .collect();
    assert_eq!(phrases, ["backup", "read"]);
}

#[test]
fn deeply_nested_json_does_not_overflow() {
    let mut value = json!("wipe everything");
    for _ in 0..100_000 {
        value = serde_json::Value::Array(vec![value]);
    }
    let action = Action::new("nested").with_json(value);
    let a = check(&action);
    assert!(a.concerns.iter().any(|c| c.evidence.phrase == "wipe"));
    // serde_json drops nested values recursively; hand it back in pieces to keep the test safe.
    let mut v = action.parameters;
    while let love_engine::Parameters::Json(serde_json::Value::Array(mut items)) = v {
        v = match items.pop() {
            Some(inner) => love_engine::Parameters::Json(inner),
            None => break,
        };
    }
}

#[test]
fn breakers_and_clauses_end_negation() {
    let a = check(&Action::new("task").with_context("no backups, but delete the logs"));
    assert!(a.concerns.iter().any(|c| c.evidence.phrase == "delete"));
    let b = check(&Action::new("task").with_context("never share it; deceive them"));
    assert!(b.concerns.iter().any(|c| c.evidence.phrase == "deceive"));
}

#[test]
fn fairness_and_transparency_support_raise_scores() {
    let plain = check(&Action::new("rank_applicants"));
    let fair = check(
        &Action::new("rank_applicants")
            .with_context("fair and unbiased ranking, disclosed to every applicant"),
    );
    assert!(fair.scores.fairness > plain.scores.fairness);
    assert!(fair.scores.transparency > plain.scores.transparency);
    assert!(fair.overall > plain.overall);
}

#[test]
fn oversized_key_value_parameters_are_rejected() {
    let e = LoveEngine::with_config(LoveConfig {
        max_action_bytes: 64,
        ..LoveConfig::default()
    })
    .unwrap_or_else(|err| panic!("{err}"));
    let action = Action::new("read").with_parameter("k", "v".repeat(100));
    assert_eq!(
        e.check_ethics(&action),
        Err(LoveError::ActionTooLarge { len: 105, max: 64 })
    );
}
