//! Ingest: input paths in, store parts out, every record accounted for.
//!
//! Files are found (`discover`), read and parsed in parallel by rayon in
//! windows of files (`reader`), then merged in input order by one thread that
//! drops duplicate events, splits rows by day and writes Parquet parts. The
//! merge order, not thread timing, decides what is kept, so the store is the
//! same whatever the thread count.

pub mod batch;
pub mod decode;
pub mod discover;
pub mod fastjson;
pub mod normalise;
pub mod reader;
pub mod record;
pub mod scan;
pub mod transcript;

use crate::cloudtrail::iam_action;
use crate::progress::Progress;
use crate::schema::{fl, qr, table};
use crate::store::manifest::{Accounting, FileEntry, RunRecord};
use crate::store::writer::StoreWriter;
use anyhow::{Context, Result, bail};
use polars::prelude::*;
use rayon::prelude::*;
use reader::{FileKind, Quarantined, ReadContext};
use std::collections::{BTreeMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::path::PathBuf;

#[derive(Clone)]
pub struct IngestOptions {
    /// Stop at the first quarantined record or unreadable file.
    pub strict: bool,
    pub progress: Progress,
    /// Time zone for Aider, operator names.
    pub transcripts: crate::transcripts::TranscriptOptions,
    /// Attribution settings; the `attribution` table is rebuilt with them
    /// before the run commits (unless `attribute` is false).
    pub settings: crate::attribution::Settings,
    pub attribute: bool,
}

/// Rows buffered for one day before they are written as a part.
const PART_ROWS: usize = 128 * 1024;
/// Rows buffered over all days before the largest day is written.
const MAX_BUFFERED_ROWS: usize = 128 * 1024;
/// Raw text of quarantined records buffered before it is written.
const MAX_QUARANTINE_BYTES: usize = 32 << 20;
/// Compressed bytes read per parallel window.
const WINDOW_BYTES: u64 = 8 << 20;
const WINDOW_FILES: usize = 256;

thread_local! {
    /// Each worker reads and inflates into the same two buffers for the whole run.
    static BUFFERS: std::cell::RefCell<(Vec<u8>, Vec<u8>)> = const { std::cell::RefCell::new((Vec::new(), Vec::new())) };
}

/// Hashes are already uniform: use the low bits as they are.
#[derive(Default)]
struct IdHasher(u64);
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
type IdSet = HashSet<u128, BuildHasherDefault<IdHasher>>;

/// What one file produced in the parallel phase.
struct FileOutcome {
    path: String,
    size: u64,
    hash: Option<String>,
    kind: String,
    note: Option<String>,
    frame: Option<DataFrame>,
    days: Vec<i32>,
    id_hashes: Vec<u128>,
    quarantined: Vec<Quarantined>,
    bytes_decoded: u64,
    transcript: Option<TranscriptPart>,
}

/// What one transcript file produced.
struct TranscriptPart {
    rows: transcript::TranscriptRows,
    counts: crate::transcripts::TranscriptCounts,
}

/// The most problem messages kept for printing; the rest are counted.
const MAX_MESSAGES: usize = 50;

/// What an ingest run did, for the store and for the user.
pub struct IngestReport {
    pub record: RunRecord,
    /// `file: position: reason` for quarantined records and skipped files.
    pub messages: Vec<String>,
    pub messages_left_out: u64,
    /// The attribution rebuilt in this run (`None` when nothing changed).
    pub attribution: Option<crate::attribution::Stats>,
    /// Distinct events in the store once this run commits.
    pub events_in_store: u64,
}

impl IngestReport {
    /// Exit status 1 material: a record quarantined or a file not read.
    pub fn skipped_something(&self) -> bool {
        let a = &self.record.accounting;
        a.quarantined > 0 || a.transcript_quarantined > 0 || a.files_with_problems() > 0
    }
}

/// Ingests `inputs` into the store at `store_dir` (created if needed) and
/// commits the run.
pub fn ingest_into(
    inputs: &[PathBuf],
    store_dir: &std::path::Path,
    opts: &IngestOptions,
) -> Result<IngestReport> {
    let mut clock = crate::progress::Clock::new();
    let mut writer = StoreWriter::open(store_dir)?;
    let mut report = ingest(inputs, &mut writer, opts)?;
    clock.lap("ingest: read, merge and write events");
    let run = writer.run;
    let unchanged = !writer.has_staged()
        && writer
            .manifest
            .attribution
            .as_ref()
            .is_some_and(|a| a.settings_hash == opts.settings.hash);
    if unchanged {
        if let Some(a) = writer.manifest.attribution.as_mut() {
            a.after_run = run;
        }
    } else if !opts.attribute {
        // Left stale on purpose: readers rebuild it.
    } else {
        // The events' buffers are freed. Attribution reuses them when it
        // fits in them (no fresh pages to fault in: 0.3 s of a 1M-event
        // ingest); otherwise they go back first, so the peaks do not add up.
        let need = report
            .events_in_store
            .saturating_mul(crate::attribution::BYTES_PER_EVENT);
        if crate::alloc::release_unless_it_fits(need) {
            clock.lap("ingest: memory released");
        }
        let bar = opts.progress.spinner("attributing events");
        report.attribution = Some(crate::attribution::rebuild(
            &mut writer,
            &opts.settings,
            run,
        )?);
        bar.finish_and_clear();
        clock.lap("ingest: attribution");
    }
    writer.commit(Some(report.record.clone()))?;
    clock.lap("ingest: commit");
    Ok(report)
}

pub fn ingest(
    inputs: &[PathBuf],
    writer: &mut StoreWriter,
    opts: &IngestOptions,
) -> Result<IngestReport> {
    let started_at = chrono::Utc::now();
    let iam = iam_action::exceptions()?;
    let files = discover::discover(inputs, Some(writer.root()))?;
    let total_bytes: u64 = files.iter().map(|f| f.size).sum();
    let bar = opts.progress.bar(total_bytes, "ingesting");
    let mut seen_ids = existing_ids(writer)?;
    let known_hashes: HashSet<String> = writer.manifest.files.keys().cloned().collect();
    let cx = ReadContext { iam };

    let windows = make_windows(&files);
    let mut merger = Merger::new(writer.run, opts.strict);
    merger.transcript_keys = existing_transcript_keys(writer)?;
    let result: Result<()> = std::thread::scope(|scope| {
        // One window may wait while the merge writes a part: without that
        // slack the workers stall (1M events: 0.2 s slower, 50 MiB less).
        let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<FileOutcome>>(1);
        let merge_thread = std::thread::Builder::new()
            .name("tb-merge".into())
            .spawn_scoped(scope, || -> Result<()> {
                for window in rx {
                    for outcome in window {
                        merger.merge(outcome, &mut seen_ids, writer)?;
                    }
                }
                merger.flush_all(writer)
            })
            .context("starting the merge thread")?;
        for window in windows {
            let outcomes: Vec<FileOutcome> = window
                .par_iter()
                .map(|f| {
                    let o = BUFFERS.with_borrow_mut(|(raw, buf)| {
                        read_one(f, raw, buf, &known_hashes, &cx, &opts.transcripts)
                    });
                    bar.inc(f.size);
                    o
                })
                .collect();
            if tx.send(outcomes).is_err() {
                break; // the merger stopped (strict mode or an error)
            }
        }
        drop(tx);
        merge_thread
            .join()
            .unwrap_or_else(|_| Err(anyhow::anyhow!("the merge thread panicked")))
    });
    bar.finish();
    result?;
    let accounting = merger.accounting.clone();
    if !accounting.reconciles() {
        bail!(
            "internal error: records read {} != kept {} + duplicates {} + quarantined {}",
            accounting.records_read,
            accounting.kept,
            accounting.duplicates,
            accounting.quarantined
        );
    }
    // The per-file table and the manifest entries.
    let mut files_df = merger.files_frame()?;
    writer.write_part(table::INGESTED_FILES, None, &mut files_df)?;
    for (hash, entry) in merger.new_files {
        writer.manifest.files.entry(hash).or_insert(entry);
    }
    let record = RunRecord {
        run: writer.run,
        started_at: started_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        finished_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        inputs: inputs.iter().map(|p| p.display().to_string()).collect(),
        accounting,
    };
    Ok(IngestReport {
        record,
        messages: merger.messages,
        messages_left_out: merger.messages_left_out,
        attribution: None,
        events_in_store: seen_ids.len() as u64,
    })
}

fn existing_ids(writer: &StoreWriter) -> Result<IdSet> {
    let store = writer.committed();
    let mut set = IdSet::default();
    if store.part_paths(table::EVENTS).is_empty() {
        return Ok(set);
    }
    use crate::schema::ev;
    let key_cols = [
        ev::EVENT_ID,
        ev::EVENT_SOURCE,
        ev::EVENT_NAME,
        ev::REQUEST_ID,
        ev::PRINCIPAL_ARN,
        ev::SOURCE_IP,
        ev::ERROR_CODE,
        ev::ADDITIONAL_EVENT_DATA,
    ];
    let mut cols: Vec<Expr> = key_cols.iter().map(|c| col(*c)).collect();
    cols.push(col(ev::EVENT_TIME).dt().timestamp(TimeUnit::Microseconds));
    let df = store
        .scan(table::EVENTS)?
        .select(cols)
        .collect()
        .map_err(anyhow::Error::from)
        .context("reading the de-duplication keys of stored events")?;
    let strs: Vec<&StringChunked> = key_cols
        .iter()
        .map(|c| df.column(c).and_then(|c| c.str()))
        .collect::<PolarsResult<_>>()?;
    let times = df.column(ev::EVENT_TIME)?.i64()?;
    set.reserve(df.height());
    for i in 0..df.height() {
        let parts: [Option<&str>; 8] = std::array::from_fn(|j| strs[j].get(i));
        set.insert(normalise::dedup_key(parts, times.get(i).unwrap_or(0)));
    }
    Ok(set)
}

/// Keys of the transcript rows already in the store.
fn existing_transcript_keys(writer: &StoreWriter) -> Result<IdSet> {
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

fn make_windows(files: &[discover::InputFile]) -> Vec<&[discover::InputFile]> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut bytes = 0;
    for (i, f) in files.iter().enumerate() {
        bytes += f.size;
        if bytes >= WINDOW_BYTES || i + 1 - start >= WINDOW_FILES {
            out.push(&files[start..=i]);
            start = i + 1;
            bytes = 0;
        }
    }
    if start < files.len() {
        out.push(&files[start..]);
    }
    out
}

fn read_one(
    f: &discover::InputFile,
    raw: &mut Vec<u8>,
    buf: &mut Vec<u8>,
    known_hashes: &HashSet<String>,
    cx: &ReadContext<'_>,
    topts: &crate::transcripts::TranscriptOptions,
) -> FileOutcome {
    let path = f.display.clone();
    let mut outcome = FileOutcome {
        path: path.clone(),
        size: f.size,
        hash: None,
        kind: String::new(),
        note: None,
        frame: None,
        days: Vec::new(),
        id_hashes: Vec::new(),
        quarantined: Vec::new(),
        bytes_decoded: 0,
        transcript: None,
    };
    raw.clear();
    let read = std::fs::File::open(&f.path).and_then(|mut file| {
        use std::io::Read;
        raw.reserve(f.size as usize);
        file.read_to_end(raw)
    });
    let raw: &[u8] = match read {
        Ok(_) => raw,
        Err(e) => {
            outcome.kind = "unreadable".into();
            outcome.note = Some(format!("cannot read: {e}"));
            return outcome;
        }
    };
    outcome.size = raw.len() as u64;
    let hash = format!("{:032x}", xxhash_rust::xxh3::xxh3_128(raw));
    if known_hashes.contains(&hash) {
        outcome.kind = "already_ingested".into();
        outcome.hash = Some(hash);
        return outcome;
    }
    outcome.hash = Some(hash);
    let decoded = decode::decode_into(raw, buf, decode::MAX_DECODED);
    let bytes: &[u8] = if decoded.gzip { buf } else { raw };
    outcome.bytes_decoded = bytes.len() as u64;
    if !reader::sniff_cloudtrail(bytes) {
        let head = &bytes[..bytes.len().min(64 * 1024)];
        if let Some(format) = crate::transcripts::detect(&f.path, head) {
            read_transcript(&mut outcome, format, &f.path, bytes, topts);
            return outcome;
        }
    }
    let account = reader::account_from_path(&path);
    let origin = normalise::Origin {
        account: account.as_deref(),
    };
    let read = reader::read_file(&path, bytes, decoded.trailing_error.as_deref(), origin, cx);
    outcome.kind = read.kind.as_str().to_string();
    outcome.note = read.note;
    if read.kind == FileKind::Unknown && outcome.note.is_none() {
        outcome.note = Some("no CloudTrail records could be read".into());
    }
    outcome.quarantined = read.quarantined;
    if !read.batch.is_empty() {
        let mut batch = read.batch;
        outcome.days = std::mem::take(&mut batch.days);
        outcome.id_hashes = std::mem::take(&mut batch.id_hashes);
        match batch.finish() {
            Ok(df) => outcome.frame = Some(df),
            Err(e) => {
                outcome.kind = "unreadable".into();
                outcome.note = Some(format!("internal error building columns: {e:#}"));
                outcome.days.clear();
                outcome.id_hashes.clear();
            }
        }
    }
    outcome
}

fn read_transcript(
    outcome: &mut FileOutcome,
    format: crate::transcripts::TranscriptFormat,
    path: &std::path::Path,
    bytes: &[u8],
    opts: &crate::transcripts::TranscriptOptions,
) {
    let mut parsed = crate::transcripts::parse(format, path, bytes, opts);
    // Rows name the file as the user gave it, like events do.
    for s in &mut parsed.sessions {
        s.source_file.clone_from(&outcome.path);
    }
    for c in &mut parsed.tool_calls {
        c.source_file.clone_from(&outcome.path);
    }
    for m in &mut parsed.messages {
        m.source_file.clone_from(&outcome.path);
    }
    outcome.kind = format!("transcript:{}", format.as_str());
    if !parsed.notes.is_empty() {
        outcome.note = Some(parsed.notes.join("; "));
    }
    outcome.quarantined = parsed
        .quarantined
        .iter()
        .map(|q| Quarantined {
            line: q.line,
            record_index: q.record_index,
            position: match (q.line, q.record_index) {
                (Some(l), _) => format!("line {l}"),
                (None, Some(i)) => format!("record {i}"),
                (None, None) => "file".to_string(),
            },
            reason: q.reason.clone(),
            raw: q.raw.clone(),
            raw_bytes: q.raw.len() as u64,
        })
        .collect();
    let counts = parsed.counts.clone();
    outcome.transcript = Some(TranscriptPart {
        rows: transcript::TranscriptRows::from_parsed(parsed),
        counts,
    });
}

struct DayBuffer {
    frames: Vec<DataFrame>,
    rows: usize,
}

/// The sequential half: de-duplication, accounting and writing.
struct Merger {
    run: u64,
    strict: bool,
    accounting: Accounting,
    days: BTreeMap<i32, DayBuffer>,
    buffered_rows: usize,
    quarantine: Vec<(String, Quarantined)>,
    quarantine_bytes: usize,
    files: Vec<FileRow>,
    new_files: BTreeMap<String, FileEntry>,
    run_hashes: HashSet<String>,
    messages: Vec<String>,
    messages_left_out: u64,
    /// Transcript rows waiting to be written.
    transcript_rows: transcript::TranscriptRows,
    /// Keys of transcript rows already stored (a grown transcript is read again).
    transcript_keys: IdSet,
}

struct FileRow {
    path: String,
    hash: Option<String>,
    size: u64,
    kind: String,
    read: u64,
    kept: u64,
    duplicates: u64,
    quarantined: u64,
    skipped: u64,
    note: Option<String>,
}

impl Merger {
    fn new(run: u64, strict: bool) -> Merger {
        Merger {
            run,
            strict,
            accounting: Accounting::default(),
            days: BTreeMap::new(),
            buffered_rows: 0,
            quarantine: Vec::new(),
            quarantine_bytes: 0,
            files: Vec::new(),
            new_files: BTreeMap::new(),
            run_hashes: HashSet::new(),
            messages: Vec::new(),
            messages_left_out: 0,
            transcript_rows: Default::default(),
            transcript_keys: Default::default(),
        }
    }

    fn merge(
        &mut self,
        mut o: FileOutcome,
        seen: &mut IdSet,
        writer: &mut StoreWriter,
    ) -> Result<()> {
        self.accounting.files_seen += 1;
        self.accounting.bytes_read += o.size;
        self.accounting.bytes_decoded += o.bytes_decoded;
        // The same content given twice in one run counts once.
        if let Some(h) = &o.hash
            && o.kind != "already_ingested"
            && !self.run_hashes.insert(h.clone())
        {
            o.kind = "already_ingested".into();
            o.frame = None;
            o.quarantined.clear();
            o.days.clear();
            o.id_hashes.clear();
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
            self.add_transcript(part, writer)?;
        }
        if let Some(df) = o.frame.take() {
            let mut keep = Vec::with_capacity(o.id_hashes.len());
            for h in &o.id_hashes {
                keep.push(seen.insert(*h));
            }
            let kept = keep.iter().filter(|k| **k).count();
            row.kept = kept as u64;
            row.duplicates = (keep.len() - kept) as u64;
            let df = if kept == keep.len() {
                df
            } else {
                df.filter(&BooleanChunked::from_slice(PlSmallStr::EMPTY, &keep))?
            };
            let days: Vec<i32> = o
                .days
                .iter()
                .zip(&keep)
                .filter(|(_, k)| **k)
                .map(|(d, _)| *d)
                .collect();
            self.add_rows(df, &days, writer)?;
        }
        let acc = &mut self.accounting;
        if o.kind.starts_with("transcript:") {
            acc.transcript_lines_read += row.read;
            acc.transcript_records_used += row.kept;
            acc.transcript_records_skipped += row.skipped;
            acc.transcript_quarantined += row.quarantined;
        } else {
            row.read = row.kept + row.duplicates + row.quarantined;
            acc.records_read += row.read;
            acc.kept += row.kept;
            acc.duplicates += row.duplicates;
            acc.quarantined += row.quarantined;
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
            _ => {}
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
        if let (Some(hash), false) = (
            &o.hash,
            o.kind == "already_ingested" || o.kind == "unreadable",
        ) {
            self.new_files.insert(
                hash.clone(),
                FileEntry {
                    path: o.path.clone(),
                    size: o.size,
                    kind: o.kind.clone(),
                    run: self.run,
                },
            );
        }
        self.files.push(row);
        Ok(())
    }

    /// Keeps transcript rows not stored before (see `transcript::KEYS`).
    fn add_transcript(&mut self, part: TranscriptPart, writer: &mut StoreWriter) -> Result<()> {
        let mut rows = part.rows;
        let keys = &mut self.transcript_keys;
        self.accounting.transcript_rows_already_stored += rows.retain_new(|k| keys.insert(k));
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
        self.transcript_rows.append(&mut rows);
        if self.transcript_rows.len() >= PART_ROWS {
            self.flush_transcripts(writer)?;
        }
        Ok(())
    }

    fn flush_transcripts(&mut self, writer: &mut StoreWriter) -> Result<()> {
        let rows = std::mem::take(&mut self.transcript_rows);
        if rows.is_empty() {
            return Ok(());
        }
        writer.write_part(
            table::AGENT_SESSIONS,
            None,
            &mut transcript::sessions_frame(&rows.sessions)?,
        )?;
        writer.write_part(
            table::TOOL_CALLS,
            None,
            &mut transcript::tool_calls_frame(&rows.tool_calls)?,
        )?;
        writer.write_part(
            table::MESSAGES,
            None,
            &mut transcript::messages_frame(&rows.messages)?,
        )
    }

    fn message(&mut self, m: String) {
        if self.messages.len() < MAX_MESSAGES {
            self.messages.push(m);
        } else {
            self.messages_left_out += 1;
        }
    }

    fn add_rows(&mut self, df: DataFrame, days: &[i32], writer: &mut StoreWriter) -> Result<()> {
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

    fn push_day(&mut self, day: i32, df: DataFrame) {
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
    fn take_day(&mut self, day: i32) -> Result<Option<(String, DataFrame)>> {
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

    fn flush_day(&mut self, day: i32, writer: &mut StoreWriter) -> Result<()> {
        match self.take_day(day)? {
            Some((partition, mut df)) => {
                writer.write_part(table::EVENTS, Some(&partition), &mut df)
            }
            None => Ok(()),
        }
    }

    /// Writes every day still buffered, side by side: nothing else is left
    /// to overlap with.
    fn flush_all(&mut self, writer: &mut StoreWriter) -> Result<()> {
        let days: Vec<i32> = self.days.keys().copied().collect();
        let mut parts = Vec::with_capacity(days.len());
        for day in days {
            parts.extend(self.take_day(day)?);
        }
        writer.write_partitioned_parts(table::EVENTS, parts)?;
        self.flush_transcripts(writer)?;
        self.flush_quarantine(writer)
    }

    fn flush_quarantine(&mut self, writer: &mut StoreWriter) -> Result<()> {
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
                    name(qr::SOURCE_FILE),
                    q.iter().map(|(p, _)| p.as_str()),
                )
                .into_column(),
                UInt64Chunked::from_iter_options(name(qr::LINE), q.iter().map(|(_, x)| x.line))
                    .into_column(),
                UInt64Chunked::from_iter_options(
                    name(qr::RECORD_INDEX),
                    q.iter().map(|(_, x)| x.record_index),
                )
                .into_column(),
                StringChunked::from_iter_values(
                    name(qr::POSITION),
                    q.iter().map(|(_, x)| x.position.as_str()),
                )
                .into_column(),
                StringChunked::from_iter_values(
                    name(qr::REASON),
                    q.iter().map(|(_, x)| x.reason.as_str()),
                )
                .into_column(),
                StringChunked::from_iter_values(
                    name(qr::RAW),
                    q.iter().map(|(_, x)| x.raw.as_str()),
                )
                .into_column(),
                UInt64Chunked::from_iter_values(
                    name(qr::RAW_BYTES),
                    q.iter().map(|(_, x)| x.raw_bytes),
                )
                .into_column(),
                UInt64Chunked::full(name(qr::INGEST_RUN), self.run, q.len()).into_column(),
            ],
        )?;
        writer.write_part(table::QUARANTINE, None, &mut df)
    }

    fn files_frame(&self) -> Result<DataFrame> {
        let f = &self.files;
        let name = PlSmallStr::from_static;
        Ok(DataFrame::new(
            f.len(),
            vec![
                StringChunked::from_iter_values(name(fl::PATH), f.iter().map(|r| r.path.as_str()))
                    .into_column(),
                StringChunked::from_iter_options(
                    name(fl::CONTENT_HASH),
                    f.iter().map(|r| r.hash.as_deref()),
                )
                .into_column(),
                UInt64Chunked::from_iter_values(name(fl::SIZE_BYTES), f.iter().map(|r| r.size))
                    .into_column(),
                StringChunked::from_iter_values(name(fl::KIND), f.iter().map(|r| r.kind.as_str()))
                    .into_column(),
                UInt64Chunked::from_iter_values(name(fl::RECORDS_READ), f.iter().map(|r| r.read))
                    .into_column(),
                UInt64Chunked::from_iter_values(name(fl::KEPT), f.iter().map(|r| r.kept))
                    .into_column(),
                UInt64Chunked::from_iter_values(
                    name(fl::DUPLICATES),
                    f.iter().map(|r| r.duplicates),
                )
                .into_column(),
                UInt64Chunked::from_iter_values(
                    name(fl::QUARANTINED),
                    f.iter().map(|r| r.quarantined),
                )
                .into_column(),
                UInt64Chunked::from_iter_values(name(fl::SKIPPED), f.iter().map(|r| r.skipped))
                    .into_column(),
                UInt64Chunked::full(name(fl::INGEST_RUN), self.run, f.len()).into_column(),
                StringChunked::from_iter_options(
                    name(fl::NOTE),
                    f.iter().map(|r| r.note.as_deref()),
                )
                .into_column(),
            ],
        )?)
    }
}
