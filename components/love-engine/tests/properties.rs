#![cfg(not(loom))]
//! Property tests: scores in range, determinism, monotonicity of harm, injected numbers found.

use love_engine::{Action, FindingKind, LoveEngine, SystemState};
use proptest::prelude::*;

const WORDS: &[&str] = &[
    "read",
    "the",
    "report",
    "delete",
    "not",
    "never",
    "user",
    "data",
    "without",
    "consent",
    "send",
    "email",
    "bulk",
    "help",
    "fix",
    "deceive",
    "fair",
    "backup",
    "no",
    "and",
    "but",
    "spam",
    "files",
    "safely",
    "audit",
    "logged",
    ",",
    ".",
    "don't",
    "customers",
    "all",
];

/// Harmful words that are concerns for the harm dimension.
const HARMFUL: &[&str] = &[
    "delete",
    "wipe",
    "destroy",
    "malware",
    "steal",
    "spam",
    "exfiltrate",
];

fn sentence() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(WORDS), 0..24).prop_map(|w| w.join(" "))
}

fn action() -> impl Strategy<Value = Action> {
    (
        prop::sample::select(&["read_report", "send_email", "delete_user", "cleanup"][..]),
        sentence(),
        sentence(),
        sentence(),
    )
        .prop_map(|(t, p, o, c)| {
            Action::new(t)
                .with_parameter("note", p)
                .with_expected_outcome(o)
                .with_context(c)
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn every_score_is_in_unit_interval(a in action()) {
        let r = LoveEngine::new().check_ethics(&a).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert!((0.0..=1.0).contains(&r.overall));
        for s in r.scores.to_array() {
            prop_assert!((0.0..=1.0).contains(&s));
        }
    }

    #[test]
    fn check_ethics_is_deterministic(a in action()) {
        let e = LoveEngine::new();
        let first = e.check_ethics(&a).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let second = LoveEngine::new().check_ethics(&a).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(first, second);
    }

    /// Appending a harmful clause never raises the harm score (nor the overall score), and does
    /// lower it.
    #[test]
    fn adding_a_harmful_word_never_raises_harm(a in action(), word in prop::sample::select(HARMFUL)) {
        let e = LoveEngine::new();
        let before = e.check_ethics(&a).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let mut worse = a.clone();
        worse.context.push_str(". ");
        worse.context.push_str(word);
        let after = e.check_ethics(&worse).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert!(after.scores.harm < before.scores.harm, "{} -> {}", before.scores.harm, after.scores.harm);
        prop_assert!(after.overall <= before.overall);
    }

    #[test]
    fn consistency_scores_are_in_unit_interval_and_deterministic(text in "[A-Za-z0-9 ,.%-]{0,200}", ctx in "[A-Za-z0-9 ,.%-]{0,200}") {
        let e = LoveEngine::new();
        let a = e.detect_hallucination(&text, &ctx).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let b = e.detect_hallucination(&text, &ctx).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert!((0.0..=1.0).contains(&a.score));
        prop_assert_eq!(a.supported + a.unsupported + a.contradicted, a.claims);
        prop_assert_eq!(a, b);
    }

    /// A number injected into a faithful summary, absent from the context, is always reported.
    #[test]
    fn injected_number_is_found(n in 100_000u32..999_999, at in 0usize..4) {
        let context = "Acme Corp runs 12 servers in Berlin. Uptime was 99.9% in 2023.";
        let mut parts = vec!["Acme Corp runs 12 servers.", "Uptime was 99.9%.", "It is in Berlin.", "That was 2023."];
        let injected = format!("They also sold {n}.");
        parts.insert(at, &injected);
        let text = parts.join(" ");
        let r = LoveEngine::new().detect_hallucination(&text, context).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let wanted = n.to_string();
        prop_assert!(
            r.findings.iter().any(|f| f.kind == FindingKind::Unsupported && f.text == wanted),
            "{:?}", r.findings
        );
        prop_assert_eq!(r.unsupported, 1);
        prop_assert!(!r.consistent);
    }

    /// A negator directly before (or up to three words before) a harmful word cancels it.
    #[test]
    fn negated_harmful_word_raises_no_concern(
        negator in prop::sample::select(&["not", "never", "don't", "without", "won't", "no"][..]),
        fillers in prop::collection::vec(prop::sample::select(&["ever", "the", "really"][..]), 0..=3),
        word in prop::sample::select(HARMFUL),
    ) {
        let text = format!("we will {negator} {} {word}", fillers.join(" "));
        let a = LoveEngine::new()
            .check_ethics(&Action::new("task").with_context(text.clone()))
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert!(a.concerns.is_empty(), "{text}: {:?}", a.concerns);
        prop_assert_eq!(a.negated.len(), 1);
    }

    /// Every piece of evidence quotes original words whose normalised form is the phrase.
    #[test]
    fn evidence_spans_quote_the_matched_words(a in action()) {
        let r = LoveEngine::new().check_ethics(&a).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let evidence = r
            .concerns
            .iter()
            .map(|c| &c.evidence)
            .chain(r.supports.iter().map(|s| &s.evidence))
            .chain(r.negated.iter().map(|n| &n.evidence));
        for ev in evidence {
            let quoted = a.quote(ev).ok_or_else(|| TestCaseError::fail("span out of range"))?;
            let normalised: Vec<String> = quoted
                .split(|c: char| !c.is_alphanumeric() && c != '\'')
                .filter(|w| !w.is_empty())
                .map(|w| w.replace('\'', "").to_lowercase())
                .collect();
            prop_assert_eq!(normalised.join(" "), ev.phrase.as_ref());
        }
    }

    /// Arbitrary Unicode never panics and keeps every score in range, in both checks.
    #[test]
    fn arbitrary_unicode_is_handled(kind in "\\PC{1,40}", text in "\\PC{0,300}", ctx in "\\PC{0,300}") {
        prop_assume!(!kind.trim().is_empty());
        let e = LoveEngine::new();
        let a = e
            .check_ethics(&Action::new(kind).with_parameter(text.clone(), ctx.clone()).with_context(text.clone()))
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert!((0.0..=1.0).contains(&a.overall));
        let r = e.detect_hallucination(&text, &ctx).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert!((0.0..=1.0).contains(&r.score));
        for f in &r.findings {
            prop_assert_eq!(text.get(f.span.clone()), Some(f.text.as_str()));
        }
    }

    #[test]
    fn love_metric_is_in_unit_interval(
        p in prop::collection::vec(0.0f64..10.0, 1..16),
        q in prop::collection::vec(0.0f64..10.0, 1..16),
        w1 in 0.0f64..=1.0,
        w2 in 0.0f64..=1.0,
    ) {
        prop_assume!(p.iter().sum::<f64>() > 0.0 && q.iter().sum::<f64>() > 0.0);
        let before = SystemState::new(&p, w1).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let after = SystemState::new(&q, w2).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let m = LoveEngine::new().compute_love_metric(&before, &after);
        prop_assert!((0.0..=1.0).contains(&m.love));
        prop_assert!((-1.0..=1.0).contains(&m.improvement));
        prop_assert!((0.0..=1.0).contains(&m.order_before) && (0.0..=1.0).contains(&m.order_after));
    }
}
