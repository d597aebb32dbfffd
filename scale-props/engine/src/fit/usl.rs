//! The Universal Scalability Law, fitted by constrained non-linear least squares, with a verdict the data
//! support ([`UslVerdict`]).

use std::fmt;

use levenberg_marquardt::{LeastSquaresProblem, LevenbergMarquardt};
use nalgebra::storage::Owned;
use nalgebra::{DMatrix, DVector, Dyn};
use serde::{Deserialize, Serialize};

use super::usl_verdict::{UslInterval, UslVerdict, judge_spread};
use super::{FitError, Sample};

/// Below this total penalty `sigma (N - 1) + kappa N (N - 1)` at the largest measured N (efficiency above
/// 1 / 1.1, about 91%), the fit is labelled [`UslLabel::Linear`].
pub const LINEAR_PENALTY: f64 = 0.1;

/// How throughput scales with workers, per the Universal Scalability Law. Ordered from best to worst
/// (`Linear < ContentionLimited < CoherencyLimited`), so a claim can bound it ([`crate::expect::Scaling`]).
///
/// Labels are relative to the measured range, with `M` the largest measured worker count:
/// - `Linear` when `sigma (M - 1) + kappa M (M - 1) <= `[`LINEAR_PENALTY`];
/// - otherwise `CoherencyLimited` when `kappa > 0` and either the coherency term is at least the contention
///   term at `M` (`kappa M >= sigma`) or the peak `N*` is within the measured range (`N* <= M`);
/// - otherwise `ContentionLimited`.
///
/// A hard ceiling is not USL-shaped: throughput that stops dead at the machine's core count (e.g. 1, 1.9, 1.95,
/// 1.97 at 1, 2, 4, 8 workers on two cores) is fitted with kappa bending the curve over, a peak inside the range
/// and the label `CoherencyLimited`, with a large error (~8% there). [`fit_usl_on_cores`] fits only the levels
/// within the cores for that reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum UslLabel {
    /// Near-linear: contention and coherency both negligible over the measured range.
    Linear,
    /// Contention (sigma) dominates: throughput flattens towards `lambda / sigma`.
    ContentionLimited,
    /// Coherency (kappa) dominates: throughput falls past a peak.
    CoherencyLimited,
}

impl UslLabel {
    /// Lower-case name: `linear`, `contention-limited`, `coherency-limited`.
    pub fn name(self) -> &'static str {
        match self {
            UslLabel::Linear => "linear",
            UslLabel::ContentionLimited => "contention-limited",
            UslLabel::CoherencyLimited => "coherency-limited",
        }
    }
}

impl fmt::Display for UslLabel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.name())
    }
}

/// A Universal Scalability Law fit: `X(N) = lambda N / (1 + sigma (N - 1) + kappa N (N - 1))`, with the
/// verdict the measurements support.
///
/// Invariants: `lambda > 0`, `sigma >= 0`, `kappa >= 0`, all finite; `label` is among the labels `verdict`
/// allows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UslFit {
    /// Throughput of one worker (in the sample's y unit).
    pub lambda: f64,
    /// Contention coefficient, >= 0 (point estimate; its spread is in [`UslFit::interval`]).
    pub sigma: f64,
    /// Coherency coefficient, >= 0 (point estimate; its spread is in [`UslFit::interval`]).
    pub kappa: f64,
    /// `sqrt((1 - sigma) / kappa)`, the worker count of peak throughput; `None` when kappa is 0 or sigma >= 1
    /// (throughput then never falls).
    pub peak_workers: Option<f64>,
    /// The label of the point estimate (`sigma`, `kappa`; see [`UslLabel`] for the thresholds). Whether the
    /// data support it is [`UslFit::verdict`]: read that one.
    pub label: UslLabel,
    /// The label the measurements support, or undecided between the labels their spread allows.
    pub verdict: UslVerdict,
    /// The spread of sigma and kappa over resamples of the repetitions (or over a margin when there are too
    /// few repetitions), and what it came from.
    pub interval: UslInterval,
    /// Root-mean-square relative error of the fitted curve, `sqrt(mean(((X - fit) / X)^2))`, over the levels
    /// the fit used (those within [`UslFit::cores`]); `None` for an exact fit ([`UslFit::is_exact`]), where
    /// it would be 0 whatever the data.
    pub normalized_rmse: Option<f64>,
    /// Distinct worker levels the law was fitted on.
    pub fitted_levels: usize,
    /// Parameters fitted: 2 (`lambda`, `sigma`) or 3 (with `kappa`).
    pub parameters: usize,
    /// The (workers, median throughput) points measured, including any above [`UslFit::cores`].
    pub sample: Sample,
    /// The cores the run had, when the fit accounts for them ([`fit_usl_on_cores`]): the USL is fitted on the
    /// levels up to this many workers, and the model holds throughput flat above it (CPU-capped).
    pub cores: Option<f64>,
}

impl UslFit {
    /// Fitted throughput at `workers`. Cost: O(1).
    ///
    /// With [`UslFit::cores`] set, levels above the cores are CPU-capped: throughput there is the fitted
    /// throughput at the core count.
    pub fn throughput(&self, workers: f64) -> f64 {
        let n = self.cores.map_or(workers, |c| workers.min(c));
        usl(self.lambda, self.sigma, self.kappa, n)
    }

    /// Returns true if and only if `workers` is above the cores the fit accounts for (a CPU-capped level).
    /// Cost: O(1).
    pub fn is_capped(&self, workers: f64) -> bool {
        self.cores.is_some_and(|c| workers > c)
    }

    /// Returns true if and only if the fit has no more levels than parameters: it passes through every
    /// point whatever they are, so it has no goodness of fit (its error is 0 by construction). Cost: O(1).
    pub fn is_exact(&self) -> bool {
        self.fitted_levels <= self.parameters
    }

    /// Fitted efficiency at `workers`: `X(N) / (N lambda)`, 1 for perfect scaling. Cost: O(1).
    pub fn efficiency(&self, workers: f64) -> f64 {
        self.throughput(workers) / (workers * self.lambda)
    }

    /// Fitted throughput at the peak, `X(N*)`; `None` when there is no peak. Cost: O(1).
    pub fn peak_throughput(&self) -> Option<f64> {
        self.peak_workers.map(|n| self.throughput(n))
    }

    /// The largest worker count in the sample. Cost: O(k).
    pub fn max_workers(&self) -> f64 {
        self.sample.xs().iter().fold(f64::MIN, |m, &x| m.max(x))
    }

    /// How well the curve fits, in words: `exact fit (2 levels, 2 parameters): no goodness of fit` or
    /// `rms relative error 1.20% over 3 levels`. Cost: O(1).
    pub fn goodness(&self) -> String {
        match self.normalized_rmse {
            Some(e) => format!(
                "rms relative error {:.2}% over {} levels",
                e * 100.0,
                self.fitted_levels
            ),
            None => format!(
                "exact fit ({} levels, {} parameters): no goodness of fit",
                self.fitted_levels, self.parameters
            ),
        }
    }
}

impl fmt::Display for UslFit {
    /// First line: verdict, parameters with their intervals, peak, goodness of fit; then the table.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "USL {}", self.verdict)?;
        if let Some(c) = self.cores {
            write!(f, " up to {c} cores, CPU-capped above")?;
        }
        let (s, k) = (self.interval.sigma, self.interval.kappa);
        write!(
            f,
            ": lambda {:.4e}, sigma {:.5} (90% {:.3}..{:.3}), kappa {:.3e} (90% {:.2e}..{:.2e}), ",
            self.lambda, self.sigma, s.0, s.1, self.kappa, k.0, k.1
        )?;
        match self.peak_workers {
            Some(peak) => write!(f, "peak at {peak:.1} workers")?,
            None => write!(f, "no peak")?,
        }
        writeln!(f, "; {}; spread {}", self.goodness(), self.interval.basis)?;
        writeln!(
            f,
            "{:>8} {:>12} {:>12} {:>10}",
            "workers", "measured", "fitted", "efficiency"
        )?;
        for (n, x) in self.sample.points() {
            let capped = if self.is_capped(n) { " capped" } else { "" };
            writeln!(
                f,
                "{n:>8} {x:>12.4e} {:>12.4e} {:>9.1}%{capped}",
                self.throughput(n),
                self.efficiency(n) * 100.0
            )?;
        }
        Ok(())
    }
}

/// The label of `sigma`, `kappa` over a measured range whose largest worker count is `m` (see [`UslLabel`]).
pub(super) fn label_for(sigma: f64, kappa: f64, m: f64) -> UslLabel {
    let peak = (kappa > 0.0 && sigma < 1.0).then(|| ((1.0 - sigma) / kappa).sqrt());
    if sigma * (m - 1.0) + kappa * m * (m - 1.0) <= LINEAR_PENALTY {
        UslLabel::Linear
    } else if kappa > 0.0 && (kappa * m >= sigma || peak.is_some_and(|p| p <= m)) {
        UslLabel::CoherencyLimited
    } else {
        UslLabel::ContentionLimited
    }
}

fn usl(lambda: f64, sigma: f64, kappa: f64, n: f64) -> f64 {
    lambda * n / (1.0 + sigma * (n - 1.0) + kappa * n * (n - 1.0))
}

/// Least-squares problem over the free subset of `[lambda, sigma, kappa]`, with relative residuals
/// `(fit - y) / y`.
struct UslProblem<'a> {
    ns: &'a [f64],
    ys: &'a [f64],
    free: [bool; 3],
    full: [f64; 3],
}

impl UslProblem<'_> {
    fn free_count(&self) -> usize {
        self.free.iter().filter(|&&f| f).count()
    }

    /// Residuals at the current parameters; `None` where the model's denominator is not positive.
    fn residual_values(&self) -> Option<Vec<f64>> {
        let [lambda, sigma, kappa] = self.full;
        self.ns
            .iter()
            .zip(self.ys)
            .map(|(&n, &y)| {
                let d = 1.0 + sigma * (n - 1.0) + kappa * n * (n - 1.0);
                (d > 0.0 && d.is_finite()).then(|| (lambda * n / d - y) / y)
            })
            .collect()
    }
}

impl LeastSquaresProblem<f64, Dyn, Dyn> for UslProblem<'_> {
    type ResidualStorage = Owned<f64, Dyn>;
    type JacobianStorage = Owned<f64, Dyn, Dyn>;
    type ParameterStorage = Owned<f64, Dyn>;

    fn set_params(&mut self, x: &DVector<f64>) {
        let mut values = x.iter();
        for (slot, &free) in self.full.iter_mut().zip(&self.free) {
            if free {
                *slot = values.next().copied().unwrap_or(*slot);
            }
        }
    }

    fn params(&self) -> DVector<f64> {
        DVector::from_iterator(
            self.free_count(),
            self.full
                .iter()
                .zip(&self.free)
                .filter(|(_, f)| **f)
                .map(|(v, _)| *v),
        )
    }

    fn residuals(&self) -> Option<DVector<f64>> {
        self.residual_values().map(DVector::from_vec)
    }

    fn jacobian(&self) -> Option<DMatrix<f64>> {
        let [lambda, sigma, kappa] = self.full;
        let mut jac = DMatrix::zeros(self.ns.len(), self.free_count());
        for (row, (&n, &y)) in self.ns.iter().zip(self.ys).enumerate() {
            let d = 1.0 + sigma * (n - 1.0) + kappa * n * (n - 1.0);
            if d <= 0.0 || !d.is_finite() {
                return None;
            }
            let partials = [
                n / d / y,
                -lambda * n * (n - 1.0) / (d * d) / y,
                -lambda * n * n * (n - 1.0) / (d * d) / y,
            ];
            let mut col = 0;
            for (partial, &free) in partials.iter().zip(&self.free) {
                if free {
                    jac[(row, col)] = *partial;
                    col += 1;
                }
            }
        }
        Some(jac)
    }
}

/// Non-negative least squares of `z` on the two columns `u`, `v` (unweighted), over the active sets
/// {both free, only u, only v, neither}. Cost: O(k).
fn nonnegative_pair(u: &[f64], v: &[f64], z: &[f64]) -> (f64, f64) {
    let dot = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f64>();
    let (uu, vv, uv, uz, vz) = (dot(u, u), dot(v, v), dot(u, v), dot(u, z), dot(v, z));
    let sse = |a: f64, b: f64| -> f64 {
        u.iter()
            .zip(v)
            .zip(z)
            .map(|((u, v), z)| (z - a * u - b * v).powi(2))
            .sum()
    };
    let det = uu * vv - uv * uv;
    if det > 1e-12 * uu * vv {
        let a = (uz * vv - vz * uv) / det;
        let b = (vz * uu - uz * uv) / det;
        if a >= 0.0 && b >= 0.0 {
            return (a, b);
        }
    }
    let only_u = (if uu > 0.0 { (uz / uu).max(0.0) } else { 0.0 }, 0.0);
    let only_v = (0.0, if vv > 0.0 { (vz / vv).max(0.0) } else { 0.0 });
    if sse(only_u.0, only_u.1) <= sse(only_v.0, only_v.1) {
        only_u
    } else {
        only_v
    }
}

/// Fits the USL to (workers, throughput) points, with `sigma >= 0` and `kappa >= 0`, over every level (no
/// core count: see [`fit_usl_on_cores`] for fits that know the machine).
///
/// Method: scale throughput by a first guess of lambda (the throughput per worker at the smallest worker
/// count); take `sigma`, `kappa` from the linearised form `N / C(N) - 1 = sigma (N - 1) + kappa N (N - 1)`
/// (C(N) = X(N) / lambda) by non-negative least squares; then refine `lambda`, `sigma`, `kappa` together by
/// Levenberg-Marquardt (crate `levenberg-marquardt`) on relative residuals, on each face of the constraint set
/// (both free, `kappa = 0`, `sigma = 0`, both 0), and keep the feasible result with the least error.
///
/// One value per level gives no spread: the verdict comes from a margin of ±10% on each level's throughput
/// ([`crate::fit::SpreadBasis::Margin`]); [`fit_usl_repeated`] takes repetitions and bootstraps them.
///
/// Cost: O(k) per Levenberg-Marquardt iteration for k points, at most a few hundred iterations per face
/// (in practice a few dozen), times the margin's corners (up to 2^6).
///
/// # Errors
/// [`FitError::TooFewPoints`] with fewer than three points, [`FitError::TooFewDistinct`] with fewer than three
/// distinct worker counts, [`FitError::BadValue`] when a worker count is below 1 or a throughput is not > 0.
pub fn fit_usl(sample: &Sample) -> Result<UslFit, FitError> {
    sample.require_size(3, 3)?;
    check_domain(sample)?;
    fit_levels(&singletons(sample), None)
}

/// Fits the USL on the levels the cores can run in parallel, and labels the levels above them CPU-capped.
///
/// `cores` is the parallelism the run had: the machine's cores (`Curve::cores`), or fewer when a control
/// measured beside the run shows fewer were granted. Past the cores, added workers only queue for a CPU, so
/// a flat top there is the CPU ceiling, not coherency; fitting it as USL would bend the curve over with kappa
/// and call any code coherency-limited. So:
/// - with three or more distinct levels up to `cores`: [`fit_usl`] on those levels;
/// - with exactly two: contention only (`kappa = 0`, which two levels cannot tell from sigma), so the label is
///   [`UslLabel::Linear`] or [`UslLabel::ContentionLimited`], and the fit is exact (two levels, two
///   parameters: [`UslFit::is_exact`]);
/// - the levels above `cores` stay in [`UslFit::sample`] and are modelled as the throughput at `cores`.
///
/// One value per level: the verdict comes from a ±10% margin (see [`fit_usl`]); with repetitions use
/// [`fit_usl_repeated`]. Cost: as [`fit_usl`].
///
/// # Errors
/// [`FitError::BadParameter`] when `cores` is not finite or below 1; [`FitError::TooFewWithinCores`] when
/// fewer than two distinct levels lie within `cores` (the scaling cannot be judged: say so); the input errors of
/// [`fit_usl`] (worker counts below 1, throughput not > 0).
///
/// ```
/// use scale_props::fit::{fit_usl_on_cores, Sample, UslLabel};
/// // One Mutex on two cores: the second worker loses more than it adds; flat at 4 (CPU-capped).
/// let sample = Sample::new(vec![1.0, 2.0, 4.0], vec![1.0e6, 0.6e6, 0.58e6])?;
/// let fit = fit_usl_on_cores(&sample, 2.0)?;
/// assert_eq!(fit.verdict.label(), Some(UslLabel::ContentionLimited));
/// assert!(fit.is_exact() && fit.goodness().starts_with("exact fit"));
/// assert!(fit.is_capped(4.0) && (fit.throughput(4.0) - fit.throughput(2.0)).abs() < 1e-6);
/// assert!(fit_usl_on_cores(&sample, 1.0).is_err(), "one level within one core judges nothing");
/// # Ok::<(), scale_props::fit::FitError>(())
/// ```
pub fn fit_usl_on_cores(sample: &Sample, cores: f64) -> Result<UslFit, FitError> {
    check_domain(sample)?;
    fit_usl_repeated(&singletons(sample), cores)
}

/// Fits the USL on the levels within `cores` (as [`fit_usl_on_cores`]) from repetitions: one
/// `(workers, throughputs)` entry per level, the fit on each level's median, and a verdict the repetitions
/// support ([`UslVerdict`]).
///
/// With at least three repetitions at every level within the cores, sigma and kappa get a 90% interval by a
/// deterministic bootstrap (each level's median recomputed from its repetitions drawn with replacement, 200
/// times, and the law refitted), and the verdict names a label only when at least 95% of the resamples give
/// it; otherwise it is undecided between the labels the resamples give (each by at least 5%), with their
/// shares. With fewer repetitions the spread is a ±10% margin on each level's median (every combination of
/// the margin's ends) and the verdict is undecided when any combination changes the label.
///
/// Cost: the fit's cost times 200 resamples (or the margin's corners, up to 2^6).
///
/// # Errors
/// As [`fit_usl_on_cores`], and [`FitError::EmptyGroup`] for a level without repetitions.
///
/// ```
/// use scale_props::fit::{fit_usl_repeated, UslLabel, UslVerdict};
/// // Per-worker counters on two cores, 5 runs per level: the 2-worker runs straddle 91% efficiency.
/// let levels = [(1.0, vec![1.00e6, 1.02e6, 0.98e6, 1.01e6, 0.99e6]),
///               (2.0, vec![1.70e6, 1.95e6, 1.78e6, 1.96e6, 1.83e6])];
/// let fit = fit_usl_repeated(&levels, 2.0)?;
/// assert!(!fit.verdict.is_decided(), "{fit}");
/// assert_eq!(fit.verdict.labels(), &[UslLabel::Linear, UslLabel::ContentionLimited]);
/// # Ok::<(), scale_props::fit::FitError>(())
/// ```
pub fn fit_usl_repeated(levels: &[(f64, Vec<f64>)], cores: f64) -> Result<UslFit, FitError> {
    if !(cores.is_finite() && cores >= 1.0) {
        return Err(FitError::BadParameter {
            name: "cores",
            value: cores,
            expected: "a finite value >= 1",
        });
    }
    fit_levels(levels, Some(cores))
}

/// One repetition per point of `sample`.
fn singletons(sample: &Sample) -> Vec<(f64, Vec<f64>)> {
    sample.points().map(|(n, y)| (n, vec![y])).collect()
}

/// Worker counts >= 1 and throughput > 0.
fn check_domain(sample: &Sample) -> Result<(), FitError> {
    if let Some(index) = sample.xs().iter().position(|&x| x < 1.0) {
        let value = sample.xs()[index];
        return Err(FitError::BadValue {
            index,
            value,
            reason: "worker counts must be >= 1",
        });
    }
    sample.require_positive_y("throughput must be > 0")
}

/// The fit on the levels within `cores` (all levels without), its spread and verdict.
fn fit_levels(levels: &[(f64, Vec<f64>)], cores: Option<f64>) -> Result<UslFit, FitError> {
    for (index, (n, ys)) in levels.iter().enumerate() {
        if !(n.is_finite() && *n >= 1.0) {
            return Err(FitError::BadValue {
                index,
                value: *n,
                reason: "worker counts must be >= 1",
            });
        }
        if ys.is_empty() {
            return Err(FitError::EmptyGroup { index });
        }
        if let Some(&value) = ys.iter().find(|y| !(y.is_finite() && **y > 0.0)) {
            return Err(FitError::BadValue {
                index,
                value,
                reason: "throughput must be > 0",
            });
        }
    }
    let sample = Sample::from_repetitions(
        levels.iter().map(|l| l.0).collect(),
        &levels.iter().map(|l| l.1.clone()).collect::<Vec<_>>(),
    )?;
    let within: Vec<(f64, Vec<f64>)> = levels
        .iter()
        .filter(|(n, _)| cores.is_none_or(|c| *n <= c))
        .cloned()
        .collect();
    let distinct = {
        let mut ns: Vec<f64> = within.iter().map(|l| l.0).collect();
        ns.sort_by(f64::total_cmp);
        ns.dedup();
        ns.len()
    };
    if distinct < 2 {
        return Err(FitError::TooFewWithinCores {
            within: distinct,
            cores: cores.unwrap_or(f64::INFINITY),
        });
    }
    let with_kappa = distinct >= 3;
    let ns: Vec<f64> = within.iter().map(|l| l.0).collect();
    let medians: Vec<f64> = within
        .iter()
        .map(|l| super::median(&l.1).unwrap_or(f64::NAN))
        .collect();
    let point = estimate(&ns, &medians, with_kappa);
    let m = ns.iter().fold(f64::MIN, |a, &n| a.max(n));
    let label = label_for(point.sigma, point.kappa, m);
    let (verdict, interval) = judge_spread(&within, &point, label, with_kappa, m);
    let parameters = if with_kappa { 3 } else { 2 };
    let exact = within.len() <= parameters;
    Ok(UslFit {
        lambda: point.lambda,
        sigma: point.sigma,
        kappa: point.kappa,
        peak_workers: (point.kappa > 0.0 && point.sigma < 1.0)
            .then(|| ((1.0 - point.sigma) / point.kappa).sqrt()),
        label,
        verdict,
        interval,
        normalized_rmse: (!exact).then(|| (point.sse / within.len() as f64).sqrt()),
        fitted_levels: within.len(),
        parameters,
        sample,
        cores,
    })
}

/// A point estimate of the law: parameters and the sum of squared relative residuals.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Estimate {
    pub(super) lambda: f64,
    pub(super) sigma: f64,
    pub(super) kappa: f64,
    pub(super) sse: f64,
}

/// The USL by least squares over the constraint faces; `kappa` stays 0 unless `with_kappa`. `ns` holds at
/// least two distinct levels (three with `with_kappa`), all >= 1, and `ys` positive throughputs.
pub(super) fn estimate(ns: &[f64], ys: &[f64], with_kappa: bool) -> Estimate {
    let (n_min, y_at_min) =
        ns.iter().zip(ys).fold(
            (f64::INFINITY, 0.0),
            |(bn, by), (&n, &y)| if n < bn { (n, y) } else { (bn, by) },
        );
    let lambda0 = y_at_min / n_min;
    let ys: Vec<f64> = ys.iter().map(|y| y / lambda0).collect();

    let u: Vec<f64> = ns.iter().map(|n| n - 1.0).collect();
    let v: Vec<f64> = ns.iter().map(|n| n * (n - 1.0)).collect();
    let z: Vec<f64> = ns.iter().zip(&ys).map(|(n, y)| n / y - 1.0).collect();
    let (sigma0, kappa0) = if with_kappa {
        nonnegative_pair(&u, &v, &z)
    } else {
        let uu: f64 = u.iter().map(|u| u * u).sum();
        let uz: f64 = u.iter().zip(&z).map(|(u, z)| u * z).sum();
        (if uu > 0.0 { (uz / uu).max(0.0) } else { 0.0 }, 0.0)
    };

    // The face sigma = kappa = 0 has a closed form (relative residuals lambda N / y - 1 are linear in lambda) and
    // is always feasible; the other faces are refined by Levenberg-Marquardt and kept only when feasible and
    // better.
    let q: Vec<f64> = ns.iter().zip(&ys).map(|(n, y)| n / y).collect();
    let lambda_linear = q.iter().sum::<f64>() / q.iter().map(|q| q * q).sum::<f64>();
    let linear_sse: f64 = q.iter().map(|q| (lambda_linear * q - 1.0).powi(2)).sum();
    let mut best = ([lambda_linear, 0.0, 0.0], linear_sse);
    let faces: &[[bool; 3]] = if with_kappa {
        &[[true, true, true], [true, true, false], [true, false, true]]
    } else {
        &[[true, true, false]]
    };
    for &free in faces {
        let start = [
            1.0,
            if free[1] { sigma0 } else { 0.0 },
            if free[2] { kappa0 } else { 0.0 },
        ];
        let problem = UslProblem {
            ns,
            ys: &ys,
            free,
            full: start,
        };
        let (solved, _report) = LevenbergMarquardt::new().minimize(problem);
        let [lambda, sigma, kappa] = solved.full;
        let feasible = lambda > 0.0 && lambda.is_finite() && sigma >= 0.0 && kappa >= 0.0;
        let Some(residuals) = solved.residual_values().filter(|_| feasible) else {
            continue;
        };
        let sse: f64 = residuals.iter().map(|r| r * r).sum();
        if sse < best.1 {
            best = (solved.full, sse);
        }
    }
    let ([lambda, sigma, kappa], sse) = best;
    Estimate {
        lambda: lambda * lambda0,
        sigma,
        kappa,
        sse,
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use proptest::prelude::*;

    use super::*;

    const DOUBLING: [f64; 7] = [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0];

    fn synthetic(lambda: f64, sigma: f64, kappa: f64, ns: &[f64], noise: &[f64]) -> Sample {
        let ys = ns
            .iter()
            .zip(noise.iter().chain(std::iter::repeat(&0.0)))
            .map(|(&n, e)| usl(lambda, sigma, kappa, n) * (1.0 + e));
        Sample::new(ns.to_vec(), ys.collect()).expect("valid sample")
    }

    #[test]
    fn recovers_contention_without_coherency() {
        let fit = fit_usl(&synthetic(1_000.0, 0.05, 0.0, &DOUBLING[..6], &[])).expect("fits");
        assert!((fit.sigma - 0.05).abs() < 1e-6, "{fit}");
        assert!(fit.kappa < 1e-9, "{fit}");
        assert!((fit.lambda - 1_000.0).abs() < 1e-3, "{fit}");
        assert_eq!(fit.label, UslLabel::ContentionLimited, "{fit}");
        assert!(fit.peak_workers.is_none_or(|p| p > 1e3), "{fit}");
    }

    #[test]
    fn recovers_coherency_and_its_peak() {
        let fit = fit_usl(&synthetic(250.0, 0.02, 0.0005, &DOUBLING, &[])).expect("fits");
        assert!((fit.sigma - 0.02).abs() < 1e-6, "{fit}");
        assert!((fit.kappa - 0.0005).abs() < 1e-8, "{fit}");
        let peak = fit.peak_workers.expect("kappa > 0");
        assert!((peak - (0.98f64 / 0.0005).sqrt()).abs() < 1e-3, "{fit}");
        let top = fit.peak_throughput().expect("has a peak");
        assert!(
            top > fit.throughput(peak - 1.0) && top > fit.throughput(peak + 1.0),
            "{fit}"
        );
        assert_eq!(fit.label, UslLabel::CoherencyLimited, "{fit}");
        assert!(fit.normalized_rmse.is_some_and(|e| e < 1e-9), "{fit}");
    }

    #[test]
    fn near_perfect_scaling_is_linear() {
        let fit = fit_usl(&synthetic(10.0, 0.002, 0.0, &[1.0, 2.0, 4.0, 8.0], &[])).expect("fits");
        assert_eq!(fit.label, UslLabel::Linear, "{fit}");
        assert!((fit.efficiency(8.0) - 1.0 / 1.014).abs() < 1e-6, "{fit}");
    }

    #[test]
    fn recovers_lambda_without_a_single_worker_point() {
        let fit = fit_usl(&synthetic(
            3.0e5,
            0.1,
            0.001,
            &[2.0, 4.0, 8.0, 16.0, 32.0],
            &[],
        ))
        .expect("fits");
        assert!((fit.lambda / 3.0e5 - 1.0).abs() < 1e-6, "{fit}");
        assert!(
            (fit.sigma - 0.1).abs() < 1e-6 && (fit.kappa - 0.001).abs() < 1e-8,
            "{fit}"
        );
    }

    #[test]
    fn never_reports_negative_coefficients() {
        // Superlinear data (each worker faster than the first) would want sigma < 0.
        let sample =
            Sample::new(vec![1.0, 2.0, 4.0, 8.0], vec![100.0, 215.0, 450.0, 950.0]).expect("valid");
        let fit = fit_usl(&sample).expect("fits");
        assert!(fit.sigma >= 0.0 && fit.kappa >= 0.0, "{fit}");
        assert_eq!((fit.sigma, fit.kappa), (0.0, 0.0), "{fit}");
        assert_eq!(fit.label, UslLabel::Linear);
    }

    #[test]
    fn display_shows_parameters_and_the_table() {
        let fit = fit_usl(&synthetic(250.0, 0.02, 0.0005, &DOUBLING, &[])).expect("fits");
        let text = fit.to_string();
        assert!(
            text.starts_with(&format!(
                "USL {}: lambda 2.5000e2, sigma 0.02000 (90% ",
                fit.verdict
            )),
            "{text}"
        );
        assert!(
            text.contains("rms relative error 0.00% over 7 levels"),
            "{text}"
        );
        assert!(text.contains("peak at 44.3 workers"), "{text}");
        assert_eq!(text.lines().count(), 2 + DOUBLING.len(), "{text}");
    }

    #[test]
    fn rejects_bad_input() {
        let two = Sample::new(vec![1.0, 2.0], vec![1.0, 2.0]).expect("valid");
        assert_eq!(
            fit_usl(&two),
            Err(FitError::TooFewPoints { needed: 3, got: 2 })
        );
        let repeated = Sample::new(vec![1.0, 2.0, 2.0], vec![1.0, 2.0, 2.1]).expect("valid");
        assert_eq!(
            fit_usl(&repeated),
            Err(FitError::TooFewDistinct { needed: 3, got: 2 })
        );
        let fractional = Sample::new(vec![0.5, 2.0, 3.0], vec![1.0, 2.0, 3.0]).expect("valid");
        assert!(matches!(
            fit_usl(&fractional),
            Err(FitError::BadValue { index: 0, .. })
        ));
        let zero = Sample::new(vec![1.0, 2.0, 3.0], vec![1.0, 0.0, 3.0]).expect("valid");
        assert!(matches!(
            fit_usl(&zero),
            Err(FitError::BadValue { index: 1, .. })
        ));
    }

    #[test]
    fn retrograde_mutex_like_data_fits_sanely() {
        // Throughput that falls from the second worker on, as with one contended lock.
        let sample =
            Sample::new(vec![1.0, 2.0, 4.0, 8.0], vec![1.0e6, 6.0e5, 5.0e5, 4.5e5]).expect("valid");
        let fit = fit_usl(&sample).expect("fits");
        assert!(fit.sigma > 0.5, "{fit}");
        assert_ne!(fit.label, UslLabel::Linear, "{fit}");
        assert!(fit.normalized_rmse.is_some_and(|e| e < 0.1), "{fit}");
    }

    #[test]
    fn a_cpu_ceiling_is_not_coherency() {
        // Per-worker counters on two cores: doubling up to 2 workers, flat at 3 and 4 (the CPU ceiling).
        let sample = Sample::new(vec![1.0, 2.0, 3.0, 4.0], vec![1.0e6, 1.9e6, 1.93e6, 1.95e6])
            .expect("valid");
        let plain = fit_usl(&sample).expect("fits");
        assert_eq!(plain.label, UslLabel::CoherencyLimited, "{plain}");
        let fit = fit_usl_on_cores(&sample, 2.0).expect("fits");
        assert_eq!(fit.label, UslLabel::Linear, "{fit}");
        assert_eq!((fit.kappa, fit.cores), (0.0, Some(2.0)), "{fit}");
        assert!(fit.is_capped(3.0) && fit.is_capped(4.0) && !fit.is_capped(2.0));
        assert_eq!(fit.throughput(4.0), fit.throughput(2.0));
        let text = fit.to_string();
        assert!(
            text.starts_with("USL undecided between linear and contention-limited ("),
            "one value per level: a ±10% margin straddles the linear boundary: {text}"
        );
        assert!(text.contains(") up to 2 cores, CPU-capped above"), "{text}");
        assert_eq!(
            text.lines().filter(|l| l.ends_with(" capped")).count(),
            2,
            "{text}"
        );
    }

    #[test]
    fn one_lock_on_two_cores_is_contention_limited() {
        let sample = Sample::new(vec![1.0, 2.0, 4.0], vec![1.0e6, 6.0e5, 5.5e5]).expect("valid");
        let fit = fit_usl_on_cores(&sample, 2.0).expect("fits");
        assert_eq!(fit.label, UslLabel::ContentionLimited, "{fit}");
        assert_eq!(
            fit.verdict.label(),
            Some(UslLabel::ContentionLimited),
            "{fit}"
        );
        // Two levels fit exactly: X(2) / X(1) = 2 / (1 + sigma), with no goodness of fit to report.
        assert!((fit.sigma - (2.0 / 0.6 - 1.0)).abs() < 1e-6, "{fit}");
        assert!(fit.is_exact() && fit.normalized_rmse.is_none(), "{fit}");
        assert!(
            fit.to_string()
                .contains("exact fit (2 levels, 2 parameters): no goodness of fit")
        );
    }

    #[test]
    fn enough_levels_within_the_cores_fit_the_whole_law() {
        let sample = synthetic(250.0, 0.02, 0.0005, &DOUBLING, &[]);
        let fit = fit_usl_on_cores(&sample, 64.0).expect("fits");
        assert!((fit.kappa - 0.0005).abs() < 1e-8, "{fit}");
        let capped = fit_usl_on_cores(&sample, 16.0).expect("fits");
        assert!((capped.sigma - 0.02).abs() < 1e-6, "{capped}");
        assert_eq!(capped.sample, sample);
        assert!(capped.is_capped(32.0));
    }

    #[test]
    fn too_few_levels_within_the_cores_cannot_be_judged() {
        let sample = Sample::new(vec![1.0, 2.0, 4.0], vec![1.0, 1.1, 1.2]).expect("valid");
        let err = fit_usl_on_cores(&sample, 1.0).expect_err("one level within one core");
        assert_eq!(
            err,
            FitError::TooFewWithinCores {
                within: 1,
                cores: 1.0
            }
        );
        assert!(
            err.to_string()
                .starts_with("undecided: 1 distinct worker level(s) within the 1 core(s)")
        );
        let above = Sample::new(vec![2.0, 4.0, 8.0], vec![1.0, 1.1, 1.2]).expect("valid");
        assert!(matches!(
            fit_usl_on_cores(&above, 1.5),
            Err(FitError::TooFewWithinCores { within: 0, .. })
        ));
        for cores in [0.5, f64::NAN, f64::INFINITY] {
            assert!(matches!(
                fit_usl_on_cores(&sample, cores),
                Err(FitError::BadParameter { name: "cores", .. })
            ));
        }
        let zero = Sample::new(vec![1.0, 2.0, 4.0], vec![1.0, 0.0, 1.2]).expect("valid");
        assert!(matches!(
            fit_usl_on_cores(&zero, 2.0),
            Err(FitError::BadValue { index: 1, .. })
        ));
    }

    proptest! {
        /// Within the cores, any positive throughputs fit with valid parameters, and a fit on two levels is
        /// never labelled coherency-limited (two levels cannot show coherency).
        #[test]
        fn fits_on_cores_are_valid(ys in proptest::collection::vec(1e-3f64..1e9, 4), cores in 1.0f64..6.0) {
            let sample = Sample::new(vec![1.0, 2.0, 4.0, 8.0], ys).expect("valid");
            match fit_usl_on_cores(&sample, cores) {
                Ok(fit) => {
                    prop_assert!(fit.lambda > 0.0 && fit.sigma >= 0.0 && fit.kappa >= 0.0, "{}", fit);
                    if cores < 4.0 {
                        prop_assert_eq!(fit.kappa, 0.0);
                        prop_assert_ne!(fit.label, UslLabel::CoherencyLimited);
                    }
                }
                Err(e) => prop_assert!(cores < 2.0, "{}", e),
            }
        }

        /// With ±1% noise over 1..64 workers the fitted curve stays within 3% of the true one, sigma within 0.01,
        /// and, where the true parameters are clear of a label boundary, the label matches theirs.
        #[test]
        fn recovers_noisy_usl(
            lambda_exp in 0.0f64..6.0,
            sigma in 0.0f64..0.2,
            kappa in prop_oneof![Just(0.0), 0.0f64..0.002],
            noise in proptest::collection::vec(-0.01f64..=0.01, DOUBLING.len()),
        ) {
            let lambda = 10f64.powf(lambda_exp);
            let fit = fit_usl(&synthetic(lambda, sigma, kappa, &DOUBLING, &noise))?;
            prop_assert!(fit.sigma >= 0.0 && fit.kappa >= 0.0);
            for &n in &DOUBLING {
                let truth = usl(lambda, sigma, kappa, n);
                prop_assert!((fit.throughput(n) / truth - 1.0).abs() < 0.03, "N = {}: {}", n, fit);
            }
            prop_assert!((fit.sigma - sigma).abs() < 0.01, "{}", fit);
            // Labels are compared where the truth is clearly inside one label's region.
            let m = 64.0;
            let penalty = sigma * (m - 1.0) + kappa * m * (m - 1.0);
            let clear_of_linear = (penalty / LINEAR_PENALTY - 1.0).abs() > 0.5;
            let clear_of_coherency = kappa == 0.0 || (kappa * m / sigma).ln().abs() > 2f64.ln();
            let peak_clear = kappa == 0.0 || (((1.0 - sigma) / kappa).sqrt() / m).ln().abs() > 1.5f64.ln();
            if clear_of_linear && clear_of_coherency && peak_clear {
                prop_assert_eq!(fit.label, label_for(sigma, kappa, m), "{}", fit);
            }
        }

        /// Any positive throughputs over 1..16 workers fit: finite, non-negative coefficients, and never worse
        /// than the best perfectly linear curve (the sigma = kappa = 0 face is always a candidate).
        #[test]
        fn fits_any_positive_curve(ys in proptest::collection::vec(1e-3f64..1e9, 5)) {
            let ns = [1.0, 2.0, 4.0, 8.0, 16.0];
            let sample = Sample::new(ns.to_vec(), ys.clone()).expect("valid");
            let fit = fit_usl(&sample)?;
            prop_assert!(fit.lambda > 0.0 && fit.lambda.is_finite(), "{}", fit);
            prop_assert!(fit.sigma >= 0.0 && fit.sigma.is_finite(), "{}", fit);
            prop_assert!(fit.kappa >= 0.0 && fit.kappa.is_finite(), "{}", fit);
            let q: Vec<f64> = ns.iter().zip(&ys).map(|(n, y)| n / y).collect();
            let lambda = q.iter().sum::<f64>() / q.iter().map(|q| q * q).sum::<f64>();
            let linear_rmse = (q.iter().map(|q| (lambda * q - 1.0).powi(2)).sum::<f64>() / 5.0).sqrt();
            let rmse = fit.normalized_rmse.unwrap_or(f64::NAN);
            prop_assert!(rmse <= linear_rmse * (1.0 + 1e-9), "{}", fit);
            prop_assert!(fit.verdict.allows(fit.label), "{}", fit);
        }
    }
}
