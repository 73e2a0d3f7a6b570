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

use serde_json::value::RawValue;

use super::super::command::{command_from_str, mcp_parts, render_mcp};
use super::super::text::{excerpt, text_of};
use super::super::util::{Collector, Span, new_call};
use super::super::{Approval, Outcome, Role, ToolCall};
use super::records::{ActionData, CallParam, CallResult, FullItem, Item, ShellArgs, ToolResult};

/// A tool request as the item gave it: its status, error, and `value`
/// read as MCP's call (`None` when absent or unreadable).
struct Request<'r, 'a> {
    status: Option<&'r str>,
    error: Option<&'r str>,
    param: Option<&'r CallParam<'a>>,
}

impl<'r, 'a> Request<'r, 'a> {
    fn of<V>(r: &'r ToolResult<'_, V>, param: Option<&'r CallParam<'a>>) -> Self {
        Request {
            status: r.status.as_deref(),
            error: r.error.as_deref(),
            param,
        }
    }
}

const DECLINED: &str = "The user has declined to run this tool";
const NOT_RECORDED: &str = "goose mode (auto / approve / smart_approve) not recorded in the session; the answer is not stored";

/// The calls and messages of one session while its messages are read.
pub(super) struct Conversation {
    pub(super) session_id: String,
    pub(super) span: Span,
    calls: Vec<ToolCall>,
    call_idx: polars::prelude::PlHashMap<String, usize>,
    /// Call ids a confirmation was asked for.
    asked: Vec<String>,
}

impl Conversation {
    pub(super) fn new(session_id: &str) -> Self {
        Self {
            session_id: session_id.to_owned(),
            span: Span::default(),
            calls: Vec::new(),
            call_idx: Default::default(),
            asked: Vec::new(),
        }
    }

    /// One message's content items; `Err` when the content is not a list
    /// of items (the caller quarantines the record).
    pub(super) fn message(
        &mut self,
        c: &mut Collector,
        role: Role,
        time: Option<i64>,
        content: &str,
        line: u64,
    ) -> Result<(), String> {
        // The content as Goose writes it, read in one pass; else each item
        // on its own (an item that cannot be read is passed over), and a
        // request's `value` only when the item is a request.
        if let Ok(items) = serde_json::from_str::<Vec<FullItem<'_>>>(content) {
            self.span.add(time);
            for item in items {
                let request = item
                    .tool_call
                    .as_ref()
                    .map(|r| Request::of(r, r.value.as_ref()));
                self.item(c, role, time, line, &item, request);
            }
            return Ok(());
        }
        let items: Vec<&RawValue> =
            serde_json::from_str(content).map_err(|e| format!("content: {e}"))?;
        self.span.add(time);
        for raw in items {
            let Ok(item) = serde_json::from_str::<Item<'_>>(raw.get()) else {
                continue;
            };
            let is_request = matches!(
                item.kind.as_deref(),
                Some("toolRequest" | "frontendToolRequest")
            );
            let call = item.tool_call.as_ref().filter(|_| is_request);
            let param = call
                .and_then(|r| r.value)
                .and_then(|v| serde_json::from_str::<CallParam<'_>>(v.get()).ok());
            let request = call.map(|r| Request::of(r, param.as_ref()));
            self.item(c, role, time, line, &item, request);
        }
        Ok(())
    }

    /// One content item; `request`, its tool request as read.
    fn item<C>(
        &mut self,
        c: &mut Collector,
        role: Role,
        time: Option<i64>,
        line: u64,
        item: &Item<'_, C>,
        request: Option<Request<'_, '_>>,
    ) {
        match item.kind.as_deref() {
            Some("text") => {
                if let Some(t) = &item.text {
                    c.message(&self.session_id, time, role, t, line);
                }
            }
            Some("toolRequest" | "frontendToolRequest") => {
                self.request(item.id.as_deref(), request, time, line);
            }
            Some("toolResponse") => {
                self.response(item.id.as_deref(), item.tool_result.as_ref(), time);
            }
            Some("toolConfirmationRequest") => {
                if let Some(id) = &item.id {
                    self.asked.push(id.to_string());
                }
            }
            Some("actionRequired") => {
                if let Some(ActionData {
                    action_type: Some(t),
                    id: Some(id),
                }) = &item.data
                    && t == "toolConfirmation"
                {
                    self.asked.push(id.clone());
                }
            }
            _ => {}
        }
    }

    fn request(
        &mut self,
        id: Option<&str>,
        request: Option<Request<'_, '_>>,
        time: Option<i64>,
        line: u64,
    ) {
        let Some(id) = id else {
            return;
        };
        if self.call_idx.contains_key(id) {
            return;
        }
        let param = request.as_ref().and_then(|r| r.param);
        let name = param.and_then(|p| p.name.as_deref()).unwrap_or("unknown");
        let mut call = new_call(&self.session_id, id, name, "", line);
        call.started_at = time;
        call.approval_evidence = Some(NOT_RECORDED.to_owned());
        let args = param.and_then(|p| p.arguments);
        if is_shell(name) {
            if let Some(cmd) = args
                .and_then(|a| serde_json::from_str::<ShellArgs>(a.get()).ok())
                .and_then(|a| a.command)
            {
                let (cmd, raw) = command_from_str(&cmd);
                call.command = Some(cmd);
                call.command_raw = raw;
            }
        } else if let Some((server, tool)) = extension_tool(name) {
            call.command = Some(render_mcp(server, tool, args.map(RawValue::get)));
        }
        if let Some(Request {
            status: Some("error"),
            error,
            ..
        }) = request
        {
            // The model's request could not be read: it never ran.
            call.outcome = Outcome::Error;
            call.output_excerpt = error.and_then(excerpt);
        }
        self.call_idx.insert(id.to_owned(), self.calls.len());
        self.calls.push(call);
    }

    fn response(&mut self, id: Option<&str>, result: Option<&ToolResult<'_>>, time: Option<i64>) {
        let Some(&i) = id.and_then(|id| self.call_idx.get(id)) else {
            return;
        };
        let asked = self.asked.iter().any(|a| Some(a.as_str()) == id);
        let call = &mut self.calls[i];
        call.ended_at = time;
        let Some(result) = result else {
            return;
        };
        let (text, is_error) = match (result.status.as_deref(), result.value) {
            (Some("error"), _) => (result.error.as_deref().unwrap_or_default().to_owned(), true),
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
        // One finder for every response (`memmem::find` builds one per call).
        static DECLINED_IN: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
            std::sync::LazyLock::new(|| memchr::memmem::Finder::new(DECLINED));
        if DECLINED_IN.find(text.as_bytes()).is_some() {
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

/// A message's role as Goose names it (`user`, `assistant`; others are
/// the system's).
pub(super) fn role_of(role: &str) -> Role {
    match role {
        "user" => Role::User,
        "assistant" => Role::Assistant,
        _ => Role::System,
    }
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
