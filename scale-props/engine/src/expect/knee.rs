//! The knee: the load where throughput stops growing.

use super::{Expectation, Judgement};
use crate::digest::Analysis;
use crate::fit::Knee;
use crate::measure::Curve;

/// Throughput must keep growing at least up to a load (on the curve's axis).
///
/// ```
/// use scale_props::{expect::ThroughputKnee, Experiment};
/// let curve = Experiment::new("knee.doc").workers([1, 2, 4]).op(|_: &(), _| ()).ops(1_000).run()?;
/// let _knee = curve.knee();
/// curve.check(ThroughputKnee::at_least(1.0))?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ThroughputKnee {
    min_load: f64,
}

impl ThroughputKnee {
    /// The knee must be at `load` or later (or absent).
    pub fn at_least(load: f64) -> Self {
        Self { min_load: load }
    }
}

impl Expectation for ThroughputKnee {
    fn describe(&self) -> String {
        format!("throughput to keep growing up to {}", self.min_load)
    }
    fn judge(&self, curve: &Curve, analysis: &Analysis) -> Judgement {
        let bound = format!("knee >= {}", self.min_load);
        if curve.points.len() < 2 {
            return Judgement::unjudged(bound, "a knee needs at least two loads");
        }
        match analysis.fits.knee {
            Some(k) => Judgement::when(
                k.load >= self.min_load,
                format!(
                    "throughput stops growing at {} ({:.0} ops/s)",
                    k.load, k.throughput
                ),
                bound,
            ),
            None if curve.axis == crate::measure::Axis::Size => {
                Judgement::unjudged(bound, "a knee is fitted along workers or phases, not sizes")
            }
            None => match analysis
                .fits
                .unfitted
                .iter()
                .find(|u| u.starts_with("knee") || u.starts_with("throughput"))
            {
                Some(why) => Judgement::unjudged(bound, why.clone()),
                None => Judgement::holding("throughput grows at every load", bound),
            },
        }
    }
}

impl Curve {
    /// Where median throughput stops growing along the axis, if it does.
    pub fn knee(&self) -> Option<Knee> {
        self.analysis().fits.knee
    }
}
