//! Writes one ingest run into a store, all or nothing.
//!
//! Parts go to `_staging/run-N/` first. Commit renames them into place and
//! then replaces the manifest; readers only trust the manifest, so until that
//! last rename they see the previous state. Parts left over by a crashed run
//! (on disk but not in the manifest) are deleted when the next writer opens
//! the store. An OS lock on `.lock` keeps a second writer out.
//!
//! Part names carry the run and a random writer id
//! (`part-RRRRRR-WWWWWWWW-NNNNN.parquet`), so parts written by separate
//! writers (shard stores that are later merged, or copied side by side)
//! never share a name. Every commit leaves each table with at least one
//! typed part: a table with none gets an empty placeholder (events under
//! `event_date=1970-01-01`), listed in the manifest's `empty_parts` and
//! dropped when real parts arrive, so every engine can read every table
//! folder as it is. Every commit also rewrites `store_state`.

use super::file_lists::{self, FILES_DIR, FileIndex};
use super::manifest::{self, FileEntry, Manifest, RunRecord};
use super::{LOCK_FILE, STAGING_DIR};
use anyhow::{Context, Result, bail};
use polars::prelude::*;
use rayon::prelude::*;
use std::collections::BTreeSet;
use std::fs::File;
use std::path::{Path, PathBuf};

pub struct StoreWriter {
    root: PathBuf,
    _lock: File,
    pub manifest: Manifest,
    pub run: u64,
    staging: PathBuf,
    /// (staged path, final relative path, table)
    staged: Vec<(PathBuf, String, String)>,
    seq: u64,
    /// Tables whose committed parts this run replaces (derived tables).
    replaced: BTreeSet<String>,
    /// Committed parts this run drops, by table (an incremental
    /// attribution replaces some days' parts).
    dropped: Vec<(String, String)>,
    /// Flushes staged parts to disk while the run goes on.
    syncer: Syncer,
    /// Eight hex digits, random per writer: part names never collide.
    writer_id: String,
    /// This run's file list, written as files are added (`add_files`).
    file_list: Option<file_lists::ListWriter>,
    /// Shown every part of one table as it is staged (`observe`).
    observer: Option<(String, PartObserver)>,
}

/// Given each staged part of the observed table, in staging order (the
/// order readers of the pending store see), with its staging path, before
/// it is written.
pub type PartObserver = Box<dyn FnMut(&Path, &DataFrame) + Send + Sync>;

/// A thread that `fsync`s each staged part as soon as it is written, so
/// commit does not wait for all of them at the end. Commit still waits for
/// every one before anything becomes visible.
struct Syncer {
    tx: Option<std::sync::mpsc::Sender<PathBuf>>,
    thread: Option<std::thread::JoinHandle<std::io::Result<()>>>,
}

impl Syncer {
    fn start() -> Result<Syncer> {
        let (tx, rx) = std::sync::mpsc::channel::<PathBuf>();
        let thread = std::thread::Builder::new()
            .name("tb-sync".into())
            .spawn(move || -> std::io::Result<()> {
                let mut first_error = Ok(());
                for path in rx {
                    let synced = File::open(&path).and_then(|f| f.sync_all());
                    if let (Err(e), Ok(())) = (synced, &first_error) {
                        first_error = Err(std::io::Error::new(
                            e.kind(),
                            format!("flushing {} to disk: {e}", path.display()),
                        ));
                    }
                }
                first_error
            })
            .context("starting the sync thread")?;
        Ok(Syncer {
            tx: Some(tx),
            thread: Some(thread),
        })
    }

    fn send(&self, path: &Path) {
        if let Some(tx) = &self.tx {
            // The thread only stops when `finish` drops the sender.
            let _ = tx.send(path.to_path_buf());
        }
    }

    /// Waits until every part sent has been flushed.
    fn finish(&mut self) -> Result<()> {
        drop(self.tx.take());
        match self.thread.take().map(|t| t.join()) {
            Some(Ok(r)) => Ok(r?),
            Some(Err(_)) => bail!("the sync thread panicked"),
            None => Ok(()),
        }
    }
}

impl Drop for Syncer {
    fn drop(&mut self) {
        let _ = self.finish();
    }
}

impl StoreWriter {
    /// Opens (creating if needed) the store at `root` for writing.
    pub fn open(root: &Path) -> Result<StoreWriter> {
        if root.exists() && !root.is_dir() {
            bail!("{} exists and is not a directory", root.display());
        }
        std::fs::create_dir_all(root)
            .with_context(|| format!("creating store directory {}", root.display()))?;
        let lock_path = root.join(LOCK_FILE);
        let lock = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .with_context(|| format!("opening {}", lock_path.display()))?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => bail!(
                "another trailblame ingest is writing to {} (lock {} is held); wait for it to finish",
                root.display(),
                lock_path.display()
            ),
            Err(std::fs::TryLockError::Error(e)) => {
                return Err(e).with_context(|| format!("locking {}", lock_path.display()));
            }
        }
        let mut manifest = match Manifest::load(root)? {
            Some(m) => m,
            None => {
                let non_store = std::fs::read_dir(root)?
                    .filter_map(|e| e.ok())
                    .any(|e| e.file_name() != LOCK_FILE && e.file_name() != STAGING_DIR);
                if non_store {
                    bail!(
                        "{} is not empty and is not a trailblame store; choose a new or empty directory",
                        root.display()
                    );
                }
                Manifest {
                    format: manifest::FORMAT,
                    ..Default::default()
                }
            }
        };
        remove_orphans(root, &manifest)?;
        // A store of an older format is written in this one on commit
        // (format 4 to 5: the manifest's `files` move into a file list).
        manifest.format = manifest::FORMAT;
        let run = manifest.next_run();
        let staging = root.join(STAGING_DIR).join(format!("run-{run:06}"));
        std::fs::create_dir_all(&staging)
            .with_context(|| format!("creating {}", staging.display()))?;
        Ok(StoreWriter {
            root: root.to_path_buf(),
            _lock: lock,
            manifest,
            run,
            staging,
            staged: Vec::new(),
            seq: 0,
            replaced: BTreeSet::new(),
            dropped: Vec::new(),
            syncer: Syncer::start()?,
            writer_id: writer_id(root),
            file_list: None,
            observer: None,
        })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The store as readers see it now, before this run commits.
    pub fn committed(&self) -> super::Store {
        super::Store {
            root: self.root.clone(),
            manifest: self.manifest.clone(),
        }
    }

    /// The store as it will be after this run commits: committed parts plus
    /// the parts staged so far (read from the staging directory).
    pub fn pending(&self) -> super::Store {
        let mut manifest = self.manifest.clone();
        for table in &self.replaced {
            manifest.parts.remove(table);
        }
        for (table, rel) in &self.dropped {
            if let Some(parts) = manifest.parts.get_mut(table) {
                parts.retain(|p| p != rel);
            }
        }
        for (staged, _, table) in &self.staged {
            let rel = staged
                .strip_prefix(&self.root)
                .map(|r| r.to_string_lossy().replace('\\', "/"))
                .unwrap_or_default();
            manifest.parts.entry(table.clone()).or_default().push(rel);
        }
        super::Store {
            root: self.root.clone(),
            manifest,
        }
    }

    /// True when this run has staged any part.
    pub fn has_staged(&self) -> bool {
        !self.staged.is_empty()
    }

    /// Records files this run ingested (content hash → file) in its file
    /// list, written as they come (the run holds none of them).
    pub fn add_files(
        &mut self,
        files: impl IntoIterator<Item = (String, FileEntry)>,
    ) -> Result<()> {
        for (hash, entry) in files {
            let list = match &mut self.file_list {
                Some(list) => list,
                None => {
                    let name = format!("files-{:06}-{}.jsonl", self.run, self.writer_id);
                    self.file_list.insert(file_lists::ListWriter::create(
                        &self.staging.join(FILES_DIR),
                        &name,
                    )?)
                }
            };
            list.add(&hash, &entry)?;
        }
        Ok(())
    }

    /// Every file the store records, as this run found it (`file_lists`).
    pub fn ingested_files(&self) -> Result<FileIndex> {
        file_lists::load(&self.root, &self.manifest)
    }

    /// The content hashes of every file the store records
    /// (`file_lists::load_hashes`).
    pub fn ingested_hashes(&self) -> Result<file_lists::Hashes> {
        file_lists::load_hashes(&self.root, &self.manifest)
    }

    /// On commit, `table`'s committed parts are dropped and only the parts
    /// staged in this run remain (derived tables are rebuilt whole).
    pub fn replace_table(&mut self, table: &str) {
        self.replaced.insert(table.to_string());
    }

    /// Stages `df` as a new part of `table`, optionally under a Hive
    /// partition directory such as `event_date=2025-12-08`.
    pub fn write_part(
        &mut self,
        table: &str,
        partition: Option<&str>,
        df: &mut DataFrame,
    ) -> Result<()> {
        if df.height() == 0 {
            return Ok(());
        }
        let (staged, rel) = self.next_part(table, partition)?;
        self.show(table, &staged, df);
        super::parquet::write(&staged, df)?;
        self.stage(staged, rel, table);
        Ok(())
    }

    /// `write_part`, consuming `df`: its memory goes as it is written.
    pub fn write_owned_part(
        &mut self,
        table: &str,
        partition: Option<&str>,
        df: DataFrame,
    ) -> Result<()> {
        if df.height() == 0 {
            return Ok(());
        }
        let (staged, rel) = self.next_part(table, partition)?;
        self.show(table, &staged, &df);
        super::parquet::write_owned(&staged, df)?;
        self.stage(staged, rel, table);
        Ok(())
    }

    /// Stages several parts of `table` (no partition), written side by
    /// side; they are named, and read back, in the order given.
    /// Returns the store-relative names of the parts written.
    pub fn write_parts(&mut self, table: &str, frames: Vec<DataFrame>) -> Result<Vec<String>> {
        let frames = frames.into_iter().map(|df| (None, df)).collect();
        self.write_jobs(table, frames)
    }

    /// `write_parts` for parts under Hive partitions (such as
    /// `event_date=2025-12-08`), one frame each.
    pub fn write_partitioned_parts(
        &mut self,
        table: &str,
        frames: Vec<(String, DataFrame)>,
    ) -> Result<()> {
        let frames = frames.into_iter().map(|(p, df)| (Some(p), df)).collect();
        self.write_jobs(table, frames).map(drop)
    }

    /// On commit, the committed parts `rels` of `table` are unlisted and
    /// deleted (the rest of the table stays).
    pub fn drop_parts(&mut self, table: &str, rels: &[String]) {
        self.dropped
            .extend(rels.iter().map(|r| (table.to_string(), r.clone())));
    }

    /// The parts of `table` staged in this run so far (full paths).
    pub fn staged_parts(&self, table: &str) -> Vec<PathBuf> {
        self.staged
            .iter()
            .filter(|(_, _, t)| t == table)
            .map(|(p, _, _)| p.clone())
            .collect()
    }

    /// True when this run replaces `table` whole.
    pub fn replaces(&self, table: &str) -> bool {
        self.replaced.contains(table)
    }

    fn write_jobs(
        &mut self,
        table: &str,
        frames: Vec<(Option<String>, DataFrame)>,
    ) -> Result<Vec<String>> {
        let mut jobs = Vec::with_capacity(frames.len());
        for (partition, df) in frames.into_iter().filter(|(_, df)| df.height() > 0) {
            let (staged, rel) = self.next_part(table, partition.as_deref())?;
            self.show(table, &staged, &df);
            jobs.push((staged, rel, df));
        }
        let staged: Vec<(PathBuf, String)> = jobs
            .into_par_iter()
            .map(|(staged, rel, df)| {
                super::parquet::write_owned(&staged, df)?;
                Ok((staged, rel))
            })
            .collect::<Result<_>>()?;
        let mut rels = Vec::with_capacity(staged.len());
        for (staged, rel) in staged {
            rels.push(rel.clone());
            self.stage(staged, rel, table);
        }
        Ok(rels)
    }

    /// Has `observer` shown every part of `table` staged from now on, until
    /// `stop_observing` (one table at a time).
    pub fn observe(&mut self, table: &str, observer: PartObserver) {
        self.observer = Some((table.to_string(), observer));
    }

    /// Drops the observer (and what it holds, such as a channel's sender).
    pub fn stop_observing(&mut self) {
        self.observer = None;
    }

    fn show(&mut self, table: &str, staged: &Path, df: &DataFrame) {
        if let Some((t, observer)) = &mut self.observer
            && t == table
        {
            observer(staged, df);
        }
    }

    /// Records a written part for commit and has it flushed to disk.
    fn stage(&mut self, staged: PathBuf, rel: String, table: &str) {
        self.syncer.send(&staged);
        self.staged.push((staged, rel, table.to_string()));
    }

    /// The staging path and the store-relative name of the next part.
    fn next_part(&mut self, table: &str, partition: Option<&str>) -> Result<(PathBuf, String)> {
        let dir_rel = match partition {
            Some(p) => format!("{table}/{p}"),
            None => table.to_string(),
        };
        // A run that only rebuilds derived tables keeps the run number of
        // the last one: never reuse a name a committed part has.
        let name = loop {
            let name = format!(
                "part-{:06}-{}-{:05}.parquet",
                self.run, self.writer_id, self.seq
            );
            self.seq += 1;
            if !self.root.join(&dir_rel).join(&name).exists() {
                break name;
            }
        };
        let staged_dir = self.staging.join(&dir_rel);
        std::fs::create_dir_all(&staged_dir)?;
        Ok((staged_dir.join(&name), format!("{dir_rel}/{name}")))
    }

    /// Moves staged parts into place and records the run. After this returns
    /// the run is visible to readers. A run that only rebuilt derived tables
    /// passes no record.
    pub fn commit(self, record: Option<RunRecord>) -> Result<()> {
        self.commit_runs(record.into_iter().collect())
    }

    /// `commit` for a run that adds several run records (a merge adds each
    /// source store's runs, renumbered).
    pub fn commit_runs(mut self, records: Vec<RunRecord>) -> Result<()> {
        self.manifest.runs.extend(records);
        self.stage_store_state()?;
        let placeholders = self.stage_placeholders()?;
        let lists = self.stage_file_lists()?;
        self.syncer.finish()?;
        let mut dropped = Vec::new();
        for table in &self.replaced {
            dropped.extend(self.manifest.parts.remove(table).unwrap_or_default());
        }
        for (table, rel) in std::mem::take(&mut self.dropped) {
            if let Some(parts) = self.manifest.parts.get_mut(&table)
                && let Some(k) = parts.iter().position(|p| *p == rel)
            {
                parts.remove(k);
                dropped.push(rel);
            }
        }
        // A placeholder goes once its table has a real part.
        let with_real_parts: BTreeSet<String> = self
            .staged
            .iter()
            .filter(|(_, rel, _)| !placeholders.contains(rel))
            .map(|(_, _, table)| table.clone())
            .collect();
        for table in &with_real_parts {
            if let Some(parts) = self.manifest.parts.get_mut(table) {
                let empty = &self.manifest.empty_parts;
                dropped.extend(parts.iter().filter(|p| empty.contains(*p)).cloned());
                parts.retain(|p| !empty.contains(p));
            }
        }
        let listed: BTreeSet<&String> = self.manifest.parts.values().flatten().collect();
        let still_listed: BTreeSet<String> = self
            .manifest
            .empty_parts
            .iter()
            .filter(|p| listed.contains(p))
            .cloned()
            .collect();
        self.manifest.empty_parts = still_listed;
        for (staged, rel, table) in std::mem::take(&mut self.staged) {
            let dest = self.root.join(&rel);
            if let Some(parent) = dest.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::rename(&staged, &dest)
                .with_context(|| format!("moving {} into place", staged.display()))?;
            if placeholders.contains(&rel) {
                self.manifest.empty_parts.insert(rel.clone());
            }
            self.manifest.parts.entry(table).or_default().push(rel);
        }
        if !lists.staged.is_empty() {
            std::fs::create_dir_all(self.root.join(FILES_DIR))?;
        }
        if lists.replace_all {
            dropped.append(&mut self.manifest.file_lists);
        }
        for (staged, rel) in lists.staged {
            let dest = self.root.join(&rel);
            std::fs::rename(file_lists::index_of(&staged), file_lists::index_of(&dest))
                .with_context(|| format!("moving the hash index of {rel} into place"))?;
            std::fs::rename(&staged, &dest).with_context(|| format!("moving {rel} into place"))?;
            self.manifest.file_lists.push(rel);
        }
        self.manifest.files.clear();
        self.manifest.save(&self.root)?;
        // Replaced parts are unlisted now; a crash before this leaves
        // orphans the next writer removes.
        for rel in dropped {
            let path = self.root.join(&rel);
            let _ = std::fs::remove_file(&path);
            if rel.starts_with(FILES_DIR) {
                let _ = std::fs::remove_file(file_lists::index_of(&path));
            }
            // An emptied partition folder (the events placeholder's) goes too.
            if let Some(parent) = path.parent()
                && parent != self.root
            {
                let _ = std::fs::remove_dir(parent);
            }
        }
        let _ = std::fs::remove_dir_all(self.root.join(STAGING_DIR));
        Ok(())
    }

    /// The file lists to commit: this run's, after a list of the records
    /// a format-4 manifest held, or of every record of the store when it
    /// has `MAX_LISTS` lists already (which that one then replaces).
    fn stage_file_lists(&mut self) -> Result<StagedLists> {
        let mut out = StagedLists::default();
        let Some(list) = self.file_list.take() else {
            if !self.manifest.files.is_empty() {
                // Only a migration: the format-4 records, as a list.
                let name = format!("files-{:06}-{}.jsonl", self.run, self.writer_id);
                out.staged
                    .push(self.stage_base_list(&name, &self.manifest.files)?);
            }
            return Ok(out);
        };
        out.replace_all = self.manifest.file_lists.len() >= file_lists::MAX_LISTS;
        let base = if out.replace_all {
            self.ingested_files()?
        } else {
            self.manifest.files.clone()
        };
        if !base.is_empty() {
            let name = format!("base-{:06}-{}.jsonl", self.run, self.writer_id);
            out.staged.push(self.stage_base_list(&name, &base)?);
        }
        let (staged, name) = list.finish()?;
        out.staged.push((staged, format!("{FILES_DIR}/{name}")));
        Ok(out)
    }

    /// Writes `records` as the list `name` in the staging folder.
    fn stage_base_list(&self, name: &str, records: &FileIndex) -> Result<(PathBuf, String)> {
        let mut list = file_lists::ListWriter::create(&self.staging.join(FILES_DIR), name)?;
        for (hash, entry) in records {
            list.add(hash, entry)?;
        }
        let (staged, name) = list.finish()?;
        Ok((staged, format!("{FILES_DIR}/{name}")))
    }

    /// `store_state`, replaced: the manifest's state as this commit leaves it.
    fn stage_store_state(&mut self) -> Result<()> {
        use crate::schema::{store_state as s, table};
        let m = &self.manifest;
        let last = m.last_run();
        let derived = m.attribution.as_ref();
        let now = chrono::Utc::now().timestamp_micros();
        let mut df = DataFrame::new(
            1,
            vec![
                Column::new(s::FORMAT.into(), [i64::from(m.format)]),
                Column::new(s::LAST_RUN.into(), [last as i64]),
                Column::new(
                    s::ATTRIBUTION_AFTER_RUN.into(),
                    [derived.map(|d| d.after_run as i64)],
                ),
                Column::new(
                    s::ATTRIBUTION_CURRENT.into(),
                    [derived.is_some_and(|d| d.after_run == last)],
                ),
                Column::new(
                    s::ATTRIBUTION_SETTINGS_HASH.into(),
                    [derived.map(|d| d.settings_hash.as_str())],
                ),
                Column::new(
                    s::ATTRIBUTION_SETTINGS_SOURCE.into(),
                    [derived.map(|d| d.settings_source.as_str())],
                ),
                Column::new(s::COMMITTED_AT.into(), [now]).cast(&crate::schema::utc_micros())?,
            ],
        )?;
        self.replace_table(table::STORE_STATE);
        self.write_part(table::STORE_STATE, None, &mut df)
    }

    /// An empty typed part for every table that would otherwise have none
    /// after this commit. Returns their store-relative names.
    fn stage_placeholders(&mut self) -> Result<BTreeSet<String>> {
        use crate::schema::table;
        let mut out = BTreeSet::new();
        for name in table::ALL {
            let listed = !self.replaced.contains(name)
                && self.manifest.parts.get(name).is_some_and(|p| !p.is_empty());
            let staged = self.staged.iter().any(|(_, _, t)| t == name);
            if listed || staged {
                continue;
            }
            let partition = (name == table::EVENTS).then_some(EMPTY_EVENTS_PARTITION);
            let (path, rel) = self.next_part(name, partition)?;
            let mut df = super::empty_table(name)?;
            super::parquet::write(&path, &mut df)?;
            self.stage(path, rel.clone(), name);
            out.insert(rel);
        }
        Ok(out)
    }
}

/// File lists written to the staging folder, moved into place on commit.
#[derive(Default)]
struct StagedLists {
    /// (staged path, store-relative name), in the order they are listed.
    staged: Vec<(PathBuf, String)>,
    /// The first holds every record of the store: the lists before go.
    replace_all: bool,
}

/// Where the placeholder of an empty `events` table goes: a partition
/// folder, so that engines still find `event_date` and infer it as a DATE.
pub const EMPTY_EVENTS_PARTITION: &str = "event_date=1970-01-01";

/// A writer id: the low 32 bits of a hash of the process, the time and the
/// store path. Unique enough that two writers never pick the same part name
/// in practice; `next_part` still checks the name is free.
fn writer_id(root: &Path) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let seed = format!("{}:{nanos}:{}", std::process::id(), root.display());
    format!("{:08x}", xxhash_rust::xxh3::xxh3_64(seed.as_bytes()) as u32)
}

impl Drop for StoreWriter {
    fn drop(&mut self) {
        // An abandoned run leaves nothing behind; after a commit this is a no-op.
        let _ = std::fs::remove_dir_all(&self.staging);
    }
}

/// Deletes staging leftovers and parts that no manifest lists (a run that
/// crashed between moving parts and saving the manifest).
fn remove_orphans(root: &Path, manifest: &Manifest) -> Result<()> {
    let _ = std::fs::remove_dir_all(root.join(STAGING_DIR));
    let listed: BTreeSet<&str> = manifest
        .parts
        .values()
        .flatten()
        .map(String::as_str)
        .collect();
    let lists: BTreeSet<&str> = manifest.file_lists.iter().map(String::as_str).collect();
    if let Ok(entries) = std::fs::read_dir(root.join(FILES_DIR)) {
        for entry in entries.filter_map(|e| e.ok()) {
            let rel = format!("{FILES_DIR}/{}", entry.file_name().to_string_lossy());
            // A hash index stays with its list.
            let list = match rel.strip_suffix(".hashes") {
                Some(stem) => format!("{stem}.jsonl"),
                None => rel.clone(),
            };
            if !lists.contains(list.as_str()) {
                std::fs::remove_file(entry.path())
                    .with_context(|| format!("removing orphaned file list {rel}"))?;
            }
        }
    }
    for table in crate::schema::table::ALL {
        let dir = root.join(table);
        if !dir.is_dir() {
            continue;
        }
        for entry in walkdir::WalkDir::new(&dir)
            .into_iter()
            .filter_map(|e| e.ok())
        {
            let p = entry.path();
            if p.extension().is_some_and(|x| x == "parquet") {
                let rel = p
                    .strip_prefix(root)
                    .map(|r| r.to_string_lossy().replace('\\', "/"))
                    .unwrap_or_default();
                if !listed.contains(rel.as_str()) {
                    std::fs::remove_file(p)
                        .with_context(|| format!("removing orphaned part {}", p.display()))?;
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_written_side_by_side_keep_their_order_and_skip_empty_frames() {
        let dir = tempfile::tempdir().unwrap();
        let mut w = StoreWriter::open(dir.path()).unwrap();
        let frame = |from: i64, n: i64| df!("x" => (from..from + n).collect::<Vec<i64>>()).unwrap();
        w.write_parts(
            "t",
            vec![frame(0, 3), frame(10, 0), frame(3, 2), frame(5, 4)],
        )
        .unwrap();
        w.commit(None).unwrap();
        let store = super::super::Store::open(dir.path()).unwrap();
        assert_eq!(
            store.part_paths("t").len(),
            3,
            "the empty frame is not a part"
        );
        let x: Vec<i64> = store
            .scan("t")
            .unwrap()
            .collect()
            .unwrap()
            .column("x")
            .unwrap()
            .i64()
            .unwrap()
            .into_no_null_iter()
            .collect();
        assert_eq!(x, (0..9).collect::<Vec<i64>>());
    }

    fn entry(path: &str) -> FileEntry {
        FileEntry {
            path: path.into(),
            size: 1,
            kind: "cloudtrail".into(),
            run: 0,
            etag: None,
        }
    }

    #[test]
    fn file_lists_are_written_as_one_past_max_lists_and_orphans_go() {
        let dir = tempfile::tempdir().unwrap();
        for i in 0..file_lists::MAX_LISTS + 3 {
            let mut w = StoreWriter::open(dir.path()).unwrap();
            w.add_files([(format!("h{i}"), entry(&format!("f{i}")))])
                .unwrap();
            w.commit(None).unwrap();
        }
        let w = StoreWriter::open(dir.path()).unwrap();
        let lists = &w.manifest.file_lists;
        assert!(lists.len() <= 4, "{lists:?}");
        let on_disk = std::fs::read_dir(dir.path().join(FILES_DIR))
            .unwrap()
            .count();
        assert_eq!(
            on_disk,
            2 * lists.len(),
            "each list and its hash index stay, replaced ones are deleted"
        );
        for rel in lists {
            assert!(
                file_lists::index_of(&dir.path().join(rel)).exists(),
                "{rel}"
            );
        }
        let index = w.ingested_files().unwrap();
        assert_eq!(index.len(), file_lists::MAX_LISTS + 3);
        assert_eq!(index["h0"].path, "f0");
        drop(w);
        // A list no manifest names (a crash before the manifest) goes.
        std::fs::write(dir.path().join(FILES_DIR).join("files-9-x.jsonl"), "").unwrap();
        std::fs::write(dir.path().join(FILES_DIR).join("files-9-x.hashes"), "").unwrap();
        let w = StoreWriter::open(dir.path()).unwrap();
        assert!(!dir.path().join(FILES_DIR).join("files-9-x.jsonl").exists());
        assert!(!dir.path().join(FILES_DIR).join("files-9-x.hashes").exists());
        assert_eq!(
            std::fs::read_dir(dir.path().join(FILES_DIR))
                .unwrap()
                .count(),
            2 * w.manifest.file_lists.len()
        );
        assert_eq!(w.ingested_files().unwrap().len(), file_lists::MAX_LISTS + 3);
    }
}
