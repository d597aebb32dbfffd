//! One module per suite, each returning its cases for a [`Scale`]. Adding a suite is one file plus one line
//! in the `suites!` list below: the module, the [`SuiteName`] variant, its command-line name (clap
//! [`clap::ValueEnum`], lower case) and its place in the run order all come from that line.

use serde::{Deserialize, Serialize};

use crate::{Case, Scale, SuiteError};

/// Declares the suite modules and [`SuiteName`] from one list of `Variant => module` lines, in run order.
macro_rules! suites {
    ($($(#[$doc:meta])* $variant:ident => $module:ident,)+) => {
        $(pub mod $module;)+

        /// The suites, in the order the main job runs them.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, clap::ValueEnum)]
        #[serde(rename_all = "lowercase")]
        pub enum SuiteName {
            $($(#[$doc])* $variant,)+
        }

        impl SuiteName {
            /// Every suite, in run order.
            pub const ALL: &'static [SuiteName] = &[$(SuiteName::$variant,)+];

            /// The suite's cases at `scale`.
            ///
            /// # Errors
            /// [`SuiteError::Shape`] if a shape is out of the engine's bounds.
            pub fn cases(self, scale: Scale) -> Result<Vec<Case>, SuiteError> {
                match self {
                    $(SuiteName::$variant => $module::cases(scale),)+
                }
            }

            /// Lower-case name used on the command line (the module's name).
            pub fn name(self) -> &'static str {
                match self {
                    $(SuiteName::$variant => stringify!($module),)+
                }
            }
        }
    };
}

suites! {
    /// Intent firewall.
    Firewall => firewall,
    /// Love engine.
    Love => love,
    /// Evolution core.
    Evolution => evolution,
    /// Audit log on SQLite.
    Audit => audit,
    /// Human-in-the-loop queue.
    Hitl => hitl,
    /// The spec's stress tests: stepped throughput, concurrency 1..16 and memory, each component alone.
    Stress => stress,
    /// Day-9 load tests on the screening path.
    Load => load,
    /// The end-to-end pipeline with preloaded state.
    Pipeline => pipeline,
}

impl SuiteName {
    /// Every name, in run order.
    pub fn names() -> Vec<&'static str> {
        Self::ALL.iter().map(|s| s.name()).collect()
    }

    /// The suite called `name`.
    ///
    /// # Errors
    /// [`SuiteError::UnknownSuite`] for any other name.
    ///
    /// ```
    /// use aegis_scale::SuiteName;
    /// assert_eq!(SuiteName::parse("audit")?, SuiteName::Audit);
    /// assert!(SuiteName::parse("nope").is_err());
    /// # Ok::<(), aegis_scale::SuiteError>(())
    /// ```
    pub fn parse(name: &str) -> Result<Self, SuiteError> {
        Self::ALL
            .iter()
            .copied()
            .find(|s| s.name() == name)
            .ok_or_else(|| SuiteError::UnknownSuite(name.to_owned()))
    }
}

impl std::fmt::Display for SuiteName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}
