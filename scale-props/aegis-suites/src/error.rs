//! The crate's error type.

use thiserror::Error;

/// Errors building or running a suite, or writing its report.
#[derive(Debug, Error)]
pub enum SuiteError {
    /// Occurs when an experiment cannot run (invalid shape, failed pool or failed state preparation).
    #[error("experiment `{id}` failed: {source}")]
    Run {
        /// The experiment id.
        id: String,
        /// What the engine reported.
        source: scale_props::RunError,
    },
    /// Occurs when a load shape is out of the engine's bounds.
    #[error("invalid load shape: {0}")]
    Shape(#[from] scale_props::shape::ShapeError),
    /// Occurs when a report file cannot be written.
    #[error("report failed: {0}")]
    Report(#[from] scale_props::report::ReportError),
    /// Occurs when a report file or folder cannot be written.
    #[error("cannot write {path}: {source}")]
    Io {
        /// The file or folder.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// Occurs when the PostgreSQL cases cannot start: no `postgres` feature in this build, or the server
    /// or a writer process failed.
    #[error("PostgreSQL: {0}")]
    Postgres(String),
    /// Occurs when a suite name is not one of [`crate::SuiteName::ALL`].
    #[error("unknown suite `{0}` (expected one of: {names})", names = crate::SuiteName::names().join(", "))]
    UnknownSuite(String),
}
