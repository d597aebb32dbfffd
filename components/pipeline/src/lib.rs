//! Aegis pipeline: firewall, ethics, human review, audit and learning wired together.

#![forbid(unsafe_code)]
