//! The document model every report and timeline is filled into.
//!
//! The numbers are computed elsewhere (SQL over the store); this model only
//! says what to show and in which order, so the HTML, Markdown, terminal and
//! JSON renderers cannot disagree. JSON output is this model serialized:
//! field names are snake_case and part of the interface, enums are tagged
//! with `type` (and `content` for blocks), infinities are written as the
//! strings `"Infinity"`/`"-Infinity"` like the stats module does.
//!
//! Every string here may come from a log and is treated as hostile by the
//! renderers: anchors are slugified, text is escaped, nothing is a URL.

use crate::stats::{serialize_opt_real, serialize_real};
use serde::{Serialize, Serializer};

/// A whole report or timeline.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Document {
    pub title: String,
    pub subtitle: Option<String>,
    /// Tool and version, e.g. `trailblame 0.1.0`, given by the caller.
    pub generated_by: String,
    pub sections: Vec<Section>,
}

/// A titled part of a document; `id` is its anchor (slugified when rendered).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Section {
    pub id: String,
    pub title: String,
    pub blocks: Vec<Block>,
}

/// One piece of content inside a section.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "type", content = "content", rename_all = "snake_case")]
pub enum Block {
    Paragraph(String),
    /// The one sentence a reader should take away, highlighted.
    Verdict(String),
    Metrics(Vec<Metric>),
    Table(Table),
    Chart(Chart),
    Timeline(Timeline),
    /// A muted remark, e.g. "no IAM data given".
    Note(String),
    List(Vec<String>),
}

/// A headline number.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Metric {
    pub label: String,
    /// Already formatted by the caller ("9,076", "62 %").
    pub value: String,
    /// e.g. "+12 % vs 2025-W49".
    pub detail: Option<String>,
    pub trend: Option<Trend>,
}

/// Direction of change from the previous period (shown neutrally: up is not
/// judged good or bad).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Trend {
    Up,
    Down,
    Flat,
}

impl Trend {
    /// The arrow (and a space) the text renderers show before a detail.
    pub fn arrow(self) -> &'static str {
        match self {
            Trend::Up => "▲ ",
            Trend::Down => "▼ ",
            Trend::Flat => "▶ ",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Table {
    pub caption: Option<String>,
    pub columns: Vec<Column>,
    /// Each row should have one cell per column; renderers pad short rows
    /// with empty cells and drop extra cells.
    pub rows: Vec<Vec<Cell>>,
    pub note: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Column {
    pub name: String,
    /// Right-aligned.
    pub numeric: bool,
}

/// One table cell.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Cell {
    Text {
        text: String,
    },
    /// Shown with `precision` decimals and thousands separators; ±∞ as `∞`,
    /// NaN as `–`.
    Number {
        #[serde(serialize_with = "serialize_real")]
        value: f64,
        precision: u8,
    },
    Integer {
        value: i64,
    },
    /// `ratio` 0.625 with precision 1 shows as `62.5%`.
    Percent {
        #[serde(serialize_with = "serialize_real")]
        ratio: f64,
        precision: u8,
    },
    /// A link to an anchor in the same document (slugified; never a URL).
    Link {
        text: String,
        anchor: String,
    },
    /// No value (shown as `–`).
    Empty,
}

/// A chart; every renderer also shows its data as text.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Chart {
    StackedBars(StackedBars),
    Intervals(Intervals),
    Lines(Lines),
}

/// Bars per x label, one segment per series (negative and non-finite values
/// count as 0).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StackedBars {
    pub title: String,
    pub x_labels: Vec<String>,
    pub series: Vec<Series>,
    pub y_label: String,
}

/// A forest plot: one estimate with its interval per row, against a
/// reference line (1.0 for a rate ratio).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Intervals {
    pub title: String,
    pub rows: Vec<IntervalRow>,
    #[serde(serialize_with = "serialize_real")]
    pub reference: f64,
    pub log_scale: bool,
    pub x_label: String,
}

/// `None` means not estimable (estimate) or unbounded (low: 0, high: ∞);
/// an infinite `high` is drawn as an arrow.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct IntervalRow {
    pub label: String,
    #[serde(serialize_with = "serialize_opt_real")]
    pub estimate: Option<f64>,
    #[serde(serialize_with = "serialize_opt_real")]
    pub low: Option<f64>,
    #[serde(serialize_with = "serialize_opt_real")]
    pub high: Option<f64>,
    /// Shown beside the row, e.g. "3 vs 1 incidents".
    pub note: Option<String>,
}

/// One line per series over the x labels (a non-finite value is a gap).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Lines {
    pub title: String,
    pub x_labels: Vec<String>,
    pub series: Vec<Series>,
    pub y_label: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Series {
    pub name: String,
    /// One per x label; missing values count as absent.
    #[serde(serialize_with = "serialize_reals")]
    pub values: Vec<f64>,
    /// Fixes the colour, so AI is the same colour in every chart.
    pub tone: Tone,
}

/// What a series stands for; each has one colour throughout the document.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Tone {
    Ai,
    Human,
    Automation,
    Service,
    Unknown,
    Destructive,
    /// Any other series: coloured by its position in the chart.
    Other,
}

/// A postmortem timeline: what an agent was told, said and ran, what each
/// call caused in CloudTrail, and what else touched the same resources.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Timeline {
    /// Anchor (slugified), the target of links to this timeline.
    pub id: String,
    pub title: String,
    /// In the order given (the caller sorts them).
    pub entries: Vec<TimelineEntry>,
    /// Shown folded in HTML until the reader opens it (the report's
    /// timelines: seven open sessions made it 44,000 px tall).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub collapsed: bool,
    /// Sentences shown under the title, even when folded: time from the
    /// first prompt to the first destructive call, time to recover.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub summary: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TimelineEntry {
    /// RFC 3339, as given by the caller.
    pub time: String,
    /// 0 = top level, 1 = caused by the tool call above it.
    pub depth: u8,
    pub kind: EntryKind,
    pub actor: Option<String>,
    pub text: String,
    /// Longer text shown under `text` (an excerpt, an error message, ARNs).
    pub detail: Option<String>,
    /// Badges: "destructive", "auto-approved", "error: AccessDenied"…
    pub flags: Vec<String>,
    /// Anchor of this entry (slugified), for links from tables.
    pub anchor: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    Prompt,
    Assistant,
    ToolCall,
    Event,
    OtherEvent,
    IncidentStart,
    IncidentEnd,
    Note,
}

impl EntryKind {
    /// The short label every renderer shows.
    pub fn label(self) -> &'static str {
        match self {
            EntryKind::Prompt => "prompt",
            EntryKind::Assistant => "assistant",
            EntryKind::ToolCall => "tool call",
            EntryKind::Event => "event",
            EntryKind::OtherEvent => "other actor",
            EntryKind::IncidentStart => "incident start",
            EntryKind::IncidentEnd => "incident end",
            EntryKind::Note => "note",
        }
    }
}

impl Column {
    pub fn text(name: impl Into<String>) -> Column {
        Column {
            name: name.into(),
            numeric: false,
        }
    }

    pub fn numeric(name: impl Into<String>) -> Column {
        Column {
            name: name.into(),
            numeric: true,
        }
    }
}

impl Cell {
    pub fn text(text: impl Into<String>) -> Cell {
        Cell::Text { text: text.into() }
    }

    pub fn int(value: i64) -> Cell {
        Cell::Integer { value }
    }

    pub fn number(value: f64, precision: u8) -> Cell {
        Cell::Number { value, precision }
    }

    pub fn percent(ratio: f64, precision: u8) -> Cell {
        Cell::Percent { ratio, precision }
    }

    pub fn link(text: impl Into<String>, anchor: impl Into<String>) -> Cell {
        Cell::Link {
            text: text.into(),
            anchor: anchor.into(),
        }
    }

    /// `None` becomes [`Cell::Empty`].
    pub fn opt_text(text: Option<impl Into<String>>) -> Cell {
        text.map_or(Cell::Empty, Cell::text)
    }
}

impl Section {
    pub fn new(id: impl Into<String>, title: impl Into<String>) -> Section {
        Section {
            id: id.into(),
            title: title.into(),
            blocks: Vec::new(),
        }
    }

    /// Adds a block, for chaining.
    pub fn with(mut self, block: Block) -> Section {
        self.blocks.push(block);
        self
    }
}

/// Every value of a series, as [`serialize_real`] writes one.
fn serialize_reals<S: Serializer>(values: &[f64], s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeSeq;
    let mut seq = s.serialize_seq(Some(values.len()))?;
    for v in values {
        seq.serialize_element(&Real(*v))?;
    }
    seq.end()
}

struct Real(f64);

impl Serialize for Real {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        serialize_real(&self.0, s)
    }
}
