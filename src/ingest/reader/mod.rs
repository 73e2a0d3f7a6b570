//! Reads one decompressed input file into events and quarantined records.
//!
//! Detects the shape by content, never by file name: an S3 delivery document
//! (`{"Records":[…]}`), a bare array, JSON Lines, EventBridge envelopes,
//! `lookup-events` output, CloudWatch Logs exports and subscription payloads,
//! digest files and JSON that is not CloudTrail. Each record is parsed on its
//! own (see `scan`), so a bad one is quarantined and its neighbours are kept.
//!
//! `shape` tells what a file is from its first bytes, `records` reads its
//! values into rows and quarantined records.

mod records;
mod shape;
#[cfg(test)]
mod tests;

use super::batch::EventBatch;
use super::fastjson;
use super::record::Doc;
use crate::cloudtrail::iam_action::IamExceptions;
use std::borrow::Cow;

pub use records::read_file;
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
    pub batch: EventBatch,
    pub quarantined: Vec<Quarantined>,
    pub note: Option<String>,
}

impl FileRead {
    pub fn records_read(&self) -> u64 {
        self.batch.len() as u64 + self.quarantined.len() as u64
    }
}

/// Settings that do not change between files.
pub struct ReadContext<'a> {
    pub iam: &'a IamExceptions,
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
