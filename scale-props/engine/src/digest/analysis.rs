//! Fits computed once per curve, so reporters and expectations only read them.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{CurveDigest, Row};
use crate::fit::{
    CacheLevels, ComplexityFit, DEFAULT_KNEE_GAIN_FRACTION, FitError, Knee, Sample, TimeGrowth,
    UslFit, fit_complexity, fit_usl_repeated, knee, time_growth,
};
use crate::measure::{Axis, Curve, Point};

/// The fits of one phase across sizes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PhaseFits {
    /// Phase name.
    pub phase: String,
    /// How time per operation (each repetition's p50) grows with size: THE time verdict of this phase
    /// ([`crate::fit::TimeVerdict`]), with the exponent, its interval and the local slopes it came from.
    /// Reports, expectations and plots all read this one value.
    pub time: Option<TimeGrowth>,
    /// Complexity fit of each work counter per operation against size (exact classes).
    pub work: BTreeMap<String, ComplexityFit>,
    /// Why a fit could not be made, if one could not.
    pub unfitted: Vec<String>,
}

/// Every fit of a curve: per phase across sizes, and across workers (USL, knee).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fits {
    /// Per phase (size curves with at least three sizes).
    pub phases: Vec<PhaseFits>,
    /// USL fit of median throughput against workers (worker curves with at least three levels).
    pub usl: Option<UslFit>,
    /// Where median throughput stops growing along the axis.
    pub knee: Option<Knee>,
    /// Why the USL or knee could not be fitted, if not.
    pub unfitted: Vec<String>,
}

impl Fits {
    /// Fits a curve. Cost: a few least-squares fits per phase and work counter.
    pub fn of(curve: &Curve) -> Self {
        let mut out = Fits {
            phases: Vec::new(),
            usl: None,
            knee: None,
            unfitted: Vec::new(),
        };
        if curve.axis == Axis::Size && curve.sizes.len() >= 3 {
            let mut names: Vec<String> =
                curve.points.iter().map(|p| p.phase.name.clone()).collect();
            names.dedup();
            names.sort();
            names.dedup();
            for name in names {
                let pts: Vec<&Point> = curve
                    .points
                    .iter()
                    .filter(|p| p.phase.name == name)
                    .collect();
                out.phases.push(phase_fits(name, &pts));
            }
        }
        if curve.axis != Axis::Size && curve.points.len() >= 2 {
            let series = curve.series(Point::median_throughput);
            match Sample::from_pairs(series) {
                Ok(sample) => {
                    if curve.axis == Axis::Workers {
                        match usl_of(curve) {
                            Ok(f) => out.usl = Some(f),
                            Err(e) => out.unfitted.push(format!("usl: {e}")),
                        }
                    }
                    match knee(&sample, DEFAULT_KNEE_GAIN_FRACTION) {
                        Ok(k) => out.knee = k,
                        Err(e) => out.unfitted.push(format!("knee: {e}")),
                    }
                }
                Err(e) => out.unfitted.push(format!("throughput sample: {e}")),
            }
        }
        out
    }
}

/// The USL of a curve's throughput against workers, fitted on the levels within the cores the run had
/// ([`Curve::cores`], see [`fit_usl_repeated`]) from each level's repetitions, so its verdict names a label
/// only when the repetitions support it. The one USL computation: [`Fits::of`] and `Curve::usl` both call it.
/// A curve on another axis is read by each point's worker count. Cost: as [`fit_usl_repeated`].
///
/// # Errors
/// [`FitError::TooFewWithinCores`] when fewer than two distinct levels lie within the cores (the verdict cannot
/// be made), and the errors of [`fit_usl_repeated`] for points it rejects.
pub fn usl_of(curve: &Curve) -> Result<UslFit, FitError> {
    let levels: Vec<(f64, Vec<f64>)> = curve
        .points
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let workers = if curve.axis == Axis::Workers {
                p.x(curve.axis, i)
            } else {
                p.phase.workers as f64
            };
            (
                workers,
                p.repetitions.iter().map(|m| m.throughput).collect(),
            )
        })
        .collect();
    fit_usl_repeated(&levels, curve.cores.max(1) as f64)
}

fn phase_fits(phase: String, pts: &[&Point]) -> PhaseFits {
    let xs: Vec<f64> = pts.iter().map(|p| p.size as f64).collect();
    let mut f = PhaseFits {
        phase,
        time: None,
        work: BTreeMap::new(),
        unfitted: Vec::new(),
    };
    let reps: Vec<(f64, Vec<f64>)> = pts
        .iter()
        .map(|p| {
            let times = p.repetitions.iter().map(|m| m.latency.p50 as f64).collect();
            (p.size as f64, times)
        })
        .collect();
    match time_growth(&reps, &CacheLevels::of_this_machine()) {
        Ok(t) => f.time = Some(t),
        Err(e) => f.unfitted.push(format!("time: {e}")),
    }
    let mut names: Vec<String> = pts.iter().flat_map(|p| p.work_names()).collect();
    names.sort();
    names.dedup();
    for name in names {
        let ys: Vec<f64> = pts.iter().map(|p| p.work_per_op(&name)).collect();
        match Sample::new(xs.clone(), ys).and_then(|s| fit_complexity(&s)) {
            Ok(c) => {
                f.work.insert(name, c);
            }
            Err(e) => f.unfitted.push(format!("work {name}: {e}")),
        }
    }
    f
}

/// A curve with everything reporters need, computed once: digest, fits and table rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Analysis {
    /// The deterministic digest.
    pub digest: CurveDigest,
    /// The fits.
    pub fits: Fits,
    /// One row per point (medians over repetitions).
    pub rows: Vec<Row>,
}

impl Analysis {
    /// Analyses a curve.
    ///
    /// ```
    /// use scale_props::{digest::Analysis, Experiment};
    /// let curve = Experiment::new("analysis.demo").op(|_: &(), _| ()).ops(10).run()?;
    /// let a = Analysis::of(&curve);
    /// assert_eq!(a.rows.len(), 1);
    /// assert_eq!(a.rows[0].success_rate_pct, 100.0);
    /// # Ok::<(), scale_props::RunError>(())
    /// ```
    pub fn of(curve: &Curve) -> Self {
        let fits = Fits::of(curve);
        Self {
            digest: CurveDigest::from_fits(curve, &fits),
            rows: curve.points.iter().map(|p| Row::of(&curve.id, p)).collect(),
            fits,
        }
    }
}
