//! Engine configuration and its validation.

use serde::{Deserialize, Serialize};

use crate::LoveError;

/// Tunable limits and thresholds of a [`LoveEngine`](crate::LoveEngine).
///
/// A plain value: it is validated when it is handed to
/// [`LoveEngine::with_config`](crate::LoveEngine::with_config), which refuses anything outside the
/// ranges documented on each field. [`LoveConfig::default`] gives the values to use if you're not sure.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LoveConfig {
    /// Overall ethical score at or above which an action can be approved. In [0, 1]; default 0.6.
    pub threshold: f64,
    /// Width of the band below the threshold that goes to human review instead of rejection.
    /// In [0, threshold]; default 0.15 (so with the default threshold: `[0.45, 0.6)` is reviewed,
    /// below 0.45 is rejected).
    pub review_band: f64,
    /// A single dimension scoring below this floor blocks approval even when the overall score
    /// passes (the action goes to review). In [0, 1]; default 0.3.
    pub dimension_floor: f64,
    /// Maximum bytes of text in one action (type, parameter keys and string values, expected
    /// outcome, context). At least 1; default 64 KiB.
    pub max_action_bytes: usize,
    /// Maximum bytes of a generated text, and separately of its context, in a consistency check.
    /// At least 1; default 1 MiB.
    pub max_text_bytes: usize,
    /// Consistency score at or above which a generated text counts as consistent. In [0, 1];
    /// default 0.7.
    pub consistency_threshold: f64,
    /// Number of most recent assessments kept for alignment evaluation; older ones are evicted
    /// first in, first out. At least 1; default 10,000 (about 80 bytes each).
    pub history_capacity: usize,
    /// Number of most recent assessments the alignment trend (least-squares slope) is fitted over.
    /// At least 1; default 100.
    pub trend_window: usize,
}

impl Default for LoveConfig {
    fn default() -> Self {
        Self {
            threshold: 0.6,
            review_band: 0.15,
            dimension_floor: 0.3,
            max_action_bytes: 64 * 1024,
            max_text_bytes: 1024 * 1024,
            consistency_threshold: 0.7,
            history_capacity: 10_000,
            trend_window: 100,
        }
    }
}

fn unit_interval(value: f64) -> bool {
    value.is_finite() && (0.0..=1.0).contains(&value)
}

impl LoveConfig {
    /// Checks every field against its documented range.
    ///
    /// # Errors
    /// The first violated rule, as [`LoveError::ThresholdOutOfRange`],
    /// [`LoveError::ReviewBandOutOfRange`], [`LoveError::DimensionFloorOutOfRange`],
    /// [`LoveError::ConsistencyThresholdOutOfRange`] or [`LoveError::ZeroLimit`].
    pub fn validate(&self) -> Result<(), LoveError> {
        if !unit_interval(self.threshold) {
            return Err(LoveError::ThresholdOutOfRange {
                value: self.threshold,
            });
        }
        if !self.review_band.is_finite()
            || self.review_band < 0.0
            || self.review_band > self.threshold
        {
            return Err(LoveError::ReviewBandOutOfRange {
                value: self.review_band,
            });
        }
        if !unit_interval(self.dimension_floor) {
            return Err(LoveError::DimensionFloorOutOfRange {
                value: self.dimension_floor,
            });
        }
        if !unit_interval(self.consistency_threshold) {
            return Err(LoveError::ConsistencyThresholdOutOfRange {
                value: self.consistency_threshold,
            });
        }
        let limits = [
            ("max_action_bytes", self.max_action_bytes),
            ("max_text_bytes", self.max_text_bytes),
            ("history_capacity", self.history_capacity),
            ("trend_window", self.trend_window),
        ];
        for (name, value) in limits {
            if value == 0 {
                return Err(LoveError::ZeroLimit { name });
            }
        }
        Ok(())
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn default_is_valid() {
        assert_eq!(LoveConfig::default().validate(), Ok(()));
    }

    #[test]
    fn rejects_threshold_outside_unit_interval() {
        for bad in [-0.1, 1.1, f64::NAN, f64::INFINITY] {
            let cfg = LoveConfig {
                threshold: bad,
                ..LoveConfig::default()
            };
            assert!(matches!(
                cfg.validate(),
                Err(LoveError::ThresholdOutOfRange { .. })
            ));
        }
    }

    #[test]
    fn rejects_review_band_wider_than_threshold() {
        let cfg = LoveConfig {
            threshold: 0.3,
            review_band: 0.4,
            ..LoveConfig::default()
        };
        assert!(matches!(
            cfg.validate(),
            Err(LoveError::ReviewBandOutOfRange { .. })
        ));
    }

    #[test]
    fn rejects_zero_limits_by_name() {
        let cfg = LoveConfig {
            history_capacity: 0,
            ..LoveConfig::default()
        };
        assert_eq!(
            cfg.validate(),
            Err(LoveError::ZeroLimit {
                name: "history_capacity"
            })
        );
    }
}
