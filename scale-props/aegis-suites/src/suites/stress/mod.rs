//! The thirteen stress tests of the earlier specification, each against one real component alone:
//! - [`throughput`]: the offered rate stepped up as specified (firewall from 1K/s +1K, love engine from
//!   500/s +500, evolution from 1K/s +1K, audit on SQLite from 500/s +500, HITL from 100/s +100 with the
//!   priority mix) until a budget breaks, or the run's bound is reached;
//! - [`concurrency`]: 1, 2, 4, 8, 16 workers per component, correctness checked by every operation (verdicts
//!   equal to single-threaded ones, experiences read back as logged, audit `verify()` passing, each review
//!   decided exactly once);
//! - [`memory`]: bytes per item of the evolution history, the audit log (~500 B payloads) and the HITL queue
//!   (~1 KB requests) at growing sizes.

pub mod concurrency;
pub mod memory;
pub mod throughput;

use crate::{Case, Scale, SuiteError};

/// The stress cases at `scale`: five throughput searches, five concurrency sweeps, three memory curves.
///
/// # Errors
/// [`SuiteError::Shape`] if a shape is out of bounds.
pub fn cases(scale: Scale) -> Result<Vec<Case>, SuiteError> {
    let mut cases = throughput::cases(scale)?;
    cases.extend(concurrency::cases(scale)?);
    cases.extend(memory::cases(scale)?);
    Ok(cases)
}
