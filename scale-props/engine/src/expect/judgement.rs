//! A judgement: what an expectation found on one curve — holds, fails, or could not be judged (and why) —
//! with the measured value and the bound as text.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Whether an expectation holds on a curve.
///
/// "Could not be judged" is never counted as holding: a check that cannot be made says so.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The measured value is within the bound.
    Holds,
    /// The measured value is outside the bound.
    Fails,
    /// The curve cannot answer the question (e.g. a growth bound on a curve with one size, memory on a
    /// platform without RSS).
    Unjudged {
        /// Why not, in words a person can act on.
        why: String,
    },
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Holds => f.write_str("holds"),
            Self::Fails => f.write_str("FAILS"),
            Self::Unjudged { why } => write!(f, "could not be judged: {why}"),
        }
    }
}

/// What an [`crate::expect::Expectation`] found on one curve.
///
/// ```
/// use scale_props::expect::{Judgement, Outcome};
/// let j = Judgement::fails("p99 3.1 ms at 8 workers", "p99 <= 1 ms");
/// assert_eq!(j.outcome, Outcome::Fails);
/// assert!(!j.holds());
/// assert_eq!(j.to_string(), "FAILS: measured p99 3.1 ms at 8 workers, bound p99 <= 1 ms");
/// let u = Judgement::unjudged("growth <= O(log n)", "the curve has 1 size; a growth bound needs 3");
/// assert!(!u.holds() && u.to_string().starts_with("could not be judged"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Judgement {
    /// Holds, fails, or could not be judged.
    pub outcome: Outcome,
    /// What was measured, with its unit and where (e.g. `p99 3.1 ms at 8 workers`); `-` when nothing
    /// could be measured.
    pub measured: String,
    /// The bound it was judged against (e.g. `p99 <= 1 ms`).
    pub bound: String,
}

impl Judgement {
    /// The measured value is within the bound.
    pub fn holds(&self) -> bool {
        self.outcome == Outcome::Holds
    }

    /// A judgement that holds.
    pub fn holding(measured: impl Into<String>, bound: impl Into<String>) -> Self {
        Self {
            outcome: Outcome::Holds,
            measured: measured.into(),
            bound: bound.into(),
        }
    }

    /// A judgement that fails.
    pub fn fails(measured: impl Into<String>, bound: impl Into<String>) -> Self {
        Self {
            outcome: Outcome::Fails,
            measured: measured.into(),
            bound: bound.into(),
        }
    }

    /// Holds when `ok`, else fails.
    ///
    /// ```
    /// let j = scale_props::expect::Judgement::when(3 <= 4, "3 errors", "<= 4 errors");
    /// assert!(j.holds());
    /// ```
    pub fn when(ok: bool, measured: impl Into<String>, bound: impl Into<String>) -> Self {
        if ok {
            Self::holding(measured, bound)
        } else {
            Self::fails(measured, bound)
        }
    }

    /// A judgement that could not be made, and why (nothing measured).
    pub fn unjudged(bound: impl Into<String>, why: impl Into<String>) -> Self {
        Self {
            outcome: Outcome::Unjudged { why: why.into() },
            measured: "-".to_owned(),
            bound: bound.into(),
        }
    }
}

impl fmt::Display for Judgement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.outcome {
            Outcome::Unjudged { why } if self.measured == "-" => {
                write!(f, "could not be judged: {why} (bound {})", self.bound)
            }
            outcome => write!(
                f,
                "{outcome}: measured {}, bound {}",
                self.measured, self.bound
            ),
        }
    }
}
