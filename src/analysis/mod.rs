//! The analyses the commands print and the weekly report assembles:
//! functions over a `Workspace` (the store with its attribution), returning
//! frames and structs, printing nothing. Warnings about input files come
//! back in the results, for the caller to show.
//!
//! - `summary`: the first overview, section by section.
//! - `bursts`: the one definition of a destructive burst.
//! - `incident_links`: each incident's likely causes.
//! - `privilege_usage`: granted vs used, and each principal's tier.
//! - `compare`: AI vs people — rates, intervals, the verdict.
//! - `findings`: the anomaly detectors' input loaded, run, and saved.
//! - `timeline`: the postmortem view of one focus.
//! - `request_params`: `requestParameters` as (event, path, value) rows for SQL.

pub mod bursts;
pub mod compare;
pub mod findings;
pub mod incident_links;
pub mod privilege_usage;
pub mod request_params;
pub mod summary;
pub mod timeline;
