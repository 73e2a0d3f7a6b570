//! Claude Code tool calls: a `tool_use` block opens one (de-duplicated by
//! id, as a split response repeats it), a `tool_result` closes it whatever
//! the order, and the outcome, exit code and excerpt are read from the
//! result's text and `toolUseResult`.

use super::super::lenient::RawJson;

use super::super::command::{command_from_str, mcp_parts, number_after, render_mcp};
use super::super::text::{excerpt, first_byte, json_str_prefix, text_of_limited};
use super::super::util::new_call;
use super::super::{Outcome, ToolCall};
use super::TEXT_PREFIX;
use super::approval::approval_of;
use super::chain::At;
use super::reader::Reader;
use super::records::{Block, ShellInput};

/// The result text Claude Code writes when the user declines a tool use.
pub(in crate::transcripts) const REJECTED: &str =
    "The user doesn't want to proceed with this tool use";
pub(in crate::transcripts) const REJECTED_ALT: &str =
    "The user doesn't want to take this action right now";
const INTERRUPTED: &str = "[Request interrupted by user";

/// Tools whose `input.command` is a shell command.
pub(in crate::transcripts) const SHELL_TOOLS: &[&str] = &["Bash", "PowerShell"];

/// What a result tells, worked out when it is read so that only an
/// excerpt is kept until the end of the file.
pub(super) struct ResultInfo {
    pub(super) time: Option<i64>,
    /// The record holding the result.
    pub(super) at: At,
    pub(super) outcome: Outcome,
    /// `Exit code N` from the error text or from a string `toolUseResult`.
    pub(super) error_exit: Option<i64>,
    pub(super) excerpt: Option<String>,
}

pub(super) struct PendingCall {
    pub(super) call: ToolCall,
    pub(super) mode: Option<String>,
    pub(super) shell: bool,
    pub(super) background: bool,
    pub(super) result: Option<ResultInfo>,
    /// The record holding the `tool_use`.
    pub(super) at: At,
}

impl Reader<'_> {
    pub(super) fn tool_use(
        &mut self,
        session_id: &str,
        s: usize,
        time: Option<i64>,
        no: u64,
        idx: usize,
        block: &Block<'_>,
    ) {
        let call_id = match block.id.as_deref() {
            Some(id) => id.to_owned(),
            None => format!("line{no}-block{idx}"),
        };
        if self.call_idx.contains_key(&call_id) {
            return; // the same tool_use repeated on a split response line
        }
        let name = block.name.as_deref().unwrap_or("unknown");
        let mut call = new_call(session_id, &call_id, name, &self.c.source_file, no);
        call.started_at = time;
        let shell = SHELL_TOOLS.contains(&name);
        let background = set_command(&mut call, name, block.input.map(|i| i.get()));
        let mode = self.sessions[s].mode.clone();
        self.call_idx.insert(call_id, self.calls.len());
        self.calls.push(PendingCall {
            call,
            mode,
            shell,
            background,
            result: None,
            at: self.at,
        });
    }

    pub(super) fn tool_result(
        &mut self,
        time: Option<i64>,
        block: &Block<'_>,
        use_result: Option<RawJson<'_>>,
    ) {
        let is_error = block.is_error.is_some_and(|e| e.get() == "true");
        let text = block
            .content
            .map(|c| text_of_limited(c.get(), TEXT_PREFIX))
            .unwrap_or_default();
        let head = text.trim_start();
        let mut interrupted = false;
        let mut use_result_text = None;
        if let Some(ur) = use_result.filter(|_| is_error || head.is_empty()) {
            let raw = ur.get();
            match first_byte(raw.as_bytes()) {
                Some(b'"') => use_result_text = json_str_prefix(raw, TEXT_PREFIX),
                Some(b'{') => {
                    // A quote inside a string value is escaped, so this
                    // text can only be the member itself.
                    let b = raw.as_bytes();
                    interrupted = memchr::memmem::find(b, b"\"interrupted\":true").is_some()
                        || memchr::memmem::find(b, b"\"interrupted\": true").is_some();
                }
                _ => {}
            }
        }
        let outcome = if interrupted {
            Outcome::Interrupted
        } else if !is_error {
            Outcome::Ok
        } else if head.starts_with(REJECTED) || head.starts_with(REJECTED_ALT) {
            Outcome::Rejected
        } else if (head.contains("Permission to use ") && head.contains("has been denied"))
            || head.contains("requires approval")
        {
            Outcome::Denied
        } else if head.starts_with(INTERRUPTED) || head == "Interrupted by user" {
            Outcome::Interrupted
        } else {
            Outcome::Error
        };
        let error_exit = if outcome == Outcome::Error {
            number_after(head, "Exit code").or_else(|| {
                use_result_text
                    .as_deref()
                    .and_then(|t| number_after(t, "Exit code"))
            })
        } else {
            None
        };
        let info = ResultInfo {
            time,
            at: self.at,
            outcome,
            error_exit,
            excerpt: excerpt(head),
        };
        let Some(id) = block.tool_use_id.as_deref() else {
            self.c
                .note("a tool_result had no tool_use_id and could not be paired");
            return;
        };
        match self.call_idx.get(id) {
            Some(&i) => self.calls[i].result = Some(info),
            None => {
                self.orphan_results.insert(id.to_owned(), info);
            }
        }
    }
}

/// Sets `call.command` from a Claude Code tool's input, as both the
/// transcript and the hook log record it: a shell tool's `command`, or an
/// MCP tool's server, tool and arguments. Returns whether the shell command
/// ran in the background. `input` is the JSON text of the tool's input.
pub(in crate::transcripts) fn set_command(
    call: &mut ToolCall,
    tool: &str,
    input: Option<&str>,
) -> bool {
    if SHELL_TOOLS.contains(&tool) {
        let Some(input) = input.and_then(|i| serde_json::from_str::<ShellInput<'_>>(i).ok()) else {
            return false;
        };
        if let Some(cmd) = input.command.as_deref() {
            let (c, raw) = command_from_str(cmd);
            call.command = Some(c);
            call.command_raw = raw;
        }
        input.run_in_background == Some(true)
    } else {
        if let Some((server, t)) = mcp_parts(tool) {
            call.command = Some(render_mcp(server, t, input));
        }
        false
    }
}

pub(super) fn finish_call(p: PendingCall) -> ToolCall {
    let PendingCall {
        mut call,
        mode,
        shell,
        background,
        result,
        at: _,
    } = p;
    if let Some(r) = result {
        call.ended_at = r.time;
        call.outcome = r.outcome;
        if shell {
            call.exit_code = match r.outcome {
                Outcome::Error => r.error_exit,
                Outcome::Ok if !background => Some(0),
                _ => None,
            };
        }
        call.output_excerpt = r.excerpt;
    }
    let (approval, evidence) = approval_of(&call, mode.as_deref());
    call.approval = approval;
    call.approval_evidence = evidence;
    call
}
