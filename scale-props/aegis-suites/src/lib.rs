//! The Aegis scalability suites and the main job that runs them and writes the report.

#![forbid(unsafe_code)]
