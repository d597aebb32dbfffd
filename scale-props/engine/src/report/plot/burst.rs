//! Burst plots: the phases (before, spike, recovery) on top, and below them the recovery timeline: each timed
//! batch's latency against the time since recovery began, with the p99 before the spike as the baseline.

use super::PlotBound;
use super::canvas::{
    Drawn, Mark, PALETTE, Page, REFERENCE, TICK_SPACING, axis_pixels, chart, draw_bounds,
    draw_dashed, words,
};
use super::phases;
use super::ticks::{AxisSpec, Format, nanos};
use crate::measure::Curve;
use crate::shape::PhaseRole;
use plotters::prelude::*;

/// Most timeline points drawn per run (a run's batches are thinned to the slowest in each bucket).
const MAX_POINTS_PER_RUN: usize = 600;

/// Draws a burst onto `page`: phases on top, recovery timeline below.
pub(crate) fn draw(page: &mut Page<'_>, curve: &Curve, bounds: &[PlotBound]) -> Drawn {
    let panels = page.panels(2);
    phases::draw_panel(&panels[0], curve, bounds, &mut page.legend)?;
    let area = &panels[1];
    let (xp, yp) = axis_pixels(area);
    let runs: Vec<Vec<(f64, f64)>> = curve
        .points_in(PhaseRole::Recovery)
        .flat_map(|p| &p.repetitions)
        .map(|m| thin(&m.timeline))
        .collect();
    let before: Vec<f64> = curve
        .points_in(PhaseRole::BeforeSpike)
        .flat_map(|p| &p.repetitions)
        .map(|m| m.latency.p99 as f64)
        .collect();
    let baseline = crate::fit::median(&before);
    let xs: Vec<f64> = runs.iter().flatten().map(|(t, _)| *t).collect();
    let mut ys: Vec<f64> = runs.iter().flatten().map(|(_, l)| *l).collect();
    ys.extend(baseline);
    ys.extend(bounds.iter().flat_map(PlotBound::values));
    let x = AxisSpec::linear(
        &xs,
        Format::Nanos,
        "time since the recovery phase began",
        xp,
        TICK_SPACING.0,
    );
    let y = AxisSpec::auto(
        &ys,
        true,
        Format::Nanos,
        "batch latency (recovery)",
        yp,
        TICK_SPACING.1,
    );
    let mut chart = chart(area, &x, &y)?;
    for (k, run) in runs.iter().enumerate() {
        let colour = PALETTE[(2 + k) % PALETTE.len()].mix(0.55);
        chart
            .draw_series(
                run.iter()
                    .map(|(t, l)| Circle::new((x.t(*t), y.t(*l)), 2, colour.filled())),
            )
            .map_err(words)?;
    }
    page.legend.add(
        Mark::Point,
        PALETTE[2],
        &[format!(
            "recovery batches, {} runs (one colour per run)",
            runs.len()
        )],
    );
    if let Some(b) = baseline {
        let r = x.range();
        draw_dashed(
            &mut chart,
            vec![(r.start, y.t(b)), (r.end, y.t(b))],
            REFERENCE,
        )?;
        page.legend.add(
            Mark::Dashed,
            REFERENCE,
            &[format!("p99 before the spike: {}", nanos(b))],
        );
    }
    if runs.iter().all(Vec::is_empty) {
        page.legend.add(
            Mark::Note,
            REFERENCE,
            &["no recovery timeline was recorded".to_owned()],
        );
    }
    draw_bounds(&mut chart, &x, &y, bounds, None)
}

/// A run's (offset, latency) batches as floats, thinned to at most [`MAX_POINTS_PER_RUN`] by keeping the
/// slowest batch of each bucket (so a stall stays visible).
fn thin(timeline: &[(u64, u64)]) -> Vec<(f64, f64)> {
    let bucket = timeline.len().div_ceil(MAX_POINTS_PER_RUN).max(1);
    timeline
        .chunks(bucket)
        .filter_map(|c| c.iter().max_by_key(|(_, l)| *l))
        .map(|(t, l)| (*t as f64, *l as f64))
        .collect()
}
