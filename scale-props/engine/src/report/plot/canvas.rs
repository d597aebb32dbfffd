//! The page every plot shares: a title and a subtitle, one or more charts on the left, the legend in its own
//! column on the right (never over the data), and the marks charts have in common (medians with their spread,
//! fitted lines, bound lines, a vertical marker).

use std::ops::Range;

use plotters::coord::Shift;
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::PlotBound;
use super::ticks::{AxisSpec, MIN_X_TICK_PX, MIN_Y_TICK_PX};

/// A drawing failure, in words (plotters' error types are generic over the backend).
pub(crate) type Drawn<T = ()> = Result<T, String>;

/// Turns any plotters error into words.
pub(crate) fn words(e: impl std::fmt::Display) -> String {
    e.to_string()
}

/// A region of the page.
pub(crate) type Area<'b> = DrawingArea<SVGBackend<'b>, Shift>;
/// A chart drawn in transformed coordinates (see [`AxisSpec::t`]).
pub(crate) type Chart<'a, 'b> = ChartContext<'a, SVGBackend<'b>, Cartesian2d<Ticked, Ticked>>;

/// A linear plotters coordinate over a drawing-space range whose grid lines and labels are exactly an
/// [`AxisSpec`]'s ticks.
#[derive(Debug, Clone)]
pub(crate) struct Ticked {
    range: Range<f64>,
    ticks: Vec<f64>,
}

impl Ticked {
    fn of(axis: &AxisSpec) -> Self {
        Self {
            range: axis.range(),
            ticks: axis.tick_positions(),
        }
    }
}

impl Ranged for Ticked {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        let span = self.range.end - self.range.start;
        if span == 0.0 {
            return (limit.0 + limit.1) / 2;
        }
        let at = (value - self.range.start) / span;
        limit.0 + (f64::from(limit.1 - limit.0) * at).round() as i32
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.ticks.clone()
        }
    }

    fn range(&self) -> Range<f64> {
        self.range.clone()
    }
}

/// Page width, pixels.
pub(crate) const WIDTH: u32 = 980;
/// Width of the legend column, pixels.
const LEGEND_WIDTH: u32 = 290;
/// Height of the title block, pixels.
const HEADER_HEIGHT: u32 = 58;
const Y_LABEL_AREA: u32 = 84;
const X_LABEL_AREA: u32 = 50;
const MARGIN: u32 = 14;
const FONT: &str = "sans-serif";

/// Series colours (colour-blind friendly "tableau" hues).
pub(crate) const PALETTE: [RGBColor; 5] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
];
/// Colour of bound lines (claims).
pub(crate) const BOUND: RGBColor = RGBColor(214, 39, 40);
/// Colour of reference marks (cores, ideal scaling, a baseline).
pub(crate) const REFERENCE: RGBColor = RGBColor(110, 110, 110);

/// How a legend entry is marked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mark {
    /// A dot with a whisker (a median and its spread).
    Point,
    /// A solid line (a fit).
    Line,
    /// A dashed line (a bound or a reference).
    Dashed,
    /// A vertical dashed line (a marker such as the core count).
    Vertical,
    /// Text only.
    Note,
}

/// One legend entry: its mark, colour and lines of text.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    mark: Mark,
    colour: RGBColor,
    lines: Vec<String>,
}

/// The legend, filled while charts are drawn and drawn last in its own column.
#[derive(Debug, Default)]
pub(crate) struct Legend {
    entries: Vec<Entry>,
}

impl Legend {
    /// Adds an entry; long lines are wrapped to the column.
    pub fn add(&mut self, mark: Mark, colour: RGBColor, lines: &[String]) {
        self.entries.push(Entry {
            mark,
            colour,
            lines: lines.iter().flat_map(|l| wrap(l, 31)).collect(),
        });
    }

    /// Draws the legend into `area` (pixel coordinates).
    fn draw(&self, area: &Area<'_>) -> Drawn {
        let font = (FONT, 15).into_font().color(&BLACK);
        let mut y: i32 = 18;
        area.draw(&Text::new(
            "Legend",
            (10, y - 8),
            (FONT, 16).into_font().style(FontStyle::Bold),
        ))
        .map_err(words)?;
        y += 16;
        for e in &self.entries {
            let mid = y + 7;
            let style = e.colour.stroke_width(2);
            match e.mark {
                Mark::Point => {
                    area.draw(&PathElement::new(
                        vec![(20, mid - 8), (20, mid + 8)],
                        e.colour.stroke_width(1),
                    ))
                    .map_err(words)?;
                    area.draw(&Circle::new((20, mid), 4, e.colour.filled()))
                        .map_err(words)?;
                }
                Mark::Line => {
                    area.draw(&PathElement::new(vec![(8, mid), (32, mid)], style))
                        .map_err(words)?;
                }
                Mark::Dashed => {
                    for k in 0..3 {
                        let x = 8 + k * 9;
                        area.draw(&PathElement::new(vec![(x, mid), (x + 5, mid)], style))
                            .map_err(words)?;
                    }
                }
                Mark::Vertical => {
                    for k in 0..3 {
                        let t = mid - 9 + k * 7;
                        area.draw(&PathElement::new(vec![(20, t), (20, t + 4)], style))
                            .map_err(words)?;
                    }
                }
                Mark::Note => {}
            }
            for line in &e.lines {
                area.draw(&Text::new(line.clone(), (40, y), font.clone()))
                    .map_err(words)?;
                y += 17;
            }
            y += 9;
        }
        Ok(())
    }
}

/// Wraps `text` at spaces into lines of at most `width` characters (a longer word keeps its own line).
pub(crate) fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
            line.push_str("  ");
        } else if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    lines.push(line);
    lines
}

/// A page: header, chart column and legend column.
pub(crate) struct Page<'b> {
    root: Area<'b>,
    charts: Area<'b>,
    legend_area: Area<'b>,
    /// The legend, drawn by [`Page::finish`].
    pub legend: Legend,
}

impl<'b> Page<'b> {
    /// A page of `height` pixels drawn into `out`, titled `title` with a computed `subtitle`.
    pub fn new(out: &'b mut String, height: u32, title: &str, subtitle: &str) -> Drawn<Self> {
        let root = SVGBackend::with_string(out, (WIDTH, height)).into_drawing_area();
        root.fill(&WHITE).map_err(words)?;
        let (header, body) = root.split_vertically(HEADER_HEIGHT);
        header
            .draw(&Text::new(
                title.to_owned(),
                (MARGIN as i32, 10),
                (FONT, 25).into_font().style(FontStyle::Bold),
            ))
            .map_err(words)?;
        header
            .draw(&Text::new(
                subtitle.to_owned(),
                (MARGIN as i32, 36),
                (FONT, 17).into_font().color(&REFERENCE),
            ))
            .map_err(words)?;
        let (charts, legend_area) = body.split_horizontally(WIDTH - LEGEND_WIDTH);
        Ok(Self {
            root,
            charts,
            legend_area,
            legend: Legend::default(),
        })
    }

    /// The chart column split into `n` panels stacked vertically.
    pub fn panels(&self, n: usize) -> Vec<Area<'b>> {
        self.charts.split_evenly((n.max(1), 1))
    }

    /// Draws the legend and flushes the page.
    pub fn finish(self) -> Drawn {
        self.legend.draw(&self.legend_area.margin(4, 4, 8, 8))?;
        self.root.present().map_err(words)
    }
}

/// Pixel lengths of the x and y axes of a chart drawn in `area`.
pub(crate) fn axis_pixels(area: &Area<'_>) -> (f64, f64) {
    let (w, h) = area.dim_in_pixel();
    (
        f64::from(w.saturating_sub(Y_LABEL_AREA + 2 * MARGIN)),
        f64::from(h.saturating_sub(X_LABEL_AREA + 2 * MARGIN)),
    )
}

/// The least label spacing of each axis, pixels.
pub(crate) const TICK_SPACING: (f64, f64) = (MIN_X_TICK_PX, MIN_Y_TICK_PX);

/// Builds a chart in `area` over `x` and `y` with their ticks, labels and descriptions, and a light grid.
pub(crate) fn chart<'a, 'b>(
    area: &'a Area<'b>,
    x: &AxisSpec,
    y: &AxisSpec,
) -> Drawn<Chart<'a, 'b>> {
    let mut chart = ChartBuilder::on(area)
        .margin(MARGIN)
        .x_label_area_size(X_LABEL_AREA)
        .y_label_area_size(Y_LABEL_AREA)
        .build_cartesian_2d(Ticked::of(x), Ticked::of(y))
        .map_err(words)?;
    let x_label = |v: &f64| x.label_at(*v);
    let y_label = |v: &f64| y.label_at(*v);
    chart
        .configure_mesh()
        .x_desc(x.desc.as_str())
        .y_desc(y.desc.as_str())
        .x_label_formatter(&x_label)
        .y_label_formatter(&y_label)
        .label_style((FONT, 15))
        .axis_desc_style((FONT, 16))
        .bold_line_style(RGBColor(228, 228, 228))
        .light_line_style(TRANSPARENT)
        .draw()
        .map_err(words)?;
    Ok(chart)
}

/// A measured value at one x: its median and the spread across repetitions.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Spread {
    /// x value.
    pub x: f64,
    /// Median over repetitions.
    pub median: f64,
    /// Smallest repetition.
    pub min: f64,
    /// Largest repetition.
    pub max: f64,
}

impl Spread {
    /// The spread of the finite `values` (one per repetition) at `x`; `None` when there are none.
    pub fn of(x: f64, values: &[f64]) -> Option<Self> {
        let values: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
        let values = values.as_slice();
        let min = values.iter().copied().reduce(f64::min)?;
        let max = values.iter().copied().reduce(f64::max)?;
        Some(Self {
            x,
            median: crate::fit::median(values)?,
            min,
            max,
        })
    }
}

/// Draws medians as dots with min-max whiskers (capped) in `colour`, `dx` drawing units right of their x.
pub(crate) fn draw_spreads(
    chart: &mut Chart<'_, '_>,
    x: &AxisSpec,
    y: &AxisSpec,
    spreads: &[Spread],
    colour: RGBColor,
    dx: f64,
) -> Drawn {
    let thin = colour.stroke_width(1);
    for s in spreads {
        let px = x.t(s.x) + dx;
        let (lo, hi) = (y.t(s.min), y.t(s.max));
        chart
            .draw_series([PathElement::new(vec![(px, lo), (px, hi)], thin)])
            .map_err(words)?;
        for end in [lo, hi] {
            chart
                .draw_series([
                    EmptyElement::at((px, end)) + PathElement::new(vec![(-4, 0), (4, 0)], thin)
                ])
                .map_err(words)?;
        }
        chart
            .draw_series([Circle::new((px, y.t(s.median)), 4, colour.filled())])
            .map_err(words)?;
    }
    Ok(())
}

/// Draws `f` over the x range as a solid line, leaving out what falls outside the y range.
pub(crate) fn draw_model(
    chart: &mut Chart<'_, '_>,
    x: &AxisSpec,
    y: &AxisSpec,
    f: impl Fn(f64) -> f64,
    colour: RGBColor,
) -> Drawn {
    let r = x.range();
    let xs = (0..=120).map(|k| r.start + (r.end - r.start) * f64::from(k) / 120.0);
    let value = |t: f64| match x.scale {
        super::ticks::Scale::Linear => t,
        super::ticks::Scale::Log => 10f64.powf(t),
    };
    let mut run: Vec<(f64, f64)> = Vec::new();
    for t in xs {
        let v = f(value(t));
        if v.is_finite() && y.contains(v) {
            run.push((t, y.t(v)));
        } else if !run.is_empty() {
            chart
                .draw_series(LineSeries::new(
                    std::mem::take(&mut run),
                    colour.stroke_width(2),
                ))
                .map_err(words)?;
        }
    }
    if !run.is_empty() {
        chart
            .draw_series(LineSeries::new(run, colour.stroke_width(2)))
            .map_err(words)?;
    }
    Ok(())
}

/// Draws a dashed polyline through drawing-space points.
pub(crate) fn draw_dashed(
    chart: &mut Chart<'_, '_>,
    points: Vec<(f64, f64)>,
    colour: RGBColor,
) -> Drawn {
    chart
        .draw_series(DashedLineSeries::new(points, 8, 5, colour.stroke_width(2)))
        .map_err(words)?;
    Ok(())
}

/// Draws every bound (dashed, in the bound colour) with its label at the line's right end, and adds each to
/// the legend once (`legend` is `None` on a second panel). A bound with no value inside the plot (not a number,
/// or not positive on a log axis) is named in the legend as not drawn.
pub(crate) fn draw_bounds(
    chart: &mut Chart<'_, '_>,
    x: &AxisSpec,
    y: &AxisSpec,
    bounds: &[PlotBound],
    mut legend: Option<&mut Legend>,
) -> Drawn {
    let (x0, x1) = (x.range().start, x.range().end);
    for b in bounds {
        let pts: Vec<(f64, f64)> = match b {
            PlotBound::Level { y: v, .. } if y.contains(*v) => vec![(x0, y.t(*v)), (x1, y.t(*v))],
            PlotBound::Level { .. } => Vec::new(),
            PlotBound::Curve { points, .. } => points
                .iter()
                .filter(|(px, py)| x.contains(*px) && y.contains(*py))
                .map(|(px, py)| (x.t(*px), y.t(*py)))
                .collect(),
        };
        let drawn = pts.len() >= 2;
        if let (true, Some(&(ex, ey))) = (drawn, pts.last()) {
            draw_dashed(chart, pts.clone(), BOUND)?;
            let anchor = Pos::new(HPos::Right, VPos::Bottom);
            chart
                .draw_series([EmptyElement::at((ex, ey))
                    + Text::new(
                        b.label().to_owned(),
                        (-4, -3),
                        (FONT, 14).into_font().color(&BOUND).pos(anchor),
                    )])
                .map_err(words)?;
        }
        if let Some(legend) = legend.as_deref_mut() {
            if drawn {
                legend.add(Mark::Dashed, BOUND, &[format!("bound: {}", b.label())]);
            } else {
                legend.add(
                    Mark::Note,
                    BOUND,
                    &[format!(
                        "bound: {} (not drawn: no value inside the plot)",
                        b.label()
                    )],
                );
            }
        }
    }
    Ok(())
}

/// Draws a vertical dashed marker at x value `at`, labelled `label` just above the x axis (data and bounds
/// usually sit higher).
pub(crate) fn draw_vertical(
    chart: &mut Chart<'_, '_>,
    x: &AxisSpec,
    y: &AxisSpec,
    at: f64,
    label: &str,
    colour: RGBColor,
) -> Drawn {
    let (y0, y1) = (y.range().start, y.range().end);
    let t = x.t(at);
    draw_dashed(chart, vec![(t, y0), (t, y1)], colour)?;
    let anchor = Pos::new(HPos::Left, VPos::Bottom);
    chart
        .draw_series([EmptyElement::at((t, y0))
            + Text::new(
                label.to_owned(),
                (6, -6),
                (FONT, 15).into_font().color(&colour).pos(anchor),
            )])
        .map_err(words)?;
    Ok(())
}

/// Draws `text` at a pixel offset from drawing-space point (x, y), centred above it.
pub(crate) fn draw_note(
    chart: &mut Chart<'_, '_>,
    at: (f64, f64),
    text: &str,
    colour: RGBColor,
) -> Drawn {
    let anchor = Pos::new(HPos::Center, VPos::Bottom);
    chart
        .draw_series([EmptyElement::at(at)
            + Text::new(
                text.to_owned(),
                (0, -10),
                (FONT, 14).into_font().color(&colour).pos(anchor),
            )])
        .map_err(words)?;
    Ok(())
}
