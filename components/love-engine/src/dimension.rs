//! The five ethical dimensions, their weights, and the strength of a piece of evidence.

use serde::{Deserialize, Serialize};

/// One of the five ethical dimensions every action is scored on.
///
/// Weights (sum 1): harm 0.30, autonomy 0.20, fairness 0.15, transparency 0.15, beneficence 0.20.
/// Harm weighs most because it is the least reversible; autonomy and beneficence next because
/// they concern the people affected directly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Dimension {
    /// Avoiding damage: destructive, irreversible or hostile operations.
    Harm,
    /// Respecting people's choices: consent, opt-in, no coercion or manipulation.
    Autonomy,
    /// Treating people equally: no discrimination or biased exclusion.
    Fairness,
    /// Being open: no deception, concealment or impersonation.
    Transparency,
    /// Doing good: helping, improving, not wasting people's attention.
    Beneficence,
}

impl Dimension {
    /// All dimensions, in a fixed order (the index order of [`Dimension::index`]).
    pub const ALL: [Self; 5] = [
        Self::Harm,
        Self::Autonomy,
        Self::Fairness,
        Self::Transparency,
        Self::Beneficence,
    ];

    /// The dimension's weight in the overall score; the five weights sum to 1.
    #[must_use]
    pub const fn weight(self) -> f64 {
        match self {
            Self::Harm => 0.30,
            Self::Autonomy | Self::Beneficence => 0.20,
            Self::Fairness | Self::Transparency => 0.15,
        }
    }

    /// Position of the dimension in [`Dimension::ALL`].
    #[must_use]
    pub const fn index(self) -> usize {
        self as usize
    }
}

/// How strongly a piece of evidence counts, for or against a dimension.
///
/// Each level has a numeric weight (see [`Severity::weight`]) that enters the scoring formula.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Severity {
    /// Weight 0.25.
    Low,
    /// Weight 0.5.
    Medium,
    /// Weight 1.0.
    High,
    /// Weight 2.0.
    Critical,
}

impl Severity {
    /// The numeric weight of the level.
    #[must_use]
    pub const fn weight(self) -> f64 {
        match self {
            Self::Low => 0.25,
            Self::Medium => 0.5,
            Self::High => 1.0,
            Self::Critical => 2.0,
        }
    }
}

/// One score in [0, 1] per dimension.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct DimensionScores {
    /// Harm score (1 = harmless).
    pub harm: f64,
    /// Autonomy score (1 = fully respects choice).
    pub autonomy: f64,
    /// Fairness score.
    pub fairness: f64,
    /// Transparency score.
    pub transparency: f64,
    /// Beneficence score.
    pub beneficence: f64,
}

impl DimensionScores {
    /// Builds the scores from an array in [`Dimension::ALL`] order.
    #[must_use]
    pub const fn from_array(values: [f64; 5]) -> Self {
        Self {
            harm: values[0],
            autonomy: values[1],
            fairness: values[2],
            transparency: values[3],
            beneficence: values[4],
        }
    }

    /// The scores as an array in [`Dimension::ALL`] order.
    #[must_use]
    pub const fn to_array(&self) -> [f64; 5] {
        [
            self.harm,
            self.autonomy,
            self.fairness,
            self.transparency,
            self.beneficence,
        ]
    }

    /// The score of one dimension.
    #[must_use]
    pub const fn get(&self, dimension: Dimension) -> f64 {
        self.to_array()[dimension.index()]
    }

    /// The weighted mean `sum(weight(d) * score(d))`, in [0, 1] when every score is.
    #[must_use]
    pub fn weighted_mean(&self) -> f64 {
        Dimension::ALL
            .iter()
            .map(|d| d.weight() * self.get(*d))
            .sum()
    }

    /// The lowest score and its dimension (the first such in [`Dimension::ALL`] order on ties).
    #[must_use]
    pub fn min(&self) -> (Dimension, f64) {
        let mut best = (Dimension::Harm, self.harm);
        for d in Dimension::ALL {
            if self.get(d) < best.1 {
                best = (d, self.get(d));
            }
        }
        best
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn weights_sum_to_one() {
        let total: f64 = Dimension::ALL.iter().map(|d| d.weight()).sum();
        assert!((total - 1.0).abs() < 1e-12);
    }

    #[test]
    fn index_matches_all_order() {
        for (i, d) in Dimension::ALL.iter().enumerate() {
            assert_eq!(d.index(), i);
        }
    }

    #[test]
    fn min_finds_lowest_dimension() {
        let s = DimensionScores::from_array([0.9, 0.8, 0.2, 0.7, 0.6]);
        assert_eq!(s.min(), (Dimension::Fairness, 0.2));
        assert!((s.weighted_mean() - (0.27 + 0.16 + 0.03 + 0.105 + 0.12)).abs() < 1e-12);
    }
}
