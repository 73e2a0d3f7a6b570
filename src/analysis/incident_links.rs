//! `trailblame incidents --incidents FILE PATH...|--store DIR`: per
//! incident, the events that plausibly caused it, who made them (actor kind,
//! actor, the agent session and tool call, the approval), and why they were
//! linked; "no traced cause" when nothing fits.

use super::{Data, InputArgs, OutputArgs, RunArgs, TimeArgs};
use crate::incidents::link::{Candidate, link};
use crate::incidents::read::{columns_with, read};
use crate::output;
use crate::schema::{at, ev};
use anyhow::Result;
use polars::prelude::*;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// The incidents file (CSV or JSON export); default: `[incidents] file` in trailblame.toml
    #[arg(long, value_name = "FILE")]
    pub incidents: Option<PathBuf>,
    #[command(flatten)]
    pub input: InputArgs,
    /// How far before an incident's start to look for causes, in minutes
    #[arg(long, default_value_t = 120)]
    pub lookback_minutes: i64,
    /// Causes listed per incident
    #[arg(long, default_value_t = 3)]
    pub top: usize,
    #[command(flatten)]
    pub time: TimeArgs,
    #[command(flatten)]
    pub out: OutputArgs,
    #[command(flatten)]
    pub run: RunArgs,
}

const FIELDS: &[&str] = &[
    ev::EVENT_ID,
    ev::EVENT_TIME,
    ev::EVENT_NAME,
    at::ACTOR_KIND,
    at::ACTOR,
    at::OPERATOR,
    ev::PRINCIPAL_ARN,
    at::AGENT_SESSION_ID,
    at::TOOL_CALL_ID,
    at::APPROVAL,
];

pub fn run(a: Args) -> Result<ExitCode> {
    let data = Data::open(&a.input, &a.run)?;
    let file = data.incidents_file(a.incidents.as_deref())?;
    let (mut out, problems) = linked(
        &data,
        &file,
        a.time.window()?,
        a.lookback_minutes,
        a.top,
        a.run.quiet,
    )?;
    output::write_frame(&mut out, a.out.format, a.out.output.as_deref())?;
    Ok(if problems == 0 {
        data.exit_code()
    } else {
        ExitCode::from(1)
    })
}

/// Reads the incidents file and links every incident: one row per cause
/// (best first, `rank` 1..=top), or one row with `matched` "none". Returns
/// the frame and the number of rows of the file that could not be read.
pub fn linked(
    data: &Data,
    incidents: &std::path::Path,
    window: crate::sql::TimeWindow,
    lookback_minutes: i64,
    top: usize,
    quiet: bool,
) -> Result<(DataFrame, usize)> {
    let file = read(incidents, &columns_with(&data.settings.incidents.columns))?;
    if !quiet {
        for p in &file.problems {
            eprintln!("warning: {}", output::escape_controls(p));
        }
        if file.naive_times > 0 {
            eprintln!(
                "note: {} incident(s) had times without a zone, read as UTC",
                file.naive_times
            );
        }
    }
    // Incidents that started in the window; their causes may come before it.
    let mut file = file;
    file.incidents.retain(|i| {
        window.since.is_none_or(|s| i.started_at >= s)
            && window.until.is_none_or(|u| i.started_at < u)
    });
    let lookback = lookback_minutes.max(1) * 60_000_000;
    let events_window = crate::sql::TimeWindow {
        since: window.since.map(|s| s - lookback),
        until: window.until,
    };
    let mut cx = data.sql(events_window)?;
    let df = crate::sql::run(
        &mut cx,
        &format!(
            "SELECT {}, CAST({t} AS BIGINT) AS t_us, {src}, {rp}, {res}, {d} FROM events \
             WHERE {err} IS NULL AND ({ro} = false OR {d} = true) ORDER BY {t}, {id}",
            FIELDS.join(", "),
            t = ev::EVENT_TIME,
            src = ev::EVENT_SOURCE,
            rp = ev::REQUEST_PARAMETERS,
            res = ev::RESOURCES,
            d = at::DESTRUCTIVE,
            err = ev::ERROR_CODE,
            ro = ev::READ_ONLY,
            id = ev::EVENT_ID,
        ),
    )?;
    let ids = df.column(ev::EVENT_ID)?.str()?;
    let times = df.column("t_us")?.i64()?;
    let sources = df.column(ev::EVENT_SOURCE)?.str()?;
    let params = df.column(ev::REQUEST_PARAMETERS)?.str()?;
    let destructive = df.column(at::DESTRUCTIVE)?.bool()?;
    let res_lists = crate::sql::string_lists(&df, ev::RESOURCES)?;
    let candidates: Vec<Candidate> = (0..df.height())
        .map(|i| Candidate {
            index: i,
            event_id: ids.get(i).unwrap_or(""),
            time: times.get(i).unwrap_or(i64::MIN),
            event_source: sources.get(i).unwrap_or(""),
            request_parameters: params.get(i),
            resources: res_lists[i].iter().map(String::as_str).collect(),
            destructive: destructive.get(i).unwrap_or(false),
        })
        .collect();
    let mut rows: Vec<(usize, Option<usize>, f64, &'static str, String)> = Vec::new();
    for (k, inc) in file.incidents.iter().enumerate() {
        let links = link(
            inc,
            &candidates,
            lookback_minutes.max(1) * 60_000_000,
            top.max(1),
        );
        if links.is_empty() {
            rows.push((k, None, 0.0, "none", "no traced cause".into()));
        }
        for l in links {
            rows.push((k, Some(l.event), l.score, l.matched, l.reason));
        }
    }
    let inc =
        |f: &dyn Fn(&crate::incidents::read::Incident) -> Option<String>| -> Vec<Option<String>> {
            rows.iter().map(|r| f(&file.incidents[r.0])).collect()
        };
    let mut columns = vec![
        Column::new("incident_id".into(), inc(&|i| Some(i.id.clone()))),
        Column::new("severity".into(), inc(&|i| i.severity.clone())),
        Column::new("title".into(), inc(&|i| i.title.clone())),
        Column::new(
            "started_at".into(),
            rows.iter()
                .map(|r| file.incidents[r.0].started_at)
                .collect::<Vec<i64>>(),
        )
        .cast(&crate::schema::utc_micros())?,
        Column::new("rank".into(), {
            let mut rank = Vec::new();
            let mut last = usize::MAX;
            let mut n = 0u32;
            for r in &rows {
                n = if r.0 == last { n + 1 } else { 1 };
                last = r.0;
                rank.push(r.1.map(|_| n));
            }
            rank
        }),
        Column::new(
            "score".into(),
            rows.iter()
                .map(|r| r.1.map(|_| r.2))
                .collect::<Vec<Option<f64>>>(),
        ),
        Column::new(
            "matched".into(),
            rows.iter().map(|r| r.3).collect::<Vec<&str>>(),
        ),
    ];
    let idx: Vec<Option<IdxSize>> = rows.iter().map(|r| r.1.map(|i| i as IdxSize)).collect();
    let take = IdxCa::new("idx".into(), idx);
    for f in FIELDS {
        columns.push(
            df.column(f)?
                .as_materialized_series()
                .take(&take)?
                .into_column(),
        );
    }
    columns.push(Column::new(
        "reason".into(),
        rows.iter().map(|r| r.4.clone()).collect::<Vec<String>>(),
    ));
    Ok((DataFrame::new(rows.len(), columns)?, file.problems.len()))
}
