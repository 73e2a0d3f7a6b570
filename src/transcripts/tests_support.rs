//! Helpers for the readers' tests: where the fixtures live and how to parse
//! one with the invariants checked.

use std::path::{Path, PathBuf};

use super::{ParsedTranscript, ToolCall, TranscriptFormat, TranscriptOptions, parse};

/// `tests/fixtures/transcripts` of the crate being tested.
pub(crate) fn fixtures_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/transcripts")
}

pub(crate) fn fixture(rel: &str) -> PathBuf {
    fixtures_root().join(rel)
}

pub(crate) fn parse_fixture_with(
    format: TranscriptFormat,
    rel: &str,
    opts: &TranscriptOptions,
) -> ParsedTranscript {
    let path = fixture(rel);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let p = parse(format, &path, &bytes, opts);
    assert!(p.counts.reconciles(), "{rel}: {:?}", p.counts);
    p
}

pub(crate) fn parse_fixture(format: TranscriptFormat, rel: &str) -> ParsedTranscript {
    parse_fixture_with(format, rel, &TranscriptOptions::default())
}

/// The call with this id, or a panic listing the calls there are.
pub fn call<'a>(p: &'a ParsedTranscript, id: &str) -> &'a ToolCall {
    p.tool_calls
        .iter()
        .find(|c| c.call_id == id)
        .unwrap_or_else(|| panic!("no call {id}: {:?}", p.tool_calls))
}

/// Builds a database from a fixture SQL script as an agent leaves it: the
/// statements before `-- @wal` checkpointed into the file, the rest only in
/// `<db>-wal` (checkpoint on close turned off, the `-shm` removed).
pub(crate) fn build_database(script: &str, db: &Path) {
    let sql = std::fs::read_to_string(fixture(script)).unwrap();
    let (base, wal) = sql.split_once("\n-- @wal\n").unwrap_or((&sql, ""));
    std::fs::create_dir_all(db.parent().unwrap()).unwrap();
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

/// Parses a database built by [`build_database`], checking the invariants.
pub(crate) fn parse_database(format: TranscriptFormat, db: &Path) -> ParsedTranscript {
    let bytes = std::fs::read(db).unwrap();
    let p = parse(format, db, &bytes, &TranscriptOptions::default());
    assert!(p.counts.reconciles(), "{}: {:?}", db.display(), p.counts);
    assert_eq!(p.counts.quarantined, p.quarantined.len() as u64);
    p
}
