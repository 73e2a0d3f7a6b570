//! Reads one decompressed input file into events and quarantined records.
//!
//! Detects the shape by content, never by file name: an S3 delivery document
//! (`{"Records":[…]}`), a bare array, JSON Lines, EventBridge envelopes,
//! `lookup-events` output, CloudWatch Logs exports and subscription payloads,
//! digest files, Claude Code hook payloads (recognised, not read) and JSON
//! that is not CloudTrail. Each record is parsed on its own (see `scan`), so
//! a bad one is quarantined and its neighbours are kept. What `normalise`
//! accepted leniently is counted per file (`LenientCounts`) and each nulled
//! field is a warning naming the record.
//!
//! `shape` tells what a file is from its first bytes, `records` reads its
//! values into rows and quarantined records.

mod records;
mod shape;
#[cfg(test)]
mod tests;

use super::fastjson;
use super::record::Doc;
use crate::cloudtrail::iam_action::IamExceptions;
use std::borrow::Cow;

pub use records::{read_file, read_file_into};
pub use shape::sniff_cloudtrail;

/// What an input file turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    CloudTrail,
    Digest,
    NotCloudTrail,
    /// A text file whose extension says it is not a log (notes, settings,
    /// tables): counted, not a problem.
    NotLog,
    /// IAM data (`aws iam get-account-authorization-details` output) kept
    /// beside the logs: read by `privileges`, `compare` and `report`.
    IamData,
    /// A JSON array (or lines) of Claude Code hook payloads: recognised and
    /// counted, not read (nor quarantined as broken CloudTrail).
    ClaudeHookLog,
    Empty,
    Unknown,
}

impl FileKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FileKind::CloudTrail => "cloudtrail",
            FileKind::Digest => "digest",
            FileKind::NotCloudTrail => "not_cloudtrail",
            FileKind::NotLog => "not_log",
            FileKind::IamData => "iam_data",
            FileKind::ClaudeHookLog => "claude_hook_log",
            FileKind::Empty => "empty",
            FileKind::Unknown => "unknown",
        }
    }
}

/// A record that could not be kept.
#[derive(Debug, Clone)]
pub struct Quarantined {
    pub line: Option<u64>,
    pub record_index: Option<u64>,
    pub position: String,
    pub reason: String,
    pub raw: String,
    pub raw_bytes: u64,
}

/// The most raw text kept per quarantined record.
pub const RAW_LIMIT: usize = 64 * 1024;

pub struct FileRead {
    pub kind: FileKind,
    /// Rows this file added to its batch.
    pub rows: u64,
    pub quarantined: Vec<Quarantined>,
    pub note: Option<String>,
    /// Records kept thanks to a leniency, by kind.
    pub lenient: LenientCounts,
    /// One per nulled field: `<position>: <field> …; set to null, record kept`.
    pub warnings: Vec<String>,
    /// Hook payloads met in a `ClaudeHookLog` file.
    pub hook_payloads: u64,
}

/// What was accepted that CloudTrail itself does not write, in one file.
#[derive(Default, Debug, Clone, Copy, PartialEq, Eq)]
pub struct LenientCounts {
    /// Time values without a zone, read as UTC.
    pub times_without_zone: u64,
    /// Time values with a zone and a space for `T`.
    pub times_with_space: u64,
    /// Records after version 1.0 without eventID, given a synthetic id.
    pub synthetic_ids: u64,
    /// Optional nested fields set to null or resource entries left out.
    pub fields_nulled: u64,
    /// JSON documents read after the first one of a file (gzip members,
    /// joined files).
    pub documents_concatenated: u64,
    /// Container keys (`Records`) met again in the same document, read too.
    pub containers_repeated: u64,
}

impl LenientCounts {
    pub fn add(&mut self, o: &LenientCounts) {
        self.times_without_zone += o.times_without_zone;
        self.times_with_space += o.times_with_space;
        self.synthetic_ids += o.synthetic_ids;
        self.fields_nulled += o.fields_nulled;
        self.documents_concatenated += o.documents_concatenated;
        self.containers_repeated += o.containers_repeated;
    }

    /// The per-file note: what was accepted, once.
    pub fn note(&self) -> Option<String> {
        let mut parts = Vec::new();
        if self.times_without_zone > 0 {
            parts.push(format!(
                "{} times without a zone read as UTC",
                self.times_without_zone
            ));
        }
        if self.times_with_space > 0 {
            parts.push(format!(
                "{} times with a space for 'T' read as RFC 3339",
                self.times_with_space
            ));
        }
        if self.synthetic_ids > 0 {
            parts.push(format!(
                "{} records without eventID given a synthetic id",
                self.synthetic_ids
            ));
        }
        if self.fields_nulled > 0 {
            parts.push(format!(
                "{} malformed optional fields set to null, records kept",
                self.fields_nulled
            ));
        }
        if self.documents_concatenated > 0 {
            parts.push(format!(
                "{} more JSON documents after the first (gzip members or joined files), all read",
                self.documents_concatenated
            ));
        }
        if self.containers_repeated > 0 {
            parts.push(format!(
                "the record list's key repeated {} times in one document, the records under each read",
                self.containers_repeated
            ));
        }
        (!parts.is_empty()).then(|| format!("accepted: {}", parts.join("; ")))
    }
}

/// The most field warnings kept per file; the rest are counted.
pub const MAX_WARNINGS: usize = 20;

impl FileRead {
    pub fn records_read(&self) -> u64 {
        self.rows + self.quarantined.len() as u64
    }
}

/// Settings that do not change between files.
pub struct ReadContext<'a> {
    pub iam: &'a IamExceptions,
    /// Records and fields over these are quarantined.
    pub limits: super::limits::Limits,
}

/// One JSON value as a `Doc`: the fast path, or serde where it gives up
/// (whose result and error are the ones that count).
fn parse_doc(text: &str) -> serde_json::Result<Doc<'_>> {
    fastjson::doc(text).or_else(|_| serde_json::from_str(text))
}

/// The account in an S3 delivery path: `AWSLogs/[o-org/]<acct>/CloudTrail/…`.
pub fn account_from_path(path: &str) -> Option<Cow<'_, str>> {
    let mut parts = path.split(['/', '\\']);
    while let Some(p) = parts.next() {
        if p == "AWSLogs" {
            let mut next = parts.next()?;
            if next.starts_with("o-") {
                next = parts.next()?;
            }
            if next.len() == 12 && next.bytes().all(|c| c.is_ascii_digit()) {
                return Some(Cow::Borrowed(next));
            }
        }
    }
    None
}
