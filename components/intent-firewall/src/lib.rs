//! Aegis intent firewall: normalises, matches and scores agent requests before anything runs.

#![forbid(unsafe_code)]
