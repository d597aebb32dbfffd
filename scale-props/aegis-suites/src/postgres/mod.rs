//! The audit and pipeline suites on PostgreSQL (feature `postgres`; the main job's `--audit <url>`): the
//! shared log's appends against its length, verification, appends from 1 .. 16 threads of one process and
//! from 1 .. 8 writer processes at once, and the pipeline's workflows per second with its audit log on the
//! server. The report sets them beside the SQLite curves of the same run
//! ([`crate::summary::side_by_side`]).
//!
//! Every case checks what the server must guarantee while it measures: each append's sequence number is
//! given once (an operation that receives a number already given is an error), and verification covers the
//! whole log.

#[cfg(all(feature = "postgres", not(loom)))]
mod cases;
#[cfg(all(feature = "postgres", not(loom)))]
mod fixture;
#[cfg(all(feature = "postgres", not(loom)))]
pub mod writer;

#[cfg(all(feature = "postgres", not(loom)))]
pub use cases::{Server, cases};
#[cfg(all(feature = "postgres", not(loom)))]
pub use fixture::PgLog;

/// Id of the append curve (single appends against the log's length).
pub const APPEND: &str = "pg.audit.append.chain";
/// Id of the verification curve.
pub const VERIFY: &str = "pg.audit.verify.chain";
/// Id of the sweep of writer threads in one process.
pub const WRITER_THREADS: &str = "pg.audit.append.writers";
/// Id of the sweep of writer processes.
pub const WRITER_PROCESSES: &str = "pg.audit.append.writer_processes";
/// Id of the pipeline's worker sweep with its audit log on the server.
pub const PIPELINE: &str = "pg.pipeline.process.workers";

/// The writer-process counts of [`WRITER_PROCESSES`].
pub const PROCESSES: [u64; 4] = [1, 2, 4, 8];
