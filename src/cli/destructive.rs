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
    /// Which part to print: all sections, or one table for csv/json/parquet
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

pub fn run(a: Args) -> Result<ExitCode> {
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
                s.push_str(&output::render_table(df)?);
                s.push('\n');
            }
            output::write_text(&s, a.out.output.as_deref())?;
        }
        (Format::Json, "all") => {
            let v = serde_json::json!({
                "by_actor": output::to_json_value(&by_actor)?,
                "bursts": output::to_json_value(&bursts)?,
                "events": output::to_json_value(&events)?,
            });
            let text = serde_json::to_string_pretty(&v)? + "\n";
            output::write_text(&text, a.out.output.as_deref())?;
        }
        (fmt, "all") => {
            bail!("--format {fmt:?} writes one table: add --show events, by-actor or bursts")
        }
        (fmt, name) => {
            let Some(mut df) = one(name) else {
                bail!("unknown --show {name}");
            };
            output::write_frame(&mut df, fmt, a.out.output.as_deref())?;
        }
    }
    Ok(exit_code(&data))
}
