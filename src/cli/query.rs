//! `trailblame query SQL|FILE.sql [PATH...|--store DIR]`: SQL over the tables.

use super::{Data, InputArgs, OutputArgs, RunArgs, TimeArgs};
use anyhow::{Context, Result};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// A SQL statement, or a .sql file holding one (tables: events, quarantine, ingested_files)
    #[arg(value_name = "SQL|FILE.sql")]
    pub sql: String,
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub time: TimeArgs,
    #[command(flatten)]
    pub out: OutputArgs,
    #[command(flatten)]
    pub run: RunArgs,
}

pub fn run(a: Args) -> Result<ExitCode> {
    let sql = if a.sql.trim_end().ends_with(".sql") && std::path::Path::new(a.sql.trim()).is_file()
    {
        std::fs::read_to_string(a.sql.trim()).with_context(|| format!("reading {}", a.sql))?
    } else {
        a.sql.clone()
    };
    let window = a.time.window()?;
    let data = Data::open(&a.input, &a.run)?;
    let mut cx = data.sql(window)?;
    let mut df = crate::sql::run(&mut cx, &sql)?;
    crate::output::write_frame(&mut df, a.out.format, a.out.output.as_deref())?;
    Ok(data.exit_code())
}
