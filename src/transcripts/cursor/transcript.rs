//! Cursor agent transcripts:
//! `~/.cursor/projects/<workspace>/agent-transcripts/<id>/<id>.jsonl` (and
//! `<id>/subagents/<sub>.jsonl`), and the older `<id>.txt`.
//!
//! JSON Lines: `{"role": "user"|"assistant", "message": {"content": [...]}}`
//! with Claude-like `text`, `tool_use` (`id`, `name`, `input`) and
//! `tool_result` blocks; other records (`turn_ended` and the like) are
//! counted by type and skipped. The text form has `user:` / `assistant:`
//! lines opening each message, `[Tool call] <name>` followed by indented
//! `<arg>: <value>` lines, `[Tool result] <name>` followed by the output,
//! and `[Thinking]` blocks.
//!
//! The session id is the file's name (a subagent's parent is its folder's).
//! Messages carry no time; a `<timestamp>` tag in a prompt dates that
//! prompt only. Tool calls keep their time unknown (the file's mtime is
//! not a call's time), so they join CloudTrail only through a hook log of
//! the same conversation. A tool input given as `REDACTED` leaves the
//! command unknown rather than invented.

use std::collections::HashMap;
use std::path::Path;

use serde_json::Value;

use super::super::command::command_from_str;
use super::super::text::{bounded, excerpt};
use super::super::util::{
    Collector, file_stem, json_line_reason, lines, new_call, operator_for, stable_id,
};
use super::super::{AgentSession, Outcome, ParsedTranscript, Role, ToolCall, TranscriptOptions};
use super::AGENT;

/// Tool names whose `command` input is a shell command.
const SHELL_TOOLS: &[&str] = &[
    "Shell",
    "shell",
    "run_terminal_cmd",
    "run_terminal_command",
    "run_terminal_command_v2",
    "terminal",
    "Bash",
];

/// What the reader keeps for one file.
struct Reader<'o> {
    c: Collector,
    opts: &'o TranscriptOptions,
    path: &'o Path,
    session_id: String,
    parent: Option<String>,
    /// The earliest and latest prompt `<timestamp>`: the session's span.
    first: Option<i64>,
    last: Option<i64>,
    redacted: u64,
    untimed_calls: u64,
    calls: HashMap<String, usize>,
}

impl<'o> Reader<'o> {
    fn new(path: &'o Path, opts: &'o TranscriptOptions) -> Self {
        let (session_id, parent) = ids_from_path(path);
        Self {
            c: Collector::new(path),
            opts,
            path,
            session_id,
            parent,
            first: None,
            last: None,
            redacted: 0,
            untimed_calls: 0,
            calls: HashMap::new(),
        }
    }

    fn prompt(&mut self, text: &str, no: u64) -> bool {
        let time = timestamp_tag(text).and_then(|t| self.c.time(Some(t)));
        if let Some(t) = time {
            self.first = Some(self.first.map_or(t, |f| f.min(t)));
            self.last = Some(self.last.map_or(t, |l| l.max(t)));
        }
        let sid = self.session_id.clone();
        self.c
            .message(&sid, time, Role::User, &strip_tags(text), no)
    }

    fn call(&mut self, id: Option<&str>, name: &str, no: u64) -> usize {
        let id = match id.filter(|i| !i.is_empty()) {
            Some(i) => i.to_owned(),
            None => format!(
                "cursor-{}",
                stable_id(&[&self.session_id, &no.to_string(), name])
            ),
        };
        if let Some(&i) = self.calls.get(&id) {
            return i;
        }
        let mut call = new_call(&self.session_id, &id, name, &self.c.source_file, no);
        call.approval_evidence =
            Some("Cursor transcripts record no approval (hooks or settings decide)".into());
        self.untimed_calls += 1;
        self.c.out.tool_calls.push(call);
        let i = self.c.out.tool_calls.len() - 1;
        self.calls.insert(id, i);
        i
    }

    /// Sets a shell call's command from an input value, unless redacted.
    fn set_command(&mut self, i: usize, command: Option<&str>) {
        let call: &mut ToolCall = &mut self.c.out.tool_calls[i];
        if !SHELL_TOOLS.contains(&call.tool_name.as_str()) {
            return;
        }
        match command.map(str::trim) {
            Some(c) if is_redacted(c) => self.redacted += 1,
            Some(c) if !c.is_empty() => {
                let (c, raw) = command_from_str(c);
                call.command = Some(c);
                call.command_raw = raw;
            }
            _ => {}
        }
    }

    fn finish(mut self) -> ParsedTranscript {
        if self.redacted > 0 {
            let n = self.redacted;
            self.c.note(format!(
                "{n} tool call(s) had their input REDACTED by Cursor; their commands are unknown"
            ));
        }
        if self.untimed_calls > 0 {
            let n = self.untimed_calls;
            self.c.note(format!(
                "{n} tool call(s) have no time (Cursor transcripts date prompts at most); \
                 a Cursor hook log of the same conversation gives their times"
            ));
        }
        let any = !self.c.out.tool_calls.is_empty() || !self.c.out.messages.is_empty();
        if any {
            let operator = operator_for(self.path, None, self.opts);
            self.c.out.sessions.push(AgentSession {
                session_id: self.session_id.clone(),
                agent: AGENT.to_owned(),
                started_at: self.first,
                ended_at: self.last,
                operator,
                parent_session_id: self.parent.clone(),
                source_file: self.c.source_file.clone(),
                ..AgentSession::default()
            });
        }
        self.c.finish()
    }
}

/// `<id>` from `…/agent-transcripts/<id>/<id>.jsonl` or `<id>.txt`; a
/// subagent (`<id>/subagents/<sub>.jsonl`) is `<sub>` with parent `<id>`.
fn ids_from_path(path: &Path) -> (String, Option<String>) {
    let stem = file_stem(path);
    let dir = path.parent();
    let parent = dir
        .filter(|d| d.file_name().is_some_and(|n| n == "subagents"))
        .and_then(Path::parent)
        .and_then(Path::file_name)
        .map(|n| n.to_string_lossy().into_owned());
    (stem, parent)
}

fn is_redacted(s: &str) -> bool {
    s.eq_ignore_ascii_case("redacted") || s.eq_ignore_ascii_case("[redacted]")
}

/// The text of a `<timestamp>…</timestamp>` tag.
fn timestamp_tag(text: &str) -> Option<&str> {
    let start = text.find("<timestamp>")? + "<timestamp>".len();
    let len = text[start..].find("</timestamp>")?;
    Some(text[start..start + len].trim())
}

/// A prompt without Cursor's `<user_query>` wrapper and timestamp tag.
fn strip_tags(text: &str) -> String {
    let mut t = text.to_owned();
    if let (Some(a), Some(b)) = (t.find("<timestamp>"), t.find("</timestamp>"))
        && a < b
    {
        t.replace_range(a..b + "</timestamp>".len(), "");
    }
    t.replace("<user_query>", "")
        .replace("</user_query>", "")
        .trim()
        .to_owned()
}

// ---------------------------------------------------------------- JSONL

pub(crate) fn parse_jsonl(path: &Path, bytes: &[u8], opts: &TranscriptOptions) -> ParsedTranscript {
    let mut r = Reader::new(path, opts);
    for (no, line) in lines(bytes) {
        match serde_json::from_slice::<Value>(line) {
            Ok(v) if v.is_object() => record(&mut r, no, &v),
            Ok(_) => {
                r.c.quarantine(Some(no), None, "valid JSON but not an object", line)
            }
            Err(e) => {
                let reason = format!("Cursor transcript: {}", json_line_reason(line, &e));
                r.c.quarantine(Some(no), None, reason, line);
            }
        }
    }
    r.finish()
}

fn record(r: &mut Reader<'_>, no: u64, v: &Value) {
    let role = v.get("role").and_then(Value::as_str);
    let content = v.pointer("/message/content");
    let used = match (role, content) {
        (Some(role @ ("user" | "assistant")), Some(content)) => blocks(r, no, role, content),
        _ => false,
    };
    if used {
        r.c.used();
    } else {
        let kind = v
            .get("type")
            .and_then(Value::as_str)
            .or(role)
            .unwrap_or("(no role)");
        let kind = bounded(kind, 64);
        r.c.skipped(&kind);
    }
}

fn blocks(r: &mut Reader<'_>, no: u64, role: &str, content: &Value) -> bool {
    if let Some(text) = content.as_str() {
        return text_block(r, no, role, text);
    }
    let Some(items) = content.as_array() else {
        return false;
    };
    let mut used = false;
    for b in items {
        used |= match b.get("type").and_then(Value::as_str) {
            Some("text") => {
                let text = b.get("text").and_then(Value::as_str).unwrap_or_default();
                text_block(r, no, role, text)
            }
            Some("tool_use") => {
                let name = b.get("name").and_then(Value::as_str).unwrap_or("unknown");
                let i = r.call(b.get("id").and_then(Value::as_str), name, no);
                let input = b.get("input");
                let command = match input {
                    Some(Value::String(s)) => Some(s.as_str()),
                    Some(i) => i.get("command").and_then(Value::as_str),
                    None => None,
                };
                r.set_command(i, command);
                true
            }
            Some("tool_result") => {
                let Some(id) = b.get("tool_use_id").and_then(Value::as_str) else {
                    continue;
                };
                let i = r.call(Some(id), "unknown", no);
                let call = &mut r.c.out.tool_calls[i];
                let error = b.get("is_error").and_then(Value::as_bool) == Some(true);
                call.outcome = if error { Outcome::Error } else { Outcome::Ok };
                let out = match b.get("content") {
                    Some(Value::String(s)) => s.clone(),
                    Some(Value::Array(parts)) => parts
                        .iter()
                        .filter_map(|p| p.get("text").and_then(Value::as_str))
                        .collect::<Vec<_>>()
                        .join("\n"),
                    _ => String::new(),
                };
                call.output_excerpt = excerpt(&out);
                true
            }
            _ => false,
        };
    }
    used
}

fn text_block(r: &mut Reader<'_>, no: u64, role: &str, text: &str) -> bool {
    if role == "user" {
        r.prompt(text, no)
    } else {
        let sid = r.session_id.clone();
        r.c.message(&sid, None, Role::Assistant, text, no)
    }
}

// ---------------------------------------------------------------- text

/// Whether the text looks like Cursor's plain transcript: the first
/// non-blank line is `user:` and a later one is `assistant:` or a
/// `[Tool call]` header.
pub(crate) fn is_text_transcript(head: &[u8]) -> bool {
    let text = String::from_utf8_lossy(head);
    let mut ls = text
        .lines()
        .map(str::trim_end)
        .filter(|l| !l.trim().is_empty());
    if ls.next() != Some("user:") {
        return false;
    }
    ls.any(|l| l == "assistant:" || l.starts_with("[Tool call] "))
}

/// What the current block of the text form is.
enum Block {
    None,
    Message(Role, String, u64),
    Call(usize),
    Result(usize, String),
    Thinking,
}

pub(crate) fn parse_text(path: &Path, bytes: &[u8], opts: &TranscriptOptions) -> ParsedTranscript {
    let mut r = Reader::new(path, opts);
    let text = String::from_utf8_lossy(bytes);
    let mut block = Block::None;
    let mut last_call: HashMap<String, usize> = HashMap::new();
    for (idx, line) in text.lines().enumerate() {
        let no = idx as u64 + 1;
        if line.trim().is_empty() {
            if let Block::Message(_, t, _) | Block::Result(_, t) = &mut block {
                t.push('\n');
            }
            continue;
        }
        let trimmed = line.trim_end();
        let next = if trimmed == "user:" {
            Some(Block::Message(Role::User, String::new(), no))
        } else if trimmed == "assistant:" {
            Some(Block::Message(Role::Assistant, String::new(), no))
        } else if let Some(name) = trimmed.strip_prefix("[Tool call]") {
            let name = name.trim();
            let name = if name.is_empty() { "unknown" } else { name };
            let i = r.call(None, name, no);
            last_call.insert(name.to_owned(), i);
            Some(Block::Call(i))
        } else if let Some(name) = trimmed.strip_prefix("[Tool result]") {
            let name = name.trim();
            match last_call.get(name) {
                Some(&i) => Some(Block::Result(i, String::new())),
                None => Some(Block::Thinking), // a result of no call: its lines are skipped
            }
        } else if trimmed.starts_with("[Thinking]") {
            Some(Block::Thinking)
        } else {
            None
        };
        if let Some(b) = next {
            let skipped_result =
                matches!(b, Block::Thinking) && trimmed.starts_with("[Tool result]");
            end_block(&mut r, std::mem::replace(&mut block, b));
            if skipped_result || trimmed.starts_with("[Thinking]") {
                r.c.skipped(if skipped_result {
                    "tool result without its call"
                } else {
                    "thinking"
                });
            } else {
                r.c.used();
            }
            continue;
        }
        match &mut block {
            Block::None => r.c.skipped("text before the first message"),
            Block::Thinking => r.c.skipped("thinking"),
            Block::Message(_, t, _) | Block::Result(_, t) => {
                t.push_str(line);
                t.push('\n');
                r.c.used();
            }
            Block::Call(i) => {
                let i = *i;
                // `  command: aws s3 ls` — an indented argument.
                match line.trim_start().split_once(':') {
                    Some((k, v)) if line.starts_with([' ', '\t']) => {
                        if k.trim() == "command" {
                            r.set_command(i, Some(v.trim()));
                        }
                        r.c.used();
                    }
                    _ => r.c.skipped("text after a tool call"),
                }
            }
        }
    }
    end_block(&mut r, block);
    r.finish()
}

fn end_block(r: &mut Reader<'_>, block: Block) {
    match block {
        Block::Message(Role::User, text, no) => {
            r.prompt(&text, no);
        }
        Block::Message(role, text, no) => {
            let sid = r.session_id.clone();
            r.c.message(&sid, None, role, text.trim(), no);
        }
        Block::Result(i, text) => {
            let call = &mut r.c.out.tool_calls[i];
            call.outcome = Outcome::Ok;
            call.output_excerpt = excerpt(text.trim());
        }
        Block::None | Block::Call(_) | Block::Thinking => {}
    }
}
