//! Agent databases for tests, as the agents leave them on disk.

use std::path::Path;

/// Builds the SQLite database `db` from the SQL script `script` the way an
/// agent in WAL mode leaves it: the statements before a `-- @wal` line
/// checkpointed into the file, the rest only in `<db>-wal` (checkpoint on
/// close turned off, the `-shm` removed). Panics on any error: test data.
pub fn build_database(script: &Path, db: &Path) {
    let sql =
        std::fs::read_to_string(script).unwrap_or_else(|e| panic!("{}: {e}", script.display()));
    build_database_from_sql(&sql, db);
}

/// `build_database` of the script text `sql`.
pub fn build_database_from_sql(sql: &str, db: &Path) {
    let (base, wal) = sql.split_once("\n-- @wal\n").unwrap_or((sql, ""));
    std::fs::create_dir_all(db.parent().expect("a database path has a folder")).unwrap();
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.execute_batch(base).unwrap();
    conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")
        .unwrap();
    conn.set_db_config(
        rusqlite::config::DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE,
        true,
    )
    .unwrap();
    conn.execute_batch(wal).unwrap();
    drop(conn);
    let mut shm = db.as_os_str().to_owned();
    shm.push("-shm");
    let _ = std::fs::remove_file(shm);
}
