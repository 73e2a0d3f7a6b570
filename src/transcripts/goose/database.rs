//! The Goose database: `sessions` in (created, id) order, then
//! `messages` in (session, time, id) order, each session's messages read
//! as one conversation. Every row is one record: used or quarantined
//! (no id, unreadable `content_json`), the reason naming table, row and
//! session. Columns are read by name, since each schema version added
//! some.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Mutex;

use anyhow::Context;
use polars::prelude::PlHashMap;
use serde_json::value::RawValue;

use super::super::sqlite::{Columns, open_snapshot, tables, text_of_slice};
use super::super::util::{Collector, Span, operator_for};
use super::super::{AgentSession, Role, TranscriptOptions};
use super::AGENT;
use super::conversation::{Conversation, role_of, seconds};

/// One `messages` row, as read.
struct MessageRow {
    idx: u64,
    role: Role,
    time: Option<i64>,
    /// `content_json` in its group's `bytes`, not yet checked as UTF-8.
    content: std::ops::Range<usize>,
}

/// One session's messages, their contents side by side in one buffer (a
/// copy per row would be an allocation per row, freed on another thread).
struct Group {
    session_id: String,
    rows: Vec<MessageRow>,
    bytes: Vec<u8>,
}

/// What the `sessions` row says.
#[derive(Default)]
struct SessionRow {
    working_dir: Option<String>,
    session_type: Option<String>,
    model: Option<String>,
    span: Span,
}

pub(super) fn read_database(
    c: &mut Collector,
    path: &Path,
    bytes: &[u8],
    opts: &TranscriptOptions,
) -> anyhow::Result<()> {
    let snap = open_snapshot(path, bytes)?;
    let conn = &snap.conn;
    let present = tables(conn)?;
    anyhow::ensure!(
        present.contains("sessions") && present.contains("messages"),
        "no sessions and messages tables (not a Goose database, or its rows are still only in a -wal file that was not found)"
    );
    let mut row_index = 0u64;
    let mut rows_by_id: BTreeMap<String, SessionRow> = BTreeMap::new();
    let mut order: Vec<String> = Vec::new();
    {
        let mut stmt = conn.prepare("SELECT * FROM sessions ORDER BY created_at, id")?;
        let cols = Columns::of(&stmt);
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            let idx = row_index;
            row_index += 1;
            let Some(id) = cols.text(row, "id").filter(|s| !s.is_empty()) else {
                c.quarantine(None, Some(idx), format!("sessions row {idx}: no id"), b"");
                continue;
            };
            let mut s = SessionRow {
                working_dir: cols.text(row, "working_dir"),
                session_type: cols.text(row, "session_type"),
                model: cols
                    .text(row, "model_config_json")
                    .and_then(|m| model_name(&m)),
                span: Span::default(),
            };
            for col in ["created_at", "updated_at"] {
                let t = cols.text(row, col);
                s.span.add(time_column(c, t.as_deref()));
            }
            order.push(id.clone());
            rows_by_id.insert(id, s);
            c.used();
        }
    }

    // The messages, stepped on this thread and grouped by session; each
    // session read on any core (into its own collector) as soon as the
    // next one starts, and the collectors taken back in the query's order.
    let (stepping, read) = match read_messages(conn, path, row_index, true)? {
        Some(read) => read,
        // A session's rows came in two runs: read again, each session
        // handed on only when all its rows are in.
        None => read_messages(conn, path, row_index, false)?
            .context("sessions are handed on only at the end")?,
    };
    c.absorb(stepping);
    let mut spans: BTreeMap<String, Span> = BTreeMap::new();
    let mut collectors = Vec::with_capacity(read.len());
    for (sc, session_id, span) in read {
        collectors.push(sc);
        if !rows_by_id.contains_key(&session_id) {
            order.push(session_id.clone());
        }
        spans.insert(session_id, span);
    }
    c.absorb_all(collectors);

    for id in order {
        let row = rows_by_id.remove(&id).unwrap_or_default();
        let mut span = row.span;
        if let Some(s) = spans.remove(&id) {
            span.add(s.first);
            span.add(s.last);
        }
        let operator = operator_for(path, row.working_dir.as_deref(), opts);
        c.out.sessions.push(AgentSession {
            session_id: id,
            agent: AGENT.to_owned(),
            model: row.model,
            started_at: span.first,
            ended_at: span.last,
            cwd: row.working_dir,
            operator,
            source_file: c.source_file.clone(),
            // Goose stores no version, branch, mode, sandbox or parent.
            ..AgentSession::default()
        });
        if row.session_type.as_deref() == Some("sub_agent") {
            c.note("sub_agent sessions are read as sessions of their own (Goose does not store the parent)");
        }
    }
    if snap.wal_read {
        c.note("the -wal file beside the database was read too (rows not yet checkpointed)");
    }
    Ok(())
}

/// One session read: its collector, id and span.
type SessionRead = (Collector, String, Span);

/// The `messages` rows, stepped on this thread in (session, time, id)
/// order and grouped by session. `eager`: a session is handed to the pool
/// as soon as the next one starts, so reading overlaps stepping; `None`
/// when a session's rows then turn out to come in two runs (ids that sort
/// apart, a text and a blob alike), for the caller to read again with
/// every session handed on at the end. The stepping's own collector (rows
/// without a session), then the sessions in the query's order.
fn read_messages(
    conn: &rusqlite::Connection,
    path: &Path,
    first_row: u64,
    eager: bool,
) -> anyhow::Result<Option<(Collector, Vec<SessionRead>)>> {
    let mut c = Collector::new(path);
    let read_group = |group: Group| -> SessionRead {
        let mut sc = Collector::new(path);
        let mut conv = Conversation::new(&group.session_id);
        for m in group.rows {
            let idx = m.idx;
            let content = text_of_slice(&group.bytes[m.content]);
            let read = conv
                .message(&mut sc, m.role, m.time, &content, idx + 1)
                .map_err(|e| match serde_json::from_str::<&RawValue>(&content) {
                    // Only a column the items do not read is checked as
                    // JSON, to say which of the two it is not.
                    Err(json) => format!("content_json: {json}"),
                    Ok(_) => e,
                });
            match read {
                Ok(()) => sc.used(),
                Err(e) => sc.quarantine(
                    None,
                    Some(idx),
                    format!("messages row {idx} (session {}): {e}", group.session_id),
                    content.as_bytes(),
                ),
            }
        }
        let span = conv.finish(&mut sc);
        (sc, group.session_id, span)
    };
    let done: Mutex<Vec<(usize, SessionRead)>> = Mutex::new(Vec::new());
    // Only the columns read (of those this schema version has): SQLite's
    // sorter then carries four columns per row, not all of them.
    const READ: [&str; 4] = ["content_json", "session_id", "role", "created_timestamp"];
    let all = Columns::of(&conn.prepare("SELECT * FROM messages")?);
    let read_cols: Vec<&str> = READ
        .into_iter()
        .filter(|n| all.position(n).is_some())
        .collect();
    anyhow::ensure!(
        !read_cols.is_empty(),
        "messages has none of the columns read"
    );
    let mut stmt = conn.prepare(&format!(
        "SELECT {} FROM messages ORDER BY session_id, created_timestamp, id",
        read_cols.join(", ")
    ))?;
    let cols = Columns::of(&stmt);
    let [content_at, session_at, role_at, time_at] = READ.map(|n| cols.position(n));
    let stepped: anyhow::Result<bool> = rayon::in_place_scope(|s| {
        let hand_on = |k: usize, group: Group| {
            let (done, read_group) = (&done, &read_group);
            s.spawn(move |_| {
                let read = read_group(group);
                done.lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .push((k, read));
            });
        };
        // Groups by index; `None` once handed on.
        let mut groups: Vec<Option<Group>> = Vec::new();
        let mut group_of: PlHashMap<String, usize> = PlHashMap::default();
        // A new group's buffer starts as large as the last one ended.
        let mut room = 0;
        let mut row_index = first_row;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            let idx = row_index;
            row_index += 1;
            // Consecutive as a rule: the last group's id is compared in place.
            let last = groups.len().checked_sub(1);
            let g = match last.and_then(|g| groups[g].as_ref().map(|l| (g, l))) {
                Some((g, l)) if cols.bytes_at(row, session_at) == Some(l.session_id.as_bytes()) => {
                    g
                }
                _ => {
                    let Some(session_id) = cols.text_at(row, session_at).filter(|s| !s.is_empty())
                    else {
                        let mut content = Vec::new();
                        cols.append_bytes_at(row, content_at, &mut content);
                        c.quarantine(
                            None,
                            Some(idx),
                            format!("messages row {idx}: no session_id"),
                            text_of_slice(&content).as_bytes(),
                        );
                        continue;
                    };
                    match group_of.get(&session_id) {
                        Some(&g) if groups[g].is_none() => return Ok(false),
                        Some(&g) => g,
                        None => {
                            if let Some(l) = last {
                                if let Some(group) = &groups[l] {
                                    room = group.bytes.len();
                                }
                                if eager && let Some(group) = groups[l].take() {
                                    hand_on(l, group);
                                }
                            }
                            group_of.insert(session_id.clone(), groups.len());
                            groups.push(Some(Group {
                                session_id,
                                rows: Vec::new(),
                                bytes: Vec::with_capacity(room),
                            }));
                            groups.len() - 1
                        }
                    }
                }
            };
            let Some(group) = groups[g].as_mut() else {
                return Ok(false);
            };
            let at = group.bytes.len();
            // Made text on the session's thread.
            cols.append_bytes_at(row, content_at, &mut group.bytes);
            let role = cols
                .bytes_at(row, role_at)
                .and_then(|b| std::str::from_utf8(b).ok());
            let role = role_of(role.unwrap_or_default());
            group.rows.push(MessageRow {
                idx,
                role,
                time: seconds(cols.int_at(row, time_at).map(|t| t as f64)),
                content: at..group.bytes.len(),
            });
        }
        for (k, group) in groups.into_iter().enumerate() {
            if let Some(group) = group {
                hand_on(k, group);
            }
        }
        Ok(true)
    });
    if !stepped? {
        return Ok(None);
    }
    let mut read = done.into_inner().unwrap_or_else(|p| p.into_inner());
    read.sort_unstable_by_key(|(k, _)| *k);
    Ok(Some((c, read.into_iter().map(|(_, r)| r).collect())))
}

/// `created_at` / `updated_at`: SQLite's `CURRENT_TIMESTAMP` text (UTC,
/// no zone) or RFC 3339.
fn time_column(c: &mut Collector, t: Option<&str>) -> Option<i64> {
    let t = t?;
    if let Ok(n) = t.trim().parse::<f64>() {
        return seconds(Some(n));
    }
    // `CURRENT_TIMESTAMP` is UTC by definition: read it as such, without a note.
    if let Ok(ndt) = chrono::NaiveDateTime::parse_from_str(t.trim(), "%Y-%m-%d %H:%M:%S") {
        return Some(ndt.and_utc().timestamp_micros());
    }
    c.time(Some(t))
}

/// `model_name` in the `model_config_json` column of newer builds.
fn model_name(json: &str) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct M {
        model_name: Option<String>,
    }
    serde_json::from_str::<M>(json).ok()?.model_name
}
