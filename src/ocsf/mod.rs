//! OCSF, the schema Amazon Security Lake stores CloudTrail in: class 6003
//! API Activity, OCSF 1.1. `read` turns Security Lake's Parquet rows back
//! into CloudTrail records for the ordinary reader; `write` turns stored
//! events and their attribution into OCSF 6003 records whose
//! `enrichments[]` carry the labels, for a SIEM or a Security Lake custom
//! source.
//!
//! The field mapping (`MAPPING`, declared beside the tables' columns in
//! `schema::ocsf` so SCHEMA.md prints it) is the one the OCSF project's CloudTrail
//! example documents for OCSF 1.1.0 (the "Event Dossier: Amazon CloudTrail
//! Generic API Activity" of github.com/ocsf/examples) and that Security
//! Lake's CloudTrail source version 2 follows; SCHEMA.md prints it. What
//! OCSF keeps only in `unmapped` (a map of CloudTrail field paths to text)
//! is read back from there when present, and is null otherwise: nothing is
//! invented.

pub mod read;
pub mod write;

pub use crate::schema::ocsf::{LOST_UNLESS_UNMAPPED, MAPPING};

pub const CLASS_UID: i64 = 6003;
pub const CATEGORY_UID: i64 = 6;
pub const VERSION: &str = "1.1.0";
