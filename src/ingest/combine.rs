//! `trailblame store merge`: several stores into one, as if one ingest had
//! read their inputs in the order the stores are given (issue 21).
//!
//! The stores written by the shards of a distributed ingest each hold part
//! of the events. Merging keeps what a single ingest would have kept and
//! counts what it would have counted:
//!
//! - an event whose `event_key` is already in the destination (or in an
//!   earlier source) is dropped and counted as a duplicate, in its file's
//!   `ingested_files` row and in the accounting of the run that read it;
//! - a file whose content hash is already known becomes an
//!   `already_ingested` row: its events, quarantined records and transcript
//!   rows are dropped and its counts taken out of its run, because a single
//!   ingest would not have read it (only `bytes_decoded` and the leniency
//!   counts stay, which are not kept per file);
//! - transcript rows whose key is already stored are dropped and counted as
//!   `transcript_rows_already_stored`.
//!
//! Each source's runs become new runs of the destination, numbered after
//! its last, with `ingest_run` columns renumbered to match. Parts are read
//! one at a time and written under the destination's names. Derived tables
//! are not copied: the caller (`pipeline::merge`) rebuilds the attribution
//! over the merged store; `findings` stay as the destination had them.

use super::dedup::{EventKeys, IdSet, existing_transcript_keys};
use super::transcript;
use crate::schema::{events, ingested_files as f, quarantine as q, table};
use crate::store::manifest::{Accounting, RunRecord};
use crate::store::writer::StoreWriter;
use crate::store::{Store, scan_files};
use anyhow::{Context, Result, bail};
use polars::prelude::*;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

/// What merging one source did.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct SourceReport {
    pub store: String,
    pub runs: u64,
    pub events_read: u64,
    pub events_kept: u64,
    /// Events already in the destination or an earlier source.
    pub duplicates: u64,
    /// Files whose content an earlier store already held.
    pub files_already_ingested: u64,
    /// Events, quarantined records and transcript rows of those files.
    pub rows_of_files_already_ingested: u64,
    pub transcript_rows_already_stored: u64,
}

/// What a merge stages: the run records to commit, and a report per source.
pub struct Merged {
    pub records: Vec<RunRecord>,
    pub sources: Vec<SourceReport>,
    /// Distinct events in the destination once the merge commits.
    pub events_in_store: u64,
}

/// One `ingested_files` row, as read and as adjusted (`run` is the
/// source's number until the row is written).
#[derive(Clone)]
struct FileRow {
    path: String,
    hash: Option<String>,
    size: i64,
    kind: String,
    read: i64,
    kept: i64,
    duplicates: i64,
    quarantined: i64,
    skipped: i64,
    run: i64,
    note: Option<String>,
}

/// Stages the contents of `sources`, in order, into the open write run.
pub fn merge(sources: &[PathBuf], writer: &mut StoreWriter) -> Result<Merged> {
    let dest = canonical(writer.root());
    let mut seen = EventKeys::new(writer.root(), &writer.manifest)?;
    seen.load_all()?;
    let mut transcript_keys = existing_transcript_keys(writer)?;
    let recorded = writer.ingested_files()?;
    let mut known_hashes: HashSet<String> = recorded.keys().cloned().collect();
    // Files recorded from the sources so far (a file in two sources once).
    let mut added: HashSet<String> = HashSet::new();
    let mut next_run = writer.run;
    let mut out = Merged {
        records: Vec::new(),
        sources: Vec::new(),
        events_in_store: 0,
    };
    for src in sources {
        if canonical(src) == dest {
            bail!(
                "{} is the destination of the merge; give each source store once, and not the one in --into",
                src.display()
            );
        }
        let store = Store::open(src)?;
        let mut state = Source::new(&store, &mut next_run);
        state.files_already_known(&mut known_hashes);
        state.events(writer, &mut seen)?;
        state.quarantine(writer)?;
        state.transcripts(writer, &mut transcript_keys)?;
        let mut files_df = files_frame(&state.files, |r| state.new_run(r))?;
        writer.write_part(table::INGESTED_FILES, None, &mut files_df)?;
        let files = crate::store::file_lists::load(&store.root, &store.manifest)?;
        writer.add_files(
            files
                .into_iter()
                .filter(|(hash, _)| !recorded.contains_key(hash) && added.insert(hash.clone()))
                .map(|(hash, mut entry)| {
                    entry.run = state.new_run(entry.run as i64) as u64;
                    (hash, entry)
                }),
        )?;
        for r in &state.records {
            if !r.accounting.reconciles() {
                bail!(
                    "internal error: merged run {} of {} does not reconcile",
                    r.run,
                    src.display()
                );
            }
        }
        out.records.extend(state.records);
        out.sources.push(state.report);
    }
    out.events_in_store = seen.len() as u64;
    Ok(out)
}

fn canonical(p: &Path) -> PathBuf {
    std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf())
}

/// One source store being merged.
struct Source<'a> {
    store: &'a Store,
    /// Old run number → new.
    runs: BTreeMap<u64, u64>,
    /// New run number → index in `records`.
    records: Vec<RunRecord>,
    files: Vec<FileRow>,
    /// Row indices by path, for files that were read (not already ingested).
    read_files: HashMap<String, Vec<usize>>,
    /// (path, old run) of files a single ingest would have skipped.
    skipped_files: HashSet<(String, i64)>,
    skipped_paths: HashSet<String>,
    report: SourceReport,
}

impl<'a> Source<'a> {
    fn new(store: &'a Store, next_run: &mut u64) -> Source<'a> {
        let mut runs = BTreeMap::new();
        let mut records = Vec::new();
        for r in &store.manifest.runs {
            runs.insert(r.run, *next_run);
            let mut r = r.clone();
            r.run = *next_run;
            records.push(r);
            *next_run += 1;
        }
        Source {
            store,
            report: SourceReport {
                store: store.root.display().to_string(),
                runs: records.len() as u64,
                ..Default::default()
            },
            runs,
            records,
            files: Vec::new(),
            read_files: HashMap::new(),
            skipped_files: HashSet::new(),
            skipped_paths: HashSet::new(),
        }
    }

    fn new_run(&self, old: i64) -> i64 {
        u64::try_from(old)
            .ok()
            .and_then(|o| self.runs.get(&o))
            .map_or(old, |n| *n as i64)
    }

    fn accounting(&mut self, old_run: i64) -> &mut Accounting {
        let new = self.new_run(old_run) as u64;
        let i = self
            .records
            .iter()
            .position(|r| r.run == new)
            .unwrap_or(self.records.len().saturating_sub(1));
        &mut self.records[i].accounting
    }

    /// Parts of a table, placeholders left out.
    fn parts(&self, name: &str) -> Vec<(String, PathBuf)> {
        self.store
            .manifest
            .parts
            .get(name)
            .into_iter()
            .flatten()
            .filter(|rel| !self.store.manifest.empty_parts.contains(*rel))
            .map(|rel| (rel.clone(), self.store.root.join(rel)))
            .collect()
    }

    /// Reads `ingested_files`; a file whose content is already known turns
    /// into an `already_ingested` row and its counts leave its run.
    fn files_already_known(&mut self, known: &mut HashSet<String>) {
        let rows = self.read_files_table();
        for row in rows {
            let mut row = match row {
                Ok(r) => r,
                Err(e) => {
                    // Unreachable for a store trailblame wrote; keep going.
                    eprintln!("warning: {}: {e:#}", self.store.root.display());
                    continue;
                }
            };
            let first_time = row.kind == "already_ingested"
                || row.hash.as_ref().is_none_or(|h| known.insert(h.clone()));
            if !first_time {
                let old = row.clone();
                let a = self.accounting(old.run);
                a.files_already_ingested += 1;
                if let Some(n) = a.files_by_kind.get_mut(&old.kind) {
                    *n = n.saturating_sub(1);
                }
                // bytes_read stays: ingest reads a file to hash it.
                let sub = |n: &mut u64, by: i64| *n = n.saturating_sub(by.max(0) as u64);
                if old.kind.starts_with("transcript:") {
                    sub(&mut a.transcript_lines_read, old.read);
                    sub(&mut a.transcript_records_used, old.kept);
                    sub(&mut a.transcript_records_skipped, old.skipped);
                    sub(&mut a.transcript_quarantined, old.quarantined);
                } else {
                    sub(&mut a.records_read, old.read);
                    sub(&mut a.kept, old.kept);
                    sub(&mut a.duplicates, old.duplicates);
                    sub(&mut a.quarantined, old.quarantined);
                }
                self.report.files_already_ingested += 1;
                self.skipped_paths.insert(old.path.clone());
                self.skipped_files.insert((old.path.clone(), old.run));
                row.kind = "already_ingested".into();
                (
                    row.read,
                    row.kept,
                    row.duplicates,
                    row.quarantined,
                    row.skipped,
                ) = (0, 0, 0, 0, 0);
                row.note = Some("content already ingested; skipped".into());
            } else if row.kind != "already_ingested" {
                self.read_files
                    .entry(row.path.clone())
                    .or_default()
                    .push(self.files.len());
            }
            self.files.push(row);
        }
    }

    fn read_files_table(&self) -> Vec<Result<FileRow>> {
        let mut out = Vec::new();
        for (rel, path) in self.parts(table::INGESTED_FILES) {
            let df = match read_part(&path) {
                Ok(df) => df,
                Err(e) => {
                    out.push(Err(e.context(rel)));
                    continue;
                }
            };
            match file_rows(&df) {
                Ok(rows) => out.extend(rows.into_iter().map(Ok)),
                Err(e) => out.push(Err(e.context(rel))),
            }
        }
        out
    }

    /// True when every read of `path` in this source is a file a single
    /// ingest would have skipped.
    fn read_by_an_earlier_store(&self, path: &str) -> bool {
        !self.skipped_paths.is_empty()
            && self.skipped_paths.contains(path)
            && !self.read_files.contains_key(path)
    }

    /// Counts a dropped duplicate event of `path` where ingest counts it.
    fn count_duplicate(&mut self, path: &str) {
        let row = self.read_files.get(path).and_then(|rows| {
            rows.iter()
                .copied()
                .find(|&i| self.files[i].kept > 0)
                .or_else(|| rows.first().copied())
        });
        let old_run = match row {
            Some(i) => {
                let r = &mut self.files[i];
                r.kept -= 1;
                r.duplicates += 1;
                r.run
            }
            None => self.store.manifest.last_run() as i64,
        };
        let a = self.accounting(old_run);
        a.kept = a.kept.saturating_sub(1);
        a.duplicates += 1;
    }

    fn events(&mut self, writer: &mut StoreWriter, seen: &mut EventKeys) -> Result<()> {
        for (rel, path) in self.parts(table::EVENTS) {
            let df = read_part(&path).with_context(|| rel.clone())?;
            let keys = df.column(events::EVENT_KEY)?.str()?;
            let files = df.column(events::SOURCE_FILE)?.str()?;
            let mut keep = Vec::with_capacity(df.height());
            for i in 0..df.height() {
                let text = keys.get(i);
                let key = text
                    .and_then(crate::schema::event_key::parse)
                    .with_context(|| {
                        format!(
                            "{rel}: event {i} has no valid {}: {text:?}",
                            events::EVENT_KEY
                        )
                    })?;
                let file = files.get(i).unwrap_or("");
                self.report.events_read += 1;
                if self.read_by_an_earlier_store(file) {
                    self.report.rows_of_files_already_ingested += 1;
                    keep.push(false);
                } else if seen.insert(key) {
                    self.report.events_kept += 1;
                    keep.push(true);
                } else {
                    self.report.duplicates += 1;
                    self.count_duplicate(file);
                    keep.push(false);
                }
            }
            let kept = df.filter(&BooleanChunked::from_slice("keep".into(), &keep))?;
            let partition = rel
                .split('/')
                .find(|c| c.starts_with("event_date="))
                .map(str::to_string)
                .with_context(|| format!("{rel}: an events part outside an event_date= folder"))?;
            writer.write_partitioned_parts(table::EVENTS, vec![(partition, kept)])?;
        }
        Ok(())
    }

    fn quarantine(&mut self, writer: &mut StoreWriter) -> Result<()> {
        for (rel, path) in self.parts(table::QUARANTINE) {
            let df = read_part(&path).with_context(|| rel.clone())?;
            let files = df.column(q::SOURCE_FILE)?.str()?;
            let runs = df.column(q::INGEST_RUN)?.cast(&DataType::Int64)?;
            let runs = runs.i64()?;
            let mut keep = Vec::with_capacity(df.height());
            let mut renumbered = Vec::with_capacity(df.height());
            for i in 0..df.height() {
                let run = runs.get(i).unwrap_or(0);
                let skipped = self
                    .skipped_files
                    .contains(&(files.get(i).unwrap_or("").to_string(), run));
                if skipped {
                    self.report.rows_of_files_already_ingested += 1;
                }
                keep.push(!skipped);
                renumbered.push(self.new_run(run));
            }
            let mut df = df.clone();
            df.with_column(Column::new(q::INGEST_RUN.into(), renumbered))?;
            let df = df.filter(&BooleanChunked::from_slice("keep".into(), &keep))?;
            writer.write_parts(table::QUARANTINE, vec![df])?;
        }
        Ok(())
    }

    fn transcripts(&mut self, writer: &mut StoreWriter, stored: &mut IdSet) -> Result<()> {
        for (name, key_columns) in transcript::KEYS {
            for (rel, path) in self.parts(name) {
                let df = read_part(&path).with_context(|| rel.clone())?;
                let text: Vec<Column> = key_columns
                    .iter()
                    .map(|k| df.column(k).and_then(|c| c.cast(&DataType::String)))
                    .collect::<PolarsResult<_>>()?;
                let cols: Vec<&StringChunked> =
                    text.iter().map(|c| c.str()).collect::<PolarsResult<_>>()?;
                let files = df.column(crate::schema::transcripts::SOURCE_FILE)?.str()?;
                let mut keep = Vec::with_capacity(df.height());
                for i in 0..df.height() {
                    let parts: Vec<Option<&str>> = cols.iter().map(|c| c.get(i)).collect();
                    let file = files.get(i).unwrap_or("");
                    if self.read_by_an_earlier_store(file) {
                        self.report.rows_of_files_already_ingested += 1;
                        self.transcript_row_gone(file, name, false);
                        keep.push(false);
                    } else if stored.insert(transcript::row_key(name, &parts)) {
                        keep.push(true);
                    } else {
                        self.report.transcript_rows_already_stored += 1;
                        self.transcript_row_gone(file, name, true);
                        keep.push(false);
                    }
                }
                let df = df.filter(&BooleanChunked::from_slice("keep".into(), &keep))?;
                writer.write_parts(name, vec![df])?;
            }
        }
        Ok(())
    }

    /// A transcript row not written: out of `transcript_rows`, and into
    /// `transcript_rows_already_stored` when ingest would have said so.
    fn transcript_row_gone(&mut self, path: &str, name: &str, already_stored: bool) {
        let old_run = self
            .skipped_files
            .iter()
            .find(|(p, _)| p == path)
            .map(|(_, r)| *r)
            .or_else(|| Some(self.files[*self.read_files.get(path)?.first()?].run))
            .unwrap_or(self.store.manifest.last_run() as i64);
        let a = self.accounting(old_run);
        if let Some(n) = a.transcript_rows.get_mut(name) {
            *n = n.saturating_sub(1);
        }
        if already_stored {
            a.transcript_rows_already_stored += 1;
        }
    }
}

fn read_part(path: &Path) -> Result<DataFrame> {
    scan_files(&[path.to_path_buf()])?
        .collect()
        .map_err(anyhow::Error::from)
        .with_context(|| format!("reading {}", path.display()))
}

fn file_rows(df: &DataFrame) -> Result<Vec<FileRow>> {
    let s = |n: &str| -> Result<StringChunked> { Ok(df.column(n)?.str()?.clone()) };
    let i = |n: &str| -> Result<Int64Chunked> {
        Ok(df.column(n)?.cast(&DataType::Int64)?.i64()?.clone())
    };
    let (path, hash, kind, note) = (s(f::PATH)?, s(f::CONTENT_HASH)?, s(f::KIND)?, s(f::NOTE)?);
    let (size, read, kept, dups) = (
        i(f::SIZE_BYTES)?,
        i(f::RECORDS_READ)?,
        i(f::KEPT)?,
        i(f::DUPLICATES)?,
    );
    let (quarantined, skipped, run) = (i(f::QUARANTINED)?, i(f::SKIPPED)?, i(f::INGEST_RUN)?);
    Ok((0..df.height())
        .map(|r| FileRow {
            path: path.get(r).unwrap_or("").to_string(),
            hash: hash.get(r).map(str::to_string),
            size: size.get(r).unwrap_or(0),
            kind: kind.get(r).unwrap_or("").to_string(),
            read: read.get(r).unwrap_or(0),
            kept: kept.get(r).unwrap_or(0),
            duplicates: dups.get(r).unwrap_or(0),
            quarantined: quarantined.get(r).unwrap_or(0),
            skipped: skipped.get(r).unwrap_or(0),
            run: run.get(r).unwrap_or(0),
            note: note.get(r).map(str::to_string),
        })
        .collect())
}

/// The rows as an `ingested_files` part, runs renumbered by `run`.
fn files_frame(rows: &[FileRow], run: impl Fn(i64) -> i64) -> Result<DataFrame> {
    let s = |n: &'static str, v: Vec<Option<&str>>| Column::new(n.into(), v);
    let i = |n: &'static str, v: Vec<i64>| Column::new(n.into(), v);
    Ok(DataFrame::new(
        rows.len(),
        vec![
            s(
                f::PATH,
                rows.iter().map(|r| Some(r.path.as_str())).collect(),
            ),
            s(
                f::CONTENT_HASH,
                rows.iter().map(|r| r.hash.as_deref()).collect(),
            ),
            i(f::SIZE_BYTES, rows.iter().map(|r| r.size).collect()),
            s(
                f::KIND,
                rows.iter().map(|r| Some(r.kind.as_str())).collect(),
            ),
            i(f::RECORDS_READ, rows.iter().map(|r| r.read).collect()),
            i(f::KEPT, rows.iter().map(|r| r.kept).collect()),
            i(f::DUPLICATES, rows.iter().map(|r| r.duplicates).collect()),
            i(f::QUARANTINED, rows.iter().map(|r| r.quarantined).collect()),
            i(f::SKIPPED, rows.iter().map(|r| r.skipped).collect()),
            i(f::INGEST_RUN, rows.iter().map(|r| run(r.run)).collect()),
            s(f::NOTE, rows.iter().map(|r| r.note.as_deref()).collect()),
        ],
    )?)
}
