//! What every renderer shows the same way: a chart's data as a table (the
//! Markdown and terminal forms of a chart, and the HTML "data" fold), and
//! timeline times shortened when a whole timeline falls on one day.

use super::forest::interval_text;
use super::model::{Cell, Chart, Column, Table, Timeline};
use super::numbers;

/// A chart's numbers as a table: one row per x label (with a total for
/// stacked bars), or one row per interval.
pub fn chart_table(chart: &Chart) -> Table {
    match chart {
        Chart::StackedBars(bars) => {
            let mut columns = vec![Column::text("Period")];
            columns.extend(bars.series.iter().map(|s| Column::numeric(s.name.clone())));
            columns.push(Column::numeric("Total"));
            let p: Vec<u8> = bars.series.iter().map(|s| precision(&s.values)).collect();
            let p_total = p.iter().copied().max().unwrap_or(0);
            let rows = bars
                .x_labels
                .iter()
                .enumerate()
                .map(|(i, label)| {
                    let mut row = vec![Cell::text(label.clone())];
                    let mut total = 0.0;
                    for (s, &p) in bars.series.iter().zip(&p) {
                        let v = s
                            .values
                            .get(i)
                            .copied()
                            .map_or(0.0, numbers::finite_or_zero);
                        total += v.max(0.0);
                        row.push(value_cell(v, p));
                    }
                    row.push(value_cell(total, p_total));
                    row
                })
                .collect();
            Table {
                caption: Some(bars.title.clone()),
                columns,
                rows,
                note: None,
            }
        }
        Chart::Lines(lines) => {
            let mut columns = vec![Column::text("Period")];
            columns.extend(lines.series.iter().map(|s| Column::numeric(s.name.clone())));
            let rows = lines
                .x_labels
                .iter()
                .enumerate()
                .map(|(i, label)| {
                    let mut row = vec![Cell::text(label.clone())];
                    for s in &lines.series {
                        row.push(match s.values.get(i) {
                            Some(v) if v.is_finite() => value_cell(*v, precision(&s.values)),
                            _ => Cell::Empty,
                        });
                    }
                    row
                })
                .collect();
            Table {
                caption: Some(lines.title.clone()),
                columns,
                rows,
                note: None,
            }
        }
        Chart::Intervals(iv) => Table {
            caption: Some(iv.title.clone()),
            columns: vec![
                Column::text("Comparison"),
                Column::numeric("Estimate [interval]"),
                Column::text("Note"),
            ],
            rows: iv
                .rows
                .iter()
                .map(|r| {
                    vec![
                        Cell::text(r.label.clone()),
                        Cell::text(interval_text(r, iv.log_scale)),
                        Cell::opt_text(r.note.clone()),
                    ]
                })
                .collect(),
            note: (!iv.x_label.is_empty()).then(|| iv.x_label.clone()),
        },
    }
}

/// Decimals that show every finite value of a series exactly, at most 3:
/// a column of `18.0`, `22.5` rather than `18`, `22.5`.
fn precision(values: &[f64]) -> u8 {
    (0..3)
        .find(|&p| {
            let scale = 10f64.powi(i32::from(p));
            values
                .iter()
                .filter(|v| v.is_finite())
                .all(|v| ((v * scale).round() - v * scale).abs() < 1e-6 * scale.max(v.abs()))
        })
        .unwrap_or(3)
}

fn value_cell(v: f64, precision: u8) -> Cell {
    if precision == 0 && v.abs() < 9e15 {
        Cell::int(v.round() as i64)
    } else {
        Cell::number(v, precision)
    }
}

/// The timeline's times as shown: `14:03:12` when every entry is on the
/// same UTC day (returned first, for the caption), else the full string.
pub fn timeline_times(timeline: &Timeline) -> (Option<String>, Vec<String>) {
    let date_of = |t: &str| -> Option<String> {
        let date = t.get(..10)?;
        let ok = t
            .as_bytes()
            .get(10)
            .is_some_and(|b| *b == b'T' || *b == b' ')
            && date.bytes().enumerate().all(|(i, b)| {
                if i == 4 || i == 7 {
                    b == b'-'
                } else {
                    b.is_ascii_digit()
                }
            });
        ok.then(|| date.to_string())
    };
    let dates: Vec<Option<String>> = timeline.entries.iter().map(|e| date_of(&e.time)).collect();
    let common = match dates.first() {
        Some(Some(first)) if dates.iter().all(|d| d.as_ref() == Some(first)) => Some(first.clone()),
        _ => None,
    };
    let times = timeline
        .entries
        .iter()
        .map(|e| match &common {
            Some(_) => {
                let rest = e.time.get(11..).unwrap_or("");
                let clock = rest.get(..8).unwrap_or(rest);
                clock.to_string()
            }
            None => e.time.clone(),
        })
        .collect();
    (common, times)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::model::{EntryKind, TimelineEntry};

    fn entry(time: &str) -> TimelineEntry {
        TimelineEntry {
            time: time.to_string(),
            depth: 0,
            kind: EntryKind::Event,
            actor: None,
            text: String::new(),
            detail: None,
            flags: vec![],
            anchor: None,
        }
    }

    #[test]
    fn chart_columns_share_their_decimals() {
        assert_eq!(precision(&[18.0, 22.5, f64::NAN]), 1);
        assert_eq!(precision(&[1.0, 2.0]), 0);
        assert_eq!(precision(&[0.125]), 3);
        assert_eq!(precision(&[1.0 / 3.0]), 3);
        assert_eq!(precision(&[1e9, 2e9]), 0);
    }

    #[test]
    fn times_shorten_only_within_one_day() {
        let mut tl = Timeline {
            id: "t".into(),
            title: "t".into(),
            entries: vec![
                entry("2025-12-10T14:03:12.123Z"),
                entry("2025-12-10T15:00:00Z"),
            ],
            collapsed: false,
            summary: Vec::new(),
        };
        let (date, times) = timeline_times(&tl);
        assert_eq!(date.as_deref(), Some("2025-12-10"));
        assert_eq!(times, ["14:03:12", "15:00:00"]);
        tl.entries.push(entry("2025-12-11T00:00:01Z"));
        let (date, times) = timeline_times(&tl);
        assert_eq!(date, None);
        assert_eq!(times[2], "2025-12-11T00:00:01Z");
        tl.entries = vec![entry("ü")];
        assert_eq!(timeline_times(&tl), (None, vec!["ü".to_string()]));
    }
}
