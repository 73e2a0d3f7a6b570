//! Codex tool calls: opened by `function_call` (shell, `write_stdin`, MCP),
//! `local_shell_call`, `custom_tool_call` and `exec_command_begin`, closed
//! by their outputs, whose text carries the exit status in one of several
//! forms, or by `exec_command_end` / `mcp_tool_call_end` events.

use std::borrow::Cow;

use serde_json::value::RawValue;

use super::super::command::{
    command_from_argv, command_from_str, mcp_parts, number_after, render_mcp,
};
use super::super::text::{excerpt, first_byte, json_str, text_of};
use super::super::util::{Collector, new_call};
use super::super::{Outcome, ToolCall};
use super::reader::Reader;
use super::records::{
    Event, Item, JsonOutput, LocalShellAction, McpInvocation, McpOk, McpResult, ShellArgs,
};

pub(super) const REJECTED_EXEC: &str = "exec command rejected by user";
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

pub(super) struct PendingCall {
    pub(super) call: ToolCall,
    pub(super) policy: Option<String>,
    pub(super) sandbox: Option<String>,
    pub(super) escalated: bool,
    pub(super) shell: bool,
    pub(super) has_output: bool,
}

impl Reader {
    pub(super) fn function_call(
        &mut self,
        c: &mut Collector,
        no: u64,
        time: Option<i64>,
        item: &Item<'_>,
    ) {
        let name = item.name.as_deref().unwrap_or("unknown");
        let id = item.call_id.as_deref().or(item.id.as_deref());
        let args_text: Option<Cow<'_, str>> = item
            .arguments
            .map(|a| json_str(a).unwrap_or(Cow::Borrowed(a.get())));
        if let Some((server, tool)) = mcp_parts(name) {
            let args = args_text
                .as_deref()
                .and_then(|t| serde_json::from_str::<Box<RawValue>>(t).ok());
            let cmd = render_mcp(server, tool, args.as_deref().map(RawValue::get));
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

    pub(super) fn local_shell_call(
        &mut self,
        c: &mut Collector,
        no: u64,
        time: Option<i64>,
        item: &Item<'_>,
    ) {
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
    pub(super) fn add_call(
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

    pub(super) fn output(&mut self, id: &str, time: Option<i64>, text: &str) {
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

    pub(super) fn exec_end(&mut self, time: Option<i64>, ev: &Event<'_>) {
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

    pub(super) fn mcp_end(
        &mut self,
        c: &mut Collector,
        no: u64,
        time: Option<i64>,
        ev: &Event<'_>,
    ) {
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
                let args = inv.as_ref().and_then(|v| v.arguments).map(RawValue::get);
                let cmd = render_mcp(server, tool, args);
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
}

/// The text of an output: a string, or content items.
pub(super) fn output_text(raw: &RawValue) -> String {
    match json_str(raw) {
        Some(s) => s.into_owned(),
        None => text_of(raw),
    }
}

/// A command given as an argv array or as a string.
pub(super) fn command_value(raw: &RawValue) -> Option<(String, Option<String>)> {
    match first_byte(raw.get().as_bytes())? {
        b'[' => serde_json::from_str::<Vec<String>>(raw.get())
            .ok()
            .filter(|v| !v.is_empty())
            .map(|argv| command_from_argv(&argv)),
        b'"' => json_str(raw).map(|s| command_from_str(&s)),
        _ => None,
    }
}
