//! Writes result frames for people and for other programs.
//!
//! Values come from logs and are attacker-controlled: the terminal table shows
//! control characters as escapes (no terminal escape injection), CSV cells
//! that a spreadsheet would run as a formula get a leading `'`, and nothing
//! is ever interpreted. Times are written as RFC 3339 UTC text.

use anyhow::{Context, Result, bail};
use clap::ValueEnum;
use polars::prelude::*;
use std::io::Write;
use std::path::Path;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum Format {
    #[default]
    Table,
    Csv,
    Json,
    Ndjson,
    Parquet,
}

/// Widest cell in the terminal table, in characters.
const MAX_CELL: usize = 60;

/// Writes `df` to `output` (a file) or stdout.
/// Writes finished text to `output`, or to stdout.
pub fn write_text(text: &str, output: Option<&Path>) -> Result<()> {
    match output {
        Some(p) => std::fs::write(p, text).with_context(|| format!("writing {}", p.display())),
        None => Ok(std::io::stdout().lock().write_all(text.as_bytes())?),
    }
}

pub fn write_frame(df: &mut DataFrame, format: Format, output: Option<&Path>) -> Result<()> {
    let mut sink: Box<dyn Write> = match output {
        Some(p) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(p).with_context(|| format!("creating {}", p.display()))?,
        )),
        None => {
            if format == Format::Parquet {
                bail!("--format parquet needs --output FILE");
            }
            Box::new(std::io::BufWriter::new(std::io::stdout().lock()))
        }
    };
    match format {
        Format::Table => sink.write_all(render_table(df)?.as_bytes())?,
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

/// A cell a spreadsheet would evaluate starts with one of these.
fn neutralise(v: &str) -> std::borrow::Cow<'_, str> {
    if v.starts_with(['=', '+', '-', '@', '\t', '\r', '|']) {
        std::borrow::Cow::Owned(format!("'{v}"))
    } else {
        std::borrow::Cow::Borrowed(v)
    }
}

fn neutralise_formulas(ca: &StringChunked) -> StringChunked {
    ca.apply_values(|v| std::borrow::Cow::Owned(neutralise(v).into_owned()))
}

/// Control characters shown as escapes, so log text cannot drive a terminal.
pub fn escape_controls(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        if ch.is_control() && ch != '\n' {
            out.extend(ch.escape_default());
        } else {
            out.push(ch);
        }
    }
    out
}

/// Control characters shown as escapes, cut to `MAX_CELL` characters.
fn cell_text(av: AnyValue<'_>) -> String {
    let raw = match av {
        AnyValue::Null => return String::new(),
        AnyValue::String(s) => s.to_string(),
        AnyValue::StringOwned(s) => s.to_string(),
        other => other.to_string(),
    };
    let mut out = String::with_capacity(raw.len().min(MAX_CELL + 8));
    for (n, ch) in raw.chars().enumerate() {
        if n >= MAX_CELL {
            out.push('…');
            break;
        }
        if ch.is_control() {
            out.extend(ch.escape_default());
        } else {
            out.push(ch);
        }
    }
    out
}

/// A plain aligned table; numbers right-aligned.
pub fn render_table(df: &DataFrame) -> Result<String> {
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
    let width = |j: usize| {
        cells
            .iter()
            .map(|r| r[j].chars().count())
            .chain([headers[j].chars().count()])
            .max()
            .unwrap_or(0)
    };
    let widths: Vec<usize> = (0..headers.len()).map(width).collect();
    let mut out = String::new();
    let line = |out: &mut String, row: &[String]| {
        let mut l = String::new();
        for (j, v) in row.iter().enumerate() {
            let pad = widths[j].saturating_sub(v.chars().count());
            if j > 0 {
                l.push_str("  ");
            }
            if numeric[j] {
                l.push_str(&" ".repeat(pad));
                l.push_str(v);
            } else {
                l.push_str(v);
                l.push_str(&" ".repeat(pad));
            }
        }
        out.push_str(l.trim_end());
        out.push('\n');
    };
    line(&mut out, &headers);
    let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
    line(&mut out, &rule);
    for r in &cells {
        line(&mut out, r);
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
        let t = render_table(&df).unwrap();
        assert!(!t.contains('\u{1b}'));
        assert!(t.contains("\\u{1b}[31mred"));
        assert!(t.lines().nth(2).unwrap().ends_with(" 1"), "{t}");
    }
}
