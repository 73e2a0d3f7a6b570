//! `trailblame report [--week 2025-W50 | --since/--until] PATH...|--store
//! DIR --format html|md|json [--output FILE]`: the weekly report.
//!
//! Every table comes from a SQL file in `queries/` (`report_*.sql`,
//! `compare_cells.sql`, `destructive_events.sql`) or from the library
//! computations the other commands print (`compare::compute`,
//! `privileges::table`, `anomalies::findings`, `timeline::build`); this file
//! only chooses what to show and fills `crate::report::Document`, which
//! renders it as HTML, Markdown or JSON.

use super::compare::Comparison;
use super::timeline::{Focus, incidents_of};
use super::{Data, InputArgs, RunArgs, TimeArgs};
use crate::report::numbers::int;
use crate::report::{
    Block, Cell, Chart, Column, Document, IntervalRow, Intervals, Lines, Metric, Section, Series,
    StackedBars, Table, Tone, Trend,
};
use crate::sql::TimeWindow;
use anyhow::{Context, Result, bail};
use chrono::{Datelike, NaiveDate};
use polars::prelude::*;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// The ISO week to report on, e.g. 2025-W50 (default: the week of the latest event)
    #[arg(long, value_name = "YYYY-Www", conflicts_with_all = ["since", "until"])]
    pub week: Option<String>,
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub time: TimeArgs,
    /// The incidents file; default: `[incidents] file` in trailblame.toml
    #[arg(long, value_name = "FILE")]
    pub incidents: Option<PathBuf>,
    /// IAM data (`aws iam get-account-authorization-details` output); default: `[privileges] iam` in trailblame.toml
    #[arg(long, value_name = "FILE")]
    pub iam: Vec<PathBuf>,
    /// How far before an incident's start to look for causes, in minutes
    #[arg(long, default_value_t = 120)]
    pub lookback_minutes: i64,
    /// html: one self-contained page; md: GitHub Markdown; json: every number
    #[arg(long, value_parser = ["html", "md", "json"], default_value = "html")]
    pub format: String,
    /// Write to this file instead of stdout
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub run: RunArgs,
}

const HEADLINE_SQL: &str = include_str!("../../queries/report_headline.sql");
const DAILY_SQL: &str = include_str!("../../queries/report_daily.sql");
const WHO_SQL: &str = include_str!("../../queries/report_who_acted.sql");
const HIGH_SQL: &str = include_str!("../../queries/report_high_severity.sql");
const FILES_SQL: &str = include_str!("../../queries/report_coverage_files.sql");
const SCOPE_SQL: &str = include_str!("../../queries/report_coverage_scope.sql");
const TRANSCRIPTS_SQL: &str = include_str!("../../queries/report_coverage_transcripts.sql");
const QUARANTINE_SQL: &str = include_str!("../../queries/report_quarantine.sql");
const USER_AGENTS_SQL: &str = include_str!("../../queries/report_user_agents.sql");
const FINDINGS_SQL: &str = include_str!("../../queries/report_findings.sql");

const DAY_US: i64 = 86_400_000_000;
/// Rows of the high-severity table and findings shown; timelines embedded.
const MAX_ROWS: usize = 50;
const MAX_TIMELINES: usize = 5;

/// The period reported on and the one before it.
struct Period {
    label: String,
    previous_label: String,
    window: TimeWindow,
    previous: TimeWindow,
}

/// `2025-W50` → its Monday, 00:00 UTC, in µs.
fn week_start(week: &str) -> Result<i64> {
    let bad = || format!("{week:?}: expected an ISO week like 2025-W50");
    let (y, w) = week.split_once(['W', 'w']).with_context(bad)?;
    let year: i32 = y.trim_end_matches('-').parse().ok().with_context(bad)?;
    let w: u32 = w.parse().ok().with_context(bad)?;
    let monday = NaiveDate::from_isoywd_opt(year, w, chrono::Weekday::Mon).with_context(bad)?;
    Ok(monday
        .and_hms_opt(0, 0, 0)
        .context("midnight")?
        .and_utc()
        .timestamp_micros())
}

fn week_of(us: i64) -> String {
    let d = chrono::DateTime::from_timestamp_micros(us)
        .unwrap_or_default()
        .date_naive()
        .iso_week();
    format!("{}-W{:02}", d.year(), d.week())
}

fn minute(us: i64) -> String {
    chrono::DateTime::from_timestamp_micros(us)
        .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default()
}

fn period(a: &Args, data: &Data) -> Result<Period> {
    let given = a.time.window()?;
    let weekly = |start: i64| Period {
        label: week_of(start),
        previous_label: week_of(start - 7 * DAY_US),
        window: TimeWindow {
            since: Some(start),
            until: Some(start + 7 * DAY_US),
        },
        previous: TimeWindow {
            since: Some(start - 7 * DAY_US),
            until: Some(start),
        },
    };
    if let Some(w) = &a.week {
        return Ok(weekly(week_start(w)?));
    }
    let mut cx = data.sql(given)?;
    let df = crate::sql::run(
        &mut cx,
        "SELECT CAST(MIN(event_time) AS BIGINT) AS lo, CAST(MAX(event_time) AS BIGINT) AS hi FROM events",
    )?;
    let lo = df.column("lo")?.i64()?.get(0);
    let hi = df.column("hi")?.i64()?.get(0);
    if given == TimeWindow::default() {
        let Some(hi) = hi else {
            bail!("no events to report on");
        };
        return Ok(weekly(week_start(&week_of(hi))?));
    }
    let since = given.since.or(lo).unwrap_or(0);
    let until = given.until.or(hi.map(|h| h + 1)).unwrap_or(since + 1);
    let len = (until - since).max(1);
    Ok(Period {
        label: format!("{} to {}", minute(since), minute(until)),
        previous_label: "the period before".to_string(),
        window: TimeWindow {
            since: Some(since),
            until: Some(until),
        },
        previous: TimeWindow {
            since: Some(since - len),
            until: Some(since),
        },
    })
}

/// Column accessors that tolerate any integer type and nulls.
struct Frame<'a>(&'a DataFrame);

impl Frame<'_> {
    fn str(&self, c: &str, i: usize) -> Option<String> {
        let col = self.0.column(c).ok()?;
        let s = col.cast(&DataType::String).ok()?;
        s.str().ok()?.get(i).map(str::to_string)
    }
    fn int(&self, c: &str, i: usize) -> i64 {
        self.0
            .column(c)
            .ok()
            .and_then(|col| col.cast(&DataType::Int64).ok())
            .and_then(|s| s.i64().ok().and_then(|ca| ca.get(i)))
            .unwrap_or(0)
    }
    fn time(&self, c: &str, i: usize) -> Option<i64> {
        self.0
            .column(c)
            .ok()
            .and_then(|col| col.cast(&DataType::Int64).ok())
            .and_then(|s| s.i64().ok().and_then(|ca| ca.get(i)))
    }
    fn height(&self) -> usize {
        self.0.height()
    }
}

fn text(s: Option<String>) -> Cell {
    Cell::opt_text(s)
}

/// Totals per actor kind of `report_headline.sql`.
fn headline(data: &Data, w: TimeWindow) -> Result<BTreeMap<String, [i64; 4]>> {
    let mut cx = data.sql(w)?;
    let df = crate::sql::run(&mut cx, HEADLINE_SQL)?;
    let f = Frame(&df);
    let mut out = BTreeMap::new();
    for i in 0..f.height() {
        out.insert(
            f.str("actor_kind", i).unwrap_or_else(|| "unknown".into()),
            [
                f.int("events", i),
                f.int("writes", i),
                f.int("destructive", i),
                f.int("errors", i),
            ],
        );
    }
    Ok(out)
}

fn change(now: i64, before: i64, label: &str) -> (String, Trend) {
    let trend = match now.cmp(&before) {
        std::cmp::Ordering::Greater => Trend::Up,
        std::cmp::Ordering::Less => Trend::Down,
        std::cmp::Ordering::Equal => Trend::Flat,
    };
    let text = if before == 0 {
        if now == 0 {
            format!("none in {label} either")
        } else {
            format!("none in {label}")
        }
    } else {
        let pct = (now - before) as f64 / before as f64 * 100.0;
        format!("{pct:+.0}% vs {label} ({})", int(before))
    };
    (text, trend)
}

fn share(part: i64, all: i64) -> String {
    if all == 0 {
        "–".into()
    } else {
        format!("{:.0}%", part as f64 / all as f64 * 100.0)
    }
}

/// One sentence per incident with a traced cause, worst first: who, on
/// which credentials, with which approval.
fn story(links: &DataFrame, iam: &[PathBuf]) -> Result<Vec<String>> {
    let (accounts, _) = super::privileges::evaluate(iam)?;
    let mut tiers = super::privileges::Tiers::new(&accounts);
    let f = Frame(links);
    let mut out: Vec<(String, String)> = Vec::new();
    for i in 0..f.height() {
        let id = f.str("incident_id", i).unwrap_or_default();
        let sev = f.str("severity", i).unwrap_or_default();
        let title = f.str("title", i).unwrap_or_default();
        let Some(event) = f.str("event_name", i) else {
            out.push((
                sev.clone(),
                format!("{id} ({sev}, {title}): no traced cause."),
            ));
            continue;
        };
        let when = f.time("event_time", i).map(minute).unwrap_or_default();
        let actor = f.str("actor", i).unwrap_or_else(|| "?".into());
        let principal = f.str("principal_arn", i);
        let role = principal
            .as_deref()
            .and_then(|p| p.split('/').nth(1))
            .unwrap_or("an unknown principal")
            .to_string();
        let tier = match tiers.of(principal.as_deref())? {
            super::privileges::Tier::Admin => ", admin-equivalent",
            _ => "",
        };
        // An agent on its person's own role session: "dave's credentials".
        let session = principal.as_deref().and_then(|p| p.split('/').nth(2));
        let operator = f.str("operator", i);
        let role = match (session, &operator) {
            (Some(s), Some(op))
                if s.eq_ignore_ascii_case(op)
                    && f.str("actor_kind", i).as_deref() == Some("ai") =>
            {
                format!("{op}'s own credentials ({role}{tier})")
            }
            _ if tier.is_empty() => role,
            _ => format!("{role} ({})", tier.trim_start_matches(", ")),
        };
        let who = match (f.str("actor_kind", i).as_deref(), f.str("operator", i)) {
            (Some("ai"), Some(op)) => format!("{actor}, an AI agent working for {op},"),
            (Some("ai"), None) => format!("{actor}, an AI agent,"),
            (Some("human"), _) => format!("{actor} (a person)"),
            (Some(k), _) => format!("{actor} ({k})"),
            _ => actor,
        };
        let approval = match f.str("approval", i) {
            Some(a) if a == "explicit" => "; the tool call was approved by the person".to_string(),
            Some(a) if a == "auto" => "; the tool call was auto-approved".to_string(),
            Some(a) if a == "rejected" => "; the person rejected a tool call".to_string(),
            Some(_) => "; the transcript records no approval".to_string(),
            None => String::new(),
        };
        out.push((
            sev.clone(),
            format!("{id} ({sev}, {title}): most likely caused by {event} at {when} by {who} on {role}{approval}."),
        ));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out.into_iter().map(|x| x.1).collect())
}

fn headline_section(
    data: &Data,
    p: &Period,
    cmp: &Comparison,
    story: Vec<String>,
) -> Result<Section> {
    let now = headline(data, p.window)?;
    let before = headline(data, p.previous)?;
    let total = |m: &BTreeMap<String, [i64; 4]>, k: usize| m.values().map(|v| v[k]).sum::<i64>();
    let kind =
        |m: &BTreeMap<String, [i64; 4]>, kind: &str, k: usize| m.get(kind).map_or(0, |v| v[k]);
    let mut metrics = Vec::new();
    for (label, k) in [("Events", 0), ("Writes", 1), ("Destructive", 2)] {
        let (detail, trend) = change(total(&now, k), total(&before, k), &p.previous_label);
        metrics.push(Metric {
            label: label.into(),
            value: int(total(&now, k)),
            detail: Some(format!(
                "AI {} · human {} · {detail}",
                share(kind(&now, "ai", k), total(&now, k)),
                share(kind(&now, "human", k), total(&now, k))
            )),
            trend: Some(trend),
        });
    }
    let i = cmp.incidents;
    metrics.push(Metric {
        label: "Incidents".into(),
        value: int(i.total as i64),
        detail: Some(format!(
            "{} traced to AI · {} to people · {} other · {} no traced cause",
            i.traced_to_ai,
            i.traced_to_human,
            i.traced_to_other + i.ambiguous,
            i.no_traced_cause
        )),
        trend: None,
    });
    let ai_writes = kind(&now, "ai", 1);
    metrics.push(Metric {
        label: "AI share of writes".into(),
        value: share(ai_writes, total(&now, 1)),
        detail: Some(format!(
            "{} was {}",
            p.previous_label,
            share(kind(&before, "ai", 1), total(&before, 1))
        )),
        trend: None,
    });
    let mut s = Section::new("headline", "Headline")
        .with(Block::Verdict(cmp.verdict.clone()))
        .with(Block::Metrics(metrics));
    if !story.is_empty() {
        s = s
            .with(Block::Paragraph(
                "What happened to the incidents of the period:".into(),
            ))
            .with(Block::List(story));
    }
    Ok(s)
}

/// Daily series per actor kind of one column of `report_daily.sql`.
fn daily_chart(df: &DataFrame, column: &str, title: &str, y: &str) -> Chart {
    let f = Frame(df);
    let mut days: Vec<String> = Vec::new();
    let mut by: BTreeMap<(String, String), f64> = BTreeMap::new();
    for i in 0..f.height() {
        let d = f.str("day", i).unwrap_or_default();
        if days.last() != Some(&d) {
            days.push(d.clone());
        }
        let k = f.str("actor_kind", i).unwrap_or_else(|| "unknown".into());
        *by.entry((k, d)).or_default() += f.int(column, i) as f64;
    }
    let series = [
        ("ai", "AI agents", Tone::Ai),
        ("human", "People", Tone::Human),
        ("automation", "Automation", Tone::Automation),
        ("service", "AWS services", Tone::Service),
        ("unknown", "Unknown", Tone::Unknown),
    ]
    .into_iter()
    .filter(|(k, ..)| by.keys().any(|(kk, _)| kk == k))
    .map(|(k, name, tone)| Series {
        name: name.into(),
        values: days
            .iter()
            .map(|d| by.get(&(k.to_string(), d.clone())).copied().unwrap_or(0.0))
            .collect(),
        tone,
    })
    .collect();
    Chart::StackedBars(StackedBars {
        title: title.into(),
        x_labels: days,
        series,
        y_label: y.into(),
    })
}

fn who_section(data: &Data, w: TimeWindow) -> Result<Section> {
    let mut cx = data.sql(w)?;
    let df = crate::sql::run(&mut cx, WHO_SQL)?;
    let daily = crate::sql::run(&mut cx, DAILY_SQL)?;
    let f = Frame(&df);
    let (mut agents, mut people) = (Vec::new(), Vec::new());
    for i in 0..f.height() {
        let row = |first: Vec<Cell>| {
            let mut r = first;
            r.extend([
                Cell::int(f.int("calls", i)),
                Cell::int(f.int("writes", i)),
                Cell::int(f.int("destructive", i)),
            ]);
            r
        };
        if f.str("actor_kind", i).as_deref() == Some("ai") {
            let mut r = row(vec![text(f.str("actor", i)), text(f.str("operator", i))]);
            r.push(Cell::int(f.int("agent_sessions", i)));
            r.push(Cell::int(f.int("on_human_credentials", i)));
            agents.push(r);
        } else {
            people.push(row(vec![text(f.str("actor", i))]));
        }
    }
    let mut s = Section::new("who-acted", "Who acted").with(Block::Paragraph(
        "Every call is attributed to an AI agent, a person, automation or an AWS service from evidence: \
         the agent's transcript, user-agent markers, source identity, role names, and the credentials used \
         (`trailblame explain EVENT_ID` shows why)."
            .into(),
    ));
    s = s.with(Block::Table(Table {
        caption: Some("AI agents, and the person each worked for".into()),
        columns: vec![
            Column::text("Agent"),
            Column::text("Operator"),
            Column::numeric("Calls"),
            Column::numeric("Writes"),
            Column::numeric("Destructive"),
            Column::numeric("Sessions"),
            Column::numeric("On a person's credentials"),
        ],
        rows: agents,
        note: Some("On a person's credentials: calls made with an identity that person also used themselves (no separate agent role).".into()),
    }));
    s = s.with(Block::Table(Table {
        caption: Some("People".into()),
        columns: vec![
            Column::text("Person"),
            Column::numeric("Calls"),
            Column::numeric("Writes"),
            Column::numeric("Destructive"),
        ],
        rows: people,
        note: None,
    }));
    Ok(s.with(Block::Chart(daily_chart(
        &daily,
        "calls",
        "API calls per day, by who made them",
        "calls",
    ))))
}

/// Agent sessions with high-severity destructive calls, most calls first.
fn destructive_sessions(data: &Data, w: TimeWindow) -> Result<Vec<String>> {
    let mut cx = data.sql(w)?;
    let df = crate::sql::run(&mut cx, HIGH_SQL)?;
    let f = Frame(&df);
    let mut per_session: BTreeMap<String, usize> = BTreeMap::new();
    for i in 0..f.height() {
        if let Some(s) = f.str("agent_session_id", i) {
            *per_session.entry(s).or_default() += 1;
        }
    }
    let mut sessions: Vec<(String, usize)> = per_session.into_iter().collect();
    sessions.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    Ok(sessions.into_iter().map(|s| s.0).collect())
}

/// High-severity destructive calls, consecutive calls of one kind by one
/// actor in one row; `timelines` are the sessions the report has a
/// timeline for.
fn destructive_section(data: &Data, w: TimeWindow, timelines: &[String]) -> Result<Section> {
    let mut cx = data.sql(w)?;
    let df = crate::sql::run(&mut cx, HIGH_SQL)?;
    let daily = crate::sql::run(&mut cx, DAILY_SQL)?;
    let f = Frame(&df);
    let key = |i: usize| {
        [
            "actor_kind",
            "actor",
            "operator",
            "agent_session_id",
            "event_name",
            "severity",
            "account_id",
        ]
        .map(|c| f.str(c, i))
    };
    // (first row, last row, calls)
    let mut runs: Vec<(usize, usize, usize)> = Vec::new();
    for i in 0..f.height() {
        match runs.last_mut() {
            Some(r) if key(r.0) == key(i) => {
                r.1 = i;
                r.2 += 1;
            }
            _ => runs.push((i, i, 1)),
        }
    }
    let mut rows = Vec::new();
    for &(i, last, calls) in runs.iter().take(MAX_ROWS) {
        let session = f.str("agent_session_id", i);
        let approval = match (f.str("actor_kind", i).as_deref(), f.str("approval", i)) {
            (Some("ai"), Some(a)) => {
                let silent = f
                    .str("human_last_spoke_secs", i)
                    .and_then(|s| s.parse::<i64>().ok());
                match silent {
                    Some(s) => format!("{a} (person last wrote {} min before)", s / 60),
                    None => format!("{a} (no message from the person before)"),
                }
            }
            (Some("ai"), None) => "no tool call".into(),
            _ => "n/a (not an agent)".into(),
        };
        let (t0, t1) = (f.time("event_time", i), f.time("event_time", last));
        rows.push(vec![
            text(match (t0, t1) {
                (Some(a), Some(b)) if minute(a) != minute(b) => {
                    Some(format!("{} – {}", minute(a), &minute(b)[11..]))
                }
                (a, _) => a.map(minute),
            }),
            text(f.str("account_id", i)),
            text(f.str("event_name", i)),
            Cell::int(calls as i64),
            text(f.str("severity", i)),
            text(match (f.str("actor_kind", i), f.str("actor", i)) {
                (Some(k), Some(a)) => Some(format!("{a} ({k})")),
                (_, a) => a,
            }),
            text(f.str("operator", i)),
            Cell::text(approval),
            match session.filter(|s| timelines.contains(s)) {
                Some(s) => Cell::link("timeline", timeline_anchor(&s)),
                None => Cell::Empty,
            },
        ]);
    }
    let note = (runs.len() > MAX_ROWS).then(|| {
        format!(
            "First {MAX_ROWS} of {} rows; `trailblame destructive --min-severity high` lists every call.",
            runs.len()
        )
    });
    Ok(Section::new("destructive", "Destructive actions")
        .with(Block::Chart(daily_chart(
            &daily,
            "destructive",
            "Successful destructive calls per day",
            "calls",
        )))
        .with(Block::Table(Table {
            caption: Some(format!(
                "High and critical severity ({} calls; consecutive calls of one kind by one actor in one row)",
                int(f.height() as i64)
            )),
            columns: vec![
                Column::text("Time (UTC)"),
                Column::text("Account"),
                Column::text("Action"),
                Column::numeric("Calls"),
                Column::text("Severity"),
                Column::text("Actor"),
                Column::text("On behalf of"),
                Column::text("Approval"),
                Column::text("Timeline"),
            ],
            rows,
            note,
        })))
}

fn timeline_anchor(session: &str) -> String {
    format!("timeline-{}", session.chars().take(36).collect::<String>())
}

fn privileges_section(data: &Data, w: TimeWindow, iam: &[PathBuf]) -> Result<Section> {
    let mut s = Section::new("privileges", "Privileges");
    if iam.is_empty() {
        return Ok(s.with(Block::Note(
            "No IAM data: give --iam (the output of `aws iam get-account-authorization-details`, one file per account) \
             or `iam` under [privileges] in trailblame.toml to see what each principal could do."
                .into(),
        )));
    }
    let t = super::privileges::table(data, w, iam)?;
    let f = Frame(&t.frame);
    let admin = t.frame.column("admin_equivalent")?.bool()?.clone();
    let mut ai_admin = Vec::new();
    let mut gaps: Vec<(i64, Vec<Cell>)> = Vec::new();
    for i in 0..f.height() {
        let kind = f.str("actor_kind", i);
        let is_admin = admin.get(i).unwrap_or(false);
        if kind.as_deref() == Some("ai") && is_admin {
            ai_admin.push(vec![
                text(f.str("actor", i)),
                text(f.str("principal", i)),
                Cell::int(f.int("calls", i)),
                Cell::int(f.int("used_actions", i)),
                text(f.str("admin_reason", i)),
            ]);
        }
        if kind.is_none() && f.str("iam", i).as_deref() == Some("matched") {
            let granted = f.int("granted_actions", i);
            let used = f.int("used_actions", i);
            gaps.push((
                granted - used,
                vec![
                    text(f.str("principal", i)),
                    Cell::int(used),
                    Cell::int(granted),
                    Cell::int(f.int("high_risk_unused", i)),
                    Cell::text(if is_admin { "yes" } else { "no" }),
                ],
            ));
        }
    }
    gaps.sort_by_key(|g| std::cmp::Reverse(g.0));
    s = s.with(Block::Table(Table {
        caption: Some("AI agents acting with admin-equivalent rights".into()),
        columns: vec![
            Column::text("Agent"),
            Column::text("Principal"),
            Column::numeric("Calls"),
            Column::numeric("Actions used"),
            Column::text("Why admin-equivalent"),
        ],
        rows: ai_admin,
        note: None,
    }));
    s = s.with(Block::Table(Table {
        caption: Some("Largest gaps between granted and used".into()),
        columns: vec![
            Column::text("Principal"),
            Column::numeric("Used"),
            Column::numeric("Granted"),
            Column::numeric("High-risk unused"),
            Column::text("Admin-equivalent"),
        ],
        rows: gaps.into_iter().take(10).map(|g| g.1).collect(),
        note: Some(
            "`trailblame privileges --suggest-policy DIR` writes a least-privilege policy per principal and per agent from what was used. \
             Granted counts are upper bounds (resources and conditions read conservatively)."
                .into(),
        ),
    }));
    Ok(s)
}

fn anomalies_section(data: &Data, w: TimeWindow) -> Result<Section> {
    let found = super::anomalies::findings(data, w, &data.settings.anomalies)?;
    let mut per: BTreeMap<&str, usize> = BTreeMap::new();
    for f in &found {
        *per.entry(f.detector).or_default() += 1;
    }
    // The period's findings as the `findings` table, read by the shipped SQL.
    let mut cx = data.sql(w)?;
    cx.register(
        crate::schema::table::FINDINGS,
        super::anomalies::frame(&found)?.lazy(),
    );
    let top = crate::sql::run(&mut cx, FINDINGS_SQL)?;
    let f = Frame(&top);
    let rows = (0..f.height())
        .map(|i| {
            vec![
                text(f.str("severity", i)),
                text(f.str("detector", i)),
                text(
                    match (
                        f.str("actor_kind", i),
                        f.str("actor", i),
                        f.str("operator", i),
                    ) {
                        (Some(k), Some(a), Some(o)) if k == "ai" => Some(format!("{a} for {o}")),
                        (_, a, _) => a,
                    },
                ),
                text(f.time("window_start", i).map(minute)),
                text(f.str("explanation", i)),
            ]
        })
        .collect();
    let counts: Vec<String> = per.iter().map(|(d, n)| format!("{d} {n}")).collect();
    Ok(Section::new("anomalies", "Anomalies").with(Block::Table(Table {
        caption: Some(format!("Top findings ({} in all)", found.len())),
        columns: vec![
            Column::text("Severity"),
            Column::text("Detector"),
            Column::text("Actor"),
            Column::text("From (UTC)"),
            Column::text("What"),
        ],
        rows,
        note: Some(if counts.is_empty() {
            "No findings. `trailblame anomalies` lists every finding with its evidence.".into()
        } else {
            format!(
                "By detector: {}. `trailblame anomalies` lists every finding with its evidence.",
                counts.join(", ")
            )
        }),
    })))
}

fn interval_row(label: &str, r: Option<&crate::stats::rates::RateComparison>) -> IntervalRow {
    match r {
        Some(r) => IntervalRow {
            label: label.into(),
            estimate: r.rate_ratio,
            low: Some(r.ci.lower),
            high: Some(r.ci.upper).filter(|h| h.is_finite()),
            note: Some(format!("{} vs {} incidents", r.ai.events, r.human.events)),
        },
        None => IntervalRow {
            label: label.into(),
            estimate: None,
            low: None,
            high: None,
            note: Some("no data".into()),
        },
    }
}

fn incidents_section(
    links: Option<&DataFrame>,
    cmp: &Comparison,
    trend: &Comparison,
    timelines: &[String],
) -> Result<Section> {
    let mut s = Section::new("incidents", "Incidents and the comparison");
    let Some(links) = links else {
        return Ok(s.with(Block::Note(
            "No incidents file: give --incidents FILE or `file` under [incidents] in trailblame.toml.".into(),
        )));
    };
    let f = Frame(links);
    let rows = (0..f.height())
        .map(|i| {
            let cause = match (f.str("event_name", i), f.str("actor", i)) {
                (Some(e), Some(a)) => format!("{e} by {a}"),
                (Some(e), None) => e,
                _ => "no traced cause".to_string(),
            };
            vec![
                text(f.str("incident_id", i)),
                text(f.str("severity", i)),
                text(f.str("title", i)),
                text(f.time("started_at", i).map(minute)),
                Cell::text(cause),
                text(f.str("actor_kind", i)),
                text(f.str("operator", i)),
                text(f.str("approval", i)),
                match f
                    .str("agent_session_id", i)
                    .filter(|s| timelines.contains(s))
                {
                    Some(sid) => Cell::link("timeline", timeline_anchor(&sid)),
                    None => Cell::Empty,
                },
            ]
        })
        .collect();
    s = s.with(Block::Table(Table {
        caption: Some("Incidents that started in the period, with their most likely cause".into()),
        columns: vec![
            Column::text("Incident"),
            Column::text("Severity"),
            Column::text("Title"),
            Column::text("Started (UTC)"),
            Column::text("Most likely cause"),
            Column::text("Kind"),
            Column::text("On behalf of"),
            Column::text("Approval"),
            Column::text("Timeline"),
        ],
        rows,
        note: Some(
            "`trailblame incidents --top 3` shows the other candidates and why each was linked."
                .into(),
        ),
    }));
    s = s.with(Block::Verdict(cmp.verdict.clone()));
    let eq = cmp.at_equal_privilege.mantel_haenszel.as_ref();
    let boot = cmp.session_bootstrap.as_ref();
    s = s.with(Block::Chart(Chart::Intervals(Intervals {
        title: "Incident rate ratio, AI vs people (95% interval)".into(),
        rows: vec![
            interval_row("Per 1,000 writes", cmp.per_1000_writes.as_ref()),
            interval_row("Per 100 sessions", cmp.per_100_sessions.as_ref()),
            IntervalRow {
                label: "At equal privilege (Mantel–Haenszel)".into(),
                estimate: eq.and_then(|m| m.rate_ratio),
                low: eq.map(|m| m.ci.lower),
                high: eq.map(|m| m.ci.upper).filter(|h| h.is_finite()),
                note: Some(if eq.is_some() {
                    format!("{} privilege tiers", cmp.at_equal_privilege.tiers.len())
                } else {
                    "no IAM data".into()
                }),
            },
            IntervalRow {
                label: "Resampling sessions (bootstrap)".into(),
                estimate: boot.and_then(|b| b.rate_ratio),
                low: boot.and_then(|b| b.ci).map(|c| c.lower),
                high: boot
                    .and_then(|b| b.ci)
                    .map(|c| c.upper)
                    .filter(|h| h.is_finite()),
                note: boot
                    .map(|b| format!("{} AI, {} human sessions", b.ai_clusters, b.human_clusters)),
            },
        ],
        reference: 1.0,
        log_scale: true,
        x_label: "rate ratio (AI / people); 1 = the same".into(),
    })));
    let side = |name: &str, sd: &super::compare::Side| {
        vec![
            Cell::text(name),
            Cell::int(sd.writes as i64),
            Cell::int(sd.destructive as i64),
            Cell::int(sd.sessions as i64),
            Cell::int(sd.incidents as i64),
            if sd.writes > 0 {
                Cell::number(sd.incidents as f64 / sd.writes as f64 * 1000.0, 2)
            } else {
                Cell::Empty
            },
            Cell::int(sd.mass_deletion_bursts as i64),
        ]
    };
    s = s.with(Block::Table(Table {
        caption: Some("Exposure and incidents".into()),
        columns: vec![
            Column::text(""),
            Column::numeric("Writes"),
            Column::numeric("Destructive"),
            Column::numeric("Sessions"),
            Column::numeric("Incidents"),
            Column::numeric("Per 1,000 writes"),
            Column::numeric("Mass-deletion bursts"),
        ],
        rows: vec![side("AI agents", &cmp.ai), side("People", &cmp.human)],
        note: Some("Sessions: an agent's transcript session, a person's working day. Writes: successful non-read-only calls.".into()),
    }));
    s = s.with(Block::List(cmp.notes.clone()));
    // The trend: the weeks up to this one.
    let weeks: Vec<&super::compare::Week> = trend.weeks.iter().rev().take(8).rev().collect();
    let rate = |inc: u64, writes: u64| {
        if writes == 0 {
            f64::NAN
        } else {
            inc as f64 / writes as f64 * 1000.0
        }
    };
    s = s.with(Block::Chart(Chart::Lines(Lines {
        title: "Incidents per 1,000 writes, week by week".into(),
        x_labels: weeks.iter().map(|w| w.week.clone()).collect(),
        series: vec![
            Series {
                name: "AI agents".into(),
                values: weeks
                    .iter()
                    .map(|w| rate(w.ai.incidents, w.ai.writes))
                    .collect(),
                tone: Tone::Ai,
            },
            Series {
                name: "People".into(),
                values: weeks
                    .iter()
                    .map(|w| rate(w.human.incidents, w.human.writes))
                    .collect(),
                tone: Tone::Human,
            },
        ],
        y_label: "incidents per 1,000 writes".into(),
    })));
    Ok(s)
}

fn timelines_section(
    data: &Data,
    period: TimeWindow,
    sessions: &[String],
    incidents: &[crate::incidents::read::Incident],
) -> Result<Option<Section>> {
    if sessions.is_empty() {
        return Ok(None);
    }
    let mut s = Section::new("timelines", "Timelines").with(Block::Paragraph(
        "What each agent session with high-severity destructive calls was asked, what it ran, and what that did \
         in CloudTrail (indented under the call), with other actors' writes to the same resources. \
         `trailblame timeline --session ID --format html` gives the whole session."
            .into(),
    ));
    for sid in sessions {
        let mut cx = data.sql(TimeWindow::default())?;
        let df = crate::sql::run(
            &mut cx,
            &crate::sql::substitute(
                "SELECT CAST(MIN(event_time) AS BIGINT) AS lo, CAST(MAX(event_time) AS BIGINT) AS hi, \
                 MIN(actor) AS actor, MIN(operator) AS operator FROM events WHERE agent_session_id = :sid",
                &[("sid".to_string(), sid.clone())],
            )?,
        )?;
        let f = Frame(&df);
        let (Some(lo), Some(hi)) = (f.time("lo", 0), f.time("hi", 0)) else {
            continue;
        };
        let pad = 30 * 60_000_000;
        // Around the session, inside the period.
        let clip = |t: i64| {
            t.clamp(
                period.since.unwrap_or(i64::MIN),
                period.until.unwrap_or(i64::MAX),
            )
        };
        let window = TimeWindow {
            since: Some(clip(lo - pad)),
            until: Some(clip(hi + 3 * 3_600_000_000)),
        };
        let title = format!(
            "{} for {} (session {})",
            f.str("actor", 0).unwrap_or_default(),
            f.str("operator", 0).unwrap_or_else(|| "?".into()),
            sid
        );
        let focus = Focus {
            session: Some(sid.clone()),
            ..Focus::default()
        };
        let (tl, total) = super::timeline::build(
            data,
            window,
            &focus,
            incidents,
            &timeline_anchor(sid),
            &title,
            200,
        )?;
        s = s.with(Block::Timeline(tl));
        if total > 200 {
            s = s.with(Block::Note(format!(
                "First 200 of {total} entries; `trailblame timeline --session {sid}` shows them all."
            )));
        }
    }
    Ok(Some(s))
}

fn coverage_section(
    data: &Data,
    w: TimeWindow,
    iam: &[PathBuf],
    incidents: Option<&std::path::Path>,
) -> Result<Section> {
    let mut cx = data.sql(w)?;
    let table = |sql: &str, caption: &str, cx: &mut polars::sql::SQLContext| -> Result<Table> {
        let df = crate::sql::run(cx, sql)?;
        let columns = df
            .columns()
            .iter()
            .map(|c| {
                if c.dtype().is_integer() || c.dtype().is_float() {
                    Column::numeric(c.name().as_str())
                } else {
                    Column::text(c.name().as_str())
                }
            })
            .collect();
        let f = Frame(&df);
        let rows = (0..f.height())
            .map(|i| {
                df.columns()
                    .iter()
                    .map(|c| {
                        let name = c.name().as_str();
                        if c.dtype().is_integer() {
                            Cell::int(f.int(name, i))
                        } else if matches!(c.dtype(), DataType::Datetime(..)) {
                            text(f.time(name, i).map(minute))
                        } else {
                            text(f.str(name, i))
                        }
                    })
                    .collect()
            })
            .collect();
        Ok(Table {
            caption: Some(caption.into()),
            columns,
            rows,
            note: None,
        })
    };
    let mut s = Section::new("coverage", "Coverage").with(Block::Paragraph(
        "What the data covers, so a reader knows what this report cannot see: accounts, regions and days without \
         CloudTrail, agents without transcripts (their calls can still be recognised from user-agent markers and \
         roles, but not tied to a prompt), and records that could not be read."
            .into(),
    ));
    s = s.with(Block::Table(table(
        SCOPE_SQL,
        "Accounts and regions in the period",
        &mut cx,
    )?));
    s = s.with(Block::Table(table(
        FILES_SQL,
        "Files read (all ingests of the store)",
        &mut cx,
    )?));
    s = s.with(Block::Table(table(
        TRANSCRIPTS_SQL,
        "Agent transcripts found",
        &mut cx,
    )?));
    s = s.with(Block::Table(table(
        USER_AGENTS_SQL,
        "The most common clients (user agents as logged)",
        &mut cx,
    )?));
    let q = table(QUARANTINE_SQL, "Quarantined records", &mut cx)?;
    s = s.with(if q.rows.is_empty() {
        Block::Note("No record was quarantined: every record read was kept.".into())
    } else {
        Block::Table(q)
    });
    let mut notes = Vec::new();
    notes.push(match incidents {
        Some(p) => format!("Incidents from {}.", p.display()),
        None => "No incidents file.".to_string(),
    });
    notes.push(if iam.is_empty() {
        "No IAM data: privilege tiers are unknown.".to_string()
    } else {
        format!(
            "IAM data: {}.",
            iam.iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )
    });
    notes.push(format!("Settings: {}.", data.settings.source));
    Ok(s.with(Block::List(notes)))
}

/// Time per part of the report on stderr when `TRAILBLAME_TIMINGS` is set.
struct Clock {
    last: Option<std::time::Instant>,
}

impl Clock {
    fn new() -> Clock {
        Clock {
            last: std::env::var_os("TRAILBLAME_TIMINGS").map(|_| std::time::Instant::now()),
        }
    }

    fn lap(&mut self, what: &str) {
        if let Some(t) = self.last {
            eprintln!("{what}: {:.2} s", t.elapsed().as_secs_f64());
            self.last = Some(std::time::Instant::now());
        }
    }
}

pub fn run(a: Args) -> Result<ExitCode> {
    let mut data = Data::open(&a.input, &a.run)?;
    let p = period(&a, &data)?;
    // Dozens of queries over the period: read it once.
    let mut clock = Clock::new();
    data.cache_events(p.window)?;
    clock.lap("period in memory");
    let incidents_file = match data.incidents_file(a.incidents.as_deref()) {
        Ok(f) => Some(f),
        Err(e) if a.incidents.is_some() => return Err(e),
        Err(_) => None,
    };
    let iam = data.iam_files(&a.iam)?;
    let empty;
    let inc_path = match &incidents_file {
        Some(f) => f.as_path(),
        None => {
            // No incidents file: an empty one, so the comparison says "no data".
            empty = tempfile::NamedTempFile::new()?;
            std::fs::write(empty.path(), "id,title,severity,started_at\n")?;
            empty.path()
        }
    };
    let quiet = true;
    let cmp = super::compare::compute(&data, inc_path, &iam, p.window, a.lookback_minutes, quiet)?;
    // The trend reaches back before the period when there is data there.
    let earlier = !data.nothing_before_cache();
    let trend = if earlier {
        super::compare::compute(
            &data,
            inc_path,
            &iam,
            TimeWindow {
                since: None,
                until: p.window.until,
            },
            a.lookback_minutes,
            quiet,
        )?
    } else {
        cmp.clone()
    };
    clock.lap("comparison and trend");
    let incidents = incidents_of(&data, a.incidents.as_deref())?;
    // The best cause of each incident (or its one "no cause" row).
    let links = match &incidents_file {
        Some(_) => {
            let rank = cmp.links.column("rank")?.cast(&DataType::UInt32)?;
            let mask: BooleanChunked = rank
                .u32()?
                .iter()
                .map(|r| Some(r.is_none_or(|r| r == 1)))
                .collect();
            Some(cmp.links.filter(&mask)?)
        }
        None => None,
    };
    // Timelines: the sessions that caused incidents (worst first), then
    // those with the most high-severity destructive calls.
    let mut sessions: Vec<String> = Vec::new();
    if let Some(l) = &links {
        let f = Frame(l);
        let mut caused: Vec<(String, String)> = (0..f.height())
            .filter_map(|i| {
                Some((
                    f.str("severity", i).unwrap_or_default(),
                    f.str("agent_session_id", i)?,
                ))
            })
            .collect();
        caused.sort();
        for (_, sid) in caused {
            if !sessions.contains(&sid) {
                sessions.push(sid);
            }
        }
    }
    let caused = sessions.len();
    for sid in destructive_sessions(&data, p.window)? {
        if sessions.len() >= caused + MAX_TIMELINES {
            break;
        }
        if !sessions.contains(&sid) {
            sessions.push(sid);
        }
    }
    clock.lap("incident links and sessions");
    let story = match &links {
        Some(l) => story(l, &iam)?,
        None => Vec::new(),
    };
    let mut sections = vec![headline_section(&data, &p, &cmp, story)?];
    clock.lap("headline");
    sections.push(who_section(&data, p.window)?);
    clock.lap("who acted");
    sections.push(destructive_section(&data, p.window, &sessions)?);
    clock.lap("destructive");
    sections.push(privileges_section(&data, p.window, &iam)?);
    clock.lap("privileges");
    sections.push(anomalies_section(&data, p.window)?);
    clock.lap("anomalies");
    sections.push(incidents_section(links.as_ref(), &cmp, &trend, &sessions)?);
    sections.extend(timelines_section(&data, p.window, &sessions, &incidents)?);
    clock.lap("timelines");
    sections.push(coverage_section(
        &data,
        p.window,
        &iam,
        incidents_file.as_deref(),
    )?);
    clock.lap("coverage");
    let doc = Document {
        title: format!("Weekly report · {}", p.label),
        subtitle: Some(format!(
            "{} to {} (UTC) · AI agents and people in AWS, from CloudTrail and agent transcripts",
            minute(p.window.since.unwrap_or(0)),
            minute(p.window.until.unwrap_or(0))
        )),
        generated_by: format!("trailblame {}", env!("CARGO_PKG_VERSION")),
        sections,
    };
    let out = match a.format.as_str() {
        "md" => crate::report::to_markdown(&doc),
        "json" => crate::report::to_json(&doc)? + "\n",
        _ => crate::report::to_html(&doc),
    };
    crate::output::write_text(&out, a.output.as_deref())?;
    if let Some(o) = &a.output
        && !a.run.quiet
    {
        eprintln!("wrote {} ({} KiB)", o.display(), out.len() / 1024);
    }
    Ok(data.exit_code())
}
