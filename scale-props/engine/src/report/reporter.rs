//! The `Report` trait, the fan-out composite, and `write_all`.

use std::path::{Path, PathBuf};

use super::{CsvReport, JsonReport, MarkdownReport, ReportError, SvgReport};
use crate::digest::Analysis;
use crate::measure::Curve;

/// A reporter: told when a report begins, once per analysed curve, and when it ends.
///
/// ```
/// use scale_props::report::{Report, ReportError};
/// use scale_props::{Analysis, Curve};
/// struct Count(usize);
/// impl Report for Count {
///     fn curve(&mut self, _: &Curve, _: &Analysis) -> Result<(), ReportError> { self.0 += 1; Ok(()) }
///     fn end(&mut self) -> Result<Vec<std::path::PathBuf>, ReportError> { Ok(Vec::new()) }
/// }
/// let mut c = Count(0);
/// let curve = scale_props::Experiment::new("count").op(|_: &(), _| ()).ops(5).run()?;
/// c.curve(&curve, &Analysis::of(&curve))?;
/// assert_eq!(c.0, 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub trait Report {
    /// A report titled `title` begins.
    ///
    /// # Errors
    /// [`ReportError`] when the reporter cannot start (e.g. its folder cannot be created).
    fn begin(&mut self, title: &str) -> Result<(), ReportError> {
        let _ = title;
        Ok(())
    }
    /// One analysed curve.
    ///
    /// # Errors
    /// [`ReportError`] when writing fails.
    fn curve(&mut self, curve: &Curve, analysis: &Analysis) -> Result<(), ReportError>;
    /// The report ends; returns the files written.
    ///
    /// # Errors
    /// [`ReportError`] when writing fails.
    fn end(&mut self) -> Result<Vec<PathBuf>, ReportError>;
}

/// Passes every event on to each reporter, in order; the first error stops the event.
///
/// ```
/// use scale_props::report::{CsvReport, MarkdownReport, Reports};
/// let dir = std::env::temp_dir().join("scale-props-doc-reports");
/// let reports = Reports::new().with(MarkdownReport::new(&dir)).with(CsvReport::new(&dir));
/// assert_eq!(reports.len(), 2);
/// ```
#[derive(Default)]
pub struct Reports {
    reporters: Vec<Box<dyn Report>>,
}

impl std::fmt::Debug for Reports {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Reports({} reporters)", self.reporters.len())
    }
}

impl Reports {
    /// No reporters.
    pub fn new() -> Self {
        Self::default()
    }
    /// Adds a reporter.
    pub fn with(mut self, r: impl Report + 'static) -> Self {
        self.reporters.push(Box::new(r));
        self
    }
    /// Number of reporters.
    pub fn len(&self) -> usize {
        self.reporters.len()
    }
    /// Returns true if and only if there are no reporters.
    pub fn is_empty(&self) -> bool {
        self.reporters.is_empty()
    }
}

impl Report for Reports {
    fn begin(&mut self, title: &str) -> Result<(), ReportError> {
        self.reporters.iter_mut().try_for_each(|r| r.begin(title))
    }
    fn curve(&mut self, curve: &Curve, analysis: &Analysis) -> Result<(), ReportError> {
        self.reporters
            .iter_mut()
            .try_for_each(|r| r.curve(curve, analysis))
    }
    fn end(&mut self) -> Result<Vec<PathBuf>, ReportError> {
        let mut files = Vec::new();
        for r in &mut self.reporters {
            files.extend(r.end()?);
        }
        Ok(files)
    }
}

/// Writes every report (Markdown, CSV, JSON, one SVG per curve) for `curves` into `dir`; returns the files.
///
/// # Errors
/// [`ReportError`] when a file cannot be written or a plot cannot be drawn.
///
/// ```
/// let dir = tempfile::tempdir()?;
/// let curve = scale_props::Experiment::new("write.all").sizes([10, 100, 1_000])
///     .op(|_: &(), ctx| ctx.add_work(ctx.size)).ops(20).run()?;
/// let files = scale_props::report::write_all(dir.path(), "demo", &[curve])?;
/// assert!(files.iter().any(|f| f.extension().is_some_and(|e| e == "svg")));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn write_all(dir: &Path, title: &str, curves: &[Curve]) -> Result<Vec<PathBuf>, ReportError> {
    let mut reports = Reports::new()
        .with(MarkdownReport::new(dir))
        .with(CsvReport::new(dir))
        .with(JsonReport::new(dir))
        .with(SvgReport::new(dir));
    reports.begin(title)?;
    for c in curves {
        reports.curve(c, c.analysis())?;
    }
    reports.end()
}
