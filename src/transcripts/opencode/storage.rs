//! One file of OpenCode's legacy JSON storage (before v1.2, and left
//! beside the database when a migration skipped it). Each file is one
//! record, told apart by its id's prefix: a session (`ses_…`) gives the
//! session row; a part (`prt_…`) gives a tool call or a message; a
//! message's info (`msg_…`) holds no text and is counted as skipped. A
//! text part's role is its message's, read from the message file the
//! storage layout puts at `storage/message/<sessionID>/<messageID>.json`.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::super::json_doc::Cursor;
use super::super::util::{Collector, Span, json_line_reason, operator_for};
use super::super::{AgentSession, Role, TranscriptOptions};
use super::AGENT;
use super::parts::{RuleSets, ms, tool_call};
use super::records::{MessageInfo, Part, SessionFile};

#[derive(Deserialize)]
struct Head {
    id: Option<String>,
}

/// Whether the first bytes are a legacy storage file: an object whose
/// `id` has OpenCode's prefix and which has the keys of its kind.
pub(crate) fn is_storage_file(head: &[u8]) -> bool {
    let mut cur = Cursor::new(head);
    if cur.begin_object().is_err() {
        return false;
    }
    let mut first = true;
    let mut id: Option<String> = None;
    let mut keys: Vec<String> = Vec::new();
    while let Ok(Some(k)) = cur.next_key(&mut first) {
        if k == "id" {
            let Ok((v, _)) = cur.value() else { break };
            id = serde_json::from_str::<String>(v.get()).ok();
        } else if cur.skip_value().is_err() {
            break;
        }
        keys.push(k);
        if keys.len() > 40 {
            break;
        }
    }
    let has = |k: &str| keys.iter().any(|x| x == k);
    let Some(id) = id else {
        return false;
    };
    if id.starts_with("ses_") {
        has("projectID") || (has("version") && has("time"))
    } else if id.starts_with("msg_") {
        has("sessionID") && has("role")
    } else if id.starts_with("prt_") {
        has("sessionID") && has("messageID") && has("type")
    } else {
        false
    }
}

pub(super) fn read_file(c: &mut Collector, path: &Path, bytes: &[u8], opts: &TranscriptOptions) {
    let head = match serde_json::from_slice::<Head>(bytes) {
        Ok(h) => h,
        Err(e) => {
            c.quarantine(Some(1), None, json_line_reason(bytes, &e), bytes);
            return;
        }
    };
    let id = head.id.unwrap_or_default();
    if id.starts_with("ses_") {
        session_file(c, path, bytes, opts);
    } else if id.starts_with("prt_") {
        part_file(c, path, bytes);
    } else if id.starts_with("msg_") {
        c.skipped("message info (its text is in its parts)");
    } else {
        c.quarantine(
            Some(1),
            None,
            format!("not an OpenCode session, message or part (id {id:?})"),
            bytes,
        );
    }
}

fn session_file(c: &mut Collector, path: &Path, bytes: &[u8], opts: &TranscriptOptions) {
    let s = match serde_json::from_slice::<SessionFile>(bytes) {
        Ok(s) => s,
        Err(e) => {
            c.quarantine(Some(1), None, format!("session file: {e}"), bytes);
            return;
        }
    };
    let mut span = Span::default();
    let t = s.time.unwrap_or_default();
    span.add(ms(t.created));
    span.add(ms(t.updated));
    let operator = operator_for(path, s.directory.as_deref(), opts);
    c.out.sessions.push(AgentSession {
        session_id: s.id.unwrap_or_default(),
        agent: AGENT.to_owned(),
        agent_version: s.version,
        model: None,
        started_at: span.first,
        ended_at: span.last,
        cwd: s.directory,
        git_branch: None,
        operator,
        approval_mode: None,
        sandbox: None,
        parent_session_id: s.parent_id,
        source_file: c.source_file.clone(),
    });
    c.used();
}

fn part_file(c: &mut Collector, path: &Path, bytes: &[u8]) {
    let part = match serde_json::from_slice::<Part<'_>>(bytes) {
        Ok(p) => p,
        Err(e) => {
            c.quarantine(Some(1), None, format!("part file: {e}"), bytes);
            return;
        }
    };
    let Some(session_id) = part.session_id.clone().filter(|s| !s.is_empty()) else {
        c.quarantine(Some(1), None, "part file without sessionID", bytes);
        return;
    };
    let part_id = part.id.as_deref().unwrap_or_default();
    match part.kind.as_deref() {
        Some("tool") => {
            let call = tool_call(&session_id, part_id, &part, 1, &RuleSets::default());
            c.out.tool_calls.push(call);
            c.used();
        }
        Some("text") => {
            let info = part
                .message_id
                .as_deref()
                .and_then(|m| message_info(path, &session_id, m));
            let role = match info.as_ref().and_then(|i| i.role.as_deref()) {
                _ if part.synthetic == Some(true) => Some(Role::System),
                Some("user") => Some(Role::User),
                Some("assistant") => Some(Role::Assistant),
                _ => None,
            };
            let Some(role) = role.filter(|_| part.ignored != Some(true)) else {
                c.skipped("text part (ignored, or its message file not found)");
                return;
            };
            let time = ms(part.time.and_then(|t| t.start)).or_else(|| {
                info.as_ref()
                    .and_then(|i| ms(i.time.and_then(|t| t.created)))
            });
            c.message(
                &session_id,
                time,
                role,
                part.text.as_deref().unwrap_or(""),
                1,
            );
            c.used();
        }
        Some(other) => c.skipped(&format!("part:{other}")),
        None => c.skipped("part:(no type)"),
    }
}

/// `storage/message/<sessionID>/<messageID>.json` for a part at
/// `storage/part/<messageID>/<partID>.json`.
fn message_path(part: &Path, session_id: &str, message_id: &str) -> Option<PathBuf> {
    let storage = part.parent()?.parent()?.parent()?;
    let ok = |s: &str| !s.is_empty() && !s.contains(['/', '\\']) && s != "..";
    (ok(session_id) && ok(message_id)).then(|| {
        storage
            .join("message")
            .join(session_id)
            .join(format!("{message_id}.json"))
    })
}

fn message_info(part: &Path, session_id: &str, message_id: &str) -> Option<MessageInfo> {
    let p = message_path(part, session_id, message_id)?;
    let bytes = std::fs::read(p).ok()?;
    let info: MessageInfo = serde_json::from_slice(&bytes).ok()?;
    (info.id.as_deref() == Some(message_id) && info.session_id.as_deref() == Some(session_id))
        .then_some(info)
}
