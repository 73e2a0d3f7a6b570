//! Incident links: per incident, the events that plausibly caused it, who
//! made them (actor kind, actor, the agent session and tool call, the
//! approval, the action and how the call came about), and why they were linked; "no traced cause" when nothing
//! fits. `incidents` prints them; `compare` and `report` count them.

use crate::incidents::link::{Candidate, link};
use crate::incidents::read::{columns_with, read};
use crate::output;
use crate::schema::{attribution, events};
use crate::workspace::Workspace;
use anyhow::Result;
use polars::prelude::*;

const FIELDS: &[&str] = &[
    events::EVENT_ID,
    events::EVENT_TIME,
    events::EVENT_NAME,
    attribution::ACTOR_KIND,
    attribution::ACTOR,
    attribution::OPERATOR,
    events::PRINCIPAL_ARN,
    attribution::AGENT_SESSION_ID,
    attribution::TOOL_CALL_ID,
    attribution::APPROVAL,
    attribution::ACTION_ID,
    attribution::VIA,
];

/// Every incident's causes.
pub struct Linked {
    /// One row per cause (best first, `rank` 1..=top), or one row with
    /// `matched` "none".
    pub frame: DataFrame,
    /// Rows of the incidents file that could not be read.
    pub unreadable_rows: usize,
    /// `warning: …` and `note: …` lines about the file, for stderr.
    pub warnings: Vec<String>,
}

/// Reads the incidents file and links every incident.
pub fn linked(
    data: &Workspace,
    incidents: &std::path::Path,
    window: crate::sql::TimeWindow,
    lookback_minutes: i64,
    top: usize,
) -> Result<Linked> {
    let file = read(incidents, &columns_with(&data.settings.incidents.columns))?;
    let mut warnings: Vec<String> = file
        .problems
        .iter()
        .map(|p| format!("warning: {}", output::escape_controls(p)))
        .collect();
    if file.naive_times > 0 {
        warnings.push(format!(
            "note: {} incident(s) had times without a zone, read as UTC",
            file.naive_times
        ));
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
            t = events::EVENT_TIME,
            src = events::EVENT_SOURCE,
            rp = events::REQUEST_PARAMETERS,
            res = events::RESOURCES,
            d = attribution::DESTRUCTIVE,
            err = events::ERROR_CODE,
            ro = events::READ_ONLY,
            id = events::EVENT_ID,
        ),
    )?;
    let ids = df.column(events::EVENT_ID)?.str()?;
    let times = df.column("t_us")?.i64()?;
    let sources = df.column(events::EVENT_SOURCE)?.str()?;
    let params = df.column(events::REQUEST_PARAMETERS)?.str()?;
    let destructive = df.column(attribution::DESTRUCTIVE)?.bool()?;
    let res_lists = crate::sql::string_lists(&df, events::RESOURCES)?;
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
    Ok(Linked {
        frame: DataFrame::new(rows.len(), columns)?,
        unreadable_rows: file.problems.len(),
        warnings,
    })
}
