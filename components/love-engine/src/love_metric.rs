//! The love metric: how much a change improved a system's state.
//!
//! # Formula
//! A [`SystemState`] is an outcome distribution `p` over `k` outcomes (non-negative weights,
//! normalised to sum 1) and a wellbeing value `w` in [0, 1]. From it:
//!
//! ```text
//! entropy H(p)   = -sum p_i ln p_i                    (nats; terms with p_i = 0 contribute 0)
//! normalised Hn  = H(p) / ln k                        (0 when k = 1), in [0, 1]
//! order          = 1 - Hn                             in [0, 1]
//! improvement    = 0.4 * (order' - order) + 0.6 * (w' - w)      in [-1, 1]
//! love           = (1 + improvement) / 2              in [0, 1]; 0.5 means "no change"
//! ```
//!
//! Wellbeing weighs more than order because order is only instrumental: a tidier state that
//! leaves people worse off is not an improvement.

use serde::{Deserialize, Serialize};

use crate::LoveError;

/// Weight of the change in order in the improvement.
pub const ORDER_WEIGHT: f64 = 0.4;
/// Weight of the change in wellbeing in the improvement.
pub const WELLBEING_WEIGHT: f64 = 0.6;

/// A validated snapshot of a system: an outcome distribution and a wellbeing level.
///
/// Invariants: the distribution is non-empty, finite, non-negative and sums to 1; wellbeing is in
/// [0, 1]. Entropy is computed once, at construction, so comparing states costs O(1).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SystemState {
    distribution: Vec<f64>,
    wellbeing: f64,
    entropy: f64,
}

impl SystemState {
    /// Validates and normalises a state from non-negative outcome weights and a wellbeing value.
    ///
    /// # Errors
    /// [`LoveError::EmptyDistribution`] for no weights, [`LoveError::NonFiniteValue`] for NaN or
    /// infinity (index `usize::MAX` for the wellbeing), [`LoveError::NegativeProbability`],
    /// [`LoveError::ZeroMass`] when all weights are zero, and
    /// [`LoveError::WellbeingOutOfRange`].
    pub fn new(weights: &[f64], wellbeing: f64) -> Result<Self, LoveError> {
        if weights.is_empty() {
            return Err(LoveError::EmptyDistribution);
        }
        for (index, &value) in weights.iter().enumerate() {
            if !value.is_finite() {
                return Err(LoveError::NonFiniteValue { index });
            }
            if value < 0.0 {
                return Err(LoveError::NegativeProbability { index, value });
            }
        }
        if !wellbeing.is_finite() {
            return Err(LoveError::NonFiniteValue { index: usize::MAX });
        }
        if !(0.0..=1.0).contains(&wellbeing) {
            return Err(LoveError::WellbeingOutOfRange { value: wellbeing });
        }
        let total: f64 = weights.iter().sum();
        if total <= 0.0 || !total.is_finite() {
            return Err(LoveError::ZeroMass);
        }
        let distribution: Vec<f64> = weights.iter().map(|w| w / total).collect();
        let entropy = distribution
            .iter()
            .filter(|&&p| p > 0.0)
            .map(|&p| -p * p.ln())
            .sum::<f64>()
            .max(0.0);
        Ok(Self {
            distribution,
            wellbeing,
            entropy,
        })
    }

    /// The normalised distribution.
    #[must_use]
    pub fn distribution(&self) -> &[f64] {
        &self.distribution
    }

    /// The wellbeing value.
    #[must_use]
    pub fn wellbeing(&self) -> f64 {
        self.wellbeing
    }

    /// Shannon entropy in nats.
    #[must_use]
    pub fn entropy(&self) -> f64 {
        self.entropy
    }

    /// Entropy divided by its maximum `ln k`, in [0, 1] (0 for a single outcome).
    #[must_use]
    pub fn normalised_entropy(&self) -> f64 {
        let k = self.distribution.len();
        if k < 2 {
            return 0.0;
        }
        (self.entropy() / (k as f64).ln()).clamp(0.0, 1.0)
    }

    /// `1 - normalised entropy`, in [0, 1].
    #[must_use]
    pub fn order(&self) -> f64 {
        1.0 - self.normalised_entropy()
    }
}

/// The result of [`compute_love_metric`]: the parts and the score.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LoveMetric {
    /// Entropy before, in nats.
    pub entropy_before: f64,
    /// Entropy after, in nats.
    pub entropy_after: f64,
    /// Order before, in [0, 1].
    pub order_before: f64,
    /// Order after, in [0, 1].
    pub order_after: f64,
    /// `order_after - order_before`, in [-1, 1].
    pub order_delta: f64,
    /// `wellbeing_after - wellbeing_before`, in [-1, 1].
    pub wellbeing_delta: f64,
    /// Weighted improvement, in [-1, 1].
    pub improvement: f64,
    /// `(1 + improvement) / 2`, in [0, 1].
    pub love: f64,
}

/// Computes the love metric of the change from `before` to `after` (see the module docs).
///
/// Cost: O(1) (entropies are computed when the states are built, linear in their lengths).
#[must_use]
pub fn compute_love_metric(before: &SystemState, after: &SystemState) -> LoveMetric {
    let order_before = before.order();
    let order_after = after.order();
    let order_delta = order_after - order_before;
    let wellbeing_delta = after.wellbeing - before.wellbeing;
    let improvement =
        (ORDER_WEIGHT * order_delta + WELLBEING_WEIGHT * wellbeing_delta).clamp(-1.0, 1.0);
    LoveMetric {
        entropy_before: before.entropy(),
        entropy_after: after.entropy(),
        order_before,
        order_after,
        order_delta,
        wellbeing_delta,
        improvement,
        love: ((1.0 + improvement) / 2.0).clamp(0.0, 1.0),
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn uniform_has_max_entropy_and_zero_order() {
        let s = SystemState::new(&[1.0, 1.0, 1.0, 1.0], 0.5).unwrap_or_else(|e| panic!("{e}"));
        assert!((s.entropy() - 4f64.ln()).abs() < 1e-12);
        assert!(s.order().abs() < 1e-12);
    }

    #[test]
    fn certain_outcome_has_full_order() {
        let s = SystemState::new(&[0.0, 3.0, 0.0], 0.5).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s.entropy(), 0.0);
        assert_eq!(s.order(), 1.0);
        let single = SystemState::new(&[2.0], 0.5).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(single.order(), 1.0);
    }

    #[test]
    fn improvement_known_answer() {
        let before = SystemState::new(&[1.0, 1.0], 0.2).unwrap_or_else(|e| panic!("{e}"));
        let after = SystemState::new(&[1.0, 0.0], 0.7).unwrap_or_else(|e| panic!("{e}"));
        let m = compute_love_metric(&before, &after);
        // order 0 -> 1, wellbeing 0.2 -> 0.7: 0.4 * 1 + 0.6 * 0.5 = 0.7.
        assert!((m.improvement - 0.7).abs() < 1e-12);
        assert!((m.love - 0.85).abs() < 1e-12);
        let back = compute_love_metric(&after, &before);
        assert!((back.improvement + 0.7).abs() < 1e-12);
    }

    #[test]
    fn no_change_is_one_half() {
        let s = SystemState::new(&[0.2, 0.3, 0.5], 0.4).unwrap_or_else(|e| panic!("{e}"));
        assert!((compute_love_metric(&s, &s).love - 0.5).abs() < 1e-12);
    }

    #[test]
    fn bad_states_are_typed_errors() {
        assert_eq!(
            SystemState::new(&[], 0.5),
            Err(LoveError::EmptyDistribution)
        );
        assert_eq!(
            SystemState::new(&[0.5, f64::NAN], 0.5),
            Err(LoveError::NonFiniteValue { index: 1 })
        );
        assert_eq!(
            SystemState::new(&[0.5, -0.1], 0.5),
            Err(LoveError::NegativeProbability {
                index: 1,
                value: -0.1
            })
        );
        assert_eq!(SystemState::new(&[0.0, 0.0], 0.5), Err(LoveError::ZeroMass));
        assert_eq!(
            SystemState::new(&[1.0], 1.5),
            Err(LoveError::WellbeingOutOfRange { value: 1.5 })
        );
        assert_eq!(
            SystemState::new(&[1.0], f64::NAN),
            Err(LoveError::NonFiniteValue { index: usize::MAX })
        );
    }
}
