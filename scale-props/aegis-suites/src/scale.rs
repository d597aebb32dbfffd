//! How big a suite runs: small enough for `cargo test`, or the full sizes of the main job.

use serde::{Deserialize, Serialize};

/// The scale a suite is built at.
///
/// ```
/// use aegis_scale::Scale;
/// assert_eq!(Scale::Test.pick(10, 1_000), 10);
/// assert_eq!(Scale::Full.pick(10, 1_000), 1_000);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Scale {
    /// Small sizes and few operations: seconds per suite, for `cargo test` and `--quick`.
    Test,
    /// The sizes of the earlier specification (and past them): minutes in all, for the main job.
    Full,
}

impl Scale {
    /// `test` at [`Scale::Test`], `full` at [`Scale::Full`].
    pub fn pick<T>(self, test: T, full: T) -> T {
        match self {
            Scale::Test => test,
            Scale::Full => full,
        }
    }

    /// Lower-case name: `test` or `full`.
    pub fn name(self) -> &'static str {
        self.pick("test", "full")
    }
}
