//! `trailblame destructive PATH...|--store DIR`: what destroyed or weakened
//! something, grouped by who did it, with bursts (many destructive calls by
//! one actor within minutes).

use super::{Data, InputArgs, OutputArgs, RunArgs, TimeArgs};
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
    #[arg(long, default_value_t = 5)]
    pub burst_calls: usize,
    /// ...within this many minutes
    #[arg(long, default_value_t = 10)]
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

pub const EVENTS_SQL: &str = include_str!("../../queries/destructive_events.sql");
const BY_ACTOR_SQL: &str = include_str!("../../queries/destructive_by_actor.sql");

fn rank(s: &str) -> u8 {
    match s {
        "critical" => 3,
        "high" => 2,
        "medium" => 1,
        _ => 0,
    }
}

/// Runs of successful destructive calls by one actor where `calls` fit in
/// `minutes`, merged while they keep fitting. `events` is sorted by time.
pub fn bursts(events: &DataFrame, calls: usize, minutes: i64) -> Result<DataFrame> {
    let time = events.column("event_time")?.cast(&DataType::Int64)?;
    let time = time.i64()?;
    let kind = events.column("actor_kind")?.str()?;
    let actor = events.column("actor")?.str()?;
    let outcome = events.column("outcome")?.str()?;
    let session = events.column("agent_session_id")?.str()?;
    let category = events.column("destructive_category")?.str()?;
    // actor → times and rows of its successful calls, in time order
    let mut by_actor: std::collections::BTreeMap<(String, String), Vec<(i64, usize)>> =
        Default::default();
    for i in 0..events.height() {
        if outcome.get(i) != Some("done") {
            continue;
        }
        let key = (
            kind.get(i).unwrap_or("unknown").to_string(),
            actor.get(i).unwrap_or("?").to_string(),
        );
        by_actor
            .entry(key)
            .or_default()
            .push((time.get(i).unwrap_or(0), i));
    }
    let window = minutes * 60_000_000;
    let (mut k_col, mut a_col, mut start, mut end, mut n_col, mut sess, mut cats) =
        (vec![], vec![], vec![], vec![], vec![], vec![], vec![]);
    for ((k, a), v) in by_actor {
        let mut i = 0;
        while i < v.len() {
            // The longest run from i whose first and last call fit in the window.
            let mut j = i;
            while j + 1 < v.len() && v[j + 1].0 - v[i].0 <= window {
                j += 1;
            }
            if j + 1 - i >= calls {
                // Extend while the next call is within the window of the previous.
                while j + 1 < v.len() && v[j + 1].0 - v[j].0 <= window {
                    j += 1;
                }
                let rows = &v[i..=j];
                let mut s: Vec<&str> = rows.iter().filter_map(|r| session.get(r.1)).collect();
                s.sort_unstable();
                s.dedup();
                let mut c: Vec<&str> = rows.iter().filter_map(|r| category.get(r.1)).collect();
                c.sort_unstable();
                c.dedup();
                k_col.push(k.clone());
                a_col.push(a.clone());
                start.push(v[i].0);
                end.push(v[j].0);
                n_col.push((j + 1 - i) as u64);
                sess.push(s.join(" "));
                cats.push(c.join(" "));
                i = j + 1;
            } else {
                i += 1;
            }
        }
    }
    let ts = |name: &str, v: Vec<i64>| -> Result<Column> {
        Ok(Column::new(name.into(), v).cast(&crate::schema::utc_micros())?)
    };
    let n = k_col.len();
    Ok(DataFrame::new(
        n,
        vec![
            Column::new("actor_kind".into(), k_col),
            Column::new("actor".into(), a_col),
            ts("started_at", start)?,
            ts("ended_at", end)?,
            Column::new("destructive_calls".into(), n_col),
            Column::new("categories".into(), cats),
            Column::new("agent_sessions".into(), sess),
        ],
    )?)
}

pub fn run(a: Args) -> Result<ExitCode> {
    let window = a.time.window()?;
    let data = Data::open(&a.input, &a.run)?;
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
    let bursts = bursts(&events, a.burst_calls.max(1), a.burst_minutes.max(1))?;
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
                ("Destructive calls by actor", &by_actor),
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
    Ok(data.exit_code())
}
