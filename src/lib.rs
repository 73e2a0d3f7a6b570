//! trailblame: who did what in an AWS account, an AI agent or a human.
//!
//! Data flows one way, and the folder tree says so (ARCHITECTURE.md has the
//! map): `cli` parses arguments and opens a `workspace`; a write run
//! (`pipeline`) is `ingest` (files → rows, transcripts → sessions and tool
//! calls) then `attribution` (who made each event), into the `store`
//! (Parquet parts and a manifest); `analysis` computes what the commands
//! print over the store with `sql`, using the domain modules
//! (`destructive`, `privileges`, `incidents`, `anomalies`, `stats`);
//! `report` assembles the weekly report as a `document`, which renders as
//! HTML, Markdown, JSON or text; `output` writes tables. Shared by all:
//! `schema` (every column name), `settings` (`trailblame.toml`),
//! `cloudtrail` (user agents, IAM actions, request parameters, globs, URL
//! decoding), `shell_commands` (the AWS calls a shell command causes),
//! `str_col` (the dictionary-encoded string column attribution and the
//! anomaly detectors hold their columns in).

pub mod alloc;
pub mod analysis;
pub mod anomalies;
pub mod attribution;
pub mod cli;
pub mod cloudtrail;
pub mod destructive;
pub mod document;
pub mod incidents;
pub mod ingest;
mod json_scan;
pub mod ocsf;
pub mod output;
pub mod pipeline;
pub mod privileges;
pub mod progress;
pub mod report;
pub mod schema;
pub mod settings;
pub mod shell_commands;
pub mod sql;
pub mod stats;
pub mod store;
pub mod str_col;
pub mod terminal;
pub mod timeparse;
pub mod transcripts;
pub mod tsv;
pub mod workspace;
