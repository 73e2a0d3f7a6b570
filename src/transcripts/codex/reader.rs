//! The reader of a rollout's lines into one session: envelope or legacy
//! bare line, session metadata and turn context (model, policy, sandbox),
//! messages from `event_msg` events or else from `response_item`s (never
//! both), and at the end the session row with its calls.

use std::borrow::Cow;
use std::collections::HashSet;
use std::path::Path;

use polars::prelude::PlHashMap;
use serde_json::value::RawValue;

use super::super::text::{first_byte, text_of};
use super::super::util::{Collector, Distinct, Span, file_stem, json_line_reason, operator_for};
use super::super::{AgentSession, Outcome, ParsedTranscript, Role, TranscriptOptions};
use super::approval::{approval_of, policy_name, sandbox_mode};
use super::calls::{PendingCall, command_value, output_text};
use super::records::{Envelope, Event, Item, Meta, TurnContext};

/// Response item types that are the legacy (pre-envelope) line shape.
const BARE_ITEMS: &[&str] = &[
    "message",
    "function_call",
    "function_call_output",
    "local_shell_call",
    "reasoning",
    "custom_tool_call",
    "custom_tool_call_output",
];

struct MsgCand {
    from_event: bool,
    role: Role,
    text: String,
    time: Option<i64>,
    line: u64,
}

#[derive(Default)]
pub(super) struct Reader {
    id: Option<String>,
    other_ids: Distinct,
    started: Option<i64>,
    version: Option<String>,
    cwd: Option<String>,
    branch: Option<String>,
    parent: Option<String>,
    span: Span,
    models: Distinct,
    policies: Distinct,
    sandboxes: Distinct,
    pub(super) policy: Option<String>,
    pub(super) sandbox: Option<String>,
    pub(super) calls: Vec<PendingCall>,
    pub(super) call_idx: PlHashMap<String, usize>,
    approval_requested: HashSet<String>,
    msgs: Vec<MsgCand>,
    has_event_msgs: bool,
}

impl Reader {
    pub(super) fn record(&mut self, c: &mut Collector, no: u64, raw: &[u8]) {
        let env: Envelope<'_> = match serde_json::from_slice(raw) {
            Ok(e) => e,
            Err(e) => {
                let reason = json_line_reason(raw, &e);
                c.quarantine(Some(no), None, reason, raw);
                return;
            }
        };
        let kind = env.kind.as_deref();
        let Some(payload) = env.payload else {
            // Legacy shapes: a bare header, a state marker, bare items.
            if env.record_type.is_some() {
                c.skipped("state");
            } else if kind.is_none() && env.id.is_some() {
                self.session_meta(c, raw_value(raw));
                c.used();
            } else if kind.is_some_and(|k| BARE_ITEMS.contains(&k)) {
                let time = c.time(None);
                self.response_item(c, no, time, raw_value(raw));
            } else {
                c.skipped(kind.unwrap_or("(no type)"));
            }
            return;
        };
        match kind {
            Some("session_meta") => {
                self.session_meta(c, Some(payload));
                c.used();
            }
            Some("turn_context") => {
                self.turn_context(payload);
                c.used();
            }
            Some("response_item") => {
                let time = c.time(env.timestamp.as_deref());
                self.span.add(time);
                self.response_item(c, no, time, Some(payload));
            }
            Some("event_msg") => {
                let time = c.time(env.timestamp.as_deref());
                self.span.add(time);
                self.event(c, no, time, payload);
            }
            Some(k) => c.skipped(k),
            None => c.skipped("(no type)"),
        }
    }

    fn session_meta(&mut self, c: &mut Collector, payload: Option<&RawValue>) {
        let Some(m) = payload.and_then(|p| serde_json::from_str::<Meta<'_>>(p.get()).ok()) else {
            c.note("a session_meta record could not be read");
            return;
        };
        let id = m.id.as_deref().or(m.session_id.as_deref());
        match (&self.id, id) {
            (None, Some(id)) => self.id = Some(id.to_owned()),
            (Some(cur), Some(id)) if cur != id => self.other_ids.push(id),
            _ => {}
        }
        if self.started.is_none() {
            self.started = c.time(m.timestamp.as_deref());
        }
        if self.version.is_none() {
            self.version = m.cli_version.as_deref().map(str::to_owned);
        }
        if self.cwd.is_none() {
            self.cwd = m.cwd.as_deref().map(str::to_owned);
        }
        if self.branch.is_none() {
            self.branch = m.git.and_then(|g| g.branch).map(Cow::into_owned);
        }
        if self.parent.is_none() {
            self.parent = m.source.and_then(parent_thread);
        }
    }

    fn turn_context(&mut self, payload: &RawValue) {
        let Ok(t) = serde_json::from_str::<TurnContext<'_>>(payload.get()) else {
            return;
        };
        if let Some(m) = t.model.as_deref() {
            self.models.push(m);
        }
        if self.cwd.is_none() {
            self.cwd = t.cwd.as_deref().map(str::to_owned);
        }
        if let Some(p) = t.approval_policy.and_then(policy_name) {
            self.policies.push(&p);
            self.policy = Some(p);
        }
        if let Some(s) = t.sandbox_policy.and_then(sandbox_mode) {
            self.sandboxes.push(&s);
            self.sandbox = Some(s);
        }
    }

    fn response_item(
        &mut self,
        c: &mut Collector,
        no: u64,
        time: Option<i64>,
        payload: Option<&RawValue>,
    ) {
        let Some(item) = payload.and_then(|p| serde_json::from_str::<Item<'_>>(p.get()).ok())
        else {
            c.skipped("response_item (unreadable)");
            return;
        };
        match item.kind.as_deref() {
            Some("message") => self.message_item(c, no, time, &item),
            Some("function_call") => {
                self.function_call(c, no, time, &item);
                c.used();
            }
            Some("local_shell_call") => {
                self.local_shell_call(c, no, time, &item);
                c.used();
            }
            Some("custom_tool_call") => {
                let id = item.call_id.as_deref().or(item.id.as_deref());
                let name = item.name.as_deref().unwrap_or("custom_tool");
                self.add_call(c, no, time, id, name, None, None, false, false);
                c.used();
            }
            Some("function_call_output" | "custom_tool_call_output") => {
                match item.call_id.as_deref() {
                    Some(id) => {
                        let text = item.output.map(output_text).unwrap_or_default();
                        self.output(id, time, &text);
                    }
                    None => c.note("an output record had no call_id and could not be paired"),
                }
                c.used();
            }
            Some("reasoning") => c.skipped("response_item.reasoning"),
            Some(k) => c.skipped(&format!("response_item.{k}")),
            None => c.skipped("response_item (no type)"),
        }
    }

    fn message_item(&mut self, c: &mut Collector, no: u64, time: Option<i64>, item: &Item<'_>) {
        let role = match item.role.as_deref() {
            Some("user") => Role::User,
            Some("assistant") => Role::Assistant,
            Some(r) => {
                c.skipped(&format!("response_item.message.{r}"));
                return;
            }
            None => {
                c.skipped("response_item.message (no role)");
                return;
            }
        };
        let text = item.content.map(text_of).unwrap_or_default();
        let role = if role == Role::User && is_injected_context(&text) {
            self.environment_context(&text);
            Role::System
        } else {
            role
        };
        // Counted at the end, once it is known whether events duplicate it.
        self.msgs.push(MsgCand {
            from_event: false,
            role,
            text,
            time,
            line: no,
        });
    }

    /// `<environment_context>` names the policy and sandbox; used when no
    /// `turn_context` does.
    fn environment_context(&mut self, text: &str) {
        let tag = |name: &str| -> Option<String> {
            let open = format!("<{name}>");
            let close = format!("</{name}>");
            let start = text.find(&open)? + open.len();
            let end = text[start..].find(&close)? + start;
            Some(text[start..end].trim().to_owned())
        };
        if self.policy.is_none()
            && let Some(p) = tag("approval_policy")
        {
            self.policies.push(&p);
            self.policy = Some(p);
        }
        if self.sandbox.is_none()
            && let Some(s) = tag("sandbox_mode")
        {
            self.sandboxes.push(&s);
            self.sandbox = Some(s);
        }
    }

    fn event(&mut self, c: &mut Collector, no: u64, time: Option<i64>, payload: &RawValue) {
        let Ok(ev) = serde_json::from_str::<Event<'_>>(payload.get()) else {
            c.skipped("event_msg (unreadable)");
            return;
        };
        let kind = ev.kind.as_deref().unwrap_or("");
        match kind {
            "user_message" | "agent_message" => {
                self.has_event_msgs = true;
                let text = ev.message.as_deref().unwrap_or("");
                let injected = matches!(
                    ev.message_kind.as_deref(),
                    Some("user_instructions" | "environment_context")
                ) || is_injected_context(text);
                let role = match kind {
                    "agent_message" => Role::Assistant,
                    _ if injected => Role::System,
                    _ => Role::User,
                };
                c.used();
                self.msgs.push(MsgCand {
                    from_event: true,
                    role,
                    text: text.to_owned(),
                    time,
                    line: no,
                });
            }
            "exec_command_begin" => {
                let command = ev.command.and_then(command_value);
                let id = ev.call_id.as_deref();
                self.add_call(c, no, time, id, "shell", command, time, false, true);
                c.used();
            }
            "exec_command_end" => {
                self.exec_end(time, &ev);
                c.used();
            }
            "exec_approval_request" => {
                if let Some(id) = ev.call_id.as_deref() {
                    self.approval_requested.insert(id.to_owned());
                }
                c.used();
            }
            "mcp_tool_call_end" => {
                self.mcp_end(c, no, time, &ev);
                c.used();
            }
            "turn_aborted" => {
                for p in self.calls.iter_mut().filter(|p| !p.has_output) {
                    p.has_output = true;
                    p.call.outcome = Outcome::Interrupted;
                    p.call.ended_at = time;
                }
                c.used();
            }
            "" => c.skipped("event_msg (no type)"),
            k => c.skipped(&format!("event_msg.{k}")),
        }
    }

    pub(super) fn finish(
        mut self,
        mut c: Collector,
        path: &Path,
        opts: &TranscriptOptions,
    ) -> ParsedTranscript {
        let session_id = self.id.clone().unwrap_or_else(|| id_from_file_name(path));
        if self.id.is_none() {
            c.note("no session_meta id; the session id was taken from the file name");
        }
        if let Some(others) = self.other_ids.joined() {
            c.note(format!(
                "further session_meta ids in this file ({others}) were read as part of session {session_id}"
            ));
        }
        for m in std::mem::take(&mut self.msgs) {
            if !m.from_event && self.has_event_msgs {
                c.skipped("response_item.message (duplicate of event_msg)");
                continue;
            }
            if !m.from_event {
                c.used();
            }
            c.message(&session_id, m.time, m.role, &m.text, m.line);
        }
        for p in std::mem::take(&mut self.calls) {
            let mut call = p.call;
            call.session_id.clone_from(&session_id);
            let requested = self.approval_requested.contains(&call.call_id);
            let (approval, evidence) = approval_of(
                &call,
                p.policy.as_deref(),
                p.sandbox.as_deref(),
                p.escalated,
                p.shell,
                requested,
            );
            call.approval = approval;
            call.approval_evidence = evidence;
            c.out.tool_calls.push(call);
        }
        let operator = operator_for(path, self.cwd.as_deref(), opts);
        let source_file = c.source_file.clone();
        c.out.sessions.push(AgentSession {
            session_id,
            agent: "codex".to_owned(),
            agent_version: self.version,
            model: self.models.joined(),
            started_at: self.started.or(self.span.first),
            ended_at: self.span.last,
            cwd: self.cwd,
            git_branch: self.branch,
            operator,
            approval_mode: self.policies.joined(),
            sandbox: self.sandboxes.joined(),
            parent_session_id: self.parent,
            source_file,
        });
        c.finish()
    }
}

fn raw_value(raw: &[u8]) -> Option<&RawValue> {
    serde_json::from_slice::<&RawValue>(raw).ok()
}

/// A subagent's `source` names its parent thread.
fn parent_thread(raw: &RawValue) -> Option<String> {
    fn find(v: &serde_json::Value) -> Option<String> {
        match v {
            serde_json::Value::Object(m) => {
                for key in ["parent_thread_id", "parent_session_id", "parent_id"] {
                    if let Some(serde_json::Value::String(s)) = m.get(key) {
                        return Some(s.clone());
                    }
                }
                m.values().find_map(find)
            }
            _ => None,
        }
    }
    if first_byte(raw.get().as_bytes()) != Some(b'{') {
        return None;
    }
    find(&serde_json::from_str(raw.get()).ok()?)
}

fn is_injected_context(text: &str) -> bool {
    let t = text.trim_start();
    [
        "<environment_context>",
        "<user_instructions>",
        "# AGENTS.md instructions",
        "<permissions instructions>",
        "<user_shell_command>",
    ]
    .iter()
    .any(|p| t.starts_with(p))
}

/// `rollout-2025-10-29T00-59-38-<uuid>.jsonl` → `<uuid>`.
fn id_from_file_name(path: &Path) -> String {
    let stem = file_stem(path);
    if stem.len() >= 36 {
        let tail = &stem[stem.len() - 36..];
        let looks_uuid = tail.bytes().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => b == b'-',
            _ => b.is_ascii_hexdigit(),
        });
        if looks_uuid {
            return tail.to_owned();
        }
    }
    stem
}
