//! Small closed-form least-squares fits shared by the complexity and growth routines.
//!
//! Two parameters have closed forms, so no linear-algebra crate is needed here (the USL, which is
//! non-linear, uses one).

/// `y ≈ intercept + slope * f`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Line {
    pub intercept: f64,
    pub slope: f64,
}

impl Line {
    fn at(self, f: f64) -> f64 {
        self.intercept + self.slope * f
    }
}

/// Weighted residual sum of squares of `line` over the points. Cost: O(k).
pub(crate) fn weighted_sse(line: Line, fs: &[f64], ys: &[f64], ws: &[f64]) -> f64 {
    fs.iter()
        .zip(ys)
        .zip(ws)
        .map(|((&f, &y), &w)| w * (y - line.at(f)).powi(2))
        .sum()
}

/// Weighted mean of `values`; `ws` must hold positive weights.
fn weighted_mean(values: &[f64], ws: &[f64]) -> f64 {
    let total: f64 = ws.iter().sum();
    values.iter().zip(ws).map(|(&v, &w)| v * w).sum::<f64>() / total
}

/// Weighted least squares of `y` on `f` with BOTH coefficients constrained to be >= 0 (non-negative least
/// squares over the two-variable active sets). `ys` must be >= 0, `fs` >= 0 and `ws` > 0, all finite.
/// Cost: O(k).
///
/// The problem is convex, so when the unconstrained optimum is infeasible the constrained one lies on a face:
/// slope 0 (a weighted mean, >= 0 because y >= 0) or intercept 0 (a ratio of non-negative sums); the better face
/// wins.
pub(crate) fn nonnegative_line(fs: &[f64], ys: &[f64], ws: &[f64]) -> Line {
    let flat = Line {
        intercept: weighted_mean(ys, ws),
        slope: 0.0,
    };
    // Scale f to at most 1 so that n^3 at n = 1e6 (1e18) squares without losing the intercept.
    let scale = fs.iter().fold(0.0_f64, |m, &f| m.max(f.abs()));
    if scale == 0.0 {
        return flat;
    }
    let f_mean =
        fs.iter().zip(ws).map(|(&f, &w)| f / scale * w).sum::<f64>() / ws.iter().sum::<f64>();
    let y_mean = flat.intercept;
    let (mut sff, mut sfy) = (0.0, 0.0);
    for ((&f, &y), &w) in fs.iter().zip(ys).zip(ws) {
        let df = f / scale - f_mean;
        sff += w * df * df;
        sfy += w * df * (y - y_mean);
    }
    if sff <= f64::EPSILON * ws.iter().sum::<f64>() {
        return flat; // f does not vary: only the mean is identifiable
    }
    let slope = sfy / sff;
    let free = Line {
        intercept: y_mean - slope * f_mean,
        slope: slope / scale,
    };
    if free.intercept >= 0.0 && free.slope >= 0.0 {
        return free;
    }
    let (sfy0, sff0) = fs
        .iter()
        .zip(ys)
        .zip(ws)
        .fold((0.0, 0.0), |(a, b), ((&f, &y), &w)| {
            let f = f / scale;
            (a + w * f * y, b + w * f * f)
        });
    let through_origin = Line {
        intercept: 0.0,
        slope: (sfy0 / sff0).max(0.0) / scale,
    };
    if weighted_sse(through_origin, fs, ys, ws) < weighted_sse(flat, fs, ys, ws) {
        through_origin
    } else {
        flat
    }
}

/// Ordinary least-squares slope of `ys` on `xs` (unweighted); `None` when the xs do not vary. Cost: O(k).
pub(crate) fn ols_slope(xs: &[f64], ys: &[f64]) -> Option<f64> {
    let n = xs.len() as f64;
    let x_mean = xs.iter().sum::<f64>() / n;
    let y_mean = ys.iter().sum::<f64>() / n;
    let (mut sxx, mut sxy) = (0.0, 0.0);
    for (&x, &y) in xs.iter().zip(ys) {
        sxx += (x - x_mean) * (x - x_mean);
        sxy += (x - x_mean) * (y - y_mean);
    }
    (sxx > 0.0).then(|| sxy / sxx)
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
    }

    #[test]
    fn recovers_an_exact_line() {
        let fs = [1.0, 2.0, 5.0, 9.0];
        let ys: Vec<f64> = fs.iter().map(|f| 3.0 + 2.0 * f).collect();
        let line = nonnegative_line(&fs, &ys, &[1.0; 4]);
        assert!(
            close(line.intercept, 3.0) && close(line.slope, 2.0),
            "{line:?}"
        );
    }

    #[test]
    fn negative_slope_falls_back_to_the_mean() {
        let fs = [1.0, 2.0, 3.0];
        let ys = [3.0, 2.0, 1.0];
        let line = nonnegative_line(&fs, &ys, &[1.0; 3]);
        assert_eq!(line.slope, 0.0);
        assert!(close(line.intercept, 2.0));
    }

    #[test]
    fn negative_intercept_goes_through_the_origin() {
        let fs = [1.0, 2.0, 3.0];
        let ys = [0.0, 2.0, 4.0]; // free fit: -2 + 2 f
        let line = nonnegative_line(&fs, &ys, &[1.0; 3]);
        assert_eq!(line.intercept, 0.0);
        assert!(close(
            line.slope,
            (2.0 * 2.0 + 3.0 * 4.0) / (1.0 + 4.0 + 9.0)
        ));
    }

    #[test]
    fn ols_slope_needs_varying_x() {
        assert_eq!(ols_slope(&[1.0, 1.0], &[1.0, 2.0]), None);
        assert!(close(
            ols_slope(&[1.0, 2.0, 3.0], &[2.0, 4.0, 6.0]).expect("varies"),
            2.0
        ));
    }
}
