//! How far a fitted model is from the measured medians it was fitted to, for the legend.

use super::ticks::{Format, format_value};

/// Relative residuals `(model - measured) / measured` of a fit at the measured points.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct FitError {
    /// Root-mean-square relative residual.
    pub rms: f64,
    /// The largest relative residual, signed (positive: the model is above the measurement).
    pub worst: f64,
    /// Where the largest residual is (x value).
    pub worst_at: f64,
}

impl FitError {
    /// Residuals of `model` at `measured` (x, y) points; `None` when no point has a positive y.
    pub fn of(measured: &[(f64, f64)], model: impl Fn(f64) -> f64) -> Option<Self> {
        let rel: Vec<(f64, f64)> = measured
            .iter()
            .filter(|(_, y)| *y > 0.0 && y.is_finite())
            .map(|(x, y)| (*x, (model(*x) - y) / y))
            .filter(|(_, r)| r.is_finite())
            .collect();
        let (worst_at, worst) = rel
            .iter()
            .copied()
            .max_by(|a, b| a.1.abs().total_cmp(&b.1.abs()))?;
        let rms = (rel.iter().map(|(_, r)| r * r).sum::<f64>() / rel.len() as f64).sqrt();
        Some(Self {
            rms,
            worst,
            worst_at,
        })
    }

    /// `error: RMS 15%; worst at 2 workers: fit 25% below`, with x written in `x_format` and followed by
    /// `x_unit`.
    pub fn describe(&self, x_format: &Format, x_unit: &str) -> String {
        format!(
            "error: RMS {}; worst at {}{x_unit}: fit {} {}",
            percent(self.rms),
            format_value(self.worst_at, x_format),
            percent(self.worst.abs()),
            if self.worst < 0.0 { "below" } else { "above" }
        )
    }
}

fn percent(v: f64) -> String {
    if v < 0.095 {
        format!("{:.1}%", v * 100.0)
    } else {
        format!("{:.0}%", v * 100.0)
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn the_worst_residual_is_the_one_the_reader_sees_in_the_plot() {
        // A USL curve 521K at 2 workers against 696K measured: 25% below.
        let measured = [(1.0, 400_000.0), (2.0, 696_000.0), (4.0, 700_000.0)];
        let e = FitError::of(&measured, |x| match x as u32 {
            2 => 521_000.0,
            _ => measured.iter().find(|p| p.0 == x).map_or(0.0, |p| p.1),
        })
        .expect("positive points");
        assert_eq!(e.worst_at, 2.0);
        assert!((e.worst + 0.2514).abs() < 1e-3, "{e:?}");
        assert_eq!(
            e.describe(&Format::Integer, " workers"),
            "error: RMS 15%; worst at 2 workers: fit 25% below"
        );
        assert!(FitError::of(&[(1.0, 0.0)], |_| 1.0).is_none());
    }
}
