//! `trailblame explain EVENT_ID PATH...|--store DIR`: the full reasoning for
//! one event: the event, every signal, the tool call that caused it with the
//! transcript around it, and the other calls that were considered.

use super::{InputArgs, RunArgs, exit_code, open};
use crate::attribution::{self, Explained};
use crate::output::{escape_controls, render_table};
use crate::schema::{events, table, transcripts};
use anyhow::{Result, bail};
use polars::prelude::*;
use std::fmt::Write as _;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// The event's eventID (the `event_id` column) or its `event_key`; when
    /// several events share an eventID, the first is explained and the
    /// others' keys are listed
    #[arg(value_name = "EVENT_ID")]
    pub event_id: String,
    #[command(flatten)]
    pub input: InputArgs,
    /// Output: text for people, json for programs
    #[arg(long, value_parser = ["text", "json"], default_value = "text")]
    pub format: String,
    /// Transcript messages shown before the call
    #[arg(long, default_value_t = 6)]
    pub context: usize,
    #[command(flatten)]
    pub run: RunArgs,
}

const EVENT_FIELDS: &[&str] = &[
    events::EVENT_TIME,
    events::ACCOUNT_ID,
    events::AWS_REGION,
    events::EVENT_SOURCE,
    events::EVENT_NAME,
    events::IDENTITY_TYPE,
    events::PRINCIPAL_ARN,
    events::SESSION_NAME,
    events::SOURCE_IDENTITY,
    events::INVOKED_BY,
    events::ACCESS_KEY_ID,
    events::SOURCE_IP,
    events::USER_AGENT,
    events::ERROR_CODE,
    events::READ_ONLY,
    events::SOURCE_FILE,
];

fn one_row(lf: LazyFrame) -> Result<DataFrame> {
    Ok(lf.limit(1).collect()?)
}

fn cell(df: &DataFrame, name: &str) -> String {
    df.column(name)
        .ok()
        .and_then(|c| c.get(0).ok())
        .map(|v| match v {
            AnyValue::Null => String::new(),
            AnyValue::String(s) => s.to_string(),
            AnyValue::StringOwned(s) => s.to_string(),
            other => other.to_string(),
        })
        .unwrap_or_default()
}

fn fmt_us(t: i64) -> String {
    chrono::DateTime::from_timestamp_micros(t)
        .map(|d| d.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string())
        .unwrap_or_else(|| t.to_string())
}

pub fn run(a: Args) -> Result<ExitCode> {
    let data = open(&a.input, &a.run)?;
    let Some(x) = attribution::explain(&data.store, &data.settings.attribution, &a.event_id)?
    else {
        bail!(
            "no event with event_id {:?} in the store (ids are CloudTrail eventIDs; `trailblame attribute` lists them)",
            escape_controls(&a.event_id)
        );
    };
    let event = one_row(
        data.store
            .scan(table::EVENTS)?
            .filter(col(events::EVENT_KEY).eq(lit(x.event_key.clone()))),
    )?;
    let event_id = cell(&event, events::EVENT_ID);
    let (call_row, messages) = match &x.call {
        Some(c) => {
            let call_row = one_row(
                data.store.scan(table::TOOL_CALLS)?.filter(
                    col(transcripts::SESSION_ID)
                        .eq(lit(c.session_id.clone()))
                        .and(col(transcripts::CALL_ID).eq(lit(c.call_id.clone()))),
                ),
            )?;
            let t = |us: i64| {
                lit(us).cast(DataType::Datetime(
                    TimeUnit::Microseconds,
                    Some(TimeZone::UTC),
                ))
            };
            let until = c.ended_at.unwrap_or(c.started_at);
            let msgs = data
                .store
                .scan(table::MESSAGES)?
                .filter(
                    col(transcripts::SESSION_ID)
                        .eq(lit(c.session_id.clone()))
                        .and(col(transcripts::TIME).lt_eq(t(until))),
                )
                .sort([transcripts::TIME], SortMultipleOptions::default())
                .select([
                    col(transcripts::TIME),
                    col(transcripts::ROLE),
                    col(transcripts::TEXT_EXCERPT),
                ])
                .collect()?;
            let keep = msgs.height().saturating_sub(a.context);
            (Some(call_row), Some(msgs.slice(keep as i64, a.context)))
        }
        None => (None, None),
    };
    let text = match a.format.as_str() {
        "json" => json(&event_id, &event, &x, call_row.as_ref(), messages.as_ref())?,
        _ => text(&event_id, &event, &x, call_row.as_ref(), messages.as_ref())?,
    };
    print!("{text}");
    Ok(exit_code(&data))
}

fn text(
    id: &str,
    event: &DataFrame,
    x: &Explained,
    call_row: Option<&DataFrame>,
    messages: Option<&DataFrame>,
) -> Result<String> {
    let mut o = String::new();
    let e = |s: String| escape_controls(&s);
    writeln!(o, "event {} (key {})", e(id.to_string()), x.event_key)?;
    if !x.same_id.is_empty() {
        writeln!(
            o,
            "  {} other event(s) share this eventID but differ; each has its own label (explain them by key: {})",
            x.same_id.len(),
            x.same_id.join(", ")
        )?;
    }
    for f in EVENT_FIELDS {
        let v = cell(event, f);
        if !v.is_empty() {
            writeln!(o, "  {f:<16} {}", e(v))?;
        }
    }
    let l = &x.label;
    writeln!(
        o,
        "\nlabel: {} {}{} (confidence {:.2})",
        l.kind.as_str(),
        e(l.actor.clone().unwrap_or_else(|| "-".into())),
        l.operator
            .as_ref()
            .map(|p| format!(", operator {}", e(p.clone())))
            .unwrap_or_default(),
        l.confidence
    )?;
    writeln!(o, "reason: {}", e(l.reason.clone()))?;
    writeln!(o, "evidence:")?;
    for ev in &l.evidence {
        writeln!(o, "  - {}", e(ev.clone()))?;
    }
    if let (Some(c), Some(row)) = (&x.call, call_row) {
        writeln!(
            o,
            "\ntool call {} in session {} ({})",
            e(c.call_id.clone()),
            e(c.session_id.clone()),
            e(c.agent.clone())
        )?;
        writeln!(
            o,
            "  ran {} → {}",
            fmt_us(c.started_at),
            c.ended_at
                .map(fmt_us)
                .unwrap_or_else(|| "no result recorded".into())
        )?;
        for f in [
            transcripts::COMMAND,
            transcripts::OUTCOME,
            transcripts::EXIT_CODE,
            transcripts::APPROVAL,
            transcripts::APPROVAL_EVIDENCE,
            transcripts::SOURCE_FILE,
            transcripts::SOURCE_LINE,
        ] {
            let v = cell(row, f);
            if !v.is_empty() {
                writeln!(o, "  {f:<18} {}", e(v))?;
            }
        }
        writeln!(o, "  expected events    {}", e(c.expected.join(", ")))?;
        if let Some(m) = messages
            && m.height() > 0
        {
            writeln!(o, "\ntranscript up to the call's result:")?;
            o.push_str(&render_table(m)?);
        }
    }
    if x.candidates.is_empty() {
        writeln!(
            o,
            "\nno tool call was a candidate (no transcript call expected this event in its time window)"
        )?;
    } else {
        writeln!(o, "\ncandidate tool calls (best first):")?;
        for (c, cand) in &x.candidates {
            let chosen = x.label.call == Some(cand.call);
            writeln!(
                o,
                "  {} score {:.2}  {}/{}  `{}`\n      {}",
                if chosen { "*" } else { " " },
                cand.score,
                e(c.session_id.clone()),
                e(c.call_id.clone()),
                e(c.command
                    .clone()
                    .unwrap_or_default()
                    .chars()
                    .take(100)
                    .collect()),
                if cand.score > 0.0 {
                    cand.notes.join("; ")
                } else {
                    format!("ruled out: {}", cand.notes.join("; "))
                }
            )?;
        }
    }
    Ok(o)
}

fn json(
    id: &str,
    event: &DataFrame,
    x: &Explained,
    call_row: Option<&DataFrame>,
    messages: Option<&DataFrame>,
) -> Result<String> {
    let l = &x.label;
    let v = serde_json::json!({
        "event_id": id,
        "event_key": x.event_key,
        "same_event_id": x.same_id,
        "event": crate::output::to_json_value(event)?,
        "actor_kind": l.kind.as_str(),
        "actor": l.actor,
        "operator": l.operator,
        "agent_session_id": x.call.as_ref().map(|c| &c.session_id),
        "tool_call_id": x.call.as_ref().map(|c| &c.call_id),
        "confidence": l.confidence,
        "evidence": l.evidence,
        "reason": l.reason,
        "tool_call": call_row.map(crate::output::to_json_value).transpose()?,
        "transcript": messages.map(crate::output::to_json_value).transpose()?,
        "candidates": x.candidates.iter().map(|(c, cand)| serde_json::json!({
            "session_id": c.session_id,
            "call_id": c.call_id,
            "command": c.command,
            "score": cand.score,
            "ruled_out": cand.score == 0.0,
            "notes": cand.notes,
        })).collect::<Vec<_>>(),
    });
    Ok(serde_json::to_string_pretty(&v)? + "\n")
}
