//! What the reader takes from one Copilot session event, decoded two ways
//! that must agree: typed and borrowed from the line (`Event::decode`,
//! the common case: no `serde_json::Value` tree), or, for any line that
//! does not decode so (a member of an unexpected type, a name given twice,
//! a cut line), from the line's `Value` (`Event::of_value`), where a
//! member of another type reads as absent. `tests` checks the two agree.

use std::borrow::Cow;

use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;

use super::super::lenient::Text;

/// The members of an event and of its `data` the reader uses.
#[derive(Debug, Default, PartialEq)]
pub(super) struct Event<'a> {
    /// `type`; an event without one is quarantined.
    pub kind: Option<Cow<'a, str>>,
    pub timestamp: Option<Cow<'a, str>>,
    pub session_id: Option<Cow<'a, str>>,
    pub copilot_version: Option<Cow<'a, str>>,
    pub selected_model: Option<Cow<'a, str>>,
    pub cwd: Option<Cow<'a, str>>,
    pub branch: Option<Cow<'a, str>>,
    pub new_model: Option<Cow<'a, str>>,
    pub mode: Option<Cow<'a, str>>,
    pub content: Option<Cow<'a, str>>,
    pub tool_call_id: Option<Cow<'a, str>>,
    pub tool_name: Option<Cow<'a, str>>,
    /// `arguments.command`.
    pub command: Option<Cow<'a, str>>,
    /// `arguments` as JSON text (for an MCP call's rendering, which
    /// compacts it).
    pub arguments: Option<Cow<'a, str>>,
    /// `shellToolInfo.displayCommand`.
    pub display_command: Option<Cow<'a, str>>,
    pub mcp_server: Option<Cow<'a, str>>,
    pub mcp_tool: Option<Cow<'a, str>>,
    pub success: Option<bool>,
    /// `error.message`.
    pub error_message: Option<Cow<'a, str>>,
    /// `result.content` (a completed tool) and `result.kind` (a completed
    /// permission).
    pub result_content: Option<Cow<'a, str>>,
    pub result_kind: Option<Cow<'a, str>>,
    pub request_id: Option<Cow<'a, str>>,
    /// `permissionRequest.toolCallId`.
    pub permission_call: Option<Cow<'a, str>>,
    pub resolved_by_hook: Option<bool>,
}

type T<'a> = Option<Text<'a>>;

#[derive(Deserialize)]
struct Line<'a> {
    #[serde(rename = "type", default, borrow)]
    kind: T<'a>,
    #[serde(default, borrow)]
    timestamp: T<'a>,
    #[serde(default, borrow)]
    data: Option<Data<'a>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Data<'a> {
    #[serde(default, borrow)]
    session_id: T<'a>,
    #[serde(default, borrow)]
    copilot_version: T<'a>,
    #[serde(default, borrow)]
    selected_model: T<'a>,
    #[serde(default, borrow)]
    context: Option<Context<'a>>,
    #[serde(default, borrow)]
    new_model: T<'a>,
    #[serde(default, borrow)]
    mode: T<'a>,
    #[serde(default, borrow)]
    content: T<'a>,
    #[serde(default, borrow)]
    tool_call_id: T<'a>,
    #[serde(default, borrow)]
    tool_name: T<'a>,
    /// Present (even `null`) or absent, as the general path tells them.
    #[serde(default, borrow, deserialize_with = "present")]
    arguments: Option<&'a RawValue>,
    #[serde(default, borrow)]
    shell_tool_info: Option<ShellToolInfo<'a>>,
    #[serde(default, borrow)]
    mcp_server_name: T<'a>,
    #[serde(default, borrow)]
    mcp_tool_name: T<'a>,
    #[serde(default)]
    success: Option<bool>,
    #[serde(default, borrow)]
    error: Option<Message<'a>>,
    #[serde(default, borrow)]
    result: Option<Outcome<'a>>,
    #[serde(default, borrow)]
    request_id: T<'a>,
    #[serde(default, borrow)]
    permission_request: Option<PermissionRequest<'a>>,
    #[serde(default)]
    resolved_by_hook: Option<bool>,
}

fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<&'de RawValue>, D::Error> {
    <&RawValue>::deserialize(d).map(Some)
}

#[derive(Deserialize)]
struct Context<'a> {
    #[serde(default, borrow)]
    cwd: T<'a>,
    #[serde(default, borrow)]
    branch: T<'a>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ShellToolInfo<'a> {
    #[serde(default, borrow)]
    display_command: T<'a>,
}

#[derive(Deserialize)]
struct Message<'a> {
    #[serde(default, borrow)]
    message: T<'a>,
}

#[derive(Deserialize)]
struct Outcome<'a> {
    #[serde(default, borrow)]
    content: T<'a>,
    #[serde(default, borrow)]
    kind: T<'a>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PermissionRequest<'a> {
    #[serde(default, borrow)]
    tool_call_id: T<'a>,
}

#[derive(Deserialize)]
struct Arguments<'a> {
    #[serde(default, borrow)]
    command: T<'a>,
}

fn text(t: T<'_>) -> Option<Cow<'_, str>> {
    t.map(|t| t.0)
}

impl<'a> Event<'a> {
    /// The typed reading, or `None` when the line must be read as a
    /// `Value`.
    pub(super) fn decode(line: &'a [u8]) -> Option<Event<'a>> {
        let l: Line<'a> = serde_json::from_slice(line).ok()?;
        let mut e = Event {
            kind: text(l.kind),
            timestamp: text(l.timestamp),
            ..Event::default()
        };
        let Some(d) = l.data else {
            return Some(e);
        };
        // `arguments.command`: only an object has one.
        if let Some(raw) = d.arguments {
            if raw.get().starts_with('{') {
                let a: Arguments<'a> = serde_json::from_str(raw.get()).ok()?;
                e.command = text(a.command);
            }
            e.arguments = Some(Cow::Borrowed(raw.get()));
        }
        let (cwd, branch) = d.context.map_or((None, None), |c| (c.cwd, c.branch));
        let (result_content, result_kind) = d.result.map_or((None, None), |r| (r.content, r.kind));
        Some(Event {
            session_id: text(d.session_id),
            copilot_version: text(d.copilot_version),
            selected_model: text(d.selected_model),
            cwd: text(cwd),
            branch: text(branch),
            new_model: text(d.new_model),
            mode: text(d.mode),
            content: text(d.content),
            tool_call_id: text(d.tool_call_id),
            tool_name: text(d.tool_name),
            display_command: text(d.shell_tool_info.and_then(|s| s.display_command)),
            mcp_server: text(d.mcp_server_name),
            mcp_tool: text(d.mcp_tool_name),
            success: d.success,
            error_message: text(d.error.and_then(|m| m.message)),
            result_content: text(result_content),
            result_kind: text(result_kind),
            request_id: text(d.request_id),
            permission_call: text(d.permission_request.and_then(|p| p.tool_call_id)),
            resolved_by_hook: d.resolved_by_hook,
            ..e
        })
    }

    /// The same members from a `Value`: each a string (or boolean) where
    /// it is one, absent otherwise.
    pub(super) fn of_value(v: &'a Value) -> Event<'a> {
        let s = |v: &'a Value, ptr: &str| v.pointer(ptr).and_then(Value::as_str).map(Cow::Borrowed);
        let d = v.get("data").unwrap_or(&Value::Null);
        let args = d.get("arguments");
        Event {
            kind: s(v, "/type"),
            timestamp: s(v, "/timestamp"),
            session_id: s(d, "/sessionId"),
            copilot_version: s(d, "/copilotVersion"),
            selected_model: s(d, "/selectedModel"),
            cwd: s(d, "/context/cwd"),
            branch: s(d, "/context/branch"),
            new_model: s(d, "/newModel"),
            mode: s(d, "/mode"),
            content: s(d, "/content"),
            tool_call_id: s(d, "/toolCallId"),
            tool_name: s(d, "/toolName"),
            command: args.and_then(|a| s(a, "/command")),
            arguments: args.map(|a| Cow::Owned(a.to_string())),
            display_command: s(d, "/shellToolInfo/displayCommand"),
            mcp_server: s(d, "/mcpServerName"),
            mcp_tool: s(d, "/mcpToolName"),
            success: d.get("success").and_then(Value::as_bool),
            error_message: s(d, "/error/message"),
            result_content: s(d, "/result/content"),
            result_kind: s(d, "/result/kind"),
            request_id: s(d, "/requestId"),
            permission_call: s(d, "/permissionRequest/toolCallId"),
            resolved_by_hook: d.get("resolvedByHook").and_then(Value::as_bool),
        }
    }
}
