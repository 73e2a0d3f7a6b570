//! `trailblame anomalies PATH...|--store DIR [--since/--until]`: the
//! explainable detectors of `crate::anomalies` over the store, per actor,
//! ranked (`analysis::findings`). Over a store, the findings are saved as
//! its `findings` table (the latest run).

use super::{InputArgs, OutputArgs, RunArgs, TimeArgs, exit_code, open};
use crate::analysis::findings::{findings, frame, save};
use crate::sql::TimeWindow;
use anyhow::Result;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub input: InputArgs,
    /// Only this severity and above
    #[arg(long, value_parser = ["info", "low", "medium", "high", "critical"], default_value = "info")]
    pub min_severity: String,
    /// Only these detectors (repeatable)
    #[arg(long, value_parser = clap::builder::PossibleValuesParser::new(crate::anomalies::DETECTORS))]
    pub detector: Vec<String>,
    /// Print the detectors' thresholds with their defaults (the `[anomalies]` section of trailblame.toml) and exit
    #[arg(long)]
    pub print_config: bool,
    #[command(flatten)]
    pub time: TimeArgs,
    #[command(flatten)]
    pub out: OutputArgs,
    #[command(flatten)]
    pub run: RunArgs,
}

pub fn run(a: Args, ui: crate::terminal::Display) -> Result<ExitCode> {
    if a.print_config {
        print!("{}", crate::anomalies::DEFAULT_TOML);
        return Ok(ExitCode::SUCCESS);
    }
    let window = a.time.window()?;
    let data = open(&a.input, &a.run)?;
    let mut found = findings(&data, window, &data.settings.anomalies)?;
    let mut df = frame(&found)?;
    // Saved whole (every detector, every severity) when the window is the default.
    if window == TimeWindow::default()
        && let Some(note) = save(&data, &mut df)?
        && !a.run.quiet
    {
        eprintln!("note: {note}");
    }
    let min = crate::anomalies::Severity::parse(&a.min_severity)
        .unwrap_or(crate::anomalies::Severity::Info);
    found.retain(|f| {
        f.severity >= min && (a.detector.is_empty() || a.detector.iter().any(|d| d == f.detector))
    });
    if !a.run.quiet {
        let mut per: std::collections::BTreeMap<&str, usize> = Default::default();
        for f in &found {
            *per.entry(f.detector).or_default() += 1;
        }
        let counts: Vec<String> = per.iter().map(|(d, n)| format!("{d} {n}")).collect();
        eprintln!(
            "{} findings{}{}",
            found.len(),
            if counts.is_empty() { "" } else { ": " },
            counts.join(", ")
        );
    }
    let mut df = frame(&found)?;
    a.out.write(&mut df, ui, a.run.quiet)?;
    Ok(exit_code(&data))
}
