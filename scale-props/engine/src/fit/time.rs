//! The time verdict: the wide class that timings support, "sublinear, memory-bound past ~N", or undecided.
//!
//! Timings are not work counts. A lookup that is O(1) or O(log n) in operations gets slower as its working set
//! leaves each cache level, so over 1K..1M entries its time rises 5 to 20 times, with the steepest rise at
//! the top sizes: a least-squares class with an intercept calls that O(n), and a log-log exponent lands
//! anywhere between 0.3 and 0.7. This module never reports a class steeper than the data support:
//!
//! 1. The log-log exponent of the per-size medians gets a 90% interval from the repetitions (a deterministic
//!    bootstrap: each size's median is recomputed from repetitions drawn with replacement).
//! 2. If the whole interval lies below 0.5, the verdict is sublinear ([`GrowthBin::Flat`]).
//! 3. Otherwise the curve is tested for a memory step: a flat stretch (a local slope between consecutive sizes
//!    below 0.5) followed by the steepest stretch, that stretch less steep than [`MEMORY_STEP_SLOPE`], a total
//!    rise of at most [`MEMORY_STEP_LIMIT`] times, and a machine whose caches are known (where they are
//!    unknown, such a curve is undecided between sublinear and its exponent's bin). Such a curve is "sublinear, memory-bound past ~N": an algorithm that is
//!    linear or worse in operations has no flat stretch (its local slopes stay near 1 or above) and rises far
//!    more than a cache step (x1000 over three decades for O(n)).
//! 4. Otherwise the class is the bin of the interval when it lies in one bin, and undecided (between the two
//!    bins it straddles, with the numbers) when it does not.
//!
//! Known limit: an O(n) cost under a fixed cost that hides it over the lower sizes (`a + b n` with `a` above
//! about 8 `b n` at the smallest size, over three decades) rises as little as a cache step and is called
//! memory-bound; the verdict names the size past which it steps up, and sizes far enough up that the growing
//! term dominates tell the two apart.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::cache::CacheLevels;
use super::growth::GrowthBin;
use super::regression::ols_slope;
use super::resample::{SplitMix, quantile};
use super::{FitError, Sample};

/// The largest rise in time per operation (slowest size over fastest) that a memory step may explain.
///
/// An O(log n) lookup goes from about 10 to about 20 dependent accesses over 1K..1M entries, and each access
/// from an L1 hit (~1 ns) to a miss in every cache and the TLB (60 to 100 ns on current x86 servers, more
/// under nested paging or when other processes thrash the shared L3): up to ~100 to 200 times in all. A
/// binary search over 1K..1M rose 31.6 and 34.7 times on a 2-core KVM guest (L1 32K, L2 1M, L3 32M) at load
/// averages 15 and 126 (`tests/calibration_time.rs`); an O(n) scan rises about 1000 times over the same range.
pub const MEMORY_STEP_LIMIT: f64 = 128.0;

/// The steepest local slope a memory step may have: one decade of size passing a cache level multiplies an
/// access's latency by at most ~30 (L2 hit to DRAM miss), a slope of about 1.5; a steeper stretch is growth.
pub const MEMORY_STEP_SLOPE: f64 = 1.5;

/// Local slopes below this count as flat (the edge of [`GrowthBin::Flat`]).
pub const FLAT_SLOPE: f64 = 0.5;

/// Bootstrap resamples for the exponent interval.
const RESAMPLES: usize = 400;

/// The interval is widened by this much on each side when fewer than three repetitions give no spread.
const FEW_REPETITIONS_MARGIN: f64 = 0.1;

/// The verdict on how time per operation grows with size.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum TimeVerdict {
    /// The exponent's interval lies inside one bin.
    Class(GrowthBin),
    /// Sublinear in operations, with time stepping up as the working set leaves the caches past about `past`.
    MemoryBound {
        /// The size from which the steepest rise starts.
        past: u64,
    },
    /// The data do not tell the two bins apart.
    Undecided {
        /// The cheaper bin the data allow.
        low: GrowthBin,
        /// The steeper bin the data allow.
        high: GrowthBin,
        /// Why, in numbers.
        why: String,
    },
}

impl TimeVerdict {
    /// The cheapest bin the verdict allows. Cost: O(1).
    pub fn lowest(&self) -> GrowthBin {
        match self {
            TimeVerdict::Class(bin) => *bin,
            TimeVerdict::MemoryBound { .. } => GrowthBin::Flat,
            TimeVerdict::Undecided { low, .. } => *low,
        }
    }

    /// The steepest bin the verdict allows. Cost: O(1).
    pub fn highest(&self) -> GrowthBin {
        match self {
            TimeVerdict::Class(bin) => *bin,
            TimeVerdict::MemoryBound { .. } => GrowthBin::Flat,
            TimeVerdict::Undecided { high, .. } => *high,
        }
    }

    /// Returns true if and only if the verdict names one bin. Cost: O(1).
    pub fn is_decided(&self) -> bool {
        !matches!(self, TimeVerdict::Undecided { .. })
    }

    /// The verdict against an upper bound: `Some(true)` when every bin it allows is at most `bound`,
    /// `Some(false)` when even its cheapest is steeper, `None` when it straddles the bound. Cost: O(1).
    pub fn is_at_most(&self, bound: GrowthBin) -> Option<bool> {
        if self.highest() <= bound {
            Some(true)
        } else if self.lowest() > bound {
            Some(false)
        } else {
            None
        }
    }
}

/// Human text for a bin: what complexity classes it holds.
fn bin_text(bin: GrowthBin) -> &'static str {
    match bin {
        GrowthBin::Flat => "sublinear (O(1) or O(log n))",
        GrowthBin::Linear => "O(n) or O(n log n)",
        GrowthBin::Quadratic => "O(n^2)",
        GrowthBin::Steeper => "steeper than O(n^2)",
    }
}

/// Short human size: 1000 -> `1K`, 1048576 -> `1M` (rounded).
fn human(n: f64) -> String {
    if n >= 1e6 {
        format!("{}M", (n / 1e6 * 10.0).round() / 10.0)
    } else if n >= 1e3 {
        format!("{}K", (n / 1e3 * 10.0).round() / 10.0)
    } else {
        format!("{n}")
    }
}

impl fmt::Display for TimeVerdict {
    /// E.g. `O(n) or O(n log n)`, `sublinear, memory-bound past ~100K`, `undecided between ...: why`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TimeVerdict::Class(bin) => f.write_str(bin_text(*bin)),
            TimeVerdict::MemoryBound { past } => {
                write!(f, "sublinear, memory-bound past ~{}", human(*past as f64))
            }
            TimeVerdict::Undecided { low, high, why } => write!(
                f,
                "undecided between {} and {}: {why}",
                bin_text(*low),
                bin_text(*high)
            ),
        }
    }
}

/// The slope of log time against log size between two consecutive sizes.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LocalSlope {
    /// Smaller size.
    pub from: f64,
    /// Larger size.
    pub to: f64,
    /// ln(t(to) / t(from)) / ln(to / from), of the medians.
    pub slope: f64,
}

/// How time per operation grows with size: the verdict and the numbers it came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimeGrowth {
    /// The verdict.
    pub verdict: TimeVerdict,
    /// Log-log exponent of the per-size medians (ordinary least squares).
    pub exponent: f64,
    /// 90% bootstrap interval of the exponent over the repetitions (widened by 0.1 each side with fewer than
    /// three repetitions).
    pub interval: (f64, f64),
    /// Slowest median over fastest median.
    pub rise: f64,
    /// Local slopes between consecutive sizes, smallest first.
    pub local: Vec<LocalSlope>,
    /// (size, median time) per size, smallest first.
    pub medians: Sample,
    /// The caches of the machine that analysed the curve.
    pub caches: CacheLevels,
}

impl TimeGrowth {
    /// Median time predicted at `size`: the medians joined by straight lines in log-log space, the end
    /// segments extended. Cost: O(k).
    pub fn predict(&self, size: f64) -> f64 {
        let (xs, ys) = (self.medians.xs(), self.medians.ys());
        let last = xs.len() - 1;
        let i = xs[..last]
            .iter()
            .rposition(|&x| x <= size)
            .unwrap_or(0)
            .min(last - 1);
        let slope = (ys[i + 1] / ys[i]).ln() / (xs[i + 1] / xs[i]).ln();
        ys[i] * (size / xs[i]).powf(slope)
    }
}

impl fmt::Display for TimeGrowth {
    /// One line: verdict, exponent with its interval, rise and local slopes.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} (exponent {:.2}, 90% {:.2}..{:.2}; rise x{:.1}; local slopes",
            self.verdict, self.exponent, self.interval.0, self.interval.1, self.rise
        )?;
        for s in &self.local {
            write!(f, " {}->{} {:.2}", human(s.from), human(s.to), s.slope)?;
        }
        write!(f, "; caches {})", self.caches)
    }
}

/// Judges how time per operation grows with size (see the module docs for the method).
///
/// `reps` holds one `(size, repetitions)` entry per distinct size (any order); each repetition is one time per
/// operation (e.g. one run's p50). Cost: O(R k r log r) for R = 400 resamples, k sizes and r repetitions.
///
/// # Errors
/// [`FitError::TooFewPoints`] with fewer than three sizes, [`FitError::TooFewDistinct`] when sizes repeat,
/// [`FitError::EmptyGroup`] for a size without repetitions, [`FitError::BadValue`] for a size below 1 or a
/// time that is not finite and > 0 (a timer that read 0 cannot be put on a log scale).
pub fn time_growth(reps: &[(f64, Vec<f64>)], caches: &CacheLevels) -> Result<TimeGrowth, FitError> {
    let mut reps: Vec<(f64, Vec<f64>)> = reps.to_vec();
    reps.sort_by(|a, b| a.0.total_cmp(&b.0));
    if reps.len() < 3 {
        return Err(FitError::TooFewPoints {
            needed: 3,
            got: reps.len(),
        });
    }
    for (index, (size, times)) in reps.iter().enumerate() {
        if !(size.is_finite() && *size >= 1.0) {
            return Err(FitError::BadValue {
                index,
                value: *size,
                reason: "time growth needs sizes >= 1",
            });
        }
        if times.is_empty() {
            return Err(FitError::EmptyGroup { index });
        }
        if let Some(&value) = times.iter().find(|t| !(t.is_finite() && **t > 0.0)) {
            return Err(FitError::BadValue {
                index,
                value,
                reason: "times must be finite and > 0",
            });
        }
    }
    let distinct = {
        let mut xs: Vec<f64> = reps.iter().map(|r| r.0).collect();
        xs.dedup();
        xs.len()
    };
    if distinct < reps.len() {
        return Err(FitError::TooFewDistinct {
            needed: reps.len(),
            got: distinct,
        });
    }
    let medians = Sample::from_repetitions(
        reps.iter().map(|r| r.0).collect(),
        &reps.iter().map(|r| r.1.clone()).collect::<Vec<_>>(),
    )?;
    let lx: Vec<f64> = medians.xs().iter().map(|x| x.ln()).collect();
    let slope_of = |ys: &[f64]| -> f64 {
        let ly: Vec<f64> = ys.iter().map(|y| y.ln()).collect();
        ols_slope(&lx, &ly).unwrap_or(0.0)
    };
    let exponent = slope_of(medians.ys());

    let mut rng = SplitMix(0x5CA1_E000_0000_0001);
    let mut slopes: Vec<f64> = (0..RESAMPLES)
        .map(|_| {
            let ys: Vec<f64> = reps
                .iter()
                .map(|(_, times)| rng.resampled_median(times))
                .collect();
            slope_of(&ys)
        })
        .collect();
    slopes.sort_by(f64::total_cmp);
    let few = reps.iter().any(|(_, t)| t.len() < 3);
    let margin = if few { FEW_REPETITIONS_MARGIN } else { 0.0 };
    let interval = (
        quantile(&slopes, 0.05).min(exponent) - margin,
        quantile(&slopes, 0.95).max(exponent) + margin,
    );

    let (xs, ys) = (medians.xs(), medians.ys());
    let local: Vec<LocalSlope> = xs
        .windows(2)
        .zip(ys.windows(2))
        .map(|(x, y)| LocalSlope {
            from: x[0],
            to: x[1],
            slope: (y[1] / y[0]).ln() / (x[1] / x[0]).ln(),
        })
        .collect();
    let fastest = ys.iter().copied().fold(f64::INFINITY, f64::min);
    let slowest = ys.iter().copied().fold(0.0, f64::max);
    let rise = slowest / fastest;

    let verdict = judge(exponent, interval, rise, &local, caches);
    Ok(TimeGrowth {
        verdict,
        exponent,
        interval,
        rise,
        local,
        medians,
        caches: caches.clone(),
    })
}

/// The decision of [`time_growth`] from its numbers.
fn judge(
    exponent: f64,
    interval: (f64, f64),
    rise: f64,
    local: &[LocalSlope],
    caches: &CacheLevels,
) -> TimeVerdict {
    let (low, high) = (
        GrowthBin::from_exponent(interval.0),
        GrowthBin::from_exponent(interval.1),
    );
    if high == GrowthBin::Flat {
        return TimeVerdict::Class(GrowthBin::Flat);
    }
    let steepest = local
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.slope.total_cmp(&b.1.slope));
    let flat_before = |at: usize| local[..at].iter().any(|s| s.slope < FLAT_SLOPE);
    let step = steepest.filter(|&(at, _)| flat_before(at));
    let mut reasons = Vec::new();
    if low <= GrowthBin::Linear {
        match step {
            Some((_, s))
                if rise <= MEMORY_STEP_LIMIT
                    && s.slope < MEMORY_STEP_SLOPE
                    && !caches.is_empty() =>
            {
                return TimeVerdict::MemoryBound {
                    past: s.from.round() as u64,
                };
            }
            Some(_) if rise > MEMORY_STEP_LIMIT => reasons.push(format!(
                "it rose x{rise:.0}, more than a cache step explains (x{MEMORY_STEP_LIMIT:.0})"
            )),
            Some((_, s)) if s.slope >= MEMORY_STEP_SLOPE => reasons.push(format!(
                "its steepest stretch (slope {:.2}) is steeper than a cache step ({MEMORY_STEP_SLOPE})",
                s.slope
            )),
            Some(_) => {
                return TimeVerdict::Undecided {
                    low: GrowthBin::Flat,
                    high,
                    why: "it steps up like a cache step, but the cache sizes are unknown".to_owned(),
                };
            }
            None => {}
        }
    }
    if low == high {
        return TimeVerdict::Class(low);
    }
    reasons.insert(
        0,
        format!(
            "exponent {exponent:.2} with 90% interval {:.2}..{:.2} crosses a bin edge",
            interval.0, interval.1
        ),
    );
    TimeVerdict::Undecided {
        low,
        high,
        why: reasons.join("; "),
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::fit::CacheLevel;

    fn caches() -> CacheLevels {
        CacheLevels {
            levels: vec![
                CacheLevel {
                    level: 1,
                    bytes: 32 << 10,
                },
                CacheLevel {
                    level: 2,
                    bytes: 1 << 20,
                },
            ],
        }
    }

    /// Five repetitions at each size: the value times 0.97, 0.99, 1, 1.01, 1.03.
    fn reps(points: &[(f64, f64)]) -> Vec<(f64, Vec<f64>)> {
        points
            .iter()
            .map(|&(x, y)| (x, [0.97, 0.99, 1.0, 1.01, 1.03].map(|k| y * k).to_vec()))
            .collect()
    }

    fn verdict(points: &[(f64, f64)]) -> TimeGrowth {
        time_growth(&reps(points), &caches()).expect("valid")
    }

    const DECADES: [f64; 4] = [1e3, 1e4, 1e5, 1e6];

    #[test]
    fn power_laws_get_their_bin() {
        for (power, bin) in [
            (0.0, GrowthBin::Flat),
            (1.0, GrowthBin::Linear),
            (2.0, GrowthBin::Quadratic),
            (3.0, GrowthBin::Steeper),
        ] {
            let pts: Vec<(f64, f64)> = DECADES.iter().map(|&x| (x, 5.0 * x.powf(power))).collect();
            let g = verdict(&pts);
            assert_eq!(g.verdict, TimeVerdict::Class(bin), "{g}");
            assert!((g.exponent - power).abs() < 1e-9, "{g}");
        }
    }

    #[test]
    fn a_cache_step_at_the_top_is_memory_bound_not_linear() {
        // A lookup: 10 ns in L1, 12 ns in L2, 60 ns and 500 ns past the caches (exponent 0.58).
        let g = verdict(&[(1e3, 10.0), (1e4, 12.0), (1e5, 60.0), (1e6, 500.0)]);
        assert_eq!(g.verdict, TimeVerdict::MemoryBound { past: 100_000 }, "{g}");
        assert_eq!(g.verdict.is_at_most(GrowthBin::Flat), Some(true));
        assert!(
            g.to_string()
                .starts_with("sublinear, memory-bound past ~100K"),
            "{g}"
        );
        // Without known caches the same curve is undecided, never linear.
        let unknown = time_growth(
            &reps(&[(1e3, 10.0), (1e4, 12.0), (1e5, 60.0), (1e6, 500.0)]),
            &CacheLevels::default(),
        )
        .expect("valid");
        assert!(!unknown.verdict.is_decided(), "{unknown}");
        assert_eq!(unknown.verdict.is_at_most(GrowthBin::Flat), None);
        assert!(
            unknown.to_string().contains("cache sizes are unknown"),
            "{unknown}"
        );
    }

    #[test]
    fn linear_with_a_step_and_no_flat_part_stays_linear() {
        // A scan that also slows down past the caches: local slopes 1, 1, 1.3.
        let g = verdict(&[(1e3, 1e3), (1e4, 1e4), (1e5, 1e5), (1e6, 2e6)]);
        assert_eq!(g.verdict, TimeVerdict::Class(GrowthBin::Linear), "{g}");
        assert_eq!(g.verdict.is_at_most(GrowthBin::Flat), Some(false));
    }

    #[test]
    fn a_rise_beyond_a_cache_step_is_not_memory_bound() {
        // Flat, then x100 in one decade (steeper than a cache step), or x300 over two decades (more than a
        // cache step explains): growth, in the bin of the exponent.
        for pts in [
            [(1e3, 10.0), (1e4, 11.0), (1e5, 12.0), (1e6, 1_200.0)],
            [(1e3, 10.0), (1e4, 11.0), (1e5, 200.0), (1e6, 3_000.0)],
        ] {
            let g = verdict(&pts);
            assert_eq!(g.verdict, TimeVerdict::Class(GrowthBin::Linear), "{g}");
        }
        // With an interval across 0.5 the reason is given.
        let spread = [0.6, 0.8, 1.0, 1.25, 1.6];
        let r: Vec<(f64, Vec<f64>)> = [(1e3, 10.0), (1e4, 10.5), (1e5, 11.0), (1e6, 400.0)]
            .iter()
            .map(|&(x, y)| (x, spread.map(|k| y * k).to_vec()))
            .collect();
        let g = time_growth(&r, &caches()).expect("valid");
        assert!(!g.verdict.is_decided(), "{g}");
        assert!(g.to_string().contains("than a cache step"), "{g}");
    }

    #[test]
    fn a_straddling_interval_is_undecided_with_its_numbers() {
        // Exponent near 0.5 with wide noise and no flat stretch: sizes 1K..10K only, rise sqrt(10).
        let spread = [0.5, 0.8, 1.0, 1.25, 2.0];
        let r: Vec<(f64, Vec<f64>)> = [1e3, 3e3, 1e4]
            .iter()
            .map(|&x: &f64| (x, spread.map(|k| x.sqrt() * k).to_vec()))
            .collect();
        let g = time_growth(&r, &caches()).expect("valid");
        match &g.verdict {
            TimeVerdict::Undecided { low, high, why } => {
                assert!(*low < *high, "{g}");
                assert!(why.contains("crosses a bin edge"), "{g}");
            }
            other => panic!("expected undecided, got {other}"),
        }
        assert_eq!(
            g.verdict.is_at_most(GrowthBin::Quadratic),
            Some(true),
            "{g}"
        );
    }

    #[test]
    fn one_repetition_widens_the_interval() {
        let r: Vec<(f64, Vec<f64>)> = DECADES.iter().map(|&x| (x, vec![x])).collect();
        let g = time_growth(&r, &caches()).expect("valid");
        assert!(
            (g.interval.0 - 0.9).abs() < 1e-9 && (g.interval.1 - 1.1).abs() < 1e-9,
            "{g}"
        );
    }

    #[test]
    fn predict_joins_the_medians() {
        let g = verdict(&[(1e3, 10.0), (1e4, 100.0), (1e5, 100.0)]);
        assert!((g.predict(1e3) - 10.0).abs() < 1e-9);
        assert!((g.predict(1e4) - 100.0).abs() < 1e-9);
        assert!((g.predict(5e4) - 100.0).abs() < 1e-9);
        assert!((g.predict(1e2) - 1.0).abs() < 1e-9);
    }

    #[test]
    fn rejects_bad_input() {
        let c = caches();
        let two = vec![(1.0, vec![1.0]), (2.0, vec![2.0])];
        assert_eq!(
            time_growth(&two, &c),
            Err(FitError::TooFewPoints { needed: 3, got: 2 })
        );
        let repeated = vec![(1.0, vec![1.0]), (2.0, vec![2.0]), (2.0, vec![2.0])];
        assert!(matches!(
            time_growth(&repeated, &c),
            Err(FitError::TooFewDistinct { .. })
        ));
        let empty = vec![(1.0, vec![1.0]), (2.0, vec![]), (3.0, vec![2.0])];
        assert_eq!(
            time_growth(&empty, &c),
            Err(FitError::EmptyGroup { index: 1 })
        );
        let zero = vec![(1.0, vec![1.0]), (2.0, vec![0.0]), (3.0, vec![2.0])];
        assert!(matches!(
            time_growth(&zero, &c),
            Err(FitError::BadValue { index: 1, .. })
        ));
        let small = vec![(0.5, vec![1.0]), (2.0, vec![1.0]), (3.0, vec![2.0])];
        assert!(matches!(
            time_growth(&small, &c),
            Err(FitError::BadValue { index: 0, .. })
        ));
        let nan = vec![(1.0, vec![1.0]), (f64::NAN, vec![1.0]), (3.0, vec![2.0])];
        assert!(matches!(
            time_growth(&nan, &c),
            Err(FitError::BadValue { .. })
        ));
    }

    proptest! {
        /// Whatever the timings, the verdict never claims a bin steeper than the exponent's interval allows,
        /// and the same data give the same verdict.
        #[test]
        fn never_steeper_than_the_interval(
            ys in proptest::collection::vec(proptest::collection::vec(1.0f64..1e6, 1..6), 3..7)
        ) {
            let r: Vec<(f64, Vec<f64>)> = ys
                .into_iter()
                .enumerate()
                .map(|(i, t)| (10f64.powi(i as i32 + 1), t))
                .collect();
            let g = time_growth(&r, &caches())?;
            prop_assert!(g.verdict.highest() <= GrowthBin::from_exponent(g.interval.1), "{}", g);
            prop_assert!(g.interval.0 <= g.exponent && g.exponent <= g.interval.1, "{}", g);
            prop_assert_eq!(time_growth(&r, &caches())?, g);
        }
    }
}
