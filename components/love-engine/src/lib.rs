//! Aegis love engine: deterministic ethical scoring, consistency checks and alignment history.

#![forbid(unsafe_code)]
