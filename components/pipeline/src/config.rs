//! Pipeline settings: review timeouts, the pattern-block count, and how long to wait for the audit of
//! a review decision.

use std::time::Duration;

use crate::PipelineError;

/// Settings of a [`Pipeline`](crate::Pipeline). Start from [`PipelineConfig::default`] (the routing of
/// the earlier specification) and change fields; the builder validates it.
///
/// The firewall threshold (0.7) and the ethics threshold (0.6) are the components' own: configure them
/// on the [`intent_firewall::Firewall`] and [`love_engine::LoveEngine`] handed to the builder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PipelineConfig {
    /// Timeout of a high-priority review (a borderline firewall result). Default 300 s. Non-zero.
    pub high_review_timeout: Duration,
    /// Timeout of a critical review (a critical pattern matched, or the ethics check failed).
    /// Default 600 s. Non-zero.
    pub critical_review_timeout: Duration,
    /// Refusals of requests carrying one safety pattern after which later requests carrying it are
    /// blocked without review. Default 3. At least 1.
    pub block_pattern_after: u64,
    /// Extra time `process` waits beyond a review's timeout before giving up (the queue expires the
    /// request at its deadline, so this only matters for a clock that does not move). Default 5 s.
    pub review_grace: Duration,
    /// How long `process` waits, after a decision, for the review queue's observer to write its audit
    /// entry (it is written by whichever thread delivers the event). Default 30 s. Non-zero.
    pub audit_delivery_timeout: Duration,
}

impl Default for PipelineConfig {
    fn default() -> Self {
        Self {
            high_review_timeout: Duration::from_secs(300),
            critical_review_timeout: Duration::from_secs(600),
            block_pattern_after: 3,
            review_grace: Duration::from_secs(5),
            audit_delivery_timeout: Duration::from_secs(30),
        }
    }
}

impl PipelineConfig {
    /// Checks every field against its documented range.
    ///
    /// # Errors
    /// [`PipelineError::InvalidConfig`] naming the first field out of range.
    pub fn validate(&self) -> Result<(), PipelineError> {
        let zero = |name| PipelineError::InvalidConfig {
            name,
            reason: "must be greater than zero",
        };
        if self.high_review_timeout.is_zero() {
            return Err(zero("high_review_timeout"));
        }
        if self.critical_review_timeout.is_zero() {
            return Err(zero("critical_review_timeout"));
        }
        if self.block_pattern_after == 0 {
            return Err(zero("block_pattern_after"));
        }
        if self.audit_delivery_timeout.is_zero() {
            return Err(zero("audit_delivery_timeout"));
        }
        Ok(())
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn default_is_valid_and_matches_the_specification() {
        let config = PipelineConfig::default();
        assert!(config.validate().is_ok());
        assert_eq!(config.high_review_timeout, Duration::from_secs(300));
        assert_eq!(config.critical_review_timeout, Duration::from_secs(600));
        assert_eq!(config.block_pattern_after, 3);
    }

    #[test]
    fn zero_values_are_refused_by_name() {
        let config = PipelineConfig {
            block_pattern_after: 0,
            ..PipelineConfig::default()
        };
        assert!(matches!(
            config.validate(),
            Err(PipelineError::InvalidConfig {
                name: "block_pattern_after",
                ..
            })
        ));
    }
}
