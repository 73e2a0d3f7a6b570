//! `trailblame store merge SRC... --into DEST`: combine stores (the shard
//! stores of a distributed ingest) into one, as one ingest would have
//! written it, and attribute the result (issue 21).

use anyhow::Result;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: StoreCommand,
}

#[derive(clap::Subcommand)]
pub enum StoreCommand {
    /// Merge stores into one: events and transcript rows de-duplicated as
    /// ingest does, runs and accounting carried over, attribution rebuilt
    Merge(MergeArgs),
}

#[derive(clap::Args)]
pub struct MergeArgs {
    /// Stores to merge, in the order a single ingest would have read their inputs
    #[arg(required = true, value_name = "SRC")]
    pub sources: Vec<PathBuf>,
    /// The store to merge into (created if missing; an existing store keeps its contents)
    #[arg(long, value_name = "DEST")]
    pub into: PathBuf,
    /// Attribution settings (default: ./trailblame.toml, else built-in)
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// How to print what was merged: text on stderr, or json on stdout
    #[arg(long, value_enum, default_value_t = super::ingest::ReportFormat::Text)]
    pub format: super::ingest::ReportFormat,
    /// Print nothing on stderr but errors
    #[arg(short, long)]
    pub quiet: bool,
}

pub fn run(a: Args) -> Result<ExitCode> {
    match a.command {
        StoreCommand::Merge(m) => merge(m),
    }
}

fn merge(a: MergeArgs) -> Result<ExitCode> {
    let (settings, _) = crate::settings::Settings::find(a.config.as_deref(), &[], false)?;
    let report = crate::pipeline::merge(&a.sources, &a.into, &settings)?;
    let m = &report.merged;
    match a.format {
        super::ingest::ReportFormat::Json => {
            let v = serde_json::json!({
                "into": a.into.display().to_string(),
                "sources": m.sources,
                "runs": m.records.iter().map(|r| r.run).collect::<Vec<_>>(),
                "events_in_store": m.events_in_store,
                "attribution": report.attribution.line(),
                "attribution_settings": settings.source,
            });
            println!("{}", serde_json::to_string_pretty(&v)?);
        }
        super::ingest::ReportFormat::Text if !a.quiet => {
            for s in &m.sources {
                eprintln!(
                    "{}: {} runs, {} events read, {} kept, {} duplicates, {} files already ingested, {} transcript rows already stored",
                    crate::output::escape_controls(&s.store),
                    s.runs,
                    s.events_read,
                    s.events_kept,
                    s.duplicates,
                    s.files_already_ingested,
                    s.transcript_rows_already_stored
                );
            }
            eprintln!(
                "merged into {}: {} events; attribution rebuilt (settings: {}): {}",
                a.into.display(),
                m.events_in_store,
                settings.source,
                report.attribution.line()
            );
        }
        super::ingest::ReportFormat::Text => {}
    }
    Ok(ExitCode::SUCCESS)
}
