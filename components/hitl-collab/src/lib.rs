//! Aegis human-in-the-loop queue: every request decided exactly once.

#![forbid(unsafe_code)]
