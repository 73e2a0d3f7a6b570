//! The sequential half of a run: outcomes merged in input order on one
//! thread — duplicates dropped, every record accounted for, rows split by
//! day and written as parts, the per-file table built. The merge order, not
//! thread timing, decides what is kept.

use super::dedup::{EventKeys, IdSet, existing_transcript_keys};
use super::read_phase::{ChunkOutcome, FileOutcome, TranscriptPart};
use super::reader::Quarantined;
use super::transcript;
use crate::schema::{ingested_files, quarantine, table};
use crate::store::manifest::{Accounting, FileEntry};
use crate::store::writer::StoreWriter;
use anyhow::{Result, bail};
use polars::prelude::*;
use std::collections::{BTreeMap, HashSet};

/// Rows buffered for one day before they are written as a part.
pub(super) const PART_ROWS: usize = 64 * 1024;
/// Rows buffered over all days before the largest day is written. A
/// buffered row holds ~2.8 KiB (the builders' spare capacity, and rows of a
/// chunk split between days keep the whole chunk's strings): 1M events,
/// 128 Ki rows peaked at 965 MiB, 64 Ki at 640 MiB (issue 24).
pub(super) const MAX_BUFFERED_ROWS: usize = 64 * 1024;
/// Raw text of quarantined records buffered before it is written.
pub(super) const MAX_QUARANTINE_BYTES: usize = 32 << 20;
/// `ingested_files` rows buffered before they are written as a part: the
/// per-file state of a run is bounded, not one row per file for the run.
pub(super) const FILE_ROWS: usize = 64 * 1024;
/// The most problem messages kept for printing; the rest are counted.
pub(super) const MAX_MESSAGES: usize = 50;

pub(super) struct DayBuffer {
    pub(super) frames: Vec<DataFrame>,
    pub(super) rows: usize,
}

/// The sequential half: de-duplication, accounting and writing.
pub(super) struct Merger {
    pub(super) run: u64,
    pub(super) strict: bool,
    pub(super) accounting: Accounting,
    pub(super) days: BTreeMap<i32, DayBuffer>,
    pub(super) buffered_rows: usize,
    pub(super) quarantine: Vec<(String, Quarantined)>,
    pub(super) quarantine_bytes: usize,
    pub(super) files: Vec<FileRow>,
    /// `FILE_ROWS` (smaller in tests).
    pub(super) file_rows: usize,
    /// Content hashes read in this run (16 bytes each, not 32-digit text).
    pub(super) run_hashes: HashSet<u128>,
    pub(super) messages: Vec<String>,
    pub(super) messages_left_out: u64,
    /// Transcript rows waiting to be written.
    pub(super) transcript_rows: transcript::TranscriptRows,
    /// `PART_ROWS` for transcript rows (smaller in tests).
    pub(super) transcript_part_rows: usize,
    /// Keys of transcript rows already stored (a grown transcript is read
    /// again), read when the run first has transcript rows.
    pub(super) transcript_keys: Option<IdSet>,
    /// OpenCode sessions: ids read from a database this run, and sessions
    /// read from the legacy JSON storage, held until the run's end so that
    /// a session in both is one row, the database's (issue 19).
    opencode_db_sessions: HashSet<String>,
    opencode_legacy_sessions: Vec<crate::transcripts::AgentSession>,
}

pub(super) struct FileRow {
    pub(super) path: String,
    pub(super) hash: Option<String>,
    pub(super) size: u64,
    pub(super) kind: String,
    pub(super) read: u64,
    pub(super) kept: u64,
    pub(super) duplicates: u64,
    pub(super) quarantined: u64,
    pub(super) skipped: u64,
    pub(super) note: Option<String>,
}

impl Merger {
    pub(super) fn new(run: u64, strict: bool) -> Merger {
        Merger {
            run,
            strict,
            accounting: Accounting::default(),
            days: BTreeMap::new(),
            buffered_rows: 0,
            quarantine: Vec::new(),
            quarantine_bytes: 0,
            files: Vec::new(),
            file_rows: FILE_ROWS,
            run_hashes: HashSet::new(),
            messages: Vec::new(),
            messages_left_out: 0,
            transcript_rows: Default::default(),
            transcript_part_rows: PART_ROWS,
            transcript_keys: None,
            opencode_db_sessions: HashSet::new(),
            opencode_legacy_sessions: Vec::new(),
        }
    }

    /// Merges a chunk's files in order, then adds the rows kept from its
    /// frame in one go.
    pub(super) fn merge_chunk(
        &mut self,
        chunk: ChunkOutcome,
        seen: &mut EventKeys,
        writer: &mut StoreWriter,
    ) -> Result<()> {
        seen.load_days(&chunk.days)?;
        let mut keep = Vec::with_capacity(chunk.id_hashes.len());
        let mut at = 0;
        for o in chunk.files {
            let keys = chunk.id_hashes.get(at..at + o.rows).unwrap_or_default();
            at += o.rows;
            self.merge(o, keys, &mut keep, seen, writer)?;
        }
        let Some(df) = chunk.frame else {
            return Ok(());
        };
        if keep.len() != df.height() || chunk.days.len() != df.height() {
            bail!(
                "internal error: a chunk of {} rows accounted {} rows",
                df.height(),
                keep.len()
            );
        }
        let kept = keep.iter().filter(|k| **k).count();
        let df = if kept == keep.len() {
            df
        } else {
            df.filter(&BooleanChunked::from_slice(PlSmallStr::EMPTY, &keep))?
        };
        let days: Vec<i32> = chunk
            .days
            .iter()
            .zip(&keep)
            .filter(|(_, k)| **k)
            .map(|(d, _)| *d)
            .collect();
        self.add_rows(df, &days, writer)
    }

    /// Accounts for one file whose rows have the de-duplication `keys`;
    /// pushes one keep flag per row onto `keep`.
    fn merge(
        &mut self,
        mut o: FileOutcome,
        keys: &[u128],
        keep: &mut Vec<bool>,
        seen: &mut EventKeys,
        writer: &mut StoreWriter,
    ) -> Result<()> {
        let mut rows_dropped = false;
        self.accounting.files_seen += 1;
        self.accounting.bytes_read += o.size;
        self.accounting.bytes_decoded += o.bytes_decoded;
        // The same content given twice in one run counts once.
        if let Some(h) = &o.hash
            && o.kind != "already_ingested"
            && !self.run_hashes.insert(hash_bits(h))
        {
            o.kind = "already_ingested".into();
            rows_dropped = true;
            o.over_limit = false;
            o.quarantined.clear();
            o.lenient = Default::default();
            o.warnings.clear();
            o.hook_payloads = 0;
            o.out_of_window = 0;
        }
        if o.kind == "already_ingested" {
            self.accounting.files_already_ingested += 1;
            o.note = Some("content already ingested; skipped".into());
        } else {
            *self
                .accounting
                .files_by_kind
                .entry(o.kind.clone())
                .or_default() += 1;
        }
        if self.strict {
            if let Some(q) = o.quarantined.first() {
                bail!(
                    "{}: {}: {} (stopped by --strict)",
                    o.path,
                    q.position,
                    q.reason
                );
            }
            if o.kind == "unreadable" || o.kind == "unknown" {
                bail!(
                    "{}: {} (stopped by --strict)",
                    o.path,
                    o.note.as_deref().unwrap_or("unreadable")
                );
            }
        }
        let mut row = FileRow {
            path: o.path.clone(),
            hash: o.hash.clone(),
            size: o.size,
            kind: o.kind.clone(),
            read: 0,
            kept: 0,
            duplicates: 0,
            quarantined: o.quarantined.len() as u64,
            skipped: 0,
            note: o.note.clone(),
        };
        if let Some(part) = o.transcript.take() {
            let c = &part.counts;
            row.read = c.lines_read;
            row.kept = c.records_used;
            row.skipped = c.records_skipped;
            self.add_transcript(part, &o.kind, writer)?;
        }
        if rows_dropped {
            keep.extend(std::iter::repeat_n(false, keys.len()));
        } else {
            for h in keys {
                let new = seen.insert(*h);
                keep.push(new);
                if new {
                    row.kept += 1;
                } else {
                    row.duplicates += 1;
                }
            }
        }
        let acc = &mut self.accounting;
        if o.kind.starts_with("transcript:") {
            acc.transcript_lines_read += row.read;
            acc.transcript_records_used += row.kept;
            acc.transcript_records_skipped += row.skipped;
            acc.transcript_quarantined += row.quarantined;
        } else {
            row.skipped = o.out_of_window;
            row.read = row.kept + row.duplicates + row.quarantined + row.skipped;
            acc.records_read += row.read;
            acc.out_of_window += o.out_of_window;
            acc.kept += row.kept;
            acc.duplicates += row.duplicates;
            acc.quarantined += row.quarantined;
            let l = &o.lenient;
            acc.times_without_zone += l.times_without_zone;
            acc.times_with_space += l.times_with_space;
            acc.synthetic_ids += l.synthetic_ids;
            acc.fields_nulled += l.fields_nulled;
            acc.documents_concatenated += l.documents_concatenated;
            acc.containers_repeated += l.containers_repeated;
            acc.hook_payloads_not_read += o.hook_payloads;
        }
        if o.over_limit {
            self.accounting.files_over_limit += 1;
            if o.kind.starts_with("transcript:") {
                let note = o.note.as_deref().unwrap_or("over ingest.max_file_bytes");
                self.message(format!("{}: {note}", o.path));
            }
        }
        match o.kind.as_str() {
            "unknown" | "unreadable" => {
                let note = o.note.as_deref().unwrap_or("not read");
                self.message(format!("{}: skipped ({}): {note}", o.path, o.kind));
            }
            "not_cloudtrail" => self.message(format!(
                "{}: skipped: JSON that is neither CloudTrail nor a transcript format trailblame reads",
                o.path
            )),
            // Aider times carry no zone: say which one was assumed.
            "transcript:aider" => {
                if let Some(note) = &o.note {
                    self.message(format!("{}: {note}", o.path));
                }
            }
            // Recognised, counted, not read: say so rather than quarantine.
            "claude_hook_log" => {
                if let Some(note) = &o.note {
                    self.message(format!("{}: {note}", o.path));
                }
            }
            // What was accepted leniently, once per file.
            "cloudtrail" if o.lenient != Default::default() => {
                if let Some(note) = o.lenient.note() {
                    self.message(format!("{}: {note}", o.path));
                }
            }
            _ => {}
        }
        for w in &o.warnings {
            self.message(format!("{}: {w}", o.path));
        }
        for q in &o.quarantined {
            self.message(format!("{}: {}: {}", o.path, q.position, q.reason));
        }
        for q in o.quarantined {
            self.quarantine_bytes += q.raw.len();
            self.quarantine.push((o.path.clone(), q));
        }
        if self.quarantine_bytes > MAX_QUARANTINE_BYTES {
            self.flush_quarantine(writer)?;
        }
        // A file cut by `--since/--until` is not recorded as ingested: a
        // later run with a wider window reads it again (what this run
        // kept then counts as duplicates) instead of skipping it.
        if let (Some(hash), false) = (
            &o.hash,
            o.kind == "already_ingested" || o.kind == "unreadable" || o.out_of_window > 0,
        ) {
            let entry = FileEntry {
                path: o.path.clone(),
                size: o.size,
                kind: o.kind.clone(),
                run: self.run,
                etag: o.etag.clone(),
            };
            writer.add_files([(hash.clone(), entry)])?;
        }
        self.files.push(row);
        if self.files.len() >= self.file_rows {
            self.flush_files(writer)?;
        }
        Ok(())
    }

    /// Keeps transcript rows not stored before (see `transcript::KEYS`).
    pub(super) fn add_transcript(
        &mut self,
        part: TranscriptPart,
        kind: &str,
        writer: &mut StoreWriter,
    ) -> Result<()> {
        let mut rows = part.rows;
        if self.transcript_keys.is_none() {
            self.transcript_keys = Some(existing_transcript_keys(writer)?);
        }
        let keys = self.transcript_keys.get_or_insert_default();
        self.accounting.transcript_rows_already_stored += rows.retain_new(|k| keys.insert(k));
        match kind {
            "transcript:opencode-sqlite" => {
                self.opencode_db_sessions
                    .extend(rows.sessions.iter().map(|s| s.session_id.clone()));
            }
            "transcript:opencode-json" => {
                self.opencode_legacy_sessions.append(&mut rows.sessions);
            }
            _ => {}
        }
        for (t, n) in [
            (table::AGENT_SESSIONS, rows.sessions.len()),
            (table::TOOL_CALLS, rows.tool_calls.len()),
            (table::MESSAGES, rows.messages.len()),
        ] {
            *self
                .accounting
                .transcript_rows
                .entry(t.to_string())
                .or_default() += n as u64;
        }
        // Rows that would not fit beside those buffered go to a part of their
        // own: appended, a large file's rows (ten thousand calls of ~450
        // bytes) and the buffered ones were copied again as the buffer grew.
        let fill = self.transcript_part_rows;
        if !self.transcript_rows.is_empty() && self.transcript_rows.len() + rows.len() > fill {
            self.flush_transcripts(writer)?;
        }
        self.transcript_rows.append(&mut rows);
        if self.transcript_rows.len() >= fill {
            self.flush_transcripts(writer)?;
        }
        Ok(())
    }

    pub(super) fn flush_transcripts(&mut self, writer: &mut StoreWriter) -> Result<()> {
        let rows = std::mem::take(&mut self.transcript_rows);
        if rows.is_empty() {
            return Ok(());
        }
        let mut clock = crate::progress::Clock::new();
        writer.write_part(
            table::AGENT_SESSIONS,
            None,
            &mut transcript::sessions_frame(&rows.sessions)?,
        )?;
        writer.write_part(
            table::TOOL_CALLS,
            None,
            &mut transcript::tool_calls_frame(&rows.tool_calls, &rows.expected)?,
        )?;
        writer.write_part(
            table::MESSAGES,
            None,
            &mut transcript::messages_frame(&rows.messages)?,
        )?;
        clock.lap("  transcripts written");
        // A million calls and messages take a while to free: not on the
        // merging thread, unless no other thread can be had.
        let _ = std::thread::Builder::new()
            .name("trailblame-free".into())
            .spawn(move || drop(rows));
        Ok(())
    }

    pub(super) fn message(&mut self, m: String) {
        if self.messages.len() < MAX_MESSAGES {
            self.messages.push(m);
        } else {
            self.messages_left_out += 1;
        }
    }

    pub(super) fn add_rows(
        &mut self,
        df: DataFrame,
        days: &[i32],
        writer: &mut StoreWriter,
    ) -> Result<()> {
        if df.height() == 0 {
            return Ok(());
        }
        let first = days[0];
        if days.iter().all(|d| *d == first) {
            self.push_day(first, df);
        } else {
            let distinct: std::collections::BTreeSet<i32> = days.iter().copied().collect();
            for day in distinct {
                let mask: Vec<bool> = days.iter().map(|d| *d == day).collect();
                let part = df.filter(&BooleanChunked::from_slice(PlSmallStr::EMPTY, &mask))?;
                self.push_day(day, part);
            }
        }
        // Write full days, then the largest while too much is buffered.
        let full: Vec<i32> = self
            .days
            .iter()
            .filter(|(_, b)| b.rows >= PART_ROWS)
            .map(|(d, _)| *d)
            .collect();
        for day in full {
            self.flush_day(day, writer)?;
        }
        while self.buffered_rows > MAX_BUFFERED_ROWS {
            let Some(day) = self
                .days
                .iter()
                .max_by_key(|(d, b)| (b.rows, -**d))
                .map(|(d, _)| *d)
            else {
                break;
            };
            self.flush_day(day, writer)?;
        }
        Ok(())
    }

    pub(super) fn push_day(&mut self, day: i32, df: DataFrame) {
        let rows = df.height();
        let buf = self.days.entry(day).or_insert(DayBuffer {
            frames: Vec::new(),
            rows: 0,
        });
        buf.frames.push(df);
        buf.rows += rows;
        self.buffered_rows += rows;
    }

    /// Takes one day's buffered rows out as a frame with its partition.
    pub(super) fn take_day(&mut self, day: i32) -> Result<Option<(String, DataFrame)>> {
        let Some(buf) = self.days.remove(&day) else {
            return Ok(None);
        };
        self.buffered_rows -= buf.rows;
        let mut frames = buf.frames.into_iter();
        let Some(mut df) = frames.next() else {
            return Ok(None);
        };
        for f in frames {
            df.vstack_mut_owned(f)?;
        }
        let date = chrono::DateTime::from_timestamp(i64::from(day) * 86_400, 0)
            .map(|d| d.format("%Y-%m-%d").to_string())
            .unwrap_or_else(|| "unknown".into());
        Ok(Some((format!("event_date={date}"), df)))
    }

    pub(super) fn flush_day(&mut self, day: i32, writer: &mut StoreWriter) -> Result<()> {
        match self.take_day(day)? {
            Some((partition, df)) => writer.write_owned_part(table::EVENTS, Some(&partition), df),
            None => Ok(()),
        }
    }

    /// Writes every day still buffered, side by side: nothing else is left
    /// to overlap with.
    pub(super) fn flush_all(&mut self, writer: &mut StoreWriter) -> Result<()> {
        let days: Vec<i32> = self.days.keys().copied().collect();
        let mut parts = Vec::with_capacity(days.len());
        for day in days {
            parts.extend(self.take_day(day)?);
        }
        writer.write_partitioned_parts(table::EVENTS, parts)?;
        // A legacy OpenCode session the database also holds is the
        // database's row, counted as already stored.
        let legacy = std::mem::take(&mut self.opencode_legacy_sessions);
        for s in legacy {
            if self.opencode_db_sessions.contains(&s.session_id) {
                self.accounting.transcript_rows_already_stored += 1;
            } else {
                *self
                    .accounting
                    .transcript_rows
                    .entry(table::AGENT_SESSIONS.to_string())
                    .or_default() += 1;
                self.transcript_rows.sessions.push(s);
            }
        }
        self.flush_transcripts(writer)?;
        self.flush_quarantine(writer)
    }

    pub(super) fn flush_quarantine(&mut self, writer: &mut StoreWriter) -> Result<()> {
        if self.quarantine.is_empty() {
            return Ok(());
        }
        let q = std::mem::take(&mut self.quarantine);
        self.quarantine_bytes = 0;
        let name = PlSmallStr::from_static;
        let mut df = DataFrame::new(
            q.len(),
            vec![
                StringChunked::from_iter_values(
                    name(quarantine::SOURCE_FILE),
                    q.iter().map(|(p, _)| p.as_str()),
                )
                .into_column(),
                UInt64Chunked::from_iter_options(
                    name(quarantine::LINE),
                    q.iter().map(|(_, x)| x.line),
                )
                .into_column(),
                UInt64Chunked::from_iter_options(
                    name(quarantine::RECORD_INDEX),
                    q.iter().map(|(_, x)| x.record_index),
                )
                .into_column(),
                StringChunked::from_iter_values(
                    name(quarantine::POSITION),
                    q.iter().map(|(_, x)| x.position.as_str()),
                )
                .into_column(),
                StringChunked::from_iter_values(
                    name(quarantine::REASON),
                    q.iter().map(|(_, x)| x.reason.as_str()),
                )
                .into_column(),
                StringChunked::from_iter_values(
                    name(quarantine::RAW),
                    q.iter().map(|(_, x)| x.raw.as_str()),
                )
                .into_column(),
                UInt64Chunked::from_iter_values(
                    name(quarantine::RAW_BYTES),
                    q.iter().map(|(_, x)| x.raw_bytes),
                )
                .into_column(),
                UInt64Chunked::full(name(quarantine::INGEST_RUN), self.run, q.len()).into_column(),
            ],
        )?;
        writer.write_part(table::QUARANTINE, None, &mut df)
    }

    /// Writes the buffered `ingested_files` rows as a part.
    pub(super) fn flush_files(&mut self, writer: &mut StoreWriter) -> Result<()> {
        let df = self.files_frame()?;
        self.files.clear();
        writer.write_owned_part(table::INGESTED_FILES, None, df)
    }

    pub(super) fn files_frame(&self) -> Result<DataFrame> {
        let f = &self.files;
        let name = PlSmallStr::from_static;
        Ok(DataFrame::new(
            f.len(),
            vec![
                StringChunked::from_iter_values(
                    name(ingested_files::PATH),
                    f.iter().map(|r| r.path.as_str()),
                )
                .into_column(),
                StringChunked::from_iter_options(
                    name(ingested_files::CONTENT_HASH),
                    f.iter().map(|r| r.hash.as_deref()),
                )
                .into_column(),
                UInt64Chunked::from_iter_values(
                    name(ingested_files::SIZE_BYTES),
                    f.iter().map(|r| r.size),
                )
                .into_column(),
                StringChunked::from_iter_values(
                    name(ingested_files::KIND),
                    f.iter().map(|r| r.kind.as_str()),
                )
                .into_column(),
                UInt64Chunked::from_iter_values(
                    name(ingested_files::RECORDS_READ),
                    f.iter().map(|r| r.read),
                )
                .into_column(),
                UInt64Chunked::from_iter_values(
                    name(ingested_files::KEPT),
                    f.iter().map(|r| r.kept),
                )
                .into_column(),
                UInt64Chunked::from_iter_values(
                    name(ingested_files::DUPLICATES),
                    f.iter().map(|r| r.duplicates),
                )
                .into_column(),
                UInt64Chunked::from_iter_values(
                    name(ingested_files::QUARANTINED),
                    f.iter().map(|r| r.quarantined),
                )
                .into_column(),
                UInt64Chunked::from_iter_values(
                    name(ingested_files::SKIPPED),
                    f.iter().map(|r| r.skipped),
                )
                .into_column(),
                UInt64Chunked::full(name(ingested_files::INGEST_RUN), self.run, f.len())
                    .into_column(),
                StringChunked::from_iter_options(
                    name(ingested_files::NOTE),
                    f.iter().map(|r| r.note.as_deref()),
                )
                .into_column(),
            ],
        )?)
    }
}

/// A content hash's bits (the text is 32 hex digits; anything else is
/// hashed, never expected).
fn hash_bits(hex: &str) -> u128 {
    u128::from_str_radix(hex, 16).unwrap_or_else(|_| xxhash_rust::xxh3::xxh3_128(hex.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(i: usize) -> FileOutcome {
        FileOutcome {
            path: format!("f{i}.json"),
            size: 10,
            hash: Some(format!("{i:032x}")),
            kind: "cloudtrail".into(),
            bytes_decoded: 10,
            ..Default::default()
        }
    }

    #[test]
    fn ingested_files_rows_are_written_as_they_fill_a_part_not_held_for_the_run() {
        let dir = tempfile::tempdir().unwrap();
        let mut writer = StoreWriter::open(dir.path()).unwrap();
        let mut seen = EventKeys::new(dir.path(), &writer.manifest).unwrap();
        let mut m = Merger::new(writer.run, false);
        m.file_rows = 2;
        for i in 0..5 {
            let mut keep = Vec::new();
            m.merge(outcome(i), &[], &mut keep, &mut seen, &mut writer)
                .unwrap();
            assert!(m.files.len() < 2, "file {i}: {} rows held", m.files.len());
        }
        m.flush_files(&mut writer).unwrap();
        let parts = writer.pending().part_paths(table::INGESTED_FILES);
        assert_eq!(parts.len(), 3);
        let df = crate::store::scan_files(&parts).unwrap().collect().unwrap();
        let paths: Vec<&str> = df
            .column(ingested_files::PATH)
            .unwrap()
            .str()
            .unwrap()
            .iter()
            .flatten()
            .collect();
        assert_eq!(
            paths,
            ["f0.json", "f1.json", "f2.json", "f3.json", "f4.json"]
        );
    }

    /// Transcript rows of `calls` tool calls from `file`.
    fn calls_of(file: &str, calls: usize) -> TranscriptPart {
        let tool_calls = (0..calls)
            .map(|i| crate::transcripts::util::new_call("s", &format!("c{i}"), "Bash", file, 1))
            .collect();
        TranscriptPart {
            rows: transcript::TranscriptRows::from_parsed(crate::transcripts::ParsedTranscript {
                tool_calls,
                ..Default::default()
            }),
            counts: Default::default(),
        }
    }

    #[test]
    fn transcript_rows_that_would_not_fit_beside_those_buffered_start_a_part() {
        let dir = tempfile::tempdir().unwrap();
        let mut writer = StoreWriter::open(dir.path()).unwrap();
        let mut m = Merger::new(writer.run, false);
        m.transcript_part_rows = 5;
        for (file, calls) in [("a", 3), ("b", 3), ("c", 1), ("d", 6)] {
            m.add_transcript(calls_of(file, calls), "transcript:test", &mut writer)
                .unwrap();
            assert!(
                m.transcript_rows.len() < 5,
                "{file}: a full buffer is written"
            );
        }
        m.flush_transcripts(&mut writer).unwrap();
        let files_by_part: Vec<String> = writer
            .pending()
            .part_paths(table::TOOL_CALLS)
            .iter()
            .map(|p| {
                let df = crate::store::scan_files(std::slice::from_ref(p))
                    .unwrap()
                    .collect()
                    .unwrap();
                let files = df.column(crate::schema::transcripts::SOURCE_FILE).unwrap();
                files
                    .str()
                    .unwrap()
                    .iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join("")
            })
            .collect();
        // a alone (b would not fit beside it), b with c, d alone (full).
        assert_eq!(files_by_part, ["aaa", "bbbc", "dddddd"]);
    }

    #[test]
    fn the_same_content_twice_in_a_run_is_read_once() {
        let dir = tempfile::tempdir().unwrap();
        let mut writer = StoreWriter::open(dir.path()).unwrap();
        let mut seen = EventKeys::new(dir.path(), &writer.manifest).unwrap();
        let mut m = Merger::new(writer.run, false);
        for o in [outcome(7), outcome(7)] {
            m.merge(o, &[], &mut Vec::new(), &mut seen, &mut writer)
                .unwrap();
        }
        assert_eq!(m.accounting.files_already_ingested, 1);
        assert_eq!(m.files[1].kind, "already_ingested");
    }
}
