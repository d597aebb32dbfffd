//! Aegis evolution core: learns from outcomes with O(1) incremental aggregates.

#![forbid(unsafe_code)]
