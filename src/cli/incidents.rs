//! `trailblame incidents --incidents FILE PATH...|--store DIR`: per
//! incident, the events that plausibly caused it, who made them and why they
//! were linked (`analysis::incident_links`).

use super::{InputArgs, OutputArgs, RunArgs, TimeArgs, exit_code, open};
use crate::analysis::incident_links::linked;
use anyhow::Result;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// The incidents file (CSV or JSON export); default: `[incidents] file` in trailblame.toml
    #[arg(long, value_name = "FILE")]
    pub incidents: Option<PathBuf>,
    #[command(flatten)]
    pub input: InputArgs,
    /// How far before an incident's start to look for causes, in minutes
    #[arg(long, default_value_t = 120)]
    pub lookback_minutes: i64,
    /// Causes listed per incident
    #[arg(long, default_value_t = 3)]
    pub top: usize,
    #[command(flatten)]
    pub time: TimeArgs,
    #[command(flatten)]
    pub out: OutputArgs,
    #[command(flatten)]
    pub run: RunArgs,
}

pub fn run(a: Args, ui: crate::terminal::Display) -> Result<ExitCode> {
    let data = open(&a.input, &a.run)?;
    let file = data.incidents_file(a.incidents.as_deref())?;
    let linked = linked(&data, &file, a.time.window()?, a.lookback_minutes, a.top)?;
    if !a.run.quiet {
        for w in &linked.warnings {
            eprintln!("{w}");
        }
    }
    let (mut out, problems) = (linked.frame, linked.unreadable_rows);
    a.out.write(&mut out, ui, a.run.quiet)?;
    Ok(if problems == 0 {
        exit_code(&data)
    } else {
        ExitCode::from(1)
    })
}
