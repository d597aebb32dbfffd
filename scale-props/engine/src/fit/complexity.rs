//! Complexity classes fitted by least squares with an intercept.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::growth::{GrowthBin, loglog_exponent_of_positive};
use super::regression::{Line, nonnegative_line, weighted_sse};
use super::{FitError, Sample};

/// Complexity classes, ordered from cheapest to most expensive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Complexity {
    /// O(1).
    Constant,
    /// O(log n).
    Log,
    /// O(n).
    Linear,
    /// O(n log n).
    Linearithmic,
    /// O(n^2).
    Quadratic,
    /// O(n^3).
    Cubic,
}

impl Complexity {
    /// Every class, cheapest first.
    pub const ALL: [Complexity; 6] = [
        Complexity::Constant,
        Complexity::Log,
        Complexity::Linear,
        Complexity::Linearithmic,
        Complexity::Quadratic,
        Complexity::Cubic,
    ];

    /// The class's growth function `f(n)`: 1, ln n, n, n ln n, n^2 or n^3. Cost: O(1).
    pub fn eval(self, n: f64) -> f64 {
        match self {
            Complexity::Constant => 1.0,
            Complexity::Log => n.ln(),
            Complexity::Linear => n,
            Complexity::Linearithmic => n * n.ln(),
            Complexity::Quadratic => n * n,
            Complexity::Cubic => n * n * n,
        }
    }

    /// Big-O notation, e.g. `"O(n log n)"`. Cost: O(1).
    pub fn notation(self) -> &'static str {
        match self {
            Complexity::Constant => "O(1)",
            Complexity::Log => "O(log n)",
            Complexity::Linear => "O(n)",
            Complexity::Linearithmic => "O(n log n)",
            Complexity::Quadratic => "O(n^2)",
            Complexity::Cubic => "O(n^3)",
        }
    }
}

impl fmt::Display for Complexity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.notation())
    }
}

/// How far (in relative RMS error, see [`ComplexityFit::normalized_rmse`]) a simpler class may trail the best
/// one and still be chosen: a simpler class wins when its error is at most `best * (1 + relative) + absolute`.
///
/// The absolute part is what keeps O(1) data with a few per cent of noise from being called O(log n): with four
/// or five sizes, a two-parameter model can absorb most of the noise by chance, so the relative gain of the
/// extra parameter says little, while the constant model's own error stays at the noise level. Set `absolute`
/// to about the largest relative deviation of your medians from the truth: [`TieTolerance::DEFAULT`]
/// (5 points, no relative part) suits medians within ±5%.
///
/// The price of slack is resolution between neighbouring classes. Simulated with the default, ±5% uniform
/// noise on each point, 4 to 6 log-spaced sizes and an intercept up to `k` times the growth term at the
/// smallest size (2,000 random curves per class):
/// - over three decades, no class was misread for `k <= 2`; at `k = 5`, 4% of O(log n) curves read as O(1);
/// - over four decades, none for `k <= 5`;
/// - over two decades (`k = 1`), O(n log n) read as O(n) in 9% of curves (1.3% with ±2% noise) and O(log n) as
///   O(1) in 0.2%; O(1), O(n), O(n^2) and O(n^3) were never misread.
///
/// Measure wide ranges: three decades or more when O(n) and O(n log n) must be told apart.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TieTolerance {
    /// Absolute slack in relative RMS error (0.05 = 5 percentage points), >= 0.
    pub absolute: f64,
    /// Slack as a fraction of the best error, >= 0.
    pub relative: f64,
}

impl TieTolerance {
    /// The tolerance [`fit_complexity`] uses.
    pub const DEFAULT: TieTolerance = TieTolerance {
        absolute: 0.05,
        relative: 0.0,
    };

    /// No slack: the lowest error wins outright (ties still go to the simpler class).
    pub const NONE: TieTolerance = TieTolerance {
        absolute: 0.0,
        relative: 0.0,
    };
}

impl Default for TieTolerance {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// y values below this fraction of the largest y are scaled as if they were this large when relative errors are
/// formed (so an exact zero, e.g. a counter that stays 0 at small sizes, does not get infinite weight).
pub const RELATIVE_FLOOR: f64 = 1e-3;

/// One class's fitted model `y = intercept + coefficient * f(n)` and its error.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    /// The class.
    pub class: Complexity,
    /// Intercept `a` (>= 0). For [`Complexity::Constant`] the whole model is `a`.
    pub intercept: f64,
    /// Coefficient `b` of `f(n)` (>= 0; always 0 for [`Complexity::Constant`]).
    pub coefficient: f64,
    /// Root-mean-square relative error `sqrt(mean(((y - fit) / y)^2))`.
    pub normalized_rmse: f64,
}

impl Candidate {
    /// The model's prediction at size `n`. Cost: O(1).
    pub fn predict(&self, n: f64) -> f64 {
        match self.class {
            Complexity::Constant => self.intercept,
            class => self.intercept + self.coefficient * class.eval(n),
        }
    }
}

/// The result of fitting `y = a + b * f(n)` for every class.
///
/// # How the class is chosen
/// Each class is fitted by least squares on RELATIVE residuals `(y - fit) / y` (timings and counters spread over
/// decades, and their noise is roughly proportional to their size), with both `a >= 0` and `b >= 0`: a fixed
/// cost is never negative, and a decreasing fit is no growth model, so a class whose best `b` is 0 collapses to
/// the constant model (and then loses the tie to it). The class with the lowest error wins, except that the
/// simplest class within a [`TieTolerance`] of it is preferred.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComplexityFit {
    /// The chosen class.
    pub best: Complexity,
    /// Intercept `a` of the chosen model.
    pub intercept: f64,
    /// Coefficient `b` of the chosen model.
    pub coefficient: f64,
    /// Root-mean-square relative error of the chosen model: `sqrt(mean(((y - fit) / y)^2))` (0.05 = 5%), with
    /// y floored at [`RELATIVE_FLOOR`] times the largest y.
    pub normalized_rmse: f64,
    /// Slope of ln(y) against ln(x) (ordinary least squares), over the points with y > 0; 0 when fewer than two
    /// distinct sizes have y > 0. An intercept pulls it below the class's exponent (1 + n is flatter than n).
    pub exponent: f64,
    /// Coefficient of determination of the chosen model in absolute units, `1 - SS_res / SS_tot`: 0 for the
    /// constant model by construction, 1 when the data are constant and fitted exactly, negative when the
    /// relative fit is worse than the mean in absolute terms.
    pub r_squared: f64,
    /// Every class's fit, cheapest class first.
    pub candidates: Vec<Candidate>,
}

impl ComplexityFit {
    /// Returns true if and only if the chosen class is `bound` or cheaper. Cost: O(1).
    pub fn is_at_most(&self, bound: Complexity) -> bool {
        self.best <= bound
    }

    /// Checks the chosen class against an upper bound, with the whole fit in the error for the failure message.
    ///
    /// # Errors
    /// [`BoundExceeded`] when the chosen class is more expensive than `bound`.
    pub fn ensure_at_most(&self, bound: Complexity) -> Result<(), BoundExceeded> {
        if self.is_at_most(bound) {
            Ok(())
        } else {
            Err(BoundExceeded {
                bound,
                found: self.best,
                fit: Box::new(self.clone()),
            })
        }
    }

    /// The fit of one class (`None` only for a fit deserialised without it). Cost: O(1) (six candidates).
    pub fn candidate(&self, class: Complexity) -> Option<&Candidate> {
        self.candidates.iter().find(|c| c.class == class)
    }

    /// The chosen model's prediction at size `n`: `intercept + coefficient * f(n)`. Cost: O(1).
    pub fn predict(&self, n: f64) -> f64 {
        Candidate {
            class: self.best,
            intercept: self.intercept,
            coefficient: self.coefficient,
            normalized_rmse: 0.0,
        }
        .predict(n)
    }

    /// The wide growth bin of [`ComplexityFit::exponent`]. Cost: O(1).
    pub fn growth_bin(&self) -> GrowthBin {
        GrowthBin::from_exponent(self.exponent)
    }
}

impl fmt::Display for ComplexityFit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "best {}: y = {:.4e} + {:.4e} * f(n); rms relative error {:.2}%, R^2 {:.4}, log-log exponent {:.3}",
            self.best,
            self.intercept,
            self.coefficient,
            self.normalized_rmse * 100.0,
            self.r_squared,
            self.exponent
        )?;
        writeln!(
            f,
            "{:<12} {:>12} {:>12} {:>10}",
            "class", "intercept", "coefficient", "rms rel."
        )?;
        for c in &self.candidates {
            let mark = if c.class == self.best { " <" } else { "" };
            writeln!(
                f,
                "{:<12} {:>12.4e} {:>12.4e} {:>9.2}%{mark}",
                c.class,
                c.intercept,
                c.coefficient,
                c.normalized_rmse * 100.0
            )?;
        }
        Ok(())
    }
}

/// Occurs when a fitted complexity class is more expensive than the bound it was checked against.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("fitted growth {found} exceeds the bound {bound}\n{fit}")]
pub struct BoundExceeded {
    /// The bound that was checked.
    pub bound: Complexity,
    /// The class that was fitted.
    pub found: Complexity,
    /// The whole fit, for the failure message.
    pub fit: Box<ComplexityFit>,
}

/// Fits every complexity class with an intercept and picks the best (see [`ComplexityFit`] for how).
///
/// Cost: O(k) per class in the k points, O(k log k) overall (counting distinct sizes).
///
/// # Errors
/// [`FitError::TooFewPoints`] with fewer than three points, [`FitError::TooFewDistinct`] with fewer than three
/// distinct sizes (two sizes fit every class exactly), [`FitError::BadValue`] when a size is below 1 (log n would
/// be negative) or a y is negative (costs are not).
pub fn fit_complexity(sample: &Sample) -> Result<ComplexityFit, FitError> {
    fit_complexity_with(sample, TieTolerance::DEFAULT)
}

/// As [`fit_complexity`], with an explicit tie tolerance. Cost: as [`fit_complexity`].
///
/// # Errors
/// As [`fit_complexity`], and [`FitError::BadParameter`] when a tolerance is negative or not finite.
pub fn fit_complexity_with(
    sample: &Sample,
    tolerance: TieTolerance,
) -> Result<ComplexityFit, FitError> {
    for (name, value) in [
        ("tolerance.absolute", tolerance.absolute),
        ("tolerance.relative", tolerance.relative),
    ] {
        if !(value.is_finite() && value >= 0.0) {
            return Err(FitError::BadParameter {
                name,
                value,
                expected: "a finite value >= 0",
            });
        }
    }
    sample.require_size(3, 3)?;
    if let Some(index) = sample.xs().iter().position(|&x| x < 1.0) {
        let value = sample.xs()[index];
        return Err(FitError::BadValue {
            index,
            value,
            reason: "complexity fits need sizes >= 1",
        });
    }
    if let Some(index) = sample.ys().iter().position(|&y| y < 0.0) {
        let value = sample.ys()[index];
        return Err(FitError::BadValue {
            index,
            value,
            reason: "complexity fits need costs >= 0",
        });
    }
    let ys = sample.ys();
    let k = ys.len() as f64;
    let largest = ys.iter().fold(0.0_f64, |m, &y| m.max(y));
    let floor = if largest > 0.0 {
        largest * RELATIVE_FLOOR
    } else {
        1.0
    };
    let weights: Vec<f64> = ys.iter().map(|&y| 1.0 / y.max(floor).powi(2)).collect();

    let candidates: Vec<Candidate> = Complexity::ALL
        .iter()
        .map(|&class| {
            let fs: Vec<f64> = sample.xs().iter().map(|&x| class.eval(x)).collect();
            // For Constant f is 1 everywhere, so only the (weighted) mean is identifiable.
            let line: Line = nonnegative_line(&fs, ys, &weights);
            let normalized_rmse = (weighted_sse(line, &fs, ys, &weights) / k).sqrt();
            Candidate {
                class,
                intercept: line.intercept,
                coefficient: line.slope,
                normalized_rmse,
            }
        })
        .collect();

    let lowest = candidates
        .iter()
        .map(|c| c.normalized_rmse)
        .fold(f64::INFINITY, f64::min);
    let threshold = lowest * (1.0 + tolerance.relative) + tolerance.absolute;
    let chosen = candidates
        .iter()
        .find(|c| c.normalized_rmse <= threshold)
        .copied()
        .unwrap_or(candidates[0]);

    let y_mean = ys.iter().sum::<f64>() / k;
    let ss_tot: f64 = ys.iter().map(|y| (y - y_mean).powi(2)).sum();
    let ss_res: f64 = sample
        .points()
        .map(|(x, y)| (y - chosen.predict(x)).powi(2))
        .sum();
    let r_squared = if ss_tot > 0.0 {
        1.0 - ss_res / ss_tot
    } else if ss_res == 0.0 {
        1.0
    } else {
        0.0
    };

    Ok(ComplexityFit {
        best: chosen.class,
        intercept: chosen.intercept,
        coefficient: chosen.coefficient,
        normalized_rmse: chosen.normalized_rmse,
        exponent: loglog_exponent_of_positive(sample).unwrap_or(0.0),
        r_squared,
        candidates,
    })
}

#[cfg(all(test, not(loom)))]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn exact(class: Complexity, a: f64, b: f64, xs: &[f64]) -> Sample {
        let ys = xs.iter().map(|&x| a + b * class.eval(x)).collect();
        Sample::new(xs.to_vec(), ys).expect("valid sample")
    }

    fn close(got: f64, want: f64, tolerance: f64) -> bool {
        (got - want).abs() <= tolerance * want.abs().max(1e-12)
    }

    #[test]
    fn recovers_every_class_exactly_with_an_intercept() {
        let large = [1e3, 1e4, 1e5, 1e6];
        let small = [1.0, 10.0, 100.0, 1000.0];
        let mid = [10.0, 30.0, 100.0, 300.0, 1000.0];
        for xs in [&large[..], &small[..], &mid[..]] {
            for class in Complexity::ALL {
                let b = 2.5;
                // Intercept: the growth term at the second size (a fixed cost comparable to the work).
                let a = if class == Complexity::Constant {
                    7.0
                } else {
                    b * class.eval(xs[1])
                };
                let fit = fit_complexity(&exact(class, a, b, xs)).expect("fits");
                assert_eq!(fit.best, class, "sizes {xs:?}\n{fit}");
                assert!(fit.normalized_rmse < 1e-9, "{fit}");
                if class == Complexity::Constant {
                    assert!(
                        close(fit.intercept, 7.0 + b, 1e-9) && fit.coefficient == 0.0,
                        "{fit}"
                    );
                } else {
                    assert!(
                        close(fit.intercept, a, 1e-6) && close(fit.coefficient, b, 1e-9),
                        "{fit}"
                    );
                    assert!(fit.r_squared > 1.0 - 1e-9, "{fit}");
                }
            }
        }
    }

    #[test]
    fn exponent_tracks_the_class_without_intercept() {
        let xs = [1e3, 1e4, 1e5, 1e6];
        let fit = fit_complexity(&exact(Complexity::Quadratic, 0.0, 1e-3, &xs)).expect("fits");
        assert!((fit.exponent - 2.0).abs() < 1e-9);
        assert_eq!(fit.growth_bin(), GrowthBin::Quadratic);
        let fit = fit_complexity(&exact(Complexity::Linearithmic, 0.0, 1.0, &xs)).expect("fits");
        assert!(fit.exponent > 1.0 && fit.exponent < 1.2, "{}", fit.exponent);
    }

    #[test]
    fn decreasing_and_all_zero_data_are_constant() {
        let xs = [10.0, 100.0, 1000.0, 10_000.0];
        let falling = Sample::new(xs.to_vec(), vec![40.0, 30.0, 20.0, 10.0]).expect("valid");
        let fit = fit_complexity(&falling).expect("fits");
        assert_eq!(fit.best, Complexity::Constant, "{fit}");
        for c in &fit.candidates {
            assert!(c.intercept >= 0.0 && c.coefficient >= 0.0, "{c:?}");
        }
        let zeros = Sample::new(xs.to_vec(), vec![0.0; 4]).expect("valid");
        let fit = fit_complexity(&zeros).expect("fits");
        assert_eq!(
            (fit.best, fit.normalized_rmse, fit.exponent),
            (Complexity::Constant, 0.0, 0.0)
        );
    }

    #[test]
    fn noisy_constant_is_not_called_logarithmic() {
        // Within ±4% of 100, drifting upwards so that a log curve follows it more closely.
        let xs = vec![10.0, 100.0, 1000.0, 10_000.0, 100_000.0];
        let sample = Sample::new(xs, vec![96.0, 99.0, 101.0, 103.0, 104.0]).expect("valid");
        let fit = fit_complexity(&sample).expect("fits");
        let error_of = |class| fit.candidate(class).map(|c| c.normalized_rmse);
        assert!(
            error_of(Complexity::Log) < error_of(Complexity::Constant),
            "{fit}"
        );
        assert!(error_of(Complexity::Log).is_some());
        assert_eq!(fit.best, Complexity::Constant, "{fit}");
        // Without slack the lower error wins.
        let strict = fit_complexity_with(&sample, TieTolerance::NONE).expect("fits");
        assert_eq!(strict.best, Complexity::Log, "{strict}");
    }

    #[test]
    fn bound_checks_report_the_fit() {
        let fit = fit_complexity(&exact(
            Complexity::Quadratic,
            5.0,
            1.0,
            &[10.0, 100.0, 1000.0],
        ))
        .expect("fits");
        assert!(fit.is_at_most(Complexity::Quadratic) && fit.is_at_most(Complexity::Cubic));
        assert!(!fit.is_at_most(Complexity::Linearithmic));
        assert_eq!(fit.ensure_at_most(Complexity::Cubic), Ok(()));
        let err = fit
            .ensure_at_most(Complexity::Linear)
            .expect_err("quadratic exceeds linear");
        assert_eq!(
            (err.bound, err.found),
            (Complexity::Linear, Complexity::Quadratic)
        );
        let message = err.to_string();
        assert!(
            message.starts_with("fitted growth O(n^2) exceeds the bound O(n)"),
            "{message}"
        );
        assert!(
            message.contains("O(n log n)") && message.contains("O(n^3)"),
            "{message}"
        );
    }

    #[test]
    fn display_is_a_table_of_every_class() {
        let fit = fit_complexity(&exact(Complexity::Linear, 3.0, 2.0, &[1.0, 10.0, 100.0]))
            .expect("fits");
        let text = fit.to_string();
        assert!(text.starts_with("best O(n): "), "{text}");
        assert_eq!(text.lines().count(), 2 + Complexity::ALL.len(), "{text}");
        assert_eq!(
            text.lines().filter(|l| l.ends_with(" <")).count(),
            1,
            "{text}"
        );
    }

    #[test]
    fn rejects_bad_input() {
        let two = Sample::new(vec![1.0, 2.0], vec![1.0, 2.0]).expect("valid");
        assert_eq!(
            fit_complexity(&two),
            Err(FitError::TooFewPoints { needed: 3, got: 2 })
        );
        let repeated = Sample::new(vec![1.0, 2.0, 2.0], vec![1.0, 2.0, 2.1]).expect("valid");
        assert_eq!(
            fit_complexity(&repeated),
            Err(FitError::TooFewDistinct { needed: 3, got: 2 })
        );
        let fractional = Sample::new(vec![0.5, 2.0, 3.0], vec![1.0, 2.0, 3.0]).expect("valid");
        assert!(matches!(
            fit_complexity(&fractional),
            Err(FitError::BadValue { index: 0, .. })
        ));
        let negative = Sample::new(vec![1.0, 2.0, 3.0], vec![1.0, -2.0, 3.0]).expect("valid");
        assert!(matches!(
            fit_complexity(&negative),
            Err(FitError::BadValue { index: 1, .. })
        ));
        let sample = Sample::new(vec![1.0, 2.0, 3.0], vec![1.0, 2.0, 3.0]).expect("valid");
        let bad = TieTolerance {
            absolute: -0.1,
            relative: 0.0,
        };
        assert!(matches!(
            fit_complexity_with(&sample, bad),
            Err(FitError::BadParameter { .. })
        ));
        let nan = TieTolerance {
            absolute: 0.0,
            relative: f64::NAN,
        };
        assert!(matches!(
            fit_complexity_with(&sample, nan),
            Err(FitError::BadParameter { .. })
        ));
    }

    /// Sizes log-spaced from `lowest` over `decades`, `count` of them, rounded to whole sizes.
    fn sizes(lowest: f64, decades: f64, count: usize) -> Vec<f64> {
        (0..count)
            .map(|i| (lowest * 10f64.powf(decades * i as f64 / (count - 1) as f64)).round())
            .collect()
    }

    /// Noisy timings of `class`: `(a + b f(n)) * (1 + e)`, `|e| <= 5%`, with `a` up to the growth term at the
    /// smallest size (for Constant, `a` is the whole cost).
    fn noisy_case(
        classes: &'static [Complexity],
        decades: f64,
    ) -> impl Strategy<Value = (Complexity, Vec<f64>, Vec<f64>)> {
        (
            0..classes.len(),
            4usize..=6,
            0.3f64..3.0,
            -2.0f64..2.0,
            0.0f64..=1.0,
        )
            .prop_flat_map(move |(class, count, lowest_exp, b_exp, a_share)| {
                let class = classes[class];
                let xs = sizes(10f64.powf(lowest_exp), decades, count);
                let b = 10f64.powf(b_exp);
                let a = if class == Complexity::Constant {
                    b
                } else {
                    a_share * b * class.eval(xs[0])
                };
                let ys: Vec<f64> = xs.iter().map(|&x| a + b * class.eval(x)).collect();
                (
                    Just(class),
                    Just(xs),
                    proptest::collection::vec(-0.05f64..=0.05, count),
                )
                    .prop_map(move |(c, xs, noise)| {
                        let noisy = ys.iter().zip(&noise).map(|(y, e)| y * (1.0 + e)).collect();
                        (c, xs, noisy)
                    })
            })
    }

    proptest! {
        /// Every class, over three decades (the range that separates O(n) from O(n log n) at ±5% noise).
        #[test]
        fn classifies_noisy_data_over_three_decades((class, xs, ys) in noisy_case(&Complexity::ALL, 3.0)) {
            let fit = fit_complexity(&Sample::new(xs, ys).expect("valid"))?;
            prop_assert_eq!(fit.best, class, "{}", fit);
        }

        /// Over two decades, the classes that are not neighbours of an ambiguous pair are still told apart.
        #[test]
        fn classifies_noisy_data_over_two_decades(
            (class, xs, ys) in noisy_case(
                &[Complexity::Constant, Complexity::Linear, Complexity::Quadratic, Complexity::Cubic],
                2.0,
            )
        ) {
            let fit = fit_complexity(&Sample::new(xs, ys).expect("valid"))?;
            prop_assert_eq!(fit.best, class, "{}", fit);
        }
    }
}
