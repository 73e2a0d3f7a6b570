//! De-duplication state: the 128-bit keys of the events (and transcript
//! rows) already in the store, in hash sets that use the keys' own bits.
//! Event keys are read per day partition as the run meets each day;
//! transcript keys when the run first has transcript rows.

use super::transcript;
use crate::schema::table;
use crate::store::manifest::Manifest;
use crate::store::writer::StoreWriter;
use anyhow::{Context, Result};
use polars::prelude::*;
use std::collections::{BTreeMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::path::{Path, PathBuf};

/// Hashes are already uniform: use the low bits as they are.
#[derive(Default)]
pub(super) struct IdHasher(u64);
impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes.iter().take(8) {
            self.0 = (self.0 << 8) | u64::from(b);
        }
    }
    fn write_u128(&mut self, v: u128) {
        self.0 = v as u64;
    }
}
pub(super) type IdSet = HashSet<u128, BuildHasherDefault<IdHasher>>;

/// The keys of the events already in the store, read one day partition at
/// a time, when the run first meets a row of that day.
///
/// A key hashes the event time with the record's identity, and a part's
/// day is the UTC day of its events' times, so a stored duplicate of a row
/// can only be in the row's own day: a record delivered late (in a later
/// hour's file, or a later run) still carries its event time. A run that
/// adds an hour of events therefore reads the keys of one or two days, not
/// of the whole store (issue 24).
pub(super) struct EventKeys {
    keys: IdSet,
    /// Stored parts of each day (days since the epoch) not read yet.
    unread: BTreeMap<i32, Vec<PathBuf>>,
    /// Days with stored events, days whose keys were read, and how many
    /// keys were read.
    pub(super) days_stored: u64,
    pub(super) days_read: u64,
    pub(super) keys_read: u64,
}

impl EventKeys {
    /// The stored event parts by day; parts whose path names no day (none
    /// in a store this version writes) are read at once.
    pub(super) fn new(root: &Path, manifest: &Manifest) -> Result<EventKeys> {
        let mut unread: BTreeMap<i32, Vec<PathBuf>> = BTreeMap::new();
        let mut undated = Vec::new();
        for rel in manifest.parts.get(table::EVENTS).into_iter().flatten() {
            match part_day(rel) {
                Some(day) => unread.entry(day).or_default().push(root.join(rel)),
                None => undated.push(root.join(rel)),
            }
        }
        let mut keys = EventKeys {
            keys: IdSet::default(),
            days_stored: unread.len() as u64,
            unread,
            days_read: 0,
            keys_read: 0,
        };
        if !undated.is_empty() {
            keys.read_parts(&undated)?;
        }
        Ok(keys)
    }

    /// Reads the stored keys of each of `days` not read yet.
    pub(super) fn load_days(&mut self, days: &[i32]) -> Result<()> {
        if self.unread.is_empty() {
            return Ok(());
        }
        let mut last = None;
        for &day in days {
            if last == Some(day) {
                continue; // rows of a file mostly share a day
            }
            last = Some(day);
            if let Some(paths) = self.unread.remove(&day) {
                self.read_parts(&paths)?;
                self.days_read += 1;
            }
        }
        Ok(())
    }

    /// Reads the stored keys of every day (a store merge meets any day).
    pub(super) fn load_all(&mut self) -> Result<()> {
        let days: Vec<i32> = self.unread.keys().copied().collect();
        self.load_days(&days)
    }

    /// Keys held: every stored key once all days are loaded, plus the new.
    pub(super) fn len(&self) -> usize {
        self.keys.len()
    }

    /// True when `key` was not seen before (its day must be loaded).
    pub(super) fn insert(&mut self, key: u128) -> bool {
        self.keys.insert(key)
    }

    fn read_parts(&mut self, paths: &[PathBuf]) -> Result<()> {
        use crate::schema::events;
        let dir = || {
            paths
                .first()
                .and_then(|p| p.parent())
                .map(|p| p.display().to_string())
                .unwrap_or_default()
        };
        // The stored `event_key` is the key itself: one column to read.
        let df = crate::store::scan_files(paths)?
            .select([col(events::EVENT_KEY)])
            .collect()
            .map_err(anyhow::Error::from)
            .with_context(|| {
                format!(
                    "reading the de-duplication keys of stored events in {}",
                    dir()
                )
            })?;
        let keys = df.column(events::EVENT_KEY)?.str()?;
        self.keys.reserve(df.height());
        for (i, text) in keys.iter().enumerate() {
            let key = text
                .and_then(crate::schema::event_key::parse)
                .with_context(|| {
                    format!(
                        "stored event {i} in {} has no valid {}: {text:?}",
                        dir(),
                        events::EVENT_KEY
                    )
                })?;
            self.keys.insert(key);
        }
        self.keys_read += df.height() as u64;
        Ok(())
    }
}

/// The day of an events part from its path
/// (`events/event_date=YYYY-MM-DD/part-….parquet`), in days since the epoch.
fn part_day(rel: &str) -> Option<i32> {
    let text = rel.split("event_date=").nth(1)?.get(..10)?;
    let date = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()?;
    let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1)?;
    i32::try_from((date - epoch).num_days()).ok()
}

/// Rows of the stored events, from the parts' Parquet footers.
pub(super) fn stored_event_rows(root: &Path, manifest: &Manifest) -> Result<u64> {
    let paths: Vec<PathBuf> = manifest
        .parts
        .get(table::EVENTS)
        .into_iter()
        .flatten()
        .map(|p| root.join(p))
        .collect();
    if paths.is_empty() {
        return Ok(0);
    }
    let df = crate::store::scan_files(&paths)?
        .select([len().cast(DataType::UInt64).alias("rows")])
        .collect()
        .map_err(anyhow::Error::from)
        .context("counting stored events")?;
    Ok(df.column("rows")?.u64()?.get(0).unwrap_or(0))
}

/// Keys of the transcript rows already in the store.
pub(super) fn existing_transcript_keys(writer: &StoreWriter) -> Result<IdSet> {
    let mut set = IdSet::default();
    for (table, keys) in transcript::KEYS {
        let paths: Vec<PathBuf> = writer
            .manifest
            .parts
            .get(table)
            .into_iter()
            .flatten()
            .map(|p| writer.root().join(p))
            .collect();
        if paths.is_empty() {
            continue;
        }
        let df = crate::store::scan_files(&paths)?
            .select(
                keys.iter()
                    .map(|k| col(*k).cast(DataType::String))
                    .collect::<Vec<_>>(),
            )
            .collect()
            .map_err(anyhow::Error::from)
            .with_context(|| format!("reading keys of stored {table}"))?;
        let cols: Vec<&StringChunked> = keys
            .iter()
            .map(|k| df.column(k).and_then(|c| c.str()))
            .collect::<PolarsResult<_>>()?;
        set.reserve(df.height());
        for i in 0..df.height() {
            let parts: Vec<Option<&str>> = cols.iter().map(|c| c.get(i)).collect();
            set.insert(transcript::row_key(table, &parts));
        }
    }
    Ok(set)
}

#[cfg(test)]
mod tests {
    use super::part_day;

    #[test]
    fn a_part_path_names_its_day() {
        assert_eq!(
            part_day("events/event_date=1970-01-02/part-000001-00000.parquet"),
            Some(1)
        );
        assert_eq!(
            part_day("events/event_date=2025-12-11/part-000003-00002.parquet"),
            Some(20433)
        );
        assert_eq!(part_day("events/part-000001-00000.parquet"), None);
        assert_eq!(part_day("events/event_date=2025-13-01/p.parquet"), None);
    }
}
