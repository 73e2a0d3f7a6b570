//! Command-line parsing: clap fills the raw arguments, each subcommand turns
//! them into checked settings once and calls the library. One subcommand per
//! file; shared option groups live here so they mean the same everywhere.

pub mod anomalies;
pub mod attribute;
pub mod compare;
pub mod destructive;
pub mod explain;
pub mod incidents;
pub mod ingest;
pub mod privileges;
pub mod query;
pub mod report;
pub mod schema;
pub mod summary;
pub mod synth;
pub mod timeline;

use crate::attribution::Settings;
use crate::ingest::{IngestOptions, IngestReport, ingest_into};
use crate::output::Format;
use crate::progress::{Progress, ProgressMode};
use crate::sql::TimeWindow;
use crate::store::Store;
use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "trailblame",
    version,
    about = "Who did what in an AWS account, an AI agent or a human, from CloudTrail and agent transcripts",
    after_help = "Exit status: 0 all input read, 1 something was skipped or quarantined, 2 error."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Read CloudTrail files and folders into a store
    Ingest(ingest::Args),
    /// Run SQL over the store's tables
    Query(query::Args),
    /// A first overview: events by day, account, region, identity, principal, event name, error
    Summary(summary::Args),
    /// Label every event AI, human, service, automation or unknown, with its evidence
    Attribute(attribute::Args),
    /// Why one event got its label: signals, the tool call and transcript, alternatives
    Explain(explain::Args),
    /// Destructive and risky calls by actor, with bursts and agents' approvals
    Destructive(destructive::Args),
    /// Privileges granted (IAM) vs used (CloudTrail), per principal and per actor; suggested policies
    Privileges(privileges::Args),
    /// Each incident's likely causes: the events, who made them, how they were linked
    Incidents(incidents::Args),
    /// Do AI actions cause more incidents than human ones? Rates, exact intervals, the verdict
    Compare(compare::Args),
    /// What changed in how each actor behaves: explainable anomaly findings, ranked
    Anomalies(anomalies::Args),
    /// The weekly report: headline numbers, who acted, destructive actions, privileges, anomalies, incidents, coverage
    Report(report::Args),
    /// The postmortem timeline: an agent's prompts, tool calls and the events they caused, with others' actions and incidents
    Timeline(timeline::Args),
    /// Print the table schemas (SCHEMA.md)
    Schema(schema::Args),
    /// Write deterministic synthetic CloudTrail in the S3 layout (benchmarks, sample data)
    Synth(synth::Args),
}

/// Where the data comes from: a store, or input paths read into a temporary one.
#[derive(Args, Clone)]
pub struct InputArgs {
    /// CloudTrail files or folders to read directly (ingested into a temporary store first)
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// The store to read (made by `trailblame ingest`)
    #[arg(long, value_name = "DIR")]
    pub store: Option<PathBuf>,
}

/// How a run behaves.
#[derive(Args, Clone)]
pub struct RunArgs {
    /// Progress on stderr: auto shows a bar when stderr is a terminal
    #[arg(long, value_enum, default_value_t = ProgressMode::Auto)]
    pub progress: ProgressMode,
    /// Stop at the first bad record or unreadable file (exit status 2)
    #[arg(long)]
    pub strict: bool,
    /// Print nothing on stderr but errors
    #[arg(short, long)]
    pub quiet: bool,
    /// Time zone of Aider transcripts, which record local time without one (e.g. +02:00, -0500)
    #[arg(long, value_name = "OFFSET", default_value = "+00:00")]
    pub aider_tz: String,
    /// The person who ran the agents whose transcripts are read (when the path does not say)
    #[arg(long, value_name = "NAME")]
    pub operator: Option<String>,
    /// File of `path-prefix-or-user = operator` lines mapping transcripts to people
    #[arg(long, value_name = "FILE")]
    pub operator_map: Option<PathBuf>,
    /// Attribution settings (default: ./trailblame.toml, else one at the top of an input folder, else built-in)
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

impl RunArgs {
    pub fn progress(&self) -> Progress {
        Progress {
            mode: self.progress,
            quiet: self.quiet,
        }
    }

    /// The attribution settings for a run over `inputs`.
    pub fn settings(&self, inputs: &[PathBuf]) -> Result<Settings> {
        Settings::find(self.config.as_deref(), inputs)
    }

    pub fn ingest_options(&self, inputs: &[PathBuf]) -> Result<IngestOptions> {
        let aider_timezone = parse_offset(&self.aider_tz)?;
        let operator_map = match &self.operator_map {
            Some(p) => read_operator_map(p)?,
            None => Vec::new(),
        };
        Ok(IngestOptions {
            strict: self.strict,
            progress: self.progress(),
            transcripts: crate::transcripts::TranscriptOptions {
                aider_timezone,
                operator: self.operator.clone(),
                operator_map,
            },
            settings: self.settings(inputs)?,
            attribute: true,
        })
    }
}

/// `+02:00`, `-0500`, `Z`, `UTC`.
fn parse_offset(s: &str) -> Result<chrono::FixedOffset> {
    let t = s.trim();
    if matches!(t, "Z" | "z" | "UTC" | "utc") {
        return Ok(crate::transcripts::utc_offset());
    }
    let (sign, rest) = match t.as_bytes().first() {
        Some(b'+') => (1, &t[1..]),
        Some(b'-') => (-1, &t[1..]),
        _ => bail!("--aider-tz {t:?}: use an offset like +02:00 or -0500"),
    };
    let digits: String = rest.chars().filter(|c| *c != ':').collect();
    let (h, m) = match digits.len() {
        2 => (digits.parse::<i32>().ok(), Some(0)),
        4 => (
            digits[..2].parse::<i32>().ok(),
            digits[2..].parse::<i32>().ok(),
        ),
        _ => (None, None),
    };
    match (h, m) {
        (Some(h), Some(m)) if h <= 14 && m < 60 => {
            chrono::FixedOffset::east_opt(sign * (h * 3600 + m * 60))
                .ok_or_else(|| anyhow::anyhow!("--aider-tz {t:?} is out of range"))
        }
        _ => bail!("--aider-tz {t:?}: use an offset like +02:00 or -0500"),
    }
}

/// Reads `key = operator` lines; `#` starts a comment.
fn read_operator_map(path: &std::path::Path) -> Result<Vec<(String, String)>> {
    let text = std::fs::read_to_string(path)
        .map_err(anyhow::Error::from)
        .map_err(|e| e.context(format!("reading {}", path.display())))?;
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        let Some((k, v)) = line.split_once('=') else {
            bail!(
                "{}:{}: expected `path-prefix-or-user = operator`",
                path.display(),
                n + 1
            );
        };
        let (k, v) = (k.trim(), v.trim());
        if k.is_empty() || v.is_empty() {
            bail!(
                "{}:{}: both sides of `=` must be filled",
                path.display(),
                n + 1
            );
        }
        out.push((k.to_string(), v.to_string()));
    }
    Ok(out)
}

#[derive(Args, Clone)]
pub struct OutputArgs {
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Write to this file instead of stdout
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Args, Clone)]
pub struct TimeArgs {
    /// Only events at or after this time (2025-12-08, 2025-12-08T09:00, RFC 3339; UTC unless a zone is given)
    #[arg(long, value_name = "TIME")]
    pub since: Option<String>,
    /// Only events before this time
    #[arg(long, value_name = "TIME")]
    pub until: Option<String>,
}

impl TimeArgs {
    pub fn window(&self) -> Result<TimeWindow> {
        let w = TimeWindow {
            since: self
                .since
                .as_deref()
                .map(crate::timeparse::parse_user_time)
                .transpose()?,
            until: self
                .until
                .as_deref()
                .map(crate::timeparse::parse_user_time)
                .transpose()?,
        };
        if let (Some(s), Some(u)) = (w.since, w.until)
            && s >= u
        {
            bail!("--since must be before --until");
        }
        Ok(w)
    }
}

/// An open store, temporary when it was made from input paths.
pub struct Data {
    pub store: Store,
    pub ingest: Option<IngestReport>,
    pub settings: Settings,
    /// Attribution computed in memory because the stored one was stale and
    /// another writer held the store.
    pub attribution: Option<polars::prelude::LazyFrame>,
    /// `events` with its attribution for one window, in memory, for a
    /// command that runs many queries over it (`report`).
    events_cache: Option<EventsCache>,
    _temp: Option<tempfile::TempDir>,
}

/// The columns `report` and what it calls read (queries in `queries/report_*`,
/// `compare_cells`, `destructive_events`, incident linking, privileges,
/// anomalies, timelines); identity details, the parsed user agent and the
/// attribution's evidence stay on disk.
const CACHED_COLUMNS: &[&str] = &[
    "event_id",
    "event_time",
    "event_date",
    "event_source",
    "event_name",
    "aws_region",
    "account_id",
    "source_ip",
    "user_agent",
    "principal_arn",
    "read_only",
    "error_code",
    "request_parameters",
    "resources",
    "iam_action",
    "actor_kind",
    "actor",
    "operator",
    "agent_session_id",
    "tool_call_id",
    "destructive",
    "destructive_category",
    "severity",
    "catalog_rule",
    "approval",
    "human_last_spoke_secs",
];

struct EventsCache {
    window: TimeWindow,
    frame: polars::prelude::DataFrame,
    /// The store has no event before the window: a query from the start of
    /// time up to the window's end sees exactly the cached rows.
    nothing_before: bool,
}

impl Data {
    pub fn open(input: &InputArgs, run: &RunArgs) -> Result<Data> {
        match (&input.store, input.paths.is_empty()) {
            (Some(_), false) => bail!(
                "give input paths or --store, not both (to add files to a store: `trailblame ingest PATH --store DIR`)"
            ),
            (Some(dir), true) => {
                let store = Store::open(dir)?;
                // Without --config or ./trailblame.toml, the settings file the
                // store was last attributed with, when it is still there.
                let remembered = store
                    .manifest
                    .attribution
                    .as_ref()
                    .map(|a| PathBuf::from(&a.settings_source))
                    .filter(|p| p.is_file());
                let settings = match (&run.config, remembered) {
                    (None, Some(p))
                        if !Path::new(crate::attribution::config::FILE_NAME).is_file() =>
                    {
                        Settings::find(Some(&p), &[])?
                    }
                    _ => run.settings(&[])?,
                };
                let mut data = Data {
                    store,
                    ingest: None,
                    settings,
                    attribution: None,
                    events_cache: None,
                    _temp: None,
                };
                data.refresh_attribution(run.quiet)?;
                Ok(data)
            }
            (None, true) => {
                bail!("nothing to read: give CloudTrail files or folders, or --store DIR")
            }
            (None, false) => {
                let temp = tempfile::Builder::new().prefix("trailblame-").tempdir()?;
                let opts = run.ingest_options(&input.paths)?;
                let report = ingest_into(&input.paths, temp.path(), &opts)?;
                if !run.quiet {
                    ingest::print_report(&report, None);
                }
                Ok(Data {
                    store: Store::open(temp.path())?,
                    ingest: Some(report),
                    settings: opts.settings,
                    attribution: None,
                    events_cache: None,
                    _temp: Some(temp),
                })
            }
        }
    }

    /// Makes the store's attribution match the settings: rebuilt and saved
    /// when stale, computed in memory when another writer holds the store.
    fn refresh_attribution(&mut self, quiet: bool) -> Result<()> {
        if crate::attribution::is_current(&self.store, &self.settings) {
            return Ok(());
        }
        let (lf, stats) = crate::attribution::current(&self.store, &self.settings)?;
        if let Some(stats) = &stats
            && !quiet
        {
            eprintln!(
                "attribution rebuilt (settings: {}): {}",
                self.settings.source,
                stats.line()
            );
        }
        match Store::open(&self.store.root) {
            Ok(s) if crate::attribution::is_current(&s, &self.settings) => self.store = s,
            _ => self.attribution = Some(lf),
        }
        Ok(())
    }

    /// A SQL context over the store with `events` carrying the attribution.
    pub fn sql(&self, window: TimeWindow) -> Result<polars::sql::SQLContext> {
        if let Some(c) = &self.events_cache {
            let inside = |w: TimeWindow| {
                let since_ok = match (w.since, c.window.since) {
                    (_, None) => true,
                    (Some(s), Some(cs)) => s >= cs,
                    (None, Some(_)) => false,
                };
                let until_ok = match (w.until, c.window.until) {
                    (_, None) => true,
                    (Some(u), Some(cu)) => u <= cu,
                    (None, Some(_)) => false,
                };
                since_ok && until_ok
            };
            let covered = inside(window)
                || (c.nothing_before
                    && window.until == c.window.until
                    && window
                        .since
                        .is_none_or(|s| c.window.since.is_some_and(|cs| s <= cs)));
            if covered {
                return crate::sql::context_over(
                    &self.store,
                    window,
                    self.attribution.clone(),
                    polars::prelude::IntoLazy::lazy(c.frame.clone()),
                );
            }
        }
        crate::sql::context_with(&self.store, window, self.attribution.clone())
    }

    /// Keeps `events` with its attribution for `window` in memory: later
    /// `sql` calls for that window (or, when the store holds nothing before
    /// it, from any earlier start to its end) read it instead of the files.
    pub fn cache_events(&mut self, window: TimeWindow) -> Result<()> {
        let mut cx = crate::sql::context_with(&self.store, window, self.attribution.clone())?;
        let frame = crate::sql::run(
            &mut cx,
            &format!("SELECT {} FROM events", CACHED_COLUMNS.join(", ")),
        )?;
        let nothing_before = match window.since {
            None => true,
            Some(s) => {
                let mut cx = crate::sql::context_with(
                    &self.store,
                    TimeWindow {
                        since: None,
                        until: Some(s),
                    },
                    self.attribution.clone(),
                )?;
                crate::sql::run(&mut cx, "SELECT COUNT(*) AS n FROM events")?
                    .column("n")?
                    .cast(&polars::prelude::DataType::UInt64)?
                    .u64()?
                    .get(0)
                    .unwrap_or(0)
                    == 0
            }
        };
        self.events_cache = Some(EventsCache {
            window,
            frame,
            nothing_before,
        });
        Ok(())
    }

    /// True when the store holds no event before the cached window.
    pub fn nothing_before_cache(&self) -> bool {
        self.events_cache.as_ref().is_some_and(|c| c.nothing_before)
    }

    /// The incidents export: `--incidents`, else `[incidents] file` of the
    /// settings.
    pub fn incidents_file(&self, explicit: Option<&Path>) -> Result<PathBuf> {
        match (explicit, &self.settings.incidents.file) {
            (Some(p), _) => Ok(p.to_path_buf()),
            (None, Some(p)) => Ok(self.settings.resolve(p)),
            (None, None) => bail!(
                "no incidents file: give --incidents FILE, or set `file` under [incidents] in trailblame.toml"
            ),
        }
    }

    /// IAM data files: `--iam`, else `[privileges] iam` of the settings (a
    /// folder stands for the files in it, in name order). Empty when none.
    pub fn iam_files(&self, explicit: &[PathBuf]) -> Result<Vec<PathBuf>> {
        if !explicit.is_empty() {
            return Ok(explicit.to_vec());
        }
        let mut out = Vec::new();
        for p in &self.settings.privileges.iam {
            let p = self.settings.resolve(p);
            if p.is_dir() {
                let mut files: Vec<PathBuf> = std::fs::read_dir(&p)
                    .with_context(|| format!("reading {}", p.display()))?
                    .filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|f| f.is_file())
                    .collect();
                files.sort();
                out.extend(files);
            } else {
                out.push(p);
            }
        }
        Ok(out)
    }

    /// Exit status for a read command: 1 when its own ingest skipped input.
    pub fn exit_code(&self) -> ExitCode {
        match &self.ingest {
            Some(r) if r.skipped_something() => ExitCode::from(1),
            _ => ExitCode::SUCCESS,
        }
    }
}

pub fn run() -> Result<ExitCode> {
    let cli = Cli::parse();
    // Catalogs are validated before any input is read.
    crate::cloudtrail::iam_action::exceptions()?;
    crate::commands::catalog()?;
    crate::attribution::markers::markers()?;
    crate::destructive::catalog()?;
    match cli.command {
        Command::Ingest(a) => ingest::run(a),
        Command::Query(a) => query::run(a),
        Command::Summary(a) => summary::run(a),
        Command::Attribute(a) => attribute::run(a),
        Command::Explain(a) => explain::run(a),
        Command::Destructive(a) => destructive::run(a),
        Command::Privileges(a) => privileges::run(a),
        Command::Incidents(a) => incidents::run(a),
        Command::Compare(a) => compare::run(a),
        Command::Anomalies(a) => anomalies::run(a),
        Command::Report(a) => report::run(a),
        Command::Timeline(a) => timeline::run(a),
        Command::Schema(a) => schema::run(a),
        Command::Synth(a) => synth::run(a),
    }
}
