#![cfg(not(loom))]
//! Consistency checks through the engine: contradictions, limits, and linear cost.

use love_engine::{FindingKind, LoveConfig, LoveEngine, LoveError};

#[test]
fn contradiction_unsupported_and_hedge_are_reported_with_reasons() {
    let e = LoveEngine::new();
    let r = e
        .detect_hallucination(
            "Acme Corp probably has 14 employees and Initech Labs bought it on 2024-05-01.",
            "Acme Corp has 12 employees. It was founded on 2019-02-11.",
        )
        .unwrap_or_else(|err| panic!("{err}"));
    let kinds: Vec<FindingKind> = r.findings.iter().map(|f| f.kind).collect();
    assert!(
        kinds.contains(&FindingKind::Contradicted),
        "{:?}",
        r.findings
    );
    assert!(kinds.contains(&FindingKind::Unsupported));
    assert!(kinds.contains(&FindingKind::Hedge));
    assert!(r.findings.iter().all(|f| !f.reason.is_empty()));
    assert!(r.hallucination_risk() > 0.5);
    assert!(!r.consistent);
}

#[test]
fn oversized_text_is_a_typed_error() {
    let e = LoveEngine::with_config(LoveConfig {
        max_text_bytes: 10,
        ..LoveConfig::default()
    })
    .unwrap_or_else(|err| panic!("{err}"));
    assert_eq!(
        e.detect_hallucination("this is longer than ten", ""),
        Err(LoveError::TextTooLarge { len: 23, max: 10 })
    );
    assert!(matches!(
        e.detect_hallucination("", "this is longer than ten"),
        Err(LoveError::TextTooLarge { .. })
    ));
}

/// Claim counts grow exactly linearly with the text: the work is one pass, not pairwise.
#[test]
fn claims_scale_linearly_with_text() {
    let e = LoveEngine::new();
    let unit = "Acme Corp runs 12 servers and Globex Ltd sold 4711 units in 2020. ";
    let small = e
        .detect_hallucination(&unit.repeat(10), unit)
        .unwrap_or_else(|err| panic!("{err}"));
    let large = e
        .detect_hallucination(&unit.repeat(1000), unit)
        .unwrap_or_else(|err| panic!("{err}"));
    assert_eq!(large.claims, small.claims * 100);
    assert_eq!(large.unsupported, 0);
}
