//! [`AuditBackend`]: the audit log a pipeline writes to, one process's [`AuditLog`] or (feature
//! `postgres`) an `audit_system::SharedLog` that several pipeline processes append to at once.
//!
//! Every place in the crate that appends goes through this one enum, so both logs get the same
//! entries and the same failure handling: an append error of either fails the step that wrote it.

use std::ops::Range;
use std::sync::Arc;

use audit_system::{
    Attestation, AuditError, AuditLog, Entry, PublicKey, Query, Receipt, SignedTreeHead,
    VerifyError, VerifyReport,
};

/// The audit log of a pipeline ([`crate::Pipeline::audit_log`]); pick it with
/// [`crate::PipelineBuilder::audit_log`] or, with feature `postgres`,
/// `PipelineBuilder::shared_audit_log`.
///
/// The methods read the whole log: on a shared log that includes what other processes appended.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum AuditBackend {
    /// A log with one writer process: in memory, in SQLite, or in a single-writer
    /// `PostgresStore`.
    Local(Arc<AuditLog>),
    /// A log in PostgreSQL that any number of pipeline processes append to at once (the database
    /// orders their commits); feature `postgres`.
    #[cfg(all(feature = "postgres", not(loom)))]
    Shared(Arc<audit_system::SharedLog>),
}

impl From<Arc<AuditLog>> for AuditBackend {
    fn from(log: Arc<AuditLog>) -> Self {
        Self::Local(log)
    }
}

impl AuditBackend {
    /// Number of entries in the log now.
    ///
    /// # Errors
    /// Server errors (shared log only).
    pub fn len(&self) -> Result<u64, AuditError> {
        match self {
            Self::Local(log) => Ok(log.len()),
            #[cfg(all(feature = "postgres", not(loom)))]
            Self::Shared(log) => log.len(),
        }
    }

    /// Returns true if and only if the log has no entry.
    ///
    /// # Errors
    /// As [`AuditBackend::len`].
    pub fn is_empty(&self) -> Result<bool, AuditError> {
        Ok(self.len()? == 0)
    }

    /// Verifies the whole log: dense sequence, hashes, links, timestamps, signatures, attestations
    /// and the Merkle tree (see `AuditLog::verify` and `SharedLog::verify`).
    ///
    /// # Errors
    /// The [`VerifyError`] naming the first bad entry or node.
    pub fn verify(&self) -> Result<VerifyReport, VerifyError> {
        match self {
            Self::Local(log) => log.verify(),
            #[cfg(all(feature = "postgres", not(loom)))]
            Self::Shared(log) => log.verify(),
        }
    }

    /// The committed entries with sequence numbers in `seqs` (fewer if the log is shorter).
    ///
    /// # Errors
    /// Store or server errors.
    pub fn entries(&self, seqs: Range<u64>) -> Result<Vec<Entry>, AuditError> {
        match self {
            Self::Local(log) => log.store().entries(seqs),
            #[cfg(all(feature = "postgres", not(loom)))]
            Self::Shared(log) => audit_system::Store::entries(log.store(), seqs),
        }
    }

    /// Entries matching `query`.
    ///
    /// # Errors
    /// Store or server errors.
    pub fn query(&self, query: &Query) -> Result<Vec<Entry>, AuditError> {
        match self {
            Self::Local(log) => log.query(query),
            #[cfg(all(feature = "postgres", not(loom)))]
            Self::Shared(log) => log.query(query),
        }
    }

    /// The log's public key, for verifiers.
    #[must_use]
    pub fn public_key(&self) -> PublicKey {
        match self {
            Self::Local(log) => log.public_key(),
            #[cfg(all(feature = "postgres", not(loom)))]
            Self::Shared(log) => log.public_key(),
        }
    }

    /// Signs, stores and returns the current tree head (a witnessed SQLite log records it in its
    /// witness file first; a shared log's head covers every process's entries).
    ///
    /// # Errors
    /// Store, witness or server errors; then no head was returned.
    pub fn publish_tree_head(&self) -> Result<SignedTreeHead, AuditError> {
        match self {
            Self::Local(log) => log.publish_tree_head(),
            #[cfg(all(feature = "postgres", not(loom)))]
            Self::Shared(log) => log.publish_tree_head(),
        }
    }

    pub(crate) fn append(
        &self,
        actor: &str,
        action: &str,
        payload: &str,
    ) -> Result<Receipt, AuditError> {
        match self {
            Self::Local(log) => log.append(actor, action, payload),
            #[cfg(all(feature = "postgres", not(loom)))]
            Self::Shared(log) => log.append(actor, action, payload),
        }
    }

    pub(crate) fn append_attested(
        &self,
        actor: &str,
        action: &str,
        payload: &str,
        attestations: Vec<Attestation>,
    ) -> Result<Receipt, AuditError> {
        match self {
            Self::Local(log) => log.append_attested(actor, action, payload, attestations),
            #[cfg(all(feature = "postgres", not(loom)))]
            Self::Shared(log) => log.append_attested(actor, action, payload, attestations),
        }
    }

    /// Appends `items` as consecutive entries in one commit.
    pub(crate) fn append_batch(
        &self,
        items: &[(&str, &str, &str)],
    ) -> Result<Vec<Receipt>, AuditError> {
        match self {
            Self::Local(log) => log.append_batch(items),
            #[cfg(all(feature = "postgres", not(loom)))]
            Self::Shared(log) => log.append_batch(items),
        }
    }
}
