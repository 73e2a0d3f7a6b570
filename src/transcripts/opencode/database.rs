//! The OpenCode database: the saved permission rules, then sessions,
//! messages and parts, each table in (time created, id) order so the rows
//! do not depend on the database's page layout. Every row read is one
//! record: used, skipped (a part type that is neither text nor a tool) or
//! quarantined (unreadable `data`, no id), the reason naming table, row
//! and id.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use super::super::sqlite::{Columns, open_snapshot, tables};
use super::super::util::{Collector, Distinct, Span, operator_for};
use super::super::{AgentSession, Role, TranscriptOptions};
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
    let snap = open_snapshot(path, bytes)?;
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

    let mut sessions: BTreeMap<String, SessionAcc> = BTreeMap::new();
    let mut order: Vec<String> = Vec::new();
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
            order.push(id.clone());
            sessions.insert(id, acc);
            c.used();
        }
    }

    let mut messages: HashMap<String, MessageMeta> = HashMap::new();
    {
        let mut stmt = conn.prepare(
            "SELECT id, session_id, time_created, data FROM message ORDER BY time_created, id",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            let idx = next();
            let id: Option<String> = row.get(0).ok();
            let session_id: Option<String> = row.get(1).ok();
            let created: Option<i64> = row.get(2).ok();
            let data: String = row.get(3).unwrap_or_default();
            let (Some(id), Some(session_id)) = (id, session_id) else {
                c.quarantine(
                    None,
                    Some(idx),
                    format!("message row {idx}: no id or session_id"),
                    data.as_bytes(),
                );
                continue;
            };
            let info = match serde_json::from_str::<MessageInfo>(&data) {
                Ok(i) => i,
                Err(e) => {
                    c.quarantine(
                        None,
                        Some(idx),
                        format!("message row {idx} ({id}): data unreadable: {e}"),
                        data.as_bytes(),
                    );
                    continue;
                }
            };
            let acc = session(&mut sessions, &mut order, &session_id);
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
    }

    {
        let mut stmt = conn.prepare(
            "SELECT id, message_id, session_id, time_created, data FROM part ORDER BY time_created, id",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            let idx = next();
            let id: String = row.get(0).unwrap_or_default();
            let message_id: String = row.get(1).unwrap_or_default();
            let session_id: Option<String> = row.get(2).ok();
            // Borrowed from the row: a part's JSON is read in place.
            let data: &str = match row.get_ref(4) {
                Ok(rusqlite::types::ValueRef::Text(t)) => {
                    std::str::from_utf8(t).unwrap_or_default()
                }
                _ => "",
            };
            let Some(session_id) = session_id.filter(|s| !s.is_empty()) else {
                c.quarantine(
                    None,
                    Some(idx),
                    format!("part row {idx} ({id}): no session_id"),
                    data.as_bytes(),
                );
                continue;
            };
            let part = match serde_json::from_str::<Part<'_>>(data) {
                Ok(p) => p,
                Err(e) => {
                    c.quarantine(
                        None,
                        Some(idx),
                        format!("part row {idx} ({id}): data unreadable: {e}"),
                        data.as_bytes(),
                    );
                    continue;
                }
            };
            let line = idx + 1;
            match part.kind.as_deref() {
                Some("tool") => {
                    let acc = session(&mut sessions, &mut order, &session_id);
                    let project = acc.project_id.as_deref().unwrap_or_default();
                    let rules = RuleSets {
                        session: &acc.rules,
                        saved: saved.get(project).map_or(&[], Vec::as_slice),
                    };
                    let call = tool_call(&session_id, &id, &part, line, &rules);
                    acc.span.add(call.started_at);
                    acc.span.add(call.ended_at);
                    c.out.tool_calls.push(call);
                    c.used();
                }
                Some("text") => {
                    let meta = messages.get(&message_id);
                    let role = match meta.and_then(|m| m.role.as_deref()) {
                        _ if part.synthetic == Some(true) => Some(Role::System),
                        Some("user") => Some(Role::User),
                        Some("assistant") => Some(Role::Assistant),
                        _ => None,
                    };
                    let Some(role) = role.filter(|_| part.ignored != Some(true)) else {
                        c.skipped("text part (ignored, or of an unknown message)");
                        continue;
                    };
                    let time =
                        ms(part.time.and_then(|t| t.start)).or_else(|| meta.and_then(|m| m.time));
                    let text = part.text.as_deref().unwrap_or("");
                    c.message(&session_id, time, role, text, line);
                    c.used();
                }
                Some(other) => c.skipped(&format!("part:{other}")),
                None => c.skipped("part:(no type)"),
            }
        }
    }

    for id in order {
        let Some(acc) = sessions.remove(&id) else {
            continue;
        };
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

/// A session met first through its messages or parts (its row missing).
fn session<'a>(
    sessions: &'a mut BTreeMap<String, SessionAcc>,
    order: &mut Vec<String>,
    id: &str,
) -> &'a mut SessionAcc {
    // Looked up first: a session's id is copied only once, when new.
    if !sessions.contains_key(id) {
        order.push(id.to_owned());
        sessions.insert(id.to_owned(), SessionAcc::default());
    }
    sessions
        .get_mut(id)
        .expect("the session was inserted above")
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
