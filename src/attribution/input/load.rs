//! Reading the store's events parts into `Events` and their keys: the lazy
//! column selection, a reader thread a few parts ahead, and a failed read
//! that names its part.

use super::Events;
use crate::schema::events;
use anyhow::{Context, Result};
use polars::prelude::*;

/// Everything attribution reads from the events table.
#[derive(Default)]
pub struct StoredEvents {
    pub events: Events,
    /// Per event, in store order: its `event_key` (the attribution table's
    /// key: one row per stored event, never one per `event_id`).
    pub keys: Vec<u128>,
    /// The events that share their `event_id` with another stored event
    /// (a differing record: exact copies are dropped at ingest).
    pub shared_ids: Vec<super::SharedId>,
    /// Per event, in store order: its `id_hash` (0 for none).
    pub id_hashes: Vec<u128>,
}

impl StoredEvents {
    /// Reads the store's events parts, in store order.
    pub fn from_store(store: &crate::store::Store) -> Result<StoredEvents> {
        Self::from_parts(&store.part_paths(crate::schema::table::EVENTS))
    }

    /// Reads the events parts `paths`, in their order (an incremental run
    /// reads a few days' parts).
    pub fn from_parts(paths: &[std::path::PathBuf]) -> Result<StoredEvents> {
        Self::from_parts_keeping(paths, None)
    }

    /// `from_parts`, keeping of the parts `rows` applies to only the rows
    /// it marks, in their order.
    pub fn from_parts_keeping(
        paths: &[std::path::PathBuf],
        rows: Option<&Rows>,
    ) -> Result<StoredEvents> {
        // Room for every row up front: grown part by part, each vector
        // doubled its way up and held up to twice its rows (3M events:
        // 444 MiB allocated once loaded, 387 MiB with the room reserved).
        let whole = rows_read_whole(paths, rows);
        let mut keys = Vec::with_capacity(whole);
        let mut id_hashes = Vec::with_capacity(whole);
        let events = load_parts_keeping(paths, rows, whole, |part| {
            push_keys(part, &mut keys, &mut id_hashes)
        })?;
        Ok(StoredEvents::new(events, keys, id_hashes))
    }

    /// `events` (loading done) with their keys and `id_hash`es, in order.
    pub fn new(events: Events, keys: Vec<u128>, id_hashes: Vec<u128>) -> StoredEvents {
        let shared_ids = super::shared(&id_hashes);
        StoredEvents {
            events,
            keys,
            shared_ids,
            id_hashes,
        }
    }
}

/// Appends the `event_key`s and `id_hash`es of one part's frame
/// (`event_selection`'s columns) to `keys` and `id_hashes`.
pub fn push_keys(part: &DataFrame, keys: &mut Vec<u128>, id_hashes: &mut Vec<u128>) -> Result<()> {
    let ids = part.column(events::EVENT_ID)?.str()?;
    id_hashes.extend(ids.iter().map(super::id_hash));
    let part = part.column(events::EVENT_KEY)?.str()?;
    keys.reserve(part.len());
    for text in part.iter() {
        let key = text
            .and_then(crate::schema::event_key::parse)
            .with_context(|| {
                format!(
                    "stored event {} has no valid {}: {text:?}",
                    keys.len(),
                    events::EVENT_KEY
                )
            })?;
        keys.push(key);
    }
    Ok(())
}

/// Reads the store's events part by part into `Events`, calling `each_part`
/// with every part's frame (`event_selection`'s columns, in the same order).
///
/// The next part is read while the current one is taken in, and
/// `each_part` runs beside `Events::extend`.
pub fn load_events(
    store: &crate::store::Store,
    each_part: impl FnMut(&DataFrame) -> Result<()> + Send,
) -> Result<Events> {
    load_parts(&store.part_paths(crate::schema::table::EVENTS), each_part)
}

/// Marks the rows of a frame of `Rows::COLUMNS` to keep.
pub type Keep = dyn Fn(&DataFrame) -> PolarsResult<BooleanChunked> + Send + Sync;

/// Which rows of some events parts to keep: `keep` is given a frame of
/// `Rows::COLUMNS` (`event_time` in microseconds) and marks the rows; parts
/// for which `applies` is false are read whole. The mark is a predicate of
/// the scan, so the other columns are decoded for the kept rows only.
pub struct Rows {
    pub applies: Box<dyn Fn(&std::path::Path) -> bool + Send + Sync>,
    pub keep: std::sync::Arc<Keep>,
}

impl Rows {
    /// The columns `keep` is given.
    pub const COLUMNS: [&str; 6] = [
        events::EVENT_TIME,
        events::EVENT_SOURCE,
        events::ERROR_CODE,
        events::EVENT_ID,
        events::ACCESS_KEY_ID,
        events::USER_AGENT,
    ];

    fn predicate(&self) -> Expr {
        let inputs: Vec<Expr> = Rows::COLUMNS
            .iter()
            .map(|c| match *c {
                events::EVENT_TIME => col(*c).dt().timestamp(TimeUnit::Microseconds).alias(*c),
                c => col(c),
            })
            .collect();
        let keep = self.keep.clone();
        map_multiple(
            move |columns: &mut [Column]| {
                let df = DataFrame::new_infer_height(columns.to_vec())?;
                Ok(keep(&df)?.into_column())
            },
            inputs,
            |_: &Schema, _: &[Field]| {
                Ok(Field::new(
                    PlSmallStr::from_static("keep"),
                    DataType::Boolean,
                ))
            },
        )
    }
}

/// `load_events` of the events parts `paths`.
fn load_parts(
    paths: &[std::path::PathBuf],
    each_part: impl FnMut(&DataFrame) -> Result<()> + Send,
) -> Result<Events> {
    load_parts_keeping(paths, None, rows_read_whole(paths, None), each_part)
}

/// The rows of the parts of `paths` that `rows` does not apply to (all of
/// them without `rows`), from their footers: the events read whatever the
/// marks, and so the room to reserve. 0 when a footer cannot be read: the
/// read then fails naming the part.
fn rows_read_whole(paths: &[std::path::PathBuf], rows: Option<&Rows>) -> usize {
    let whole: Vec<std::path::PathBuf> = paths
        .iter()
        .filter(|p| rows.is_none_or(|r| !(r.applies)(p)))
        .cloned()
        .collect();
    if whole.is_empty() {
        return 0;
    }
    crate::store::scan_files(&whole)
        .and_then(crate::store::row_count)
        .unwrap_or(0)
}

/// `load_parts`, keeping of the parts `rows` applies to the rows it marks;
/// `reserve` rows are known to come (`rows_read_whole`).
fn load_parts_keeping(
    paths: &[std::path::PathBuf],
    rows: Option<&Rows>,
    reserve: usize,
    mut each_part: impl FnMut(&DataFrame) -> Result<()> + Send,
) -> Result<Events> {
    // Runs of parts read alike, in order, a few parts at a time.
    let mut batches: Vec<(&[std::path::PathBuf], Option<Expr>)> = Vec::new();
    for run in paths.chunk_by(|a, b| rows.is_none_or(|r| (r.applies)(a) == (r.applies)(b))) {
        let predicate = rows.filter(|r| (r.applies)(&run[0])).map(Rows::predicate);
        batches.extend(run.chunks(PARTS_PER_READ).map(|b| (b, predicate.clone())));
    }
    let mut e = Events::default();
    e.reserve(reserve);
    std::thread::scope(|scope| -> Result<()> {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Result<DataFrame>>(1);
        scope.spawn(move || {
            for (batch, predicate) in batches {
                let df = read_parts(batch, predicate);
                let failed = df.is_err();
                if tx.send(df).is_err() || failed {
                    break;
                }
            }
        });
        for (n, df) in rx.into_iter().enumerate() {
            if n % RELEASE_EVERY == RELEASE_EVERY - 1 {
                crate::alloc::release();
            }
            let df = df?;
            let (extended, called) = rayon::join(|| e.extend(&df), || each_part(&df));
            extended?;
            called?;
        }
        Ok(())
    })?;
    e.done_loading();
    Ok(e)
}

/// Frames taken in between two releases of the memory freed so far. The
/// frames are made on polars' threads and freed on this one, and what they
/// leave is not reused by the next: kept until the end of the read, it
/// added half the events' own memory to the peak (3M events: 990 MiB read,
/// 645 MiB once released). Released every 4 frames, and after the stages
/// of the computation, a 3M-event attribution peaked at 877 MiB instead of
/// 1,022, 0.2 s slower in 6.3 s.
const RELEASE_EVERY: usize = 4;

/// Parts read in one go: a part holds 20K events on average, and per part
/// the fixed costs of a read and of a parallel pass were half the time.
const PARTS_PER_READ: usize = 4;

/// `event_selection` of `paths`, in their order, of the rows `predicate`
/// keeps; an error names the part.
fn read_parts(paths: &[std::path::PathBuf], predicate: Option<Expr>) -> Result<DataFrame> {
    let read = |paths: &[std::path::PathBuf]| -> Result<DataFrame> {
        let mut lf = crate::store::scan_files(paths)?;
        if let Some(p) = &predicate {
            lf = lf.filter(p.clone());
        }
        Ok(event_selection(lf).collect()?)
    };
    read(paths).or_else(|err| {
        // Find the part that fails on its own, to name it.
        for path in paths {
            read(std::slice::from_ref(path))
                .map_err(|e| anyhow::anyhow!("reading {}: {e:#}", path.display()))?;
        }
        Err(err.context(format!("reading {} events parts", paths.len())))
    })
}

/// The columns `Events` borrows, as a lazy selection with `event_time` in
/// microseconds.
pub fn event_selection(lf: LazyFrame) -> LazyFrame {
    let strs = [
        events::EVENT_ID,
        events::EVENT_KEY,
        events::EVENT_SOURCE,
        events::EVENT_NAME,
        events::AWS_REGION,
        events::ACCOUNT_ID,
        events::IDENTITY_TYPE,
        events::PRINCIPAL_ARN,
        events::USER_NAME,
        events::ROLE_NAME,
        events::SESSION_NAME,
        events::SOURCE_IDENTITY,
        events::INVOKED_BY,
        events::ON_BEHALF_OF,
        events::ACCESS_KEY_ID,
        events::SOURCE_IP,
        events::USER_AGENT,
        events::EVENT_TYPE,
        events::ERROR_CODE,
        events::IAM_ACTION,
        events::REQUEST_PARAMETERS,
    ];
    let mut cols: Vec<Expr> = strs.iter().map(|c| col(*c)).collect();
    cols.push(
        col(events::EVENT_TIME)
            .dt()
            .timestamp(TimeUnit::Microseconds)
            .alias(events::EVENT_TIME),
    );
    cols.push(col(events::CONSOLE_SESSION).fill_null(lit(false)));
    // The keys an STS call issued (responseElements), read for those calls
    // only: every other event's response stays on disk.
    cols.push(
        when(
            col(events::EVENT_SOURCE)
                .eq(lit(super::events::STS))
                .and(col(events::ERROR_CODE).is_null()),
        )
        .then(col(events::RESPONSE_ELEMENTS))
        .otherwise(lit(NULL).cast(DataType::String))
        .alias(events::RESPONSE_ELEMENTS),
    );
    cols.push(col(events::READ_ONLY));
    lf.select(cols)
}
