//! SVG plots (plotters): each curve's medians with its fitted model.

use std::path::{Path, PathBuf};

use plotters::prelude::*;

use super::ReportError;
use crate::digest::Analysis;
use crate::measure::{Axis, Curve, Point};

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

/// The plot file name of an experiment id: `<file stem>.svg` (see [`crate::digest::file_stem`]).
pub(crate) fn plot_file_name(id: &str) -> String {
    format!("{}.svg", crate::digest::file_stem(id))
}

/// A fitted model, evaluated at x.
type Model = Box<dyn Fn(f64) -> f64>;

const COLOURS: [RGBColor; 4] = [BLUE, RED, GREEN, MAGENTA];

/// Draws `curve` with its fitted model into the SVG file `path`: medians as points, the model as a line, on
/// log-log axes (time per operation against size for size curves; throughput against the axis otherwise).
///
/// # Errors
/// [`ReportError`] when the folder cannot be created or plotters fails.
///
/// ```
/// let dir = tempfile::tempdir()?;
/// let curve = scale_props::Experiment::new("plot").workers([1, 2]).op(|_: &(), _| ()).ops(100).run()?;
/// let path = dir.path().join("plot.svg");
/// scale_props::report::plot_curve(&curve, &scale_props::Analysis::of(&curve), &path)?;
/// assert!(std::fs::read_to_string(&path)?.contains("<svg"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn plot_curve(curve: &Curve, analysis: &Analysis, path: &Path) -> Result<(), ReportError> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|source| ReportError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
    }
    let plot_err = |e: &dyn std::fmt::Display| ReportError::Plot {
        path: path.to_path_buf(),
        reason: e.to_string(),
    };
    let (y_of, y_desc): (fn(&Point) -> f64, &str) = if curve.axis == Axis::Size {
        (
            Point::median_p50_ns,
            "p50 ns per op (median of repetitions)",
        )
    } else {
        (Point::median_throughput, "median ops per second")
    };
    let x_desc = match curve.axis {
        Axis::Size => "size",
        Axis::Workers => "workers",
        Axis::Phase => "phase",
    };
    let mut names: Vec<&str> = curve.points.iter().map(|p| p.phase.name.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    if curve.axis != Axis::Size {
        names = vec![""];
    }
    let series: Vec<(f64, f64)> = curve
        .series(y_of)
        .into_iter()
        .map(|(x, y)| (x, y.max(1e-3)))
        .collect();
    let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for (x, y) in &series {
        (x0, x1, y0, y1) = (x0.min(*x), x1.max(*x), y0.min(*y), y1.max(*y));
    }
    if series.is_empty() {
        (x0, x1, y0, y1) = (1.0, 10.0, 1.0, 10.0);
    }
    let (x0, x1, y0, y1) = (x0 / 1.5, x1 * 1.5, y0 / 2.0, y1 * 2.0);
    let root = SVGBackend::new(path, (800, 500)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| plot_err(&e))?;
    let mut chart = ChartBuilder::on(&root)
        .caption(&curve.id, ("sans-serif", 22))
        .margin(15)
        .x_label_area_size(45)
        .y_label_area_size(70)
        .build_cartesian_2d((x0..x1).log_scale(), (y0..y1).log_scale())
        .map_err(|e| plot_err(&e))?;
    chart
        .configure_mesh()
        .x_desc(x_desc)
        .y_desc(y_desc)
        .draw()
        .map_err(|e| plot_err(&e))?;
    for (i, name) in names.iter().enumerate() {
        let colour = COLOURS[i % COLOURS.len()];
        let pts: Vec<(f64, f64)> = curve
            .points
            .iter()
            .zip(&series)
            .filter(|(p, _)| name.is_empty() || p.phase.name == *name)
            .map(|(_, xy)| *xy)
            .collect();
        let label = if name.is_empty() {
            "median".to_owned()
        } else {
            format!("{name} median")
        };
        chart
            .draw_series(
                pts.iter()
                    .map(|(x, y)| Circle::new((*x, *y), 4, colour.filled())),
            )
            .map_err(|e| plot_err(&e))?
            .label(label)
            .legend(move |(x, y)| Circle::new((x, y), 4, colour.filled()));
        let model: Option<(String, Model)> = if curve.axis == Axis::Size {
            analysis
                .fits
                .phases
                .iter()
                .find(|g| g.phase == *name)
                .and_then(|g| g.time.clone())
                .map(|f| {
                    (
                        format!("fit {}", f.best),
                        Box::new(move |x: f64| f.predict(x)) as Box<dyn Fn(f64) -> f64>,
                    )
                })
        } else {
            analysis.fits.usl.clone().map(|u| {
                (
                    format!("USL {}", u.label),
                    Box::new(move |x: f64| u.throughput(x)) as Box<dyn Fn(f64) -> f64>,
                )
            })
        };
        if let Some((label, f)) = model {
            let line: Vec<(f64, f64)> = (0..=60)
                .map(|k| x0 * (x1 / x0).powf(f64::from(k) / 60.0))
                .map(|x| (x, f(x)))
                .filter(|(_, y)| y.is_finite() && *y >= y0 && *y <= y1)
                .collect();
            chart
                .draw_series(LineSeries::new(line, colour.stroke_width(2)))
                .map_err(|e| plot_err(&e))?
                .label(label)
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], colour));
        }
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .draw()
        .map_err(|e| plot_err(&e))?;
    root.present().map_err(|e| plot_err(&e))?;
    Ok(())
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
