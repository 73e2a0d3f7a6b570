//! Writes result frames for people and for other programs.
//!
//! Values come from logs and are attacker-controlled: the terminal table shows
//! control and bidirectional-override characters as escapes (no terminal
//! escape injection, no text that reads differently from what it is), CSV
//! cells get the same escapes (a CSV may be read in a terminal) and a
//! leading `'` when a spreadsheet would run them as a formula, and nothing
//! is ever interpreted. Times are written as RFC 3339 UTC text. The
//! character rules are `document::escape`'s, shared by every renderer.

use crate::document::escape::{is_unsafe_char, terminal, width};
use crate::terminal::{Display, bold, cut_middle, tint};
use anyhow::{Context, Result, bail};
use clap::ValueEnum;
use polars::prelude::*;
use std::io::Write;
use std::path::Path;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Aligned columns for a terminal (also `text`)
    #[default]
    #[value(alias = "text")]
    Table,
    Csv,
    Json,
    Ndjson,
    Parquet,
    /// OCSF 1.1 API Activity records as JSON lines (`attribute` only,
    /// so hidden from the other commands' help)
    #[value(hide = true)]
    Ocsf,
    /// OCSF 1.1 API Activity records as Parquet (`attribute` only)
    #[value(hide = true)]
    OcsfParquet,
}

impl Format {
    /// The name `--format` takes.
    pub fn name(self) -> &'static str {
        match self {
            Format::Table => "table",
            Format::Csv => "csv",
            Format::Json => "json",
            Format::Ndjson => "ndjson",
            Format::Parquet => "parquet",
            Format::Ocsf => "ocsf",
            Format::OcsfParquet => "ocsf-parquet",
        }
    }
}

/// Writes finished text to `output`, or to stdout.
pub fn write_text(text: &str, output: Option<&Path>) -> Result<()> {
    match output {
        Some(p) => std::fs::write(p, text).with_context(|| format!("writing {}", p.display())),
        None => Ok(std::io::stdout().lock().write_all(text.as_bytes())?),
    }
}

/// Writes `df` to `output` (a file) or stdout, the table fitted to `display`.
pub fn write_frame(
    df: &mut DataFrame,
    format: Format,
    output: Option<&Path>,
    display: Display,
) -> Result<()> {
    let mut sink: Box<dyn Write> = match output {
        Some(p) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(p).with_context(|| format!("creating {}", p.display()))?,
        )),
        None => {
            if format == Format::Parquet {
                bail!("--format parquet needs --output FILE");
            }
            if matches!(format, Format::Ocsf | Format::OcsfParquet) {
                bail!("--format ocsf and ocsf-parquet are written by `trailblame attribute` only");
            }
            Box::new(std::io::BufWriter::new(std::io::stdout().lock()))
        }
    };
    match format {
        Format::Table => {
            sink.write_all(render_table(df, display.for_output(output))?.as_bytes())?
        }
        Format::Csv => {
            let mut text = texty(df, true)?;
            CsvWriter::new(&mut sink)
                .include_header(true)
                .finish(&mut text)?;
        }
        Format::Json => {
            let mut text = texty(df, false)?;
            JsonWriter::new(&mut sink)
                .with_json_format(JsonFormat::Json)
                .finish(&mut text)?;
            sink.write_all(b"\n")?;
        }
        Format::Ndjson => {
            let mut text = texty(df, false)?;
            JsonWriter::new(&mut sink)
                .with_json_format(JsonFormat::JsonLines)
                .finish(&mut text)?;
        }
        Format::Parquet => {
            ParquetWriter::new(&mut sink).finish(df)?;
        }
        Format::Ocsf | Format::OcsfParquet => {
            bail!("--format ocsf and ocsf-parquet are written by `trailblame attribute` only")
        }
    }
    sink.flush()?;
    Ok(())
}

/// Converts times to RFC 3339 text, and for CSV also lists to JSON text and
/// formula-looking strings to inert text.
pub fn texty(df: &DataFrame, csv: bool) -> Result<DataFrame> {
    let mut cols = Vec::with_capacity(df.width());
    for c in df.columns() {
        let s = c.as_materialized_series();
        let out = match s.dtype() {
            DataType::Datetime(..) => s
                .datetime()?
                .to_string("%Y-%m-%dT%H:%M:%S%.fZ")?
                .into_series(),
            DataType::Date => s.date()?.to_string("%Y-%m-%d")?.into_series(),
            DataType::List(_) if csv => list_to_json_text(s)?,
            DataType::String if csv => neutralise_formulas(s.str()?).into_series(),
            _ => s.clone(),
        };
        cols.push(out.with_name(s.name().clone()).into_column());
    }
    Ok(DataFrame::new(df.height(), cols)?)
}

fn list_to_json_text(s: &Series) -> Result<Series> {
    let ca = s.list()?;
    let mut out: Vec<Option<String>> = Vec::with_capacity(ca.len());
    for v in ca.series_iter() {
        out.push(match v {
            None => None,
            Some(inner) => {
                let items: Vec<serde_json::Value> = inner
                    .iter()
                    .map(|av| match av {
                        AnyValue::Null => serde_json::Value::Null,
                        AnyValue::String(x) => serde_json::Value::String(x.to_string()),
                        other => serde_json::Value::String(other.to_string()),
                    })
                    .collect();
                Some(neutralise(&serde_json::Value::Array(items).to_string()).into_owned())
            }
        });
    }
    Ok(StringChunked::from_iter_options(s.name().clone(), out.into_iter()).into_series())
}

/// A CSV cell made inert: control and bidi characters as escapes (tab,
/// newline and carriage return stay: CSV quoting carries them), and a
/// leading `'` when a spreadsheet would evaluate the cell — it starts with
/// `= + - @ |`, a tab or a carriage return, or with spaces before one of
/// those.
fn neutralise(v: &str) -> std::borrow::Cow<'_, str> {
    let unsafe_char = |ch: char| is_unsafe_char(ch) && !matches!(ch, '\t' | '\n' | '\r');
    let v: std::borrow::Cow<'_, str> = if v.chars().any(unsafe_char) {
        let mut out = String::with_capacity(v.len() + 8);
        for ch in v.chars() {
            if unsafe_char(ch) {
                out.push_str(&terminal(ch.encode_utf8(&mut [0; 4])));
            } else {
                out.push(ch);
            }
        }
        std::borrow::Cow::Owned(out)
    } else {
        std::borrow::Cow::Borrowed(v)
    };
    let formula = v.starts_with(['\t', '\r'])
        || v.trim_start_matches(' ')
            .starts_with(['=', '+', '-', '@', '|']);
    if formula {
        std::borrow::Cow::Owned(format!("'{v}"))
    } else {
        v
    }
}

fn neutralise_formulas(ca: &StringChunked) -> StringChunked {
    ca.apply_values(|v| std::borrow::Cow::Owned(neutralise(v).into_owned()))
}

/// Control and bidi characters shown as escapes (newlines kept), so log
/// text cannot drive a terminal or reorder what it shows.
pub fn escape_controls(s: &str) -> String {
    s.split('\n').map(terminal).collect::<Vec<_>>().join("\n")
}

/// A cell as terminal text: control and bidi characters shown as escapes.
fn cell_text(av: AnyValue<'_>) -> String {
    match av {
        AnyValue::Null => String::new(),
        AnyValue::String(s) => terminal(s),
        AnyValue::StringOwned(s) => terminal(&s),
        other => terminal(&other.to_string()),
    }
}

/// A plain aligned table, numbers right-aligned, each row fitted to
/// `display.width` (the widest columns are cut in the middle first) and
/// never cut when it has none.
pub fn render_table(df: &DataFrame, display: Display) -> Result<String> {
    let df = texty(df, false)?;
    let headers: Vec<String> = df
        .get_column_names()
        .iter()
        .map(|n| n.to_string())
        .collect();
    let numeric: Vec<bool> = df
        .columns()
        .iter()
        .map(|c| c.dtype().is_primitive_numeric())
        .collect();
    let mut cells: Vec<Vec<String>> = Vec::with_capacity(df.height());
    for i in 0..df.height() {
        let mut row = Vec::with_capacity(df.width());
        for c in df.columns() {
            row.push(cell_text(c.get(i)?));
        }
        cells.push(row);
    }
    let widths: Vec<usize> = match display.width {
        // Headers stay whole (and cells keep at least 12 columns): a table
        // too wide for that runs past the terminal rather than into noise.
        Some(w) => {
            crate::document::text::fit_columns_above(&headers, &cells, w, |n, h| n.min(h.max(12)))
        }
        None => (0..headers.len())
            .map(|j| {
                cells
                    .iter()
                    .map(|r| width(&r[j]))
                    .chain([width(&headers[j])])
                    .max()
                    .unwrap_or(0)
            })
            .collect(),
    };
    let mut out = String::new();
    let line = |out: &mut String, row: &[String], header: bool| {
        let mut l = String::new();
        let last = row.len().saturating_sub(1);
        for (j, v) in row.iter().enumerate() {
            let v = cut_middle(v, widths[j]);
            let pad = widths[j].saturating_sub(width(&v));
            if j > 0 {
                l.push_str("  ");
            }
            let shown = if header {
                bold(&v, display.color)
            } else {
                tint(&v, display.color)
            };
            if numeric[j] {
                l.push_str(&" ".repeat(pad));
                l.push_str(&shown);
            } else {
                l.push_str(&shown);
                if j < last {
                    l.push_str(&" ".repeat(pad));
                }
            }
        }
        out.push_str(l.trim_end());
        out.push('\n');
    };
    line(&mut out, &headers, true);
    let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
    line(&mut out, &rule, false);
    for r in &cells {
        line(&mut out, r, false);
    }
    if df.height() == 0 {
        out.push_str("(no rows)\n");
    }
    Ok(out)
}

/// The frame as a JSON array of objects (for commands that nest tables).
pub fn to_json_value(df: &DataFrame) -> Result<serde_json::Value> {
    let mut text = texty(df, false)?;
    let mut buf = Vec::new();
    JsonWriter::new(&mut buf)
        .with_json_format(JsonFormat::Json)
        .finish(&mut text)?;
    if buf.is_empty() {
        return Ok(serde_json::Value::Array(vec![]));
    }
    Ok(serde_json::from_slice(&buf)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised_in_csv() {
        let df = df!("ua" => ["=HYPERLINK(\"x\")", "aws-cli/2", "+1", "@SUM(A1)", "-2"]).unwrap();
        let out = texty(&df, true).unwrap();
        let v: Vec<_> = out
            .column("ua")
            .unwrap()
            .str()
            .unwrap()
            .iter()
            .map(|v| v.unwrap())
            .collect();
        assert_eq!(
            v,
            vec!["'=HYPERLINK(\"x\")", "aws-cli/2", "'+1", "'@SUM(A1)", "'-2"]
        );
    }

    #[test]
    fn table_escapes_control_characters() {
        let df = df!("ua" => ["\u{1b}[31mred", "ok"], "n" => [1i64, 22]).unwrap();
        let t = render_table(&df, Display::default()).unwrap();
        assert!(!t.contains('\u{1b}'));
        assert!(t.contains("\\u{1b}[31mred"));
        assert!(t.lines().nth(2).unwrap().ends_with(" 1"), "{t}");
    }

    #[test]
    fn csv_cells_are_inert_for_spreadsheets_and_terminals() {
        let df = df!("v" => [
            "  =HYPERLINK(\"http://x\")",
            "\u{1b}]8;;http://x\u{7}link\u{1b}]8;;\u{7}",
            "evil\u{202E}txt.exe",
            "a\tb\nc",
            " plain",
        ])
        .unwrap();
        let out = texty(&df, true).unwrap();
        let v: Vec<&str> = out
            .column("v")
            .unwrap()
            .str()
            .unwrap()
            .iter()
            .map(|v| v.unwrap())
            .collect();
        assert_eq!(v[0], "'  =HYPERLINK(\"http://x\")");
        assert!(
            !v[1].contains('\u{1b}') && !v[1].contains('\u{7}'),
            "{}",
            v[1]
        );
        assert_eq!(v[1], "\\u{1b}]8;;http://x\\u{7}link\\u{1b}]8;;\\u{7}");
        assert_eq!(v[2], "evil\\u{202e}txt.exe");
        assert_eq!(v[3], "a\tb\nc");
        assert_eq!(v[4], " plain");
    }

    #[test]
    fn tables_and_messages_escape_bidi_overrides() {
        let df = df!("ua" => ["evil\u{202E}txt.exe"]).unwrap();
        let t = render_table(&df, Display::default()).unwrap();
        assert!(!t.contains('\u{202E}'), "{t}");
        assert!(t.contains("evil\\u{202e}txt.exe"), "{t}");
        assert_eq!(
            escape_controls("line one\nx\u{202E}y\u{7}"),
            "line one\nx\\u{202e}y\\u{7}"
        );
    }
}
