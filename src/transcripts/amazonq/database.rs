//! The Amazon Q / Kiro SQLite database: a private copy of the bytes ingest
//! read (perhaps decompressed) and of the `-wal` beside the file, where
//! recent conversations wait for a checkpoint (`sqlite::open_snapshot`),
//! each row of `conversations_v2` then
//! `conversations` read as one conversation, a conversation already read
//! from the newer table skipped in the older one.

use std::borrow::Cow;
use std::collections::HashSet;
use std::path::Path;

use rusqlite::types::ValueRef;

use super::super::TranscriptOptions;
use super::super::json_doc::Cursor;
use super::super::sqlite::open_snapshot;
use super::super::text::json_str;
use super::super::util::{Collector, file_stem, stable_id};
use super::Source;
use super::conversation::read_state;

/// Opens a copy of the database and its `-wal` and reads every
/// conversation in `conversations_v2` then `conversations`.
pub(super) fn read_database(
    c: &mut Collector,
    path: &Path,
    bytes: &[u8],
    opts: &TranscriptOptions,
) -> anyhow::Result<()> {
    anyhow::ensure!(
        bytes.len() >= 100,
        "only {} bytes, not a whole database",
        bytes.len()
    );
    let snap = open_snapshot(path, bytes)?;
    let conn = &snap.conn;
    let tables: HashSet<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")?
        .query_map([], |r| r.get::<_, String>(0))?
        .collect::<Result<_, _>>()?;
    anyhow::ensure!(
        tables.contains("conversations") || tables.contains("conversations_v2"),
        "no conversations table (tables: {})",
        tables.iter().cloned().collect::<Vec<_>>().join(", ")
    );
    let mut seen: HashSet<String> = HashSet::new();
    let mut row_index = 0u64;
    for (table, sql) in [
        (
            "conversations_v2",
            "SELECT key, value FROM conversations_v2 ORDER BY updated_at, key",
        ),
        (
            "conversations",
            "SELECT key, value FROM conversations ORDER BY key",
        ),
    ] {
        if !tables.contains(table) {
            continue;
        }
        let mut stmt = conn.prepare(sql)?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            let idx = row_index;
            row_index += 1;
            let key = match row.get_ref(0)? {
                ValueRef::Text(t) | ValueRef::Blob(t) => {
                    Some(String::from_utf8_lossy(t).into_owned())
                }
                _ => None,
            };
            let value: &[u8] = match row.get_ref(1)? {
                ValueRef::Text(t) | ValueRef::Blob(t) => t,
                _ => {
                    c.quarantine(
                        None,
                        Some(idx),
                        format!("{table} row {idx}: value is not text"),
                        b"",
                    );
                    continue;
                }
            };
            let id = conversation_id(value);
            if let Some(id) = &id
                && !seen.insert(id.clone())
            {
                c.skipped("conversation superseded by conversations_v2");
                continue;
            }
            let src = Source {
                lines: false,
                label: Some(format!("{table} row {idx}")),
                key: key.clone(),
                row: Some(idx),
                fallback_id: format!(
                    "{}-{}",
                    file_stem(path),
                    stable_id(&[table, key.as_deref().unwrap_or("")])
                ),
            };
            read_state(c, path, value, &src, opts);
        }
    }
    Ok(())
}

/// The `conversation_id` of a state, read without the history.
fn conversation_id(value: &[u8]) -> Option<String> {
    let mut cur = Cursor::new(value);
    cur.begin_object().ok()?;
    let mut first = true;
    while let Ok(Some(key)) = cur.next_key(&mut first) {
        let (v, _) = cur.value().ok()?;
        if key == "conversation_id" {
            return json_str(v).map(Cow::into_owned);
        }
    }
    None
}
