//! The store's commit log: which Parquet parts make up each table, which
//! file lists record the input files ingested (`file_lists.rs`), and what
//! every ingest run counted.
//!
//! Readers trust only parts listed here, so a crash between writing parts
//! and replacing this file leaves the previous state readable. The file is
//! replaced atomically (write to a temporary name, fsync, rename).

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::Path;

pub const MANIFEST_FILE: &str = "_trailblame.json";
/// 2: events carry `event_key`, and derived tables join on it.
/// 3: integers are signed, every table has a (possibly empty) part, part
/// names carry a writer id, and `store_state` exists (issue 21).
/// 4: `tool_calls.chain_break` (issue 23).
/// 5: the record of ingested files moves from `files` to JSON-lines file
/// lists under `_files/`, one per run (`file_lists`, issue 24); a format-4
/// store is read as it is and written as format 5 by its next commit.
pub const FORMAT: u32 = 5;
/// The oldest format this trailblame reads.
pub const OLDEST_READ: u32 = 4;

#[derive(Serialize, Deserialize, Default, Clone)]
pub struct Manifest {
    pub format: u32,
    /// Table name → part paths relative to the store root.
    pub parts: BTreeMap<String, Vec<String>>,
    /// Format 4 only: content hash (hex) → the first file ingested with
    /// that content. Format 5 keeps these in `file_lists` (`file_lists.rs`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub files: BTreeMap<String, FileEntry>,
    /// The file lists (store-relative `_files/…jsonl`), oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub file_lists: Vec<String>,
    pub runs: Vec<RunRecord>,
    /// What the derived `attribution` table was computed from, if it exists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attribution: Option<DerivedState>,
    /// The settings file the last run that left attribution for later
    /// (`ingest --no-attribution`) was given: reading commands attribute
    /// with it, as with the file of an attributed run. Cleared when an
    /// attribution is recorded (`set_attribution`: `attribution` then
    /// names its file).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deferred_settings_source: Option<String>,
    /// Parts (also listed in `parts`) that are empty placeholders, written
    /// so that a table with no rows still has a typed file; dropped when
    /// the table gets a real part.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub empty_parts: BTreeSet<String>,
}

/// The inputs a derived table was computed from: it is current while the
/// store's last run and the settings' hash are the same.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct DerivedState {
    pub after_run: u64,
    pub settings_hash: String,
    /// Where the settings came from (a file path, or "built-in defaults").
    pub settings_source: String,
    /// The `attribution` parts holding each `event_date`'s rows, so that an
    /// incremental run replaces only the days it recomputes. Absent in
    /// stores attributed before incremental runs: their next run
    /// recomputes everything and writes it.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub days: BTreeMap<String, Vec<String>>,
    /// The people names were resolved against (`carol` to
    /// `carol@example.com`): an incremental run that meets a new one
    /// recomputes everything.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub people: BTreeSet<String>,
    /// The bare names resolved against `people`, lower-cased: a new person
    /// whose local part is none of them changes no stored row.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub names: BTreeSet<String>,
    /// True when `days` and the per-day link summaries are maintained.
    #[serde(default)]
    pub by_day: bool,
}

#[derive(Serialize, Deserialize, Clone)]
pub struct FileEntry {
    pub path: String,
    pub size: u64,
    pub kind: String,
    pub run: u64,
    /// The S3 object's ETag, when the file came from S3: key + ETag + size
    /// tell a later run not to fetch it again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
}

#[derive(Serialize, Deserialize, Clone, Default, Debug, PartialEq, Eq)]
pub struct Accounting {
    pub files_seen: u64,
    pub files_already_ingested: u64,
    /// Files by what they turned out to be (cloudtrail, digest, not_cloudtrail, …).
    pub files_by_kind: BTreeMap<String, u64>,
    pub records_read: u64,
    pub kept: u64,
    pub duplicates: u64,
    pub quarantined: u64,
    pub bytes_read: u64,
    pub bytes_decoded: u64,
    /// Transcript lines met = used + skipped + quarantined.
    #[serde(default)]
    pub transcript_lines_read: u64,
    #[serde(default)]
    pub transcript_records_used: u64,
    /// Lines of known kinds that carry nothing to store, and unknown record types.
    #[serde(default)]
    pub transcript_records_skipped: u64,
    #[serde(default)]
    pub transcript_quarantined: u64,
    /// Rows written per transcript table.
    #[serde(default)]
    pub transcript_rows: BTreeMap<String, u64>,
    /// Rows not written because an earlier run stored them (a transcript that grew).
    #[serde(default)]
    pub transcript_rows_already_stored: u64,
    /// Leniencies (issue 24), each a record kept that strict reading would
    /// have quarantined or a value read in a form CloudTrail does not write.
    /// Time values (eventTime, session creation date) without a zone, read as UTC.
    #[serde(default)]
    pub times_without_zone: u64,
    /// Time values with a zone but a space for `T`.
    #[serde(default)]
    pub times_with_space: u64,
    /// Records after eventVersion 1.0 without eventID, given the synthetic
    /// id version 1.0 records get (those are not counted here).
    #[serde(default)]
    pub synthetic_ids: u64,
    /// Malformed optional nested fields set to null (a session creation
    /// date, a `resources` entry left out), each with a warning.
    #[serde(default)]
    pub fields_nulled: u64,
    /// Entries of files recognised as Claude Code hook logs, not read.
    #[serde(default)]
    pub hook_payloads_not_read: u64,
    /// JSON documents read after a file's first (several gzip members,
    /// joined files), each announced for its file.
    #[serde(default)]
    pub documents_concatenated: u64,
    /// A document's record list key (`Records`) met again; the records
    /// under every one are read, and the file named in a warning.
    #[serde(default)]
    pub containers_repeated: u64,
    /// Paths under the inputs not read, by reason (symlink, fifo, device,
    /// socket, permission, vanished, other); each named in a warning.
    #[serde(default)]
    pub paths_not_read: BTreeMap<String, u64>,
    /// Events read but outside `ingest --since/--until`, not kept.
    #[serde(default)]
    pub out_of_window: u64,
    /// Files and objects not read because their key's day is outside the
    /// window (with a day of margin for late delivery).
    #[serde(default)]
    pub files_outside_window: u64,
    /// What an S3 input's listing and fetching did (absent without one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub s3: Option<S3Accounting>,
    /// Files over `ingest.max_file_bytes` (issue 23): read up to the limit,
    /// the rest reported on the file (a quarantined entry naming the limit).
    #[serde(default)]
    pub files_over_limit: u64,
}

/// Objects met under `s3://` inputs: listed = fetched + skipped + failed.
#[derive(Serialize, Deserialize, Clone, Default, Debug, PartialEq, Eq)]
pub struct S3Accounting {
    /// Listings made, one per prefix (a listing of many keys takes
    /// several pages).
    pub list_requests: u64,
    pub listed: u64,
    pub fetched: u64,
    /// Not fetched: digest files, outside the window, or key + ETag + size
    /// already ingested.
    pub skipped_digest: u64,
    pub skipped_window: u64,
    pub skipped_already_ingested: u64,
    /// Fetches that failed after retries; each named in a warning and
    /// counted as an unreadable file.
    pub failed: u64,
    pub bytes_fetched: u64,
}

impl S3Accounting {
    pub fn reconciles(&self) -> bool {
        self.listed
            == self.fetched
                + self.skipped_digest
                + self.skipped_window
                + self.skipped_already_ingested
                + self.failed
    }
}

impl Accounting {
    /// read = kept + duplicates + quarantined + out of window, always.
    pub fn reconciles(&self) -> bool {
        self.records_read == self.kept + self.duplicates + self.quarantined + self.out_of_window
            && self.transcript_lines_read
                == self.transcript_records_used
                    + self.transcript_records_skipped
                    + self.transcript_quarantined
    }

    /// Files that were not read as they should be: exit status 1.
    pub fn files_with_problems(&self) -> u64 {
        ["unknown", "unreadable"]
            .iter()
            .map(|k| self.files_by_kind.get(*k).copied().unwrap_or(0))
            .sum::<u64>()
            + self.paths_not_read.values().sum::<u64>()
            + self.files_over_limit
    }
}

#[derive(Serialize, Deserialize, Clone)]
pub struct RunRecord {
    pub run: u64,
    pub started_at: String,
    pub finished_at: String,
    pub inputs: Vec<String>,
    pub accounting: Accounting,
}

impl Manifest {
    /// Records the attribution just computed. Its settings file is now the
    /// one readers use: it supersedes one a run that left attribution for
    /// later was given.
    pub fn set_attribution(&mut self, a: DerivedState) {
        self.attribution = Some(a);
        self.deferred_settings_source = None;
    }

    pub fn load(root: &Path) -> Result<Option<Manifest>> {
        let path = root.join(MANIFEST_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
        };
        let m: Manifest = serde_json::from_str(&text)
            .with_context(|| format!("{} is not a trailblame manifest", path.display()))?;
        if !(OLDEST_READ..=FORMAT).contains(&m.format) {
            let hint = if m.format < FORMAT {
                "; it was written by an older trailblame (format 2 added `events.event_key`, \
                 the key every derived table joins on; format 3 made integers signed and gave \
                 every table a part; format 4 added `tool_calls.chain_break`; format 5, read and upgraded as it is, \
                 moved the record of ingested files out of the manifest): ingest the same inputs into a new store"
            } else {
                "; it was written by a newer trailblame"
            };
            bail!(
                "{} has store format {}, this trailblame reads formats {OLDEST_READ} to {FORMAT}{hint}",
                path.display(),
                m.format
            );
        }
        Ok(Some(m))
    }

    pub fn next_run(&self) -> u64 {
        self.runs.last().map_or(1, |r| r.run + 1)
    }

    /// The last committed run, 0 for a new store.
    pub fn last_run(&self) -> u64 {
        self.runs.last().map_or(0, |r| r.run)
    }

    /// Writes the manifest atomically.
    pub fn save(&self, root: &Path) -> Result<()> {
        let path = root.join(MANIFEST_FILE);
        let tmp = root.join(format!("{MANIFEST_FILE}.tmp"));
        // Compact (`jq .` shows it indented).
        let text = serde_json::to_vec(self)?;
        {
            let mut f = std::fs::File::create(&tmp)
                .with_context(|| format!("creating {}", tmp.display()))?;
            f.write_all(&text)?;
            f.sync_all()?;
        }
        std::fs::rename(&tmp, &path).with_context(|| format!("replacing {}", path.display()))?;
        sync_dir(root);
        Ok(())
    }
}

/// Makes a rename durable where the platform allows it.
pub fn sync_dir(dir: &Path) {
    if let Ok(f) = std::fs::File::open(dir) {
        let _ = f.sync_all();
    }
}
