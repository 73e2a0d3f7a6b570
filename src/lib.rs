//! trailblame: who did what in an AWS account, an AI agent or a human.
//!
//! Layers, each a module: `ingest` (files → rows) → `store` (Parquet parts
//! and manifest) → `sql` (queries over the tables) → `output` / `cli`
//! (what people and programs read). `attribution` labels every event with
//! its actor from the stored events and transcripts. `schema` names every column;
//! `str_col` is the dictionary-encoded string column attribution and the
//! anomaly detectors both hold their columns in. `cloudtrail` is the
//! vocabulary of records (user agents, IAM actions, request parameters,
//! globs, URL decoding) every stage reads them with.

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
pub mod timeparse;
pub mod transcripts;
pub mod workspace;
