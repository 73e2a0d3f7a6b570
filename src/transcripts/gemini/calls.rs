//! A Gemini CLI tool call: its command (`run_shell_command` or an MCP
//! tool), its outcome from `status`, the `Exit Code: N` in its result and
//! the denial strings that tell a user's refusal from a policy's.

use serde_json::value::RawValue;

use super::super::command::{command_from_str, mcp_parts, number_after_last, render_mcp};
use super::super::text::{excerpt, text_of};
use super::super::util::new_call;
use super::super::{Approval, Outcome, ToolCall};
use super::reader::Reader;
use super::records::{GTool, ShellArgs};

const USER_DENIED: &str = "User denied execution";
const POLICY_DENIED: &str = "denied by policy";

impl Reader<'_> {
    pub(super) fn tool_call(
        &mut self,
        t: &GTool<'_>,
        msg_time: Option<i64>,
        line: u64,
    ) -> ToolCall {
        let name = t.name.as_deref().unwrap_or("unknown");
        let call_id =
            t.id.as_deref()
                .map_or_else(|| format!("line{line}-{name}"), str::to_owned);
        let mut call = new_call("", &call_id, name, &self.c.source_file, line);
        call.started_at = match t.timestamp.as_deref() {
            Some(ts) => self.c.time(Some(ts)),
            None => msg_time,
        };
        let shell = name == "run_shell_command";
        if shell {
            if let Some(cmd) = t
                .args
                .and_then(|a| serde_json::from_str::<ShellArgs<'_>>(a.get()).ok())
                .and_then(|a| a.command)
            {
                let (c, raw) = command_from_str(&cmd);
                call.command = Some(c);
                call.command_raw = raw;
            }
        } else if let Some((server, tool)) = mcp_parts(name).or_else(|| name.split_once("__")) {
            call.command = Some(render_mcp(server, tool, t.args.map(RawValue::get)));
        }
        let mut text = t.result.map(text_of).unwrap_or_default();
        if text.trim().is_empty() {
            text = t.result_display.map(text_of).unwrap_or_default();
        }
        call.output_excerpt = excerpt(&text);
        let exit = t
            .result
            .and_then(|r| number_after_last(r.get(), "Exit Code:"))
            .or_else(|| number_after_last(&text, "Exit Code:"));
        call.outcome = if text.contains(USER_DENIED) {
            Outcome::Rejected
        } else if text.contains(POLICY_DENIED) {
            Outcome::Denied
        } else {
            match t.status.as_deref() {
                Some("success") if exit.is_some_and(|e| e != 0) => Outcome::Error,
                Some("success") => Outcome::Ok,
                Some("error") => Outcome::Error,
                Some("cancelled") => Outcome::Interrupted,
                _ => Outcome::Unknown,
            }
        };
        call.exit_code = match (exit, call.outcome) {
            (Some(e), _) => Some(e),
            (None, Outcome::Ok) if shell => Some(0),
            _ => None,
        };
        (call.approval, call.approval_evidence) = match call.outcome {
            Outcome::Rejected => (
                Approval::Rejected,
                Some(format!("denial string: {USER_DENIED}")),
            ),
            Outcome::Denied => (
                Approval::Rejected,
                Some("denial string: Tool execution denied by policy".to_owned()),
            ),
            _ => (Approval::Unknown, None),
        };
        call
    }
}
