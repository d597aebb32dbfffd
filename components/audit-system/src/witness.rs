//! A witness: the latest published signed tree head, kept in a file outside the database.
//!
//! The database alone cannot prove it was not cut short: whoever can delete its last rows can delete the tree
//! heads that covered them too (and a truncated log verifies, being a valid shorter log). A witness file the
//! operator keeps elsewhere (another disk, a directory the log's writers cannot rewrite, a copy shipped off the
//! machine) holds the last head the log published; at open and in every `verify()` the log must extend it (be
//! at least as long, with a consistency proof from the witnessed head to the current tree). The file is
//! replaced atomically (write a temporary file, fsync it, rename over, fsync the directory) on every
//! published head, so a crash leaves either the old head or the new one, never a torn file.
//!
//! Any other keeper of heads (a pipeline that remembers the last head it handed out, a remote auditor) checks
//! the log the same way with [`crate::AuditLog::check_extends`].

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::AuditError;
use crate::sign::SignedTreeHead;

/// A file holding the last signed tree head a log published (JSON).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Witness {
    path: PathBuf,
}

impl Witness {
    /// A witness at `path` (the file need not exist yet).
    #[must_use]
    pub fn new(path: impl AsRef<Path>) -> Self {
        Self {
            path: path.as_ref().to_owned(),
        }
    }

    /// The witness file.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The witnessed head, or `None` if the file does not exist.
    ///
    /// # Errors
    /// [`AuditError::WitnessInvalid`] if the file does not hold a tree head; [`AuditError::Io`].
    pub fn load(&self) -> Result<Option<SignedTreeHead>, AuditError> {
        let text = match std::fs::read_to_string(&self.path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        serde_json::from_str(&text)
            .map(Some)
            .map_err(|e| AuditError::WitnessInvalid {
                path: self.path.clone(),
                reason: e.to_string(),
            })
    }

    /// Replaces the witnessed head with `head`, durably (temporary file, fsync, rename, fsync directory).
    ///
    /// # Errors
    /// [`AuditError::Io`].
    pub fn store(&self, head: &SignedTreeHead) -> Result<(), AuditError> {
        let dir = match self.path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_owned(),
            _ => PathBuf::from("."),
        };
        let mut tmp_name = self.path.file_name().unwrap_or_default().to_owned();
        tmp_name.push(".tmp");
        let tmp = dir.join(tmp_name);
        {
            let mut f = std::fs::File::create(&tmp)?;
            let json = serde_json::to_vec(head).map_err(std::io::Error::other)?;
            f.write_all(&json)?;
            f.sync_all()?;
        }
        std::fs::rename(&tmp, &self.path)?;
        // The rename is durable once the directory is synced (not possible on every platform).
        if let Ok(d) = std::fs::File::open(&dir) {
            let _ = d.sync_all();
        }
        Ok(())
    }
}
