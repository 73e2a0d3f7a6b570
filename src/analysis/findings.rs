//! Anomaly findings over a workspace: the events of the analysed window
//! and its baseline loaded as the detectors' input (`Activity`), the
//! explainable detectors of `crate::anomalies` run over it, and the
//! `findings` table (saved in the store, the latest run). The analysed
//! window defaults to all the data; the `baseline_days` before it are
//! history.

use crate::anomalies::{Activity, Finding, Scope, Thresholds, Window, detect};
use crate::schema::table;
use crate::sql::TimeWindow;
use crate::store::writer::StoreWriter;
use crate::workspace::Workspace;
use anyhow::Result;
use polars::prelude::*;
use rayon::prelude::*;
use std::collections::HashMap;

const EVENTS_SQL: &str = "SELECT CAST(event_time AS BIGINT) AS t, event_id, event_key, actor_kind, actor, \
    operator, agent_session_id, tool_call_id, action_id, account_id, aws_region, event_source, event_name, iam_action, source_ip, \
    read_only, error_code, destructive, severity, approval, approval_rule, human_last_spoke_secs FROM events";

/// Request parameters and resources only for writes and destructive calls
/// (the detectors read names from no other call, and the text is most of
/// the bytes): the rows where `needs_names` holds.
const NAMES_SQL: &str = "SELECT event_key, request_parameters, resources FROM events \
    WHERE COALESCE(read_only, false) = false OR COALESCE(destructive, false) = true";

fn needs_names(read_only: Option<bool>, destructive: bool) -> bool {
    read_only != Some(true) || destructive
}

/// The events of `window` (and the baseline before it) as the detectors'
/// input, with the people's activity marks: their own events and their
/// prompts to agents.
pub fn activity(data: &Workspace, window: TimeWindow) -> Result<Activity> {
    let mut cx = data.sql(window)?;
    let df = crate::sql::run(&mut cx, EVENTS_SQL)?;
    let mut a = Activity::default();
    // Interning is most of the loading: the columns in parallel.
    let names = [
        "event_id",
        "actor_kind",
        "actor",
        "operator",
        "agent_session_id",
        "tool_call_id",
        "action_id",
        "account_id",
        "aws_region",
        "event_source",
        "event_name",
        "iam_action",
        "source_ip",
        "error_code",
        "severity",
        "approval",
        "approval_rule",
    ];
    let mut cols = names
        .par_iter()
        .map(|name| crate::anomalies::StrCol::from_strings(df.column(name)?.str()?))
        .collect::<Result<Vec<_>>>()?
        .into_iter();
    for slot in [
        &mut a.event_id,
        &mut a.actor_kind,
        &mut a.actor,
        &mut a.operator,
        &mut a.agent_session_id,
        &mut a.tool_call_id,
        &mut a.action_id,
        &mut a.account_id,
        &mut a.aws_region,
        &mut a.event_source,
        &mut a.event_name,
        &mut a.iam_action,
        &mut a.source_ip,
        &mut a.error_code,
        &mut a.severity,
        &mut a.approval,
        &mut a.approval_rule,
    ] {
        *slot = cols.next().unwrap_or_default();
    }
    a.time_us = df
        .column("t")?
        .i64()?
        .iter()
        .map(|t| t.unwrap_or(0))
        .collect();
    a.read_only = df.column("read_only")?.bool()?.iter().collect();
    a.destructive = df
        .column("destructive")?
        .bool()?
        .iter()
        .map(|d| d.unwrap_or(false))
        .collect();
    a.human_last_spoke_secs = df.column("human_last_spoke_secs")?.i64()?.iter().collect();
    let n = a.time_us.len();
    a.request_parameters = vec![None; n];
    a.resources = vec![Vec::new(); n];
    let named = crate::sql::run(&mut cx, NAMES_SQL)?;
    // Joined on the de-duplication key: records that share an eventID keep
    // their own parameters.
    let ids = named.column("event_key")?.str()?;
    let keys = df.column("event_key")?.str()?;
    let params = named.column("request_parameters")?.str()?;
    let lists = crate::sql::string_lists(&named, "resources")?;
    let mut by_id: HashMap<&str, usize> = HashMap::with_capacity(named.height());
    for (k, id) in ids.iter().enumerate() {
        if let Some(id) = id {
            by_id.insert(id, k);
        }
    }
    for i in 0..n {
        if !needs_names(a.read_only[i], a.destructive[i]) {
            continue;
        }
        if let Some(&k) = keys.get(i).and_then(|id| by_id.get(id)) {
            a.request_parameters[i] = params.get(k).map(Box::from);
            a.resources[i] = lists[k].iter().map(|r| Box::from(r.as_str())).collect();
        }
    }
    // A person is active when they act themselves or write to their agent.
    let mut session_operator: HashMap<&str, &str> = HashMap::new();
    for i in 0..a.time_us.len() {
        match a.actor_kind.get(i) {
            Some("human") => {
                if let Some(who) = a.actor.get(i) {
                    a.operator_marks.push((who.into(), a.time_us[i]));
                }
            }
            Some("ai") => {
                if let (Some(s), Some(op)) = (a.agent_session_id.get(i), a.operator.get(i)) {
                    session_operator.insert(s, op);
                }
            }
            _ => {}
        }
    }
    let mut prompts = Vec::new();
    if !session_operator.is_empty() {
        let m = crate::sql::run(
            &mut cx,
            "SELECT session_id, CAST(time AS BIGINT) AS t FROM messages WHERE role = 'user'",
        )?;
        let (sid, t) = (m.column("session_id")?.str()?, m.column("t")?.i64()?);
        for i in 0..m.height() {
            if let (Some(op), Some(t)) =
                (sid.get(i).and_then(|s| session_operator.get(s)), t.get(i))
            {
                prompts.push((Box::<str>::from(*op), t));
            }
        }
    }
    a.operator_marks.extend(prompts);
    a.operator_marks.sort();
    Ok(a)
}

/// The analysed window: the one given, else all the data.
pub fn analysed_window(data: &Workspace, window: TimeWindow) -> Result<Window> {
    let (mut since, mut until) = (window.since, window.until);
    if since.is_none() || until.is_none() {
        let mut cx = data.sql(window)?;
        let df = crate::sql::run(
            &mut cx,
            "SELECT CAST(MIN(event_time) AS BIGINT) AS lo, CAST(MAX(event_time) AS BIGINT) AS hi FROM events",
        )?;
        since = since.or(df.column("lo")?.i64()?.get(0));
        until = until.or(df.column("hi")?.i64()?.get(0).map(|t| t + 1));
    }
    Ok(Window {
        since_us: since.unwrap_or(0),
        until_us: until.unwrap_or(0),
    })
}

/// Runs every enabled detector over `window` (default: all the data).
pub fn findings(data: &Workspace, window: TimeWindow, t: &Thresholds) -> Result<Vec<Finding>> {
    let analysed = analysed_window(data, window)?;
    let scope = Scope::new(analysed, t);
    let timing = std::env::var_os("TRAILBLAME_TIMINGS").map(|_| std::time::Instant::now());
    let a = activity(
        data,
        TimeWindow {
            since: Some(scope.baseline.since_us.min(analysed.since_us)),
            until: Some(analysed.until_us),
        },
    )?;
    if let Some(t0) = timing {
        eprintln!(
            "  anomalies input: {:.2} s for {} events",
            t0.elapsed().as_secs_f64(),
            a.time_us.len()
        );
    }
    let found = detect(&a, &scope, t);
    if let Some(t0) = timing {
        eprintln!(
            "  anomalies input + detectors: {:.2} s",
            t0.elapsed().as_secs_f64()
        );
    }
    Ok(found)
}

/// Findings as the `findings` table.
pub fn frame(found: &[Finding]) -> Result<DataFrame> {
    let ts = |name: &str, v: Vec<i64>| -> Result<Column> {
        Ok(Column::new(name.into(), v).cast(&crate::schema::utc_micros())?)
    };
    let strs = |f: &dyn Fn(&Finding) -> Option<String>| -> Vec<Option<String>> {
        found.iter().map(f).collect()
    };
    let ids: Vec<Series> = found
        .iter()
        .map(|f| Series::new("".into(), f.event_ids.clone()))
        .collect();
    let mut event_ids = ListChunked::from_iter(ids.into_iter().map(Some)).into_series();
    event_ids.rename("event_ids".into());
    let event_ids = event_ids.cast(&DataType::List(Box::new(DataType::String)))?;
    let n = found.len();
    Ok(DataFrame::new(
        n,
        vec![
            Column::new("finding_id".into(), strs(&|f| Some(f.finding_id.clone()))),
            Column::new("detector".into(), strs(&|f| Some(f.detector.to_string()))),
            Column::new(
                "severity".into(),
                strs(&|f| Some(f.severity.as_str().to_string())),
            ),
            Column::new(
                "severity_rank".into(),
                found
                    .iter()
                    .map(|f| f.severity as i64)
                    .collect::<Vec<i64>>(),
            ),
            Column::new("actor_kind".into(), strs(&|f| Some(f.actor_kind.clone()))),
            Column::new("actor".into(), strs(&|f| Some(f.actor.clone()))),
            Column::new("operator".into(), strs(&|f| f.operator.clone())),
            Column::new("account".into(), strs(&|f| f.account.clone())),
            ts(
                "window_start",
                found.iter().map(|f| f.window_start_us).collect(),
            )?,
            ts(
                "window_end",
                found.iter().map(|f| f.window_end_us).collect(),
            )?,
            Column::new(
                "event_count".into(),
                found
                    .iter()
                    .map(|f| f.event_count as i64)
                    .collect::<Vec<i64>>(),
            ),
            event_ids.into_column(),
            Column::new(
                "score".into(),
                found.iter().map(|f| f.score).collect::<Vec<f64>>(),
            ),
            Column::new("explanation".into(), strs(&|f| Some(f.explanation.clone()))),
        ],
    )?)
}

/// Saves the findings as the store's `findings` table, when the store is a
/// real one and free; says why not otherwise.
pub fn save(data: &Workspace, df: &mut DataFrame) -> Result<Option<String>> {
    if data.ingest.is_some() {
        return Ok(None); // a temporary store: nothing to keep
    }
    let mut w = match StoreWriter::open(&data.store.root) {
        Ok(w) => w,
        Err(e) => return Ok(Some(format!("findings not saved: {e}"))),
    };
    w.replace_table(table::FINDINGS);
    if df.height() > 0 {
        w.write_part(table::FINDINGS, None, df)?;
    }
    w.commit(None)?;
    Ok(None)
}
