//! The knee: the load where throughput stops growing.

use super::Expectation;
use crate::digest::Analysis;
use crate::fit::Knee;
use crate::measure::Curve;

/// Throughput must keep growing at least up to a load (on the curve's axis).
///
/// ```
/// use scale_props::{expect::ThroughputKnee, Experiment};
/// let curve = Experiment::new("knee.doc").workers([1, 2, 4]).op(|_: &(), _| ()).ops(1_000).run()?;
/// let _knee = curve.knee();
/// curve.expect(ThroughputKnee::at_least(1.0))?;
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
    fn check(&self, _: &Curve, analysis: &Analysis) -> Result<(), String> {
        match analysis.fits.knee {
            Some(k) if k.load < self.min_load => Err(format!(
                "throughput stops growing at {} ({:.0} ops/s)",
                k.load, k.throughput
            )),
            _ => Ok(()),
        }
    }
}

impl Curve {
    /// Where median throughput stops growing along the axis, if it does.
    pub fn knee(&self) -> Option<Knee> {
        crate::digest::Fits::of(self).knee
    }
}
