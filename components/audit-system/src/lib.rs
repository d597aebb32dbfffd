//! Aegis audit log: a signed, tamper-evident RFC 6962 Merkle log on SQLite that never forks and never loses
//! an acknowledged entry.
//!
//! # Example
//!
//! ```
//! use audit_system::{AuditLog, LogKey, Query, verify_export};
//!
//! # type Error = Box<dyn std::error::Error + Send + Sync>;
//! # fn main() -> Result<(), Error> { audit_system::sync::run_example(|| {
//! let dir = tempfile::tempdir()?;
//! let key = LogKey::create_file(dir.path().join("audit.key"))?; // mode 0600
//! let log = AuditLog::open(dir.path().join("audit.db"), key)?;
//!
//! let receipt = log.append("alice", "login", r#"{"ip":"10.0.0.1"}"#)?; // durable on return
//! log.append("bob", "delete", r#"{"path":"/tmp/x"}"#)?;
//! assert_eq!(receipt.seq, 0);
//!
//! // Prove entry 0 is in the log, with nothing but the proof, the signed root and the public key.
//! let head = log.publish_tree_head()?;
//! assert!(log.public_key().verify_tree_head(&head));
//! let proof = log.inclusion_proof(0, head.size)?;
//! proof.verify(&receipt.hash, &head.root)?;
//!
//! assert_eq!(log.query(&Query::new().action("delete"))?.len(), 1);
//! assert_eq!(log.verify()?.size, 2);
//!
//! let mut export = Vec::new();
//! log.export_jsonl(&mut export)?;
//! assert_eq!(verify_export(&export[..], &log.public_key())?.size, 2);
//! # Ok::<(), Error>(())
//! # }) }
//! ```
//!
//! # Design
//!
//! - **Entries** carry a dense sequence number, a nanosecond timestamp clamped never to go backwards, actor,
//!   action, a JSON payload and the previous entry's leaf hash. The leaf hash ([`entry::entry_hash`]) covers
//!   all of them, and the Ed25519 signature covers the leaf hash.
//! - **Merkle tree** ([`tree_math`], [`frontier`], [`proof`]): RFC 6962 hashing; the log keeps only the
//!   frontier in memory (O(log n) append) and persists each completed perfect subtree, so roots at any size
//!   and inclusion/consistency proofs cost O(log n) node reads.
//! - **Concurrency** ([`sequencer`]): order is fixed under one small lock, signing happens outside it on every
//!   caller's core, and a group committer writes consecutive ready entries in one transaction. A failed
//!   commit rewinds to the last durable entry, so no hole is ever linked past.
//! - **Attestations** ([`attest`]): statements signed by others (a reviewer's decision) recorded in an entry,
//!   covered by its hash, checked by every verification.
//! - **Cut short, forked, damaged** ([`witness`], [`AuditLog::check_extends`]): a witness file outside the
//!   database holds the last published head; the log must extend it at open and in `verify()`. Heads are
//!   signed only after the store synced what they cover. Verification walks the rows present and names the
//!   first bad entry or tree node; a panicking store or signer poisons the log instead of hanging it.
//! - **Storage** ([`store`]): SQLite in WAL mode, versioned schema; or memory. Acknowledged entries survive a
//!   process crash by default (`synchronous=NORMAL`), and also power loss with [`Durability::PowerLoss`]
//!   (`synchronous=FULL`, one fsync per group).
//!
//! # When not to use it
//!
//! On SQLite it is a single-writer-process log: two processes appending to one file would each keep their own
//! chain head. Several writer processes share one log in PostgreSQL through `SharedLog` (cargo feature
//! `postgres`), where the database serialises appends. It is not a distributed transparency log: its [`witness`] is one file the operator keeps, and there
//! is no gossip of tree heads.

#![forbid(unsafe_code)]

pub mod attest;
pub mod entry;
pub mod error;
pub mod frontier;
pub mod hasher;
mod log;
pub mod proof;
pub mod sequencer;
#[cfg(feature = "postgres")]
mod shared;
pub mod sign;
pub mod store;
pub mod sync;
pub mod tree_math;
mod verify;
pub mod witness;

pub use attest::Attestation;
pub use entry::{Entry, EntryContent, Limits, Signature, UnsignedEntry};
pub use error::{AuditError, EntryFault, NodeFault, ProofError, VerifyError};
pub use frontier::Frontier;
pub use hasher::Hash;
pub use log::{AuditLog, QueryIter};
pub use proof::{ConsistencyProof, InclusionProof, NodeSource};
pub use sequencer::{AppendError, Receipt, Sequencer, SequencerState};
#[cfg(feature = "postgres")]
pub use shared::SharedLog;
pub use sign::{LogKey, PublicKey, SignedTreeHead};
#[cfg(feature = "postgres")]
pub use store::PostgresStore;
pub use store::{Durability, MemoryStore, Order, Query, SqliteStore, Store, StoredRow};
pub use verify::{EXPORT_FORMAT, VerifyReport, verify_export, verify_store};
pub use witness::Witness;
