//! Cline, Roo Code and Kilo Code task folders:
//! `<VS Code user dir>/globalStorage/<extension id>/tasks/<taskId>/`
//! (`saoudrizwan.claude-dev`, `rooveterinaryinc.roo-cline`,
//! `kilocode.kilo-code`; the Cline CLI keeps `~/.cline/…`).
//!
//! `ui_messages.json` is the record read: a JSON array of
//! `{ts (epoch ms), type: "ask"|"say", ask|say, text, partial}` (Cline's
//! `ClineMessage`). A shell command is `ask:"command"` when Cline asked the
//! person (its text ends with `REQ_APP` when the model flagged it as
//! needing approval although auto-approve was on) and `say:"command"` when
//! the auto-approve settings let it run. Its output follows as
//! `command_output` (the first chunk an `ask`, the rest `say`), so output
//! after an `ask` means the person approved it. The next
//! `say:"api_req_started"` carries the tool result sent to the model:
//! "The user denied this operation." is a refusal, "Command executed" a
//! run. MCP calls (`use_mcp_server`, answered by `mcp_server_response`) are
//! read the same way. The session id is the task folder's name; times come
//! from `ts`.
//!
//! `api_conversation_history.json` (the model's messages, no times, no
//! decisions) and `task_metadata.json` are recognised and counted as
//! skipped: everything they could add about calls is in `ui_messages.json`.
//! Anything else in the array is quarantined with its line.

mod message;
#[cfg(test)]
mod tests;

use std::path::Path;

use serde_json::Value;
use serde_json::value::RawValue;

use super::command::{command_from_str, render_mcp};
use super::json_doc::{ArrayPart, walk_array_scanning};
use super::text::{bounded, excerpt, first_byte};
use super::time::millis_to_micros;
use super::util::{Collector, Span, file_stem, new_call, operator_for};
use super::{AgentSession, Approval, Outcome, ParsedTranscript, Role, TranscriptOptions};
use message::Message;

/// Cline's `COMMAND_REQ_APP_STRING`: appended to an asked command the model
/// flagged `requires_approval`.
const REQ_APP: &str = "REQ_APP";
/// Cline's `formatResponse.toolDenied()`.
const DENIED: &str = "The user denied this operation";

/// The agent a task folder belongs to, from the extension's storage folder.
fn agent_for(path: &Path) -> &'static str {
    let p = path.to_string_lossy().to_ascii_lowercase();
    if p.contains("roo-cline") || p.contains("roo-code") || p.contains("roocode") {
        "roo-code"
    } else if p.contains("kilo-code") || p.contains("kilocode") {
        "kilo-code"
    } else {
        "cline"
    }
}

/// Whether a JSON object is one of `ui_messages.json`'s messages.
pub(crate) fn is_ui_message(v: &Value) -> bool {
    v.get("ts").is_some_and(Value::is_number)
        && matches!(v.get("type").and_then(Value::as_str), Some("ask" | "say"))
}

/// What one call's record says so far.
#[derive(Default)]
struct CallState {
    /// `ask`: a person was asked; `say`: auto-approved.
    asked: bool,
    /// The flag the model set (`REQ_APP`).
    flagged: bool,
    ran: bool,
    denied: bool,
    output: String,
}

struct Reader<'o> {
    c: Collector,
    opts: &'o TranscriptOptions,
    path: &'o Path,
    session_id: String,
    span: Span,
    states: Vec<CallState>,
    /// The call whose output and result are still to come.
    current: Option<usize>,
}

pub(crate) fn parse(path: &Path, bytes: &[u8], opts: &TranscriptOptions) -> ParsedTranscript {
    read(path, bytes, opts, true)
}

/// `fast: false` reads every element the general way, for the tests that
/// compare the two.
fn read(path: &Path, bytes: &[u8], opts: &TranscriptOptions, fast: bool) -> ParsedTranscript {
    let session_id = path
        .parent()
        .and_then(Path::file_name)
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| file_stem(path));
    let mut r = Reader {
        c: Collector::new(path),
        opts,
        path,
        session_id,
        span: Span::default(),
        states: Vec::new(),
        current: None,
    };
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match first_byte(body) {
        Some(b'[') => read_array(&mut r, bytes, fast),
        Some(b'{') => match serde_json::from_slice::<Value>(body) {
            Ok(_) => r.c.skipped("task_metadata.json (nothing about calls)"),
            Err(e) => {
                let why = format!("Cline task document: {e}");
                r.c.quarantine(Some(1), None, why, bytes);
            }
        },
        Some(_) => {
            r.c.quarantine(Some(1), None, "not a Cline task file", bytes)
        }
        None => {}
    }
    r.finish()
}

fn read_array(r: &mut Reader<'_>, bytes: &[u8], fast: bool) {
    // The fast path reads each element as the walk meets it.
    let scan = |p: &mut _| fast.then(|| message::scan_at(p)).flatten();
    walk_array_scanning(bytes, "Cline message array", scan, |part, m| match part {
        ArrayPart::Item { line, index, raw } => match m {
            Some(m) => r.message(line, index, raw, m.message()),
            None => r.item(line, index, raw, fast),
        },
        ArrayPart::Broken {
            line,
            index,
            why,
            rest,
        } => r.c.quarantine(Some(line), Some(index), why, rest),
    });
}

fn s<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

impl Reader<'_> {
    fn item(&mut self, no: u64, index: u64, raw: &str, fast: bool) {
        if let Some(m) = fast.then(|| message::decode(raw)).flatten() {
            return self.message(no, index, raw, m.message());
        }
        match serde_json::from_str::<Value>(raw) {
            Ok(v) => self.message(no, index, raw, Message::of_value(&v)),
            Err(e) => {
                let why = format!("Cline message: {e}");
                self.c
                    .quarantine(Some(no), Some(index), why, raw.as_bytes());
            }
        }
    }

    fn message(&mut self, no: u64, index: u64, raw: &str, m: Message<'_>) {
        if m.history {
            // api_conversation_history.json: the model's side, no times.
            self.c.skipped("api_conversation_history message");
            return;
        }
        let ty = match m.ty {
            Some(ty @ ("ask" | "say")) if m.ts_is_number => ty,
            _ => {
                self.c.quarantine(
                    Some(no),
                    Some(index),
                    "not a Cline message (ts and type ask/say expected)",
                    raw.as_bytes(),
                );
                return;
            }
        };
        let time = m.ts.and_then(millis_to_micros);
        if time.is_none() {
            self.c.time(None); // counted for the file's note
        }
        self.span.add(time);
        let kind = if ty == "ask" { m.ask } else { m.say }.unwrap_or("(none)");
        let text = m.text.unwrap_or_default();
        let partial = m.partial == Some(true);
        let sid = &self.session_id;
        let used = match (ty, kind) {
            ("say", "task" | "user_feedback") => self.c.message(sid, time, Role::User, text, no),
            ("say", "text") => self.c.message(sid, time, Role::Assistant, text, no),
            (_, "command" | "use_mcp_server") if !partial => {
                self.open(no, time, ty == "ask", kind, text)
            }
            (_, "command_output" | "mcp_server_response") => self.output(text),
            ("say", "api_req_started") => self.result(time, text),
            _ => false,
        };
        if used {
            self.c.used();
        } else {
            let k = if partial {
                format!("{ty}:{} (partial)", bounded(kind, 48))
            } else {
                format!("{ty}:{}", bounded(kind, 48))
            };
            self.c.skipped(&k);
        }
    }

    fn open(&mut self, no: u64, time: Option<i64>, asked: bool, kind: &str, text: &str) -> bool {
        let id = format!(
            "ts-{}",
            time.map_or_else(|| format!("line{no}"), |t| (t / 1000).to_string())
        );
        let mut state = CallState {
            asked,
            ..CallState::default()
        };
        let tool = if kind == "command" {
            "execute_command"
        } else {
            "use_mcp_tool"
        };
        let mut call = new_call(&self.session_id, &id, tool, &self.c.source_file, no);
        call.started_at = time;
        if kind == "command" {
            let mut cmd = text.trim_end();
            if let Some(c) = cmd.strip_suffix(REQ_APP) {
                state.flagged = true;
                cmd = c.trim_end();
            }
            if !cmd.trim().is_empty() {
                let (c, raw) = command_from_str(cmd);
                call.command = Some(c);
                call.command_raw = raw;
            }
        } else if let Ok(m) = serde_json::from_str::<Value>(text) {
            // `{type: "use_mcp_tool", serverName, toolName, arguments}`.
            if let (Some(server), Some(tool)) = (s(&m, "serverName"), s(&m, "toolName")) {
                let args = s(&m, "arguments").and_then(|a| RawValue::from_string(a.into()).ok());
                call.command = Some(render_mcp(server, tool, args.as_deref().map(RawValue::get)));
            }
        }
        self.c.out.tool_calls.push(call);
        self.states.push(state);
        self.current = Some(self.states.len() - 1);
        true
    }

    fn output(&mut self, text: &str) -> bool {
        let Some(i) = self.current else {
            return false;
        };
        let st = &mut self.states[i];
        st.ran = true;
        if st.output.len() < super::text::EXCERPT_MAX + 512 {
            st.output.push_str(text);
            st.output.push('\n');
        }
        true
    }

    /// The tool result the next request sent: a refusal or a run.
    fn result(&mut self, time: Option<i64>, text: &str) -> bool {
        let Some(i) = self.current.take() else {
            return false;
        };
        let st = &mut self.states[i];
        // Roo Code sends `{"status":"denied", …}` (escaped inside `text`).
        let denied = text.contains(DENIED)
            || text.contains(r#"\"status\":\"denied\""#)
            || text.contains(r#""status":"denied""#);
        if denied && !st.ran {
            st.denied = true;
        } else if text.contains("Command executed") || text.contains("Command is still running") {
            st.ran = true;
        }
        if st.ran {
            self.c.out.tool_calls[i].ended_at = time;
        }
        true
    }

    fn finish(mut self) -> ParsedTranscript {
        for (call, st) in self.c.out.tool_calls.iter_mut().zip(&self.states) {
            let what = if call.tool_name == "execute_command" {
                "command"
            } else {
                "use_mcp_server"
            };
            let flag = if st.flagged {
                " (the model flagged it requires_approval)"
            } else {
                ""
            };
            let (approval, why) = if st.denied {
                call.outcome = Outcome::Rejected;
                (
                    Approval::Rejected,
                    format!("ask:{what}{flag}, then the tool result \"{DENIED}.\""),
                )
            } else if !st.asked {
                (
                    Approval::Auto,
                    format!("say:{what}: auto-approve settings let it run without asking"),
                )
            } else if st.ran {
                (
                    Approval::Explicit,
                    format!("ask:{what}{flag}, then its output: the person approved it"),
                )
            } else {
                (
                    Approval::Unknown,
                    format!("ask:{what}{flag} with no answer recorded"),
                )
            };
            if st.ran {
                call.outcome = Outcome::Ok;
            }
            call.output_excerpt = excerpt(st.output.trim_end());
            call.approval = approval;
            call.approval_evidence = Some(format!("{why} (Cline ui_messages.json)"));
        }
        let any = !self.c.out.tool_calls.is_empty() || !self.c.out.messages.is_empty();
        if any {
            let operator = operator_for(self.path, None, self.opts);
            self.c.out.sessions.push(AgentSession {
                session_id: self.session_id.clone(),
                agent: agent_for(self.path).to_owned(),
                started_at: self.span.first,
                ended_at: self.span.last,
                operator,
                source_file: self.c.source_file.clone(),
                ..AgentSession::default()
            });
        }
        self.c.finish()
    }
}
