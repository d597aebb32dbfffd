//! The validated point set every fit takes.

use serde::{Deserialize, Serialize};

use super::FitError;

/// A validated set of (x, y) points.
///
/// # Invariants
/// A `Sample` that exists has
/// - `xs.len() == ys.len() >= 2`,
/// - every x and y finite (no NaN, no infinity),
/// - every x strictly positive (sizes, load levels and worker counts are, and logs of x are taken).
///
/// The points keep the order they were given in; x values may repeat (e.g. one point per repetition).
/// Routines with a narrower domain (y > 0 for logs and throughput, x >= 1 for complexity classes, x strictly
/// increasing for knees) check it themselves and return [`FitError`]. Deserialising validates too.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RawSample")]
pub struct Sample {
    xs: Vec<f64>,
    ys: Vec<f64>,
}

/// The unvalidated wire form of a [`Sample`].
#[derive(Deserialize)]
struct RawSample {
    xs: Vec<f64>,
    ys: Vec<f64>,
}

impl TryFrom<RawSample> for Sample {
    type Error = FitError;
    fn try_from(raw: RawSample) -> Result<Self, FitError> {
        Self::new(raw.xs, raw.ys)
    }
}

impl Sample {
    /// Validates and builds a sample; every other constructor funnels into this one. Cost: O(k) in points.
    ///
    /// # Errors
    /// [`FitError::LengthMismatch`] when lengths differ, [`FitError::TooFewPoints`] with fewer than two points,
    /// [`FitError::BadValue`] when a value is not finite or an x is <= 0.
    pub fn new(xs: Vec<f64>, ys: Vec<f64>) -> Result<Self, FitError> {
        if xs.len() != ys.len() {
            return Err(FitError::LengthMismatch {
                x: xs.len(),
                y: ys.len(),
            });
        }
        if xs.len() < 2 {
            return Err(FitError::TooFewPoints {
                needed: 2,
                got: xs.len(),
            });
        }
        for (index, (&x, &y)) in xs.iter().zip(&ys).enumerate() {
            if !x.is_finite() {
                return Err(FitError::BadValue {
                    index,
                    value: x,
                    reason: "x is not finite",
                });
            }
            if x <= 0.0 {
                return Err(FitError::BadValue {
                    index,
                    value: x,
                    reason: "x must be > 0",
                });
            }
            if !y.is_finite() {
                return Err(FitError::BadValue {
                    index,
                    value: y,
                    reason: "y is not finite",
                });
            }
        }
        Ok(Self { xs, ys })
    }

    /// Builds a sample from `(x, y)` pairs. Cost: O(k).
    ///
    /// # Errors
    /// As [`Sample::new`].
    pub fn from_pairs(pairs: impl IntoIterator<Item = (f64, f64)>) -> Result<Self, FitError> {
        let (xs, ys) = pairs.into_iter().unzip();
        Self::new(xs, ys)
    }

    /// Builds a sample of per-size medians: `reps[i]` holds the repetitions measured at `xs[i]`.
    /// Cost: O(r log r) per size for r repetitions.
    ///
    /// # Errors
    /// [`FitError::LengthMismatch`] when `xs` and `reps` differ in length, [`FitError::EmptyGroup`] when a size
    /// has no repetitions, [`FitError::BadValue`] when a repetition is not finite, and the errors of
    /// [`Sample::new`].
    pub fn from_repetitions(xs: Vec<f64>, reps: &[Vec<f64>]) -> Result<Self, FitError> {
        if xs.len() != reps.len() {
            return Err(FitError::LengthMismatch {
                x: xs.len(),
                y: reps.len(),
            });
        }
        let mut ys = Vec::with_capacity(reps.len());
        for (index, group) in reps.iter().enumerate() {
            if let Some(&value) = group.iter().find(|v| !v.is_finite()) {
                return Err(FitError::BadValue {
                    index,
                    value,
                    reason: "repetition is not finite",
                });
            }
            ys.push(median(group).ok_or(FitError::EmptyGroup { index })?);
        }
        Self::new(xs, ys)
    }

    /// The x values, in the order given. Cost: O(1).
    pub fn xs(&self) -> &[f64] {
        &self.xs
    }

    /// The y values, in the order given. Cost: O(1).
    pub fn ys(&self) -> &[f64] {
        &self.ys
    }

    /// Number of points (always >= 2). Cost: O(1).
    pub fn len(&self) -> usize {
        self.xs.len()
    }

    /// Always false: a sample has at least two points. Present for API symmetry with `len`.
    pub fn is_empty(&self) -> bool {
        self.xs.is_empty()
    }

    /// The points as `(x, y)` pairs. Cost: O(1) to create, O(k) to walk.
    pub fn points(&self) -> impl Iterator<Item = (f64, f64)> + '_ {
        self.xs.iter().copied().zip(self.ys.iter().copied())
    }

    /// Number of distinct x values. Cost: O(k log k).
    pub fn distinct_xs(&self) -> usize {
        let mut xs = self.xs.clone();
        xs.sort_by(f64::total_cmp);
        xs.dedup();
        xs.len()
    }

    /// Returns `Err` at the first y that is not strictly positive (logs of y are taken, or y is a throughput).
    pub(crate) fn require_positive_y(&self, reason: &'static str) -> Result<(), FitError> {
        match self.ys.iter().position(|&y| y <= 0.0) {
            Some(index) => Err(FitError::BadValue {
                index,
                value: self.ys[index],
                reason,
            }),
            None => Ok(()),
        }
    }

    /// Returns `Err` unless the sample has at least `needed` points and `needed_distinct` distinct x values.
    pub(crate) fn require_size(
        &self,
        needed: usize,
        needed_distinct: usize,
    ) -> Result<(), FitError> {
        if self.len() < needed {
            return Err(FitError::TooFewPoints {
                needed,
                got: self.len(),
            });
        }
        let got = self.distinct_xs();
        if got < needed_distinct {
            return Err(FitError::TooFewDistinct {
                needed: needed_distinct,
                got,
            });
        }
        Ok(())
    }
}

/// The median of `values` (mean of the two middle values for an even count), or `None` when empty.
/// NaNs sort last (IEEE total order). Cost: O(r log r).
pub fn median(values: &[f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mid = sorted.len() / 2;
    Some(if sorted.len() % 2 == 1 {
        sorted[mid]
    } else {
        (sorted[mid - 1] + sorted[mid]) / 2.0
    })
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn rejects_mismatched_lengths() {
        assert_eq!(
            Sample::new(vec![1.0, 2.0], vec![1.0]),
            Err(FitError::LengthMismatch { x: 2, y: 1 })
        );
    }

    #[test]
    fn rejects_fewer_than_two_points() {
        assert_eq!(
            Sample::new(vec![1.0], vec![1.0]),
            Err(FitError::TooFewPoints { needed: 2, got: 1 })
        );
        assert_eq!(
            Sample::new(vec![], vec![]),
            Err(FitError::TooFewPoints { needed: 2, got: 0 })
        );
    }

    #[test]
    fn rejects_non_finite_and_non_positive_x() {
        let nan = Sample::new(vec![1.0, f64::NAN], vec![1.0, 2.0]);
        assert!(matches!(nan, Err(FitError::BadValue { index: 1, .. })));
        let zero = Sample::new(vec![0.0, 1.0], vec![1.0, 2.0]);
        assert!(matches!(zero, Err(FitError::BadValue { index: 0, .. })));
        let neg = Sample::new(vec![1.0, -3.0], vec![1.0, 2.0]);
        assert!(matches!(neg, Err(FitError::BadValue { index: 1, .. })));
        let inf_y = Sample::new(vec![1.0, 2.0], vec![f64::INFINITY, 2.0]);
        assert!(matches!(inf_y, Err(FitError::BadValue { index: 0, .. })));
    }

    #[test]
    fn deserialising_validates() {
        let ok: Sample =
            serde_json::from_str(r#"{"xs":[1.0,2.0],"ys":[3.0,4.0]}"#).expect("valid sample");
        assert_eq!(ok.ys(), &[3.0, 4.0]);
        let bad = serde_json::from_str::<Sample>(r#"{"xs":[1.0,-2.0],"ys":[3.0,4.0]}"#);
        assert!(bad.is_err());
    }

    #[test]
    fn medians_of_repetitions() {
        let s = Sample::from_repetitions(
            vec![1.0, 2.0],
            &[vec![3.0, 1.0, 2.0], vec![4.0, 10.0, 6.0, 5.0]],
        )
        .expect("valid repetitions");
        assert_eq!(s.ys(), &[2.0, 5.5]);
        let empty = Sample::from_repetitions(vec![1.0, 2.0], &[vec![1.0], vec![]]);
        assert_eq!(empty, Err(FitError::EmptyGroup { index: 1 }));
        assert_eq!(median(&[]), None);
    }

    #[test]
    fn counts_distinct_xs() {
        let s = Sample::from_pairs([(1.0, 1.0), (2.0, 1.0), (1.0, 2.0)]).expect("valid");
        assert_eq!(s.distinct_xs(), 2);
        assert_eq!(
            s.require_size(3, 3),
            Err(FitError::TooFewDistinct { needed: 3, got: 2 })
        );
    }
}
