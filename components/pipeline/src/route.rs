//! The routing rule, as a pure function of the two checks and the refusal ledger: [`route`].
//!
//! | firewall | ethics | route |
//! |---|---|---|
//! | rate limited | any | blocked ([`BlockReason::RateLimited`]) |
//! | pass (`Allow`, score at or above its threshold, 0.7 by default) | pass (`Approved`, 0.6) | execute |
//! | pass | fail | critical review, critical timeout (600 s) |
//! | fail (`Review` or `Block`) | fail | blocked ([`BlockReason::BothChecksFailed`]) |
//! | fail, a matched pattern refused `block_pattern_after` times | pass | blocked ([`BlockReason::PatternBlocked`]) |
//! | fail, a critical pattern matched | pass | critical review, critical timeout (600 s) |
//! | fail, no critical pattern | pass | high review, high timeout (300 s) |
//!
//! The ethics check fails unless its verdict is `Approved`: an overall score below the threshold, or a
//! dimension under the floor, is a failure here (the love engine's own `NeedsReview` band is below its
//! threshold).

use std::time::Duration;

use hitl_collab::Priority;
use serde::Serialize;

use crate::PipelineConfig;
use crate::ledger::BlockedPattern;

/// What the firewall concluded, reduced to what routing needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum FirewallSignal {
    /// Verdict `Allow`.
    Pass,
    /// Verdict `Review` or `Block`.
    Fail {
        /// True if and only if a critical pattern matched.
        critical: bool,
    },
    /// Verdict `RateLimited`.
    RateLimited,
}

/// Why a request was blocked without review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum BlockReason {
    /// The firewall and the ethics check both failed.
    BothChecksFailed,
    /// A matched safety pattern has been refused often enough to block it outright.
    PatternBlocked(BlockedPattern),
    /// The requester is over its rate limit.
    RateLimited,
}

/// Why a request goes to a human.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewReason {
    /// The firewall failed on a critical pattern but the ethics check passed.
    CriticalPattern,
    /// The firewall failed without a critical pattern (borderline) and the ethics check passed.
    UnsafeBorderline,
    /// The firewall passed but the ethics check failed.
    EthicsFailed,
}

/// Where a request goes next.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "route", rename_all = "snake_case")]
pub enum Route {
    /// Both checks passed: execute.
    Execute,
    /// A human decides.
    Review {
        /// Review priority (`High` or `Critical`).
        priority: Priority,
        /// How long the review may stay undecided (then it expires: a rejection).
        timeout: Duration,
        /// Why.
        reason: ReviewReason,
    },
    /// Refused without review.
    Block(BlockReason),
}

/// Routes a request. `blocked_pattern` is the ledger's answer for the request's matched patterns
/// (consulted only when the firewall failed).
#[must_use]
pub fn route(
    firewall: FirewallSignal,
    ethics_passed: bool,
    blocked_pattern: Option<BlockedPattern>,
    config: &PipelineConfig,
) -> Route {
    let critical_review = |reason| Route::Review {
        priority: Priority::Critical,
        timeout: config.critical_review_timeout,
        reason,
    };
    match (firewall, ethics_passed) {
        (FirewallSignal::RateLimited, _) => Route::Block(BlockReason::RateLimited),
        (FirewallSignal::Pass, true) => Route::Execute,
        (FirewallSignal::Pass, false) => critical_review(ReviewReason::EthicsFailed),
        (FirewallSignal::Fail { .. }, false) => Route::Block(BlockReason::BothChecksFailed),
        (FirewallSignal::Fail { critical }, true) => match blocked_pattern {
            Some(pattern) => Route::Block(BlockReason::PatternBlocked(pattern)),
            None if critical => critical_review(ReviewReason::CriticalPattern),
            None => Route::Review {
                priority: Priority::High,
                timeout: config.high_review_timeout,
                reason: ReviewReason::UnsafeBorderline,
            },
        },
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn signal() -> impl Strategy<Value = FirewallSignal> {
        prop_oneof![
            Just(FirewallSignal::Pass),
            any::<bool>().prop_map(|critical| FirewallSignal::Fail { critical }),
            Just(FirewallSignal::RateLimited),
        ]
    }

    fn blocked() -> impl Strategy<Value = Option<BlockedPattern>> {
        proptest::option::of((3u64..10).prop_map(|refusals| BlockedPattern {
            pattern: "p".into(),
            refusals,
        }))
    }

    #[test]
    fn the_table_of_the_specification() {
        let c = PipelineConfig::default();
        assert_eq!(route(FirewallSignal::Pass, true, None, &c), Route::Execute);
        let high = route(FirewallSignal::Fail { critical: false }, true, None, &c);
        assert!(
            matches!(high, Route::Review { priority: Priority::High, timeout, .. } if timeout.as_secs() == 300)
        );
        let crit = route(FirewallSignal::Fail { critical: true }, true, None, &c);
        assert!(
            matches!(crit, Route::Review { priority: Priority::Critical, timeout, .. } if timeout.as_secs() == 600)
        );
        let ethics = route(FirewallSignal::Pass, false, None, &c);
        assert!(matches!(
            ethics,
            Route::Review {
                priority: Priority::Critical,
                reason: ReviewReason::EthicsFailed,
                ..
            }
        ));
        assert_eq!(
            route(FirewallSignal::Fail { critical: true }, false, None, &c),
            Route::Block(BlockReason::BothChecksFailed)
        );
    }

    proptest! {
        /// Nothing executes unless both checks pass, and a request that passes both always executes.
        #[test]
        fn executes_iff_both_checks_pass(fw in signal(), ethics in any::<bool>(), b in blocked()) {
            let r = route(fw, ethics, b, &PipelineConfig::default());
            prop_assert_eq!(r == Route::Execute, fw == FirewallSignal::Pass && ethics);
        }

        /// A blocked pattern never reaches a reviewer when the firewall failed.
        #[test]
        fn blocked_patterns_are_never_reviewed(critical in any::<bool>(), ethics in any::<bool>(), b in blocked()) {
            let had_block = b.is_some();
            let r = route(FirewallSignal::Fail { critical }, ethics, b, &PipelineConfig::default());
            if had_block {
                prop_assert!(matches!(r, Route::Block(_)));
            }
        }

        /// A failed ethics check is never reviewed below critical priority.
        #[test]
        fn ethics_failures_are_critical_or_blocked(fw in signal(), b in blocked()) {
            match route(fw, false, b, &PipelineConfig::default()) {
                Route::Review { priority, .. } => prop_assert_eq!(priority, Priority::Critical),
                Route::Block(_) => {}
                Route::Execute => prop_assert!(false, "executed an unethical action"),
            }
        }
    }
}
