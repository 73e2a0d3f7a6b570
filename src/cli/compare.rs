//! `trailblame compare --incidents FILE PATH...|--store DIR`: do AI actions
//! cause more incidents than human ones? Incidents are linked to their
//! causes (`incidents`); each incident with a traced cause counts for the
//! actor kind of its best-ranked cause. Exposure is successful write calls
//! (`queries/compare_exposure.sql`); the rate ratio AI vs human comes with an
//! exact 95% interval and p-value (`stats::rates`), and the secondary
//! indicators (destructive share of writes, error share of calls) with
//! their own (`stats::proportions`).

use super::{Data, InputArgs, RunArgs, TimeArgs};
use crate::stats::Counts;
use crate::stats::proportions::{ProportionOptions, Trials, compare_proportions};
use crate::stats::rates::{RateOptions, compare_rates};
use anyhow::Result;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// The incidents file (CSV or JSON export)
    #[arg(long, value_name = "FILE")]
    pub incidents: PathBuf,
    #[command(flatten)]
    pub input: InputArgs,
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

const EXPOSURE_SQL: &str = include_str!("../../queries/compare_exposure.sql");

#[derive(Default, Clone, Copy, serde::Serialize)]
struct Side {
    calls: u64,
    writes: u64,
    destructive: u64,
    errors: u64,
    actor_days: u64,
    sessions: u64,
    incidents: u64,
}

pub fn run(a: Args) -> Result<ExitCode> {
    let window = a.time.window()?;
    let data = Data::open(&a.input, &a.run)?;
    let (links, problems) = super::incidents::linked(
        &data,
        &a.incidents,
        window,
        a.lookback_minutes,
        1,
        a.run.quiet,
    )?;
    let mut cx = data.sql(window)?;
    let exposure = crate::sql::run(&mut cx, EXPOSURE_SQL)?;
    let mut sides = [Side::default(); 2]; // ai, human
    let kind = exposure.column("actor_kind")?.str()?;
    let num = |c: &str, i: usize| -> Result<u64> {
        Ok(exposure
            .column(c)?
            .cast(&polars::prelude::DataType::UInt64)?
            .u64()?
            .get(i)
            .unwrap_or(0))
    };
    for i in 0..exposure.height() {
        let s = match kind.get(i) {
            Some("ai") => &mut sides[0],
            Some("human") => &mut sides[1],
            _ => continue,
        };
        s.calls = num("calls", i)?;
        s.writes = num("writes", i)?;
        s.destructive = num("destructive", i)?;
        s.errors = num("errors", i)?;
        s.actor_days = num("actor_days", i)?;
        // Agents' sessions are their transcripts; a person's is a working day.
        s.sessions = if kind.get(i) == Some("ai") {
            num("agent_sessions", i)?
        } else {
            s.actor_days
        };
    }
    let cause_kind = links.column("actor_kind")?.str()?;
    let mut traced = 0;
    let mut other = 0;
    for k in cause_kind.iter() {
        match k {
            Some("ai") => sides[0].incidents += 1,
            Some("human") => sides[1].incidents += 1,
            Some(_) => other += 1,
            None => {}
        }
        traced += u64::from(k.is_some());
    }
    let untraced = links.height() as u64 - traced;
    let (ai, human) = (sides[0], sides[1]);
    let per_k_writes = compare_rates(
        Counts::new(ai.incidents, ai.writes as f64 / 1000.0),
        Counts::new(human.incidents, human.writes as f64 / 1000.0),
        &RateOptions::default(),
    );
    let per_100_sessions = compare_rates(
        Counts::new(ai.incidents, ai.sessions as f64 / 100.0),
        Counts::new(human.incidents, human.sessions as f64 / 100.0),
        &RateOptions::default(),
    );
    let destructive_share = compare_proportions(
        Trials::new(ai.destructive, ai.writes),
        Trials::new(human.destructive, human.writes),
        &ProportionOptions::default(),
    );
    let error_share = compare_proportions(
        Trials::new(ai.errors, ai.calls),
        Trials::new(human.errors, human.calls),
        &ProportionOptions {
            measure: "error share of calls".into(),
            ..Default::default()
        },
    );
    let sentence =
        |r: &Result<crate::stats::rates::RateComparison, crate::stats::StatsError>| match r {
            Ok(c) => c.sentence.clone(),
            Err(e) => format!("no comparison: {e}"),
        };
    let psentence = |r: &Result<
        crate::stats::proportions::ProportionComparison,
        crate::stats::StatsError,
    >| match r {
        Ok(c) => c.sentence.clone(),
        Err(e) => format!("no comparison: {e}"),
    };
    if a.format == "json" {
        let v = serde_json::json!({
            "ai": ai,
            "human": human,
            "incidents": {"traced_to_ai": ai.incidents, "traced_to_human": human.incidents,
                          "traced_to_other": other, "no_traced_cause": untraced,
                          "unreadable_rows": problems},
            "per_1000_writes": per_k_writes.as_ref().ok(),
            "per_100_sessions": per_100_sessions.as_ref().ok(),
            "destructive_share_of_writes": destructive_share.as_ref().ok(),
            "error_share_of_calls": error_share.as_ref().ok(),
            "verdict": sentence(&per_k_writes),
        });
        println!("{}", serde_json::to_string_pretty(&v)?);
    } else {
        println!(
            "{}",
            crate::output::escape_controls(&sentence(&per_k_writes))
        );
        println!();
        println!(
            "{:<12} {:>10} {:>10} {:>11} {:>10} {:>10} {:>10} {:>9}",
            "", "calls", "writes", "destructive", "errors", "actor-days", "sessions", "incidents"
        );
        for (name, s) in [("ai", ai), ("human", human)] {
            println!(
                "{:<12} {:>10} {:>10} {:>11} {:>10} {:>10} {:>10} {:>9}",
                name,
                s.calls,
                s.writes,
                s.destructive,
                s.errors,
                s.actor_days,
                s.sessions,
                s.incidents
            );
        }
        println!(
            "\nincidents: {} traced to AI, {} to people, {} to services/automation, {} with no traced cause",
            ai.incidents, human.incidents, other, untraced
        );
        println!("per 100 sessions: {}", sentence(&per_100_sessions));
        println!(
            "destructive share of writes: {}",
            psentence(&destructive_share)
        );
        println!("error share of calls: {}", psentence(&error_share));
        println!(
            "\nNot yet here: the comparison at equal privilege (Mantel–Haenszel by privilege tier), the session-clustered bootstrap and the weekly trend."
        );
    }
    Ok(if problems == 0 {
        data.exit_code()
    } else {
        ExitCode::from(1)
    })
}
