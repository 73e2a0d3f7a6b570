//! `trailblame destructive PATH...|--store DIR`: what destroyed or weakened
//! something, grouped by who did it, with bursts (many destructive calls by
//! one actor within minutes, `analysis::bursts`).

use super::{InputArgs, OutputArgs, RunArgs, TimeArgs, exit_code, open};
use crate::analysis::bursts::{BurstRule, EVENTS_SQL, bursts};
use crate::output::{self, Format};
use anyhow::{Result, bail};
use polars::prelude::*;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub input: InputArgs,
    /// Only this severity and above
    #[arg(long, value_parser = ["low", "medium", "high", "critical"], default_value = "low")]
    pub min_severity: String,
    /// A burst: at least this many successful destructive calls by one actor...
    #[arg(long, default_value_t = BurstRule::DEFAULT.calls)]
    pub burst_calls: usize,
    /// ...within this many minutes
    #[arg(long, default_value_t = BurstRule::DEFAULT.minutes)]
    pub burst_minutes: i64,
    /// Which part to print: all sections (csv, ndjson and parquet: every destructive call), or one table
    #[arg(long, value_parser = ["all", "events", "by-actor", "bursts"], default_value = "all")]
    pub show: String,
    #[command(flatten)]
    pub time: TimeArgs,
    #[command(flatten)]
    pub out: OutputArgs,
    #[command(flatten)]
    pub run: RunArgs,
}

const BY_ACTOR_SQL: &str = include_str!("../../queries/destructive_by_actor.sql");

fn rank(s: &str) -> u8 {
    match s {
        "critical" => 3,
        "high" => 2,
        "medium" => 1,
        _ => 0,
    }
}

/// The SQL behind `with_targets`: what each destructive call names.
const TARGETS_SQL: &str = "SELECT event_id, event_name, request_parameters, resources FROM events \
     WHERE destructive_category IS NOT NULL";

/// `events` with a `target` column after `event_name`: the names the call
/// acted on (a bucket, table, function, stack…), from its request
/// parameters and resources (`anomalies::target_names`, else the
/// identifier-looking request parameters), joined by `, `.
/// Log text: escaped by the writers like every other cell.
fn with_targets(cx: &mut polars::sql::SQLContext, events: DataFrame) -> Result<DataFrame> {
    let df = crate::sql::run(cx, TARGETS_SQL)?;
    let ids = df.column("event_id")?.str()?;
    let names = df.column("event_name")?.str()?;
    let params = df.column("request_parameters")?.str()?;
    let resources = crate::sql::string_lists(&df, "resources")?;
    let mut by_id: std::collections::HashMap<&str, String> = Default::default();
    for (i, arns) in resources.into_iter().enumerate() {
        let res: Vec<Box<str>> = arns.iter().map(|r| r.as_str().into()).collect();
        let mut t = crate::anomalies::target_names(names.get(i).unwrap_or(""), params.get(i), &res);
        if t.is_empty()
            && let Some(p) = params.get(i)
        {
            t = crate::analysis::request_params::identifiers(p, 5);
        }
        if let Some(id) = ids.get(i) {
            by_id.insert(id, t.join(", "));
        }
    }
    let target: StringChunked = events
        .column("event_id")?
        .str()?
        .iter()
        .map(|id| {
            id.and_then(|id| by_id.get(id))
                .filter(|t| !t.is_empty())
                .cloned()
        })
        .collect();
    let mut out = events;
    let at = out
        .get_column_index("event_name")
        .map_or(out.width(), |i| i + 1);
    out.insert_column(at, target.with_name("target".into()).into_column())?;
    Ok(out)
}

pub fn run(a: Args, ui: crate::terminal::Display) -> Result<ExitCode> {
    let window = a.time.window()?;
    let data = open(&a.input, &a.run)?;
    let mut cx = data.sql(window)?;
    let min = rank(&a.min_severity);
    let keep = |df: DataFrame| -> Result<DataFrame> {
        let sev = df.column("severity")?.str()?;
        let mask: BooleanChunked = sev
            .iter()
            .map(|s| Some(rank(s.unwrap_or("low")) >= min))
            .collect();
        Ok(df.filter(&mask)?)
    };
    let events = keep(crate::sql::run(&mut cx, EVENTS_SQL)?)?;
    let events = with_targets(&mut cx, events)?;
    let by_actor = keep(crate::sql::run(&mut cx, BY_ACTOR_SQL)?)?;
    let bursts = bursts(
        &events,
        BurstRule {
            calls: a.burst_calls,
            minutes: a.burst_minutes,
        },
    )?;
    let one = |name: &str| match name {
        "events" => Some(events.clone()),
        "by-actor" => Some(by_actor.clone()),
        "bursts" => Some(bursts.clone()),
        _ => None,
    };
    match (a.out.format, a.show.as_str()) {
        (Format::Table, "all") => {
            let mut s = String::new();
            for (title, df) in [
                (
                    "Destructive calls by actor (actions: decisions, a delete-stack with its cascade counts once; done: API calls that did damage)",
                    &by_actor,
                ),
                (
                    &*format!(
                        "Bursts: {}+ destructive calls by one actor within {} min",
                        a.burst_calls, a.burst_minutes
                    ),
                    &bursts,
                ),
                ("Every destructive call", &events),
            ] {
                s.push_str(&format!("## {title}\n"));
                s.push_str(&output::render_table(
                    &a.out.limited(df, true),
                    ui.for_output(a.out.output.as_deref()),
                )?);
                s.push('\n');
            }
            output::write_text(&s, a.out.output.as_deref())?;
        }
        (Format::Json, "all") => {
            let v = serde_json::json!({
                "by_actor": output::to_json_value(&a.out.limited(&by_actor, true))?,
                "bursts": output::to_json_value(&a.out.limited(&bursts, true))?,
                "events": output::to_json_value(&a.out.limited(&events, true))?,
            });
            let text = serde_json::to_string_pretty(&v)? + "\n";
            output::write_text(&text, a.out.output.as_deref())?;
        }
        // One table: every destructive call, unless --show names another.
        (_, "all") => a.out.write(&mut events.clone(), ui, a.run.quiet)?,
        (_, name) => {
            let Some(mut df) = one(name) else {
                bail!("unknown --show {name}");
            };
            a.out.write(&mut df, ui, a.run.quiet)?;
        }
    }
    Ok(exit_code(&data))
}
