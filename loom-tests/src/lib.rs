//! Loom models of the concurrency in hitl-collab and audit-system.
//!
//! The models live in `tests/` and run only under `RUSTFLAGS="--cfg loom"`. This library holds deliberately
//! broken variants of the modelled logic, so that every model is shown able to fail.

#![forbid(unsafe_code)]

#[cfg(loom)]
pub mod audit_support;
#[cfg(loom)]
pub mod bound;
#[cfg(loom)]
pub mod broken_audit;
#[cfg(loom)]
pub mod broken_hitl;
#[cfg(loom)]
pub mod hitl_support;
