//! What to generate (`CorpusConfig`) and what `generate` wrote
//! (`CorpusStats`).

use chrono::{DateTime, TimeZone, Utc};

/// What to generate.
#[derive(Clone, Debug)]
pub struct CorpusConfig {
    /// Total records to write (insight records included; digests are not
    /// records).
    pub events: u64,
    pub seed: u64,
    /// First day, 00:00 UTC (a later time of day is rounded down).
    pub start: DateTime<Utc>,
    /// Events are spread over this many days.
    pub days: u32,
    /// Number of AWS accounts, 1 to 20; their 12-digit ids derive from the seed.
    pub accounts: u32,
    /// Average records per delivery file.
    pub records_per_file: u32,
}

impl Default for CorpusConfig {
    fn default() -> Self {
        CorpusConfig {
            events: 1000,
            seed: 1,
            start: Utc
                .with_ymd_and_hms(2025, 12, 1, 0, 0, 0)
                .single()
                .unwrap_or_default(),
            days: 7,
            accounts: 3,
            records_per_file: 500,
        }
    }
}

/// What `generate` wrote.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CorpusStats {
    /// Log files (`CloudTrail/` and `CloudTrail-Insight/`), digests excluded.
    pub files: u64,
    pub digest_files: u64,
    /// Records written (equals `CorpusConfig::events`).
    pub events: u64,
    /// JSON bytes of the log files before compression.
    pub bytes_uncompressed: u64,
    /// Bytes of the log files on disk.
    pub bytes_compressed: u64,
}
