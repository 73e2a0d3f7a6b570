//! Agent databases in WAL mode, read without touching them. OpenCode's
//! `opencode.db` and Goose's `sessions.db` keep most recent rows in the
//! `-wal` file beside the database until a checkpoint. Opening the user's
//! file would risk a checkpoint or a new `-shm`; opening it `immutable`
//! would ignore the WAL. So the database (the bytes ingest read, perhaps
//! decompressed, or the file itself when ingest kept only its head) is
//! read with the committed frames of the `-wal` beside the original
//! written over its pages (`wal`, as SQLite's own recovery would) into
//! one image in memory, which SQLite opens read-only. An image over
//! `MAX_IMAGE_BYTES`, or a WAL `wal` leaves to SQLite, is instead copied
//! with the `-wal` to a private temporary folder (never the `-shm`:
//! SQLite rebuilds the index from the WAL) and the copy opened read-only.
//! The user's files are only read.
//!
//! Also: which tables a database's first page names (for detection), and
//! the columns of a row by name (the agents add columns over versions).

mod wal;

use std::collections::HashSet;
use std::fs::File;
use std::path::{Path, PathBuf};

use anyhow::Context;
use rayon::slice::ParallelSliceMut;
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags, Row};

use super::TranscriptOptions;
use super::util::Collector;
use wal::ReadAt;

/// The SQLite file header.
pub(crate) const HEADER: &[u8] = b"SQLite format 3\0";

/// A read-only connection to a private copy of a database (and its WAL),
/// in memory or on disk.
pub(crate) struct Snapshot {
    pub conn: Connection,
    /// Whether a `-wal` file beside the database was read with it.
    pub wal_read: bool,
    /// The folder of a copy on disk, dropped after the connection (field
    /// order): the copy is removed.
    _dir: Option<tempfile::TempDir>,
}

/// The largest image of a database (its WAL applied) held in memory; a
/// larger one is copied to disk and SQLite pages through the copy.
const MAX_IMAGE_BYTES: u64 = 2 << 30;

/// A database file read by `read` into a collector; when `read` fails, the
/// file is one quarantined record (its first 100 bytes as the excerpt)
/// saying that `what` could not be read and why.
pub(crate) fn parse_with(
    path: &Path,
    bytes: &[u8],
    opts: &TranscriptOptions,
    what: &str,
    read: impl FnOnce(&mut Collector, &Path, &[u8], &TranscriptOptions) -> anyhow::Result<()>,
) -> Collector {
    let mut c = Collector::new(path);
    if let Err(e) = read(&mut c, path, bytes, opts) {
        let head = &bytes[..bytes.len().min(100)];
        c.quarantine(None, None, format!("{what} could not be read: {e:#}"), head);
    }
    c
}

/// The first bytes of a database.
pub fn is_database_head(head: &[u8]) -> bool {
    head.starts_with(HEADER)
}

/// The first bytes of a write-ahead log (magic 0x377f0682 or 0x377f0683).
pub fn is_wal_magic(head: &[u8]) -> bool {
    head.len() >= 4 && matches!(head[..4], [0x37, 0x7f, 0x06, 0x82 | 0x83])
}

/// Whether `path` names a `-wal` file with its database beside it (by
/// name only: the caller checks the magic).
pub fn names_wal_of_database(path: &Path) -> bool {
    let is_wal = path
        .file_name()
        .is_some_and(|n| n.as_encoded_bytes().ends_with(b"-wal"));
    is_wal && database_of(path).is_some_and(|db| db.is_file())
}

/// The database a `-wal` / `-shm` path belongs to.
pub(crate) fn database_of(path: &Path) -> Option<PathBuf> {
    let name = path.file_name()?.to_str()?;
    let db = name
        .strip_suffix("-wal")
        .or_else(|| name.strip_suffix("-shm"))?;
    (!db.is_empty()).then(|| path.with_file_name(db))
}

/// The `-wal` file beside a database, if there is one.
pub fn wal_beside(path: &Path) -> Option<PathBuf> {
    let mut p = path.as_os_str().to_owned();
    p.push("-wal");
    let p = PathBuf::from(p);
    p.is_file().then_some(p)
}

/// A private read-only copy of the database at `path` and the `-wal`
/// beside it. When `bytes` is only the start of the file at `path`
/// (ingest keeps only a local database's head), the file itself is read;
/// otherwise `bytes` (perhaps inflated from gzip, or an object fetched
/// whole) are the database.
pub(crate) fn open_snapshot(path: &Path, bytes: &[u8]) -> anyhow::Result<Snapshot> {
    open_snapshot_up_to(path, bytes, MAX_IMAGE_BYTES)
}

/// `open_snapshot`, holding an image of up to `max_image` bytes in
/// memory.
fn open_snapshot_up_to(path: &Path, bytes: &[u8], max_image: u64) -> anyhow::Result<Snapshot> {
    anyhow::ensure!(
        bytes.len() >= 100 && bytes.starts_with(HEADER),
        "not a whole SQLite database ({} bytes)",
        bytes.len()
    );
    let on_disk = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    let db = if on_disk > bytes.len() as u64 && path.is_file() {
        Database::File(path, on_disk)
    } else {
        Database::Bytes(bytes)
    };
    let wal = wal_beside(path);
    // An image that cannot be made (no memory for it, a file that cannot
    // be read) is tried on disk, which reports its own errors.
    let in_memory = if db.len() <= max_image {
        open_image(&db, bytes, wal.as_deref(), max_image).unwrap_or(None)
    } else {
        None
    };
    let (conn, dir) = match in_memory {
        Some(conn) => (conn, None),
        None => {
            let (conn, dir) = open_copy(&db, wal.as_deref())?;
            (conn, Some(dir))
        }
    };
    // The readers' `ORDER BY`s sort whole tables (Goose's messages, Amazon
    // Q's conversations; OpenCode's parts are put in order by
    // `scan_in_order` instead); SQLite's sorter may use a helper thread per
    // core.
    // Every such order ends on a unique key, so the rows come out the same.
    conn.execute_batch(&format!("PRAGMA threads = {};", sorter_threads()))?;
    // Fail here, naming the database, rather than at the first query.
    conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
        r.get::<_, i64>(0)
    })?;
    Ok(Snapshot {
        conn,
        wal_read: wal.is_some(),
        _dir: dir,
    })
}

/// Where a snapshot's database comes from.
#[derive(Clone, Copy)]
enum Database<'a> {
    /// The file at this path, this long.
    File(&'a Path, u64),
    /// These bytes.
    Bytes(&'a [u8]),
}

impl Database<'_> {
    fn len(&self) -> u64 {
        match self {
            Database::File(_, len) => *len,
            Database::Bytes(b) => b.len() as u64,
        }
    }
}

/// The database with the committed frames of the WAL at `wal` applied,
/// as an image in memory opened read-only; `None` when the image would be
/// over `max_image` bytes, or the WAL is one to leave to SQLite (a
/// version SQLite refuses, page sizes that disagree), or it was restarted
/// while it was read.
fn open_image(
    db: &Database<'_>,
    head: &[u8],
    wal: Option<&Path>,
    max_image: u64,
) -> anyhow::Result<Option<Connection>> {
    let Some(wal) = wal else {
        return load(db, None).map(Some);
    };
    let reading = || format!("reading {}", wal.display());
    let file = File::open(wal).with_context(reading)?;
    let len = file.metadata().with_context(reading)?.len();
    let committed = match wal::scan(&file, len).with_context(reading)? {
        wal::Wal::Empty => return load(db, None).map(Some),
        wal::Wal::Refused => return Ok(None),
        wal::Wal::Committed(c) => c,
    };
    if committed.image_len() > max_image
        || !same_page_sizes(head, &committed, &file).with_context(reading)?
    {
        return Ok(None);
    }
    let conn = load(db, Some((&file, &committed)))?;
    // A restart rewrites the header (new salts) before any frame: if it
    // is unchanged now, every frame read was the one scanned.
    let mut now = [0u8; 32];
    let unchanged = file.read_full_at(&mut now, 0).with_context(reading)? == now.len()
        && now == committed.header;
    Ok(unchanged.then_some(conn))
}

/// Whether the database's page size (in its header, `head`), the WAL's
/// and, when page 1 is in the WAL, the one its newest copy names are the
/// same: otherwise SQLite reads pages of one size from frames of another,
/// and that is left to it.
fn same_page_sizes(head: &[u8], wal: &wal::Committed, file: &File) -> std::io::Result<bool> {
    fn size(at_16: [u8; 2]) -> u32 {
        match u16::from_be_bytes(at_16) {
            1 => 65536,
            n => u32::from(n),
        }
    }
    let Some(&[a, b]) = head.get(16..18) else {
        return Ok(false);
    };
    if size([a, b]) != wal.page_size {
        return Ok(false);
    }
    let Some(frame) = wal.frame_of(1) else {
        return Ok(true);
    };
    let mut at_16 = [0u8; 2];
    let at = wal::data_offset(wal.page_size, frame) + 16;
    Ok(file.read_full_at(&mut at_16, at)? == 2 && size(at_16) == wal.page_size)
}

/// The image of `db` with `wal`'s committed frames, if any, as the main
/// database of a new read-only connection in memory. (`PRAGMA mmap_size`
/// would let SQLite read pages in place, without copying them into its
/// cache; measured on OpenCode's parts table, stepping took 0.26 s with
/// it and 0.22 s without, so it is not set.)
fn load(db: &Database<'_>, wal: Option<(&File, &wal::Committed)>) -> anyhow::Result<Connection> {
    fn deserialize<D: ReadAt + ?Sized, W: ReadAt + ?Sized>(
        mut image: wal::Image<'_, D, W>,
    ) -> anyhow::Result<Connection> {
        let len = usize::try_from(image.len())?;
        let mut conn = Connection::open_in_memory()?;
        conn.deserialize_read_exact(rusqlite::MAIN_DB, &mut image, len, true)?;
        Ok(conn)
    }
    let no_wal: &[u8] = &[];
    match (*db, wal) {
        (Database::File(path, len), wal) => {
            let reading = || format!("reading {}", path.display());
            let f = File::open(path).with_context(reading)?;
            match wal {
                Some((w, c)) => deserialize(wal::Image::new(&f, len, w, Some(c))),
                None => deserialize(wal::Image::new(&f, len, no_wal, None)),
            }
            .with_context(reading)
        }
        (Database::Bytes(b), Some((w, c))) => {
            deserialize(wal::Image::new(b, b.len() as u64, w, Some(c)))
        }
        (Database::Bytes(b), None) => deserialize(wal::Image::new(b, b.len() as u64, no_wal, None)),
    }
}

/// Copies the database and the `-wal` at `wal` into a temporary folder
/// and opens the copy read-only.
fn open_copy(
    db: &Database<'_>,
    wal: Option<&Path>,
) -> anyhow::Result<(Connection, tempfile::TempDir)> {
    let dir = tempfile::Builder::new()
        .prefix("trailblame-db-")
        .tempdir()?;
    let copy = dir.path().join("db.sqlite");
    // Both copied by the kernel, not through memory: a WAL can be larger
    // than the database, and ingest keeps only a database's head.
    let copy_wal = |wal: &Path| {
        std::fs::copy(wal, dir.path().join("db.sqlite-wal"))
            .map(|_| ())
            .map_err(|e| anyhow::anyhow!("copying {}: {e}", wal.display()))
    };
    let copy_db = || match *db {
        Database::File(path, _) => std::fs::copy(path, &copy)
            .map(|_| ())
            .map_err(|e| anyhow::anyhow!("copying {}: {e}", path.display())),
        Database::Bytes(bytes) => std::fs::write(&copy, bytes).map_err(anyhow::Error::from),
    };
    // Side by side (a WAL is often the larger file); one after the other
    // if no thread can be had.
    let (db_copied, wal_copied) = std::thread::scope(|s| {
        let beside = wal.map(|w| {
            let thread = std::thread::Builder::new()
                .name("trailblame-wal-copy".into())
                .spawn_scoped(s, move || copy_wal(w));
            (w, thread)
        });
        let db = copy_db();
        let wal = beside.map(|(w, thread)| match thread {
            Ok(h) => h
                .join()
                .unwrap_or_else(|_| Err(anyhow::anyhow!("copying {} failed", w.display()))),
            Err(_) => copy_wal(w),
        });
        (db, wal)
    });
    db_copied?;
    wal_copied.transpose()?;
    let conn = Connection::open_with_flags(
        &copy,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    Ok((conn, dir))
}

/// Helper threads SQLite's sorter may use: one per core ingest uses.
fn sorter_threads() -> usize {
    rayon::current_num_threads().clamp(1, 8)
}

/// The names of the tables in the database, each checked to have column
/// names in UTF-8 (rusqlite panics on any other when it names a column,
/// so a damaged schema is an error here instead).
pub(crate) fn tables(conn: &Connection) -> anyhow::Result<HashSet<String>> {
    let names: HashSet<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")?
        .query_map([], |r| r.get::<_, String>(0))?
        .collect::<Result<_, _>>()?;
    let mut stmt = conn.prepare("SELECT name FROM pragma_table_info(?1)")?;
    for t in &names {
        let mut rows = stmt.query([t])?;
        while let Some(r) = rows.next()? {
            let ok = match r.get_ref(0)? {
                ValueRef::Text(b) | ValueRef::Blob(b) => std::str::from_utf8(b).is_ok(),
                _ => true,
            };
            anyhow::ensure!(ok, "table {t}: a column name is not UTF-8 (damaged schema)");
        }
    }
    Ok(names)
}

/// Whether the first bytes of a database (its schema page) create `table`,
/// however the name is quoted.
pub(crate) fn creates_table(head: &[u8], table: &str) -> bool {
    ["`", "\"", "'", ""].iter().any(|q| {
        let needle = format!("TABLE {q}{table}{q}");
        memchr::memmem::find_iter(head, needle.as_bytes()).any(|at| {
            let next = head.get(at + needle.len()).copied();
            // A bare name must end there (`session` is not `sessions`).
            !q.is_empty() || matches!(next, Some(b' ' | b'(' | b'\n' | b'\t') | None)
        })
    })
}

/// The columns of a query by name, for reading rows whose columns vary.
pub(crate) struct Columns(Vec<String>);

impl Columns {
    pub fn of(stmt: &rusqlite::Statement<'_>) -> Self {
        // The names were checked to be UTF-8 by `tables`.
        Self(stmt.column_names().map(str::to_owned).collect())
    }

    /// Where column `name` is, for the `_at` readers of a row read often.
    pub fn position(&self, name: &str) -> Option<usize> {
        self.0.iter().position(|c| c == name)
    }

    /// The column as text (numbers written out), `None` when absent or null.
    pub fn text(&self, row: &Row<'_>, name: &str) -> Option<String> {
        self.text_at(row, self.position(name))
    }

    /// `text` of the column at `at` (`position`).
    pub fn text_at(&self, row: &Row<'_>, at: Option<usize>) -> Option<String> {
        match row.get_ref(at?).ok()? {
            ValueRef::Text(t) | ValueRef::Blob(t) => Some(String::from_utf8_lossy(t).into_owned()),
            ValueRef::Integer(n) => Some(n.to_string()),
            ValueRef::Real(f) => Some(f.to_string()),
            ValueRef::Null => None,
        }
    }

    /// `text` before its bytes are checked as UTF-8, appended to `out`
    /// (nothing when absent or null): made text on another thread
    /// (`text_of_slice`).
    pub fn append_bytes_at(&self, row: &Row<'_>, at: Option<usize>, out: &mut Vec<u8>) {
        match at.and_then(|i| row.get_ref(i).ok()) {
            Some(ValueRef::Text(t) | ValueRef::Blob(t)) => out.extend_from_slice(t),
            Some(ValueRef::Integer(n)) => out.extend_from_slice(n.to_string().as_bytes()),
            Some(ValueRef::Real(f)) => out.extend_from_slice(f.to_string().as_bytes()),
            Some(ValueRef::Null) | None => {}
        }
    }

    /// The bytes of a text (or blob) column, borrowed from the row:
    /// compared or read in place, without a copy.
    pub fn bytes_at<'r>(&self, row: &'r Row<'_>, at: Option<usize>) -> Option<&'r [u8]> {
        match row.get_ref(at?).ok()? {
            ValueRef::Text(t) | ValueRef::Blob(t) => Some(t),
            _ => None,
        }
    }

    /// The column as an integer (a number in text read too).
    pub fn int(&self, row: &Row<'_>, name: &str) -> Option<i64> {
        self.int_at(row, self.position(name))
    }

    /// `int` of the column at `at` (`position`).
    pub fn int_at(&self, row: &Row<'_>, at: Option<usize>) -> Option<i64> {
        match row.get_ref(at?).ok()? {
            ValueRef::Integer(n) => Some(n),
            ValueRef::Real(f) if f.is_finite() => Some(f as i64),
            ValueRef::Text(t) => std::str::from_utf8(t).ok()?.trim().parse().ok(),
            _ => None,
        }
    }
}

/// Rows a scan copies out of its query per batch, and the most text a
/// batch holds before it is handed on.
const BATCH_ROWS: usize = 2048;
const BATCH_TEXT: usize = 16 << 20;
/// Emptied batches kept for reuse: enough for the pool's threads and the
/// stepping one to find one ready.
const SPARE_BATCHES: usize = 4;

/// Rows copied out of a query: per row the first column as a time
/// (`time_created`), the others as text (`None`: null, not text, or not
/// UTF-8, as `Row::get::<String>` would fail).
struct Batch {
    width: usize,
    text: Vec<u8>,
    cells: Vec<Option<std::ops::Range<usize>>>,
    times: Vec<Option<i64>>,
}

impl Batch {
    /// Room for a batch of rows of `width` text columns and `text` bytes.
    fn new(width: usize, text: usize) -> Batch {
        Batch {
            width,
            text: Vec::with_capacity(text),
            cells: Vec::with_capacity(BATCH_ROWS * width),
            times: Vec::with_capacity(BATCH_ROWS),
        }
    }

    fn push(&mut self, row: &Row<'_>) -> rusqlite::Result<()> {
        self.times.push(match row.get_ref(0)? {
            ValueRef::Integer(n) => Some(n),
            _ => None,
        });
        for i in 1..=self.width {
            // Checked to be UTF-8 by the parsing thread (`ScannedRow::text`).
            let cell = match row.get_ref(i)? {
                ValueRef::Text(t) => {
                    let at = self.text.len();
                    self.text.extend_from_slice(t);
                    Some(at..self.text.len())
                }
                _ => None,
            };
            self.cells.push(cell);
        }
        Ok(())
    }

    fn len(&self) -> usize {
        self.times.len()
    }

    /// Empty, its room kept.
    fn clear(&mut self) {
        self.text.clear();
        self.cells.clear();
        self.times.clear();
    }
}

/// What `Columns::text` makes of the same cell: the bytes as text, any
/// invalid sequence replaced.
pub(crate) fn text_of_slice(b: &[u8]) -> std::borrow::Cow<'_, str> {
    // `from_utf8` checks text that is valid, as nearly all is, faster
    // than the lossy walk.
    match std::str::from_utf8(b) {
        Ok(s) => std::borrow::Cow::Borrowed(s),
        Err(_) => String::from_utf8_lossy(b),
    }
}

/// One row of a scan, as its parser sees it.
pub(crate) struct ScannedRow<'b> {
    batch: &'b Batch,
    at: usize,
}

impl ScannedRow<'_> {
    /// The first column, `time_created`, when an integer.
    pub fn time(&self) -> Option<i64> {
        self.batch.times[self.at]
    }

    /// Text column `col`, counted from 0 after the time (0 is the id).
    pub fn text(&self, col: usize) -> Option<&str> {
        let b = self.batch;
        let r = b.cells[self.at * b.width + col].clone()?;
        std::str::from_utf8(&b.text[r]).ok()
    }
}

/// What `parse` makes of every row of `sql`, in (time created, id) order:
/// the order `ORDER BY time_created, id` gives (nulls first), ties in the
/// order the table gives. `sql` selects `time_created`, then the id, then
/// any other text columns, without an `ORDER BY`: SQLite would sort the
/// whole rows, spilling a large table to temporary files, where here only
/// the keys are sorted. This thread steps the query and copies the rows
/// out in batches; the pool's other threads parse them meanwhile.
pub(crate) fn scan_in_order<T: Send>(
    conn: &Connection,
    sql: &str,
    parse: impl Fn(ScannedRow<'_>) -> T + Sync,
) -> anyhow::Result<Vec<T>> {
    /// A row's sort key (time created, id) and what was made of it.
    type Keyed<T> = (Option<i64>, Option<Box<str>>, T);
    type Parsed<T> = Vec<Keyed<T>>;
    let mut stmt = conn.prepare(sql)?;
    let width = stmt.column_count().saturating_sub(1);
    anyhow::ensure!(width >= 1, "a scan reads a time and an id");
    let done: std::sync::Mutex<Vec<(usize, Parsed<T>)>> = std::sync::Mutex::new(Vec::new());
    // Batches parsed and emptied, for the stepping thread to fill again:
    // a fresh batch is fresh memory, faulted in page by page (a 570 MB
    // database: 140,000 page faults).
    let spare: std::sync::Mutex<Vec<Batch>> = std::sync::Mutex::new(Vec::new());
    let parse_batch = |b: &Batch| -> Parsed<T> {
        (0..b.len())
            .map(|at| {
                let row = ScannedRow { batch: b, at };
                (row.time(), row.text(0).map(Box::from), parse(row))
            })
            .collect()
    };
    let stepped: anyhow::Result<()> = rayon::in_place_scope(|s| {
        let mut rows = stmt.query([])?;
        let mut batch = Batch::new(width, 64 * 1024);
        let mut n = 0;
        let mut hand_on = |mut b: Batch| {
            let (done, spare, parse_batch) = (&done, &spare, &parse_batch);
            let k = n;
            n += 1;
            s.spawn(move |_| {
                let out = parse_batch(&b);
                done.lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .push((k, out));
                b.clear();
                let mut spare = spare.lock().unwrap_or_else(|p| p.into_inner());
                if spare.len() < SPARE_BATCHES {
                    spare.push(b);
                }
            });
        };
        while let Some(row) = rows.next()? {
            batch.push(row)?;
            if batch.len() >= BATCH_ROWS || batch.text.len() >= BATCH_TEXT {
                let reused = spare.lock().unwrap_or_else(|p| p.into_inner()).pop();
                // Else the next batch is sized like this one (rows are alike).
                let room = batch.text.len() + batch.text.len() / 8;
                let next = reused.unwrap_or_else(|| Batch::new(width, room));
                hand_on(std::mem::replace(&mut batch, next));
            }
        }
        if batch.len() > 0 {
            hand_on(batch);
        }
        Ok(())
    });
    stepped?;
    let mut batches = done.into_inner().unwrap_or_else(|p| p.into_inner());
    batches.sort_unstable_by_key(|(k, _)| *k);
    let total = batches.iter().map(|(_, v)| v.len()).sum();
    let mut out = Vec::with_capacity(total);
    // Tables are mostly in time order already: then the rows are taken as
    // they come, without a second copy of them all.
    let in_order = batches
        .iter()
        .flat_map(|(_, v)| v.iter().map(|(t, id, _)| (t, id)))
        .is_sorted();
    if in_order {
        for (_, v) in batches {
            out.extend(v.into_iter().map(|(_, _, x)| x));
        }
        return Ok(out);
    }
    let (keys, mut items): (Vec<_>, Vec<_>) = batches
        .into_iter()
        .flat_map(|(_, v)| v)
        .map(|(t, id, x)| ((t, id), Some(x)))
        .unzip();
    let mut order: Vec<usize> = (0..keys.len()).collect();
    // Stable, so ties keep the table's order; tables are mostly in time
    // order already, which this sort finds in runs.
    order.par_sort_by(|&a, &b| keys[a].cmp(&keys[b]));
    out.extend(order.into_iter().filter_map(|i| items[i].take()));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_names_match_whole() {
        let head =
            b"SQLite format 3\0 CREATE TABLE `session` (`id` text) CREATE TABLE sessions (id)";
        assert!(creates_table(head, "session"));
        assert!(creates_table(head, "sessions"));
        assert!(!creates_table(head, "part"));
        assert!(!creates_table(b"CREATE TABLE sessions(id)", "session"));
        assert!(creates_table(b"CREATE TABLE part(id)", "part"));
    }

    #[test]
    fn rows_only_in_the_wal_are_read_and_the_files_are_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("x.db");
        trailblame_synth::agent_db::build_database_from_sql(
            "PRAGMA journal_mode=WAL; CREATE TABLE t(v TEXT);\n-- @wal\nINSERT INTO t VALUES ('only in the wal');",
            &db,
        );
        let mut shm = db.as_os_str().to_owned();
        shm.push("-shm");
        let wal = wal_beside(&db).expect("a -wal file");
        let before = (std::fs::read(&db).unwrap(), std::fs::read(&wal).unwrap());
        assert!(!before.1.is_empty());
        // In memory, and copied to disk (an image over the limit).
        for (limit, in_memory) in [(MAX_IMAGE_BYTES, true), (0, false)] {
            let snap = open_snapshot_up_to(&db, &before.0, limit).unwrap();
            assert_eq!(snap._dir.is_none(), in_memory);
            assert!(snap.wal_read);
            let v: String = snap
                .conn
                .query_row("SELECT v FROM t", [], |r| r.get(0))
                .unwrap();
            assert_eq!(v, "only in the wal");
        }
        let snap = open_snapshot(&db, &before.0).unwrap();
        // The sorter may use a helper thread per core ingest uses.
        let threads: i64 = snap
            .conn
            .query_row("PRAGMA threads", [], |r| r.get(0))
            .unwrap();
        assert_eq!(threads, sorter_threads() as i64);
        assert_eq!(
            rayon::ThreadPoolBuilder::new()
                .num_threads(3)
                .build()
                .unwrap()
                .install(sorter_threads),
            3
        );
        drop(snap);
        let after = (std::fs::read(&db).unwrap(), std::fs::read(&wal).unwrap());
        assert_eq!(before, after);
        assert!(
            !Path::new(&shm).exists(),
            "no -shm made beside the user's db"
        );
    }

    #[test]
    fn an_image_over_the_limit_is_copied_to_disk() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("x.db");
        // The WAL makes the database larger than its file.
        trailblame_synth::agent_db::build_database_from_sql(
            "PRAGMA journal_mode=WAL; CREATE TABLE t(v TEXT);\n-- @wal\n\
             INSERT INTO t WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s \
             WHERE n < 2000) SELECT printf('row %d', n) FROM s;",
            &db,
        );
        let bytes = std::fs::read(&db).unwrap();
        let db_len = bytes.len() as u64;
        let image_len = {
            let snap = open_snapshot(&db, &bytes).unwrap();
            let size = |p: &str| -> u64 {
                let n: i64 = snap
                    .conn
                    .query_row(&format!("PRAGMA {p}"), [], |r| r.get(0))
                    .unwrap();
                n as u64
            };
            size("page_count") * size("page_size")
        };
        assert!(image_len > db_len);
        for (limit, in_memory) in [
            (0, false),
            (db_len - 1, false),
            (db_len, false),
            (image_len - 1, false),
            (image_len, true),
        ] {
            let snap = open_snapshot_up_to(&db, &bytes, limit).unwrap();
            assert_eq!(snap._dir.is_none(), in_memory, "limit {limit}");
            let n: i64 = snap
                .conn
                .query_row("SELECT count(*) FROM t", [], |r| r.get(0))
                .unwrap();
            assert_eq!(n, 2000, "limit {limit}");
        }
    }

    /// Table `t`'s rows as `scan_in_order` gives them.
    fn scan_t(snap: &Snapshot) -> Vec<(Option<i64>, Option<String>, Option<String>)> {
        scan_in_order(&snap.conn, "SELECT time_created, id, v FROM t", |r| {
            (
                r.time(),
                r.text(0).map(str::to_owned),
                r.text(1).map(str::to_owned),
            )
        })
        .unwrap()
    }

    #[test]
    fn a_scan_gives_time_then_id_order_whatever_the_table_order() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("x.db");
        // Rows stored newest first, over several batches, with ties on
        // time, a null time, a null id, a number where text belongs and a
        // cell that is not UTF-8.
        let mut sql = String::from("CREATE TABLE t(time_created, id, v);\nBEGIN;\n");
        let n = BATCH_ROWS * 2 + 7;
        for i in (0..n).rev() {
            sql.push_str(&format!(
                "INSERT INTO t VALUES ({}, 'r{:05}', 'v{i}');\n",
                i / 3,
                n - i
            ));
        }
        sql.push_str("INSERT INTO t VALUES (NULL, 'late', 'no time');\n");
        sql.push_str("INSERT INTO t VALUES (0, NULL, 'no id');\n");
        sql.push_str("INSERT INTO t VALUES (0, 'r99999', 7);\n");
        sql.push_str("INSERT INTO t VALUES (0, 'r99998', CAST(x'ff00' AS TEXT));\nCOMMIT;\n");
        trailblame_synth::agent_db::build_database_from_sql(&sql, &db);
        let snap = open_snapshot(&db, &std::fs::read(&db).unwrap()).unwrap();
        let rows = scan_t(&snap);
        let mut want: Vec<(Option<i64>, Option<String>, Option<String>)> = snap
            .conn
            .prepare("SELECT time_created, id, v FROM t ORDER BY time_created, id")
            .unwrap()
            .query_map([], |r| {
                Ok((
                    r.get::<_, Option<i64>>(0)?,
                    r.get::<_, Option<String>>(1)?,
                    r.get::<_, String>(2).ok(),
                ))
            })
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap_or_default();
        assert_eq!(want.len(), n + 4);
        // SQLite's own order, but for the cell that is not UTF-8: unread.
        for w in &mut want {
            if w.1.as_deref() == Some("r99998") {
                w.2 = None;
            }
        }
        assert_eq!(rows, want);
        assert_eq!(rows[0].1.as_deref(), Some("late"));
        assert_eq!(rows[1].1, None);
        // Each batch was parsed on the pool: the result does not depend on
        // how many threads there were.
        let one = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap()
            .install(|| scan_t(&open_snapshot(&db, &std::fs::read(&db).unwrap()).unwrap()));
        assert_eq!(one, rows);
    }

    /// Rows stored in (time, id) order, ties included, are read as they
    /// come: the same rows as SQLite's `ORDER BY`, over enough batches
    /// that emptied batches are filled again.
    #[test]
    fn a_table_already_in_order_is_read_as_sqlite_orders_it() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("x.db");
        let mut sql = String::from("CREATE TABLE t(time_created, id, v);\nBEGIN;\n");
        let n = BATCH_ROWS * 9 + 5;
        for i in 0..n {
            // Cells of different lengths, so a batch filled again with
            // shorter text would show what was left from before.
            let v = "x".repeat(i % 17);
            sql.push_str(&format!(
                "INSERT INTO t VALUES ({}, 'r{i:06}', 'v{i}{v}');\n",
                i / 4
            ));
        }
        sql.push_str("COMMIT;\n");
        trailblame_synth::agent_db::build_database_from_sql(&sql, &db);
        let snap = open_snapshot(&db, &std::fs::read(&db).unwrap()).unwrap();
        let rows = scan_t(&snap);
        let want: Vec<(Option<i64>, Option<String>, Option<String>)> = snap
            .conn
            .prepare("SELECT time_created, id, v FROM t ORDER BY time_created, id")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(want.len(), n);
        assert_eq!(rows, want);
    }

    #[test]
    fn not_a_database_is_an_error() {
        assert!(open_snapshot(Path::new("x"), b"SQLite format 3\0").is_err());
        assert!(open_snapshot(Path::new("x"), &[b'x'; 200]).is_err());
    }
}
