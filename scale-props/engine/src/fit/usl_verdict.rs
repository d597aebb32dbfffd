//! The USL verdict: a label only when the spread of the measurements supports it, else "undecided between"
//! the labels the spread allows.
//!
//! A fit on as many levels as parameters (two levels within two cores, contention only) passes through every
//! point: its sigma is whatever the two medians say, and noise of a few percent moves it across the linear
//! boundary (sigma 0.05 in one run, 0.18 in the next for a per-worker counter on two cores). So the verdict
//! refits the law on resamples of the repetitions (or, with too few repetitions, on the corners of a margin
//! around each level) and names a label only when they agree.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::resample::{SplitMix, quantile};
use super::usl::{Estimate, UslLabel, estimate, label_for};

/// Bootstrap resamples of the repetitions.
pub const USL_RESAMPLES: usize = 200;

/// A label is decided when at least this share of the resamples gives it; labels given by at least
/// `1 - USL_DECIDED_SHARE` of them are the ones an undecided verdict lists.
pub const USL_DECIDED_SHARE: f64 = 0.95;

/// Repetitions per level (within the cores) from which the spread is bootstrapped; below, a margin is used.
pub const USL_MIN_REPETITIONS: usize = 3;

/// The relative margin on each level's throughput when there are too few repetitions to resample.
pub const USL_MARGIN: f64 = 0.1;

/// Levels up to which every corner of the margin is fitted (2^k fits); above, each level alone and two tilts.
const MAX_CORNER_LEVELS: usize = 6;

/// What the verdict on a USL fit is: a label the data support, or undecided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UslVerdict {
    /// The spread of the measurements gives this label (at least 95% of the resamples, or every corner of
    /// the margin).
    Label(UslLabel),
    /// The spread straddles a label boundary.
    Undecided {
        /// The labels the spread allows, best first (at least two).
        labels: Vec<UslLabel>,
        /// Why, in numbers (e.g. the labels' shares of the resamples).
        why: String,
    },
}

impl UslVerdict {
    /// The label, when decided. Cost: O(1).
    pub fn label(&self) -> Option<UslLabel> {
        match self {
            UslVerdict::Label(l) => Some(*l),
            UslVerdict::Undecided { .. } => None,
        }
    }

    /// Returns true if and only if the verdict names one label. Cost: O(1).
    pub fn is_decided(&self) -> bool {
        matches!(self, UslVerdict::Label(_))
    }

    /// The labels the verdict allows, best first (one when decided). Cost: O(1).
    pub fn labels(&self) -> &[UslLabel] {
        match self {
            UslVerdict::Label(l) => std::slice::from_ref(l),
            UslVerdict::Undecided { labels, .. } => labels,
        }
    }

    /// Returns true if and only if `label` is among the labels the verdict allows. Cost: O(1).
    pub fn allows(&self, label: UslLabel) -> bool {
        self.labels().contains(&label)
    }
}

impl fmt::Display for UslVerdict {
    /// `contention-limited`, or `undecided between linear and contention-limited (why)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UslVerdict::Label(l) => write!(f, "{l}"),
            UslVerdict::Undecided { labels, why } => {
                let names: Vec<&str> = labels.iter().map(|l| l.name()).collect();
                write!(f, "undecided between {} ({why})", names.join(" and "))
            }
        }
    }
}

/// Where the spread of a USL fit came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SpreadBasis {
    /// Resamples of the repetitions ([`USL_RESAMPLES`]), with the fewest repetitions any level had.
    Bootstrap {
        /// Resamples fitted.
        resamples: usize,
        /// The fewest repetitions of a level within the cores.
        repetitions: usize,
    },
    /// Too few repetitions to resample: each level's throughput moved by ±`relative`.
    Margin {
        /// The relative margin ([`USL_MARGIN`]).
        relative: f64,
        /// The fewest repetitions of a level within the cores.
        repetitions: usize,
    },
}

impl fmt::Display for SpreadBasis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SpreadBasis::Bootstrap {
                resamples,
                repetitions,
            } => write!(
                f,
                "from {resamples} resamples of >= {repetitions} repetitions per level"
            ),
            SpreadBasis::Margin {
                relative,
                repetitions,
            } => write!(
                f,
                "from a ±{:.0}% margin per level ({repetitions} repetition(s); {USL_MIN_REPETITIONS} or more give a bootstrap)",
                relative * 100.0
            ),
        }
    }
}

/// The spread of sigma and kappa: a 90% interval over the resamples (or the range over the margin's corners),
/// always containing the point estimate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UslInterval {
    /// Sigma's interval (low, high).
    pub sigma: (f64, f64),
    /// Kappa's interval (low, high).
    pub kappa: (f64, f64),
    /// Where it came from.
    pub basis: SpreadBasis,
}

/// The verdict and interval of a fit whose point estimate is `point` (labelled `point_label`), on the levels
/// `within` (the ones the law was fitted on, each with its repetitions), largest level `m`.
pub(super) fn judge_spread(
    within: &[(f64, Vec<f64>)],
    point: &Estimate,
    point_label: UslLabel,
    with_kappa: bool,
    m: f64,
) -> (UslVerdict, UslInterval) {
    let ns: Vec<f64> = within.iter().map(|l| l.0).collect();
    let repetitions = within.iter().map(|l| l.1.len()).min().unwrap_or(0);
    let fit = |ys: &[f64]| {
        let e = estimate(&ns, ys, with_kappa);
        (e.sigma, e.kappa, label_for(e.sigma, e.kappa, m))
    };
    let (replicates, basis): (Vec<(f64, f64, UslLabel)>, SpreadBasis) =
        if repetitions >= USL_MIN_REPETITIONS {
            let mut rng = SplitMix(0x05C1_A1E0_0000_0002);
            let reps = (0..USL_RESAMPLES)
                .map(|_| {
                    let ys: Vec<f64> = within.iter().map(|l| rng.resampled_median(&l.1)).collect();
                    fit(&ys)
                })
                .collect();
            (
                reps,
                SpreadBasis::Bootstrap {
                    resamples: USL_RESAMPLES,
                    repetitions,
                },
            )
        } else {
            let medians: Vec<f64> = within
                .iter()
                .map(|l| super::median(&l.1).unwrap_or(f64::NAN))
                .collect();
            let reps = margin_corners(medians.len())
                .into_iter()
                .map(|signs| {
                    let ys: Vec<f64> = medians
                        .iter()
                        .zip(&signs)
                        .map(|(y, s)| y * (1.0 + s * USL_MARGIN))
                        .collect();
                    fit(&ys)
                })
                .collect();
            (
                reps,
                SpreadBasis::Margin {
                    relative: USL_MARGIN,
                    repetitions,
                },
            )
        };

    let interval_of = |values: Vec<f64>, at: f64| -> (f64, f64) {
        let mut v = values;
        v.sort_by(f64::total_cmp);
        match basis {
            SpreadBasis::Bootstrap { .. } => {
                (quantile(&v, 0.05).min(at), quantile(&v, 0.95).max(at))
            }
            SpreadBasis::Margin { .. } => (v[0].min(at), v[v.len() - 1].max(at)),
        }
    };
    let interval = UslInterval {
        sigma: interval_of(replicates.iter().map(|r| r.0).collect(), point.sigma),
        kappa: interval_of(replicates.iter().map(|r| r.1).collect(), point.kappa),
        basis: basis.clone(),
    };

    let all = [
        UslLabel::Linear,
        UslLabel::ContentionLimited,
        UslLabel::CoherencyLimited,
    ];
    let share = |l: UslLabel| {
        replicates.iter().filter(|r| r.2 == l).count() as f64 / replicates.len() as f64
    };
    let minority = 1.0 - USL_DECIDED_SHARE;
    let labels: Vec<UslLabel> = all
        .into_iter()
        .filter(|&l| {
            l == point_label
                || match basis {
                    SpreadBasis::Bootstrap { .. } => share(l) >= minority,
                    SpreadBasis::Margin { .. } => share(l) > 0.0,
                }
        })
        .collect();
    let verdict = if labels.len() == 1 {
        UslVerdict::Label(point_label)
    } else {
        let why = match basis {
            SpreadBasis::Bootstrap { resamples, .. } => {
                let parts: Vec<String> = labels
                    .iter()
                    .map(|&l| format!("{l} in {:.0}%", share(l) * 100.0))
                    .collect();
                format!("{} of {resamples} resamples", parts.join(", "))
            }
            SpreadBasis::Margin {
                relative,
                repetitions,
            } => format!(
                "{repetitions} repetition(s) per level: ±{:.0}% on a level's throughput changes the label; \
                 {USL_MIN_REPETITIONS} or more repetitions give an interval",
                relative * 100.0
            ),
        };
        UslVerdict::Undecided { labels, why }
    };
    (verdict, interval)
}

/// Sign vectors (each entry -1 or +1) of the margin: every corner for up to [`MAX_CORNER_LEVELS`] levels;
/// above, each level moved alone either way and the two tilts (low levels down and high up, and the reverse).
fn margin_corners(k: usize) -> Vec<Vec<f64>> {
    if k <= MAX_CORNER_LEVELS {
        return (0..1usize << k)
            .map(|bits| {
                (0..k)
                    .map(|i| if bits >> i & 1 == 1 { 1.0 } else { -1.0 })
                    .collect()
            })
            .collect();
    }
    let mut out = Vec::with_capacity(2 * k + 2);
    for i in 0..k {
        for s in [-1.0, 1.0] {
            let mut v = vec![0.0; k];
            v[i] = s;
            out.push(v);
        }
    }
    let tilt: Vec<f64> = (0..k)
        .map(|i| 2.0 * i as f64 / (k - 1) as f64 - 1.0)
        .collect();
    out.push(tilt.iter().map(|t| -t).collect());
    out.push(tilt);
    out
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::super::{FitError, fit_usl_on_cores, fit_usl_repeated};
    use super::*;
    use crate::fit::Sample;

    /// `runs` repetitions around `centre`, spread evenly over ±`spread` (relative).
    fn around(centre: f64, spread: f64, runs: usize) -> Vec<f64> {
        (0..runs)
            .map(|i| centre * (1.0 + spread * (2.0 * i as f64 / (runs - 1) as f64 - 1.0)))
            .collect()
    }

    #[test]
    fn tight_repetitions_decide_the_label() -> Result<(), FitError> {
        let linear = fit_usl_repeated(
            &[(1.0, around(1e6, 0.01, 7)), (2.0, around(1.96e6, 0.01, 7))],
            2.0,
        )?;
        assert_eq!(
            linear.verdict,
            UslVerdict::Label(UslLabel::Linear),
            "{linear}"
        );
        assert!(matches!(
            linear.interval.basis,
            SpreadBasis::Bootstrap { repetitions: 7, .. }
        ));
        let (lo, hi) = linear.interval.sigma;
        assert!(
            lo <= linear.sigma && linear.sigma <= hi && hi < 0.1,
            "{linear}"
        );
        let mutex = fit_usl_repeated(
            &[
                (1.0, around(1e6, 0.05, 5)),
                (2.0, around(0.6e6, 0.1, 5)),
                (4.0, around(0.5e6, 0.1, 5)),
            ],
            2.0,
        )?;
        assert_eq!(
            mutex.verdict.label(),
            Some(UslLabel::ContentionLimited),
            "{mutex}"
        );
        assert!(
            mutex.is_exact() && mutex.normalized_rmse.is_none(),
            "{mutex}"
        );
        Ok(())
    }

    #[test]
    fn noisy_repetitions_across_the_boundary_are_undecided() -> Result<(), FitError> {
        // Two-worker runs at 1.70..1.96 of one worker: sigma 0.02..0.18 across the linear boundary 0.1.
        let fit = fit_usl_repeated(
            &[(1.0, around(1e6, 0.02, 7)), (2.0, around(1.83e6, 0.07, 7))],
            2.0,
        )?;
        let UslVerdict::Undecided { labels, why } = &fit.verdict else {
            panic!("straddles the boundary: {fit}");
        };
        assert_eq!(labels, &[UslLabel::Linear, UslLabel::ContentionLimited]);
        assert!(
            why.contains("resamples") && why.contains("linear in "),
            "{why}"
        );
        let (lo, hi) = fit.interval.sigma;
        assert!(lo < 0.1 && hi > 0.1, "{fit}");
        let text = fit.to_string();
        assert!(
            text.starts_with("USL undecided between linear and contention-limited ("),
            "{text}"
        );
        assert!(
            text.contains("exact fit (2 levels, 2 parameters): no goodness of fit"),
            "{text}"
        );
        assert!(!text.contains("rms"), "{text}");
        Ok(())
    }

    #[test]
    fn one_repetition_uses_the_margin_and_says_so() -> Result<(), FitError> {
        let sample = Sample::new(vec![1.0, 2.0, 4.0], vec![1.0e6, 1.95e6, 1.96e6])?;
        let fit = fit_usl_on_cores(&sample, 2.0)?;
        assert_eq!(fit.label, UslLabel::Linear, "the point estimate");
        assert_eq!(
            fit.verdict.labels(),
            &[UslLabel::Linear, UslLabel::ContentionLimited],
            "±10% at 1 and 2 workers moves sigma from 0 to 0.3: {fit}"
        );
        assert!(matches!(
            fit.interval.basis,
            SpreadBasis::Margin { repetitions: 1, .. }
        ));
        assert!(
            fit.to_string().contains("1 repetition(s) per level"),
            "{fit}"
        );
        Ok(())
    }

    #[test]
    fn the_margin_covers_every_corner_or_each_level_and_the_tilts() {
        assert_eq!(margin_corners(2).len(), 4);
        assert_eq!(
            margin_corners(MAX_CORNER_LEVELS).len(),
            1 << MAX_CORNER_LEVELS
        );
        let wide = margin_corners(10);
        assert_eq!(wide.len(), 22);
        assert!(wide.iter().all(|v| v.len() == 10));
        assert_eq!(wide[21][0], -1.0);
        assert_eq!(wide[21][9], 1.0);
    }

    #[test]
    fn verdict_accessors() {
        let v = UslVerdict::Undecided {
            labels: vec![UslLabel::Linear, UslLabel::ContentionLimited],
            why: "w".into(),
        };
        assert!(!v.is_decided() && v.label().is_none());
        assert!(v.allows(UslLabel::Linear) && !v.allows(UslLabel::CoherencyLimited));
        assert_eq!(
            v.to_string(),
            "undecided between linear and contention-limited (w)"
        );
        let d = UslVerdict::Label(UslLabel::CoherencyLimited);
        assert_eq!(
            (d.label(), d.labels().len()),
            (Some(UslLabel::CoherencyLimited), 1)
        );
    }
}
