//! Axes: linear or log scale, tick positions a reader can use, and human tick labels (1K, 250 us, 1.5M).
//!
//! Everything is drawn in a transformed space (log10 of the value on a log axis) so one chart type serves both
//! scales; an [`AxisSpec`] maps values into that space and labels its ticks.

use std::ops::Range;

/// Linear or base-10 logarithmic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scale {
    /// Evenly spaced values.
    Linear,
    /// Evenly spaced decades.
    Log,
}

/// How tick values are written.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Format {
    /// Sizes and counts with K/M/G suffixes: `1K`, `250K`, `1.5M`.
    Quantity,
    /// Whole numbers (worker counts).
    Integer,
    /// Nanoseconds written in the largest unit that keeps a number >= 1: `250 ns`, `1.5 us`, `12 ms`, `2 s`.
    Nanos,
    /// Operations per second: `500`, `250K`, `1.2M`.
    Rate,
}

/// Least distance between two tick labels, pixels, on a horizontal axis.
pub(crate) const MIN_X_TICK_PX: f64 = 56.0;
/// Least distance between two tick labels, pixels, on a vertical axis.
pub(crate) const MIN_Y_TICK_PX: f64 = 24.0;

/// One axis: scale, drawn range, tick values and their labels.
#[derive(Debug, Clone)]
pub(crate) struct AxisSpec {
    /// The scale.
    pub scale: Scale,
    /// The drawn range, in values (not transformed).
    pub lo: f64,
    /// The drawn range's top, in values.
    pub hi: f64,
    /// (value, label) of each tick, increasing, labels distinct.
    pub ticks: Vec<(f64, String)>,
    /// Axis description (with its unit).
    pub desc: String,
}

impl AxisSpec {
    /// An axis over `values` (plus `extra` values that must be visible, e.g. a bound), log when the positive
    /// values span a decade or more; `from_zero` starts a linear axis at 0. `pixels` is the axis length, used to
    /// keep labels at least `min_px` apart.
    pub fn auto(
        values: &[f64],
        from_zero: bool,
        format: Format,
        desc: impl Into<String>,
        pixels: f64,
        min_px: f64,
    ) -> Self {
        Self::build(values, from_zero, true, format, desc.into(), pixels, min_px)
    }

    /// A linear axis from 0 over `values` (e.g. time since a phase began).
    pub fn linear(
        values: &[f64],
        format: Format,
        desc: impl Into<String>,
        pixels: f64,
        min_px: f64,
    ) -> Self {
        Self::build(values, true, false, format, desc.into(), pixels, min_px)
    }

    fn build(
        values: &[f64],
        from_zero: bool,
        log_allowed: bool,
        format: Format,
        desc: String,
        pixels: f64,
        min_px: f64,
    ) -> Self {
        let finite: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
        let pos: Vec<f64> = finite.iter().copied().filter(|v| *v > 0.0).collect();
        let (mut lo, mut hi) = bounds(&finite).unwrap_or((0.0, 1.0));
        let scale = match bounds(&pos) {
            Some((a, b)) if log_allowed && b / a >= 10.0 => {
                (lo, hi) = (a, b);
                Scale::Log
            }
            _ => Scale::Linear,
        };
        match scale {
            Scale::Log => {
                let pad = ((hi / lo).log10() * 0.06).max(0.04);
                lo /= 10f64.powf(pad);
                hi *= 10f64.powf(pad);
            }
            Scale::Linear => {
                if from_zero {
                    lo = lo.min(0.0);
                }
                if hi <= lo {
                    hi = lo + lo.abs().max(1.0);
                }
                let pad = (hi - lo) * 0.08;
                hi += pad;
                if !from_zero || lo < 0.0 {
                    lo -= pad;
                }
            }
        }
        let mut axis = Self {
            scale,
            lo,
            hi,
            ticks: Vec::new(),
            desc,
        };
        let candidates = match scale {
            Scale::Log => log_ticks(lo, hi),
            Scale::Linear => linear_ticks(lo, hi, 8),
        };
        axis.set_ticks(candidates, &format, pixels, min_px);
        axis
    }

    /// An axis whose ticks are exactly `levels` (e.g. the worker counts measured), thinned so labels never
    /// overlap; log when they span a factor of 8 or more.
    pub fn levels(
        levels: &[f64],
        format: Format,
        desc: impl Into<String>,
        pixels: f64,
        min_px: f64,
    ) -> Self {
        let mut ls: Vec<f64> = levels
            .iter()
            .copied()
            .filter(|v| v.is_finite() && *v > 0.0)
            .collect();
        ls.sort_by(f64::total_cmp);
        ls.dedup();
        let (a, b) = bounds(&ls).unwrap_or((1.0, 2.0));
        let (scale, lo, hi) = if b / a >= 8.0 {
            (Scale::Log, a / 1.25, b * 1.25)
        } else {
            (Scale::Linear, 0.0, b + (b - a).max(1.0) * 0.15)
        };
        let mut axis = Self {
            scale,
            lo,
            hi,
            ticks: Vec::new(),
            desc: desc.into(),
        };
        let mut wanted: Vec<f64> = Vec::with_capacity(ls.len());
        wanted.extend(ls.first().copied());
        wanted.extend(ls.last().copied());
        let power_of_two = |v: f64| v.fract() == 0.0 && (v as u64).is_power_of_two();
        wanted.extend(ls.iter().copied().filter(|v| power_of_two(*v)));
        wanted.extend(ls.iter().copied().filter(|v| !power_of_two(*v)));
        axis.set_ticks(wanted, &format, pixels, min_px);
        axis
    }

    /// Categories 1..=n named `names`.
    pub fn categories(names: Vec<String>, desc: impl Into<String>) -> Self {
        let n = names.len().max(1) as f64;
        Self {
            scale: Scale::Linear,
            lo: 0.5,
            hi: n + 0.5,
            ticks: names
                .into_iter()
                .enumerate()
                .map(|(i, s)| (i as f64 + 1.0, s))
                .collect(),
            desc: desc.into(),
        }
    }

    /// Keeps candidates in the order given (most wanted first) when their label is new and at least `min_px`
    /// from every label kept so far; the kept ticks end up in increasing order.
    fn set_ticks(&mut self, mut candidates: Vec<f64>, format: &Format, pixels: f64, min_px: f64) {
        candidates.retain(|v| *v >= self.lo && *v <= self.hi);
        let span = self.t(self.hi) - self.t(self.lo);
        let mut kept: Vec<(f64, String)> = Vec::new();
        for v in candidates {
            let label = format_value(v, format);
            let far_enough = kept.iter().all(|(k, l)| {
                *l != label
                    && span > 0.0
                    && (self.t(v) - self.t(*k)).abs() / span * pixels >= min_px
            });
            if far_enough {
                kept.push((v, label));
            }
        }
        kept.sort_by(|a, b| a.0.total_cmp(&b.0));
        self.ticks = kept;
    }

    /// `v` in the drawing space (log10 on a log axis; values <= 0 are clamped to the bottom of a log axis).
    pub fn t(&self, v: f64) -> f64 {
        match self.scale {
            Scale::Linear => v,
            Scale::Log => v.max(self.lo).log10(),
        }
    }

    /// The drawn range in the drawing space.
    pub fn range(&self) -> Range<f64> {
        self.t(self.lo)..self.t(self.hi)
    }

    /// Tick positions in the drawing space.
    pub fn tick_positions(&self) -> Vec<f64> {
        self.ticks.iter().map(|(v, _)| self.t(*v)).collect()
    }

    /// The label of the tick at drawing-space position `t` (the nearest tick).
    pub fn label_at(&self, t: f64) -> String {
        self.ticks
            .iter()
            .min_by(|a, b| (self.t(a.0) - t).abs().total_cmp(&(self.t(b.0) - t).abs()))
            .map(|(_, l)| l.clone())
            .unwrap_or_default()
    }

    /// Whether `v` lies inside the drawn range.
    pub fn contains(&self, v: f64) -> bool {
        v >= self.lo && v <= self.hi
    }
}

fn bounds(v: &[f64]) -> Option<(f64, f64)> {
    let lo = v.iter().copied().reduce(f64::min)?;
    let hi = v.iter().copied().reduce(f64::max)?;
    Some((lo, hi))
}

/// Values `m * 10^e` inside [lo, hi], most wanted first, from the first mantissa set giving at least four ticks
/// (1; 1, 2, 5; 1..9), else evenly spaced ticks.
fn log_ticks(lo: f64, hi: f64) -> Vec<f64> {
    let (e0, e1) = (lo.log10().floor() as i32, hi.log10().ceil() as i32);
    let within = |mantissas: &[f64]| -> Vec<f64> {
        (e0..=e1)
            .flat_map(|e| mantissas.iter().map(move |m| m * 10f64.powi(e)))
            .filter(|v| *v >= lo && *v <= hi)
            .collect()
    };
    // Most wanted first: decades, then 2 and 5, then the other digits.
    let mut ticks = within(&[1.0]);
    for more in [&[2.0, 5.0][..], &[3.0, 4.0, 6.0, 7.0, 8.0, 9.0]] {
        if ticks.len() >= 5 {
            return ticks;
        }
        ticks.extend(within(more));
    }
    if ticks.len() >= 4 {
        return ticks;
    }
    linear_ticks(lo, hi, 5)
}

/// About `target` evenly spaced round values (steps of 1, 2 or 5 times a power of ten) inside [lo, hi].
fn linear_ticks(lo: f64, hi: f64, target: usize) -> Vec<f64> {
    let raw = (hi - lo) / target.max(1) as f64;
    if !(raw.is_finite() && raw > 0.0) {
        return vec![lo];
    }
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag);
    let first = (lo / step).ceil() as i64;
    let last = (hi / step).floor() as i64;
    (first..=last).map(|k| k as f64 * step).collect()
}

/// `v` in `format`.
pub(crate) fn format_value(v: f64, format: &Format) -> String {
    match format {
        Format::Quantity | Format::Rate => {
            with_suffix(v, &[(1e9, "G"), (1e6, "M"), (1e3, "K")], "")
        }
        Format::Integer => format!("{}", v.round() as i64),
        Format::Nanos => nanos(v),
    }
}

/// `name` with every whole number of four digits or more written as a quantity: `rate=20000/s` ->
/// `rate=20K/s`.
pub(crate) fn humanize_numbers(name: &str) -> String {
    let mut out = String::new();
    let mut digits = String::new();
    let flush = |digits: &mut String, out: &mut String| {
        match digits.parse::<u64>() {
            Ok(n) if digits.len() >= 4 => out.push_str(&format_value(n as f64, &Format::Quantity)),
            _ => out.push_str(digits),
        }
        digits.clear();
    };
    for c in name.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
        } else {
            flush(&mut digits, &mut out);
            out.push(c);
        }
    }
    flush(&mut digits, &mut out);
    out
}

/// Nanoseconds in the largest unit that keeps the number at least 1: `250 ns`, `1.5 us`, `12 ms`, `2 s`.
pub(crate) fn nanos(v: f64) -> String {
    if v == 0.0 {
        return "0".to_owned();
    }
    with_suffix(v, &[(1e9, " s"), (1e6, " ms"), (1e3, " us")], " ns")
}

/// A rate in operations per second: `950/s`, `250K/s`.
pub(crate) fn rate(v: f64) -> String {
    format!("{}/s", format_value(v, &Format::Rate))
}

fn with_suffix(v: f64, units: &[(f64, &str)], base: &str) -> String {
    for (scale, unit) in units {
        if v.abs() >= *scale {
            return format!("{}{unit}", significant(v / scale));
        }
    }
    format!("{}{base}", significant(v))
}

/// Up to three significant digits, trailing zeros dropped: 1, 1.5, 12.5, 250.
pub(crate) fn significant(v: f64) -> String {
    let a = v.abs();
    let s = if a >= 100.0 {
        format!("{v:.0}")
    } else if a >= 10.0 {
        format!("{v:.1}")
    } else if a >= 1.0 {
        format!("{v:.2}")
    } else {
        format!("{v:.3}")
    };
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        s
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn quantities_read_as_people_write_them() {
        let f = |v| format_value(v, &Format::Quantity);
        assert_eq!(
            [
                f(1_000.0),
                f(10_000.0),
                f(1_000_000.0),
                f(2_500_000.0),
                f(100.0)
            ],
            ["1K", "10K", "1M", "2.5M", "100"]
        );
    }

    #[test]
    fn nanoseconds_take_the_largest_unit() {
        assert_eq!(
            [
                nanos(250.0),
                nanos(1_500.0),
                nanos(12e6),
                nanos(2e9),
                nanos(0.0)
            ],
            ["250 ns", "1.5 us", "12 ms", "2 s", "0"]
        );
        assert_eq!(rate(696_000.0), "696K/s");
        assert_eq!(humanize_numbers("rate=20000/s"), "rate=20K/s");
        assert_eq!(humanize_numbers("workers=16"), "workers=16");
    }

    #[test]
    fn a_size_axis_over_three_decades_is_log_with_a_tick_per_decade() {
        let a = AxisSpec::auto(
            &[1e3, 1e4, 1e5, 1e6],
            false,
            Format::Quantity,
            "size",
            600.0,
            MIN_X_TICK_PX,
        );
        assert_eq!(a.scale, Scale::Log);
        let labels: Vec<&str> = a.ticks.iter().map(|(_, l)| l.as_str()).collect();
        assert_eq!(labels, ["1K", "10K", "100K", "1M"]);
    }

    #[test]
    fn a_narrow_axis_still_gets_at_least_four_labels() {
        for values in [
            [5.2e5, 6.9e5, 7.1e5],
            [1.0e5, 1.1e5, 1.2e5],
            [40.0, 90.0, 120.0],
        ] {
            let a = AxisSpec::auto(&values, false, Format::Rate, "ops/s", 400.0, MIN_Y_TICK_PX);
            assert!(a.ticks.len() >= 4, "{values:?} -> {:?}", a.ticks);
        }
    }

    #[test]
    fn worker_levels_are_distinct_integers_never_closer_than_a_label() {
        let levels: Vec<f64> = (1..=16).map(f64::from).collect();
        let a = AxisSpec::levels(&levels, Format::Integer, "workers", 600.0, MIN_X_TICK_PX);
        let labels: Vec<&str> = a.ticks.iter().map(|(_, l)| l.as_str()).collect();
        assert!(
            labels.iter().all(|l| l.parse::<u32>().is_ok()),
            "{labels:?}"
        );
        let mut unique = labels.clone();
        unique.dedup();
        assert_eq!(unique, labels);
        let pos = a.tick_positions();
        let span = a.range().end - a.range().start;
        assert!(
            pos.windows(2)
                .all(|w| (w[1] - w[0]) / span * 600.0 >= MIN_X_TICK_PX),
            "{labels:?}"
        );
        assert!(
            labels.contains(&"1") && labels.contains(&"16"),
            "{labels:?}"
        );
    }
}
