//! De-duplication state: the 128-bit keys of the events (and transcript
//! rows) already in the store, loaded at the start of a run, in a hash set
//! that uses the keys' own bits.

use super::transcript;
use crate::schema::table;
use crate::store::writer::StoreWriter;
use anyhow::{Context, Result};
use polars::prelude::*;
use std::collections::HashSet;
use std::hash::{BuildHasherDefault, Hasher};

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

pub(super) fn existing_ids(writer: &StoreWriter) -> Result<IdSet> {
    let store = writer.committed();
    let mut set = IdSet::default();
    if store.part_paths(table::EVENTS).is_empty() {
        return Ok(set);
    }
    use crate::schema::events;
    // The stored `event_key` is the key itself: one column to read.
    let df = store
        .scan(table::EVENTS)?
        .select([col(events::EVENT_KEY)])
        .collect()
        .map_err(anyhow::Error::from)
        .context("reading the de-duplication keys of stored events")?;
    let keys = df.column(events::EVENT_KEY)?.str()?;
    set.reserve(df.height());
    for (i, text) in keys.iter().enumerate() {
        let key = text
            .and_then(crate::schema::event_key::parse)
            .with_context(|| {
                format!(
                    "stored event {i} has no valid {}: {text:?}",
                    events::EVENT_KEY
                )
            })?;
        set.insert(key);
    }
    Ok(set)
}

/// Keys of the transcript rows already in the store.
pub(super) fn existing_transcript_keys(writer: &StoreWriter) -> Result<IdSet> {
    let store = writer.committed();
    let mut set = IdSet::default();
    for (table, keys) in transcript::KEYS {
        if store.part_paths(table).is_empty() {
            continue;
        }
        let df = store
            .scan(table)?
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
