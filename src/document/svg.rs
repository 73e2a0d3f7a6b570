//! Inline SVG charts for the HTML report: stacked bars and lines here, the
//! forest plot of intervals in `forest`.
//!
//! Charts are drawn by hand (a few rectangles, lines and labels), styled by
//! CSS classes from the page so each series keeps its colour in light and
//! dark mode, and labelled for people and screen readers: a `<title>` and
//! `<desc>` per chart, a `<title>` tooltip per bar or point, round axis
//! ticks. They never produce NaN: empty data, one point, all zeros, huge
//! values and unbounded intervals each have a defined drawing.

use super::escape;
use super::model::{Lines, Series, StackedBars, Tone};
use super::numbers::{self, Axis};

/// Width of every chart's coordinate system (it scales to the page).
pub(super) const WIDTH: f64 = 880.0;
const FONT_PX: f64 = 7.0; // average width of a 12px label character

/// The plotting area inside a chart.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Plot {
    pub left: f64,
    pub top: f64,
    pub width: f64,
    pub height: f64,
}

impl Plot {
    pub(super) fn bottom(&self) -> f64 {
        self.top + self.height
    }
    pub(super) fn right(&self) -> f64 {
        self.left + self.width
    }
}

const XY_PLOT: Plot = Plot {
    left: 72.0,
    top: 16.0,
    width: WIDTH - 72.0 - 16.0,
    height: 200.0,
};
const XY_HEIGHT: f64 = 16.0 + 200.0 + 34.0;

/// The CSS class fixing a series' colour.
pub(super) fn series_class(tone: Tone, index: usize) -> String {
    match tone {
        Tone::Ai => "s-ai".to_string(),
        Tone::Human => "s-human".to_string(),
        Tone::Automation => "s-auto".to_string(),
        Tone::Service => "s-service".to_string(),
        Tone::Unknown => "s-unknown".to_string(),
        Tone::Destructive => "s-destructive".to_string(),
        Tone::Other => format!("s-o{}", index % 6),
    }
}

/// Coordinates in the SVG: one decimal is plenty.
pub(super) fn n(v: f64) -> String {
    let v = if v.is_finite() { v } else { 0.0 };
    let s = format!("{v:.1}");
    s.strip_suffix(".0").map_or(s.clone(), str::to_string)
}

pub(super) fn open_svg(out: &mut String, uid: &str, height: f64, title: &str, desc: &str) {
    out.push_str(&format!(
        "<svg class=\"chart\" viewBox=\"0 0 {} {}\" role=\"img\" aria-labelledby=\"{uid}-t {uid}-d\">\
<title id=\"{uid}-t\">{}</title><desc id=\"{uid}-d\">{}</desc>",
        n(WIDTH),
        n(height),
        escape::html(title),
        escape::html(desc)
    ));
}

pub(super) fn message(out: &mut String, x: f64, y: f64, text: &str) {
    out.push_str(&format!(
        "<text class=\"msg\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
        n(x),
        n(y),
        escape::html(text)
    ));
}

/// Value of series `s` at `i`, finite or 0.
fn value_at(s: &Series, i: usize) -> f64 {
    s.values
        .get(i)
        .copied()
        .map_or(0.0, numbers::finite_or_zero)
}

/// Horizontal grid lines and y tick labels, the y label, the baseline.
fn y_axis(out: &mut String, plot: Plot, axis: &Axis, y_label: &str) {
    for &t in &axis.ticks {
        let y = plot.bottom() - axis.fraction(t) * plot.height;
        let class = if t == 0.0 { "axis" } else { "grid" };
        out.push_str(&format!(
            "<line class=\"{class}\" x1=\"{}\" x2=\"{}\" y1=\"{y}\" y2=\"{y}\"/>\
<text class=\"tick\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
            n(plot.left),
            n(plot.right()),
            n(plot.left - 8.0),
            n(y + 4.0),
            escape::html(&axis.label(t)),
            y = n(y),
        ));
    }
    if !y_label.is_empty() {
        let cx = 14.0;
        let cy = plot.top + plot.height / 2.0;
        out.push_str(&format!(
            "<text class=\"axis-label\" transform=\"translate({},{}) rotate(-90)\" text-anchor=\"middle\">{}</text>",
            n(cx),
            n(cy),
            escape::html(&escape::truncate(y_label, 32))
        ));
    }
}

/// Which x labels to show so they do not overlap: every `k`-th.
pub(super) fn label_step(labels: &[String], plot_width: f64) -> usize {
    let longest = labels
        .iter()
        .map(|l| l.chars().count().min(12))
        .max()
        .unwrap_or(1)
        .max(1);
    let slot = longest as f64 * FONT_PX + 12.0;
    let fits = (plot_width / slot).floor().max(1.0) as usize;
    labels.len().div_ceil(fits).max(1)
}

fn x_labels(out: &mut String, plot: Plot, labels: &[String]) {
    if labels.is_empty() {
        return;
    }
    let band = plot.width / labels.len() as f64;
    let step = label_step(labels, plot.width);
    for (i, label) in labels.iter().enumerate() {
        if i % step != 0 {
            continue;
        }
        let x = plot.left + band * (i as f64 + 0.5);
        out.push_str(&format!(
            "<text class=\"tick\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
            n(x),
            n(plot.bottom() + 18.0),
            escape::html(&escape::truncate(label, 12))
        ));
    }
}

/// One bar segment, in SVG coordinates.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct BarRect {
    pub index: usize,
    pub series: usize,
    pub value: f64,
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
}

/// The y axis and the bar segments: each x label's positive values stacked
/// from the baseline in series order, heights proportional to the values.
pub(super) fn bar_layout(bars: &StackedBars, plot: Plot) -> (Axis, Vec<BarRect>) {
    let n_x = bars.x_labels.len();
    let totals: Vec<f64> = (0..n_x)
        .map(|i| bars.series.iter().map(|s| value_at(s, i).max(0.0)).sum())
        .collect();
    let max = totals.iter().copied().fold(0.0, f64::max);
    let axis = Axis::linear(0.0, max, 5);
    let mut rects = Vec::new();
    if n_x == 0 {
        return (axis, rects);
    }
    let band = plot.width / n_x as f64;
    let bar_w = (band * 0.72).max(1.0).min(band);
    for i in 0..n_x {
        let x = plot.left + band * i as f64 + (band - bar_w) / 2.0;
        let mut top = plot.bottom();
        for (si, s) in bars.series.iter().enumerate() {
            let v = value_at(s, i).max(0.0);
            if v <= 0.0 {
                continue;
            }
            let h = axis.fraction(v) * plot.height;
            top -= h;
            rects.push(BarRect {
                index: i,
                series: si,
                value: v,
                x,
                y: top,
                width: bar_w,
                height: h,
            });
        }
    }
    (axis, rects)
}

pub(super) fn stacked_bars(bars: &StackedBars, uid: &str) -> String {
    let plot = XY_PLOT;
    let (axis, rects) = bar_layout(bars, plot);
    let n_x = bars.x_labels.len();
    let totals: Vec<f64> = (0..n_x)
        .map(|i| bars.series.iter().map(|s| value_at(s, i).max(0.0)).sum())
        .collect();
    let peak =
        totals
            .iter()
            .enumerate()
            .fold(None, |best: Option<(usize, f64)>, (i, &t)| match best {
                Some((_, b)) if b >= t => best,
                _ => Some((i, t)),
            });
    let names: Vec<&str> = bars.series.iter().map(|s| s.name.as_str()).collect();
    let desc = match peak {
        Some((i, t)) if t > 0.0 => format!(
            "Stacked bars for {} periods ({}); the highest total is {} on {}.",
            n_x,
            names.join(", "),
            numbers::fixed(t, 0),
            bars.x_labels[i]
        ),
        _ => "No activity in this period.".to_string(),
    };
    let mut out = String::new();
    open_svg(&mut out, uid, XY_HEIGHT, &bars.title, &desc);
    y_axis(&mut out, plot, &axis, &bars.y_label);
    for r in &rects {
        let s = &bars.series[r.series];
        out.push_str(&format!(
            "<rect class=\"bar {}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"><title>{}: {} {}</title></rect>",
            series_class(s.tone, r.series),
            n(r.x),
            n(r.y),
            n(r.width),
            n(r.height),
            escape::html(&bars.x_labels[r.index]),
            escape::html(&s.name),
            numbers::ratio_or_int(r.value),
        ));
    }
    x_labels(&mut out, plot, &bars.x_labels);
    let cx = plot.left + plot.width / 2.0;
    let cy = plot.top + plot.height / 2.0;
    if n_x == 0 {
        message(&mut out, cx, cy, "No data for this period");
    } else if rects.is_empty() {
        message(&mut out, cx, cy, "All values are zero");
    }
    out.push_str("</svg>");
    out
}

pub(super) fn lines(chart: &Lines, uid: &str) -> String {
    let plot = XY_PLOT;
    let n_x = chart.x_labels.len();
    let finite = chart
        .series
        .iter()
        .flat_map(|s| s.values.iter().take(n_x).copied())
        .filter(|v| v.is_finite());
    let (lo, hi) = finite.fold((0.0_f64, 0.0_f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let axis = Axis::linear(lo, hi, 5);
    let names: Vec<&str> = chart.series.iter().map(|s| s.name.as_str()).collect();
    let desc = if n_x == 0 {
        "No data.".to_string()
    } else {
        format!(
            "Lines for {} ({} to {}): {}.",
            names.join(", "),
            chart.x_labels[0],
            chart.x_labels[n_x - 1],
            chart
                .series
                .iter()
                .map(|s| {
                    let last = s.values.get(n_x - 1).copied().unwrap_or(f64::NAN);
                    format!("{} ends at {}", s.name, numbers::ratio_or_int(last))
                })
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    let mut out = String::new();
    open_svg(&mut out, uid, XY_HEIGHT, &chart.title, &desc);
    y_axis(&mut out, plot, &axis, &chart.y_label);
    x_labels(&mut out, plot, &chart.x_labels);
    if n_x > 0 {
        let band = plot.width / n_x as f64;
        let r = if n_x > 30 { 2.0 } else { 3.5 };
        for (si, s) in chart.series.iter().enumerate() {
            let class = series_class(s.tone, si);
            let mut runs: Vec<Vec<(f64, f64)>> = vec![Vec::new()];
            let mut dots = String::new();
            for i in 0..n_x {
                match s.values.get(i).copied().filter(|v| v.is_finite()) {
                    Some(v) => {
                        let x = plot.left + band * (i as f64 + 0.5);
                        let y = plot.bottom() - axis.fraction(v) * plot.height;
                        if let Some(run) = runs.last_mut() {
                            run.push((x, y));
                        }
                        dots.push_str(&format!(
                            "<circle class=\"dot {class}\" cx=\"{}\" cy=\"{}\" r=\"{r}\"><title>{}: {} {}</title></circle>",
                            n(x),
                            n(y),
                            escape::html(&chart.x_labels[i]),
                            escape::html(&s.name),
                            numbers::ratio_or_int(v),
                        ));
                    }
                    None => runs.push(Vec::new()),
                }
            }
            for run in runs.iter().filter(|r| r.len() > 1) {
                let points: Vec<String> = run
                    .iter()
                    .map(|&(x, y)| format!("{},{}", n(x), n(y)))
                    .collect();
                out.push_str(&format!(
                    "<polyline class=\"line {class}\" points=\"{}\"/>",
                    points.join(" ")
                ));
            }
            out.push_str(&dots);
        }
    } else {
        message(
            &mut out,
            plot.left + plot.width / 2.0,
            plot.top + plot.height / 2.0,
            "No data",
        );
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(name: &str, tone: Tone, values: &[f64]) -> Series {
        Series {
            name: name.to_string(),
            values: values.to_vec(),
            tone,
        }
    }

    fn bars(labels: usize, series: Vec<Series>) -> StackedBars {
        StackedBars {
            title: "Activity".to_string(),
            x_labels: (0..labels)
                .map(|d| format!("2025-12-{:02}", d + 1))
                .collect(),
            series,
            y_label: "events".to_string(),
        }
    }

    #[test]
    fn bars_scale_with_their_values_and_stack() {
        let plot = Plot {
            left: 0.0,
            top: 0.0,
            width: 100.0,
            height: 200.0,
        };
        let chart = bars(
            2,
            vec![
                series("AI", Tone::Ai, &[50.0, 30.0]),
                series("human", Tone::Human, &[50.0, 0.0]),
            ],
        );
        let (axis, rects) = bar_layout(&chart, plot);
        assert_eq!(axis.max, 100.0);
        assert_eq!(rects.len(), 3, "zero segments are not drawn");
        // day 1: AI 50 then human 50 on top of it, filling the height
        assert_eq!((rects[0].y, rects[0].height), (100.0, 100.0));
        assert_eq!((rects[1].y, rects[1].height), (0.0, 100.0));
        // day 2: 30 of an axis of 100 is 30% of 200 px
        assert!((rects[2].height - 60.0).abs() < 1e-9 && (rects[2].y - 140.0).abs() < 1e-9);
        assert!(rects[2].x > rects[0].x && rects[0].width > 0.0);
    }

    #[test]
    fn bar_ticks_are_round_and_cover_the_peak() {
        let chart = bars(3, vec![series("AI", Tone::Ai, &[12.0, 937.0, 3.0])]);
        let svg = stacked_bars(&chart, "c1");
        for label in ["0", "200", "400", "600", "800", "1,000"] {
            assert!(
                svg.contains(&format!(">{label}</text>")),
                "{label} missing: {svg}"
            );
        }
        assert!(svg.contains("<title id=\"c1-t\">Activity</title>"));
    }

    #[test]
    fn degenerate_bars_render_without_nan() {
        for chart in [
            bars(0, vec![]),
            bars(0, vec![series("AI", Tone::Ai, &[])]),
            bars(1, vec![series("AI", Tone::Ai, &[5.0])]),
            bars(3, vec![series("AI", Tone::Ai, &[0.0, 0.0, 0.0])]),
            bars(2, vec![series("AI", Tone::Ai, &[f64::NAN, f64::INFINITY])]),
            bars(2, vec![series("AI", Tone::Ai, &[-5.0])]),
            bars(60, vec![series("AI", Tone::Ai, &[1e9; 60])]),
        ] {
            let svg = stacked_bars(&chart, "c");
            assert!(!svg.contains("NaN") && !svg.contains("inf"), "{svg}");
            assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        }
        assert!(stacked_bars(&bars(0, vec![]), "c").contains("No data"));
        let zeros = bars(3, vec![series("AI", Tone::Ai, &[0.0; 3])]);
        assert!(stacked_bars(&zeros, "c").contains("All values are zero"));
        let huge = stacked_bars(&bars(60, vec![series("AI", Tone::Ai, &[1e9; 60])]), "c");
        assert!(huge.contains(">1.0B<"), "{huge}");
    }

    #[test]
    fn sixty_days_thin_their_labels() {
        let chart = bars(60, vec![series("AI", Tone::Ai, &[1.0; 60])]);
        let step = label_step(&chart.x_labels, XY_PLOT.width);
        assert!(step > 1);
        let svg = stacked_bars(&chart, "c");
        let shown = chart
            .x_labels
            .iter()
            .filter(|l| svg.contains(&format!(">{l}</text>")))
            .count();
        assert!((4..=12).contains(&shown), "{shown} labels shown");
        assert_eq!(label_step(&chart.x_labels[..7], XY_PLOT.width), 1);
    }

    #[test]
    fn lines_survive_gaps_one_point_and_nothing() {
        let mk = |labels: usize, values: &[f64]| Lines {
            title: "Trend".to_string(),
            x_labels: (0..labels).map(|w| format!("2025-W{}", 40 + w)).collect(),
            series: vec![series("AI share", Tone::Ai, values)],
            y_label: "%".to_string(),
        };
        for chart in [
            mk(0, &[]),
            mk(1, &[3.0]),
            mk(4, &[1.0, f64::NAN, 2.0, 3.0]),
            mk(3, &[0.0, 0.0, 0.0]),
            mk(3, &[-2.0, 5.0, 1e9]),
        ] {
            let svg = lines(&chart, "l");
            assert!(!svg.contains("NaN"), "{svg}");
        }
        let gap = lines(&mk(4, &[1.0, f64::NAN, 2.0, 3.0]), "l");
        assert_eq!(
            gap.matches("<polyline").count(),
            1,
            "the gap splits the line"
        );
        assert_eq!(gap.matches("<circle").count(), 3);
    }
}
