//! `trailblame attribute PATH...|--store DIR`: every event with its actor,
//! operator, agent session, tool call, confidence, evidence and reason.

use super::{InputArgs, OutputArgs, RunArgs, TimeArgs, exit_code, open};
use crate::schema::{attribution, events};
use crate::settings::DEFAULT_TOML;
use anyhow::Result;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub input: InputArgs,
    /// Only events of this actor kind
    #[arg(long, value_parser = ["ai", "human", "service", "automation", "unknown"])]
    pub kind: Option<String>,
    /// Print the built-in settings (a commented trailblame.toml) and exit
    #[arg(long)]
    pub print_config: bool,
    #[command(flatten)]
    pub time: TimeArgs,
    #[command(flatten)]
    pub out: OutputArgs,
    #[command(flatten)]
    pub run: RunArgs,
}

/// The columns `attribute` prints, in order.
pub const COLUMNS: &[&str] = &[
    events::EVENT_ID,
    events::EVENT_TIME,
    events::ACCOUNT_ID,
    events::AWS_REGION,
    events::EVENT_SOURCE,
    events::EVENT_NAME,
    events::PRINCIPAL_ARN,
    attribution::ACTOR_KIND,
    attribution::ACTOR,
    attribution::OPERATOR,
    attribution::AGENT_SESSION_ID,
    attribution::TOOL_CALL_ID,
    attribution::CONFIDENCE,
    attribution::EVIDENCE,
    attribution::REASON,
    // Last: what tells apart records that share an eventID.
    events::EVENT_KEY,
];

pub fn run(a: Args, ui: crate::terminal::Display) -> Result<ExitCode> {
    if a.print_config {
        print!("{DEFAULT_TOML}");
        return Ok(ExitCode::SUCCESS);
    }
    let window = a.time.window()?;
    let data = open(&a.input, &a.run)?;
    let mut cx = data.sql(window)?;
    let filter = match &a.kind {
        Some(k) => format!("WHERE {} = '{k}'", attribution::ACTOR_KIND),
        None => String::new(),
    };
    let sql = format!(
        "SELECT {} FROM events {filter} ORDER BY {}, {}, {}",
        COLUMNS.join(", "),
        events::EVENT_TIME,
        events::EVENT_ID,
        events::EVENT_KEY
    );
    let mut df = crate::sql::run(&mut cx, &sql)?;
    a.out.write(&mut df, ui, a.run.quiet)?;
    Ok(exit_code(&data))
}
