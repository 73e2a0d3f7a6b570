//! `trailblame attribute PATH...|--store DIR`: every event with its actor,
//! operator, agent session, tool call, confidence, evidence and reason.

use super::{InputArgs, OutputArgs, RunArgs, TimeArgs, exit_code, open};
use crate::schema::{at, ev};
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
    ev::EVENT_ID,
    ev::EVENT_TIME,
    ev::ACCOUNT_ID,
    ev::AWS_REGION,
    ev::EVENT_SOURCE,
    ev::EVENT_NAME,
    ev::PRINCIPAL_ARN,
    at::ACTOR_KIND,
    at::ACTOR,
    at::OPERATOR,
    at::AGENT_SESSION_ID,
    at::TOOL_CALL_ID,
    at::CONFIDENCE,
    at::EVIDENCE,
    at::REASON,
];

pub fn run(a: Args) -> Result<ExitCode> {
    if a.print_config {
        print!("{DEFAULT_TOML}");
        return Ok(ExitCode::SUCCESS);
    }
    let window = a.time.window()?;
    let data = open(&a.input, &a.run)?;
    let mut cx = data.sql(window)?;
    let filter = match &a.kind {
        Some(k) => format!("WHERE {} = '{k}'", at::ACTOR_KIND),
        None => String::new(),
    };
    let sql = format!(
        "SELECT {} FROM events {filter} ORDER BY {}, {}",
        COLUMNS.join(", "),
        ev::EVENT_TIME,
        ev::EVENT_ID
    );
    let mut df = crate::sql::run(&mut cx, &sql)?;
    crate::output::write_frame(&mut df, a.out.format, a.out.output.as_deref())?;
    Ok(exit_code(&data))
}
