//! `trailblame schema`: the table reference, generated from `src/schema.rs`.

use anyhow::Result;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {}

pub fn run(_: Args) -> Result<ExitCode> {
    print!("{}", crate::schema::render_markdown());
    Ok(ExitCode::SUCCESS)
}
