//! `trailblame privileges PATH...|--store DIR --iam FILE...`: privileges as
//! granted against what CloudTrail shows was used, per principal and per
//! actor (`analysis::privilege_usage`), and least-privilege policies from
//! observed use.

use super::{InputArgs, OutputArgs, RunArgs, TimeArgs, exit_code, open};
use crate::analysis::privilege_usage::{Table, table};
use crate::output;
use crate::privileges::actions::action_catalog;
use crate::privileges::suggest::suggest_policy;
use crate::privileges::usage::CLOUDTRAIL_LIMITS;
use anyhow::{Context, Result};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub input: InputArgs,
    /// Output of `aws iam get-account-authorization-details` (one or more files per account; gzip is fine)
    #[arg(long, value_name = "FILE")]
    pub iam: Vec<PathBuf>,
    /// Write a least-privilege policy per principal and per actor into this folder
    #[arg(long, value_name = "DIR")]
    pub suggest_policy: Option<PathBuf>,
    #[command(flatten)]
    pub time: TimeArgs,
    #[command(flatten)]
    pub out: OutputArgs,
    #[command(flatten)]
    pub run: RunArgs,
}

/// A file name from a principal and actor (nothing from the logs reaches
/// the path unsanitised).
fn file_name(principal: &str, actor: Option<&str>) -> String {
    let clean = |s: &str| -> String {
        s.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || "-_.@".contains(c) {
                    c
                } else {
                    '_'
                }
            })
            .take(120)
            .collect()
    };
    let tail = principal.rsplit([':', '/']).next().unwrap_or(principal);
    match actor {
        Some(a) => format!("{}--{}.json", clean(tail), clean(a)),
        None => format!("{}.json", clean(tail)),
    }
}

pub fn run(a: Args, ui: crate::terminal::Display) -> Result<ExitCode> {
    let window = a.time.window()?;
    let data = open(&a.input, &a.run)?;
    let catalog = action_catalog()?;
    let iam = data.iam_files(&a.iam)?;
    let Table {
        frame: mut df,
        findings,
        warnings,
        report,
    } = table(&data, window, &iam)?;
    if let Some(dir) = &a.suggest_policy {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        for row in &report.rows {
            let pol = suggest_policy(row, catalog);
            let path = dir.join(file_name(&row.principal, row.actor.as_deref()));
            std::fs::write(&path, &pol.json)
                .with_context(|| format!("writing {}", path.display()))?;
        }
        if !a.run.quiet {
            eprintln!(
                "wrote {} suggested policies to {}",
                report.rows.len(),
                dir.display()
            );
        }
    }
    if !a.run.quiet {
        for f in &findings {
            eprintln!("finding: {}", output::escape_controls(f));
        }
        for w in &warnings {
            eprintln!("warning: {}", output::escape_controls(w));
        }
        if iam.is_empty() {
            eprintln!("note: no --iam file: what is granted is unknown, only use is shown");
        }
        eprintln!("note: {}", CLOUDTRAIL_LIMITS);
    }
    a.out.write(&mut df, ui, a.run.quiet)?;
    Ok(exit_code(&data))
}
