//! GitHub Copilot CLI sessions: `~/.copilot/session-state/<id>/events.jsonl`
//! (and the older `~/.copilot/session-state/<id>.jsonl`), one session event
//! per line, `{type, id, timestamp, parentId, data}` as the Copilot runtime
//! defines them (`session-events.schema.json`, published with
//! github/copilot-sdk).
//!
//! - `session.start` {`sessionId`, `copilotVersion`, `selectedModel`,
//!   `context.cwd` / `branch`}, `session.model_change` {`newModel`},
//!   `session.permissions_changed` {`mode`: manual, assisted, allow-all};
//! - `user.message` / `assistant.message` {`content`};
//! - `tool.execution_start` {`toolCallId`, `toolName`, `arguments`
//!   (`command` for `bash` / `powershell`), `mcpServerName`, `mcpToolName`},
//!   `tool.user_requested` (a `!` command the person typed);
//! - `tool.execution_complete` {`toolCallId`, `success`, `result.content`,
//!   `error.message`};
//! - `permission.requested` {`requestId`, `permissionRequest` (`kind`,
//!   `toolCallId`, `fullCommandText`), `resolvedByHook`} and
//!   `permission.completed` {`requestId`, `toolCallId`, `result.kind`:
//!   approved, approved-for-session, approved-for-location, cancelled,
//!   denied-by-rules, denied-interactively-by-user, …}: the approval,
//!   recorded per call.
//!
//! Every line is one record: an event that yields or completes a row is
//! used, other event types are skipped by type, a line that is not JSON is
//! quarantined with its number.

mod event;
#[cfg(test)]
mod tests;

use std::path::Path;

use polars::prelude::PlHashMap;
use serde_json::Value;

use super::command::{command_from_str, render_mcp};
use super::text::{bounded, excerpt};
use super::util::{Collector, Distinct, Span, json_line_reason, lines, new_call, operator_for};
use super::{AgentSession, Approval, Outcome, ParsedTranscript, Role, TranscriptOptions};
use event::Event;

pub(crate) const AGENT: &str = "copilot-cli";

/// Whether `type` is a Copilot session event type (`session.*`,
/// `tool.*`, …); detection also wants `id`, `timestamp` and `data`.
pub(crate) fn is_event_type(t: &str) -> bool {
    [
        "session.",
        "user.",
        "assistant.",
        "tool.",
        "permission.",
        "hook.",
        "subagent.",
        "skill.",
        "system.",
        "abort",
    ]
    .iter()
    .any(|p| t.starts_with(p))
}

struct Reader<'o> {
    c: Collector,
    opts: &'o TranscriptOptions,
    path: &'o Path,
    session_id: String,
    span: Span,
    versions: Distinct,
    models: Distinct,
    cwd: Option<String>,
    branch: Option<String>,
    mode: Distinct,
    current_mode: Option<String>,
    calls: PlHashMap<String, usize>,
    /// permission request id → (tool call id, resolved by a hook).
    requests: PlHashMap<String, (Option<String>, bool)>,
}

pub(crate) fn parse(path: &Path, bytes: &[u8], opts: &TranscriptOptions) -> ParsedTranscript {
    let mut r = Reader {
        c: Collector::new(path),
        opts,
        path,
        session_id: session_from_path(path),
        span: Span::default(),
        versions: Distinct::default(),
        models: Distinct::default(),
        cwd: None,
        branch: None,
        mode: Distinct::default(),
        current_mode: None,
        calls: PlHashMap::default(),
        requests: PlHashMap::default(),
    };
    for (no, line) in lines(bytes) {
        // Only an object is an event (a typed struct would also read an
        // array as its members in order).
        let typed = (super::text::first_byte(line) == Some(b'{'))
            .then(|| Event::decode(line))
            .flatten();
        if let Some(e) = typed {
            r.line(no, &e, line);
            continue;
        }
        match serde_json::from_slice::<Value>(line) {
            Ok(v) => r.line(no, &Event::of_value(&v), line),
            Err(e) => {
                let reason = format!("Copilot CLI event: {}", json_line_reason(line, &e));
                r.c.quarantine(Some(no), None, reason, line);
            }
        }
    }
    r.finish()
}

/// `<id>` from `…/session-state/<id>/events.jsonl` or `…/<id>.jsonl`.
fn session_from_path(path: &Path) -> String {
    let stem = super::util::file_stem(path);
    if stem == "events"
        && let Some(dir) = path.parent().and_then(Path::file_name)
    {
        return dir.to_string_lossy().into_owned();
    }
    stem
}

impl Reader<'_> {
    fn line(&mut self, no: u64, e: &Event<'_>, line: &[u8]) {
        match e.kind {
            Some(_) => self.event(no, e),
            None => self
                .c
                .quarantine(Some(no), None, "Copilot CLI event without a `type`", line),
        }
    }

    fn event(&mut self, no: u64, e: &Event<'_>) {
        let kind = e.kind.as_deref().unwrap_or_default();
        let time = self.c.time(e.timestamp.as_deref());
        self.span.add(time);
        let used = match kind {
            "session.start" | "session.resume" => {
                if let Some(id) = e.session_id.as_deref().filter(|x| !x.is_empty()) {
                    self.session_id = id.to_owned();
                }
                if let Some(x) = &e.copilot_version {
                    self.versions.push(x);
                }
                if let Some(x) = &e.selected_model {
                    self.models.push(x);
                }
                self.cwd = e.cwd.as_deref().map(str::to_owned).or(self.cwd.take());
                self.branch = e
                    .branch
                    .as_deref()
                    .map(str::to_owned)
                    .or(self.branch.take());
                true
            }
            "session.model_change" => e.new_model.as_ref().map(|m| self.models.push(m)).is_some(),
            "session.permissions_changed" => match e.mode.as_deref() {
                Some(m) => {
                    self.mode.push(m);
                    self.current_mode = Some(m.to_owned());
                    true
                }
                None => false,
            },
            "user.message" | "assistant.message" => {
                let role = if kind == "user.message" {
                    Role::User
                } else {
                    Role::Assistant
                };
                let text = e.content.as_deref().unwrap_or_default();
                let sid = self.session_id.clone();
                self.c.message(&sid, time, role, text, no)
            }
            "tool.execution_start" | "tool.user_requested" => self.start(no, time, e),
            "tool.execution_complete" => self.complete(no, time, e),
            "permission.requested" => self.requested(e),
            "permission.completed" => self.completed(no, e),
            _ => false,
        };
        if used {
            self.c.used();
        } else {
            let k = bounded(kind, 64);
            self.c.skipped(&k);
        }
    }

    fn call(&mut self, no: u64, id: &str, tool: &str) -> usize {
        if let Some(&i) = self.calls.get(id) {
            return i;
        }
        let i = self.c.out.tool_calls.len();
        let mut call = new_call(&self.session_id, id, tool, &self.c.source_file, no);
        call.approval_evidence = Some("no permission request recorded (Copilot CLI)".into());
        self.c.out.tool_calls.push(call);
        self.calls.insert(id.to_owned(), i);
        i
    }

    fn start(&mut self, no: u64, time: Option<i64>, e: &Event<'_>) -> bool {
        let Some(id) = e.tool_call_id.as_deref() else {
            return false;
        };
        let tool = e.tool_name.as_deref().unwrap_or("unknown").to_owned();
        let i = self.call(no, id, &tool);
        let allow_all = self.current_mode.as_deref() == Some("allow-all");
        let call = &mut self.c.out.tool_calls[i];
        if allow_all && call.approval == Approval::Unknown {
            call.approval = Approval::Auto;
            call.approval_evidence = Some("permission mode allow-all (Copilot CLI)".into());
        }
        call.tool_name = tool;
        call.started_at = time;
        call.source_line = no;
        let command = e
            .command
            .as_deref()
            .or(e.display_command.as_deref())
            .filter(|c| !c.trim().is_empty());
        if let (Some(server), Some(mcp_tool)) = (e.mcp_server.as_deref(), e.mcp_tool.as_deref()) {
            call.command = Some(render_mcp(server, mcp_tool, e.arguments.as_deref()));
        } else if let Some(c) = command {
            let (c, raw) = command_from_str(c);
            call.command = Some(c);
            call.command_raw = raw;
        }
        true
    }

    fn complete(&mut self, no: u64, time: Option<i64>, e: &Event<'_>) -> bool {
        let Some(id) = e.tool_call_id.as_deref() else {
            return false;
        };
        let i = self.call(no, id, "unknown");
        let call = &mut self.c.out.tool_calls[i];
        call.ended_at = time;
        let success = e.success;
        // A refusal recorded by `permission.completed` stays the outcome.
        if !matches!(call.outcome, Outcome::Rejected | Outcome::Denied) {
            call.outcome = match success {
                Some(true) => Outcome::Ok,
                Some(false) => Outcome::Error,
                None => Outcome::Unknown,
            };
        }
        let out = e.error_message.as_deref().or(e.result_content.as_deref());
        call.output_excerpt = out.and_then(excerpt);
        true
    }

    fn requested(&mut self, e: &Event<'_>) -> bool {
        let Some(req) = e.request_id.as_deref() else {
            return false;
        };
        let call = e.permission_call.as_deref().map(str::to_owned);
        let hook = e.resolved_by_hook == Some(true);
        self.requests.insert(req.to_owned(), (call, hook));
        true
    }

    fn completed(&mut self, no: u64, e: &Event<'_>) -> bool {
        let req = e.request_id.as_deref().unwrap_or_default();
        let (from_req, hook) = self.requests.get(req).cloned().unwrap_or((None, false));
        let Some(id) = e.tool_call_id.as_deref().map(str::to_owned).or(from_req) else {
            return false; // a permission for something that is not a tool call
        };
        let Some(result) = e.result_kind.as_deref() else {
            return false;
        };
        let i = self.call(no, &id, "unknown");
        let call = &mut self.c.out.tool_calls[i];
        let who = if hook {
            "a permission hook"
        } else {
            "the user"
        };
        let (approval, outcome) = match result {
            "approved" | "approved-for-session" | "approved-for-location" if hook => {
                (Approval::Auto, None)
            }
            "approved" | "approved-for-session" | "approved-for-location" => {
                (Approval::Explicit, None)
            }
            "denied-interactively-by-user" => (Approval::Rejected, Some(Outcome::Rejected)),
            "cancelled" => (Approval::Rejected, Some(Outcome::Interrupted)),
            k if k.starts_with("denied") => (Approval::Rejected, Some(Outcome::Denied)),
            _ => (Approval::Unknown, None),
        };
        call.approval = approval;
        call.approval_evidence = Some(format!(
            "permission.completed {} (asked {who}; Copilot CLI)",
            bounded(result, 80)
        ));
        if let Some(o) = outcome {
            call.outcome = o;
        }
        true
    }

    fn finish(mut self) -> ParsedTranscript {
        // Rows made before `session.start` named the session by its path.
        let sid = self.session_id.clone();
        for c in &mut self.c.out.tool_calls {
            c.session_id.clone_from(&sid);
        }
        for m in &mut self.c.out.messages {
            m.session_id.clone_from(&sid);
        }
        let operator = operator_for(self.path, self.cwd.as_deref(), self.opts);
        let any = !self.c.out.tool_calls.is_empty()
            || !self.c.out.messages.is_empty()
            || self.versions.joined().is_some();
        if any {
            self.c.out.sessions.push(AgentSession {
                session_id: sid,
                agent: AGENT.to_owned(),
                agent_version: self.versions.joined(),
                model: self.models.joined(),
                started_at: self.span.first,
                ended_at: self.span.last,
                cwd: self.cwd.take(),
                git_branch: self.branch.take(),
                operator,
                approval_mode: self.mode.joined(),
                sandbox: None,
                parent_session_id: None,
                source_file: self.c.source_file.clone(),
            });
        }
        self.c.finish()
    }
}
