//! Reports: Markdown, CSV, JSON and SVG plots of analysed curves, behind one [`Report`] trait with lifecycle
//! hooks and a fan-out composite ([`Reports`]).
//!
//! Reporters format; they never compute. Everything they print comes from [`crate::Analysis`] (digest, fits,
//! rows) and the [`crate::Curve`] points.

mod csv;
mod error;
mod json;
mod markdown;
mod plot;
mod reporter;

pub use csv::{CSV_HEADER, CsvReport};
pub use error::ReportError;
pub use json::JsonReport;
pub use markdown::{MarkdownReport, fits_text as markdown_fits, table as markdown_table};
pub(crate) use plot::plot_file_name;
pub use plot::{PlotBound, SvgReport, plot_curve, plot_curve_with_bounds};
pub use reporter::{Report, Reports, write_all};
