//! Intent firewall: validation cost against the number of patterns, and rate limiting as exhaustion and
//! recovery.

use std::sync::Arc;
use std::time::Duration;

use intent_firewall::{Clock, Firewall, FirewallConfig, ManualClock, RateLimitConfig, Verdict};
use scale_props::shape::Closed;
use scale_props::fit::Complexity;
use scale_props::{Errors, Experiment, Growth, OpError};

use crate::claims::{AllCompleted, ErrorsOfKind, LatencyRatio};
use crate::fixtures::{firewall_with, request};
use crate::workload::{fallible, kind};
use crate::{Case, Scale, SuiteError, Topic};

/// Id of the pattern-count curve.
pub const VALIDATE: &str = "firewall.validate.patterns";
/// Id of the rate-limit exhaustion run.
pub const RATE_LIMIT: &str = "firewall.rate_limit.exhaustion";

/// The firewall cases at `scale`.
///
/// # Errors
/// [`SuiteError::Shape`] if a shape is out of bounds.
pub fn cases(scale: Scale) -> Result<Vec<Case>, SuiteError> {
    let validate = Experiment::new(VALIDATE)
        .sizes([10, 100, 1_000, 10_000])
        .ops(scale.pick(2_000, 10_000))
        .repetitions(scale.pick(3, 5))
        .workload(fallible(firewall_with, |fw: &Firewall, ctx| {
            let a = fw.validate(&request(ctx.i)).map_err(kind)?;
            ctx.count("matches", a.matches.len() as u64);
            Ok::<(), OpError>(())
        }));
    Ok(vec![
        Case::new("firewall", Topic::ComponentScaling, validate)
            .claim(Errors::none())
            .claim(Growth::at_most(Complexity::Constant).of_work("matches"))
            .claim(LatencyRatio {
                from: 0,
                to: usize::MAX,
                at_most: 4.0,
            }),
        rate_limit(scale.pick(200, 2_000))?,
    ])
}

/// A firewall whose only source has a bucket of `burst` tokens, on a clock that moves only when told.
#[derive(Debug)]
pub struct Limited {
    /// The firewall.
    pub firewall: Firewall,
    /// Its clock.
    pub clock: Arc<ManualClock>,
    /// Bucket size.
    pub burst: u64,
}

fn limited(burst: u64) -> Result<Limited, String> {
    let clock = Arc::new(ManualClock::new());
    let b = u32::try_from(burst).map_err(|e| e.to_string())?;
    let limit = RateLimitConfig::per_second(b, burst as f64).map_err(|e| e.to_string())?;
    let firewall = Firewall::builder()
        .config(FirewallConfig::default().with_rate_limit(Some(limit)))
        .default_patterns()
        .clock(Arc::clone(&clock) as Arc<dyn Clock>)
        .build()
        .map_err(|e| e.to_string())?;
    Ok(Limited {
        firewall,
        clock,
        burst,
    })
}

/// One source sends `3 * burst` requests back to back: the first `burst` pass, the next `burst` are rate
/// limited (counted as errors of kind `RateLimited`), then one second passes and the bucket refills, and the
/// last `burst` pass again. The clock is manual, so the counts are exact.
///
/// # Errors
/// [`SuiteError::Shape`] if `burst` is 0 or too large for one run.
pub fn rate_limit(burst: u64) -> Result<Case, SuiteError> {
    let shape = Closed::new(1, 3 * burst)?;
    let e = Experiment::new(RATE_LIMIT)
        .sizes([burst])
        .shape(shape)
        .repetitions(1)
        .workload(fallible(limited, |l: &Limited, ctx| {
            if ctx.i == 2 * l.burst {
                l.clock.advance(Duration::from_secs(1));
            }
            let mut r = request(ctx.i);
            r.source = "agent-flood".to_owned();
            let a = l.firewall.validate(&r).map_err(kind)?;
            if a.verdict == Verdict::RateLimited {
                return Err(OpError::new("RateLimited"));
            }
            Ok(())
        }));
    Ok(Case::new("firewall", Topic::Exhaustion, e)
        .claim(ErrorsOfKind {
            kind: "RateLimited",
            per_size: 1,
        })
        .claim(AllCompleted))
}
