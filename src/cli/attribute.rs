//! `trailblame attribute PATH...|--store DIR`: every event with its actor,
//! operator, agent session, tool call, confidence, evidence and reason.

use super::{InputArgs, OutputArgs, RunArgs, TimeArgs, exit_code, open};
use crate::output::Format;
use crate::schema::{attribution, events};
use crate::settings::DEFAULT_TOML;
use anyhow::{Result, bail};
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
    let ocsf = matches!(a.out.format, Format::Ocsf | Format::OcsfParquet);
    let columns = if ocsf {
        crate::ocsf::write::COLUMNS
    } else {
        COLUMNS
    };
    let sql = format!(
        "SELECT {} FROM events {filter} ORDER BY {}, {}, {}",
        columns.join(", "),
        events::EVENT_TIME,
        events::EVENT_ID,
        events::EVENT_KEY
    );
    let mut df = crate::sql::run(&mut cx, &sql)?;
    if ocsf {
        let Some(out) = a.out.output.as_deref() else {
            bail!("--format ocsf and ocsf-parquet need --output FILE");
        };
        crate::ocsf::write::write(&df, out, a.out.format == Format::OcsfParquet)?;
        return Ok(exit_code(&data));
    }
    a.out.write(&mut df, ui, a.run.quiet)?;
    Ok(exit_code(&data))
}
