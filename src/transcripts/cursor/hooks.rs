//! Cursor hook logs: the JSON payloads Cursor hands its hooks on stdin
//! (`~/.cursor/hooks.json` or `.cursor/hooks.json`, version 1), as a
//! logging hook keeps them — one per line, bare or in trailblame's wrapper
//! `{"logged_at", "agent", "hook": {…}}` (`scripts/hooks/trailblame-hook-log
//! cursor`), or a JSON array of them.
//!
//! Every payload carries `hook_event_name`, `conversation_id`,
//! `generation_id`, `model`, `cursor_version`, `workspace_roots`,
//! `user_email` and `transcript_path` (Cursor's hooks documentation, as
//! typed by the `cursor-hooks` package). `beforeShellExecution` adds
//! `command` and `cwd`; `afterShellExecution` adds `command`, `output` and
//! `duration` (ms, approval wait excluded). These are Cursor's only exact,
//! timed record of a command. The payload has no time: the logger's is
//! used (`logged_at`, `timestamp`, `time`, `ts`).
//!
//! A shell call opens on `beforeShellExecution` and closes on the next
//! `afterShellExecution` of the same conversation and command; one seen
//! only after is kept, its start worked out from `duration`. Cursor does
//! not tell its hooks whether a person approved the command, so the
//! approval is unknown unless the logger kept the hook's own answer
//! (`permission`). Rows are keyed by `conversation_id`, the id of the
//! agent transcript's folder. Prompts (`beforeSubmitPrompt`) and replies
//! (`afterAgentResponse`) become messages; other events are counted by
//! name and skipped; anything that is not a Cursor payload is quarantined.

use std::path::Path;

use polars::prelude::PlHashMap;
use rayon::prelude::*;
use serde_json::Value;

use super::super::command::command_from_str;
use super::super::json_doc::{ArrayPart, walk_array};
use super::super::text::{bounded, excerpt, first_byte};
use super::super::util::{
    Collector, Distinct, Span, json_line_reason, line_batches, new_call, operator_for, stable_id,
};
use super::super::{AgentSession, Approval, Outcome, ParsedTranscript, Role, ToolCall};
use super::super::{TranscriptOptions, time::millis_to_micros};
use super::AGENT;
use super::payload::{self, Hook, Stamp};

/// The hook events Cursor documents (others are counted under their name).
const EVENTS: &[&str] = &[
    "sessionStart",
    "sessionEnd",
    "preToolUse",
    "postToolUse",
    "postToolUseFailure",
    "subagentStart",
    "subagentStop",
    "beforeShellExecution",
    "afterShellExecution",
    "beforeMCPExecution",
    "afterMCPExecution",
    "beforeReadFile",
    "afterFileEdit",
    "beforeSubmitPrompt",
    "preCompact",
    "stop",
    "afterAgentResponse",
    "afterAgentThought",
    "beforeTabFileRead",
    "afterTabFileEdit",
];

/// Whether a hook event name is Cursor's: camelCase, where Claude Code's
/// and Gemini CLI's are PascalCase.
pub(crate) fn is_event_name(name: &str) -> bool {
    EVENTS.contains(&name) || name.starts_with(|c: char| c.is_ascii_lowercase())
}

#[derive(Default)]
struct SessionAcc {
    id: String,
    span: Span,
    cwd: Option<String>,
    email: Option<String>,
    models: Distinct,
    versions: Distinct,
    modes: Distinct,
    /// Indexes in `Reader::calls` of this conversation's calls, in order.
    calls: Vec<usize>,
}

/// What pairs a call's lines, beside the call (`Reader::calls`, same index):
/// the calls themselves are moved out whole at the end, never copied.
struct Pending {
    generation: Option<String>,
    /// The command as the payload gave it, to pair before and after.
    key: String,
    closed: bool,
    /// The hook's own answer, when the logger kept it.
    permission: Option<String>,
}

struct Reader<'o> {
    c: Collector,
    opts: &'o TranscriptOptions,
    path: &'o Path,
    sessions: Vec<SessionAcc>,
    /// Conversation id → index in `sessions`.
    session_idx: PlHashMap<String, usize>,
    calls: Vec<ToolCall>,
    pending: Vec<Pending>,
}

pub(crate) fn parse(path: &Path, bytes: &[u8], opts: &TranscriptOptions) -> ParsedTranscript {
    read(path, bytes, opts, true)
}

/// A line after the parallel half: decoded by the fast path (its members
/// moved out, the decode dropped), with the shell call it opens worked
/// out, or parsed by the general one.
enum Parsed<'a> {
    Fast(Box<Hook<'a>>, Option<CallParts>),
    General(serde_json::Result<Value>),
}

/// `fast: false` reads every line the general way, for the tests that
/// compare the two.
pub(super) fn read(
    path: &Path,
    bytes: &[u8],
    opts: &TranscriptOptions,
    fast: bool,
) -> ParsedTranscript {
    let mut r = Reader {
        c: Collector::new(path),
        opts,
        path,
        sessions: Vec::new(),
        session_idx: PlHashMap::default(),
        calls: Vec::new(),
        pending: Vec::new(),
    };
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if first_byte(body) == Some(b'[') {
        read_array(&mut r, bytes);
    } else {
        for batch in line_batches(bytes) {
            let parsed: Vec<Parsed<'_>> = batch
                .par_iter()
                .with_min_len(64)
                .map(|&(no, line)| parse_line(no, line, fast))
                .collect();
            // Room for the calls the batch opens, made once.
            let opened = parsed
                .iter()
                .filter(|p| matches!(p, Parsed::Fast(_, Some(_))))
                .count();
            r.calls.reserve(opened);
            r.pending.reserve(opened);
            for ((no, line), p) in batch.into_iter().zip(parsed) {
                let payload = match p {
                    Parsed::Fast(h, parts) => r.record(no, &h, parts),
                    Parsed::General(Ok(v)) => r.record(no, &Hook::of_value(&v), None),
                    Parsed::General(Err(e)) => {
                        r.broken(no, line, &e);
                        true
                    }
                };
                if !payload {
                    r.not_a_payload(no, line);
                }
            }
        }
    }
    r.finish()
}

/// The parallel half of one line: the typed decode (and, for a
/// `beforeShellExecution`, the call's id and command, which need nothing
/// but the line), or the `Value` parse when the decode declines it.
fn parse_line(no: u64, line: &[u8], fast: bool) -> Parsed<'_> {
    let Some(mut obj) = fast.then(|| payload::decode(line)).flatten() else {
        return Parsed::General(serde_json::from_slice(line));
    };
    let h = obj.take_hook();
    let parts = match (h.event.as_deref(), &h.conversation, &h.command) {
        (Some("beforeShellExecution"), Some(conv), Some(command)) => {
            Some(call_parts(conv, h.generation.as_deref(), command, no))
        }
        _ => None,
    };
    Parsed::Fast(Box::new(h), parts)
}

/// A JSON array of payloads; a cut or broken tail is one quarantined record.
fn read_array(r: &mut Reader<'_>, bytes: &[u8]) {
    walk_array(bytes, "Cursor hook payload array", |part| match part {
        ArrayPart::Item { line, raw, .. } => {
            let bytes = raw.as_bytes();
            let payload = match serde_json::from_slice::<Value>(bytes) {
                Ok(v) => r.record(line, &Hook::of_value(&v), None),
                Err(e) => {
                    r.broken(line, bytes, &e);
                    true
                }
            };
            if !payload {
                r.not_a_payload(line, bytes);
            }
        }
        ArrayPart::Broken {
            line, why, rest, ..
        } => r.c.quarantine(Some(line), None, why, rest),
    });
}

/// A shell call's id and command, from what its opening line says.
struct CallParts {
    id: String,
    /// `command_from_str` of the command, unless it is blank.
    command: Option<(String, Option<String>)>,
}

fn call_parts(conv: &str, generation: Option<&str>, command: &str, no: u64) -> CallParts {
    let id = format!(
        "cursor-hook-{}",
        stable_id(&[conv, generation.unwrap_or(""), command, &no.to_string()])
    );
    let command = (!command.trim().is_empty()).then(|| command_from_str(command));
    CallParts { id, command }
}

impl Reader<'_> {
    /// A line that is not JSON (or not all of it).
    fn broken(&mut self, no: u64, raw: &[u8], e: &serde_json::Error) {
        let reason = format!("Cursor hook payload: {}", json_line_reason(raw, e));
        self.c.quarantine(Some(no), None, reason, raw);
    }

    /// Hand-piped test input and other JSON: named, never guessed at.
    fn not_a_payload(&mut self, no: u64, raw: &[u8]) {
        self.c.quarantine(
            Some(no),
            None,
            "not a Cursor hook payload (hook_event_name or conversation_id missing)",
            raw,
        );
    }

    /// One payload line; `parts`, when given, is `call_parts` of it,
    /// worked out in the parallel half. `false` when the line is not a
    /// Cursor payload, for the caller to quarantine with its text.
    fn record(&mut self, no: u64, h: &Hook<'_>, parts: Option<CallParts>) -> bool {
        let (Some(event), Some(conv)) = (h.event.as_deref(), h.conversation.as_deref()) else {
            return false;
        };
        let time = match &h.stamp {
            Stamp::Text(t) => self.c.time(Some(t)),
            Stamp::Json(raw) => self.c.logged_time(raw.as_deref()),
        };
        let si = self.session(conv);
        let acc = &mut self.sessions[si];
        acc.span.add(time);
        if acc.cwd.is_none() {
            acc.cwd = h.cwd.as_deref().map(str::to_owned);
        }
        if acc.email.is_none() {
            acc.email = h.email.as_deref().map(str::to_owned);
        }
        if let Some(m) = h.model.as_deref() {
            acc.models.push(m);
        }
        if let Some(v) = h.version.as_deref() {
            acc.versions.push(v);
        }
        let used = match event {
            "beforeShellExecution" => self.before(si, no, time, h, parts),
            "afterShellExecution" => self.after(si, no, time, h),
            "beforeSubmitPrompt" => {
                let id = self.sessions[si].id.clone();
                let text = h.prompt.as_deref().unwrap_or_default();
                self.c.message(&id, time, Role::User, text, no)
            }
            "afterAgentResponse" => {
                let id = self.sessions[si].id.clone();
                let text = h.text.as_deref().unwrap_or_default();
                self.c.message(&id, time, Role::Assistant, text, no)
            }
            "sessionStart" => match h.mode.as_deref() {
                Some(m) => {
                    self.sessions[si].modes.push(m);
                    true
                }
                None => false,
            },
            _ => false,
        };
        if used {
            self.c.used();
        } else if EVENTS.contains(&event) {
            self.c.skipped(event);
        } else {
            self.c.skipped("(unknown Cursor hook event)");
        }
        true
    }

    fn session(&mut self, conv: &str) -> usize {
        if let Some(&i) = self.session_idx.get(conv) {
            return i;
        }
        self.sessions.push(SessionAcc {
            id: conv.to_owned(),
            ..SessionAcc::default()
        });
        self.session_idx
            .insert(conv.to_owned(), self.sessions.len() - 1);
        self.sessions.len() - 1
    }

    fn open(
        &mut self,
        si: usize,
        no: u64,
        h: &Hook<'_>,
        command: &str,
        parts: Option<CallParts>,
    ) -> usize {
        let sid = &self.sessions[si].id;
        let parts = parts.unwrap_or_else(|| call_parts(sid, h.generation.as_deref(), command, no));
        let mut call = new_call(sid, &parts.id, "Shell", &self.c.source_file, no);
        if let Some((c, raw)) = parts.command {
            call.command = Some(c);
            call.command_raw = raw;
        }
        self.calls.push(call);
        self.pending.push(Pending {
            generation: h.generation.as_deref().map(str::to_owned),
            key: command.to_owned(),
            closed: false,
            permission: None,
        });
        self.sessions[si].calls.push(self.calls.len() - 1);
        self.calls.len() - 1
    }

    fn before(
        &mut self,
        si: usize,
        no: u64,
        time: Option<i64>,
        h: &Hook<'_>,
        parts: Option<CallParts>,
    ) -> bool {
        let Some(command) = h.command.as_deref() else {
            return false;
        };
        let i = self.open(si, no, h, command, parts);
        self.calls[i].started_at = time;
        // A logger that kept the hook's answer: `{"permission": …}` beside
        // the payload (or as `output.permission`).
        self.pending[i].permission = h.permission.as_deref().map(str::to_owned);
        true
    }

    fn after(&mut self, si: usize, no: u64, time: Option<i64>, h: &Hook<'_>) -> bool {
        let Some(command) = h.command.as_deref() else {
            return false;
        };
        let generation = h.generation.as_deref();
        let open = self.sessions[si].calls.iter().rev().copied().find(|&i| {
            let c = &self.pending[i];
            !c.closed
                && c.key == command
                && (generation.is_none() || c.generation.as_deref() == generation)
        });
        let i = match open {
            Some(i) => i,
            None => self.open(si, no, h, command, None),
        };
        self.pending[i].closed = true;
        let call = &mut self.calls[i];
        call.ended_at = time;
        if call.started_at.is_none()
            && let (Some(t), Some(d)) = (time, h.duration_ms.and_then(millis_to_micros))
        {
            call.started_at = Some(t - d);
        }
        call.outcome = Outcome::Ok;
        call.exit_code = h.exit_code;
        if call.exit_code.is_some_and(|c| c != 0) {
            call.outcome = Outcome::Error;
        }
        call.output_excerpt = h.output.as_deref().and_then(excerpt);
        true
    }

    fn finish(mut self) -> ParsedTranscript {
        // Four answers, each written once and cloned per call.
        let evidence = |why: &str| Some(format!("{} (Cursor hook log)", bounded(why, 200)));
        let denied = evidence("the beforeShellExecution hook answered deny");
        let allowed = evidence("the beforeShellExecution hook answered allow");
        let ran = evidence(
            "afterShellExecution: the command ran; Cursor does not tell hooks who approved it",
        );
        let open = evidence(
            "beforeShellExecution with no afterShellExecution: refused, stopped or still running",
        );
        for (call, p) in self.calls.iter_mut().zip(&self.pending) {
            let (approval, why) = match p.permission.as_deref() {
                Some("deny") => (Approval::Rejected, &denied),
                Some("allow") => (Approval::Auto, &allowed),
                _ if p.closed => (Approval::Unknown, &ran),
                _ => (Approval::Unknown, &open),
            };
            if approval == Approval::Rejected {
                call.outcome = Outcome::Denied;
            }
            call.approval = approval;
            call.approval_evidence = why.clone();
        }
        // The collector gets its calls here only.
        self.c.out.tool_calls = std::mem::take(&mut self.calls);
        for s in std::mem::take(&mut self.sessions) {
            let operator = operator_for(self.path, s.cwd.as_deref(), self.opts).or(s.email);
            self.c.out.sessions.push(AgentSession {
                session_id: s.id,
                agent: AGENT.to_owned(),
                agent_version: s.versions.joined(),
                model: s.models.joined(),
                started_at: s.span.first,
                ended_at: s.span.last,
                cwd: s.cwd,
                git_branch: None,
                operator,
                approval_mode: s.modes.joined(),
                sandbox: None,
                parent_session_id: None,
                source_file: self.c.source_file.clone(),
            });
        }
        self.c.finish()
    }
}
