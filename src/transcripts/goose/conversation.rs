//! One Goose session's messages in order: text into messages, each
//! `toolRequest` into a call (the `developer__shell` command, an MCP
//! extension's tool rendered), each `toolResponse` onto its call (output,
//! outcome, end time), and a confirmation the user was asked for onto the
//! call it names.
//!
//! Approval: Goose answers a declined confirmation with a tool response
//! reading "The user has declined to run this tool" (`DECLINED_RESPONSE`),
//! so that is `rejected`. A call after a recorded confirmation request
//! that then ran is `explicit`. Anything else is `unknown`: the mode that
//! decided (auto, approve, smart_approve, chat) is configuration, not in
//! the session, and never "no".

use std::collections::HashMap;

use serde_json::value::RawValue;

use super::super::command::{command_from_str, mcp_parts, render_mcp};
use super::super::text::{excerpt, text_of};
use super::super::util::{Collector, Span, new_call};
use super::super::{Approval, Outcome, Role, ToolCall};
use super::records::{ActionData, CallParam, CallResult, Item, ShellArgs, ToolResult};

const DECLINED: &str = "The user has declined to run this tool";
const NOT_RECORDED: &str = "goose mode (auto / approve / smart_approve) not recorded in the session; the answer is not stored";

/// The calls and messages of one session while its messages are read.
pub(super) struct Conversation {
    pub(super) session_id: String,
    pub(super) span: Span,
    calls: Vec<ToolCall>,
    call_idx: HashMap<String, usize>,
    /// Call ids a confirmation was asked for.
    asked: Vec<String>,
}

impl Conversation {
    pub(super) fn new(session_id: &str) -> Self {
        Self {
            session_id: session_id.to_owned(),
            span: Span::default(),
            calls: Vec::new(),
            call_idx: HashMap::new(),
            asked: Vec::new(),
        }
    }

    /// One message's content items; `Err` when the content is not a list
    /// of items (the caller quarantines the record).
    pub(super) fn message(
        &mut self,
        c: &mut Collector,
        role: &str,
        time: Option<i64>,
        content: &str,
        line: u64,
    ) -> Result<(), String> {
        let items: Vec<&RawValue> =
            serde_json::from_str(content).map_err(|e| format!("content: {e}"))?;
        self.span.add(time);
        let role = match role {
            "user" => Role::User,
            "assistant" => Role::Assistant,
            _ => Role::System,
        };
        for raw in items {
            let Ok(item) = serde_json::from_str::<Item<'_>>(raw.get()) else {
                continue;
            };
            match item.kind.as_deref() {
                Some("text") => {
                    if let Some(t) = &item.text {
                        c.message(&self.session_id, time, role, t, line);
                    }
                }
                Some("toolRequest" | "frontendToolRequest") => {
                    self.request(&item, time, line);
                }
                Some("toolResponse") => self.response(&item, time),
                Some("toolConfirmationRequest") => {
                    if let Some(id) = item.id {
                        self.asked.push(id);
                    }
                }
                Some("actionRequired") => {
                    if let Some(ActionData {
                        action_type: Some(t),
                        id: Some(id),
                    }) = item.data
                        && t == "toolConfirmation"
                    {
                        self.asked.push(id);
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }

    fn request(&mut self, item: &Item<'_>, time: Option<i64>, line: u64) {
        let Some(id) = item.id.as_deref() else {
            return;
        };
        if self.call_idx.contains_key(id) {
            return;
        }
        let param = item
            .tool_call
            .as_ref()
            .and_then(|r| r.value)
            .and_then(|v| serde_json::from_str::<CallParam<'_>>(v.get()).ok());
        let name = param
            .as_ref()
            .and_then(|p| p.name.clone())
            .unwrap_or_else(|| "unknown".to_owned());
        let mut call = new_call(&self.session_id, id, &name, "", line);
        call.started_at = time;
        call.approval_evidence = Some(NOT_RECORDED.to_owned());
        let args = param.as_ref().and_then(|p| p.arguments);
        if is_shell(&name) {
            if let Some(cmd) = args
                .and_then(|a| serde_json::from_str::<ShellArgs>(a.get()).ok())
                .and_then(|a| a.command)
            {
                let (cmd, raw) = command_from_str(&cmd);
                call.command = Some(cmd);
                call.command_raw = raw;
            }
        } else if let Some((server, tool)) = extension_tool(&name) {
            call.command = Some(render_mcp(server, tool, args.map(RawValue::get)));
        }
        if let Some(ToolResult {
            status: Some(s),
            error,
            ..
        }) = &item.tool_call
            && s == "error"
        {
            // The model's request could not be read: it never ran.
            call.outcome = Outcome::Error;
            call.output_excerpt = error.as_deref().and_then(excerpt);
        }
        self.call_idx.insert(id.to_owned(), self.calls.len());
        self.calls.push(call);
    }

    fn response(&mut self, item: &Item<'_>, time: Option<i64>) {
        let Some(&i) = item.id.as_deref().and_then(|id| self.call_idx.get(id)) else {
            return;
        };
        let asked = self
            .asked
            .iter()
            .any(|a| Some(a.as_str()) == item.id.as_deref());
        let call = &mut self.calls[i];
        call.ended_at = time;
        let Some(result) = &item.tool_result else {
            return;
        };
        let (text, is_error) = match (result.status.as_deref(), result.value) {
            (Some("error"), _) => (result.error.clone().unwrap_or_default(), true),
            (_, Some(v)) => match serde_json::from_str::<CallResult<'_>>(v.get()) {
                // Newer builds: `{content, isError}`; older: the content list.
                Ok(r) if r.content.is_some() => (
                    r.content.map(text_of).unwrap_or_default(),
                    r.is_error.unwrap_or(false),
                ),
                _ => (text_of(v), false),
            },
            _ => (String::new(), false),
        };
        call.output_excerpt = excerpt(&text);
        if text.contains(DECLINED) {
            call.outcome = Outcome::Rejected;
            call.approval = Approval::Rejected;
            call.approval_evidence = Some(format!("tool response: {DECLINED}"));
            return;
        }
        call.outcome = if is_error {
            Outcome::Error
        } else {
            Outcome::Ok
        };
        if asked {
            call.approval = Approval::Explicit;
            call.approval_evidence = Some("confirmation requested, then the tool ran".to_owned());
        }
    }

    /// The session's calls, in order of request.
    pub(super) fn finish(self, c: &mut Collector) -> Span {
        for mut call in self.calls {
            call.source_file.clone_from(&c.source_file);
            c.out.tool_calls.push(call);
        }
        self.span
    }
}

/// `developer__shell` (and `shell` in newer builds' developer extension).
fn is_shell(name: &str) -> bool {
    name == "shell" || name.ends_with("__shell")
}

/// `<extension>__<tool>`: Goose names an extension's tools so.
fn extension_tool(name: &str) -> Option<(&str, &str)> {
    mcp_parts(name).or_else(|| {
        let (server, tool) = name.split_once("__")?;
        (!server.is_empty() && !tool.is_empty() && server != "developer").then_some((server, tool))
    })
}

/// Goose's `created` is in seconds; milliseconds are accepted too.
pub(super) fn seconds(t: Option<f64>) -> Option<i64> {
    let t = t?;
    if !t.is_finite() || t <= 0.0 {
        return None;
    }
    let micros = if t > 1e11 { t * 1e3 } else { t * 1e6 };
    (micros < 1e17).then(|| micros.round() as i64)
}
