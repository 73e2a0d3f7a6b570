//! Codex CLI rollouts: `~/.codex/sessions/YYYY/MM/DD/rollout-*.jsonl`, in
//! every shape the versions wrote. Current builds wrap each record as
//! `{"timestamp","type","payload"}` with `session_meta`, `turn_context`,
//! `response_item` and `event_msg`; the earliest builds wrote a bare session
//! header and bare response items with no timestamps.
//!
//! Tool calls come from `function_call` (`shell` / `container.exec` with an
//! argv array, `exec_command` / `shell_command` with a command string,
//! `write_stdin`, MCP tools named `mcp__<server>__<tool>`), `local_shell_call`
//! and `custom_tool_call`; results from `function_call_output` /
//! `custom_tool_call_output` matched by `call_id`, whose text carries the
//! exit status in one of several forms (JSON `metadata.exit_code`,
//! `Exit code: N`, `Process exited with code N`, `Shell exit code: N`), and
//! from the older `exec_command_end` / `mcp_tool_call_end` events. Approval
//! is inferred from the `approval_policy` in force, an escalation request,
//! an `exec_approval_request` event, or the fixed rejection strings.
//! Messages come from `user_message` / `agent_message` events when the file
//! has them, otherwise from `response_item` messages (never both).

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::path::Path;

use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::value::RawValue;

use super::command::{command_from_argv, command_from_str, mcp_parts, number_after, render_mcp};
use super::text::{excerpt, first_byte, json_str, text_of};
use super::util::{
    Collector, Distinct, Span, file_stem, json_line_reason, lines, new_call, operator_for,
};
use super::{AgentSession, Approval, Outcome, ParsedTranscript, Role, ToolCall, TranscriptOptions};

const REJECTED_EXEC: &str = "exec command rejected by user";
const REJECTED_PATCH: &str = "patch rejected by user";
const GUARDIAN: &str = "This action was rejected due to unacceptable risk";
const STILL_RUNNING: &str = "Process running with session ID";

/// Function names whose arguments carry a shell command.
const SHELL_FUNCTIONS: &[&str] = &[
    "shell",
    "container.exec",
    "local_shell",
    "exec_command",
    "shell_command",
    "unified_exec",
];
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

#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(borrow)]
    timestamp: Option<Cow<'a, str>>,
    #[serde(rename = "type", borrow)]
    kind: Option<Cow<'a, str>>,
    #[serde(borrow)]
    payload: Option<&'a RawValue>,
    id: Option<IgnoredAny>,
    record_type: Option<IgnoredAny>,
}

#[derive(Deserialize)]
struct Meta<'a> {
    #[serde(borrow)]
    id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    session_id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    timestamp: Option<Cow<'a, str>>,
    #[serde(borrow)]
    cwd: Option<Cow<'a, str>>,
    #[serde(borrow)]
    cli_version: Option<Cow<'a, str>>,
    #[serde(borrow)]
    source: Option<&'a RawValue>,
    #[serde(borrow)]
    git: Option<Git<'a>>,
}

#[derive(Deserialize)]
struct Git<'a> {
    #[serde(borrow)]
    branch: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
struct TurnContext<'a> {
    #[serde(borrow)]
    cwd: Option<Cow<'a, str>>,
    #[serde(borrow)]
    model: Option<Cow<'a, str>>,
    #[serde(borrow)]
    approval_policy: Option<&'a RawValue>,
    #[serde(borrow)]
    sandbox_policy: Option<&'a RawValue>,
}

#[derive(Deserialize)]
struct Item<'a> {
    #[serde(rename = "type", borrow)]
    kind: Option<Cow<'a, str>>,
    #[serde(borrow)]
    role: Option<Cow<'a, str>>,
    #[serde(borrow)]
    content: Option<&'a RawValue>,
    #[serde(borrow)]
    name: Option<Cow<'a, str>>,
    #[serde(borrow)]
    arguments: Option<&'a RawValue>,
    #[serde(borrow)]
    call_id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    output: Option<&'a RawValue>,
    #[serde(borrow)]
    action: Option<&'a RawValue>,
}

#[derive(Deserialize)]
struct Event<'a> {
    #[serde(rename = "type", borrow)]
    kind: Option<Cow<'a, str>>,
    #[serde(borrow)]
    message: Option<Cow<'a, str>>,
    /// Older builds marked injected user messages: `plain`,
    /// `user_instructions`, `environment_context`.
    #[serde(rename = "kind", borrow)]
    message_kind: Option<Cow<'a, str>>,
    #[serde(borrow)]
    call_id: Option<Cow<'a, str>>,
    exit_code: Option<i64>,
    #[serde(borrow)]
    aggregated_output: Option<Cow<'a, str>>,
    #[serde(borrow)]
    formatted_output: Option<Cow<'a, str>>,
    #[serde(borrow)]
    stdout: Option<Cow<'a, str>>,
    #[serde(borrow)]
    stderr: Option<Cow<'a, str>>,
    #[serde(borrow)]
    command: Option<&'a RawValue>,
    #[serde(borrow)]
    invocation: Option<&'a RawValue>,
    #[serde(borrow)]
    result: Option<&'a RawValue>,
}

#[derive(Deserialize, Default)]
struct ShellArgs {
    command: Option<Box<RawValue>>,
    cmd: Option<String>,
    chars: Option<String>,
    with_escalated_permissions: Option<bool>,
    sandbox_permissions: Option<String>,
}

#[derive(Deserialize)]
struct LocalShellAction {
    command: Option<Vec<String>>,
}

#[derive(Deserialize)]
struct JsonOutput {
    output: Option<String>,
    metadata: Option<JsonOutputMeta>,
}

#[derive(Deserialize)]
struct JsonOutputMeta {
    exit_code: Option<i64>,
}

#[derive(Deserialize)]
struct McpInvocation<'a> {
    #[serde(borrow)]
    server: Option<Cow<'a, str>>,
    #[serde(borrow)]
    tool: Option<Cow<'a, str>>,
    #[serde(borrow)]
    arguments: Option<&'a RawValue>,
}

#[derive(Deserialize)]
struct McpResult<'a> {
    #[serde(rename = "Ok", borrow)]
    ok: Option<&'a RawValue>,
    #[serde(rename = "Err", borrow)]
    err: Option<&'a RawValue>,
}

#[derive(Deserialize)]
struct McpOk {
    #[serde(rename = "isError")]
    is_error: Option<bool>,
}

struct PendingCall {
    call: ToolCall,
    policy: Option<String>,
    sandbox: Option<String>,
    escalated: bool,
    shell: bool,
    has_output: bool,
}

struct MsgCand {
    from_event: bool,
    role: Role,
    text: String,
    time: Option<i64>,
    line: u64,
}

#[derive(Default)]
struct Reader {
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
    policy: Option<String>,
    sandbox: Option<String>,
    calls: Vec<PendingCall>,
    call_idx: HashMap<String, usize>,
    approval_requested: HashSet<String>,
    msgs: Vec<MsgCand>,
    has_event_msgs: bool,
}

pub(crate) fn parse(path: &Path, bytes: &[u8], opts: &TranscriptOptions) -> ParsedTranscript {
    let mut c = Collector::new(path);
    let mut r = Reader::default();
    for (no, line) in lines(bytes) {
        r.record(&mut c, no, line);
    }
    r.finish(c, path, opts)
}

impl Reader {
    fn record(&mut self, c: &mut Collector, no: u64, raw: &[u8]) {
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

    fn function_call(&mut self, c: &mut Collector, no: u64, time: Option<i64>, item: &Item<'_>) {
        let name = item.name.as_deref().unwrap_or("unknown");
        let id = item.call_id.as_deref().or(item.id.as_deref());
        let args_text: Option<Cow<'_, str>> = item
            .arguments
            .map(|a| json_str(a).unwrap_or(Cow::Borrowed(a.get())));
        if let Some((server, tool)) = mcp_parts(name) {
            let args = args_text
                .as_deref()
                .and_then(|t| serde_json::from_str::<Box<RawValue>>(t).ok());
            let cmd = render_mcp(server, tool, args.as_deref());
            self.add_call(c, no, time, id, name, Some((cmd, None)), None, false, false);
            return;
        }
        let is_shell = SHELL_FUNCTIONS.contains(&name);
        if !is_shell && name != "write_stdin" {
            self.add_call(c, no, time, id, name, None, None, false, false);
            return;
        }
        let args: ShellArgs = args_text
            .as_deref()
            .and_then(|t| serde_json::from_str(t).ok())
            .unwrap_or_default();
        let escalated = args.with_escalated_permissions == Some(true)
            || args.sandbox_permissions.as_deref() == Some("require_escalated");
        let command = if name == "write_stdin" {
            args.chars
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| (s.to_owned(), None))
        } else if let Some(cmd) = args.cmd.as_deref() {
            Some(command_from_str(cmd))
        } else {
            args.command.as_deref().and_then(command_value)
        };
        self.add_call(c, no, time, id, name, command, None, escalated, is_shell);
    }

    fn local_shell_call(&mut self, c: &mut Collector, no: u64, time: Option<i64>, item: &Item<'_>) {
        let id = item.call_id.as_deref().or(item.id.as_deref());
        let command = item
            .action
            .and_then(|a| serde_json::from_str::<LocalShellAction>(a.get()).ok())
            .and_then(|a| a.command)
            .map(|argv| command_from_argv(&argv));
        self.add_call(
            c,
            no,
            time,
            id,
            "local_shell_call",
            command,
            None,
            false,
            true,
        );
    }

    #[allow(clippy::too_many_arguments)]
    fn add_call(
        &mut self,
        c: &mut Collector,
        no: u64,
        time: Option<i64>,
        id: Option<&str>,
        name: &str,
        command: Option<(String, Option<String>)>,
        started: Option<i64>,
        escalated: bool,
        shell: bool,
    ) -> usize {
        let call_id = id.map_or_else(|| format!("line{no}"), str::to_owned);
        if let Some(&i) = self.call_idx.get(&call_id) {
            return i;
        }
        let mut call = new_call("", &call_id, name, &c.source_file, no);
        call.started_at = started.or(time);
        if let Some((cmd, raw)) = command {
            call.command = Some(cmd);
            call.command_raw = raw;
        }
        let i = self.calls.len();
        self.call_idx.insert(call_id, i);
        self.calls.push(PendingCall {
            call,
            policy: self.policy.clone(),
            sandbox: self.sandbox.clone(),
            escalated,
            shell,
            has_output: false,
        });
        i
    }

    fn output(&mut self, id: &str, time: Option<i64>, text: &str) {
        let Some(&i) = self.call_idx.get(id) else {
            return;
        };
        let p = &mut self.calls[i];
        p.has_output = true;
        p.call.ended_at = time;
        let (body, json_exit) = match serde_json::from_str::<JsonOutput>(text.trim()) {
            Ok(j) if j.output.is_some() || j.metadata.is_some() => (
                Cow::Owned(j.output.unwrap_or_default()),
                j.metadata.and_then(|m| m.exit_code),
            ),
            _ => (Cow::Borrowed(text), None),
        };
        let head = body.trim_start();
        let call = &mut p.call;
        call.output_excerpt = excerpt(&body);
        if head.starts_with(REJECTED_EXEC) || head.starts_with(REJECTED_PATCH) {
            call.outcome = Outcome::Rejected;
            return;
        }
        if head.starts_with(GUARDIAN) {
            call.outcome = Outcome::Denied;
            return;
        }
        let exit = json_exit
            .or_else(|| number_after(head, "Exit code:"))
            .or_else(|| number_after(head, "Shell exit code:"))
            .or_else(|| number_after(head, "Process exited with code"));
        call.exit_code = exit;
        call.outcome = match exit {
            Some(0) => Outcome::Ok,
            Some(_) => Outcome::Error,
            None if head.contains(STILL_RUNNING) => Outcome::Unknown,
            None if p.shell => Outcome::Unknown,
            None => Outcome::Ok,
        };
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

    fn exec_end(&mut self, time: Option<i64>, ev: &Event<'_>) {
        let Some(&i) = ev.call_id.as_deref().and_then(|id| self.call_idx.get(id)) else {
            return;
        };
        let p = &mut self.calls[i];
        if p.call.outcome == Outcome::Rejected || p.call.outcome == Outcome::Denied {
            return;
        }
        p.has_output = true;
        p.call.ended_at = p.call.ended_at.or(time);
        if let Some(code) = ev.exit_code {
            p.call.exit_code = Some(code);
            p.call.outcome = if code == 0 {
                Outcome::Ok
            } else {
                Outcome::Error
            };
        }
        if p.call.output_excerpt.is_none() {
            let text = match (&ev.aggregated_output, &ev.formatted_output) {
                (Some(a), _) => a.to_string(),
                (None, Some(f)) => f.to_string(),
                _ => [ev.stdout.as_deref(), ev.stderr.as_deref()]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join("\n"),
            };
            p.call.output_excerpt = excerpt(&text);
        }
    }

    fn mcp_end(&mut self, c: &mut Collector, no: u64, time: Option<i64>, ev: &Event<'_>) {
        let inv = ev
            .invocation
            .and_then(|i| serde_json::from_str::<McpInvocation<'_>>(i.get()).ok());
        let i = match ev.call_id.as_deref().and_then(|id| self.call_idx.get(id)) {
            Some(&i) => i,
            None => {
                let (server, tool) = inv
                    .as_ref()
                    .map(|v| {
                        (
                            v.server.as_deref().unwrap_or("unknown"),
                            v.tool.as_deref().unwrap_or("unknown"),
                        )
                    })
                    .unwrap_or(("unknown", "unknown"));
                let name = format!("mcp__{server}__{tool}");
                let cmd = render_mcp(server, tool, inv.as_ref().and_then(|v| v.arguments));
                self.add_call(
                    c,
                    no,
                    None,
                    ev.call_id.as_deref(),
                    &name,
                    Some((cmd, None)),
                    None,
                    false,
                    false,
                )
            }
        };
        let p = &mut self.calls[i];
        p.has_output = true;
        p.call.ended_at = time;
        let res = ev
            .result
            .and_then(|r| serde_json::from_str::<McpResult<'_>>(r.get()).ok());
        let (outcome, text) = match res {
            Some(McpResult { ok: Some(ok), .. }) => {
                let is_err = serde_json::from_str::<McpOk>(ok.get())
                    .ok()
                    .and_then(|o| o.is_error)
                    == Some(true);
                (
                    if is_err { Outcome::Error } else { Outcome::Ok },
                    text_of(ok),
                )
            }
            Some(McpResult { err: Some(err), .. }) => (Outcome::Error, text_of(err)),
            _ => (Outcome::Unknown, String::new()),
        };
        p.call.outcome = outcome;
        if p.call.output_excerpt.is_none() {
            p.call.output_excerpt = excerpt(&text);
        }
    }

    fn finish(
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

/// The text of an output: a string, or content items.
fn output_text(raw: &RawValue) -> String {
    match json_str(raw) {
        Some(s) => s.into_owned(),
        None => text_of(raw),
    }
}

/// A command given as an argv array or as a string.
fn command_value(raw: &RawValue) -> Option<(String, Option<String>)> {
    match first_byte(raw.get().as_bytes())? {
        b'[' => serde_json::from_str::<Vec<String>>(raw.get())
            .ok()
            .filter(|v| !v.is_empty())
            .map(|argv| command_from_argv(&argv)),
        b'"' => json_str(raw).map(|s| command_from_str(&s)),
        _ => None,
    }
}

/// `never`, `on-request`, …; a structured policy is named by its key.
fn policy_name(raw: &RawValue) -> Option<String> {
    if let Some(s) = json_str(raw) {
        return Some(s.into_owned());
    }
    let map = serde_json::from_str::<HashMap<String, IgnoredAny>>(raw.get()).ok()?;
    let mut keys: Vec<_> = map.into_keys().collect();
    keys.sort();
    (!keys.is_empty()).then(|| keys.join("+"))
}

/// `{"mode": …}` (older) or `{"type": …}` (newer) or a bare string.
fn sandbox_mode(raw: &RawValue) -> Option<String> {
    #[derive(Deserialize)]
    struct Sandbox {
        mode: Option<String>,
        #[serde(rename = "type")]
        kind: Option<String>,
    }
    if let Some(s) = json_str(raw) {
        return Some(s.into_owned());
    }
    let s = serde_json::from_str::<Sandbox>(raw.get()).ok()?;
    s.mode.or(s.kind)
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

fn approval_of(
    call: &ToolCall,
    policy: Option<&str>,
    sandbox: Option<&str>,
    escalated: bool,
    shell: bool,
    requested: bool,
) -> (Approval, Option<String>) {
    match call.outcome {
        Outcome::Rejected => {
            return (
                Approval::Rejected,
                Some(format!("rejection string: {REJECTED_EXEC}")),
            );
        }
        Outcome::Denied => {
            return (
                Approval::Rejected,
                Some("automatic reviewer: rejected due to unacceptable risk".to_owned()),
            );
        }
        _ => {}
    }
    if requested {
        return (
            Approval::Explicit,
            Some("exec_approval_request recorded, then the command ran".to_owned()),
        );
    }
    let with_sandbox = |p: &str| match sandbox {
        Some(s) => format!("approval_policy={p}, sandbox={s}"),
        None => format!("approval_policy={p}"),
    };
    match policy {
        Some("never") => {
            let yolo = if sandbox == Some("danger-full-access") {
                " (yolo)"
            } else {
                ""
            };
            (
                Approval::Auto,
                Some(format!("{}{yolo}", with_sandbox("never"))),
            )
        }
        Some(p) if escalated => (
            Approval::Unknown,
            Some(format!(
                "{}; escalation requested: approved by a person, a rule or the session cache",
                with_sandbox(p)
            )),
        ),
        Some(p @ ("on-request" | "on-failure")) if shell => (
            Approval::Auto,
            Some(format!(
                "{}; ran in the sandbox without asking",
                with_sandbox(p)
            )),
        ),
        Some(p) => (Approval::Unknown, Some(with_sandbox(p))),
        None => (Approval::Unknown, None),
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests_support::{fixture, parse_fixture};
    use super::super::{TranscriptFormat, detect};
    use super::*;

    const MAIN: &str =
        "codex/2026/01/20/rollout-2026-01-20T09-15-00-019bd2f1-7a3c-7e21-9b1d-3c4d5e6f7a8b.jsonl";

    use super::super::tests_support::call;

    #[test]
    fn session_from_meta_and_turn_context() {
        let p = parse_fixture(TranscriptFormat::Codex, MAIN);
        assert_eq!(p.sessions.len(), 1);
        let s = &p.sessions[0];
        assert_eq!(s.session_id, "019bd2f1-7a3c-7e21-9b1d-3c4d5e6f7a8b");
        assert_eq!(s.agent, "codex");
        assert_eq!(s.agent_version.as_deref(), Some("0.63.0"));
        assert_eq!(s.model.as_deref(), Some("gpt-5-codex"));
        assert_eq!(s.cwd.as_deref(), Some("/home/bob/proj"));
        assert_eq!(s.git_branch.as_deref(), Some("feature/cleanup"));
        assert_eq!(s.approval_mode.as_deref(), Some("on-request,never"));
        assert_eq!(
            s.sandbox.as_deref(),
            Some("workspace-write,danger-full-access")
        );
        assert_eq!(s.operator.as_deref(), Some("bob"));
        assert!(p.tool_calls.iter().all(|c| c.session_id == s.session_id));
    }

    #[test]
    fn shell_argv_is_unwrapped_and_raw_kept() {
        let p = parse_fixture(TranscriptFormat::Codex, MAIN);
        let c = call(&p, "call_1");
        assert_eq!(
            c.command.as_deref(),
            Some("aws cloudformation describe-stacks --region us-west-2")
        );
        assert_eq!(
            c.command_raw.as_deref(),
            Some("bash -lc 'aws cloudformation describe-stacks --region us-west-2'")
        );
        assert_eq!(
            (c.exit_code, c.outcome),
            (Some(0), Outcome::Ok),
            "JSON metadata.exit_code"
        );
        assert!(
            c.output_excerpt
                .as_deref()
                .is_some_and(|o| o.contains("StackStatus"))
        );
        assert_eq!(c.approval, Approval::Auto);
    }

    #[test]
    fn every_output_form_gives_the_exit_code() {
        let p = parse_fixture(TranscriptFormat::Codex, MAIN);
        let exec = call(&p, "call_3");
        assert_eq!(
            exec.command.as_deref(),
            Some("aws s3 rm s3://old-artifacts --recursive")
        );
        assert_eq!(
            (exec.exit_code, exec.outcome),
            (Some(1), Outcome::Error),
            "Process exited"
        );
        let sc = call(&p, "call_4");
        assert_eq!(sc.command.as_deref(), Some("aws sts get-caller-identity"));
        assert_eq!(sc.exit_code, Some(0), "Exit code:");
        let local = call(&p, "call_5");
        assert_eq!(local.command.as_deref(), Some("aws ec2 describe-regions"));
        assert_eq!(
            (local.exit_code, local.outcome),
            (Some(3), Outcome::Error),
            "Shell exit code"
        );
    }

    #[test]
    fn rejections_and_guardian_denials() {
        let p = parse_fixture(TranscriptFormat::Codex, MAIN);
        let r = call(&p, "call_2");
        assert_eq!(
            (r.outcome, r.approval),
            (Outcome::Rejected, Approval::Rejected)
        );
        let g = call(&p, "call_8");
        assert_eq!(
            (g.outcome, g.approval),
            (Outcome::Denied, Approval::Rejected)
        );
    }

    #[test]
    fn approval_policy_in_force_at_the_call() {
        let p = parse_fixture(TranscriptFormat::Codex, MAIN);
        let before = call(&p, "call_1");
        assert_eq!(
            before.approval_evidence.as_deref(),
            Some(
                "approval_policy=on-request, sandbox=workspace-write; ran in the sandbox without asking"
            )
        );
        let after = call(&p, "call_4");
        assert_eq!(after.approval, Approval::Auto);
        assert_eq!(
            after.approval_evidence.as_deref(),
            Some("approval_policy=never, sandbox=danger-full-access (yolo)")
        );
    }

    #[test]
    fn mcp_custom_and_interrupted_calls() {
        let p = parse_fixture(TranscriptFormat::Codex, MAIN);
        let m = call(&p, "call_6");
        assert_eq!(
            m.command.as_deref(),
            Some(r#"mcp:aws-api.call_aws {"cli_command":"aws iam list-users"}"#)
        );
        assert_eq!(m.outcome, Outcome::Ok);
        let patch = call(&p, "call_7");
        assert_eq!(
            (patch.tool_name.as_str(), patch.command.as_deref()),
            ("apply_patch", None)
        );
        assert_eq!(patch.exit_code, Some(0));
        let running = call(&p, "call_9");
        assert_eq!(running.outcome, Outcome::Unknown);
        let aborted = call(&p, "call_10");
        assert_eq!(aborted.outcome, Outcome::Interrupted);
    }

    #[test]
    fn messages_from_events_not_duplicated() {
        let p = parse_fixture(TranscriptFormat::Codex, MAIN);
        let users: Vec<_> = p.messages.iter().filter(|m| m.role == Role::User).collect();
        assert_eq!(users.len(), 1, "{users:?}");
        assert_eq!(
            users[0].text_excerpt,
            "delete the old stack and its artifacts bucket"
        );
        assert!(
            p.messages
                .iter()
                .any(|m| m.role == Role::System && m.text_excerpt.contains("Use the prod profile")),
            "an injected user_message event is the tool's, not the person's"
        );
        assert!(
            p.counts
                .skipped_by_type
                .contains_key("response_item.message (duplicate of event_msg)")
        );
        assert!(
            p.counts
                .skipped_by_type
                .contains_key("event_msg.token_count")
        );
        assert!(p.counts.skipped_by_type.contains_key("world_state"));
    }

    #[test]
    fn older_rollout_with_exec_events_and_approval_request() {
        let p = parse_fixture(
            TranscriptFormat::Codex,
            "codex/rollout-2025-08-02T14-00-00-older.jsonl",
        );
        let s = &p.sessions[0];
        assert_eq!(s.sandbox.as_deref(), Some("workspace-write"));
        assert_eq!(s.approval_mode.as_deref(), Some("untrusted"));
        let c = call(&p, "call_a");
        assert_eq!(c.command.as_deref(), Some("aws s3 ls"));
        assert_eq!((c.exit_code, c.outcome), (Some(2), Outcome::Error));
        let ended = call(&p, "call_b");
        assert_eq!(
            (ended.exit_code, ended.outcome),
            (Some(0), Outcome::Ok),
            "exec_command_end"
        );
        assert_eq!(ended.approval, Approval::Explicit);
        // no event messages in this file: response_item messages are used, context as system
        assert!(
            p.messages
                .iter()
                .any(|m| m.role == Role::User && m.text_excerpt == "list my buckets")
        );
        assert!(p.messages.iter().any(|m| m.role == Role::System));
    }

    #[test]
    fn legacy_bare_lines_without_envelope() {
        let p = parse_fixture(
            TranscriptFormat::Codex,
            "codex/rollout-2025-05-07-legacy.jsonl",
        );
        let s = &p.sessions[0];
        assert_eq!(s.session_id, "5973b6c0-94b8-487b-a530-2aeb6098ae0e");
        let c = &p.tool_calls[0];
        assert_eq!(
            c.command.as_deref(),
            Some("aws ec2 describe-instances --profile dev")
        );
        assert_eq!((c.exit_code, c.outcome), (Some(0), Outcome::Ok));
        assert_eq!(c.started_at, None);
        assert_eq!(p.counts.skipped_by_type.get("state"), Some(&1));
        assert!(p.notes.iter().any(|n| n.contains("no timestamp")));
    }

    #[test]
    fn malformed_lines_quarantined_rest_read() {
        let p = parse_fixture(TranscriptFormat::Codex, "codex/rollout-malformed.jsonl");
        let lines: Vec<_> = p.quarantined.iter().map(|q| q.line).collect();
        assert_eq!(lines, vec![Some(3), Some(6)]);
        assert_eq!(p.tool_calls.len(), 1);
        assert_eq!(p.tool_calls[0].outcome, Outcome::Ok);
    }

    #[test]
    fn newer_session_id_key_and_write_stdin() {
        let text = concat!(
            r#"{"timestamp":"2026-03-01T10:00:00.000Z","type":"session_meta","payload":{"session_id":"sid-new","cwd":"/srv"}}"#,
            "\n",
            r#"{"timestamp":"2026-03-01T10:00:01.000Z","type":"response_item","payload":{"type":"function_call","name":"write_stdin","arguments":"{\"session_id\":3,\"chars\":\"aws s3 ls\\n\"}","call_id":"c1"}}"#,
            "\n"
        );
        let p = super::super::parse(
            TranscriptFormat::Codex,
            Path::new("rollout-x.jsonl"),
            text.as_bytes(),
            &TranscriptOptions::default(),
        );
        assert_eq!(p.sessions[0].session_id, "sid-new");
        assert_eq!(p.tool_calls[0].command.as_deref(), Some("aws s3 ls"));
    }

    #[test]
    fn detects_rollouts() {
        for rel in [MAIN, "codex/rollout-2025-05-07-legacy.jsonl"] {
            let path = fixture(rel);
            let bytes = std::fs::read(&path).unwrap();
            assert_eq!(
                detect(&path, &bytes),
                Some(TranscriptFormat::Codex),
                "{rel}"
            );
        }
    }
}
