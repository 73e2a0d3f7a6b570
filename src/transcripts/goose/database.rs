//! The Goose database: `sessions` in (created, id) order, then
//! `messages` in (session, time, id) order, each session's messages read
//! as one conversation. Every row is one record: used or quarantined
//! (no id, unreadable `content_json`), the reason naming table, row and
//! session. Columns are read by name, since each schema version added
//! some.

use std::collections::BTreeMap;
use std::path::Path;

use rayon::prelude::*;
use serde_json::value::RawValue;

use super::super::sqlite::{Columns, open_snapshot, tables, text_of_slice};
use super::super::util::{Collector, Span, operator_for};
use super::super::{AgentSession, Role, TranscriptOptions};
use super::AGENT;
use super::conversation::{Conversation, seconds};

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

    // The messages, stepped on this thread and grouped by session in the
    // order they come (the query gives each session's rows together);
    // each session is read on any core into its own collector, and the
    // collectors are taken back in the query's order, so the rows come
    // out as one thread gives them.
    let mut groups: Vec<Group> = Vec::new();
    let mut group_of: std::collections::HashMap<String, usize> = Default::default();
    {
        let mut stmt =
            conn.prepare("SELECT * FROM messages ORDER BY session_id, created_timestamp, id")?;
        let cols = Columns::of(&stmt);
        let [content_at, session_at, role_at, time_at] =
            ["content_json", "session_id", "role", "created_timestamp"].map(|n| cols.position(n));
        // A new group's buffer starts as large as the last one ended.
        let mut room = 0;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            let idx = row_index;
            row_index += 1;
            // Consecutive as a rule: the last group's id is compared in
            // place. A session whose ids sort apart (an integer and a text
            // id alike) is still one conversation.
            let g = match groups.last() {
                Some(last) if cols.is_text_at(row, session_at, &last.session_id) => {
                    groups.len() - 1
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
                        Some(&g) => g,
                        None => {
                            if let Some(last) = groups.last() {
                                room = last.bytes.len();
                            }
                            group_of.insert(session_id.clone(), groups.len());
                            groups.push(Group {
                                session_id,
                                rows: Vec::new(),
                                bytes: Vec::with_capacity(room),
                            });
                            groups.len() - 1
                        }
                    }
                }
            };
            let group = &mut groups[g];
            let at = group.bytes.len();
            // Made text on the session's thread.
            cols.append_bytes_at(row, content_at, &mut group.bytes);
            // `role_of` of the column's text, without a copy of it.
            let role = if cols.is_text_at(row, role_at, "user") {
                Role::User
            } else if cols.is_text_at(row, role_at, "assistant") {
                Role::Assistant
            } else {
                Role::System
            };
            group.rows.push(MessageRow {
                idx,
                role,
                time: seconds(cols.int_at(row, time_at).map(|t| t as f64)),
                content: at..group.bytes.len(),
            });
        }
    }
    let read: Vec<(Collector, Conversation)> = groups
        .into_par_iter()
        .map(|group| {
            let mut sc = Collector::new(path);
            let mut conv = Conversation::new(&group.session_id);
            for m in group.rows {
                let idx = m.idx;
                let content = text_of_slice(&group.bytes[m.content]);
                let read = conv
                    .message(&mut sc, m.role, m.time, &content, idx + 1)
                    .map_err(|e| match serde_json::from_str::<&RawValue>(&content) {
                        // Only a column the items do not read is checked
                        // as JSON, to say which of the two it is not.
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
            (sc, conv)
        })
        .collect();
    let mut convs: BTreeMap<String, Conversation> = BTreeMap::new();
    for (sc, conv) in read {
        c.absorb(sc);
        if !rows_by_id.contains_key(&conv.session_id) {
            order.push(conv.session_id.clone());
        }
        convs.insert(conv.session_id.clone(), conv);
    }

    for id in order {
        let row = rows_by_id.remove(&id).unwrap_or_default();
        let mut span = row.span;
        if let Some(conv) = convs.remove(&id) {
            let s = conv.finish(c);
            span.add(s.first);
            span.add(s.last);
        }
        let operator = operator_for(path, row.working_dir.as_deref(), opts);
        c.out.sessions.push(AgentSession {
            session_id: id,
            agent: AGENT.to_owned(),
            agent_version: None,
            model: row.model,
            started_at: span.first,
            ended_at: span.last,
            cwd: row.working_dir,
            git_branch: None,
            operator,
            approval_mode: None,
            sandbox: None,
            parent_session_id: None,
            source_file: c.source_file.clone(),
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
