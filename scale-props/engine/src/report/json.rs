//! JSON: every analysis (digest, fits, rows) as one array.

use std::path::{Path, PathBuf};

use super::ReportError;
use super::error::write_file;
use crate::digest::Analysis;
use crate::expect::Verdict;
use crate::measure::Curve;

/// Writes `results.json`: `{ "title": .., "verdicts": [Verdict, ..], "curves": [Analysis, ..] }`, one verdict
/// per claim of every curve (case, claim, judgement: outcome, measured, bound).
#[derive(Debug)]
pub struct JsonReport {
    dir: PathBuf,
    title: String,
    verdicts: Vec<Verdict>,
    analyses: Vec<Analysis>,
}

impl JsonReport {
    /// A JSON report written into `dir`.
    pub fn new(dir: &Path) -> Self {
        Self {
            dir: dir.to_path_buf(),
            title: String::new(),
            verdicts: Vec::new(),
            analyses: Vec::new(),
        }
    }
}

impl super::Report for JsonReport {
    fn begin(&mut self, title: &str) -> Result<(), ReportError> {
        title.clone_into(&mut self.title);
        Ok(())
    }
    fn curve(&mut self, curve: &Curve, analysis: &Analysis) -> Result<(), ReportError> {
        self.verdicts.extend(curve.verdicts().iter().cloned());
        self.analyses.push(analysis.clone());
        Ok(())
    }
    fn end(&mut self) -> Result<Vec<PathBuf>, ReportError> {
        let doc = serde_json::json!({
            "title": self.title,
            "verdicts": self.verdicts,
            "curves": self.analyses,
        });
        let text = serde_json::to_string_pretty(&doc)?;
        Ok(vec![write_file(self.dir.join("results.json"), &text)?])
    }
}
