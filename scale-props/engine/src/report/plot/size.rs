//! Size curves: time per operation against state size, per phase, with the fitted class and its error.

use super::PlotBound;
use super::canvas::{
    Drawn, Mark, PALETTE, Page, Spread, TICK_SPACING, axis_pixels, chart, draw_bounds, draw_model,
    draw_spreads,
};
use super::ticks::{AxisSpec, Format};
use crate::digest::Analysis;
use crate::measure::Curve;

/// Draws a size curve onto `page`.
pub(crate) fn draw(
    page: &mut Page<'_>,
    curve: &Curve,
    analysis: &Analysis,
    bounds: &[PlotBound],
) -> Drawn {
    let mut names: Vec<&str> = Vec::new();
    for p in &curve.points {
        if !names.contains(&p.phase.name.as_str()) {
            names.push(&p.phase.name);
        }
    }
    let series: Vec<(&str, Vec<Spread>)> = names
        .iter()
        .map(|name| {
            let spreads = curve
                .points
                .iter()
                .filter(|p| p.phase.name == *name)
                .filter_map(|p| {
                    let reps: Vec<f64> =
                        p.repetitions.iter().map(|m| m.latency.p50 as f64).collect();
                    Spread::of(p.size as f64, &reps)
                })
                .collect();
            (*name, spreads)
        })
        .collect();
    let area = page.panels(1).remove(0);
    let (xp, yp) = axis_pixels(&area);
    let xs: Vec<f64> = curve.points.iter().map(|p| p.size as f64).collect();
    let mut ys: Vec<f64> = series
        .iter()
        .flat_map(|(_, s)| s.iter().flat_map(|s| [s.min, s.max]))
        .collect();
    ys.extend(bounds.iter().flat_map(PlotBound::values));
    let x = AxisSpec::auto(
        &xs,
        false,
        Format::Quantity,
        "state size (entries)",
        xp,
        TICK_SPACING.0,
    );
    let y = AxisSpec::auto(
        &ys,
        true,
        Format::Nanos,
        "time per operation (p50)",
        yp,
        TICK_SPACING.1,
    );
    let mut chart = chart(&area, &x, &y)?;
    for (i, (name, spreads)) in series.iter().enumerate() {
        let colour = PALETTE[i % PALETTE.len()];
        let who = if names.len() > 1 {
            format!("{name}: ")
        } else {
            String::new()
        };
        draw_spreads(&mut chart, &x, &y, spreads, colour, 0.0)?;
        let mut lines = vec![format!(
            "{who}p50 per op, median of {} runs",
            curve.repetitions
        )];
        if i == 0 {
            lines.push("whiskers: min-max over runs".to_owned());
        }
        page.legend.add(Mark::Point, colour, &lines);
        let fit = analysis
            .fits
            .phases
            .iter()
            .find(|g| g.phase == *name)
            .and_then(|g| g.time.as_ref());
        match fit {
            Some(f) => {
                draw_model(&mut chart, &x, &y, |n| f.predict(n), colour)?;
                // The line joins the per-size medians in log-log space, so it has no residual to show; the
                // legend carries the verdict and the exponent's interval instead.
                let lines = vec![
                    format!("{who}time: {}", f.verdict),
                    format!(
                        "exponent {:.2} (90% interval {:.2}..{:.2})",
                        f.exponent, f.interval.0, f.interval.1
                    ),
                ];
                page.legend.add(Mark::Line, colour, &lines);
            }
            None => page.legend.add(
                Mark::Note,
                colour,
                &[format!("{who}no time fit (needs 3 sizes or more)")],
            ),
        }
    }
    draw_bounds(&mut chart, &x, &y, bounds, Some(&mut page.legend))
}
