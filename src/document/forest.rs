//! The forest plot: one estimate and its interval per row against a
//! reference line (a rate ratio of 1), in SVG for the HTML report and as a
//! text track for the terminal, both on the same scale.
//!
//! Unbounded and undrawable values are part of the data here: a rate ratio
//! with no events in the comparison group has an upper bound of ∞, and one
//! with no events in its own group an estimate of 0, which a log scale
//! cannot place. Both are drawn as arrows running off the scale, and the
//! numbers beside each row say exactly what they are.

use super::escape;
use super::model::{IntervalRow, Intervals};
use super::numbers::{self, Axis};
use super::svg::{Plot, WIDTH, message, n, open_svg};

/// How a forest plot maps values to x.
enum Scale {
    Log { lo: f64, hi: f64, ticks: Vec<f64> },
    Linear(Axis),
}

impl Scale {
    fn for_rows(chart: &Intervals) -> Scale {
        let usable = |v: f64| v.is_finite() && (!chart.log_scale || v > 0.0);
        let mut values: Vec<f64> = chart
            .rows
            .iter()
            .flat_map(|r| [r.estimate, r.low, r.high])
            .flatten()
            .filter(|&v| usable(v))
            .collect();
        if usable(chart.reference) {
            values.push(chart.reference);
        }
        let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        if chart.log_scale {
            let ticks = if values.is_empty() {
                numbers::log_ticks(1.0, 1.0)
            } else {
                numbers::log_ticks(lo, hi)
            };
            let lo = ticks.first().copied().unwrap_or(0.1);
            let hi = ticks.last().copied().unwrap_or(10.0);
            Scale::Log { lo, hi, ticks }
        } else if values.is_empty() {
            Scale::Linear(Axis::linear(0.0, 1.0, 5))
        } else {
            Scale::Linear(Axis::linear(lo.min(0.0), hi, 5))
        }
    }

    fn ticks(&self) -> Vec<f64> {
        match self {
            Scale::Log { ticks, .. } => ticks.clone(),
            Scale::Linear(axis) => axis.ticks.clone(),
        }
    }

    fn label(&self, v: f64) -> String {
        match self {
            Scale::Log { .. } => numbers::log_label(v),
            Scale::Linear(axis) => axis.label(v),
        }
    }

    /// Fraction of the plot width, `None` when `v` cannot be placed (0 or
    /// below on a log scale, non-finite).
    fn fraction(&self, v: f64) -> Option<f64> {
        if !v.is_finite() {
            return None;
        }
        match self {
            Scale::Log { lo, hi, .. } => {
                if v <= 0.0 {
                    return None;
                }
                let (l, h) = (lo.log10(), hi.log10());
                Some(((v.log10() - l) / (h - l)).clamp(0.0, 1.0))
            }
            Scale::Linear(axis) => Some(axis.fraction(v)),
        }
    }
}

/// The interval as text: `2.41 [1.10, 5.30]`, `0 [0, 3.2]`, `– [0.5, ∞]`.
pub(super) fn interval_text(row: &IntervalRow, log_scale: bool) -> String {
    let bound_low = match row.low {
        Some(v) => numbers::ratio(v),
        None if log_scale => "0".to_string(),
        None => "-∞".to_string(),
    };
    let bound_high = row.high.map_or("∞".to_string(), numbers::ratio);
    let est = row
        .estimate
        .map_or("not estimable".to_string(), numbers::ratio);
    if row.low.is_none() && row.high.is_none() && row.estimate.is_none() {
        return est;
    }
    format!("{est} [{bound_low}, {bound_high}]")
}

fn arrow(x: f64, y: f64, pointing_right: bool, class: &str) -> String {
    let d = if pointing_right { 7.0 } else { -7.0 };
    format!(
        "<polygon class=\"{class}\" points=\"{},{} {},{} {},{}\"/>",
        n(x + d),
        n(y),
        n(x),
        n(y - 5.0),
        n(x),
        n(y + 5.0)
    )
}

pub(super) fn intervals(chart: &Intervals, uid: &str) -> String {
    let has_notes = chart.rows.iter().any(|r| r.note.is_some());
    let row_h = if has_notes { 40.0 } else { 30.0 };
    let label_w = 230.0;
    let text_w = 170.0;
    let plot = Plot {
        left: label_w + 12.0,
        top: 12.0,
        width: WIDTH - label_w - 12.0 - text_w - 12.0,
        height: row_h * chart.rows.len().max(1) as f64,
    };
    let height = plot.bottom() + 48.0;
    let scale = Scale::for_rows(chart);
    let desc = if chart.rows.is_empty() {
        "No comparisons to show.".to_string()
    } else {
        chart
            .rows
            .iter()
            .map(|r| format!("{}: {}", r.label, interval_text(r, chart.log_scale)))
            .collect::<Vec<_>>()
            .join("; ")
    };
    let mut out = String::new();
    open_svg(&mut out, uid, height, &chart.title, &desc);
    let x_of = |f: f64| plot.left + f * plot.width;
    for (i, _) in chart.rows.iter().enumerate().filter(|(i, _)| i % 2 == 0) {
        out.push_str(&format!(
            "<rect class=\"zebra\" x=\"0\" y=\"{}\" width=\"{}\" height=\"{}\"/>",
            n(plot.top + row_h * i as f64),
            n(WIDTH),
            n(row_h)
        ));
    }
    for t in scale.ticks() {
        if let Some(f) = scale.fraction(t) {
            let x = n(x_of(f));
            out.push_str(&format!(
                "<line class=\"grid\" x1=\"{x}\" x2=\"{x}\" y1=\"{}\" y2=\"{}\"/>\
<text class=\"tick\" x=\"{x}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
                n(plot.top),
                n(plot.bottom()),
                n(plot.bottom() + 16.0),
                escape::html(&scale.label(t))
            ));
        }
    }
    out.push_str(&format!(
        "<line class=\"axis\" x1=\"{}\" x2=\"{}\" y1=\"{b}\" y2=\"{b}\"/>",
        n(plot.left),
        n(plot.right()),
        b = n(plot.bottom())
    ));
    if let Some(f) = scale.fraction(chart.reference) {
        let x = n(x_of(f));
        out.push_str(&format!(
            "<line class=\"ref\" x1=\"{x}\" x2=\"{x}\" y1=\"{}\" y2=\"{}\"><title>no difference ({})</title></line>",
            n(plot.top - 4.0),
            n(plot.bottom()),
            escape::html(&numbers::ratio(chart.reference))
        ));
    }
    if !chart.x_label.is_empty() {
        out.push_str(&format!(
            "<text class=\"axis-label\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
            n(plot.left + plot.width / 2.0),
            n(plot.bottom() + 38.0),
            escape::html(&escape::truncate(&chart.x_label, 90))
        ));
    }
    for (i, row) in chart.rows.iter().enumerate() {
        let cy = plot.top + row_h * (i as f64 + 0.5);
        out.push_str(&interval_row(chart, row, &scale, plot, cy, has_notes));
    }
    if chart.rows.is_empty() {
        message(
            &mut out,
            plot.left + plot.width / 2.0,
            plot.top + plot.height / 2.0 + 4.0,
            "No comparisons to show",
        );
    }
    out.push_str("</svg>");
    out
}

fn interval_row(
    chart: &Intervals,
    row: &IntervalRow,
    scale: &Scale,
    plot: Plot,
    cy: f64,
    has_notes: bool,
) -> String {
    let mut out = String::new();
    let x_of = |f: f64| plot.left + f * plot.width;
    let label_y = if has_notes { cy - 3.0 } else { cy + 4.0 };
    out.push_str(&format!(
        "<text class=\"row-label\" x=\"8\" y=\"{}\"><title>{}</title>{}</text>",
        n(label_y),
        escape::html(&row.label),
        escape::html(&escape::truncate(&row.label, 32))
    ));
    if let Some(note) = &row.note {
        out.push_str(&format!(
            "<text class=\"row-note\" x=\"8\" y=\"{}\">{}</text>",
            n(cy + 12.0),
            escape::html(&escape::truncate(note, 38))
        ));
    }
    out.push_str(&format!(
        "<text class=\"row-value\" x=\"{}\" y=\"{}\">{}</text>",
        n(plot.right() + 14.0),
        n(cy + 4.0),
        escape::html(&interval_text(row, chart.log_scale))
    ));
    let excludes_ref = match (row.low, row.high) {
        (Some(l), _) if l > chart.reference => true,
        (_, Some(h)) if h < chart.reference => true,
        _ => false,
    };
    let class = if excludes_ref { "sig" } else { "ns" };
    if row.low.is_none() && row.high.is_none() && row.estimate.is_none() {
        return out;
    }
    // The interval: an open end (unbounded, or 0 on a log scale) runs to the
    // edge and ends in an arrow.
    let (x_low, open_low) = match row.low.and_then(|v| scale.fraction(v)) {
        Some(f) => (x_of(f), false),
        None => (plot.left, true),
    };
    let (x_high, open_high) = match row.high.and_then(|v| scale.fraction(v)) {
        Some(f) => (x_of(f), false),
        None => (plot.right(), true),
    };
    out.push_str(&format!(
        "<line class=\"ci {class}\" x1=\"{}\" x2=\"{}\" y1=\"{y}\" y2=\"{y}\"/>",
        n(x_low),
        n(x_high),
        y = n(cy)
    ));
    for (x, open) in [(x_low, open_low), (x_high, open_high)] {
        if !open {
            out.push_str(&format!(
                "<line class=\"ci {class}\" x1=\"{x}\" x2=\"{x}\" y1=\"{}\" y2=\"{}\"/>",
                n(cy - 5.0),
                n(cy + 5.0),
                x = n(x)
            ));
        }
    }
    if open_low {
        out.push_str(&arrow(plot.left, cy, false, &format!("tip {class}")));
    }
    if open_high {
        out.push_str(&arrow(plot.right(), cy, true, &format!("tip {class}")));
    }
    if let Some(e) = row.estimate {
        match scale.fraction(e) {
            Some(f) => {
                let x = x_of(f);
                out.push_str(&format!(
                    "<rect class=\"est {class}\" x=\"{}\" y=\"{}\" width=\"10\" height=\"10\"><title>{}</title></rect>",
                    n(x - 5.0),
                    n(cy - 5.0),
                    escape::html(&interval_text(row, chart.log_scale))
                ));
            }
            // 0 on a log scale, or ∞: a filled arrow at the edge.
            None => {
                let right = e > 0.0;
                let x = if right {
                    plot.right() + 2.0
                } else {
                    plot.left - 2.0
                };
                out.push_str(&arrow(x, cy, right, &format!("est {class}")));
            }
        }
    }
    out
}

/// Where a forest-plot row falls on a text track of some width.
pub(super) struct Track {
    /// Column of the low bound; `None` when open (unbounded, or 0 on a log
    /// scale).
    low: Option<usize>,
    high: Option<usize>,
    estimate: Option<Mark>,
    reference: Option<usize>,
    drawn: bool,
}

enum Mark {
    At(usize),
    /// Below the axis (0 on a log scale) or above it (∞).
    Left,
    Right,
}

/// Each row of `chart` on a track `width` characters wide, on the same
/// scale as the SVG.
pub(super) fn track_positions(chart: &Intervals, width: usize) -> Vec<Track> {
    let scale = Scale::for_rows(chart);
    let col = |v: f64| -> Option<usize> {
        scale
            .fraction(v)
            .map(|f| (f * width.saturating_sub(1) as f64).round() as usize)
    };
    chart
        .rows
        .iter()
        .map(|r| Track {
            low: r.low.and_then(col),
            high: r.high.and_then(col),
            estimate: r.estimate.map(|e| match col(e) {
                Some(c) => Mark::At(c),
                None if e > 0.0 => Mark::Right,
                None => Mark::Left,
            }),
            reference: col(chart.reference),
            drawn: r.low.is_some() || r.high.is_some() || r.estimate.is_some(),
        })
        .collect()
}

impl Track {
    /// `  ├───■──┆──┤   `, with `◀`/`▶` for open ends.
    pub(super) fn draw(&self, width: usize) -> String {
        if width == 0 {
            return String::new();
        }
        let last = width - 1;
        let mut chars = vec![' '; width];
        if let Some(r) = self.reference {
            chars[r.min(last)] = '┆';
        }
        if self.drawn {
            let lo = self.low.unwrap_or(0).min(last);
            let hi = self.high.unwrap_or(last).min(last).max(lo);
            for c in &mut chars[lo..=hi] {
                *c = '─';
            }
            chars[lo] = if self.low.is_some() { '├' } else { '◀' };
            chars[hi] = if self.high.is_some() { '┤' } else { '▶' };
            match self.estimate {
                Some(Mark::At(c)) => chars[c.min(last)] = '■',
                Some(Mark::Left) => chars[0] = '◀',
                Some(Mark::Right) => chars[last] = '▶',
                None => {}
            }
        }
        chars.into_iter().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn forest(rows: Vec<IntervalRow>, log_scale: bool) -> Intervals {
        Intervals {
            title: "Incident rate ratio".to_string(),
            rows,
            reference: 1.0,
            log_scale,
            x_label: "rate ratio (log scale)".to_string(),
        }
    }

    fn row(label: &str, e: Option<f64>, l: Option<f64>, h: Option<f64>) -> IntervalRow {
        IntervalRow {
            label: label.to_string(),
            estimate: e,
            low: l,
            high: h,
            note: None,
        }
    }

    #[test]
    fn forest_plot_handles_open_and_missing_bounds() {
        let chart = forest(
            vec![
                row("all", Some(2.41), Some(1.1), Some(5.3)),
                row("no human incidents", Some(f64::INFINITY), Some(0.8), None),
                row("infinite high", Some(3.0), Some(0.5), Some(f64::INFINITY)),
                row("no AI incidents", Some(0.0), Some(0.0), Some(3.2)),
                row("nothing", None, None, None),
            ],
            true,
        );
        let svg = intervals(&chart, "f");
        assert!(!svg.contains("NaN") && !svg.contains("inf\""), "{svg}");
        assert!(svg.contains("2.41 [1.10, 5.30]"));
        assert!(svg.contains("∞ [0.80, ∞]"));
        assert!(svg.contains("0 [0, 3.20]"));
        assert!(svg.contains("not estimable"));
        // open ends and the estimates at 0 and ∞ are arrows
        assert!(svg.matches("<polygon").count() >= 5, "{svg}");
        assert!(svg.contains("class=\"ref\""));
        assert!(svg.contains("class=\"ci sig\""), "the first row excludes 1");
        for tick in [">0.5<", ">1<", ">2<", ">5<"] {
            assert!(svg.contains(tick), "{tick}");
        }
        for chart in [
            forest(vec![], true),
            forest(vec![], false),
            forest(vec![row("x", Some(0.0), None, None)], true),
            forest(vec![row("x", Some(-1.0), Some(-3.0), Some(2.0))], false),
        ] {
            let svg = intervals(&chart, "f");
            assert!(!svg.contains("NaN"), "{svg}");
        }
    }

    #[test]
    fn text_tracks_follow_the_same_scale() {
        let chart = forest(
            vec![
                row("a", Some(1.0), Some(0.5), Some(2.0)),
                row("b", Some(f64::INFINITY), Some(1.0), None),
                row("c", None, None, None),
            ],
            true,
        );
        let tracks = track_positions(&chart, 21);
        let drawn: Vec<String> = tracks.iter().map(|t| t.draw(21)).collect();
        // ticks 0.5..2 on a log scale: 1 is the middle column
        assert_eq!(drawn[0], "├─────────■─────────┤");
        assert_eq!(drawn[1], "          ├─────────▶");
        assert_eq!(drawn[2], "          ┆          ");
    }
}
