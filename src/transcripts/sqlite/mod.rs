//! Agent databases in WAL mode, read without touching them. OpenCode's
//! `opencode.db` and Goose's `sessions.db` keep most recent rows in the
//! `-wal` file beside the database until a checkpoint. Opening the user's
//! file would risk a checkpoint or a new `-shm`; opening it `immutable`
//! would ignore the WAL. So the bytes ingest read (perhaps decompressed)
//! are written to a private temporary folder, the `-wal` beside the
//! original is copied next to them (never the `-shm`: SQLite rebuilds the
//! index from the WAL, keeping only whole committed frames), and the copy
//! is opened read-only. The user's files are only read.
//!
//! Also: which tables a database's first page names (for detection), and
//! the columns of a row by name (the agents add columns over versions).

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use rayon::slice::ParallelSliceMut;
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags, Row};

use super::TranscriptOptions;
use super::util::Collector;

/// The SQLite file header.
pub(crate) const HEADER: &[u8] = b"SQLite format 3\0";

/// A read-only connection to a private copy of a database (and its WAL).
pub(crate) struct Snapshot {
    pub conn: Connection,
    /// Whether a `-wal` file beside the database was copied with it.
    pub wal_read: bool,
    /// Dropped after the connection (field order): the copy is removed.
    _dir: tempfile::TempDir,
}

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

/// Copies the database and the `-wal` beside `path` into a temporary
/// folder and opens the copy read-only. When `bytes` is only the start of
/// the file at `path` (ingest keeps only a local database's head), the
/// file itself is copied; otherwise `bytes` (perhaps inflated from gzip,
/// or an object fetched whole) is written.
pub(crate) fn open_snapshot(path: &Path, bytes: &[u8]) -> anyhow::Result<Snapshot> {
    anyhow::ensure!(
        bytes.len() >= 100 && bytes.starts_with(HEADER),
        "not a whole SQLite database ({} bytes)",
        bytes.len()
    );
    let dir = tempfile::Builder::new()
        .prefix("trailblame-db-")
        .tempdir()?;
    let copy = dir.path().join("db.sqlite");
    let on_disk = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    let wal = wal_beside(path);
    // Both copied by the kernel, not through memory: a WAL can be larger
    // than the database, and ingest keeps only a database's head.
    let copy_wal = |wal: &Path| {
        std::fs::copy(wal, dir.path().join("db.sqlite-wal"))
            .map(|_| ())
            .map_err(|e| anyhow::anyhow!("copying {}: {e}", wal.display()))
    };
    let copy_db = || {
        if on_disk > bytes.len() as u64 && path.is_file() {
            std::fs::copy(path, &copy)
                .map(|_| ())
                .map_err(|e| anyhow::anyhow!("copying {}: {e}", path.display()))
        } else {
            std::fs::write(&copy, bytes).map_err(anyhow::Error::from)
        }
    };
    // Side by side (a WAL is often the larger file); one after the other
    // if no thread can be had.
    let (db_copied, wal_copied) = std::thread::scope(|s| {
        let beside = wal.as_deref().map(|w| {
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
    let wal_read = wal_copied.transpose()?.is_some();
    let conn = Connection::open_with_flags(
        &copy,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    // The readers' `ORDER BY`s sort whole tables (OpenCode's parts: most
    // of the database); SQLite's sorter may use a helper thread per core.
    // Every such order ends on a unique key, so the rows come out the same.
    conn.execute_batch(&format!("PRAGMA threads = {};", sorter_threads()))?;
    // Fail here, naming the database, rather than at the first query.
    conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
        r.get::<_, i64>(0)
    })?;
    Ok(Snapshot {
        conn,
        wal_read,
        _dir: dir,
    })
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

    fn index(&self, name: &str) -> Option<usize> {
        self.0.iter().position(|c| c == name)
    }

    /// The column as text (numbers written out), `None` when absent or null.
    pub fn text(&self, row: &Row<'_>, name: &str) -> Option<String> {
        let i = self.index(name)?;
        match row.get_ref(i).ok()? {
            ValueRef::Text(t) | ValueRef::Blob(t) => Some(String::from_utf8_lossy(t).into_owned()),
            ValueRef::Integer(n) => Some(n.to_string()),
            ValueRef::Real(f) => Some(f.to_string()),
            ValueRef::Null => None,
        }
    }

    /// The column as an integer (a number in text read too).
    pub fn int(&self, row: &Row<'_>, name: &str) -> Option<i64> {
        let i = self.index(name)?;
        match row.get_ref(i).ok()? {
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
    let parse_batch = |b: Batch| -> Parsed<T> {
        (0..b.len())
            .map(|at| {
                let row = ScannedRow { batch: &b, at };
                (row.time(), row.text(0).map(Box::from), parse(row))
            })
            .collect()
    };
    let stepped: anyhow::Result<()> = rayon::in_place_scope(|s| {
        let mut rows = stmt.query([])?;
        let mut batch = Batch::new(width, 64 * 1024);
        let mut n = 0;
        let mut hand_on = |b: Batch| {
            let (done, parse_batch) = (&done, &parse_batch);
            let k = n;
            n += 1;
            s.spawn(move |_| {
                let out = parse_batch(b);
                done.lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .push((k, out));
            });
        };
        while let Some(row) = rows.next()? {
            batch.push(row)?;
            if batch.len() >= BATCH_ROWS || batch.text.len() >= BATCH_TEXT {
                // The next batch is sized like this one (rows are alike).
                let room = batch.text.len() + batch.text.len() / 8;
                hand_on(std::mem::replace(&mut batch, Batch::new(width, room)));
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
    let (keys, mut items): (Vec<_>, Vec<_>) = batches
        .into_iter()
        .flat_map(|(_, v)| v)
        .map(|(t, id, x)| ((t, id), Some(x)))
        .unzip();
    let mut order: Vec<usize> = (0..keys.len()).collect();
    // Stable, so ties keep the table's order; tables are mostly in time
    // order already, which this sort finds in runs.
    order.par_sort_by(|&a, &b| keys[a].cmp(&keys[b]));
    Ok(order.into_iter().filter_map(|i| items[i].take()).collect())
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
        let snap = open_snapshot(&db, &before.0).unwrap();
        assert!(snap.wal_read);
        let v: String = snap
            .conn
            .query_row("SELECT v FROM t", [], |r| r.get(0))
            .unwrap();
        assert_eq!(v, "only in the wal");
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
        let rows = scan_in_order(&snap.conn, "SELECT time_created, id, v FROM t", |r| {
            (
                r.time(),
                r.text(0).map(str::to_owned),
                r.text(1).map(str::to_owned),
            )
        })
        .unwrap();
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
            .install(|| {
                let snap = open_snapshot(&db, &std::fs::read(&db).unwrap()).unwrap();
                scan_in_order(&snap.conn, "SELECT time_created, id, v FROM t", |r| {
                    (
                        r.time(),
                        r.text(0).map(str::to_owned),
                        r.text(1).map(str::to_owned),
                    )
                })
                .unwrap()
            });
        assert_eq!(one, rows);
    }

    #[test]
    fn not_a_database_is_an_error() {
        assert!(open_snapshot(Path::new("x"), b"SQLite format 3\0").is_err());
        assert!(open_snapshot(Path::new("x"), &[b'x'; 200]).is_err());
    }
}
