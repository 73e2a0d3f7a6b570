//! One write run: ingest the inputs, then rebuild the derived tables (the
//! attribution) from the store as the run will leave it, then commit. The
//! only place that calls both `ingest` and `attribution`, so neither knows
//! the other.

use crate::attribution::Stats;
use crate::ingest::{IngestOptions, IngestReport, ingest};
use crate::schema::table;
use crate::settings::Settings;
use crate::store::writer::StoreWriter;
use anyhow::Result;
use std::path::{Path, PathBuf};

/// How a write run behaves.
#[derive(Clone)]
pub struct Options {
    pub ingest: IngestOptions,
    /// The attribution is rebuilt with these before the run commits
    /// (unless `attribute` is false).
    pub settings: Settings,
    pub attribute: bool,
}

/// What a write run did.
pub struct Report {
    pub ingest: IngestReport,
    /// The attribution rebuilt in this run (`None` when nothing changed).
    pub attribution: Option<Stats>,
}

impl Report {
    /// Exit status 1 material: a record quarantined or a file not read.
    pub fn skipped_something(&self) -> bool {
        self.ingest.skipped_something()
    }
}

/// Ingests `inputs` into the store at `store_dir` (created if needed),
/// attributes its events and commits the run.
pub fn run(inputs: &[PathBuf], store_dir: &Path, opts: &Options) -> Result<Report> {
    let mut clock = crate::progress::Clock::new();
    let mut writer = StoreWriter::open(store_dir)?;
    // The first attribution of a store takes its events as they are
    // written instead of reading them back (`attribution::input::Tap`).
    let tap = if opts.attribute
        && writer
            .manifest
            .parts
            .get(table::EVENTS)
            .is_none_or(Vec::is_empty)
    {
        let tap = crate::attribution::input::Tap::start()?;
        writer.observe(table::EVENTS, tap.observer());
        Some(tap)
    } else {
        None
    };
    let ingest = ingest(inputs, &mut writer, &opts.ingest);
    writer.stop_observing();
    let tapped = tap.and_then(|t| t.finish());
    let ingest = ingest?;
    clock.lap("ingest: read, merge and write events");
    let run = writer.run;
    let stamp = opts.settings.attribution.stamp();
    let unchanged = !writer.has_staged()
        && writer
            .manifest
            .attribution
            .as_ref()
            .is_some_and(|a| a.settings_hash == stamp);
    let mut attribution = None;
    if unchanged {
        if let Some(a) = writer.manifest.attribution.as_mut() {
            a.after_run = run;
        }
    } else if !opts.attribute {
        // Left stale on purpose: readers rebuild it, with the settings
        // file this run was given (`Workspace::open_store`).
        if Path::new(&opts.settings.source).is_file() {
            writer.manifest.deferred_settings_source = Some(opts.settings.source.clone());
        }
    } else {
        // The events' buffers are freed. Attribution reuses them when it
        // fits in them (no fresh pages to fault in: 0.3 s of a 1M-event
        // ingest); otherwise they go back first, so the peaks do not add up.
        let need = ingest
            .events_in_store
            .saturating_mul(crate::attribution::BYTES_PER_EVENT);
        if crate::alloc::release_unless_it_fits(need) {
            clock.lap("ingest: memory released");
        }
        let bar = opts.ingest.progress.spinner("attributing events");
        attribution = Some(crate::attribution::rebuild(
            &mut writer,
            &opts.settings.attribution,
            &opts.settings.source,
            run,
            tapped,
        )?);
        bar.finish_and_clear();
        clock.lap("ingest: attribution");
    }
    writer.commit(Some(ingest.record.clone()))?;
    clock.lap("ingest: commit");
    Ok(Report {
        ingest,
        attribution,
    })
}

/// What a merge did.
pub struct MergeReport {
    pub merged: crate::ingest::combine::Merged,
    pub attribution: Stats,
}

/// Merges the stores `sources` (in order) into the store at `dest`
/// (created if needed), then rebuilds the attribution over the result and
/// commits: one write run, like `run`. The attribution is always computed
/// here, centrally, because a shard's own attribution lacks the other
/// shards' transcripts and CLI sessions (issue 21).
pub fn merge(sources: &[PathBuf], dest: &Path, settings: &Settings) -> Result<MergeReport> {
    let mut clock = crate::progress::Clock::new();
    let mut writer = StoreWriter::open(dest)?;
    let merged = crate::ingest::combine::merge(sources, &mut writer)?;
    clock.lap("merge: events and transcripts");
    let last = merged
        .records
        .last()
        .map_or(writer.manifest.last_run(), |r| r.run);
    let need = merged
        .events_in_store
        .saturating_mul(crate::attribution::BYTES_PER_EVENT);
    crate::alloc::release_unless_it_fits(need);
    let attribution = crate::attribution::rebuild_all(
        &mut writer,
        &settings.attribution,
        &settings.source,
        last,
        None,
    )?;
    clock.lap("merge: attribution");
    writer.commit_runs(merged.records.clone())?;
    clock.lap("merge: commit");
    Ok(MergeReport {
        merged,
        attribution,
    })
}
