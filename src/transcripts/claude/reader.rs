//! The reader of Claude Code lines into sessions: which session a line
//! belongs to (a subagent file is its own, under its parent), the
//! permission mode in force, messages with their roles, and at the end the
//! session rows with their calls.

use std::path::Path;

use polars::prelude::PlHashMap;

use super::super::json_doc::{Cursor, WalkError};
use super::super::text::json_str_prefix;
use super::super::util::{Collector, Distinct, Span, file_stem, json_line_reason, operator_for};
use super::super::{AgentSession, ParsedTranscript, Role, TranscriptOptions};
use super::TEXT_PREFIX;
use super::calls::{PendingCall, ResultInfo, finish_call};
use super::chain::{At, Chain, Link};
use super::records::{Content, Item, Line, raw_str};

#[derive(Default)]
pub(super) struct SessionAcc {
    id: String,
    parent: Option<String>,
    span: Span,
    version: Option<String>,
    cwd: Option<String>,
    branch: Option<String>,
    models: Distinct,
    modes: Distinct,
    /// The permission mode in force now.
    pub(super) mode: Option<String>,
}

impl SessionAcc {
    fn set_mode(&mut self, m: &str) {
        self.modes.push(m);
        if self.mode.as_deref() != Some(m) {
            self.mode = Some(m.to_owned());
        }
    }
}

pub(super) struct Reader<'o> {
    pub(super) c: Collector,
    opts: &'o TranscriptOptions,
    path: &'o Path,
    default_session: String,
    /// `(session id, parent id)` when the file is a subagent's.
    subagent: Option<(String, String)>,
    pub(super) sessions: Vec<SessionAcc>,
    session_idx: PlHashMap<String, usize>,
    current: Option<usize>,
    pub(super) calls: Vec<PendingCall>,
    pub(super) call_idx: PlHashMap<String, usize>,
    pub(super) orphan_results: PlHashMap<String, ResultInfo>,
    chain: Chain,
    /// The record being read: its number in the file and its line.
    pub(super) at: At,
}

fn subagent_ids(path: &Path) -> Option<(String, String)> {
    let stem = file_stem(path);
    let dir = path.parent()?;
    if dir.file_name()? != "subagents" || !stem.starts_with("agent-") {
        return None;
    }
    let parent = dir.parent()?.file_name()?.to_string_lossy().into_owned();
    Some((format!("{parent}/{stem}"), parent))
}

impl<'o> Reader<'o> {
    pub(super) fn new(path: &'o Path, opts: &'o TranscriptOptions) -> Self {
        Self {
            c: Collector::new(path),
            opts,
            path,
            default_session: file_stem(path),
            subagent: subagent_ids(path),
            sessions: Vec::new(),
            session_idx: PlHashMap::default(),
            current: None,
            calls: Vec::new(),
            call_idx: PlHashMap::default(),
            orphan_results: PlHashMap::default(),
            chain: Chain::default(),
            at: At::default(),
        }
    }

    pub(super) fn read_loglines(&mut self, bytes: &[u8]) {
        let mut cur = Cursor::new(bytes);
        let walked = (|| -> Result<(), WalkError> {
            cur.begin_object()?;
            let mut first = true;
            while let Some(key) = cur.next_key(&mut first)? {
                if key != "loglines" {
                    cur.skip_value()?;
                    continue;
                }
                if !cur.begin_array()? {
                    continue;
                }
                let mut f = true;
                while let Some((item, pos)) = cur.next_item(&mut f)? {
                    let line = cur.line_at(pos);
                    self.record(line, item.get().as_bytes());
                }
            }
            Ok(())
        })();
        match walked {
            Ok(()) => self.c.used(),
            Err(e) => {
                let line = cur.line_at(e.pos);
                let rest = &bytes[e.pos.min(bytes.len())..];
                self.c.quarantine(
                    Some(line),
                    None,
                    format!("loglines export: {}", e.reason),
                    rest,
                );
            }
        }
    }

    fn session(&mut self, line_session: Option<&str>) -> usize {
        let (key, parent) = match &self.subagent {
            Some((id, parent)) => (id.as_str(), Some(line_session.unwrap_or(parent))),
            None => (line_session.unwrap_or(&self.default_session), None),
        };
        if let Some(&i) = self.session_idx.get(key) {
            self.current = Some(i);
            return i;
        }
        let i = self.sessions.len();
        self.sessions.push(SessionAcc {
            id: key.to_owned(),
            parent: parent.map(str::to_owned),
            ..SessionAcc::default()
        });
        self.session_idx.insert(key.to_owned(), i);
        self.current = Some(i);
        i
    }

    pub(super) fn record(&mut self, no: u64, raw: &[u8]) {
        // Validated once here, so that borrowed values are not re-validated.
        let Ok(text) = std::str::from_utf8(raw) else {
            self.c.quarantine(Some(no), None, "not UTF-8 text", raw);
            return;
        };
        let rec = match Line::read(text) {
            Ok(r) => r,
            Err(e) => {
                let reason = json_line_reason(raw, &e);
                self.c.quarantine(Some(no), None, reason, raw);
                return;
            }
        };
        self.at = At {
            seq: self.at.seq + 1,
            line: no,
        };
        let (uuid, parent) = (raw_str(rec.uuid), raw_str(rec.parent_uuid));
        self.chain.add(&Link {
            at: self.at,
            uuid: uuid.as_deref(),
            parent: parent.as_deref(),
            logical_parent: rec.logical_parent_uuid.is_some_and(|v| v.get() != "null"),
            compact_boundary: raw_str(rec.subtype).as_deref() == Some("compact_boundary"),
            session: rec.session_id.as_deref(),
            timestamp: rec.timestamp.as_deref(),
        });
        match rec.kind.as_deref() {
            Some(kind @ ("user" | "assistant")) => {
                let produced = self.message_line(no, &rec, kind == "user");
                if produced {
                    self.c.used();
                } else if kind == "user" {
                    self.c.skipped("user:no-rows");
                } else {
                    self.c.skipped("assistant:no-rows");
                }
            }
            Some("permission-mode") => {
                let s = match (&rec.session_id, self.current) {
                    (Some(id), _) => self.session(Some(id)),
                    (None, Some(i)) => i,
                    (None, None) => self.session(None),
                };
                if let Some(m) = rec.permission_mode.as_deref() {
                    self.sessions[s].set_mode(m);
                }
                self.c.used();
            }
            Some(kind) => self.c.skipped(kind),
            None => self.c.skipped("(no type)"),
        }
    }

    /// Reads a user or assistant line; returns whether it produced anything.
    fn message_line(&mut self, no: u64, rec: &Line<'_>, is_user: bool) -> bool {
        let s = self.session(rec.session_id.as_deref());
        let time = self.c.time(rec.timestamp.as_deref());
        let sess = &mut self.sessions[s];
        sess.span.add(time);
        if sess.version.is_none() {
            sess.version = rec.version.as_deref().map(str::to_owned);
        }
        if sess.cwd.is_none() {
            sess.cwd = rec.cwd.as_deref().map(str::to_owned);
        }
        if sess.branch.is_none() {
            sess.branch = rec
                .git_branch
                .as_deref()
                .filter(|b| !b.is_empty())
                .map(str::to_owned);
        }
        if let Some(m) = rec.permission_mode.as_deref() {
            sess.set_mode(m);
        }
        let session_id = sess.id.clone();

        let Some(msg) = &rec.message.0 else {
            return false;
        };
        if !is_user && let Some(model) = msg.model.as_deref().filter(|m| *m != "<synthetic>") {
            self.sessions[s].models.push(model);
        }
        let user_role = || {
            if rec.is_meta == Some(true) || rec.is_compact_summary == Some(true) {
                Role::System
            } else {
                Role::User
            }
        };
        let text_role = |text: &str| {
            if is_user {
                classify_user_text(text, user_role())
            } else {
                Role::Assistant
            }
        };
        match &msg.content {
            Content::Text(text) => self.c.message(&session_id, time, text_role(text), text, no),
            Content::Items(items) => {
                let results = items
                    .iter()
                    .filter(
                        |i| matches!(i, Item::Block(b) if b.kind.as_deref() == Some("tool_result")),
                    )
                    .count();
                let mut produced = false;
                for (idx, item) in items.iter().enumerate() {
                    let block = match item {
                        Item::Text(text) => {
                            produced |=
                                self.c.message(&session_id, time, text_role(text), text, no);
                            continue;
                        }
                        Item::Block(b) => b,
                        Item::Other => continue,
                    };
                    match block.kind.as_deref() {
                        Some("text") => {
                            let text = block
                                .text
                                .and_then(|t| json_str_prefix(t.get(), TEXT_PREFIX))
                                .unwrap_or_default();
                            produced |=
                                self.c
                                    .message(&session_id, time, text_role(&text), &text, no);
                        }
                        Some("tool_use") if !is_user => {
                            self.tool_use(&session_id, s, time, no, idx, block);
                            produced = true;
                        }
                        Some("tool_result") => {
                            let use_result = if results == 1 {
                                rec.tool_use_result
                            } else {
                                None
                            };
                            self.tool_result(time, block, use_result);
                            produced = true;
                        }
                        _ => {}
                    }
                }
                produced
            }
            Content::None => false,
        }
    }

    pub(super) fn finish(mut self) -> ParsedTranscript {
        let mut unmatched = 0;
        for (id, info) in std::mem::take(&mut self.orphan_results) {
            match self.call_idx.get(&id) {
                Some(&i) if self.calls[i].result.is_none() => self.calls[i].result = Some(info),
                _ => unmatched += 1,
            }
        }
        if unmatched > 0 {
            self.c.note(format!(
                "{unmatched} tool result(s) have no matching tool_use in this file"
            ));
        }
        for p in std::mem::take(&mut self.calls) {
            let chain_break = self.chain.call_break(p.at, p.result.as_ref().map(|r| r.at));
            let mut call = finish_call(p);
            call.chain_break = chain_break;
            self.c.out.tool_calls.push(call);
        }
        for s in std::mem::take(&mut self.sessions) {
            let operator = operator_for(self.path, s.cwd.as_deref(), self.opts);
            self.c.out.sessions.push(AgentSession {
                session_id: s.id,
                agent: "claude-code".to_owned(),
                agent_version: s.version,
                model: s.models.joined(),
                started_at: s.span.first,
                ended_at: s.span.last,
                cwd: s.cwd,
                git_branch: s.branch,
                operator,
                approval_mode: s.modes.joined(),
                sandbox: None,
                parent_session_id: s.parent,
                source_file: self.c.source_file.clone(),
            });
        }
        self.c.finish()
    }
}

/// Injected text (caveats, local command output, compaction summaries) is
/// the tool's, not the person's.
fn classify_user_text(text: &str, default: Role) -> Role {
    let t = text.trim_start();
    let injected = [
        "<local-command-stdout>",
        "<local-command-stderr>",
        "<local-command-caveat>",
        "<system-reminder>",
        "Caveat: The messages below were generated by the user while running local commands",
    ];
    if injected.iter().any(|p| t.starts_with(p)) {
        Role::System
    } else {
        default
    }
}
