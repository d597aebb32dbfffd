//! Thresholds and bounds of an [`EvolutionEngine`](crate::EvolutionEngine).

use std::num::NonZeroUsize;

use serde::{Deserialize, Serialize};

use crate::EvolutionError;

/// Configuration of an engine. Start from [`EvolutionConfig::default`] and change fields;
/// [`EvolutionEngine::with_config`](crate::EvolutionEngine::with_config) validates it.
///
/// Rates and thresholds must be in `[0, 1]`; counts must be at least 1.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvolutionConfig {
    /// Keep at most this many raw experiences (the newest); `None` keeps all.
    /// Aggregates, patterns and metrics always cover every experience ever logged.
    pub retention: Option<NonZeroUsize>,
    /// An experience whose ethics score is strictly below this is an ethical issue. Default 0.6
    /// (the pipeline's ethics threshold).
    pub ethics_issue_below: f64,
    /// An experience whose safety score is strictly below this is a safety issue. Default 0.7
    /// (the pipeline's firewall threshold).
    pub safety_issue_below: f64,
    /// Fewest experiences of an action type before success/failure patterns are reported. Default 5.
    pub min_samples: u64,
    /// Success rate at or above which an action type is a successful-action pattern. Default 0.8.
    pub success_pattern_rate: f64,
    /// Failure rate at or above which an action type is a failure mode. Default 0.3.
    pub failure_mode_rate: f64,
    /// Safety issues on one pattern key at which it should be blocked outright. Default 3.
    pub block_pattern_after: u64,
    /// Experiences per epoch for the learning-velocity series. Default 100.
    pub epoch_len: u64,
    /// Complete epochs the learning velocity is fitted over. Default 10.
    pub velocity_epochs: usize,
}

impl Default for EvolutionConfig {
    fn default() -> Self {
        Self {
            retention: None,
            ethics_issue_below: 0.6,
            safety_issue_below: 0.7,
            min_samples: 5,
            success_pattern_rate: 0.8,
            failure_mode_rate: 0.3,
            block_pattern_after: 3,
            epoch_len: 100,
            velocity_epochs: 10,
        }
    }
}

impl EvolutionConfig {
    /// The default configuration with a retention bound of `newest` raw experiences.
    ///
    /// # Errors
    /// [`EvolutionError::ConfigZero`] when `newest` is 0.
    pub fn with_retention(newest: usize) -> Result<Self, EvolutionError> {
        let retention = NonZeroUsize::new(newest).ok_or(EvolutionError::ConfigZero("retention"))?;
        Ok(Self {
            retention: Some(retention),
            ..Self::default()
        })
    }

    /// Checks every field.
    ///
    /// # Errors
    /// [`EvolutionError::ConfigOutOfRange`] for a rate or threshold that is NaN or outside `[0, 1]`,
    /// [`EvolutionError::ConfigZero`] for a zero count.
    pub fn validate(&self) -> Result<(), EvolutionError> {
        for (name, value) in [
            ("ethics_issue_below", self.ethics_issue_below),
            ("safety_issue_below", self.safety_issue_below),
            ("success_pattern_rate", self.success_pattern_rate),
            ("failure_mode_rate", self.failure_mode_rate),
        ] {
            if !(0.0..=1.0).contains(&value) {
                return Err(EvolutionError::ConfigOutOfRange { name, value });
            }
        }
        for (name, value) in [
            ("min_samples", self.min_samples),
            ("block_pattern_after", self.block_pattern_after),
            ("epoch_len", self.epoch_len),
            ("velocity_epochs", self.velocity_epochs as u64),
        ] {
            if value == 0 {
                return Err(EvolutionError::ConfigZero(name));
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
        assert_eq!(EvolutionConfig::default().validate(), Ok(()));
    }

    #[test]
    fn zero_retention_is_rejected() {
        assert_eq!(
            EvolutionConfig::with_retention(0),
            Err(EvolutionError::ConfigZero("retention"))
        );
        assert_eq!(
            EvolutionConfig::with_retention(3).map(|c| c.retention.map(NonZeroUsize::get)),
            Ok(Some(3))
        );
    }

    #[test]
    fn nan_threshold_is_rejected() {
        let config = EvolutionConfig {
            safety_issue_below: f64::NAN,
            ..EvolutionConfig::default()
        };
        assert!(matches!(
            config.validate(),
            Err(EvolutionError::ConfigOutOfRange {
                name: "safety_issue_below",
                ..
            })
        ));
    }

    #[test]
    fn zero_epoch_len_is_rejected() {
        let config = EvolutionConfig {
            epoch_len: 0,
            ..EvolutionConfig::default()
        };
        assert_eq!(
            config.validate(),
            Err(EvolutionError::ConfigZero("epoch_len"))
        );
    }
}
