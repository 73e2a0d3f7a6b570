//! The weekly report, assembled: the period, then one section after another
//! (headline, who acted, destructive, privileges, anomalies, incidents and
//! the comparison, session timelines, coverage) as a `crate::document`
//! `Document`, which renders as HTML, Markdown or JSON.
//!
//! Every table comes from a SQL file in `queries/` (`report_*.sql`,
//! `compare_cells.sql`, `destructive_events.sql`) or from the analyses the
//! other commands print (`analysis::compare::compute`,
//! `analysis::privilege_usage::table`, `analysis::findings::findings`,
//! `analysis::timeline::build`); this module only chooses what to show.

mod activity;
mod coverage;
mod incidents;
mod risk;

use crate::analysis::compare::Comparison;
use crate::analysis::timeline::{Focus, incidents_of};
use crate::document::numbers::int;
use crate::document::{
    Block, Cell, Chart, Column, Document, IntervalRow, Intervals, Lines, Metric, Section, Series,
    StackedBars, Table, Tone, Trend,
};
use crate::sql::TimeWindow;
use crate::workspace::Workspace;
use activity::{destructive_section, destructive_sessions, headline_section, who_section};
use anyhow::{Context, Result, bail};
use chrono::NaiveDate;
use coverage::coverage_section;
use incidents::{incidents_section, story, timelines_section};
use polars::prelude::*;
use risk::{anomalies_section, privileges_section};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// What the weekly report covers and reads.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// The ISO week, e.g. 2025-W50 (default: the week of the latest event).
    pub week: Option<String>,
    /// A period instead of a week (both bounds or either).
    pub window: TimeWindow,
    /// The incidents file given on the command line (else the settings').
    pub incidents: Option<PathBuf>,
    /// IAM data files given on the command line (else the settings').
    pub iam: Vec<PathBuf>,
    /// How far before an incident's start to look for causes, in minutes.
    pub lookback_minutes: i64,
}

/// The assembled report.
pub struct Weekly {
    pub document: Document,
    /// Rows of the incidents file that could not be read.
    pub unreadable_incident_rows: u64,
    /// `warning: …` / `note: …` lines about the input files, for stderr.
    pub warnings: Vec<String>,
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
    crate::timeparse::iso_week(
        chrono::DateTime::from_timestamp_micros(us)
            .unwrap_or_default()
            .date_naive(),
    )
}

fn minute(us: i64) -> String {
    crate::timeparse::format_micros(us, "%Y-%m-%d %H:%M")
}

fn period(o: &Options, data: &Workspace) -> Result<Period> {
    let given = o.window;
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
    if let Some(w) = &o.week {
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

/// What the headline says about the report's own scope.
pub(super) struct Scope {
    /// An incidents file was found (else "no incidents file given", not 0).
    pub incidents_given: bool,
    /// When the data reaches outside the period: one sentence saying how
    /// much, and how to see it.
    pub left_out: Option<String>,
}

/// The events outside the period, said in one sentence (`None` when the
/// period holds them all).
fn left_out(data: &Workspace, p: &Period) -> Result<Option<String>> {
    let mut cx = data.sql(TimeWindow::default())?;
    let df = crate::sql::run(
        &mut cx,
        "SELECT COUNT(*) AS n, CAST(MIN(event_time) AS BIGINT) AS lo, \
         CAST(MAX(event_time) AS BIGINT) AS hi FROM events",
    )?;
    let f = Frame(&df);
    let (all, lo, hi) = (f.int("n", 0), f.time("lo", 0), f.time("hi", 0));
    let mut cx = data.sql(p.window)?;
    let inside = Frame(&crate::sql::run(
        &mut cx,
        "SELECT COUNT(*) AS n FROM events",
    )?)
    .int("n", 0);
    let (Some(lo), Some(hi)) = (lo, hi) else {
        return Ok(None);
    };
    if inside >= all {
        return Ok(None);
    }
    let day = |us: i64| crate::timeparse::format_micros(us, "%Y-%m-%d");
    Ok(Some(format!(
        "This report covers {} events of the {} read, from {} to {}: the other {} lie outside {} \
         (`--since {} --until {}` covers them all; `--week` picks another week).",
        int(inside),
        int(all),
        day(lo),
        day(hi),
        int(all - inside),
        p.label,
        day(lo),
        crate::timeparse::format_micros(hi + DAY_US, "%Y-%m-%d"),
    )))
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

fn timeline_anchor(session: &str) -> String {
    format!("timeline-{}", session.chars().take(36).collect::<String>())
}

/// Assembles the report over `data` (its period is read into memory).
pub fn build(data: &mut Workspace, o: &Options) -> Result<Weekly> {
    let p = period(o, data)?;
    // Dozens of queries over the period: read it once.
    let mut clock = crate::progress::Clock::new();
    data.cache_events(p.window)?;
    clock.lap("period in memory");
    let data: &Workspace = data;
    let incidents_file = match data.incidents_file(o.incidents.as_deref()) {
        Ok(f) => Some(f),
        Err(e) if o.incidents.is_some() => return Err(e),
        Err(_) => None,
    };
    let iam = data.iam_files(&o.iam)?;
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
    // Unreadable incident rows are reported once, here (with their lines).
    let cmp =
        crate::analysis::compare::compute(data, inc_path, &iam, p.window, o.lookback_minutes)?;
    // The trend reaches back before the period when there is data there.
    let earlier = !data.nothing_before_cache();
    let trend = if earlier {
        crate::analysis::compare::compute(
            data,
            inc_path,
            &iam,
            TimeWindow {
                since: None,
                until: p.window.until,
            },
            o.lookback_minutes,
        )?
    } else {
        cmp.clone()
    };
    clock.lap("comparison and trend");
    let incidents = incidents_of(data, o.incidents.as_deref())?;
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
    let (daily, high) = {
        let mut cx = data.sql(p.window)?;
        (
            crate::sql::run(&mut cx, DAILY_SQL)?,
            crate::sql::run(&mut cx, HIGH_SQL)?,
        )
    };
    for sid in destructive_sessions(&high) {
        if sessions.len() >= caused + MAX_TIMELINES {
            break;
        }
        if !sessions.contains(&sid) {
            sessions.push(sid);
        }
    }
    clock.lap("incident links and sessions");
    let story = match &links {
        Some(l) => story(l, &cmp.principal_tiers),
        None => Vec::new(),
    };
    let scope = Scope {
        incidents_given: incidents_file.is_some(),
        left_out: left_out(data, &p)?,
    };
    let mut sections = vec![headline_section(data, &p, &cmp, story, &scope)?];
    clock.lap("headline");
    sections.push(who_section(data, p.window, &daily)?);
    clock.lap("who acted");
    sections.push(destructive_section(&high, &daily, &sessions)?);
    clock.lap("destructive");
    sections.push(privileges_section(data, p.window, &iam)?);
    clock.lap("privileges");
    sections.push(anomalies_section(data, p.window)?);
    clock.lap("anomalies");
    sections.push(incidents_section(links.as_ref(), &cmp, &trend, &sessions)?);
    sections.extend(timelines_section(data, p.window, &sessions, &incidents)?);
    clock.lap("timelines");
    sections.push(coverage_section(
        data,
        p.window,
        &iam,
        incidents_file
            .as_deref()
            .map(|f| (f, cmp.incidents.unreadable_rows)),
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
    Ok(Weekly {
        document: doc,
        unreadable_incident_rows: cmp.incidents.unreadable_rows,
        warnings: cmp.warnings.clone(),
    })
}
