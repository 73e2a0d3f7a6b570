//! `trailblame ingest PATH... --store DIR`: read input into a store.

use super::RunArgs;
use crate::pipeline::{self, Report};
use anyhow::Result;
use clap::ValueEnum;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Files, folders or s3://bucket/prefix URLs to read (searched recursively; formats detected by content)
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// The store to write (created if missing; default: $TRAILBLAME_STORE)
    #[arg(long, value_name = "DIR")]
    pub store: Option<PathBuf>,
    /// How to print the accounting: text on stderr, or json on stdout
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
    /// With --format json: write the accounting to this file instead of stdout
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Do not attribute events now (the first command that reads the
    /// attribution computes it); for loading many batches quickly
    #[arg(long)]
    pub no_attribution: bool,
    /// Only files whose key day may hold events in the window, and only
    /// events inside [since, until); the rest are counted
    #[command(flatten)]
    pub time: super::TimeArgs,
    #[command(flatten)]
    pub run: RunArgs,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Text,
    Json,
}

pub fn run(a: Args) -> Result<ExitCode> {
    let started = std::time::Instant::now();
    let Some(store) = a.store.clone().or_else(super::store_from_env) else {
        anyhow::bail!("ingest needs --store DIR (or {} set)", super::STORE_ENV);
    };
    // A missing input is an error before the store is created or locked,
    // so a typo leaves nothing behind (no store, no `_staging`).
    for p in a
        .paths
        .iter()
        .filter(|p| !p.to_string_lossy().starts_with("s3://"))
    {
        if let Err(e) = std::fs::metadata(p) {
            anyhow::bail!("{}: {e}", p.display());
        }
    }
    let mut opts = a.run.pipeline_options(&a.paths)?;
    opts.attribute = !a.no_attribution;
    let w = a.time.window()?;
    opts.ingest.window = crate::ingest::window::IngestWindow {
        since: w.since,
        until: w.until,
    };
    let report = pipeline::run(&a.paths, &store, &opts)?;
    match a.format {
        ReportFormat::Json => {
            let mut v = serde_json::to_value(&report.ingest.record)?;
            v["messages"] = serde_json::json!(report.ingest.messages);
            v["messages_left_out"] = serde_json::json!(report.ingest.messages_left_out);
            v["dedup"] = serde_json::to_value(&report.ingest.dedup)?;
            v["attribution"] = serde_json::to_value(&report.attribution)?;
            crate::output::write_text(
                &(serde_json::to_string_pretty(&v)? + "\n"),
                a.output.as_deref(),
            )?;
        }
        ReportFormat::Text if !a.run.quiet => {
            print_report(&report, Some((&store, started.elapsed())));
        }
        ReportFormat::Text => {}
    }
    Ok(if report.skipped_something() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// What was accepted leniently, when anything was (issue 24).
fn lenient_line(a: &crate::store::manifest::Accounting) -> Option<String> {
    let parts: Vec<String> = [
        (a.times_without_zone, "times without a zone read as UTC"),
        (a.times_with_space, "times with a space for 'T'"),
        (a.synthetic_ids, "synthetic ids for records without eventID"),
        (a.fields_nulled, "malformed optional fields set to null"),
        (
            a.hook_payloads_not_read,
            "Claude Code hook payloads recognised, not read",
        ),
        (
            a.documents_concatenated,
            "more JSON documents after a file's first, read",
        ),
        (a.containers_repeated, "repeated `Records` keys, each read"),
    ]
    .iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, what)| format!("{} {what}", thousands(*n)))
    .collect();
    (!parts.is_empty()).then(|| format!("accepted: {}\n", parts.join(", ")))
}

/// What `--since/--until` left out, when it left anything out.
fn window_line(a: &crate::store::manifest::Accounting) -> Option<String> {
    (a.out_of_window > 0 || a.files_outside_window > 0).then(|| {
        format!(
            "window: {} files not read (key day outside, with a day of margin), {} events read outside [since, until) not kept\n",
            thousands(a.files_outside_window),
            thousands(a.out_of_window)
        )
    })
}

/// The accounting, on stderr, for people.
pub fn print_report(run: &Report, store: Option<(&Path, std::time::Duration)>) {
    let report = &run.ingest;
    let a = &report.record.accounting;
    let kinds: Vec<String> = a
        .files_by_kind
        .iter()
        .map(|(k, n)| format!("{k} {}", thousands(*n)))
        .collect();
    let mut out = String::new();
    if let Some((dir, took)) = store {
        out.push_str(&format!(
            "ingest run {} into {} took {:.1} s\n",
            report.record.run,
            dir.display(),
            took.as_secs_f64()
        ));
    }
    out.push_str(&format!(
        "files: {} seen ({}), {} already ingested; {:.1} MB read, {:.1} MB decompressed\n",
        thousands(a.files_seen),
        if kinds.is_empty() {
            "none new".to_string()
        } else {
            kinds.join(", ")
        },
        thousands(a.files_already_ingested),
        a.bytes_read as f64 / 1e6,
        a.bytes_decoded as f64 / 1e6,
    ));
    out.push_str(&format!(
        "records: {} read = {} kept + {} duplicates + {} quarantined{}\n",
        thousands(a.records_read),
        thousands(a.kept),
        thousands(a.duplicates),
        thousands(a.quarantined),
        if a.out_of_window > 0 {
            format!(" + {} outside the window", thousands(a.out_of_window))
        } else {
            String::new()
        }
    ));
    if let Some(line) = window_line(a) {
        out.push_str(&line);
    }
    if let Some(s3) = &a.s3 {
        out.push_str(&format!(
            "s3: {} objects listed ({} list requests) = {} fetched ({:.1} MB) + {} digests + {} outside the window + {} already ingested (key, ETag, size) + {} failed\n",
            thousands(s3.listed),
            thousands(s3.list_requests),
            thousands(s3.fetched),
            s3.bytes_fetched as f64 / 1e6,
            thousands(s3.skipped_digest),
            thousands(s3.skipped_window),
            thousands(s3.skipped_already_ingested),
            thousands(s3.failed),
        ));
    }
    let d = &report.dedup;
    if d.stored_events > 0 && a.records_read > 0 {
        out.push_str(&format!(
            "duplicates looked for among {} stored events of {} of the store's {} days\n",
            thousands(d.keys_read),
            thousands(d.days_read),
            thousands(d.stored_days)
        ));
    }
    if let Some(line) = lenient_line(a) {
        out.push_str(&line);
    }
    if a.files_over_limit > 0 {
        out.push_str(&format!(
            "files over the size limit (ingest.max_file_bytes): {}, read up to it, the rest quarantined\n",
            thousands(a.files_over_limit)
        ));
    }
    if !a.paths_not_read.is_empty() {
        let parts: Vec<String> = a
            .paths_not_read
            .iter()
            .map(|(why, n)| format!("{} {why}", thousands(*n)))
            .collect();
        out.push_str(&format!("paths not read: {}\n", parts.join(", ")));
    }
    if a.transcript_lines_read > 0 {
        let rows = |t: &str| thousands(a.transcript_rows.get(t).copied().unwrap_or(0));
        out.push_str(&format!(
            "transcripts: {} lines read = {} used + {} skipped + {} quarantined; stored {} sessions, {} tool calls, {} messages{}\n",
            thousands(a.transcript_lines_read),
            thousands(a.transcript_records_used),
            thousands(a.transcript_records_skipped),
            thousands(a.transcript_quarantined),
            rows("agent_sessions"),
            rows("tool_calls"),
            rows("messages"),
            if a.transcript_rows_already_stored > 0 {
                format!(" ({} rows already stored)", thousands(a.transcript_rows_already_stored))
            } else {
                String::new()
            }
        ));
    }
    if let Some(stats) = &run.attribution {
        out.push_str(&format!("attribution: {}\n", stats.line()));
        if let Some(w) = stats.conflicts_warning() {
            out.push_str(&format!("warning: {w}\n"));
        }
    }
    for m in &report.messages {
        out.push_str(&format!("warning: {}\n", crate::output::escape_controls(m)));
    }
    if report.messages_left_out > 0 {
        out.push_str(&format!(
            "warning: … and {} more; all are in the quarantine and ingested_files tables\n",
            report.messages_left_out
        ));
    }
    eprint!("{out}");
}
