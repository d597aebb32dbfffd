//! Error types: [`AuditError`] for log operations, [`VerifyError`] for chain verification and [`ProofError`]
//! for Merkle proof checks.

use std::path::PathBuf;

/// What went wrong with one entry during verification.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EntryFault {
    /// Occurs when an expected sequence number is absent (deleted row or gap).
    #[error("entry is missing")]
    Missing,
    /// Occurs when the stored leaf hash is not the hash of the entry's fields (a field was edited).
    #[error("stored hash does not match the entry's contents")]
    HashMismatch,
    /// Occurs when the entry's previous-hash field is not the hash of the entry before it.
    #[error("previous-hash link does not match the preceding entry")]
    ChainBroken,
    /// Occurs when the entry's timestamp is earlier than the one before it.
    #[error("timestamp goes backwards")]
    TimestampWentBackwards,
    /// Occurs when the entry's Ed25519 signature does not verify under the log's public key.
    #[error("signature does not verify")]
    BadSignature,
    /// Occurs when an entry is present beyond the last entry covered by the log's chain (an inserted row).
    #[error("entry is not part of the log")]
    Unexpected,
    /// Occurs when one of the entry's attestations (a statement signed by someone else, e.g. a reviewer) does
    /// not verify under its signer's key.
    #[error("attestation {index} does not verify")]
    BadAttestation {
        /// Position of the attestation in the entry.
        index: usize,
    },
    /// Occurs when a stored row cannot be decoded because a column holds a value of the wrong type (e.g. text
    /// where the timestamp integer belongs).
    #[error("column {column} holds a value of the wrong type")]
    Unreadable {
        /// The column.
        column: &'static str,
    },
}

/// What is wrong with one stored interior Merkle node.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum NodeFault {
    /// Occurs when a node the entries complete is absent from the store.
    #[error("node is missing")]
    Missing,
    /// Occurs when a stored node's hash is not the hash of its children (the node was edited).
    #[error("stored hash does not match the entries below it")]
    Mismatch,
}

/// A verification failure, naming the first bad entry where there is one.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    /// Occurs when an entry fails a check; `seq` is the first such entry in log order.
    #[error("entry {seq}: {fault}")]
    Entry {
        /// The sequence number of the first bad entry.
        seq: u64,
        /// What is wrong with it.
        fault: EntryFault,
    },
    /// Occurs when a stored row has a negative sequence number (an inserted or renumbered row).
    #[error("row with negative sequence number {seq}")]
    NegativeSequence {
        /// The stored sequence number.
        seq: i64,
    },
    /// Occurs when a stored interior Merkle node (used for roots and proofs) is missing or wrong; the first
    /// such node in the order the entries complete them.
    #[error("tree node (level {level}, index {index}): {fault}")]
    Node {
        /// Its level (1 = parent of two leaves).
        level: u32,
        /// Its index within the level.
        index: u64,
        /// What is wrong with it.
        fault: NodeFault,
    },
    /// Occurs when the log does not extend an earlier signed tree head (the witness's): the consistency proof
    /// from `old_size` to `new_size` does not verify, i.e. history was rewritten.
    #[error("the log at size {new_size} does not extend the tree head of size {old_size}")]
    Inconsistent {
        /// The earlier head's size.
        old_size: u64,
        /// The log's size.
        new_size: u64,
    },
    /// Occurs when the recomputed Merkle root differs from the signed tree head of the same size.
    #[error("recomputed root at size {size} does not match the signed tree head")]
    RootMismatch {
        /// The tree size whose root differs.
        size: u64,
    },
    /// Occurs when a signed tree head's signature does not verify.
    #[error("tree head of size {size} has a bad signature")]
    BadTreeHeadSignature {
        /// The size the tree head claims.
        size: u64,
    },
    /// Occurs when the log holds fewer entries than a signed tree head (or the open log) vouches for.
    #[error("log is truncated: {found} entries, but {expected} were published")]
    Truncated {
        /// Entries vouched for.
        expected: u64,
        /// Entries found.
        found: u64,
    },
    /// Occurs when an exported line cannot be parsed.
    #[error("export line {line} is malformed: {reason}")]
    Malformed {
        /// 1-based line number.
        line: u64,
        /// What the parser said.
        reason: String,
    },
    /// Occurs when reading the log fails before verification can finish.
    #[error("could not read the log: {0}")]
    Read(#[from] Box<AuditError>),
}

/// A Merkle proof that does not check out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ProofError {
    /// Occurs when the leaf index is not below the tree size.
    #[error("leaf index {index} is not below tree size {size}")]
    IndexOutOfRange {
        /// The leaf index.
        index: u64,
        /// The tree size.
        size: u64,
    },
    /// Occurs when a consistency proof is asked for from a larger to a smaller tree.
    #[error("old size {old_size} is larger than new size {new_size}")]
    SizesOutOfOrder {
        /// The claimed older size.
        old_size: u64,
        /// The claimed newer size.
        new_size: u64,
    },
    /// Occurs when the proof has the wrong number of hashes for its sizes (truncated or padded proof).
    #[error("proof has {found} hashes, expected {expected}")]
    WrongLength {
        /// Hashes the sizes call for.
        expected: usize,
        /// Hashes supplied.
        found: usize,
    },
    /// Occurs when the proof recomputes a different (new) root.
    #[error("proof does not lead to the given root")]
    RootMismatch,
    /// Occurs when a consistency proof recomputes a different old root.
    #[error("proof does not lead to the given old root")]
    OldRootMismatch,
}

/// An error from a log operation.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    /// Occurs when a payload is longer than the configured maximum; shorten it or raise `max_payload_bytes`.
    #[error("payload is {len} bytes, the maximum is {max}")]
    PayloadTooLarge {
        /// Payload length in bytes.
        len: usize,
        /// The configured maximum.
        max: usize,
    },
    /// Occurs when a payload is not valid JSON.
    #[error("payload is not valid json: {0}")]
    InvalidJson(String),
    /// Occurs when the actor or action is empty or longer than the configured maximum.
    #[error("{field} must be 1 to {max} bytes, got {len}")]
    BadField {
        /// `"actor"` or `"action"`.
        field: &'static str,
        /// Its length.
        len: usize,
        /// The configured maximum.
        max: usize,
    },
    /// Occurs when an attestation offered for logging does not verify under its signer's key; nothing is
    /// sequenced.
    #[error("attestation {index} does not verify")]
    BadAttestation {
        /// Position of the attestation in the list given.
        index: usize,
    },
    /// Occurs when more attestations are offered for one entry than [`crate::attest::MAX_ATTESTATIONS`].
    #[error("{count} attestations, the maximum is {max}")]
    TooManyAttestations {
        /// Attestations offered.
        count: usize,
        /// The maximum.
        max: usize,
    },
    /// Occurs when an attestation's statement is longer than [`crate::attest::MAX_STATEMENT_BYTES`].
    #[error("attestation {index} statement is {len} bytes, the maximum is {max}")]
    StatementTooLarge {
        /// Position of the attestation in the list given.
        index: usize,
        /// Statement length in bytes.
        len: usize,
        /// The maximum.
        max: usize,
    },
    /// Occurs when a database file exists but was not created by this crate.
    #[error("{path} is not an audit log database")]
    NotAnAuditLog {
        /// The file.
        path: PathBuf,
    },
    /// Occurs when the database's schema version is newer than this build understands.
    #[error("schema version {found} is not supported (this build knows up to {supported})")]
    UnsupportedSchemaVersion {
        /// Version in the file.
        found: i64,
        /// Highest version this build migrates to.
        supported: i64,
    },
    /// Occurs when the database file is damaged or not a database at all.
    #[error("database is corrupt: {0}")]
    CorruptDatabase(String),
    /// Occurs when the stored tree nodes needed for a root or proof are absent (damaged store).
    #[error("tree nodes are missing from the store")]
    MissingNodes,
    /// Occurs when a key file that must exist does not.
    #[error("key file {path} does not exist")]
    KeyFileMissing {
        /// The file.
        path: PathBuf,
    },
    /// Occurs when a key file cannot be parsed as an Ed25519 secret key.
    #[error("key file {path} is invalid: {reason}")]
    KeyFileInvalid {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// Occurs when creating a key file that already exists (it is never overwritten).
    #[error("key file {path} already exists")]
    KeyFileExists {
        /// The file.
        path: PathBuf,
    },
    /// Occurs when a key file is readable by group or others; `chmod 600` it.
    #[error("key file {path} has mode {mode:o}, expected owner-only (600)")]
    KeyFilePermissions {
        /// The file.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
    },
    /// Occurs when a log is opened with a key other than the one it was created with.
    #[error("the signing key does not match the log's public key")]
    KeyMismatch,
    /// Occurs when a proof or root is asked for a size beyond the committed log.
    #[error("size {requested} is beyond the log size {size}")]
    SizeOutOfRange {
        /// Size asked for.
        requested: u64,
        /// Committed size.
        size: u64,
    },
    /// Occurs when an append was abandoned because an earlier commit in its group failed; nothing of it was
    /// written and the log continues from the last durable entry.
    #[error("entry {seq} was not written because an earlier commit failed")]
    Aborted {
        /// The sequence number the entry had been given.
        seq: u64,
    },
    /// Occurs when opening a store whose rows or nodes are damaged (inserted, renumbered or edited rows);
    /// names the first bad entry or node.
    #[error("the stored log is damaged: {0}")]
    Damaged(Box<VerifyError>),
    /// Occurs when the log does not extend its witnessed tree head (it shrank, or history was rewritten), at
    /// open or when checked against an earlier head.
    #[error("the log does not extend the witnessed tree head: {0}")]
    NotWitnessed(Box<VerifyError>),
    /// Occurs when a witness file exists but does not hold a signed tree head.
    #[error("witness file {path} is invalid: {reason}")]
    WitnessInvalid {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// Occurs for every append after a commit or a signer panicked: the log fails closed instead of hanging
    /// or guessing what was written. Reopen the log to continue from what is durable.
    #[error("the log stopped accepting appends after a panic in a commit or signer; reopen it")]
    Poisoned,
    /// Occurs when a Merkle proof cannot be built for the given arguments.
    #[error("proof: {0}")]
    Proof(#[from] ProofError),
    /// Occurs when a file operation fails.
    #[error("i/o: {0}")]
    Io(#[from] std::io::Error),
    /// Occurs when SQLite reports an error not covered above.
    #[error("sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// Occurs when the PostgreSQL server or connection reports an error not covered above (server down or
    /// restarting, connection lost, bad URL). The store reconnects on its next use.
    #[cfg(feature = "postgres")]
    #[error("postgres: {0}")]
    Postgres(#[from] postgres::Error),
    /// Occurs when the commit that carried an append to a [`crate::SharedLog`] failed (the server went away,
    /// the connection broke). The append is not acknowledged. If `maybe_written` is false nothing of it was
    /// written; if true the connection was lost while COMMIT was in flight, so the entries may or may not be
    /// in the log (either way the log stays dense, linked and verifiable).
    #[cfg(feature = "postgres")]
    #[error("the commit carrying this append failed ({reason}); maybe written: {maybe_written}")]
    CommitFailed {
        /// What the server or connection reported.
        reason: String,
        /// Whether the failure came while COMMIT was in flight.
        maybe_written: bool,
    },
    /// Occurs when an [`crate::AuditLog`] over a [`crate::PostgresStore`] commits after another writer advanced
    /// the shared log: nothing is written (no fork). Several writers use [`crate::SharedLog`].
    #[cfg(feature = "postgres")]
    #[error(
        "another writer advanced the log: expected to write at {expected}, the log has {found} entries"
    )]
    Conflict {
        /// The sequence number this writer was about to write.
        expected: u64,
        /// The log's size in the database.
        found: u64,
    },
    /// Occurs when a PostgreSQL schema name is not a plain lower-case identifier (`[a-z_][a-z0-9_]{0,62}`).
    #[cfg(feature = "postgres")]
    #[error("{0:?} is not a valid schema name (use [a-z_][a-z0-9_]*, at most 63 bytes)")]
    BadSchemaName(String),
    /// Occurs when a PostgreSQL schema holds tables but not an audit log.
    #[cfg(feature = "postgres")]
    #[error("schema {0} is not an audit log")]
    NotAnAuditLogSchema(String),
}

impl From<AuditError> for VerifyError {
    fn from(e: AuditError) -> Self {
        Self::Read(Box::new(e))
    }
}
