//! `trailblame timeline --since T --until T [--actor A | --session S |
//! --resource R | --incident ID] PATH...|--store DIR`: the postmortem view
//! (`analysis::timeline`), as text, HTML, Markdown or JSON.

use super::{InputArgs, RunArgs, TimeArgs, exit_code, open};
use crate::analysis::timeline::{Focus, build, incidents_of, rfc3339};
use crate::document::{Document, Section};
use anyhow::{Result, bail};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Events of this actor: an agent (claude-code, kiro…) or a person (their name or e-mail; an agent working for them counts)
    #[arg(long, group = "focus")]
    pub actor: Option<String>,
    /// One agent session (its id, or the start of it)
    #[arg(long, group = "focus")]
    pub session: Option<String>,
    /// Events naming this resource (an ARN or a name: a stack, bucket, function…)
    #[arg(long, group = "focus")]
    pub resource: Option<String>,
    /// The incident's resources, from its look-back window to its end
    #[arg(long, group = "focus")]
    pub incident: Option<String>,
    /// The incidents file (for --incident and the incident marks); default: `[incidents] file` in trailblame.toml
    #[arg(long, value_name = "FILE")]
    pub incidents: Option<PathBuf>,
    /// With --incident: how far before its start to begin, in minutes
    #[arg(long, default_value_t = 120)]
    pub lookback_minutes: i64,
    /// At most this many entries (the earliest are kept)
    #[arg(long, default_value_t = 1000)]
    pub limit: usize,
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub time: TimeArgs,
    /// Output: text for a terminal, html for a postmortem document, json for programs
    #[arg(long, value_parser = ["text", "html", "json", "md"], default_value = "text")]
    pub format: String,
    /// Write to this file instead of stdout
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub run: RunArgs,
}

pub fn run(a: Args) -> Result<ExitCode> {
    let mut window = a.time.window()?;
    let data = open(&a.input, &a.run)?;
    let incidents = incidents_of(&data, a.incidents.as_deref())?;
    let mut focus = Focus {
        actor: a.actor.clone(),
        session: a.session.clone(),
        resources: a.resource.iter().cloned().collect(),
    };
    if let Some(id) = &a.incident {
        let Some(inc) = incidents.iter().find(|i| i.id == *id) else {
            bail!(
                "incident {id:?} is not in the incidents file ({} incidents read)",
                incidents.len()
            );
        };
        if inc.resources.is_empty() {
            bail!("incident {id:?} names no resources: use --actor, --session or --resource");
        }
        focus.resources = inc.resources.clone();
        window.since = window.since.or(Some(
            inc.started_at - a.lookback_minutes.max(1) * 60_000_000,
        ));
        window.until = window.until.or(Some(
            inc.ended_at.unwrap_or(inc.started_at + 3_600_000_000) + 1,
        ));
    }
    if window.since.is_none() || window.until.is_none() {
        bail!("a timeline needs --since and --until (or --incident ID, which sets them)");
    }
    let title = match a
        .incident
        .as_ref()
        .and_then(|id| incidents.iter().find(|i| i.id == *id))
    {
        Some(inc) => format!(
            "Timeline: {}{}",
            inc.id,
            inc.title
                .as_deref()
                .map_or(String::new(), |t| format!(", {t}"))
        ),
        None => format!("Timeline: {}", focus.describe()),
    };
    let (timeline, total) = build(
        &data, window, &focus, &incidents, "timeline", &title, a.limit,
    )?;
    let shown = timeline.entries.len();
    let subtitle = format!(
        "{} to {}{}",
        rfc3339(window.since.unwrap_or(0)),
        rfc3339(window.until.unwrap_or(0)),
        if total > shown {
            format!(" · first {shown} of {total} entries (--limit)")
        } else {
            format!(" · {total} entries")
        }
    );
    let doc = Document {
        title,
        subtitle: Some(subtitle),
        generated_by: format!("trailblame {}", env!("CARGO_PKG_VERSION")),
        sections: vec![
            Section::new("timeline-section", "What happened")
                .with(crate::document::Block::Timeline(timeline)),
        ],
    };
    let text = match a.format.as_str() {
        "html" => crate::document::to_html(&doc),
        "json" => crate::document::to_json(&doc)? + "\n",
        "md" => crate::document::to_markdown(&doc),
        _ => crate::document::to_text(&doc, terminal_width()),
    };
    crate::output::write_text(&text, a.output.as_deref())?;
    Ok(exit_code(&data))
}

/// `$COLUMNS`, else 120.
pub fn terminal_width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .filter(|w| *w >= 40)
        .unwrap_or(120)
}
