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
//!
//! `records` holds the serde shapes, `reader` reads lines into the session
//! and its messages, `calls` opens and closes tool calls, `approval` infers
//! how each call was approved.

mod approval;
mod calls;
mod reader;
mod records;
#[cfg(test)]
mod tests;

use std::path::Path;

use super::util::{Collector, lines};
use super::{ParsedTranscript, TranscriptOptions};
use reader::Reader;

pub(crate) fn parse(path: &Path, bytes: &[u8], opts: &TranscriptOptions) -> ParsedTranscript {
    let mut c = Collector::new(path);
    let mut r = Reader::default();
    for (no, line) in lines(bytes) {
        r.record(&mut c, no, line);
    }
    r.finish(c, path, opts)
}
