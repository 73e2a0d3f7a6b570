//! The OpenCode database: the saved permission rules, then sessions,
//! messages and parts, each table in (time created, id) order so the rows
//! do not depend on the database's page layout (messages and parts are
//! read on every core and put in that order after,
//! `sqlite::scan_in_order`). Every row read is one record: used, skipped
//! (a part type that is neither text nor a tool) or quarantined
//! (unreadable `data`, no id), the reason naming table, row and id.

use std::collections::HashMap;
use std::path::Path;

use super::super::sqlite::{Columns, ScannedRow, open_snapshot, scan_in_order, tables};
use super::super::text::excerpt;
use super::super::util::{Collector, Distinct, RAW_MAX, Span, operator_for};
use super::super::{AgentSession, Role, ToolCall, TranscriptOptions};
use super::parts::{RuleSets, ms, tool_call};
use super::records::{MessageInfo, Part, Rule};
use super::{AGENT, TABLES};

/// What is known about one session while its rows are read.
#[derive(Default)]
struct SessionAcc {
    project_id: Option<String>,
    parent_id: Option<String>,
    directory: Option<String>,
    version: Option<String>,
    rules: Vec<Rule>,
    models: Distinct,
    span: Span,
}

/// A message's role and time, for its text parts.
struct MessageMeta {
    role: Option<String>,
    time: Option<i64>,
}

pub(super) fn read_database(
    c: &mut Collector,
    path: &Path,
    bytes: &[u8],
    opts: &TranscriptOptions,
) -> anyhow::Result<()> {
    let mut clock = crate::progress::Clock::new();
    let snap = open_snapshot(path, bytes)?;
    clock.lap("    opencode: snapshot");
    let conn = &snap.conn;
    let present = tables(conn)?;
    let missing: Vec<&str> = TABLES
        .iter()
        .copied()
        .filter(|t| !present.contains(*t))
        .collect();
    anyhow::ensure!(
        missing.is_empty(),
        "no {} table (not an OpenCode database, or its rows are still only in a -wal file that was not found)",
        missing.join(", ")
    );
    let mut row_index = 0u64;
    let mut next = || {
        row_index += 1;
        row_index - 1
    };

    // The project's saved "always" answers.
    let mut saved: HashMap<String, Vec<Rule>> = HashMap::new();
    if present.contains("permission") {
        let mut stmt = conn.prepare("SELECT * FROM permission ORDER BY project_id")?;
        let cols = Columns::of(&stmt);
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            let idx = next();
            let project = cols.text(row, "project_id").unwrap_or_default();
            let data = cols.text(row, "data").unwrap_or_default();
            match serde_json::from_str::<Vec<Rule>>(&data) {
                Ok(rules) => {
                    saved.insert(project, rules);
                    c.used();
                }
                Err(e) => c.quarantine(
                    None,
                    Some(idx),
                    format!("permission row {idx} (project {project}): rules unreadable: {e}"),
                    data.as_bytes(),
                ),
            }
        }
    }

    let mut sessions = Sessions::default();
    {
        let mut stmt = conn.prepare("SELECT * FROM session ORDER BY time_created, id")?;
        let cols = Columns::of(&stmt);
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            let idx = next();
            let Some(id) = cols.text(row, "id").filter(|s| !s.is_empty()) else {
                c.quarantine(None, Some(idx), format!("session row {idx}: no id"), b"");
                continue;
            };
            let mut acc = SessionAcc {
                project_id: cols.text(row, "project_id"),
                parent_id: cols.text(row, "parent_id"),
                directory: cols.text(row, "directory"),
                version: cols.text(row, "version"),
                ..SessionAcc::default()
            };
            if let Some(p) = cols.text(row, "permission") {
                match serde_json::from_str::<Vec<Rule>>(&p) {
                    Ok(r) => acc.rules = r,
                    Err(e) => c.note(format!(
                        "session {id}: permission ruleset unreadable ({e}); its calls were checked without it"
                    )),
                }
            }
            acc.span
                .add(ms(cols.int(row, "time_created").map(|t| t as f64)));
            acc.span
                .add(ms(cols.int(row, "time_updated").map(|t| t as f64)));
            if let Some(m) = cols.text(row, "model").and_then(|m| model_of(&m)) {
                acc.models.push(&m);
            }
            sessions.insert(id, acc);
            c.used();
        }
    }

    clock.lap("    opencode: sessions");
    let mut messages: HashMap<String, MessageMeta> = HashMap::new();
    let rows = scan_in_order(
        conn,
        "SELECT time_created, id, session_id, data FROM message",
        |r| {
            let data = r.text(2).unwrap_or_default();
            let (Some(id), Some(session_id)) = (r.text(0), r.text(1)) else {
                return MessageRow::NoId(raw(data));
            };
            match serde_json::from_str::<MessageInfo>(data) {
                Ok(info) => MessageRow::Read {
                    id: id.to_owned(),
                    session_id: session_id.to_owned(),
                    created: r.time(),
                    info: Box::new(info),
                },
                Err(e) => MessageRow::Unreadable {
                    id: id.to_owned(),
                    error: e.to_string(),
                    data: raw(data),
                },
            }
        },
    )?;
    for row in rows {
        let idx = next();
        let (id, session_id, created, info) = match row {
            MessageRow::NoId(data) => {
                c.quarantine(
                    None,
                    Some(idx),
                    format!("message row {idx}: no id or session_id"),
                    &data,
                );
                continue;
            }
            MessageRow::Unreadable { id, error, data } => {
                c.quarantine(
                    None,
                    Some(idx),
                    format!("message row {idx} ({id}): data unreadable: {error}"),
                    &data,
                );
                continue;
            }
            MessageRow::Read {
                id,
                session_id,
                created,
                info,
            } => (id, session_id, created, info),
        };
        let acc = sessions.entry(&session_id);
        let t = info.time.unwrap_or_default();
        let time = ms(t.created).or(ms(created.map(|t| t as f64)));
        acc.span.add(time);
        acc.span.add(ms(t.completed));
        if let Some(m) = info
            .model_id
            .clone()
            .or_else(|| info.model.as_ref().and_then(|m| m.model_id.clone()))
        {
            acc.models.push(&m);
        }
        if acc.directory.is_none() {
            acc.directory = info.path.as_ref().and_then(|p| p.cwd.clone());
        }
        messages.insert(
            id,
            MessageMeta {
                role: info.role,
                time,
            },
        );
        c.used();
    }

    clock.lap("    opencode: messages");
    // Parts are most of the database: read (JSON, commands, excerpts) on
    // every core, then taken in order.
    let rows = scan_in_order(
        conn,
        "SELECT time_created, id, message_id, session_id, data FROM part",
        |r| part_row(&r, &sessions, &saved, &messages),
    )?;
    clock.lap("    opencode: parts read");
    let calls = rows
        .iter()
        .filter(|r| matches!(r, PartRow::Call { .. }))
        .count();
    c.out.tool_calls.reserve(calls);
    c.out.messages.reserve(rows.len() - calls);
    for row in rows {
        let idx = next();
        let line = idx + 1;
        match row {
            PartRow::NoSession { id, data } => c.quarantine(
                None,
                Some(idx),
                format!("part row {idx} ({id}): no session_id"),
                &data,
            ),
            PartRow::Unreadable { id, error, data } => c.quarantine(
                None,
                Some(idx),
                format!("part row {idx} ({id}): data unreadable: {error}"),
                &data,
            ),
            PartRow::Call { session_id, call } => {
                let mut call = *call;
                call.source_line = line;
                let acc = sessions.entry(&session_id);
                acc.span.add(call.started_at);
                acc.span.add(call.ended_at);
                c.out.tool_calls.push(call);
                c.used();
            }
            PartRow::Text {
                session_id,
                role,
                time,
                excerpt,
            } => {
                let Some(role) = role else {
                    c.skipped("text part (ignored, or of an unknown message)");
                    continue;
                };
                if let Some(text_excerpt) = excerpt {
                    c.excerpt_message(session_id, time, role, text_excerpt, line);
                }
                c.used();
            }
            PartRow::Skipped(kind) => c.skipped(&kind),
        }
    }

    clock.lap("    opencode: parts taken");
    for (id, acc) in sessions.list {
        let operator = operator_for(path, acc.directory.as_deref(), opts);
        c.out.sessions.push(AgentSession {
            session_id: id,
            agent: AGENT.to_owned(),
            agent_version: acc.version,
            model: acc.models.joined(),
            started_at: acc.span.first,
            ended_at: acc.span.last,
            cwd: acc.directory,
            git_branch: None,
            operator,
            approval_mode: None,
            sandbox: None,
            parent_session_id: acc.parent_id,
            source_file: c.source_file.clone(),
        });
    }
    if snap.wal_read {
        c.note("the -wal file beside the database was read too (rows not yet checkpointed)");
    }
    Ok(())
}

/// A message row as read on any thread.
enum MessageRow {
    /// No id or session id: the data, for the quarantine.
    NoId(Vec<u8>),
    Unreadable {
        id: String,
        error: String,
        data: Vec<u8>,
    },
    Read {
        id: String,
        session_id: String,
        created: Option<i64>,
        info: Box<MessageInfo>,
    },
}

/// A part row as read on any thread: everything but its place in the
/// table (its line) and the session's time span, which follow the order.
enum PartRow {
    NoSession {
        id: String,
        data: Vec<u8>,
    },
    Unreadable {
        id: String,
        error: String,
        data: Vec<u8>,
    },
    Call {
        session_id: String,
        call: Box<ToolCall>,
    },
    /// A text part; `role` none when ignored or of an unknown message.
    Text {
        session_id: String,
        role: Option<Role>,
        time: Option<i64>,
        excerpt: Option<String>,
    },
    Skipped(String),
}

/// A quarantined row's data, as much as the quarantine keeps.
fn raw(data: &str) -> Vec<u8> {
    data.as_bytes()[..data.len().min(RAW_MAX)].to_vec()
}

/// One part row: a tool part checked against its session's rules and the
/// project's saved answers (sessions are all read before the parts).
fn part_row(
    r: &ScannedRow<'_>,
    sessions: &Sessions,
    saved: &HashMap<String, Vec<Rule>>,
    messages: &HashMap<String, MessageMeta>,
) -> PartRow {
    let id = r.text(0).unwrap_or_default();
    let message_id = r.text(1).unwrap_or_default();
    // Borrowed from the batch: a part's JSON is read in place.
    let data = r.text(3).unwrap_or_default();
    let Some(session_id) = r.text(2).filter(|s| !s.is_empty()) else {
        return PartRow::NoSession {
            id: id.to_owned(),
            data: raw(data),
        };
    };
    let part = match Part::read(data) {
        Ok(p) => p,
        Err(e) => {
            return PartRow::Unreadable {
                id: id.to_owned(),
                error: e.to_string(),
                data: raw(data),
            };
        }
    };
    match part.kind.as_deref() {
        Some("tool") => {
            let acc = sessions.get(session_id);
            let project = acc
                .and_then(|a| a.project_id.as_deref())
                .unwrap_or_default();
            let rules = RuleSets {
                session: acc.map_or(&[], |a| a.rules.as_slice()),
                saved: saved.get(project).map_or(&[], Vec::as_slice),
            };
            PartRow::Call {
                session_id: session_id.to_owned(),
                call: Box::new(tool_call(session_id, id, &part, 0, &rules)),
            }
        }
        Some("text") => {
            // Its role and time from its message (all read before the parts).
            let meta = messages.get(message_id);
            let role = match meta.and_then(|m| m.role.as_deref()) {
                _ if part.synthetic == Some(true) => Some(Role::System),
                Some("user") => Some(Role::User),
                Some("assistant") => Some(Role::Assistant),
                _ => None,
            };
            let role = role.filter(|_| part.ignored != Some(true));
            PartRow::Text {
                session_id: session_id.to_owned(),
                role,
                time: ms(part.time.and_then(|t| t.start)).or_else(|| meta.and_then(|m| m.time)),
                excerpt: role.and_then(|_| excerpt(part.text.as_deref().unwrap_or(""))),
            }
        }
        Some(other) => PartRow::Skipped(format!("part:{other}")),
        None => PartRow::Skipped("part:(no type)".to_owned()),
    }
}

/// The sessions in the order first met, by id.
#[derive(Default)]
struct Sessions {
    list: Vec<(String, SessionAcc)>,
    index: HashMap<String, usize>,
    /// The last one asked for: a table's rows come in runs of a session.
    last: usize,
}

impl Sessions {
    /// A session's row; a second row of the same id replaces the first.
    fn insert(&mut self, id: String, acc: SessionAcc) {
        match self.index.get(&id) {
            Some(&i) => self.list[i].1 = acc,
            None => {
                self.index.insert(id.clone(), self.list.len());
                self.list.push((id, acc));
            }
        }
    }

    fn get(&self, id: &str) -> Option<&SessionAcc> {
        self.index.get(id).map(|&i| &self.list[i].1)
    }

    /// The session `id`, made when met first through its messages or
    /// parts (its row missing).
    fn entry(&mut self, id: &str) -> &mut SessionAcc {
        if self.list.get(self.last).is_none_or(|(last, _)| last != id) {
            self.last = match self.index.get(id) {
                Some(&i) => i,
                None => {
                    self.index.insert(id.to_owned(), self.list.len());
                    self.list.push((id.to_owned(), SessionAcc::default()));
                    self.list.len() - 1
                }
            };
        }
        &mut self.list[self.last].1
    }
}

/// The model id in the session's `model` column: `{id, providerID}`.
fn model_of(json: &str) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct M {
        id: Option<String>,
        #[serde(rename = "modelID")]
        model_id: Option<String>,
    }
    let m: M = serde_json::from_str(json).ok()?;
    m.id.or(m.model_id)
}
