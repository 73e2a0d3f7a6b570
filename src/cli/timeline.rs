//! `trailblame timeline [--actor A | --session S | --resource R |
//! --incident ID] [--since T] [--until T] PATH...|--store DIR`: the
//! postmortem view (`analysis::timeline`), as text, HTML, Markdown or JSON.
//!
//! The window defaults to what the focus covers: a session's first to last
//! record, an incident's look-back to its end, else the data's span. A
//! session or actor that names nothing in the data is an error naming it,
//! not an empty timeline.

use super::{DocFormat, InputArgs, RunArgs, TimeArgs, exit_code, open};
use crate::analysis::timeline::{Focus, build, incidents_of, rfc3339, sessions_like};
use crate::document::{Document, Section};
use crate::sql::TimeWindow;
use crate::terminal::Display;
use crate::workspace::Workspace;
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
    /// Output: text for a terminal, html for a postmortem document, md for an issue, json for programs
    #[arg(long, value_enum, default_value_t = DocFormat::Text)]
    pub format: DocFormat,
    /// Write to this file instead of stdout
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub run: RunArgs,
}

pub fn run(a: Args, ui: Display, wide: bool) -> Result<ExitCode> {
    let mut window = a.time.window()?;
    let data = open(&a.input, &a.run)?;
    let incidents = incidents_of(&data, a.incidents.as_deref())?;
    let mut focus = Focus {
        actor: a.actor.clone(),
        session: a.session.clone(),
        resources: a.resource.iter().cloned().collect(),
    };
    if focus.actor.is_none()
        && focus.session.is_none()
        && focus.resources.is_empty()
        && a.incident.is_none()
    {
        bail!(
            "say what the timeline is about: --actor, --session, --resource or --incident \
             (`trailblame summary` lists actors and sessions)"
        );
    }
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
    if let Some(prefix) = &a.session {
        window = session_window(&data, prefix, window)?;
    }
    if let Some(actor) = &a.actor {
        check_actor(&data, actor)?;
    }
    if window.since.is_none() || window.until.is_none() {
        let (lo, hi) = data_span(&data)?;
        window.since = window.since.or(Some(lo));
        window.until = window.until.or(Some(hi + 1));
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
    let width = ui.for_output(a.output.as_deref()).document_width(wide);
    let text = a.format.render(&doc, width)?;
    crate::output::write_text(&text, a.output.as_deref())?;
    Ok(exit_code(&data))
}

/// Minutes around a session's records its window reaches (the CloudTrail
/// events its last calls caused arrive a little after them).
const SESSION_MARGIN_US: i64 = 5 * 60_000_000;

/// The window of the one session `prefix` names: the given bounds, else
/// its records' span with a margin. An unknown or ambiguous prefix is an
/// error naming it.
fn session_window(data: &Workspace, prefix: &str, given: TimeWindow) -> Result<TimeWindow> {
    let shown = crate::output::escape_controls(prefix);
    let found = sessions_like(data, prefix)?;
    let one = match found.as_slice() {
        [] => bail!(
            "no agent session {shown:?} in the data (`trailblame query \
             \"SELECT session_id, agent, started_at FROM agent_sessions\"` lists them)"
        ),
        [one] => one,
        many => bail!(
            "--session {shown:?} starts {} session ids ({}{}): give more of the id",
            many.len(),
            many.iter()
                .take(5)
                .map(|m| crate::output::escape_controls(&m.id))
                .collect::<Vec<_>>()
                .join(", "),
            if many.len() > 5 { ", …" } else { "" }
        ),
    };
    let (lo, hi) = match one.span {
        Some(s) => s,
        None => data_span(data)?,
    };
    Ok(TimeWindow {
        since: given.since.or(Some(lo - SESSION_MARGIN_US)),
        until: given.until.or(Some(hi + SESSION_MARGIN_US)),
    })
}

/// An actor no event names (as actor or operator) is a typo: say so.
fn check_actor(data: &Workspace, actor: &str) -> Result<()> {
    let mut cx = data.sql(TimeWindow::default())?;
    let sql = crate::sql::substitute(
        "SELECT COUNT(*) AS n FROM events WHERE lower(actor) = lower(:who) OR lower(operator) = lower(:who) \
         OR actor ILIKE :who_at OR operator ILIKE :who_at",
        &[
            ("who".to_string(), actor.to_string()),
            ("who_at".to_string(), format!("{actor}@%")),
        ],
    )?;
    let df = crate::sql::run(&mut cx, &sql)?;
    let n = df
        .column("n")?
        .cast(&polars::prelude::DataType::UInt64)?
        .u64()?
        .get(0)
        .unwrap_or(0);
    if n == 0 {
        bail!(
            "no events of actor {:?} in the data (an agent such as claude-code or kiro, or a person's name or e-mail; \
             `trailblame summary` lists them)",
            crate::output::escape_controls(actor)
        );
    }
    Ok(())
}

/// The first and last event time in the data (µs).
fn data_span(data: &Workspace) -> Result<(i64, i64)> {
    let mut cx = data.sql(TimeWindow::default())?;
    let df = crate::sql::run(
        &mut cx,
        "SELECT CAST(MIN(event_time) AS BIGINT) AS lo, CAST(MAX(event_time) AS BIGINT) AS hi FROM events",
    )?;
    match (
        df.column("lo")?.i64()?.get(0),
        df.column("hi")?.i64()?.get(0),
    ) {
        (Some(lo), Some(hi)) => Ok((lo, hi)),
        _ => bail!("no CloudTrail events in the data: there is nothing to put on a timeline"),
    }
}
