//! Ingest: input paths in, store parts out, every record accounted for.
//!
//! Files are found (`discover`), read and parsed in parallel by rayon in
//! windows of files, each split into chunks that share one frame
//! (`read_phase`, `reader`), then merged in input order by one thread that
//! drops duplicate events, splits rows by day and writes Parquet parts. The
//! merge order, not thread timing, decides what is kept, so the store is the
//! same whatever the thread count.

pub mod batch;
pub mod combine;
pub mod decode;
mod dedup;
pub mod discover;
pub mod fastjson;
pub mod limits;
mod merge;
pub mod normalise;
mod read_phase;
pub mod reader;
pub mod record;
pub mod s3;
pub mod scan;
pub mod transcript;
pub mod window;

use crate::cloudtrail::iam_action;
use crate::progress::Progress;
use crate::store::manifest::RunRecord;
use crate::store::writer::StoreWriter;
use anyhow::{Context, Result, bail};
use dedup::EventKeys;
pub use limits::Limits;
use merge::Merger;
use rayon::prelude::*;
use read_phase::{
    CHUNK_BYTES, CHUNK_FILES, ChunkOutcome, WINDOW_BYTES, WINDOW_FILES, group, read_chunk,
};
use reader::ReadContext;
use std::path::PathBuf;

#[derive(Clone)]
pub struct IngestOptions {
    /// Stop at the first quarantined record or unreadable file.
    pub strict: bool,
    pub progress: Progress,
    /// Time zone for Aider, operator names.
    pub transcripts: crate::transcripts::TranscriptOptions,
    /// `--since/--until`: files and events outside are left out, and counted.
    pub window: window::IngestWindow,
    /// How `s3://` inputs are listed and fetched.
    pub s3: s3::S3Options,
    /// The size limits that bound memory (`[ingest]` settings, options).
    pub limits: Limits,
}

/// What an ingest run did, for the store and for the user.
pub struct IngestReport {
    pub record: RunRecord,
    /// `file: position: reason` for quarantined records and skipped files.
    pub messages: Vec<String>,
    pub messages_left_out: u64,
    /// Distinct events in the store once this run commits.
    pub events_in_store: u64,
    /// What de-duplication read of the store.
    pub dedup: DedupStats,
}

/// What de-duplication read of the store: the keys of the days the run's
/// events fall in, not of the whole store (issue 24).
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct DedupStats {
    /// Events stored before the run, and the days they fall in.
    pub stored_events: u64,
    pub stored_days: u64,
    /// Days whose stored keys were read, and how many keys that was.
    pub days_read: u64,
    pub keys_read: u64,
}

impl IngestReport {
    /// Exit status 1 material: a record quarantined or a file not read.
    pub fn skipped_something(&self) -> bool {
        let a = &self.record.accounting;
        a.quarantined > 0 || a.transcript_quarantined > 0 || a.files_with_problems() > 0
    }
}

/// Reads `inputs` into the open write run `writer` (not committed: the
/// caller, `crate::pipeline`, adds the derived tables and commits).
pub fn ingest(
    inputs: &[PathBuf],
    writer: &mut StoreWriter,
    opts: &IngestOptions,
) -> Result<IngestReport> {
    let started_at = chrono::Utc::now();
    let iam = iam_action::exceptions()?;
    let (remote, local): (Vec<&PathBuf>, Vec<&PathBuf>) = inputs.iter().partition(|p| s3::is_s3(p));
    let local: Vec<PathBuf> = local.into_iter().cloned().collect();
    let found = discover::discover(&local, Some(writer.root()))?;
    let mut files = found.files;
    let listed_locally = files.len();
    files.retain(|f| opts.window.may_hold(&f.display));
    let mut files_outside_window = (listed_locally - files.len()) as u64;
    // What the store already holds, by content hash (and, for S3, by key
    // and ETag: the whole records are read only then).
    let (known_hashes, mut remote) = if remote.is_empty() {
        (writer.ingested_hashes()?, None)
    } else {
        let ingested = writer.ingested_files()?;
        let prepared =
            s3::source::prepare(&remote, &opts.s3, &opts.window, &ingested, &opts.progress)?;
        (
            ingested
                .keys()
                .filter_map(|h| crate::store::file_lists::parse_hash(h))
                .collect(),
            Some(prepared),
        )
    };
    let mut s3_accounting = remote.as_ref().map(|r| r.accounting.clone());
    let total_bytes: u64 =
        files.iter().map(|f| f.size).sum::<u64>() + remote.as_ref().map_or(0, |r| r.bytes_to_fetch);
    let bar = opts.progress.bar(total_bytes, "ingesting");
    let mut seen_ids = EventKeys::new(writer.root(), &writer.manifest)?;
    let stored_rows = dedup::stored_event_rows(writer.root(), &writer.manifest)?;
    let cx = ReadContext {
        iam,
        limits: opts.limits,
    };

    let windows = group(&files, WINDOW_BYTES, WINDOW_FILES);
    let mut merger = Merger::new(writer.run, opts.strict);
    for skip in &found.skipped {
        if opts.strict {
            bail!(
                "{}: not read ({}): {} (stopped by --strict)",
                skip.display,
                skip.reason,
                skip.detail
            );
        }
        *merger
            .accounting
            .paths_not_read
            .entry(skip.reason.to_string())
            .or_default() += 1;
        merger.message(format!(
            "{}: not read ({}): {}",
            skip.display, skip.reason, skip.detail
        ));
    }
    let result: Result<()> = std::thread::scope(|scope| {
        // One window may wait while the merge writes a part: without that
        // slack the workers stall (1M events: 0.2 s slower, 50 MiB less).
        let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<ChunkOutcome>>(1);
        let merge_thread = std::thread::Builder::new()
            .name("tb-merge".into())
            .spawn_scoped(scope, || -> Result<()> {
                for window in rx {
                    for chunk in window {
                        merger.merge_chunk(chunk, &mut seen_ids, writer)?;
                    }
                }
                merger.flush_all(writer)
            })
            .context("starting the merge thread")?;
        let read_window = |window: &[discover::InputFile]| -> Vec<ChunkOutcome> {
            group(window, CHUNK_BYTES, CHUNK_FILES)
                .par_iter()
                .map(|chunk| {
                    let mut o = read_chunk(chunk, None, &known_hashes, &cx, &opts.transcripts);
                    opts.window.apply(&mut o);
                    bar.inc(chunk.iter().map(|f| f.size).sum());
                    o
                })
                .collect()
        };
        // A window of one chunk (a file past `WINDOW_BYTES`: a telemetry
        // export, a hook log, an agent database; with an empty file or
        // two beside it, or a last handful of small files) is read by one
        // reader whose parallel parts leave a core idle between them; two
        // such windows are read side by side, and sent in order.
        let alone = |w: &[discover::InputFile]| group(w, CHUNK_BYTES, CHUNK_FILES).len() == 1;
        let mut at = 0;
        while at < windows.len() {
            let sent = if at + 1 < windows.len() && alone(windows[at]) && alone(windows[at + 1]) {
                let (a, b) =
                    rayon::join(|| read_window(windows[at]), || read_window(windows[at + 1]));
                at += 2;
                tx.send(a).is_ok() && tx.send(b).is_ok()
            } else {
                at += 1;
                tx.send(read_window(windows[at - 1])).is_ok()
            };
            if !sent {
                break; // the merger stopped (strict mode or an error)
            }
        }
        if let (Some(r), Some(acc)) = (remote.take(), s3_accounting.as_mut()) {
            let s3::source::Prepared { rt, jobs, .. } = r;
            let objects = jobs.len();
            let (ftx, frx) = std::sync::mpsc::sync_channel::<Vec<s3::fetch::Fetched>>(1);
            let in_flight = opts.s3.in_flight;
            let fetcher = std::thread::Builder::new()
                .name("tb-fetch".into())
                .spawn_scoped(scope, move || {
                    let limits = s3::fetch::WindowLimits {
                        bytes: WINDOW_BYTES,
                        files: WINDOW_FILES,
                    };
                    s3::fetch::fetch_all(&rt, jobs, in_flight, &limits, |w| ftx.send(w).is_ok());
                })
                .context("starting the S3 fetch thread")?;
            for fetched in frx {
                for f in &fetched {
                    match &f.bytes {
                        Ok(b) => {
                            acc.fetched += 1;
                            acc.bytes_fetched += b.len() as u64;
                        }
                        Err(_) => acc.failed += 1,
                    }
                }
                bar.set_message(format!(
                    "S3: {} listed, {} to fetch, {} fetched{}",
                    acc.listed,
                    objects,
                    acc.fetched,
                    if acc.failed > 0 {
                        format!(", {} failed", acc.failed)
                    } else {
                        String::new()
                    }
                ));
                // The objects become files named by their URL, read in
                // chunks like local files.
                let inputs: Vec<discover::InputFile> = fetched
                    .iter()
                    .map(|f| discover::InputFile {
                        path: PathBuf::from(&f.display),
                        display: f.display.clone(),
                        size: f.object.size,
                    })
                    .collect();
                let outcomes: Vec<ChunkOutcome> =
                    read_phase::group_ranges(&inputs, CHUNK_BYTES, CHUNK_FILES)
                        .into_par_iter()
                        .map(|r| {
                            let (files, objects) = (&inputs[r.clone()], &fetched[r]);
                            let mut o = read_chunk(
                                files,
                                Some(objects),
                                &known_hashes,
                                &cx,
                                &opts.transcripts,
                            );
                            opts.window.apply(&mut o);
                            bar.inc(files.iter().map(|f| f.size).sum());
                            o
                        })
                        .collect();
                if tx.send(outcomes).is_err() {
                    break;
                }
            }
            if fetcher.join().is_err() {
                bail!("the S3 fetch thread panicked");
            }
        }
        drop(tx);
        merge_thread
            .join()
            .unwrap_or_else(|_| Err(anyhow::anyhow!("the merge thread panicked")))
    });
    bar.finish();
    result?;
    let mut accounting = merger.accounting.clone();
    if let Some(acc) = s3_accounting {
        if !acc.reconciles() {
            bail!(
                "internal error: S3 objects listed {} != fetched {} + skipped {} + failed {}",
                acc.listed,
                acc.fetched,
                acc.skipped_digest + acc.skipped_window + acc.skipped_already_ingested,
                acc.failed
            );
        }
        files_outside_window += acc.skipped_window;
        accounting.s3 = Some(acc);
    }
    accounting.files_outside_window = files_outside_window;
    let accounting_kept = accounting.kept;
    if !accounting.reconciles() {
        bail!(
            "internal error: records read {} != kept {} + duplicates {} + quarantined {}",
            accounting.records_read,
            accounting.kept,
            accounting.duplicates,
            accounting.quarantined
        );
    }
    // The rest of the per-file table (the file list was written as files
    // were merged).
    merger.flush_files(writer)?;
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
        events_in_store: stored_rows + accounting_kept,
        dedup: DedupStats {
            stored_events: stored_rows,
            stored_days: seen_ids.days_stored,
            days_read: seen_ids.days_read,
            keys_read: seen_ids.keys_read,
        },
    })
}
