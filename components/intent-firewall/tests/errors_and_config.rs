#![cfg(not(loom))]
//! Bad input and bad configuration give typed errors; thresholds and rate limits steer the verdict.

use std::sync::Arc;
use std::time::Duration;

use intent_firewall::{
    Edge, Firewall, FirewallConfig, FirewallError, ManualClock, Pattern, PatternCategory,
    RateLimitConfig, Request, Severity, Thresholds, Verdict,
};

fn pattern(id: &str, text: &str, severity: f64) -> Pattern {
    Pattern::new(
        id,
        text,
        Severity::new(severity).expect("in range"),
        PatternCategory::Custom,
    )
    .expect("valid")
}

#[test]
fn empty_and_invisible_content_is_rejected() {
    let fw = Firewall::with_default_patterns();
    for content in ["", "   \n\t", "\u{200B}\u{FEFF}\u{2060}"] {
        assert_eq!(
            fw.validate(&Request::new("a", content)),
            Err(FirewallError::EmptyContent),
            "{content:?}"
        );
    }
}

#[test]
fn empty_source_is_rejected() {
    let fw = Firewall::with_default_patterns();
    assert_eq!(
        fw.validate(&Request::new("", "hello")),
        Err(FirewallError::EmptySource)
    );
}

#[test]
fn oversized_content_is_rejected_at_the_default_and_a_configured_maximum() {
    let fw = Firewall::with_default_patterns();
    let big = "a".repeat(64 * 1024 + 1);
    assert_eq!(
        fw.validate(&Request::new("a", big)),
        Err(FirewallError::ContentTooLarge {
            len: 64 * 1024 + 1,
            max: 64 * 1024
        })
    );
    assert!(
        fw.validate(&Request::new("a", "a".repeat(64 * 1024)))
            .is_ok()
    );
    let small = Firewall::builder()
        .config(
            FirewallConfig::default()
                .with_max_content_bytes(8)
                .expect("valid"),
        )
        .build()
        .expect("builds");
    assert_eq!(
        small.validate(&Request::new("a", "123456789")),
        Err(FirewallError::ContentTooLarge { len: 9, max: 8 })
    );
}

#[test]
fn errors_display_lower_case_without_trailing_period() {
    let errors = [
        FirewallError::EmptyContent,
        FirewallError::ContentTooLarge { len: 2, max: 1 },
        FirewallError::ThresholdsInverted {
            block_below: 0.9,
            allow_at_or_above: 0.1,
        },
        FirewallError::UnknownPattern("x".into()),
    ];
    for e in errors {
        let text = e.to_string();
        assert!(
            text.chars().next().is_some_and(char::is_lowercase),
            "{text}"
        );
        assert!(!text.ends_with('.'), "{text}");
    }
}

#[test]
fn thresholds_move_the_review_band() {
    let strict = Firewall::builder()
        .config(
            FirewallConfig::default().with_thresholds(Thresholds::new(0.3, 0.95).expect("valid")),
        )
        .default_patterns()
        .build()
        .expect("builds");
    // `sudo` alone scores 0.8: allowed by default, reviewed under the strict thresholds.
    assert_eq!(
        Firewall::with_default_patterns()
            .validate(&Request::new("a", "sudo ls"))
            .map(|a| a.verdict),
        Ok(Verdict::Allow)
    );
    assert_eq!(
        strict
            .validate(&Request::new("a", "sudo ls"))
            .map(|a| a.verdict),
        Ok(Verdict::Review)
    );
    let lenient = Firewall::builder()
        .config(
            FirewallConfig::default().with_thresholds(Thresholds::new(0.0, 0.5).expect("valid")),
        )
        .default_patterns()
        .build()
        .expect("builds");
    assert_eq!(
        lenient
            .validate(&Request::new("a", "restart the service"))
            .map(|a| a.verdict),
        Ok(Verdict::Allow)
    );
}

#[test]
fn a_critical_match_blocks_even_when_thresholds_would_allow() {
    let fw = Firewall::builder()
        .config(
            FirewallConfig::default().with_thresholds(Thresholds::new(0.0, 0.0).expect("valid")),
        )
        .default_patterns()
        .build()
        .expect("builds");
    assert_eq!(
        fw.validate(&Request::new("a", "mkfs /dev/sda"))
            .map(|a| a.verdict),
        Ok(Verdict::Block)
    );
    assert_eq!(
        fw.validate(&Request::new("a", "reboot")).map(|a| a.verdict),
        Ok(Verdict::Allow)
    );
}

#[test]
fn rate_limit_refuses_a_source_over_budget_and_recovers_with_time() {
    let clock = Arc::new(ManualClock::new());
    let limit = RateLimitConfig::per_second(3, 1.0).expect("valid");
    let fw = Firewall::builder()
        .config(FirewallConfig::default().with_rate_limit(Some(limit)))
        .default_patterns()
        .clock(clock.clone())
        .build()
        .expect("builds");
    let req = Request::new("agent-a", "list files");
    let verdicts: Vec<Verdict> = (0..5)
        .map(|_| fw.validate(&req).expect("valid").verdict)
        .collect();
    assert_eq!(
        verdicts,
        [
            Verdict::Allow,
            Verdict::Allow,
            Verdict::Allow,
            Verdict::RateLimited,
            Verdict::RateLimited
        ]
    );
    // Another source is unaffected.
    assert_eq!(
        fw.validate(&Request::new("agent-b", "list files"))
            .map(|a| a.verdict),
        Ok(Verdict::Allow)
    );
    // A rate-limited assessment still carries the analysis.
    let limited = fw
        .validate(&Request::new("agent-a", "rm -rf /"))
        .expect("valid");
    assert_eq!(limited.verdict, Verdict::RateLimited);
    assert!(limited.critical_matched());
    clock.advance(Duration::from_secs(1));
    assert_eq!(fw.validate(&req).map(|a| a.verdict), Ok(Verdict::Allow));
    assert_eq!(
        fw.validate(&req).map(|a| a.verdict),
        Ok(Verdict::RateLimited)
    );
}

#[test]
fn errors_do_not_use_rate_limit_tokens() {
    let limit = RateLimitConfig::per_second(1, 1.0).expect("valid");
    let fw = Firewall::builder()
        .config(FirewallConfig::default().with_rate_limit(Some(limit)))
        .clock(Arc::new(ManualClock::new()))
        .build()
        .expect("builds");
    assert!(fw.validate(&Request::new("a", "")).is_err());
    assert_eq!(
        fw.validate(&Request::new("a", "hello")).map(|a| a.verdict),
        Ok(Verdict::Allow)
    );
}

#[test]
fn rate_limiter_memory_is_bounded_with_many_sources() {
    let clock = Arc::new(ManualClock::new());
    let limit = RateLimitConfig::new(10, 10.0, Duration::from_secs(5), 4096, 16).expect("valid");
    let fw = Firewall::builder()
        .config(FirewallConfig::default().with_rate_limit(Some(limit)))
        .clock(clock.clone())
        .build()
        .expect("builds");
    for i in 0..40_000u32 {
        if i % 1000 == 0 {
            clock.advance(Duration::from_secs(1));
        }
        assert!(
            fw.validate(&Request::new(format!("src-{i}"), "hello"))
                .is_ok()
        );
    }
    assert!(
        fw.tracked_sources() <= fw.rate_limit_capacity(),
        "{} > {}",
        fw.tracked_sources(),
        fw.rate_limit_capacity()
    );
    assert_eq!(fw.rate_limit_capacity(), 4096);
    assert!(fw.evicted_sources() >= 40_000 - 4096);
}

#[test]
fn pattern_edits_are_checked() {
    let fw = Firewall::new();
    assert_eq!(fw.pattern_count(), 0);
    fw.add_pattern(pattern("a", "alpha", 0.5)).expect("added");
    assert_eq!(
        fw.add_pattern(pattern("a", "other", 0.5)),
        Err(FirewallError::DuplicatePatternId("a".into()))
    );
    assert_eq!(
        fw.add_patterns([pattern("b", "beta", 0.5), pattern("b", "gamma", 0.5)]),
        Err(FirewallError::DuplicatePatternId("b".into()))
    );
    assert_eq!(fw.pattern_count(), 1, "a failed batch changes nothing");
    assert_eq!(
        fw.remove_pattern("zz").map(|_| ()),
        Err(FirewallError::UnknownPattern("zz".into()))
    );
    assert_eq!(
        fw.remove_patterns(["a", "zz"]),
        Err(FirewallError::UnknownPattern("zz".into()))
    );
    assert_eq!(
        fw.pattern_count(),
        1,
        "a failed batch removal changes nothing"
    );
    assert_eq!(
        fw.add_patterns((0..100).map(|i| pattern(&format!("p{i}"), &format!("word{i}"), 0.1))),
        Ok(100)
    );
    assert_eq!(fw.pattern_count(), 101);
    assert_eq!(
        fw.remove_pattern("a").map(|p| p.text().to_owned()),
        Ok("alpha".to_owned())
    );
    assert_eq!(fw.remove_patterns(["p1", "p2"]), Ok(2));
    assert_eq!(fw.pattern_count(), 98);
    assert!(fw.pattern("p3").is_some() && fw.pattern("p1").is_none());
}

#[test]
fn added_and_removed_patterns_take_effect_immediately() {
    let fw = Firewall::builder()
        .config(FirewallConfig::default().without_rate_limit())
        .build()
        .expect("builds");
    let req = Request::new("a", "please frobnicate the widget");
    assert_eq!(fw.validate(&req).map(|a| a.verdict), Ok(Verdict::Allow));
    fw.add_pattern(pattern("frob", "FROBNICATE", 0.95).with_edges(Edge::Word, Edge::Word))
        .expect("added");
    assert_eq!(fw.validate(&req).map(|a| a.verdict), Ok(Verdict::Block));
    fw.remove_pattern("frob").expect("removed");
    assert_eq!(fw.validate(&req).map(|a| a.verdict), Ok(Verdict::Allow));
}

#[test]
fn firewall_is_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Firewall>();
}
