//! Cursor hook logs: the JSON payloads Cursor hands its hooks on stdin
//! (`~/.cursor/hooks.json` or `.cursor/hooks.json`, version 1), as a
//! logging hook keeps them — one per line, bare or in trailblame's wrapper
//! `{"logged_at", "agent", "hook": {…}}` (`scripts/hooks/trailblame-hook-log
//! cursor`), or a JSON array of them.
//!
//! Every payload carries `hook_event_name`, `conversation_id`,
//! `generation_id`, `model`, `cursor_version`, `workspace_roots`,
//! `user_email` and `transcript_path` (Cursor's hooks documentation, as
//! typed by the `cursor-hooks` package). `beforeShellExecution` adds
//! `command` and `cwd`; `afterShellExecution` adds `command`, `output` and
//! `duration` (ms, approval wait excluded). These are Cursor's only exact,
//! timed record of a command. The payload has no time: the logger's is
//! used (`logged_at`, `timestamp`, `time`, `ts`).
//!
//! A shell call opens on `beforeShellExecution` and closes on the next
//! `afterShellExecution` of the same conversation and command; one seen
//! only after is kept, its start worked out from `duration`. Cursor does
//! not tell its hooks whether a person approved the command, so the
//! approval is unknown unless the logger kept the hook's own answer
//! (`permission`). Rows are keyed by `conversation_id`, the id of the
//! agent transcript's folder. Prompts (`beforeSubmitPrompt`) and replies
//! (`afterAgentResponse`) become messages; other events are counted by
//! name and skipped; anything that is not a Cursor payload is quarantined.

use std::collections::HashMap;
use std::path::Path;

use rayon::prelude::*;
use serde_json::Value;
use serde_json::value::RawValue;

use super::super::command::command_from_str;
use super::super::json_doc::{ArrayPart, walk_array};
use super::super::text::{bounded, excerpt, first_byte};
use super::super::util::{
    Collector, Distinct, Span, json_line_reason, line_batches, new_call, operator_for, stable_id,
};
use super::super::{AgentSession, Approval, Outcome, ParsedTranscript, Role, ToolCall};
use super::super::{TranscriptOptions, time::millis_to_micros};
use super::AGENT;

/// The hook events Cursor documents (others are counted under their name).
const EVENTS: &[&str] = &[
    "sessionStart",
    "sessionEnd",
    "preToolUse",
    "postToolUse",
    "postToolUseFailure",
    "subagentStart",
    "subagentStop",
    "beforeShellExecution",
    "afterShellExecution",
    "beforeMCPExecution",
    "afterMCPExecution",
    "beforeReadFile",
    "afterFileEdit",
    "beforeSubmitPrompt",
    "preCompact",
    "stop",
    "afterAgentResponse",
    "afterAgentThought",
    "beforeTabFileRead",
    "afterTabFileEdit",
];

/// Whether a hook event name is Cursor's: camelCase, where Claude Code's
/// and Gemini CLI's are PascalCase.
pub(crate) fn is_event_name(name: &str) -> bool {
    EVENTS.contains(&name) || name.starts_with(|c: char| c.is_ascii_lowercase())
}

#[derive(Default)]
struct SessionAcc {
    id: String,
    span: Span,
    cwd: Option<String>,
    email: Option<String>,
    models: Distinct,
    versions: Distinct,
    modes: Distinct,
    /// Indexes in `Reader::calls` of this conversation's calls, in order.
    calls: Vec<usize>,
}

struct Pending {
    call: ToolCall,
    generation: Option<String>,
    /// The command as the payload gave it, to pair before and after.
    key: String,
    closed: bool,
    /// The hook's own answer, when the logger kept it.
    permission: Option<String>,
}

struct Reader<'o> {
    c: Collector,
    opts: &'o TranscriptOptions,
    path: &'o Path,
    sessions: Vec<SessionAcc>,
    /// Conversation id → index in `sessions`.
    session_idx: HashMap<String, usize>,
    calls: Vec<Pending>,
}

pub(crate) fn parse(path: &Path, bytes: &[u8], opts: &TranscriptOptions) -> ParsedTranscript {
    let mut r = Reader {
        c: Collector::new(path),
        opts,
        path,
        sessions: Vec::new(),
        session_idx: HashMap::new(),
        calls: Vec::new(),
    };
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if first_byte(body) == Some(b'[') {
        read_array(&mut r, bytes);
    } else {
        for batch in line_batches(bytes) {
            let parsed: Vec<serde_json::Result<Value>> = batch
                .par_iter()
                .with_min_len(64)
                .map(|(_, line)| serde_json::from_slice(line))
                .collect();
            for ((no, line), v) in batch.into_iter().zip(parsed) {
                r.record(no, line, v);
            }
        }
    }
    r.finish()
}

/// A JSON array of payloads; a cut or broken tail is one quarantined record.
fn read_array(r: &mut Reader<'_>, bytes: &[u8]) {
    walk_array(bytes, "Cursor hook payload array", |part| match part {
        ArrayPart::Item { line, raw, .. } => {
            let bytes = raw.get().as_bytes();
            r.record(line, bytes, serde_json::from_slice(bytes))
        }
        ArrayPart::Broken {
            line, why, rest, ..
        } => r.c.quarantine(Some(line), None, why, rest),
    });
}

fn s<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

/// The time a logger added, from the wrapper or the payload.
fn logged(outer: &Value, p: &Value) -> Option<Box<RawValue>> {
    ["logged_at", "timestamp", "time", "ts"]
        .iter()
        .find_map(|k| outer.get(*k).or_else(|| p.get(*k)))
        .and_then(|v| RawValue::from_string(v.to_string()).ok())
}

impl Reader<'_> {
    /// One payload line, `parsed` from `raw`.
    fn record(&mut self, no: u64, raw: &[u8], parsed: serde_json::Result<Value>) {
        let outer: Value = match parsed {
            Ok(v) => v,
            Err(e) => {
                let reason = format!("Cursor hook payload: {}", json_line_reason(raw, &e));
                self.c.quarantine(Some(no), None, reason, raw);
                return;
            }
        };
        let p = match outer.get("hook") {
            Some(inner) if outer.get("logged_at").is_some() => inner,
            _ => &outer,
        };
        let (Some(event), Some(conv)) = (s(p, "hook_event_name"), s(p, "conversation_id")) else {
            // Hand-piped test input and other JSON: named, never guessed at.
            self.c.quarantine(
                Some(no),
                None,
                "not a Cursor hook payload (hook_event_name or conversation_id missing)",
                raw,
            );
            return;
        };
        let stamp = logged(&outer, p);
        let time = self.c.logged_time(stamp.as_deref());
        let si = self.session(conv);
        let acc = &mut self.sessions[si];
        acc.span.add(time);
        if acc.cwd.is_none() {
            acc.cwd = s(p, "cwd")
                .or_else(|| p.pointer("/workspace_roots/0").and_then(Value::as_str))
                .map(str::to_owned);
        }
        if acc.email.is_none() {
            acc.email = s(p, "user_email").map(str::to_owned);
        }
        if let Some(m) = s(p, "model") {
            acc.models.push(m);
        }
        if let Some(v) = s(p, "cursor_version") {
            acc.versions.push(v);
        }
        let used = match event {
            "beforeShellExecution" => self.before(si, no, time, &outer, p),
            "afterShellExecution" => self.after(si, no, time, p),
            "beforeSubmitPrompt" => {
                let id = self.sessions[si].id.clone();
                let text = s(p, "prompt").unwrap_or_default();
                self.c.message(&id, time, Role::User, text, no)
            }
            "afterAgentResponse" => {
                let id = self.sessions[si].id.clone();
                let text = s(p, "text").unwrap_or_default();
                self.c.message(&id, time, Role::Assistant, text, no)
            }
            "sessionStart" => match s(p, "composer_mode") {
                Some(m) => {
                    self.sessions[si].modes.push(m);
                    true
                }
                None => false,
            },
            _ => false,
        };
        if used {
            self.c.used();
        } else if EVENTS.contains(&event) {
            self.c.skipped(event);
        } else {
            self.c.skipped("(unknown Cursor hook event)");
        }
    }

    fn session(&mut self, conv: &str) -> usize {
        if let Some(&i) = self.session_idx.get(conv) {
            return i;
        }
        self.sessions.push(SessionAcc {
            id: conv.to_owned(),
            ..SessionAcc::default()
        });
        self.session_idx
            .insert(conv.to_owned(), self.sessions.len() - 1);
        self.sessions.len() - 1
    }

    fn open(&mut self, si: usize, no: u64, p: &Value, command: &str) -> usize {
        let sid = self.sessions[si].id.clone();
        let generation = s(p, "generation_id").map(str::to_owned);
        let gen_id = generation.as_deref().unwrap_or("");
        let id = format!(
            "cursor-hook-{}",
            stable_id(&[&sid, gen_id, command, &no.to_string()])
        );
        let mut call = new_call(&sid, &id, "Shell", &self.c.source_file, no);
        if !command.trim().is_empty() {
            let (c, raw) = command_from_str(command);
            call.command = Some(c);
            call.command_raw = raw;
        }
        self.calls.push(Pending {
            call,
            generation,
            key: command.to_owned(),
            closed: false,
            permission: None,
        });
        self.sessions[si].calls.push(self.calls.len() - 1);
        self.calls.len() - 1
    }

    fn before(&mut self, si: usize, no: u64, time: Option<i64>, outer: &Value, p: &Value) -> bool {
        let Some(command) = s(p, "command") else {
            return false;
        };
        let i = self.open(si, no, p, command);
        let pc = &mut self.calls[i];
        pc.call.started_at = time;
        // A logger that kept the hook's answer: `{"permission": …}` beside
        // the payload (or as `output.permission`).
        pc.permission = s(outer, "permission")
            .or_else(|| outer.pointer("/output/permission").and_then(Value::as_str))
            .map(str::to_owned);
        true
    }

    fn after(&mut self, si: usize, no: u64, time: Option<i64>, p: &Value) -> bool {
        let Some(command) = s(p, "command") else {
            return false;
        };
        let generation = s(p, "generation_id");
        let open = self.sessions[si].calls.iter().rev().copied().find(|&i| {
            let c = &self.calls[i];
            !c.closed
                && c.key == command
                && (generation.is_none() || c.generation.as_deref() == generation)
        });
        let i = match open {
            Some(i) => i,
            None => self.open(si, no, p, command),
        };
        let duration_ms = p.get("duration").and_then(Value::as_u64);
        let pc = &mut self.calls[i];
        pc.closed = true;
        pc.call.ended_at = time;
        if pc.call.started_at.is_none()
            && let (Some(t), Some(d)) = (time, duration_ms.and_then(millis_to_micros))
        {
            pc.call.started_at = Some(t - d);
        }
        pc.call.outcome = Outcome::Ok;
        pc.call.exit_code = ["exit_code", "exitCode"]
            .iter()
            .find_map(|k| p.get(*k).and_then(Value::as_i64));
        if pc.call.exit_code.is_some_and(|c| c != 0) {
            pc.call.outcome = Outcome::Error;
        }
        pc.call.output_excerpt = s(p, "output").and_then(excerpt);
        true
    }

    fn finish(mut self) -> ParsedTranscript {
        for p in std::mem::take(&mut self.calls) {
            let mut call = p.call;
            let (approval, why) = match p.permission.as_deref() {
                Some("deny") => (
                    Approval::Rejected,
                    "the beforeShellExecution hook answered deny".to_owned(),
                ),
                Some("allow") => (
                    Approval::Auto,
                    "the beforeShellExecution hook answered allow".to_owned(),
                ),
                _ if p.closed => (
                    Approval::Unknown,
                    "afterShellExecution: the command ran; Cursor does not tell hooks who approved it"
                        .to_owned(),
                ),
                _ => (
                    Approval::Unknown,
                    "beforeShellExecution with no afterShellExecution: refused, stopped or still running"
                        .to_owned(),
                ),
            };
            if approval == Approval::Rejected {
                call.outcome = Outcome::Denied;
            }
            call.approval = approval;
            call.approval_evidence = Some(format!("{} (Cursor hook log)", bounded(&why, 200)));
            self.c.out.tool_calls.push(call);
        }
        for s in std::mem::take(&mut self.sessions) {
            let operator = operator_for(self.path, s.cwd.as_deref(), self.opts).or(s.email);
            self.c.out.sessions.push(AgentSession {
                session_id: s.id,
                agent: AGENT.to_owned(),
                agent_version: s.versions.joined(),
                model: s.models.joined(),
                started_at: s.span.first,
                ended_at: s.span.last,
                cwd: s.cwd,
                git_branch: None,
                operator,
                approval_mode: s.modes.joined(),
                sandbox: None,
                parent_session_id: None,
                source_file: self.c.source_file.clone(),
            });
        }
        self.c.finish()
    }
}
