//! `trailblame-synth`: writes deterministic synthetic CloudTrail in the S3
//! layout (benchmarks), or with `--scenario` the attribution scenario that
//! `sample-data/` is (CloudTrail, transcripts, incidents, ground truth).
//! Its arguments are those `trailblame synth` had before the generators
//! left the `trailblame` binary.

use anyhow::{Result, bail};
use clap::Parser;
use std::path::PathBuf;
use std::process::ExitCode;

use trailblame_synth::corpus::{self, CorpusConfig};
use trailblame_synth::scenario::{self, ScenarioConfig};

fn main() -> ExitCode {
    match run(Args::parse()) {
        Ok(code) => code,
        Err(e) => {
            eprintln!(
                "error: {}",
                trailblame::output::escape_controls(&format!("{e:#}"))
            );
            ExitCode::from(2)
        }
    }
}

/// Write deterministic synthetic CloudTrail in the S3 layout (benchmarks, sample data)
#[derive(Parser)]
#[command(name = "trailblame-synth", version)]
struct Args {
    /// Number of records to write
    #[arg(long, default_value_t = 10_000)]
    events: u64,
    /// Seed: the same seed and settings give the same bytes
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// First day (UTC)
    #[arg(long, default_value = "2025-12-01")]
    start: String,
    /// Days the events are spread over
    #[arg(long, default_value_t = 7)]
    days: u32,
    /// Number of AWS accounts (1 to 20)
    #[arg(long, default_value_t = 3)]
    accounts: u32,
    /// Average records per delivery file
    #[arg(long, default_value_t = 500)]
    records_per_file: u32,
    /// Output folder (AWSLogs/… is created inside)
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Print nothing but errors
    #[arg(short, long)]
    quiet: bool,
    /// Write the attribution scenario instead: a week of three accounts with
    /// people, services, CI and AI agents, their transcripts, incidents and
    /// the ground truth (`--events`, `--accounts`, `--records-per-file` do
    /// not apply; `--start` must be a Monday)
    #[arg(long)]
    scenario: bool,
    /// Scenario: multiplies people's, services' and CI activity
    #[arg(long, default_value_t = 1, requires = "scenario")]
    background_scale: u32,
    /// Scenario: multiplies the number of agent sessions
    #[arg(long, default_value_t = 1, requires = "scenario")]
    agent_scale: u32,
}

fn run(a: Args) -> Result<ExitCode> {
    if !(1..=20).contains(&a.accounts) {
        bail!("--accounts must be between 1 and 20");
    }
    if a.days == 0 || a.records_per_file == 0 {
        bail!("--days and --records-per-file must be at least 1");
    }
    let start =
        chrono::DateTime::from_timestamp_micros(trailblame::timeparse::parse_user_time(&a.start)?)
            .ok_or_else(|| anyhow::anyhow!("--start out of range"))?;
    if a.scenario {
        return scenario(&a, start);
    }
    let cfg = CorpusConfig {
        events: a.events,
        seed: a.seed,
        start,
        days: a.days,
        accounts: a.accounts,
        records_per_file: a.records_per_file,
    };
    let t = std::time::Instant::now();
    let stats = corpus::generate(&cfg, &a.out)?;
    if !a.quiet {
        eprintln!(
            "wrote {} records in {} files (+{} digests) to {}: {:.1} MB, {:.1} MB gzip, {:.0} bytes per record, {:.1} s",
            stats.events,
            stats.files,
            stats.digest_files,
            a.out.display(),
            stats.bytes_uncompressed as f64 / 1e6,
            stats.bytes_compressed as f64 / 1e6,
            stats.bytes_uncompressed as f64 / stats.events.max(1) as f64,
            t.elapsed().as_secs_f64()
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn scenario(a: &Args, start: chrono::DateTime<chrono::Utc>) -> Result<ExitCode> {
    let defaults = ScenarioConfig::default();
    let cfg = ScenarioConfig {
        seed: a.seed,
        // The synth default start is not a Monday; the scenario keeps its own.
        start: if a.start == "2025-12-01" {
            defaults.start
        } else {
            start
        },
        days: a.days,
        background_scale: a.background_scale.max(1),
        agent_scale: a.agent_scale.max(1),
    };
    let t = std::time::Instant::now();
    let st = scenario::generate(&cfg, &a.out)?;
    if !a.quiet {
        eprintln!(
            "wrote the scenario to {}: {} events in {} files, {} agent sessions with {} tool calls ({} reach AWS), {} incidents; {:.1} MB on disk, {:.1} s",
            a.out.display(),
            st.events,
            st.cloudtrail_files,
            st.agent_sessions,
            st.tool_calls,
            st.aws_tool_calls,
            st.incidents,
            st.bytes_on_disk as f64 / 1e6,
            t.elapsed().as_secs_f64()
        );
    }
    Ok(ExitCode::SUCCESS)
}
