//! Worker sweeps (and steps, ramps): throughput against workers, with the USL fit and its error, ideal linear
//! scaling, and the machine's core count marked.

use super::PlotBound;
use super::canvas::{
    Drawn, Mark, PALETTE, Page, REFERENCE, Spread, TICK_SPACING, axis_pixels, chart, draw_bounds,
    draw_dashed, draw_model, draw_spreads, draw_vertical,
};
use super::residuals::FitError;
use super::ticks::{AxisSpec, Format, Scale, significant};
use crate::digest::Analysis;
use crate::measure::Curve;

/// The cores marker is drawn when the machine's core count is at most this many times the top level.
const CORES_IN_VIEW: f64 = 4.0;

/// Draws a worker sweep onto `page`.
pub(crate) fn draw(
    page: &mut Page<'_>,
    curve: &Curve,
    analysis: &Analysis,
    bounds: &[PlotBound],
) -> Drawn {
    let spreads: Vec<Spread> = curve
        .points
        .iter()
        .filter_map(|p| {
            let reps: Vec<f64> = p.repetitions.iter().map(|m| m.throughput).collect();
            Spread::of(p.phase.workers as f64, &reps)
        })
        .collect();
    let area = page.panels(1).remove(0);
    let (xp, yp) = axis_pixels(&area);
    let mut levels: Vec<f64> = spreads.iter().map(|s| s.x).collect();
    let top = levels.iter().copied().fold(1.0, f64::max);
    let cores = curve.cores as f64;
    let cores_shown = curve.cores > 0 && cores <= top * CORES_IN_VIEW;
    if cores_shown {
        levels.push(cores);
    }
    let x = AxisSpec::levels(
        &levels,
        Format::Integer,
        "workers (threads)",
        xp,
        TICK_SPACING.0,
    );
    let usl = analysis.fits.usl.as_ref();
    let mut ys: Vec<f64> = spreads.iter().flat_map(|s| [s.min, s.max]).collect();
    ys.extend(
        usl.iter()
            .flat_map(|u| spreads.iter().map(|s| u.throughput(s.x))),
    );
    ys.extend(bounds.iter().flat_map(PlotBound::values));
    let y = AxisSpec::auto(
        &ys,
        true,
        Format::Rate,
        format!("throughput (ops/s, median of {} runs)", curve.repetitions),
        yp,
        TICK_SPACING.1,
    );
    let mut chart = chart(&area, &x, &y)?;
    let colour = PALETTE[0];
    if let Some(u) = usl {
        // Ideal linear scaling from one worker, as far as the chart reaches.
        let r = x.range();
        let ideal: Vec<(f64, f64)> = (0..=60)
            .map(|k| r.start + (r.end - r.start) * f64::from(k) / 60.0)
            .map(|t| {
                if x.scale == Scale::Log {
                    10f64.powf(t)
                } else {
                    t
                }
            })
            .map(|n| (n, u.lambda * n))
            .filter(|(_, v)| y.contains(*v))
            .map(|(n, v)| (x.t(n), y.t(v)))
            .collect();
        if ideal.len() >= 2 {
            draw_dashed(&mut chart, ideal, REFERENCE)?;
            page.legend.add(
                Mark::Dashed,
                REFERENCE,
                &["ideal: one worker's rate x workers".to_owned()],
            );
        }
    }
    draw_spreads(&mut chart, &x, &y, &spreads, colour, 0.0)?;
    page.legend.add(
        Mark::Point,
        colour,
        &[
            format!("measured, median of {} runs", curve.repetitions),
            "whiskers: min-max over runs".to_owned(),
        ],
    );
    let fit_colour = PALETTE[1];
    match usl {
        Some(u) => {
            draw_model(&mut chart, &x, &y, |n| u.throughput(n), fit_colour)?;
            let measured: Vec<(f64, f64)> = spreads.iter().map(|s| (s.x, s.median)).collect();
            let verdict = match u.verdict.label() {
                Some(l) => l.name().to_owned(),
                None => {
                    let names: Vec<&str> = u.verdict.labels().iter().map(|l| l.name()).collect();
                    format!("undecided ({})", names.join(" or "))
                }
            };
            let mut lines = vec![
                format!("USL fit: {verdict}"),
                format!(
                    "sigma {} (90% {}..{}), kappa {}",
                    significant(u.sigma),
                    significant(u.interval.sigma.0),
                    significant(u.interval.sigma.1),
                    significant(u.kappa)
                ),
            ];
            if u.is_exact() {
                lines.push(u.goodness());
            }
            // The drawn curve against every measured level: for an exact fit only the capped levels can
            // miss, so the error is shown only when there is one.
            let capped = measured.iter().any(|&(n, _)| u.is_capped(n));
            if !u.is_exact() || capped {
                lines.extend(
                    FitError::of(&measured, |n| u.throughput(n))
                        .map(|e| e.describe(&Format::Integer, " workers")),
                );
            }
            page.legend.add(Mark::Line, fit_colour, &lines);
        }
        None => {
            let why = analysis
                .fits
                .unfitted
                .iter()
                .find(|w| w.starts_with("usl"))
                .cloned()
                .unwrap_or_else(|| "no USL fit for this curve".to_owned());
            page.legend.add(Mark::Note, fit_colour, &[why]);
        }
    }
    if cores_shown {
        let label = format!("cores = {}", curve.cores);
        draw_vertical(&mut chart, &x, &y, cores, &label, REFERENCE)?;
        page.legend.add(
            Mark::Vertical,
            REFERENCE,
            &[format!("{label}: the machine's logical CPUs")],
        );
    } else {
        page.legend.add(
            Mark::Note,
            REFERENCE,
            &[format!("cores = {} (far right of the sweep)", curve.cores)],
        );
    }
    draw_bounds(&mut chart, &x, &y, bounds, Some(&mut page.legend))
}
