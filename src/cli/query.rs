//! `trailblame query SQL|FILE.sql [PATH...|--store DIR]`: SQL over the tables.

use super::{InputArgs, OutputArgs, RunArgs, TimeArgs, exit_code, open};
use crate::analysis::request_params;
use crate::schema::events;
use anyhow::{Context, Result};
use polars::prelude::IntoLazy;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// A SQL statement, or a .sql file holding one (tables: events with its attribution columns, agent_sessions, tool_calls, messages, attribution, quarantine, ingested_files; request_params: event_id, path, value, one row per leaf of requestParameters)
    #[arg(value_name = "SQL|FILE.sql")]
    pub sql: String,
    /// A value for a `:name` placeholder in the SQL (repeatable): `--param actor=kiro`
    #[arg(long = "param", value_name = "NAME=VALUE", value_parser = parse_param)]
    pub params: Vec<(String, String)>,
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub time: TimeArgs,
    #[command(flatten)]
    pub out: OutputArgs,
    #[command(flatten)]
    pub run: RunArgs,
}

pub fn run(a: Args, ui: crate::terminal::Display) -> Result<ExitCode> {
    let sql = if a.sql.trim_end().ends_with(".sql") && std::path::Path::new(a.sql.trim()).is_file()
    {
        std::fs::read_to_string(a.sql.trim()).with_context(|| format!("reading {}", a.sql))?
    } else {
        a.sql.clone()
    };
    let sql = crate::sql::substitute(&sql, &a.params)?;
    // The store's tables only: no file or network table functions (issue 23).
    crate::sql::check_sandboxed(&sql)?;
    let window = a.time.window()?;
    let data = open(&a.input, &a.run)?;
    let mut cx = data.sql(window)?;
    // `request_params` is built only for a statement that names it.
    if sql.to_ascii_lowercase().contains(request_params::TABLE) {
        let raw = crate::sql::run(
            &mut cx,
            &format!(
                "SELECT {}, {} FROM events",
                events::EVENT_ID,
                events::REQUEST_PARAMETERS
            ),
        )?;
        cx.register(request_params::TABLE, request_params::flatten(&raw)?.lazy());
    }
    let mut df = crate::sql::run(&mut cx, &sql)?;
    a.out.write(&mut df, ui, a.run.quiet)?;
    Ok(exit_code(&data))
}

fn parse_param(s: &str) -> Result<(String, String), String> {
    let (k, v) = s
        .split_once('=')
        .ok_or_else(|| format!("{s:?}: expected NAME=VALUE"))?;
    let ok = k.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !ok {
        return Err(format!("{k:?}: a parameter name is letters, digits and _"));
    }
    Ok((k.to_string(), v.to_string()))
}
