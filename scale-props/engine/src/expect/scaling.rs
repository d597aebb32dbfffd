//! Claims on a worker sweep's USL verdict: a worst label, or bounds on sigma and kappa, judged on the
//! verdict and intervals the repetitions support (never on a point estimate alone).

use super::{Expectation, Judgement};
use crate::digest::Analysis;
use crate::fit::{UslFit, UslLabel};
use crate::measure::Curve;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Bound {
    AtWorst(UslLabel),
    SigmaAtMost(f64),
    KappaAtMost(f64),
}

/// How a worker sweep may scale, judged on its USL fit ([`crate::digest::usl_of`]: the levels within the
/// cores, the verdict from the repetitions).
///
/// Holds when everything the fit's spread allows is within the bound, fails when even the best it allows is
/// outside, and could not be judged when the spread straddles the bound (an undecided verdict, an interval
/// across the limit) or no fit could be made (too few levels within the cores): never "holds" on a label
/// the data do not support.
///
/// ```
/// use scale_props::{expect::Scaling, fit::UslLabel, Experiment, Outcome};
/// let sweep = Experiment::new("scaling.doc").workers([1, 2, 4]).repetitions(3).ops(2_000)
///     .op(|_: &(), _| ())
///     .claim(Scaling::at_worst(UslLabel::ContentionLimited))
///     .run()?;
/// // Holds, or could not be judged when the machine gave too few cores: never a silent pass.
/// assert_ne!(sweep.verdicts().iter().next().map(|v| v.judgement.outcome.clone()), Some(Outcome::Fails));
/// # Ok::<(), scale_props::RunError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scaling {
    bound: Bound,
}

impl Scaling {
    /// The sweep's label must be `label` or better (`Linear < ContentionLimited < CoherencyLimited`).
    pub fn at_worst(label: UslLabel) -> Self {
        Self {
            bound: Bound::AtWorst(label),
        }
    }

    /// The sweep must scale linearly (`at_worst(UslLabel::Linear)`).
    pub fn linear() -> Self {
        Self::at_worst(UslLabel::Linear)
    }

    /// Contention (sigma) must be at most `sigma`: its whole 90% interval below it to hold.
    pub fn sigma_at_most(sigma: f64) -> Self {
        Self {
            bound: Bound::SigmaAtMost(sigma),
        }
    }

    /// Coherency (kappa) must be at most `kappa`: its whole 90% interval below it to hold.
    pub fn kappa_at_most(kappa: f64) -> Self {
        Self {
            bound: Bound::KappaAtMost(kappa),
        }
    }

    fn bound_text(&self) -> String {
        match self.bound {
            Bound::AtWorst(l) => format!("USL label {l} or better"),
            Bound::SigmaAtMost(s) => format!("sigma <= {s}"),
            Bound::KappaAtMost(k) => format!("kappa <= {k}"),
        }
    }
}

/// `contention-limited (sigma 0.52, 90% 0.45..0.60; kappa 0, 90% 0..0) within 2 cores`.
fn measured(u: &UslFit) -> String {
    let cores = u
        .cores
        .map_or_else(String::new, |c| format!(" within {c} cores"));
    format!(
        "{} (sigma {:.3}, 90% {:.3}..{:.3}; kappa {:.2e}, 90% {:.2e}..{:.2e}){cores}",
        u.verdict,
        u.sigma,
        u.interval.sigma.0,
        u.interval.sigma.1,
        u.kappa,
        u.interval.kappa.0,
        u.interval.kappa.1
    )
}

/// Judges an interval against an upper bound: holds when all of it is within, fails when all of it is
/// above, else undecided (with the words for why).
fn interval_at_most(
    name: &str,
    (lo, hi): (f64, f64),
    limit: f64,
    u: &UslFit,
    bound: String,
) -> Judgement {
    if hi <= limit {
        Judgement::holding(measured(u), bound)
    } else if lo > limit {
        Judgement::fails(measured(u), bound)
    } else {
        Judgement {
            outcome: super::Outcome::Unjudged {
                why: format!(
                    "{name}'s 90% interval {lo:.3}..{hi:.3} ({}) straddles {limit}",
                    u.interval.basis
                ),
            },
            measured: measured(u),
            bound,
        }
    }
}

impl Expectation for Scaling {
    fn describe(&self) -> String {
        match self.bound {
            Bound::AtWorst(l) => format!("throughput to scale with workers {l} or better (USL)"),
            Bound::SigmaAtMost(s) => format!("USL contention sigma to be at most {s}"),
            Bound::KappaAtMost(k) => format!("USL coherency kappa to be at most {k}"),
        }
    }

    fn judge(&self, curve: &Curve, analysis: &Analysis) -> Judgement {
        let bound = self.bound_text();
        let Some(u) = &analysis.fits.usl else {
            let why = analysis
                .fits
                .unfitted
                .iter()
                .find(|w| w.starts_with("usl"))
                .cloned()
                .unwrap_or_else(|| {
                    format!(
                        "no USL fit: the curve is along {:?}, not a worker sweep",
                        curve.axis
                    )
                });
            return Judgement::unjudged(bound, why);
        };
        match self.bound {
            Bound::AtWorst(limit) => {
                let labels = u.verdict.labels();
                if labels.iter().all(|&l| l <= limit) {
                    Judgement::holding(measured(u), bound)
                } else if labels.iter().all(|&l| l > limit) {
                    Judgement::fails(measured(u), bound)
                } else {
                    Judgement {
                        outcome: super::Outcome::Unjudged {
                            why: format!("the verdict is {}", u.verdict),
                        },
                        measured: measured(u),
                        bound,
                    }
                }
            }
            Bound::SigmaAtMost(s) => interval_at_most("sigma", u.interval.sigma, s, u, bound),
            Bound::KappaAtMost(k) => interval_at_most("kappa", u.interval.kappa, k, u, bound),
        }
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use crate::{Experiment, Outcome};

    /// A sweep over 1, 2, 4 workers on `cores` cores whose repetitions' throughputs are `levels` (the
    /// measured ones are replaced: the verdict logic is under test, not this machine).
    fn sweep(cores: usize, levels: [[f64; 5]; 3]) -> Curve {
        let mut c = Experiment::new("scaling.synthetic")
            .workers([1, 2, 4])
            .repetitions(5)
            .ops(20)
            .op(|_: &(), _| ())
            .run()
            .expect("runs");
        c.cores = cores;
        for (p, runs) in c.points.iter_mut().zip(levels) {
            for (m, x) in p.repetitions.iter_mut().zip(runs) {
                m.throughput = x;
            }
        }
        c
    }

    const MUTEX: [[f64; 5]; 3] = [
        [1.0e6, 1.02e6, 0.98e6, 1.01e6, 0.99e6],
        [0.60e6, 0.55e6, 0.62e6, 0.58e6, 0.61e6],
        [0.50e6, 0.52e6, 0.49e6, 0.51e6, 0.50e6],
    ];
    const STRADDLING: [[f64; 5]; 3] = [
        [1.0e6, 1.02e6, 0.98e6, 1.01e6, 0.99e6],
        [1.70e6, 1.95e6, 1.78e6, 1.96e6, 1.83e6],
        [1.90e6, 1.95e6, 1.93e6, 1.96e6, 1.92e6],
    ];

    fn outcome(curve: &Curve, s: Scaling) -> Outcome {
        s.judge(curve, curve.analysis()).outcome
    }

    #[test]
    fn a_decided_label_holds_or_fails() {
        let c = sweep(2, MUTEX);
        assert_eq!(
            outcome(&c, Scaling::at_worst(UslLabel::ContentionLimited)),
            Outcome::Holds
        );
        assert_eq!(outcome(&c, Scaling::linear()), Outcome::Fails);
        assert_eq!(outcome(&c, Scaling::sigma_at_most(0.2)), Outcome::Fails);
        assert_eq!(outcome(&c, Scaling::kappa_at_most(0.0)), Outcome::Holds);
    }

    #[test]
    fn an_undecided_verdict_is_unjudged_never_holds() {
        let c = sweep(2, STRADDLING);
        let j = Scaling::linear().judge(&c, c.analysis());
        let Outcome::Unjudged { why } = &j.outcome else {
            panic!("{j}");
        };
        assert!(
            why.contains("undecided between linear and contention-limited"),
            "{why}"
        );
        assert!(j.measured.contains("within 2 cores"), "{j}");
        // Both labels it allows are within contention-limited: that claim can be judged.
        assert_eq!(
            outcome(&c, Scaling::at_worst(UslLabel::ContentionLimited)),
            Outcome::Holds
        );
        assert!(matches!(
            outcome(&c, Scaling::sigma_at_most(0.1)),
            Outcome::Unjudged { .. }
        ));
    }

    #[test]
    fn one_core_cannot_be_judged() {
        let c = sweep(1, MUTEX);
        let j = Scaling::at_worst(UslLabel::ContentionLimited).judge(&c, c.analysis());
        let Outcome::Unjudged { why } = &j.outcome else {
            panic!("{j}");
        };
        assert!(why.contains("undecided") && why.contains("core"), "{why}");
        let sizes = Experiment::new("scaling.sizes")
            .sizes([1, 2, 3])
            .ops(5)
            .op(|_: &(), _| ())
            .run()
            .expect("runs");
        assert!(matches!(
            outcome(&sizes, Scaling::linear()),
            Outcome::Unjudged { .. }
        ));
    }
}
