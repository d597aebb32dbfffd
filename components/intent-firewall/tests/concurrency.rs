#![cfg(not(loom))]
//! Validation on many threads while other threads add and remove patterns: every validation sees one whole
//! pattern set, the old or the new, never a torn one.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use intent_firewall::{Firewall, FirewallConfig, Pattern, PatternCategory, Request, Severity};
use proptest::prelude::*;

fn batch(tag: &str, size: usize) -> Vec<Pattern> {
    (0..size)
        .map(|i| {
            Pattern::new(
                format!("{tag}-{i}"),
                format!("{tag}word{i}x"),
                Severity::saturating(0.1),
                PatternCategory::Custom,
            )
            .expect("valid")
        })
        .collect()
}

fn request_text(tag: &str, size: usize) -> String {
    let mut text = String::from("base-marker");
    for i in 0..size {
        text.push_str(&format!(" {tag}word{i}x"));
    }
    text
}

/// Runs `readers` validating threads against one writer that adds and removes a batch `rounds` times.
/// Returns (validations that saw the batch, validations that did not).
fn run(readers: usize, rounds: usize, size: usize) -> (usize, usize) {
    let fw = Firewall::builder()
        .config(FirewallConfig::default().without_rate_limit())
        .pattern(
            Pattern::new(
                "base",
                "base-marker",
                Severity::saturating(0.2),
                PatternCategory::Custom,
            )
            .expect("valid"),
        )
        .build()
        .expect("builds");
    let tag = "zeta";
    let request = Request::new("reader", request_text(tag, size));
    let ids: Vec<String> = (0..size).map(|i| format!("{tag}-{i}")).collect();
    let done = AtomicBool::new(false);
    let started = AtomicUsize::new(0);
    let (with, without) = (AtomicUsize::new(0), AtomicUsize::new(0));
    std::thread::scope(|s| {
        for _ in 0..readers {
            s.spawn(|| {
                started.fetch_add(1, Ordering::AcqRel);
                loop {
                    let finished = done.load(Ordering::Acquire);
                    let a = fw.validate(&request).expect("valid request");
                    assert!(
                        a.matched_ids().any(|id| id.as_str() == "base"),
                        "base pattern always present"
                    );
                    let seen = a
                        .matched_ids()
                        .filter(|id| id.as_str().starts_with(tag))
                        .count();
                    assert!(
                        seen == 0 || seen == size,
                        "torn matcher: {seen} of {size} batch patterns"
                    );
                    let expected = 0.8 * 0.9f64.powi(i32::try_from(seen).expect("small"));
                    assert!(
                        (a.safety_score - expected).abs() < 1e-12,
                        "score {} for {seen}",
                        a.safety_score
                    );
                    if seen == 0 { &without } else { &with }.fetch_add(1, Ordering::Relaxed);
                    if finished {
                        break;
                    }
                }
            });
        }
        s.spawn(|| {
            // Start editing only once every reader is running, so reads and writes overlap.
            while started.load(Ordering::Acquire) < readers {
                std::thread::yield_now();
            }
            for _ in 0..rounds {
                assert_eq!(fw.add_patterns(batch(tag, size)), Ok(size));
                assert_eq!(fw.pattern_count(), size + 1);
                assert_eq!(fw.remove_patterns(&ids), Ok(size));
                assert_eq!(fw.pattern_count(), 1);
            }
            done.store(true, Ordering::Release);
        });
    });
    (with.into_inner(), without.into_inner())
}

#[test]
fn readers_see_whole_pattern_sets_while_a_writer_adds_and_removes() {
    let (with, without) = run(3, 300, 8);
    assert!(with + without >= 3, "every reader validated at least once");
}

#[test]
fn many_threads_validate_the_same_firewall() {
    let fw = Firewall::builder()
        .config(FirewallConfig::default().without_rate_limit())
        .default_patterns()
        .build()
        .expect("builds");
    std::thread::scope(|s| {
        for t in 0..4 {
            let fw = &fw;
            s.spawn(move || {
                for i in 0..500 {
                    let blocked = fw
                        .validate(&Request::new(format!("t{t}"), "rm -rf /"))
                        .expect("valid");
                    assert!(blocked.critical_matched());
                    let safe = fw
                        .validate(&Request::new(format!("t{t}"), format!("list report {i}")))
                        .expect("valid");
                    assert!(safe.matches.is_empty());
                }
            });
        }
    });
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(8))]

    #[test]
    fn no_validation_ever_sees_a_torn_matcher(readers in 1usize..4, size in 1usize..12, rounds in 20usize..80) {
        let (with, without) = run(readers, rounds, size);
        prop_assert!(with + without >= readers, "every reader validated at least once");
    }
}
