//! Replays a Gemini CLI recording the way gemini-cli's own loader does:
//! message records upserted by id, `$set` patches, `$rewindTo` cuts (a call
//! that had already run is kept), and at the end the session row with its
//! messages and calls.

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::Path;

use serde::Deserialize;
use serde_json::value::RawValue;

use super::super::text::{first_byte, json_str, text_of};
use super::super::util::{Collector, Distinct, Span, file_stem, json_line_reason, operator_for};
use super::super::{AgentSession, ParsedTranscript, Role, ToolCall, TranscriptOptions};
use super::records::{GMsg, GTool, Meta, Rec};

struct Stored<'a> {
    raw: &'a RawValue,
    line: u64,
    /// The record had a line of its own (not inside `$set.messages`).
    own_line: bool,
}

pub(super) struct Reader<'a> {
    pub(super) c: Collector,
    session_id: Option<String>,
    started: Option<i64>,
    last_updated: Option<i64>,
    kind: Option<String>,
    cwd: Option<String>,
    entries: Vec<Option<Stored<'a>>>,
    index: HashMap<String, usize>,
    span: Span,
    models: Distinct,
    calls: Vec<ToolCall>,
    call_idx: HashMap<String, usize>,
    rewound_messages: u64,
    rewound_calls_kept: u64,
}

fn is_string(v: Option<&RawValue>) -> bool {
    v.is_some_and(|v| first_byte(v.get().as_bytes()) == Some(b'"'))
}

impl<'a> Reader<'a> {
    pub(super) fn new(path: &Path) -> Self {
        Self {
            c: Collector::new(path),
            session_id: None,
            started: None,
            last_updated: None,
            kind: None,
            cwd: None,
            entries: Vec::new(),
            index: HashMap::new(),
            span: Span::default(),
            models: Distinct::default(),
            calls: Vec::new(),
            call_idx: HashMap::new(),
            rewound_messages: 0,
            rewound_calls_kept: 0,
        }
    }

    pub(super) fn line(&mut self, no: u64, raw: &'a [u8]) {
        let rec: Rec<'a> = match serde_json::from_slice(raw) {
            Ok(r) => r,
            Err(e) => {
                let reason = json_line_reason(raw, &e);
                self.c.quarantine(Some(no), None, reason, raw);
                return;
            }
        };
        if let Some(target) = rec.rewind_to.and_then(json_str) {
            self.rewind(&target);
            self.c.used();
        } else if let Some(id) = rec.id.and_then(json_str) {
            let Ok(whole) = serde_json::from_slice::<&'a RawValue>(raw) else {
                self.c
                    .quarantine(Some(no), None, "unreadable message record", raw);
                return;
            };
            self.upsert(
                &id,
                Stored {
                    raw: whole,
                    line: no,
                    own_line: true,
                },
            );
            // counted when its final fate is known (kept, superseded, rewound)
        } else if let Some(set) = rec
            .set
            .filter(|s| first_byte(s.get().as_bytes()) == Some(b'{'))
        {
            self.metadata(set, no);
            self.c.used();
        } else if is_string(rec.session_id) && is_string(rec.project_hash) {
            if let Ok(whole) = serde_json::from_slice::<&'a RawValue>(raw) {
                self.metadata(whole, no);
            }
            self.c.used();
        } else {
            self.c.skipped("(unrecognised record)");
        }
    }

    fn metadata(&mut self, raw: &'a RawValue, no: u64) {
        let Ok(m) = serde_json::from_str::<Meta<'a>>(raw.get()) else {
            self.c
                .note(format!("line {no}: session metadata could not be read"));
            return;
        };
        if let Some(id) = m.session_id.as_deref() {
            self.session_id = Some(id.to_owned());
        }
        if self.started.is_none() && m.start_time.is_some() {
            self.started = self.c.time(m.start_time.as_deref());
        }
        if m.last_updated.is_some() {
            self.last_updated = self.c.time(m.last_updated.as_deref()).or(self.last_updated);
        }
        if let Some(k) = m.kind.as_deref() {
            self.kind = Some(k.to_owned());
        }
        if let Some(d) = m.directories.as_ref().and_then(|d| d.first()) {
            self.cwd = Some(d.clone());
        }
        if let Some(msgs) = m.messages
            && let Ok(items) = serde_json::from_str::<Vec<&'a RawValue>>(msgs.get())
        {
            for item in items {
                #[derive(Deserialize)]
                struct Id<'b> {
                    #[serde(borrow)]
                    id: Option<Cow<'b, str>>,
                }
                if let Ok(Id { id: Some(id) }) = serde_json::from_str::<Id<'_>>(item.get()) {
                    self.upsert(
                        &id,
                        Stored {
                            raw: item,
                            line: no,
                            own_line: false,
                        },
                    );
                }
            }
        }
    }

    pub(super) fn document_member(&mut self, key: &str, value: &'a RawValue) {
        let s = json_str(value);
        match key {
            "sessionId" => self.session_id = s.map(Cow::into_owned),
            "startTime" => self.started = self.c.time(s.as_deref()),
            "lastUpdated" => self.last_updated = self.c.time(s.as_deref()),
            "kind" => self.kind = s.map(Cow::into_owned),
            "directories" => {
                self.cwd = serde_json::from_str::<Vec<String>>(value.get())
                    .ok()
                    .and_then(|d| d.into_iter().next());
            }
            _ => {}
        }
    }

    pub(super) fn document_message(&mut self, line: u64, idx: u64, item: &'a RawValue) {
        #[derive(Deserialize)]
        struct Id<'b> {
            #[serde(borrow)]
            id: Option<Cow<'b, str>>,
        }
        match serde_json::from_str::<Id<'_>>(item.get()) {
            Ok(Id { id: Some(id) }) => self.upsert(
                &id,
                Stored {
                    raw: item,
                    line,
                    own_line: true,
                },
            ),
            Ok(Id { id: None }) => self.c.skipped("message without id"),
            Err(e) => self.c.quarantine(
                Some(line),
                Some(idx),
                format!("message record is not an object with a string id: {e}"),
                item.get().as_bytes(),
            ),
        }
    }

    fn upsert(&mut self, id: &str, stored: Stored<'a>) {
        if let Some(&i) = self.index.get(id) {
            let old = self.entries[i].replace(stored);
            if old.is_some_and(|o| o.own_line) {
                self.c
                    .skipped("superseded by a later record with the same id");
            }
        } else {
            self.index.insert(id.to_owned(), self.entries.len());
            self.entries.push(Some(stored));
        }
    }

    fn rewind(&mut self, target: &str) {
        let from = match self.index.get(target) {
            Some(&i) => i,
            None => 0,
        };
        let removed: Vec<Stored<'a>> = self.entries[from..]
            .iter_mut()
            .filter_map(Option::take)
            .collect();
        self.index.retain(|_, &mut i| i < from);
        self.entries.truncate(from);
        for s in removed {
            self.rewound_messages += 1;
            let kept = self.message(&s, true);
            if s.own_line {
                if kept {
                    self.c.used();
                } else {
                    self.c.skipped("rewound");
                }
            }
        }
    }

    /// Turns a final (or rewound) message record into rows. For a rewound
    /// one only the tool calls that ran are kept; returns whether any row was made.
    fn message(&mut self, s: &Stored<'a>, rewound: bool) -> bool {
        let Ok(m) = serde_json::from_str::<GMsg<'_>>(s.raw.get()) else {
            return false;
        };
        let time = self.c.time(m.timestamp.as_deref());
        let mut produced = false;
        if !rewound {
            self.span.add(time);
            let role = match m.kind.as_deref() {
                Some("user") => Some(Role::User),
                Some("gemini") => Some(Role::Assistant),
                Some("info" | "error" | "warning") => Some(Role::System),
                _ => None,
            };
            if let (Some(role), Some(content)) = (role, m.content) {
                // the session id is filled in at the end
                produced |= self.c.message("", time, role, &text_of(content), s.line);
            }
            if let Some(model) = m.model.as_deref() {
                self.models.push(model);
            }
        }
        for tc in m.tool_calls.unwrap_or_default() {
            let Ok(t) = serde_json::from_str::<GTool<'_>>(tc.get()) else {
                continue;
            };
            let ran = matches!(t.status.as_deref(), Some("success" | "error"));
            if rewound && !ran {
                continue;
            }
            let call = self.tool_call(&t, time, s.line);
            if rewound {
                self.rewound_calls_kept += 1;
            } else {
                self.span.add(call.started_at);
            }
            match self.call_idx.get(&call.call_id) {
                Some(&i) => self.calls[i] = call,
                None => {
                    self.call_idx.insert(call.call_id.clone(), self.calls.len());
                    self.calls.push(call);
                }
            }
            produced = true;
        }
        produced
    }

    pub(super) fn finish(mut self, path: &Path, opts: &TranscriptOptions) -> ParsedTranscript {
        let entries = std::mem::take(&mut self.entries);
        for s in entries.into_iter().flatten() {
            self.message(&s, false);
            if s.own_line {
                self.c.used();
            }
        }
        let session_id = self.session_id.clone().unwrap_or_else(|| {
            self.c
                .note("no session metadata; the session id was taken from the file name");
            file_stem(path)
        });
        for m in &mut self.c.out.messages {
            m.session_id.clone_from(&session_id);
        }
        for mut call in std::mem::take(&mut self.calls) {
            call.session_id.clone_from(&session_id);
            self.c.out.tool_calls.push(call);
        }
        if self.rewound_messages > 0 {
            let (m, k) = (self.rewound_messages, self.rewound_calls_kept);
            self.c.note(format!(
                "{m} message(s) were dropped by $rewindTo; {k} tool call(s) in them had already run and were kept"
            ));
        }
        let parent = (self.kind.as_deref() == Some("subagent"))
            .then(|| {
                path.parent()
                    .and_then(Path::file_name)
                    .map(|n| n.to_string_lossy().into_owned())
                    .filter(|n| n != "chats")
            })
            .flatten();
        let operator = operator_for(path, self.cwd.as_deref(), opts);
        let source_file = self.c.source_file.clone();
        self.c.out.sessions.push(AgentSession {
            session_id,
            agent: "gemini-cli".to_owned(),
            agent_version: None,
            model: self.models.joined(),
            started_at: self.started.or(self.span.first),
            ended_at: self.span.last.or(self.last_updated),
            cwd: self.cwd,
            git_branch: None,
            operator,
            approval_mode: None,
            sandbox: None,
            parent_session_id: parent,
            source_file,
        });
        self.c.finish()
    }
}
