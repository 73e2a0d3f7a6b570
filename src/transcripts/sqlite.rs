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

/// The `-wal` file beside a database, if there is one.
pub fn wal_beside(path: &Path) -> Option<PathBuf> {
    let mut p = path.as_os_str().to_owned();
    p.push("-wal");
    let p = PathBuf::from(p);
    p.is_file().then_some(p)
}

/// Copies `bytes` (the database as ingest read it) and the `-wal` beside
/// `path` into a temporary folder and opens the copy read-only. When
/// `bytes` is only the start of the file at `path` (a database larger
/// than `ingest.max_file_bytes`), the file itself is copied.
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
    if on_disk > bytes.len() as u64 && path.is_file() {
        std::fs::copy(path, &copy)
            .map_err(|e| anyhow::anyhow!("copying {}: {e}", path.display()))?;
    } else {
        std::fs::write(&copy, bytes)?;
    }
    let mut wal_read = false;
    if let Some(wal) = wal_beside(path) {
        // Copied by the kernel, not through memory: a WAL can be larger
        // than the database.
        std::fs::copy(&wal, dir.path().join("db.sqlite-wal"))
            .map_err(|e| anyhow::anyhow!("copying {}: {e}", wal.display()))?;
        wal_read = true;
    }
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
    fn not_a_database_is_an_error() {
        assert!(open_snapshot(Path::new("x"), b"SQLite format 3\0").is_err());
        assert!(open_snapshot(Path::new("x"), &[b'x'; 200]).is_err());
    }
}
