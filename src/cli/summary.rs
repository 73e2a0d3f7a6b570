//! `trailblame summary PATH...|--store DIR`: a first overview of the events
//! (`analysis::summary`), as tables or JSON.

use super::{InputArgs, OutputArgs, RunArgs, TimeArgs, exit_code, open};
use crate::analysis::summary::compute;
use crate::output::{self, Format};
use anyhow::{Result, bail};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub time: TimeArgs,
    #[command(flatten)]
    pub out: OutputArgs,
    /// Rows shown per ranked section
    #[arg(long, default_value_t = 10)]
    pub top: usize,
    #[command(flatten)]
    pub run: RunArgs,
}

pub fn run(a: Args) -> Result<ExitCode> {
    let window = a.time.window()?;
    let data = open(&a.input, &a.run)?;
    let sections = compute(&data.store, window, a.top, data.attribution.clone())?;
    let text = match a.out.format {
        Format::Table => {
            let mut s = String::new();
            for sec in &sections {
                s.push_str(&format!("## {}\n", sec.title));
                s.push_str(&output::render_table(&sec.frame)?);
                if sec.total_rows > sec.frame.height() {
                    s.push_str(&format!(
                        "(+{} more; --top {} shows more)\n",
                        sec.total_rows - sec.frame.height(),
                        sec.total_rows
                    ));
                }
                s.push('\n');
            }
            s
        }
        Format::Json => {
            let mut obj = serde_json::Map::new();
            for sec in &sections {
                obj.insert(sec.key.to_string(), output::to_json_value(&sec.frame)?);
            }
            if let Some(r) = &data.ingest {
                obj.insert(
                    "ingest".into(),
                    serde_json::to_value(&r.ingest.record.accounting)?,
                );
            }
            serde_json::to_string_pretty(&serde_json::Value::Object(obj))? + "\n"
        }
        other => bail!("summary writes table or json, not {other:?}"),
    };
    output::write_text(&text, a.out.output.as_deref())?;
    Ok(exit_code(&data))
}
