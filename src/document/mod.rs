//! Reports and timelines as documents, and their renderers.
//!
//! The caller (the `report` and `timeline` subcommands) computes every
//! number and fills a [`Document`]: sections of paragraphs, verdicts,
//! headline metrics, tables, charts and timelines. This module only turns
//! that model into output: [`to_html`] (one self-contained page with inline
//! SVG charts), [`to_markdown`] (GitHub-flavoured), [`to_text`] (a terminal
//! of a given width) and [`to_json`] (the model itself).
//!
//! Every string in the model may come from an attacker's log line: each
//! renderer escapes for its format (`escape`), anchors are slugified to
//! `[a-z0-9-]` and links only ever point inside the document.

pub mod escape;
mod forest;
mod html;
mod layout;
mod markdown;
mod model;
pub mod numbers;
mod svg;
#[cfg(test)]
mod tests;
pub(crate) mod text;

pub use escape::slugify;
pub use html::to_html;
pub use markdown::to_markdown;
pub use model::{
    Block, Cell, Chart, Column, Document, EntryKind, IntervalRow, Intervals, Lines, Metric,
    Section, Series, StackedBars, Table, Timeline, TimelineEntry, Tone, Trend,
};
pub use text::to_text;

/// The model as pretty-printed JSON (snake_case field names; ±∞ as
/// `"Infinity"`, NaN as null).
pub fn to_json(doc: &Document) -> serde_json::Result<String> {
    serde_json::to_string_pretty(doc)
}
