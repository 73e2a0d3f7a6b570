//! Incidents: reading the file teams export, and linking each incident to
//! the events that plausibly caused it (`target` reads the resources as
//! operators write them, `link` ranks the events).

pub mod link;
pub mod read;
pub mod target;

use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// `[incidents]` of `trailblame.toml`: the team's export and its columns.
#[derive(Deserialize, Clone, Debug, Default)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    /// `[incidents.columns]`: the column names (or dotted JSON paths) of
    /// the export, per field, tried before the built-in aliases.
    pub columns: BTreeMap<String, Vec<String>>,
    /// The incidents export `incidents`, `compare` and `report` read when
    /// no `--incidents` is given (relative to the settings file).
    pub file: Option<PathBuf>,
}
