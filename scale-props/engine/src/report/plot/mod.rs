//! SVG plots of analysed curves, one kind per curve shape, each readable without the report beside it:
//!
//! - size curves ([`crate::Axis::Size`]): p50 time per operation against size on log axes where the sizes span
//!   decades, each phase with its fitted class and the fit's error;
//! - worker sweeps ([`crate::Axis::Workers`]): throughput against workers with the USL fit and its error, ideal
//!   linear scaling, and the machine's core count as a vertical line;
//! - phase plots ([`crate::Axis::Phase`]): p50 and p99 per phase (open-model phases with offered, served and
//!   dropped operations);
//! - bursts: the phase plot above the recovery timeline (batch latency against time, the p99 before the spike
//!   as baseline).
//!
//! Every measured point is the median over repetitions with min-max whiskers; tick labels are human (`1K`,
//! `250 us`, `1.2M`); the legend sits in its own column; a claim's bound is drawn when the caller passes one
//! ([`PlotBound`], [`plot_curve_with_bounds`]).

mod bound;
mod burst;
mod canvas;
mod phases;
mod residuals;
mod size;
mod sweep;
mod ticks;

use std::path::{Path, PathBuf};

pub use bound::PlotBound;

use super::ReportError;
use crate::digest::Analysis;
use crate::measure::{Axis, Curve};
use crate::shape::PhaseRole;

/// Writes one `<id>.svg` per curve.
#[derive(Debug)]
pub struct SvgReport {
    dir: PathBuf,
    written: Vec<PathBuf>,
}

impl SvgReport {
    /// An SVG reporter writing into `dir`.
    pub fn new(dir: &Path) -> Self {
        Self {
            dir: dir.to_path_buf(),
            written: Vec::new(),
        }
    }
}

/// The plot file name of an experiment id.
pub(crate) fn plot_file_name(id: &str) -> String {
    format!("{}.svg", crate::digest::file_stem(id))
}

/// Draws `curve` with its fits into the SVG file `path`. The kind of plot follows the curve's axis: a size curve
/// (p50 per operation against size, with the fitted class and its error), a worker sweep (throughput against
/// workers, with the USL fit and its error, ideal scaling and a `cores = N` line), a phase plot (p50 and p99 per
/// phase; open-model phases with offered, served and dropped work) or a burst (its phases above the recovery
/// timeline). Medians over repetitions are drawn with min-max whiskers; the legend has its own column.
///
/// # Errors
/// [`ReportError`] when the folder or file cannot be written or the plot cannot be drawn.
///
/// ```
/// let dir = tempfile::tempdir()?;
/// let curve = scale_props::Experiment::new("plot").workers([1, 2]).op(|_: &(), _| ()).ops(100).run()?;
/// let path = dir.path().join("plot.svg");
/// scale_props::report::plot_curve(&curve, &scale_props::Analysis::of(&curve), &path)?;
/// assert!(std::fs::read_to_string(&path)?.contains(&format!("cores = {}", curve.cores)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn plot_curve(curve: &Curve, analysis: &Analysis, path: &Path) -> Result<(), ReportError> {
    plot_curve_with_bounds(curve, analysis, &[], path)
}

/// [`plot_curve`] with claims' bounds drawn as dashed lines and named in the legend; each bound's values are in
/// the plot's y unit (see [`PlotBound`]).
///
/// # Errors
/// [`ReportError`] when the folder or file cannot be written or the plot cannot be drawn.
///
/// ```
/// use scale_props::report::{PlotBound, plot_curve_with_bounds};
/// let dir = tempfile::tempdir()?;
/// let curve = scale_props::Experiment::new("bounded").op(|_: &(), _| ()).ops(100).run()?;
/// let path = dir.path().join("bounded.svg");
/// let budget = [PlotBound::level("p99 <= 1 ms", 1e6)];
/// plot_curve_with_bounds(&curve, &scale_props::Analysis::of(&curve), &budget, &path)?;
/// assert!(std::fs::read_to_string(&path)?.contains("p99 &lt;= 1 ms"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn plot_curve_with_bounds(
    curve: &Curve,
    analysis: &Analysis,
    bounds: &[PlotBound],
    path: &Path,
) -> Result<(), ReportError> {
    let svg = render(curve, analysis, bounds).map_err(|reason| ReportError::Plot {
        path: path.to_path_buf(),
        reason,
    })?;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|source| ReportError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
    }
    std::fs::write(path, svg).map_err(|source| ReportError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// The kind of plot a curve gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Size,
    Sweep,
    Burst,
    Phases,
}

impl Kind {
    fn of(curve: &Curve) -> Self {
        match curve.axis {
            Axis::Size => Self::Size,
            Axis::Workers => Self::Sweep,
            Axis::Phase if curve.points_in(PhaseRole::Spike).next().is_some() => Self::Burst,
            Axis::Phase => Self::Phases,
        }
    }
}

/// The SVG text of a curve's plot.
fn render(curve: &Curve, analysis: &Analysis, bounds: &[PlotBound]) -> canvas::Drawn<String> {
    let kind = Kind::of(curve);
    let runs = format!(
        "{} run{}",
        curve.repetitions,
        if curve.repetitions == 1 { "" } else { "s" }
    );
    let subtitle = match kind {
        Kind::Size => format!(
            "time per operation against state size; {} sizes, {runs} each; {} cores",
            curve.sizes.len(),
            curve.cores
        ),
        Kind::Sweep => format!(
            "throughput against workers; {} levels, {runs} each; machine: {} cores",
            curve.points.len(),
            curve.cores
        ),
        Kind::Burst => format!(
            "burst of {} workers: latency per phase, then the recovery timeline; {runs}; {} cores",
            curve
                .points
                .iter()
                .map(|p| p.phase.workers.to_string())
                .collect::<Vec<_>>()
                .join(" -> "),
            curve.cores
        ),
        Kind::Phases => format!("latency per phase; {runs}; {} cores", curve.cores),
    };
    let height = if kind == Kind::Burst { 820 } else { 560 };
    let mut out = String::new();
    {
        let mut page = canvas::Page::new(&mut out, height, &curve.id, &subtitle)?;
        match kind {
            Kind::Size => size::draw(&mut page, curve, analysis, bounds)?,
            Kind::Sweep => sweep::draw(&mut page, curve, analysis, bounds)?,
            Kind::Burst => burst::draw(&mut page, curve, bounds)?,
            Kind::Phases => phases::draw(&mut page, curve, bounds)?,
        }
        page.finish()?;
    }
    Ok(out)
}

impl super::Report for SvgReport {
    fn curve(&mut self, curve: &Curve, analysis: &Analysis) -> Result<(), ReportError> {
        let path = self.dir.join(plot_file_name(&curve.id));
        plot_curve(curve, analysis, &path)?;
        self.written.push(path);
        Ok(())
    }
    fn end(&mut self) -> Result<Vec<PathBuf>, ReportError> {
        Ok(std::mem::take(&mut self.written))
    }
}

#[cfg(all(test, not(loom)))]
mod tests;
