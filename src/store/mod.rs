//! The local store: Parquet parts, Hive-partitioned by day, plus a manifest.
//!
//! Layout (readable as is by DuckDB, Spark, Athena and Trino):
//! `events/event_date=YYYY-MM-DD/part-RRRRRR-WWWWWWWW-NNNNN.parquet` (run,
//! writer id, sequence), `quarantine/part-….parquet`, one folder per other
//! table (`schema::table::ALL`), each with at least one typed part, and
//! `_trailblame.json`. One writer at a time (an OS lock on `.lock`);
//! readers take no lock and see the last committed manifest.

pub mod file_lists;
pub mod manifest;
pub mod parquet;
pub mod writer;

use crate::schema::{self, events, table};
use anyhow::{Context, Result, bail};
use manifest::Manifest;
use polars::prelude::*;
use std::path::{Path, PathBuf};

pub const LOCK_FILE: &str = ".lock";
pub const STAGING_DIR: &str = "_staging";

/// A store opened for reading.
pub struct Store {
    pub root: PathBuf,
    pub manifest: Manifest,
}

impl Store {
    pub fn open(root: &Path) -> Result<Store> {
        match Manifest::load(root)? {
            Some(manifest) => Ok(Store {
                root: root.to_path_buf(),
                manifest,
            }),
            None if root.exists() => bail!(
                "{} is not a trailblame store (no {}); create one with `trailblame ingest PATH --store {}`",
                root.display(),
                manifest::MANIFEST_FILE,
                root.display()
            ),
            None => bail!(
                "no store at {}; create one with `trailblame ingest PATH --store {}`",
                root.display(),
                root.display()
            ),
        }
    }

    pub fn part_paths(&self, table: &str) -> Vec<PathBuf> {
        self.manifest
            .parts
            .get(table)
            .map(|v| v.iter().map(|p| self.root.join(p)).collect())
            .unwrap_or_default()
    }

    /// A lazy scan of a table. `events` gains `event_date`, the UTC day of
    /// `event_time`, which is also its Hive partition value.
    pub fn scan(&self, name: &str) -> Result<LazyFrame> {
        self.scan_parts(name, &self.part_paths(name))
    }

    /// `scan` of some of a table's parts, `paths`, in their order.
    pub fn scan_parts(&self, name: &str, paths: &[PathBuf]) -> Result<LazyFrame> {
        let lf = if paths.is_empty() {
            empty_table(name)?.lazy()
        } else {
            scan_files(paths)
                .with_context(|| format!("scanning table {name} in {}", self.root.display()))?
        };
        Ok(if name == table::EVENTS {
            lf.with_column(
                col(events::EVENT_TIME)
                    .dt()
                    .date()
                    .alias(events::EVENT_DATE),
            )
        } else {
            lf
        })
    }

    /// `events` with only the day partitions that can hold events in
    /// `[since, until)` (µs); the caller still filters on `event_time`.
    pub fn scan_events_between(&self, since: Option<i64>, until: Option<i64>) -> Result<LazyFrame> {
        if since.is_none() && until.is_none() {
            return self.scan(table::EVENTS);
        }
        let day = |us: i64| crate::timeparse::format_micros(us, "%Y-%m-%d");
        let (first, last) = (since.map(day), until.map(|u| day(u - 1)));
        let paths: Vec<PathBuf> = self
            .manifest
            .parts
            .get(table::EVENTS)
            .into_iter()
            .flatten()
            .filter(|p| {
                // `events/event_date=YYYY-MM-DD/part-….parquet`
                let Some(d) = p.split("event_date=").nth(1).map(|r| &r[..r.len().min(10)]) else {
                    return true;
                };
                first.as_deref().is_none_or(|f| d >= f) && last.as_deref().is_none_or(|l| d <= l)
            })
            .map(|p| self.root.join(p))
            .collect();
        let lf = if paths.is_empty() {
            empty_table(table::EVENTS)?.lazy()
        } else {
            scan_files(&paths)
                .with_context(|| format!("scanning events in {}", self.root.display()))?
        };
        Ok(lf.with_column(
            col(events::EVENT_TIME)
                .dt()
                .date()
                .alias(events::EVENT_DATE),
        ))
    }

    pub fn table_names(&self) -> Vec<&'static str> {
        table::ALL.to_vec()
    }
}

/// The rows of `lf`: from the parts' footers when nothing filters it, as
/// polars counts a bare scan without reading a column.
pub fn row_count(lf: LazyFrame) -> Result<usize> {
    let df = lf.select([len()]).collect()?;
    Ok(df
        .columns()
        .first()
        .and_then(|c| c.get(0).ok())
        .and_then(|v| v.extract::<usize>())
        .unwrap_or(0))
}

/// A lazy scan of Parquet parts, as written (no Hive columns: `event_date`
/// is derived by `Store::scan`).
pub fn scan_files(paths: &[PathBuf]) -> Result<LazyFrame> {
    let refs: Vec<PlRefPath> = paths
        .iter()
        .map(|p| PlRefPath::try_from_path(p))
        .collect::<PolarsResult<_>>()?;
    let args = ScanArgsParquet {
        hive_options: HiveOptions {
            enabled: Some(false),
            ..Default::default()
        },
        ..Default::default()
    };
    Ok(LazyFrame::scan_parquet_files(
        refs.into_iter().collect(),
        args,
    )?)
}

/// A zero-row frame with a table's columns.
pub fn empty_table(name: &str) -> Result<DataFrame> {
    let Some(cols) = schema::columns_of(name) else {
        bail!("unknown table {name}");
    };
    let columns = cols
        .into_iter()
        .map(|c| Column::full_null(PlSmallStr::from_static(c.name), 0, &c.dtype))
        .collect();
    Ok(DataFrame::new(0, columns)?)
}
