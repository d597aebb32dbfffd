//! Phase plots: latency (p50 and p99, with their spread over runs) of each phase of one shape, e.g. an
//! open-model rate, one closed load, or the three phases of a burst. Open-model phases also say what was offered,
//! served and dropped.

use super::PlotBound;
use super::canvas::{
    Area, Drawn, Legend, Mark, PALETTE, Page, Spread, TICK_SPACING, axis_pixels, chart,
    draw_bounds, draw_note, draw_spreads,
};
use super::ticks::{AxisSpec, Format, Scale, humanize_numbers, rate};
use crate::measure::{Curve, Measure};

/// Reads one latency quantile of a run, ns.
type Quantile = fn(&Measure) -> u64;

/// Latency quantiles drawn per phase: (name, reader).
const QUANTILES: [(&str, Quantile); 2] = [("p50", |m| m.latency.p50), ("p99", |m| m.latency.p99)];

/// Draws a phase plot onto `page`.
pub(crate) fn draw(page: &mut Page<'_>, curve: &Curve, bounds: &[PlotBound]) -> Drawn {
    let area = page.panels(1).remove(0);
    draw_panel(&area, curve, bounds, &mut page.legend)
}

/// Draws the phase panel into `area`, adding its legend entries.
pub(crate) fn draw_panel(
    area: &Area<'_>,
    curve: &Curve,
    bounds: &[PlotBound],
    legend: &mut Legend,
) -> Drawn {
    let (_, yp) = axis_pixels(area);
    let open = curve.points.iter().any(|p| p.phase.arrival.is_some());
    let spreads: Vec<Vec<Spread>> = QUANTILES
        .iter()
        .map(|(_, q)| {
            curve
                .points
                .iter()
                .enumerate()
                .filter_map(|(i, p)| {
                    let reps: Vec<f64> = p.repetitions.iter().map(|m| q(m) as f64).collect();
                    Spread::of(i as f64 + 1.0, &reps)
                })
                .collect()
        })
        .collect();
    let mut ys: Vec<f64> = spreads
        .iter()
        .flatten()
        .flat_map(|s| [s.min, s.max])
        .collect();
    ys.extend(bounds.iter().flat_map(PlotBound::values));
    let x = AxisSpec::categories(
        curve
            .points
            .iter()
            .map(|p| humanize_numbers(&p.phase.name))
            .collect(),
        "phase",
    );
    let desc = if open {
        "latency from scheduled start"
    } else {
        "latency per operation"
    };
    let mut y = AxisSpec::auto(
        &ys,
        true,
        Format::Nanos,
        desc.to_owned(),
        yp,
        TICK_SPACING.1,
    );
    // Room above the highest whisker for the per-phase note.
    let top = ys.iter().copied().fold(0.0, f64::max);
    let headroom = if y.scale == Scale::Log {
        top * 2.5
    } else {
        top * 1.2
    };
    if headroom > y.hi {
        ys.push(headroom);
        y = AxisSpec::auto(&ys, true, Format::Nanos, desc, yp, TICK_SPACING.1);
    }
    let mut chart = chart(area, &x, &y)?;
    for (k, ((name, _), s)) in QUANTILES.iter().zip(&spreads).enumerate() {
        let colour = PALETTE[k % PALETTE.len()];
        let dx = if k == 0 { -0.08 } else { 0.08 };
        draw_spreads(&mut chart, &x, &y, s, colour, dx)?;
        legend.add(
            Mark::Point,
            colour,
            &[format!(
                "{name}, median of {} runs (whiskers min-max)",
                curve.repetitions
            )],
        );
    }
    for (i, p) in curve.points.iter().enumerate() {
        let workers = format!("{} workers", p.phase.workers);
        let note = match p.phase.arrival {
            Some(a) => {
                let served = p.median_throughput();
                format!(
                    "offered {}, served {} ({:.0}%), dropped {}",
                    rate(a.rate_per_sec as f64),
                    rate(served),
                    100.0 * served / a.rate_per_sec.max(1) as f64,
                    p.total_dropped()
                )
            }
            None => format!("served {}", rate(p.median_throughput())),
        };
        let top = spreads
            .iter()
            .filter_map(|s| s.get(i))
            .map(|s| s.max)
            .fold(0.0, f64::max);
        draw_note(
            &mut chart,
            (x.t(i as f64 + 1.0), y.t(top)),
            &workers,
            PALETTE[4],
        )?;
        legend.add(
            Mark::Note,
            PALETTE[4],
            &[format!(
                "{} ({workers}): {note}",
                humanize_numbers(&p.phase.name)
            )],
        );
    }
    draw_bounds(&mut chart, &x, &y, bounds, Some(legend))
}
