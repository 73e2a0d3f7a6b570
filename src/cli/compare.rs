//! `trailblame compare [--incidents FILE] PATH...|--store DIR`: do AI
//! actions cause more incidents than human ones? (`analysis::compare`
//! computes it; this prints it for people or programs.)

use super::{InputArgs, RunArgs, TimeArgs, exit_code, open};
use crate::analysis::compare::{Comparison, compute};
use crate::output::escape_controls;
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
    /// IAM data for the comparison at equal privilege (`aws iam get-account-authorization-details` output); default: `[privileges] iam` in trailblame.toml
    #[arg(long, value_name = "FILE")]
    pub iam: Vec<PathBuf>,
    /// How far before an incident's start to look for causes, in minutes
    #[arg(long, default_value_t = 120)]
    pub lookback_minutes: i64,
    /// Output: text for people, json for programs
    #[arg(long, value_parser = ["text", "json"], default_value = "text")]
    pub format: String,
    #[command(flatten)]
    pub time: TimeArgs,
    #[command(flatten)]
    pub run: RunArgs,
}

pub fn run(a: Args) -> Result<ExitCode> {
    let window = a.time.window()?;
    let data = open(&a.input, &a.run)?;
    let file = data.incidents_file(a.incidents.as_deref())?;
    let iam = data.iam_files(&a.iam)?;
    let c = compute(&data, &file, &iam, window, a.lookback_minutes)?;
    if !a.run.quiet {
        for w in &c.warnings {
            eprintln!("{w}");
        }
    }
    if a.format == "json" {
        println!("{}", serde_json::to_string_pretty(&c)?);
    } else {
        print!("{}", text(&c));
    }
    Ok(if c.incidents.unreadable_rows == 0 {
        exit_code(&data)
    } else {
        ExitCode::from(1)
    })
}

fn opt_share(p: Option<f64>) -> String {
    p.map_or("–".to_string(), crate::stats::format::percent)
}

/// The comparison for a terminal.
pub fn text(c: &Comparison) -> String {
    use std::fmt::Write;
    let mut o = String::new();
    let _ = writeln!(o, "{}\n", escape_controls(&c.verdict));
    let _ = writeln!(
        o,
        "Counted in actions (one decision with every API call it caused); API calls in brackets.\n"
    );
    let _ = writeln!(
        o,
        "{:<8} {:>15} {:>15} {:>15} {:>10} {:>11} {:>10} {:>9} {:>7} {:>9}",
        "",
        "actions",
        "writes",
        "destructive",
        "no record",
        "denied",
        "actor-days",
        "sessions",
        "bursts",
        "incidents"
    );
    let pair = |a: u64, calls: u64| format!("{a} [{calls}]");
    for (name, s) in [("ai", c.ai), ("human", c.human)] {
        let _ = writeln!(
            o,
            "{:<8} {:>15} {:>15} {:>15} {:>10} {:>11} {:>10} {:>9} {:>7} {:>9}",
            name,
            pair(s.actions, s.calls),
            pair(s.write_actions, s.writes),
            pair(s.destructive_actions, s.destructive),
            if name == "ai" {
                s.destructive_approval.unknown.to_string()
            } else {
                "n/a".into()
            },
            pair(s.denied_actions, s.denied),
            s.actor_days,
            s.sessions,
            s.mass_deletion_bursts,
            s.incidents
        );
    }
    let _ = writeln!(
        o,
        "(no record: AI destructive actions whose approval is not on record; unknown, not \"no\")"
    );
    let i = c.incidents;
    let _ = writeln!(
        o,
        "\nincidents: {} in all: {} traced to AI, {} to people, {} to services/automation, {} ambiguous (equally likely causes of different kinds), {} with no traced cause",
        i.total,
        i.traced_to_ai,
        i.traced_to_human,
        i.traced_to_other,
        i.ambiguous,
        i.no_traced_cause
    );
    if !c.at_equal_privilege.iam_files.is_empty() {
        let _ = writeln!(o, "\nby privilege tier:");
        let _ = writeln!(
            o,
            "  {:<24} {:>16} {:>12} {:>19} {:>15}",
            "tier", "AI write actions", "AI incidents", "human write actions", "human incidents"
        );
        for t in &c.at_equal_privilege.tiers {
            let _ = writeln!(
                o,
                "  {:<24} {:>16} {:>12} {:>19} {:>15}",
                t.label,
                t.ai_write_actions,
                t.ai_incidents,
                t.human_write_actions,
                t.human_incidents
            );
        }
    }
    let _ = writeln!(o);
    for n in &c.notes {
        let _ = writeln!(o, "{}", escape_controls(n));
    }
    if !c.weeks.is_empty() {
        let _ = writeln!(o, "\nweek by week:");
        let _ = writeln!(
            o,
            "  {:<9} {:>9} {:>9} {:>8} {:>8} {:>11} {:>18} {:>16}",
            "week",
            "AI w-acts",
            "hu w-acts",
            "AI inc",
            "hu inc",
            "rate ratio",
            "destructive AI/hu",
            "denied AI/hu"
        );
        for w in &c.weeks {
            let _ = writeln!(
                o,
                "  {:<9} {:>9} {:>9} {:>8} {:>8} {:>11} {:>18} {:>16}",
                w.week,
                w.ai.write_actions,
                w.human.write_actions,
                w.ai.incidents,
                w.human.incidents,
                w.rate_ratio.map_or("–".into(), crate::stats::format::ratio),
                format!(
                    "{} / {}",
                    opt_share(w.destructive_share_ai),
                    opt_share(w.destructive_share_human)
                ),
                format!(
                    "{} / {}",
                    opt_share(w.denied_share_ai),
                    opt_share(w.denied_share_human)
                )
            );
        }
    }
    o
}
