//! Property-based, model-checked scalability testing: load shapes, runners, metrics, curve fits, snapshots, reports.

#![deny(unsafe_code)]

pub mod fit;
