//! What each agent's telemetry event means, as its own source writes it.
//!
//! - Claude Code (`claude_code.*`; `event.name` is the bare name and the
//!   body the prefixed one): `tool_result` {`tool_name`, `success`,
//!   `duration_ms`, `error`, `tool_parameters` (JSON text: `bash_command`,
//!   `full_command`, `mcp_server_name`, `mcp_tool_name`), `decision_type`
//!   accept/reject, `decision_source` config, classifier, hook,
//!   user_temporary, user_permanent, user_reject, user_abort}; `tool_decision`
//!   {`decision`, `source`, `tool_name`}; `user_prompt` {`prompt` when
//!   logged, `prompt_length`}. Standard attributes: `session.id`,
//!   `prompt.id`, `user.email`, `user.account_uuid`, `app.version`.
//! - Codex (`codex.*`, `conversation.id`): `tool_decision` {`tool_name`,
//!   `call_id`, `decision` approved, approved_for_session, denied, abort,
//!   `source` config or user}; `tool_result` {`tool_name`, `call_id`,
//!   `arguments` (JSON text), `duration_ms`, `success`, `output`};
//!   `user_prompt`.
//! - Gemini CLI (`gemini_cli.*`, `session.id`): `tool_call`
//!   {`function_name`, `function_args` (JSON text), `duration_ms`,
//!   `success`, `decision` accept, reject, modify, auto_accept, `error`,
//!   `prompt_id`}; `user_prompt` {`prompt`, `prompt_length`}.
//! - GenAI semantic conventions (traces; GitHub Copilot CLI and other
//!   instrumented agents): an `execute_tool {name}` span with
//!   `gen_ai.operation.name` execute_tool, `gen_ai.tool.name`,
//!   `gen_ai.tool.call.id`, opt-in `gen_ai.tool.call.arguments` /
//!   `.result`, `gen_ai.conversation.id`; Copilot adds
//!   `github.copilot.tool.parameters.command` (content capture on). The
//!   span status says whether the call failed; spans carry no approval.

use std::borrow::Cow;

use serde_json::Value;

use crate::json_scan::{GiveUp, Parser, R};

use super::super::command::{command_from_argv, command_from_str, render_mcp};
use super::super::lenient::Str;
use super::super::{Approval, Outcome};
use super::attrs::AttrMap;

/// The agent an event name belongs to, and the name without its prefix.
pub(super) fn agent_of(name: &str) -> Option<(&'static str, &str)> {
    for (prefix, agent) in [
        ("claude_code.", "claude-code"),
        ("codex.", "codex"),
        ("gemini_cli.", "gemini-cli"),
    ] {
        if let Some(rest) = name.strip_prefix(prefix) {
            return Some((agent, rest));
        }
    }
    None
}

/// The session id attribute each agent writes.
pub(super) fn session_of<'a, A: AttrMap + ?Sized>(agent: &str, a: &'a A) -> Option<&'a str> {
    let keys: &[&str] = match agent {
        "codex" => &["conversation.id", "session.id"],
        "claude-code" | "gemini-cli" => &["session.id", "conversation.id"],
        // GenAI semantic conventions; Copilot also writes `session.id`.
        _ => &["gen_ai.conversation.id", "session.id", "conversation.id"],
    };
    keys.iter()
        .find_map(|k| a.attr(k))
        .filter(|s| !s.is_empty())
}

/// A tool call's command from the event: `(command, command_raw)`.
pub(super) fn command_of<A: AttrMap + ?Sized>(
    agent: &str,
    a: &A,
) -> (Option<String>, Option<String>) {
    let json = match agent {
        "claude-code" => a.attr("tool_parameters"),
        "codex" => a.attr("arguments"),
        _ => a.attr("function_args"),
    };
    match json {
        Some(json) => command_in_json(json),
        None => (None, None),
    }
}

/// The command in a tool's arguments given as JSON text: an MCP call, or
/// a `full_command` / `command` / `cmd` / `bash_command` string or argv.
/// Text that is not JSON is kept as the command.
pub(super) fn command_in_json(json: &str) -> (Option<String>, Option<String>) {
    scan_args(json).unwrap_or_else(|GiveUp| command_in_value(json))
}

/// `command_in_json` through `serde_json::Value`: for what the scanner
/// gives up on.
pub(super) fn command_in_value(json: &str) -> (Option<String>, Option<String>) {
    let Ok(v) = serde_json::from_str::<Value>(json) else {
        // Arguments that are not JSON: kept as the command text.
        return (Some(json.to_owned()), None);
    };
    if let (Some(server), Some(tool)) = (
        v.get("mcp_server_name").and_then(Value::as_str),
        v.get("mcp_tool_name").and_then(Value::as_str),
    ) {
        return (Some(render_mcp(server, tool, None)), None);
    }
    for k in ["full_command", "command", "cmd", "bash_command"] {
        match v.get(k) {
            Some(Value::String(s)) if !s.trim().is_empty() => {
                let (c, raw) = command_from_str(s);
                return (Some(c), raw);
            }
            Some(Value::Array(items)) => {
                let argv: Vec<String> = items
                    .iter()
                    .filter_map(|x| x.as_str().map(str::to_owned))
                    .collect();
                if !argv.is_empty() {
                    let (c, raw) = command_from_argv(&argv);
                    return (Some(c), raw);
                }
            }
            _ => {}
        }
    }
    (None, None)
}

/// One of the members `command_in_json` reads, as the last of its name
/// (as `Value` keeps it) gives it.
#[derive(Default)]
enum Arg<'a> {
    #[default]
    Absent,
    Text(Cow<'a, str>),
    /// The strings among an array's items.
    Argv(Vec<Cow<'a, str>>),
    Other,
}

/// `command_in_json` of an object scanned straight from the text (no
/// `Value`, no map); `Err` where the scanner gives up, for `Value` to
/// decide. `tests` checks the two agree.
pub(super) fn scan_args(json: &str) -> R<(Option<String>, Option<String>)> {
    const COMMANDS: [&[u8]; 4] = [b"full_command", b"command", b"cmd", b"bash_command"];
    let mut p = Parser::checked(json);
    p.ws();
    if p.peek()? != b'{' {
        return Err(GiveUp);
    }
    let (mut server, mut tool) = (None, None);
    let mut args: [Arg<'_>; 4] = Default::default();
    p.members(|p, key| {
        match key {
            b"mcp_server_name" => server = Str::scan(p)?.0,
            b"mcp_tool_name" => tool = Str::scan(p)?.0,
            _ => match COMMANDS.iter().position(|k| *k == key) {
                Some(i) => {
                    args[i] = match p.peek()? {
                        b'"' => Arg::Text(p.string()?),
                        b'[' => {
                            let mut argv = Vec::new();
                            p.items(|p, _| {
                                if p.peek()? == b'"' {
                                    argv.push(p.string()?);
                                    Ok(())
                                } else {
                                    p.skip()
                                }
                            })?;
                            Arg::Argv(argv)
                        }
                        _ => p.skip().map(|()| Arg::Other)?,
                    }
                }
                None => p.skip()?,
            },
        }
        Ok(())
    })?;
    p.end()?;
    if let (Some(server), Some(tool)) = (server, tool) {
        return Ok((Some(render_mcp(&server, &tool, None)), None));
    }
    for arg in args {
        match arg {
            Arg::Text(s) if !s.trim().is_empty() => {
                let (c, raw) = command_from_str(&s);
                return Ok((Some(c), raw));
            }
            Arg::Argv(items) if !items.is_empty() => {
                let argv: Vec<String> = items.into_iter().map(Cow::into_owned).collect();
                let (c, raw) = command_from_argv(&argv);
                return Ok((Some(c), raw));
            }
            _ => {}
        }
    }
    Ok((None, None))
}

/// `success` as the outcome of a call that ran.
pub(super) fn outcome_of<A: AttrMap + ?Sized>(a: &A) -> Outcome {
    match a.attr("success") {
        Some("true") => Outcome::Ok,
        Some("false") => Outcome::Error,
        _ => Outcome::Unknown,
    }
}

/// The approval a decision records, with the rule (for `Auto`) or the
/// record that decided, in words; `None` when the event records none.
pub(super) fn approval_of<A: AttrMap + ?Sized>(
    agent: &str,
    name: &str,
    a: &A,
) -> Option<(Approval, String)> {
    let get = |k: &str| a.attr(k);
    let (decision, source) = match (agent, name) {
        ("claude-code", "tool_result") => (get("decision_type")?, get("decision_source")),
        ("claude-code", "tool_decision") | ("codex", "tool_decision") => {
            (get("decision")?, get("source"))
        }
        ("gemini-cli", "tool_call") => (get("decision")?, None),
        _ => return None,
    };
    let event = match agent {
        "claude-code" => format!("claude_code.{name}"),
        "codex" => format!("codex.{name}"),
        _ => format!("gemini_cli.{name}"),
    };
    let src = source.map(|s| format!(" source={s}")).unwrap_or_default();
    let said = format!("decision={decision}{src} ({event}, telemetry)");
    let approval = match (decision, source) {
        ("reject" | "denied" | "abort", _) => Approval::Rejected,
        // Claude Code: a person answered the dialog.
        ("accept", Some("user_temporary" | "user_permanent")) => Approval::Explicit,
        // Claude Code: a rule, the mode, a hook or the classifier.
        ("accept", Some(_)) => Approval::Auto,
        // Codex: the user approved, or the configured policy did.
        ("approved" | "approved_for_session", Some("user")) => Approval::Explicit,
        ("approved" | "approved_for_session", Some(_)) => Approval::Auto,
        // Gemini CLI: a person accepted (or edited) the call, or YOLO /
        // an allow-list accepted it.
        ("accept" | "modify", None) => Approval::Explicit,
        ("auto_accept", _) => Approval::Auto,
        _ => Approval::Unknown,
    };
    Some((approval, said))
}

/// Whether a decision refused the call, and whether a person did.
pub(super) fn refusal(decision: &str, source: Option<&str>) -> Option<Outcome> {
    match (decision, source) {
        ("reject", Some("user_reject" | "user_abort")) | ("denied" | "abort", Some("user")) => {
            Some(Outcome::Rejected)
        }
        ("reject" | "denied" | "abort", _) => Some(Outcome::Denied),
        _ => None,
    }
}

/// The agent a GenAI span comes from, by its service: GitHub Copilot's CLI
/// runtime and VS Code extension, or the service name of any other agent.
pub(super) fn genai_agent<A: AttrMap + ?Sized>(a: &A) -> &'static str {
    let service = a.attr("service.name").unwrap_or("");
    let lower = service.to_ascii_lowercase();
    if lower == "copilot-chat" {
        "copilot-vscode"
    } else if lower.contains("copilot") {
        "copilot-cli"
    } else if lower.contains("claude") {
        "claude-code"
    } else if lower.contains("codex") {
        "codex"
    } else if lower.contains("gemini") {
        "gemini-cli"
    } else {
        "genai-agent"
    }
}

/// A span that is not a tool execution, named for the skip counts.
pub(super) fn span_kind(op: Option<&str>, name: &str) -> &'static str {
    match op {
        Some("chat" | "text_completion" | "generate_content") => "span: model call",
        Some("invoke_agent" | "create_agent") => "span: agent",
        Some(_) => "span: other GenAI operation",
        None if name.starts_with("claude_code.") => "span: claude_code (beta traces)",
        None => "span: not GenAI",
    }
}

/// The command of an `execute_tool` span: Copilot's structured shell
/// command, or the `command` in the captured arguments.
pub(super) fn span_command<A: AttrMap + ?Sized>(a: &A) -> (Option<String>, Option<String>) {
    if let Some(c) = a
        .attr("github.copilot.tool.parameters.command")
        .filter(|c| !c.trim().is_empty())
    {
        let (c, raw) = command_from_str(c);
        return (Some(c), raw);
    }
    match a.attr("gen_ai.tool.call.arguments") {
        Some(args) => command_in_json(args),
        None => (None, None),
    }
}

/// OTLP span status: 1 OK, 2 ERROR (numbers or the enum names), else
/// unknown; `error.type` also marks a failure.
pub(super) fn span_outcome<A: AttrMap + ?Sized>(span: &Value, a: &A) -> Outcome {
    let code = span.pointer("/status/code");
    let text = code.and_then(|c| match c {
        Value::Number(n) => n.as_u64().map(|n| n.to_string()),
        Value::String(s) => Some(s.clone()),
        _ => None,
    });
    // Log stores write the enum as `Error` / `Ok` (`ERROR` / `OK`).
    let code = text.map(|t| t.to_ascii_lowercase());
    match code.as_deref() {
        Some("2" | "status_code_error" | "error") => Outcome::Error,
        _ if a.has("error.type") => Outcome::Error,
        Some("1" | "status_code_ok" | "ok") => Outcome::Ok,
        _ => Outcome::Unknown,
    }
}
