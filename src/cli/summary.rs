//! `trailblame summary PATH...|--store DIR`: a first overview of the events
//! (`analysis::summary`), as tables or JSON, or one section in any format.

use super::{InputArgs, OutputArgs, RunArgs, TimeArgs, exit_code, open, require_events};
use crate::analysis::summary::{SECTION_KEYS, compute};
use crate::output::{self, Format};
use crate::terminal::Display;
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
    /// One section only (csv, ndjson and parquet write one table: name it here)
    #[arg(long, value_parser = clap::builder::PossibleValuesParser::new(SECTION_KEYS), value_name = "SECTION")]
    pub show: Option<String>,
    #[command(flatten)]
    pub run: RunArgs,
}

pub fn run(a: Args, ui: Display) -> Result<ExitCode> {
    let window = a.time.window()?;
    let data = open(&a.input, &a.run)?;
    require_events(&data, "summarise")?;
    let mut sections = compute(&data.store, window, a.top, data.attribution.clone())?;
    if let Some(key) = &a.show {
        sections.retain(|s| s.key == key.as_str());
    }
    let ui = ui.for_output(a.out.output.as_deref());
    let text = match (a.out.format, sections.as_mut_slice()) {
        (Format::Table, _) => {
            let mut s = String::new();
            for sec in &sections {
                s.push_str(&format!("## {}\n", sec.title));
                s.push_str(&output::render_table(&a.out.limited(&sec.frame, true), ui)?);
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
        (Format::Json, _) if a.show.is_none() => {
            let mut obj = serde_json::Map::new();
            for sec in &sections {
                obj.insert(
                    sec.key.to_string(),
                    output::to_json_value(&a.out.limited(&sec.frame, true))?,
                );
            }
            if let Some(r) = &data.ingest {
                obj.insert(
                    "ingest".into(),
                    serde_json::to_value(&r.ingest.record.accounting)?,
                );
            }
            serde_json::to_string_pretty(&serde_json::Value::Object(obj))? + "\n"
        }
        (_, [one]) => {
            a.out.write(&mut one.frame, ui, a.run.quiet)?;
            return Ok(exit_code(&data));
        }
        (fmt, _) => bail!(
            "--format {} writes one table: add --show SECTION ({})",
            fmt.name(),
            SECTION_KEYS.join(", ")
        ),
    };
    output::write_text(&text, a.out.output.as_deref())?;
    Ok(exit_code(&data))
}
