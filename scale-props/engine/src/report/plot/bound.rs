//! A claim's bound, drawn on a plot as plain values.

/// A bound to draw on a curve's plot: the budget or limit a claim checks, so a reader sees how far the
/// measurements are from it. Values are in the plot's y unit:
///
/// - size curves: nanoseconds per operation (p50), against size;
/// - worker sweeps (and steps, ramps): operations per second, against workers;
/// - phase plots (open model, burst, one closed phase): latency in nanoseconds (both panels of a burst).
///
/// ```
/// use scale_props::report::PlotBound;
/// let p99_budget = PlotBound::level("p99 budget 2 ms", 2e6);
/// let linear_from_1k = PlotBound::curve("O(n) from 1K", vec![(1e3, 50.0), (1e6, 50_000.0)]);
/// assert_eq!(p99_budget.label(), "p99 budget 2 ms");
/// assert_eq!(linear_from_1k.values(), vec![50.0, 50_000.0]);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum PlotBound {
    /// A horizontal line at `y` (a budget: a p99 limit, a least throughput).
    Level {
        /// Legend text, e.g. `p99 <= 2 ms`.
        label: String,
        /// The bound, in the plot's y unit.
        y: f64,
    },
    /// A line through `points` (x, y), in the plot's units (e.g. the most a claimed class allows at each size).
    Curve {
        /// Legend text, e.g. `at most O(log n)`.
        label: String,
        /// (x, y) points, in increasing x.
        points: Vec<(f64, f64)>,
    },
}

impl PlotBound {
    /// A horizontal bound at `y`.
    pub fn level(label: impl Into<String>, y: f64) -> Self {
        Self::Level {
            label: label.into(),
            y,
        }
    }

    /// A bound curve through `points` (x, y).
    pub fn curve(label: impl Into<String>, points: Vec<(f64, f64)>) -> Self {
        Self::Curve {
            label: label.into(),
            points,
        }
    }

    /// The legend text.
    pub fn label(&self) -> &str {
        match self {
            Self::Level { label, .. } | Self::Curve { label, .. } => label,
        }
    }

    /// The y values the plot must show for the bound to be visible.
    pub fn values(&self) -> Vec<f64> {
        match self {
            Self::Level { y, .. } => vec![*y],
            Self::Curve { points, .. } => points.iter().map(|(_, y)| *y).collect(),
        }
    }
}
