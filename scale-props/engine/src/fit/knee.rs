//! Where a curve stops growing, and where a property first breaks.

use serde::{Deserialize, Serialize};

use super::{FitError, Sample};

/// Default for [`knee`]'s `min_gain_fraction`: a step that adds less than a fifth of the first step's
/// throughput per unit of load counts as no longer growing.
pub const DEFAULT_KNEE_GAIN_FRACTION: f64 = 0.2;

/// The load at which throughput stops growing.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Knee {
    /// Index of the knee point in the sample.
    pub index: usize,
    /// The load (x) at the knee.
    pub load: f64,
    /// The throughput (y) at the knee.
    pub throughput: f64,
}

/// Finds the knee of a throughput curve: the last load before the first step whose marginal gain per unit of
/// load, `(y[i+1] - y[i]) / (x[i+1] - x[i])`, falls below `min_gain_fraction` times the first step's.
/// If the first step does not gain at all, the knee is the first point. `Ok(None)` when throughput keeps
/// growing to the last point. Cost: O(k).
///
/// Use [`DEFAULT_KNEE_GAIN_FRACTION`] if you're not sure. For a smooth model-based alternative see
/// [`UslFit::peak_workers`](super::UslFit::peak_workers).
///
/// # Errors
/// [`FitError::NotIncreasing`] when the loads do not strictly increase, [`FitError::BadParameter`] when
/// `min_gain_fraction` is not in [0, 1].
pub fn knee(sample: &Sample, min_gain_fraction: f64) -> Result<Option<Knee>, FitError> {
    if !(0.0..=1.0).contains(&min_gain_fraction) {
        return Err(FitError::BadParameter {
            name: "min_gain_fraction",
            value: min_gain_fraction,
            expected: "a fraction in [0, 1]",
        });
    }
    let (xs, ys) = (sample.xs(), sample.ys());
    if let Some(index) = (1..xs.len()).find(|&i| xs[i] <= xs[i - 1]) {
        return Err(FitError::NotIncreasing { index });
    }
    let gain = |i: usize| (ys[i + 1] - ys[i]) / (xs[i + 1] - xs[i]);
    let first = gain(0);
    let at = |index: usize| Knee {
        index,
        load: xs[index],
        throughput: ys[index],
    };
    if first <= 0.0 {
        return Ok(Some(at(0)));
    }
    Ok((0..xs.len() - 1)
        .find(|&i| gain(i) < min_gain_fraction * first)
        .map(at))
}

/// The breaking point of a sequence of load steps: the index of the first step at which `holds` is false, or
/// `None` when the property holds at every step. Steps are taken in order of increasing load. Cost: O(k) calls.
pub fn first_failure<T>(steps: &[T], mut holds: impl FnMut(&T) -> bool) -> Option<usize> {
    steps.iter().position(|step| !holds(step))
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    fn sample(xs: &[f64], ys: &[f64]) -> Sample {
        Sample::new(xs.to_vec(), ys.to_vec()).expect("valid sample")
    }

    #[test]
    fn knee_is_where_growth_stalls() {
        // Gains per unit: 100, 100, 90, 5 -> the step from 8 to 16 adds 5/unit < 0.2 * 100.
        let s = sample(
            &[1.0, 2.0, 4.0, 8.0, 16.0],
            &[100.0, 200.0, 400.0, 760.0, 800.0],
        );
        let k = knee(&s, DEFAULT_KNEE_GAIN_FRACTION)
            .expect("valid")
            .expect("has a knee");
        assert_eq!((k.index, k.load, k.throughput), (3, 8.0, 760.0));
    }

    #[test]
    fn no_knee_while_growing_and_knee_at_start_when_flat() {
        let growing = sample(&[1.0, 2.0, 3.0], &[10.0, 20.0, 29.0]);
        assert_eq!(knee(&growing, 0.2), Ok(None));
        let flat = sample(&[1.0, 2.0, 3.0], &[10.0, 9.0, 8.0]);
        assert_eq!(knee(&flat, 0.2).expect("valid").map(|k| k.index), Some(0));
    }

    #[test]
    fn knee_rejects_unsorted_loads_and_bad_fractions() {
        let unsorted = sample(&[1.0, 4.0, 2.0], &[1.0, 2.0, 3.0]);
        assert_eq!(
            knee(&unsorted, 0.2),
            Err(FitError::NotIncreasing { index: 2 })
        );
        let s = sample(&[1.0, 2.0], &[1.0, 2.0]);
        assert!(matches!(knee(&s, 1.5), Err(FitError::BadParameter { .. })));
        assert!(matches!(
            knee(&s, f64::NAN),
            Err(FitError::BadParameter { .. })
        ));
    }

    #[test]
    fn first_failure_finds_the_first_broken_step() {
        let p99_us = [120, 130, 180, 900, 950];
        assert_eq!(first_failure(&p99_us, |&p| p <= 500), Some(3));
        assert_eq!(first_failure(&p99_us, |&p| p <= 1_000), None);
    }
}
