//! Why a report could not be written.

use std::path::PathBuf;

/// Errors of the reporters.
///
/// ```
/// use scale_props::report::{write_all, ReportError};
/// let file = tempfile::NamedTempFile::new()?; // a file, so it cannot be a folder
/// let err = write_all(&file.path().join("sub"), "t", &[]).unwrap_err();
/// assert!(matches!(err, ReportError::Io { .. }));
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// Occurs when a report file or folder cannot be created or written.
    #[error("cannot write {path}: {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// Occurs when plotters fails to draw a plot.
    #[error("cannot draw plot {path}: {reason}")]
    Plot {
        /// The SVG path.
        path: PathBuf,
        /// plotters' message.
        reason: String,
    },
    /// Occurs when results cannot be serialised to JSON.
    #[error("cannot serialise results: {0}")]
    Json(#[from] serde_json::Error),
}

pub(crate) fn write_file(path: PathBuf, text: &str) -> Result<PathBuf, ReportError> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|source| ReportError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
    }
    std::fs::write(&path, text).map_err(|source| ReportError::Io {
        path: path.clone(),
        source,
    })?;
    Ok(path)
}
