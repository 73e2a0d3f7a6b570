//! Command-line parsing: clap fills the raw arguments, each subcommand turns
//! them into checked settings once and calls the library. One subcommand per
//! file; shared option groups live here so they mean the same everywhere.

pub mod anomalies;
pub mod attribute;
pub mod compare;
pub mod completions;
pub mod destructive;
pub mod explain;
pub mod incidents;
pub mod ingest;
pub mod privileges;
pub mod query;
pub mod report;
pub mod schema;
pub mod store;
pub mod summary;
pub mod timeline;
pub mod version;

use crate::ingest::IngestOptions;
use crate::output::Format;
use crate::progress::{Progress, ProgressMode};
use crate::settings::{Settings, SettingsOrigin};
use crate::sql::TimeWindow;
use crate::terminal::{ColorMode, Display, Environment};
use crate::workspace::Workspace;
use anyhow::{Result, bail};
use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand};
use polars::prelude::DataFrame;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "trailblame",
    version,
    about = "Who did what in an AWS account, an AI agent or a human, from CloudTrail and agent transcripts",
    after_help = "Exit status: 0 everything read; 1 the run completed but a record was quarantined or a file \
                  or folder could not be read; 2 error (nothing written).\n\
                  Environment: TRAILBLAME_STORE is the store when neither paths nor --store are given; \
                  COLUMNS the width tables are fitted to; NO_COLOR turns colour off."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    #[command(flatten)]
    pub display: DisplayArgs,
}

/// How text output is shown; accepted by every subcommand.
#[derive(Args, Clone)]
pub struct DisplayArgs {
    /// Never cut table cells or timeline lines to the terminal's width (the default fits them to it, or to $COLUMNS)
    #[arg(long, global = true, visible_alias = "no-truncate")]
    pub wide: bool,
    /// Colour in terminal tables: auto (on a terminal, unless NO_COLOR is set), always, never
    #[arg(long, global = true, value_enum, default_value_t = ColorMode::Auto, value_name = "WHEN")]
    pub color: ColorMode,
}

impl DisplayArgs {
    pub fn display(&self) -> Display {
        Display::detect(self.wide, self.color, &Environment::current())
    }
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
    /// Print the table schemas (SCHEMA.md), or with --ddl the CREATE statements for Spark, Athena, Trino or DuckDB
    Schema(schema::Args),
    /// Shell completions (bash, zsh, fish, elvish, powershell) on stdout
    Completions(completions::Args),
    /// The manual page (roff) on stdout: `trailblame man | man -l -`
    Man(completions::ManArgs),
    /// Work on stores as a whole: `store merge SRC... --into DEST`
    Store(store::Args),
}

/// Where the data comes from: a store, or input paths read into a temporary one.
#[derive(Args, Clone)]
pub struct InputArgs {
    /// CloudTrail files or folders to read directly (ingested into a temporary store first)
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// The store to read (made by `trailblame ingest`; default: $TRAILBLAME_STORE when no paths are given)
    #[arg(long, value_name = "DIR")]
    pub store: Option<PathBuf>,
}

/// The environment variable naming the default store.
pub const STORE_ENV: &str = "TRAILBLAME_STORE";

/// `$TRAILBLAME_STORE`, when set and not empty.
pub fn store_from_env() -> Option<PathBuf> {
    std::env::var_os(STORE_ENV)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
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
    /// Attribution settings (default: ./trailblame.toml, else built-in)
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Apply a trailblame.toml found at the top of an input folder (found
    /// and not applied otherwise: input folders hold data from elsewhere)
    #[arg(long)]
    pub config_from_inputs: bool,
    #[command(flatten)]
    pub s3: S3Args,
    /// Most bytes of one input file read, decompressed (the rest is
    /// reported); overrides `ingest.max_file_bytes` (default 128 MiB)
    #[arg(long, value_name = "BYTES")]
    pub max_file_bytes: Option<u64>,
    /// Longest record kept (longer ones are quarantined); overrides
    /// `ingest.max_record_bytes` (default 1 MiB)
    #[arg(long, value_name = "BYTES")]
    pub max_record_bytes: Option<u64>,
    /// Longest field value kept (its record is quarantined); overrides
    /// `ingest.max_field_bytes` (default 256 KiB)
    #[arg(long, value_name = "BYTES")]
    pub max_field_bytes: Option<u64>,
}

/// How `s3://` inputs are read (credentials and endpoint: the standard
/// AWS chain, `AWS_ENDPOINT_URL_S3`/`AWS_ENDPOINT_URL`).
#[derive(Args, Clone)]
pub struct S3Args {
    /// AWS shared config profile for s3:// inputs (default: AWS_PROFILE, else the standard chain)
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,
    /// Only this account's CloudTrail prefixes under s3:// inputs (repeatable)
    #[arg(long = "account", value_name = "ID")]
    pub accounts: Vec<String>,
    /// Only this region's CloudTrail prefixes under s3:// inputs (repeatable)
    #[arg(long = "region", value_name = "REGION")]
    pub regions: Vec<String>,
    /// S3 requests in flight at once (listing and fetching)
    #[arg(long, value_name = "N", default_value_t = 16, value_parser = clap::value_parser!(u16).range(1..=512))]
    pub s3_in_flight: u16,
}

impl S3Args {
    pub fn options(&self) -> crate::ingest::s3::S3Options {
        crate::ingest::s3::S3Options {
            profile: self.profile.clone(),
            accounts: self.accounts.clone(),
            regions: self.regions.clone(),
            in_flight: usize::from(self.s3_in_flight),
        }
    }
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
        let (settings, origin) =
            Settings::find(self.config.as_deref(), inputs, self.config_from_inputs)?;
        if !self.quiet {
            match &origin {
                SettingsOrigin::WorkingDir | SettingsOrigin::InputFolder => {
                    eprintln!("note: settings from {}", settings.source);
                }
                SettingsOrigin::NotApplied(p) => eprintln!(
                    "note: {} found in an input folder and not applied; pass --config {} or --config-from-inputs to use it",
                    p.display(),
                    p.display()
                ),
                SettingsOrigin::Explicit | SettingsOrigin::Builtin => {}
            }
        }
        Ok(settings)
    }

    /// The options of a write run over `inputs`.
    pub fn pipeline_options(&self, inputs: &[PathBuf]) -> Result<crate::pipeline::Options> {
        let aider_timezone = parse_offset(&self.aider_tz)?;
        let operator_map = match &self.operator_map {
            Some(p) => read_operator_map(p)?,
            None => Vec::new(),
        };
        let settings = self.settings(inputs)?;
        let mut limits = settings.ingest;
        for (opt, value) in [
            (&mut limits.max_file_bytes, self.max_file_bytes),
            (&mut limits.max_record_bytes, self.max_record_bytes),
            (&mut limits.max_field_bytes, self.max_field_bytes),
        ] {
            if let Some(v) = value {
                *opt = v;
            }
        }
        limits.check("options --max-*-bytes")?;
        Ok(crate::pipeline::Options {
            ingest: IngestOptions {
                limits,
                strict: self.strict,
                progress: self.progress(),
                transcripts: crate::transcripts::TranscriptOptions {
                    aider_timezone,
                    operator: self.operator.clone(),
                    operator_map,
                },
                window: Default::default(),
                s3: self.s3.options(),
            },
            settings,
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
    /// Output format (parquet needs --output)
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Write to this file instead of stdout
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// At most this many rows (the first ones, in the command's order); how many were left out is said on stderr
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,
}

impl OutputArgs {
    /// Writes `df` in the chosen format, cut to `--limit` rows (saying so
    /// on stderr unless `quiet`).
    pub fn write(&self, df: &mut DataFrame, display: Display, quiet: bool) -> Result<()> {
        let mut shown = self.limited(df, quiet);
        crate::output::write_frame(&mut shown, self.format, self.output.as_deref(), display)
    }

    /// The note `limited` gives, for a listing of `total` rows of which
    /// `shown` were read.
    pub fn note_left_out(&self, shown: usize, total: usize, quiet: bool) {
        if let Some(n) = self.limit
            && shown < total
            && !quiet
        {
            eprintln!("note: first {n} of {total} rows shown (--limit {n})");
        }
    }

    /// `df` cut to `--limit` rows, with a note on stderr when rows were left out.
    pub fn limited(&self, df: &DataFrame, quiet: bool) -> DataFrame {
        match self.limit {
            Some(n) if n < df.height() => {
                self.note_left_out(n, df.height(), quiet);
                df.head(Some(n))
            }
            _ => df.clone(),
        }
    }
}

/// `--format` of the commands that print one result for people or
/// programs (`compare`, `explain`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum TextFormat {
    /// For a terminal (also `table`)
    #[value(alias = "table")]
    Text,
    /// Every number, for programs
    Json,
}

/// `--format` of the commands that write a document (`report`, `timeline`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum DocFormat {
    /// For a terminal (also `table`)
    #[value(alias = "table")]
    Text,
    /// One self-contained page
    Html,
    /// GitHub Markdown (also `markdown`)
    #[value(alias = "markdown")]
    Md,
    /// The document model, every number
    Json,
}

impl DocFormat {
    /// `doc` rendered; `width` is the text's.
    pub fn render(self, doc: &crate::document::Document, width: usize) -> Result<String> {
        Ok(match self {
            DocFormat::Text => crate::document::to_text(doc, width),
            DocFormat::Html => crate::document::to_html(doc),
            DocFormat::Md => crate::document::to_markdown(doc),
            DocFormat::Json => crate::document::to_json(doc)? + "\n",
        })
    }
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

/// Opens the workspace a read command works on (the store, or the input
/// paths read into a temporary one) and says on stderr what opening did.
pub fn open(input: &InputArgs, run: &RunArgs) -> Result<Workspace> {
    match (&input.store, input.paths.is_empty()) {
        (Some(_), false) => bail!(
            "give input paths or --store, not both (to add files to a store: `trailblame ingest PATH --store DIR`)"
        ),
        (Some(dir), true) => {
            let ws = Workspace::open_store(dir, run.config.as_deref())?;
            if let Some(stats) = &ws.rebuilt
                && !run.quiet
            {
                eprintln!(
                    "attribution rebuilt (settings: {}): {}",
                    ws.settings.source,
                    stats.line()
                );
                if let Some(w) = stats.conflicts_warning() {
                    eprintln!("warning: {w}");
                }
            }
            Ok(ws)
        }
        (None, true) => match store_from_env() {
            Some(dir) => open(
                &InputArgs {
                    paths: Vec::new(),
                    store: Some(dir),
                },
                run,
            ),
            None => bail!(
                "nothing to read: give CloudTrail files or folders, --store DIR, or set {STORE_ENV}"
            ),
        },
        (None, false) => {
            let opts = run.pipeline_options(&input.paths)?;
            let ws = Workspace::from_inputs(&input.paths, &opts)?;
            if let Some(report) = &ws.ingest
                && !run.quiet
            {
                ingest::print_report(report, None);
            }
            Ok(ws)
        }
    }
}

/// Fails, the same way for every command that needs events (`summary`,
/// `report`), when the store or inputs hold none at all.
pub fn require_events(ws: &Workspace, verb: &str) -> Result<()> {
    // Counted from the events parts' footers: the `events` view joins the
    // attribution, which is a third of a second on a million events and
    // changes no count.
    let n = crate::store::row_count(ws.store.scan(crate::schema::table::EVENTS)?)?;
    if n == 0 {
        bail!(
            "no CloudTrail events to {verb}: the {} holds none (the accounting above says what was read)",
            if ws.ingest.is_some() {
                "input"
            } else {
                "store"
            }
        );
    }
    Ok(())
}

/// Exit status for a read command: 1 when its own ingest skipped input.
pub fn exit_code(ws: &Workspace) -> ExitCode {
    if ws.skipped_input() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

pub fn run() -> Result<ExitCode> {
    let matches = Cli::command()
        .long_version(version::long_version())
        .get_matches();
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    let ui = cli.display.display();
    // Catalogs are validated before any input is read; the two large ones
    // (~12 ms each) are loaded side by side.
    let (commands, destructive) = rayon::join(
        || crate::shell_commands::catalog().map(|_| ()),
        || crate::destructive::catalog().map(|_| ()),
    );
    crate::cloudtrail::iam_action::exceptions()?;
    commands?;
    crate::attribution::markers::markers()?;
    destructive?;
    match cli.command {
        Command::Ingest(a) => ingest::run(a),
        Command::Query(a) => query::run(a, ui),
        Command::Summary(a) => summary::run(a, ui),
        Command::Attribute(a) => attribute::run(a, ui),
        Command::Explain(a) => explain::run(a, ui),
        Command::Destructive(a) => destructive::run(a, ui),
        Command::Privileges(a) => privileges::run(a, ui),
        Command::Incidents(a) => incidents::run(a, ui),
        Command::Compare(a) => compare::run(a),
        Command::Anomalies(a) => anomalies::run(a, ui),
        Command::Report(a) => report::run(a, ui, cli.display.wide),
        Command::Timeline(a) => timeline::run(a, ui, cli.display.wide),
        Command::Schema(a) => schema::run(a),
        Command::Completions(a) => completions::run(a),
        Command::Man(a) => completions::man(a),
        Command::Store(a) => store::run(a),
    }
}
