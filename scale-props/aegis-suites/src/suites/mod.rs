//! One module per component (plus the Day-9 load tests on the screening path, and the end-to-end pipeline), each returning its cases for
//! a [`Scale`].

pub mod audit;
pub mod evolution;
pub mod firewall;
pub mod hitl;
pub mod load;
pub mod love;
pub mod pipeline;

use serde::{Deserialize, Serialize};

use crate::{Case, Scale, SuiteError};

/// The suites, in the order the main job runs them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SuiteName {
    /// Intent firewall.
    Firewall,
    /// Love engine.
    Love,
    /// Evolution core.
    Evolution,
    /// Audit log on SQLite.
    Audit,
    /// Human-in-the-loop queue.
    Hitl,
    /// Day-9 load tests on the screening path.
    Load,
    /// The end-to-end pipeline with preloaded state.
    Pipeline,
}

impl SuiteName {
    /// Every suite, in run order.
    pub const ALL: [SuiteName; 7] = [
        SuiteName::Firewall,
        SuiteName::Love,
        SuiteName::Evolution,
        SuiteName::Audit,
        SuiteName::Hitl,
        SuiteName::Load,
        SuiteName::Pipeline,
    ];

    /// Lower-case name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            SuiteName::Firewall => "firewall",
            SuiteName::Love => "love",
            SuiteName::Evolution => "evolution",
            SuiteName::Audit => "audit",
            SuiteName::Hitl => "hitl",
            SuiteName::Load => "load",
            SuiteName::Pipeline => "pipeline",
        }
    }

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
            .into_iter()
            .find(|s| s.name() == name)
            .ok_or_else(|| SuiteError::UnknownSuite(name.to_owned()))
    }

    /// The suite's cases at `scale`.
    ///
    /// # Errors
    /// [`SuiteError::Shape`] if a shape is out of the engine's bounds.
    pub fn cases(self, scale: Scale) -> Result<Vec<Case>, SuiteError> {
        match self {
            SuiteName::Firewall => firewall::cases(scale),
            SuiteName::Love => love::cases(scale),
            SuiteName::Evolution => evolution::cases(scale),
            SuiteName::Audit => audit::cases(scale),
            SuiteName::Hitl => hitl::cases(scale),
            SuiteName::Load => load::cases(scale),
            SuiteName::Pipeline => pipeline::cases(scale),
        }
    }
}

impl std::fmt::Display for SuiteName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}
