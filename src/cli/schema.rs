//! `trailblame schema`: the table reference, generated from `src/schema.rs`;
//! with `--ddl ENGINE`, the statements that declare a store's tables on
//! Spark, Athena, Trino or DuckDB (issue 21).

use crate::schema::ddl::{self, Engine};
use anyhow::Result;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Print CREATE statements for this engine instead of the reference
    #[arg(long, value_enum, value_name = "ENGINE")]
    pub ddl: Option<Engine>,
    /// Where the store is, as the engine names it (a path, s3://bucket/prefix, dbfs:/…)
    #[arg(long, value_name = "URI", default_value = "tb", requires = "ddl")]
    pub location: String,
}

pub fn run(a: Args) -> Result<ExitCode> {
    match a.ddl {
        Some(engine) => print!("{}", ddl::render(engine, &a.location)),
        None => print!("{}", crate::schema::render_markdown()),
    }
    Ok(ExitCode::SUCCESS)
}
