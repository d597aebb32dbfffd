//! Validated configuration: verdict thresholds, the content size limit and the rate limit.

use std::time::Duration;

use crate::error::FirewallError;

/// Score thresholds that turn a safety score into a verdict.
///
/// A score at or above `allow_at_or_above` is allowed, a score below `block_below` is blocked, and anything in
/// between goes to human review. Invariant: `0 <= block_below <= allow_at_or_above <= 1`, both finite.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Thresholds {
    block_below: f64,
    allow_at_or_above: f64,
}

impl Thresholds {
    /// Default block threshold: a score under 0.3 is blocked.
    pub const DEFAULT_BLOCK_BELOW: f64 = 0.3;
    /// Default allow threshold: a score of 0.7 or more is allowed.
    pub const DEFAULT_ALLOW_AT_OR_ABOVE: f64 = 0.7;

    /// Returns the thresholds. Use 0.3 and 0.7 if you're not sure.
    ///
    /// # Errors
    /// [`FirewallError::ThresholdOutOfRange`] if either is not a finite number in [0, 1];
    /// [`FirewallError::ThresholdsInverted`] if `block_below > allow_at_or_above`.
    pub fn new(block_below: f64, allow_at_or_above: f64) -> Result<Self, FirewallError> {
        for (name, value) in [
            ("block_below", block_below),
            ("allow_at_or_above", allow_at_or_above),
        ] {
            if !value.is_finite() || !(0.0..=1.0).contains(&value) {
                return Err(FirewallError::ThresholdOutOfRange { name, value });
            }
        }
        if block_below > allow_at_or_above {
            return Err(FirewallError::ThresholdsInverted {
                block_below,
                allow_at_or_above,
            });
        }
        Ok(Self {
            block_below,
            allow_at_or_above,
        })
    }

    /// Returns the block threshold: scores strictly below it are blocked.
    #[must_use]
    pub fn block_below(&self) -> f64 {
        self.block_below
    }

    /// Returns the allow threshold: scores at or above it are allowed.
    #[must_use]
    pub fn allow_at_or_above(&self) -> f64 {
        self.allow_at_or_above
    }
}

impl Default for Thresholds {
    fn default() -> Self {
        Self {
            block_below: Self::DEFAULT_BLOCK_BELOW,
            allow_at_or_above: Self::DEFAULT_ALLOW_AT_OR_ABOVE,
        }
    }
}

/// Per-source token-bucket rate limit, and the bounds on the memory it uses.
///
/// Each source has a bucket of `burst` tokens refilled at `refill_per_second`; a request takes one token, and a
/// request that finds the bucket empty is rate limited. Sources are spread over `shards` independently locked maps.
/// A source idle for `idle_ttl` is forgotten, which is invisible because `idle_ttl` is at least the time a bucket
/// takes to refill completely (enforced). At most `max_sources` sources are tracked: when a shard is full its idle
/// sources are dropped, and if none is idle the least recently seen eighth is (those sources start again with a
/// full bucket). Memory is therefore bounded by about 64 bytes × `max_sources` whatever the number of distinct
/// sources seen.
///
/// Invariants: `burst >= 1`; `refill_per_second` finite and > 0; `idle_ttl >= burst / refill_per_second`;
/// `shards` a power of two in 1..=4096; `max_sources >= shards`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateLimitConfig {
    burst: u32,
    refill_per_second: f64,
    idle_ttl: Duration,
    max_sources: usize,
    shards: usize,
}

impl RateLimitConfig {
    /// Default number of tracked sources (about 16 MiB at most).
    pub const DEFAULT_MAX_SOURCES: usize = 1 << 18;
    /// Default number of shards.
    pub const DEFAULT_SHARDS: usize = 64;
    /// Shortest default idle time before a source is forgotten.
    pub const MIN_DEFAULT_IDLE_TTL: Duration = Duration::from_secs(60);

    /// Returns a limit of `burst` requests at once, refilled at `refill_per_second`, with the default memory bounds
    /// and an idle time of the larger of 60 s and twice the full-refill time.
    ///
    /// # Errors
    /// [`FirewallError::InvalidRateLimit`] as for [`RateLimitConfig::new`].
    pub fn per_second(burst: u32, refill_per_second: f64) -> Result<Self, FirewallError> {
        let refill_time = if refill_per_second.is_finite() && refill_per_second > 0.0 {
            Duration::try_from_secs_f64(2.0 * f64::from(burst) / refill_per_second)
                .unwrap_or(Duration::MAX)
        } else {
            Duration::ZERO
        };
        Self::new(
            burst,
            refill_per_second,
            refill_time.max(Self::MIN_DEFAULT_IDLE_TTL),
            Self::DEFAULT_MAX_SOURCES,
            Self::DEFAULT_SHARDS,
        )
    }

    /// Returns the limit with every parameter given; this is the constructor the others funnel into.
    ///
    /// # Errors
    /// [`FirewallError::InvalidRateLimit`] naming the first parameter that breaks an invariant of the type.
    pub fn new(
        burst: u32,
        refill_per_second: f64,
        idle_ttl: Duration,
        max_sources: usize,
        shards: usize,
    ) -> Result<Self, FirewallError> {
        if burst == 0 {
            return Err(FirewallError::InvalidRateLimit("burst must be at least 1"));
        }
        if !refill_per_second.is_finite() || refill_per_second <= 0.0 {
            return Err(FirewallError::InvalidRateLimit(
                "refill_per_second must be finite and positive",
            ));
        }
        let refill_time = f64::from(burst) / refill_per_second;
        if idle_ttl.as_secs_f64() < refill_time {
            return Err(FirewallError::InvalidRateLimit(
                "idle_ttl must be at least burst / refill_per_second",
            ));
        }
        if !shards.is_power_of_two() || shards > 4096 {
            return Err(FirewallError::InvalidRateLimit(
                "shards must be a power of two in 1..=4096",
            ));
        }
        if max_sources < shards {
            return Err(FirewallError::InvalidRateLimit(
                "max_sources must be at least the number of shards",
            ));
        }
        Ok(Self {
            burst,
            refill_per_second,
            idle_ttl,
            max_sources,
            shards,
        })
    }

    /// Returns the bucket size.
    #[must_use]
    pub fn burst(&self) -> u32 {
        self.burst
    }

    /// Returns the refill rate in tokens per second.
    #[must_use]
    pub fn refill_per_second(&self) -> f64 {
        self.refill_per_second
    }

    /// Returns how long a source must be idle before it is forgotten.
    #[must_use]
    pub fn idle_ttl(&self) -> Duration {
        self.idle_ttl
    }

    /// Returns the maximum number of tracked sources.
    #[must_use]
    pub fn max_sources(&self) -> usize {
        self.max_sources
    }

    /// Returns the number of shards.
    #[must_use]
    pub fn shards(&self) -> usize {
        self.shards
    }
}

impl Default for RateLimitConfig {
    /// 1000 requests at once per source, refilled at 1000 per second; 2^18 sources in 64 shards; 60 s idle time.
    fn default() -> Self {
        Self {
            burst: 1000,
            refill_per_second: 1000.0,
            idle_ttl: Self::MIN_DEFAULT_IDLE_TTL,
            max_sources: Self::DEFAULT_MAX_SOURCES,
            shards: Self::DEFAULT_SHARDS,
        }
    }
}

/// Firewall configuration. Every value that exists is valid: the fallible `with_*` methods check their input.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FirewallConfig {
    thresholds: Thresholds,
    max_content_bytes: usize,
    rate_limit: Option<RateLimitConfig>,
}

impl FirewallConfig {
    /// Default maximum content size: 64 KiB.
    pub const DEFAULT_MAX_CONTENT_BYTES: usize = 64 * 1024;

    /// Returns the configuration with other thresholds.
    #[must_use]
    pub fn with_thresholds(mut self, thresholds: Thresholds) -> Self {
        self.thresholds = thresholds;
        self
    }

    /// Returns the configuration with another maximum content size in bytes.
    ///
    /// # Errors
    /// [`FirewallError::ZeroMaxContent`] if `max` is zero.
    pub fn with_max_content_bytes(mut self, max: usize) -> Result<Self, FirewallError> {
        if max == 0 {
            return Err(FirewallError::ZeroMaxContent);
        }
        self.max_content_bytes = max;
        Ok(self)
    }

    /// Returns the configuration with another rate limit, or none (`None`: every request passes the limiter).
    #[must_use]
    pub fn with_rate_limit(mut self, rate_limit: Option<RateLimitConfig>) -> Self {
        self.rate_limit = rate_limit;
        self
    }

    /// Returns the configuration without rate limiting (benchmarks and load tests from a single source).
    #[must_use]
    pub fn without_rate_limit(self) -> Self {
        self.with_rate_limit(None)
    }

    /// Returns the thresholds.
    #[must_use]
    pub fn thresholds(&self) -> Thresholds {
        self.thresholds
    }

    /// Returns the maximum content size in bytes.
    #[must_use]
    pub fn max_content_bytes(&self) -> usize {
        self.max_content_bytes
    }

    /// Returns the rate limit, if any.
    #[must_use]
    pub fn rate_limit(&self) -> Option<RateLimitConfig> {
        self.rate_limit
    }
}

impl Default for FirewallConfig {
    /// Thresholds 0.3 / 0.7, 64 KiB maximum content, the default rate limit.
    fn default() -> Self {
        Self {
            thresholds: Thresholds::default(),
            max_content_bytes: Self::DEFAULT_MAX_CONTENT_BYTES,
            rate_limit: Some(RateLimitConfig::default()),
        }
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn thresholds_reject_out_of_range_and_inverted_values() {
        assert!(matches!(
            Thresholds::new(-0.1, 0.5),
            Err(FirewallError::ThresholdOutOfRange { .. })
        ));
        assert!(matches!(
            Thresholds::new(0.1, f64::NAN),
            Err(FirewallError::ThresholdOutOfRange { .. })
        ));
        assert!(matches!(
            Thresholds::new(0.1, 1.5),
            Err(FirewallError::ThresholdOutOfRange { .. })
        ));
        assert_eq!(
            Thresholds::new(0.8, 0.2),
            Err(FirewallError::ThresholdsInverted {
                block_below: 0.8,
                allow_at_or_above: 0.2
            })
        );
        let t =
            Thresholds::new(0.5, 0.5).expect("equal thresholds leave no review band but are valid");
        assert_eq!((t.block_below(), t.allow_at_or_above()), (0.5, 0.5));
    }

    #[test]
    fn zero_max_content_is_rejected() {
        assert_eq!(
            FirewallConfig::default().with_max_content_bytes(0),
            Err(FirewallError::ZeroMaxContent)
        );
        let cfg = FirewallConfig::default()
            .with_max_content_bytes(10)
            .expect("valid");
        assert_eq!(cfg.max_content_bytes(), 10);
    }

    #[test]
    fn rate_limit_parameters_are_checked() {
        let ttl = Duration::from_secs(60);
        assert!(RateLimitConfig::new(0, 1.0, ttl, 64, 64).is_err());
        assert!(RateLimitConfig::new(1, 0.0, ttl, 64, 64).is_err());
        assert!(RateLimitConfig::new(1, f64::INFINITY, ttl, 64, 64).is_err());
        assert!(RateLimitConfig::new(100, 1.0, Duration::from_secs(99), 64, 64).is_err());
        assert!(RateLimitConfig::new(1, 1.0, ttl, 64, 48).is_err());
        assert!(RateLimitConfig::new(1, 1.0, ttl, 32, 64).is_err());
        assert!(RateLimitConfig::new(1, 1.0, ttl, 64, 64).is_ok());
    }

    #[test]
    fn per_second_picks_an_idle_time_longer_than_the_refill() {
        let cfg = RateLimitConfig::per_second(1000, 1.0).expect("valid");
        assert_eq!(cfg.idle_ttl(), Duration::from_secs(2000));
        let fast = RateLimitConfig::per_second(10, 100.0).expect("valid");
        assert_eq!(fast.idle_ttl(), RateLimitConfig::MIN_DEFAULT_IDLE_TTL);
        assert!(RateLimitConfig::per_second(10, -1.0).is_err());
    }

    #[test]
    fn default_rate_limit_satisfies_its_own_invariants() {
        let d = RateLimitConfig::default();
        assert_eq!(
            RateLimitConfig::new(
                d.burst(),
                d.refill_per_second(),
                d.idle_ttl(),
                d.max_sources(),
                d.shards()
            ),
            Ok(d)
        );
    }
}
