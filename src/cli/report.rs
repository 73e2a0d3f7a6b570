//! `trailblame report [--week 2025-W50 | --since/--until] PATH...|--store
//! DIR --format html|md|json [--output FILE]`: the weekly report
//! (`crate::report` assembles it).

use super::{DocFormat, InputArgs, RunArgs, TimeArgs, exit_code, open};
use anyhow::Result;
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
    /// html: one self-contained page; md: GitHub Markdown; json: every number; text: for a terminal
    #[arg(long, value_enum, default_value_t = DocFormat::Html)]
    pub format: DocFormat,
    /// Write to this file instead of stdout
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub run: RunArgs,
}

pub fn run(a: Args, ui: crate::terminal::Display, wide: bool) -> Result<ExitCode> {
    let mut data = open(&a.input, &a.run)?;
    super::require_events(&data, "report on")?;
    let built = crate::report::build(
        &mut data,
        &crate::report::Options {
            week: a.week.clone(),
            window: a.time.window()?,
            incidents: a.incidents.clone(),
            iam: a.iam.clone(),
            lookback_minutes: a.lookback_minutes,
        },
    )?;
    if !a.run.quiet {
        for w in &built.warnings {
            eprintln!("{w}");
        }
    }
    let doc = &built.document;
    let width = ui.for_output(a.output.as_deref()).document_width(wide);
    let out = a.format.render(doc, width)?;
    crate::output::write_text(&out, a.output.as_deref())?;
    if let Some(o) = &a.output
        && !a.run.quiet
    {
        eprintln!("wrote {} ({} KiB)", o.display(), out.len() / 1024);
    }
    Ok(if built.unreadable_incident_rows > 0 {
        ExitCode::from(1)
    } else {
        exit_code(&data)
    })
}
