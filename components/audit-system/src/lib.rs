//! Aegis audit log: signed, tamper-evident RFC 6962 Merkle log on SQLite.

#![forbid(unsafe_code)]
