//! Gemini CLI chat recordings: the JSONL append log
//! (`~/.gemini/tmp/<project>/chats/session-*.jsonl`, since April 2026) and
//! the older single-document `session-*.json` `ConversationRecord`.
//! Subagents live in `chats/<parentSessionId>/<sessionId>.jsonl`.
//!
//! The log is replayed the way gemini-cli's own loader does it: the first
//! line is session metadata; message records are upserted by `id` (the last
//! record per id wins, keeping its first position); `{"$set": {…}}` patches
//! metadata (and may carry `messages`, which are upserted too);
//! `{"$rewindTo": id}` drops that message and every later one (all of them
//! when the id is unknown). Dropped messages are not reported, but a tool
//! call inside one that had already run (status `success` or `error`) is
//! kept, because it acted on the world before the rewind; the notes say how
//! many. Shell calls are `run_shell_command` with `args.command`; the
//! result text holds `Exit Code: N` (only when N ≠ 0 in current builds);
//! `status` is `success`, `error` or `cancelled`, and the denial strings
//! tell a user's refusal from a policy's. Approval is never recorded.

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::Path;

use serde::Deserialize;
use serde_json::value::RawValue;

use super::command::{command_from_str, mcp_parts, number_after_last, render_mcp};
use super::json_doc::Cursor;
use super::text::{excerpt, first_byte, json_str, text_of};
use super::util::{
    Collector, Distinct, Span, file_stem, json_line_reason, lines, new_call, operator_for,
};
use super::{AgentSession, Approval, Outcome, ParsedTranscript, Role, ToolCall, TranscriptOptions};

const USER_DENIED: &str = "User denied execution";
const POLICY_DENIED: &str = "denied by policy";

#[derive(Deserialize)]
struct Rec<'a> {
    #[serde(rename = "$rewindTo", borrow)]
    rewind_to: Option<&'a RawValue>,
    #[serde(borrow)]
    id: Option<&'a RawValue>,
    #[serde(rename = "$set", borrow)]
    set: Option<&'a RawValue>,
    #[serde(rename = "sessionId", borrow)]
    session_id: Option<&'a RawValue>,
    #[serde(rename = "projectHash", borrow)]
    project_hash: Option<&'a RawValue>,
}

#[derive(Deserialize, Default)]
struct Meta<'a> {
    #[serde(rename = "sessionId", borrow)]
    session_id: Option<Cow<'a, str>>,
    #[serde(rename = "startTime", borrow)]
    start_time: Option<Cow<'a, str>>,
    #[serde(rename = "lastUpdated", borrow)]
    last_updated: Option<Cow<'a, str>>,
    #[serde(borrow)]
    kind: Option<Cow<'a, str>>,
    directories: Option<Vec<String>>,
    #[serde(borrow)]
    messages: Option<&'a RawValue>,
}

#[derive(Deserialize)]
struct GMsg<'a> {
    #[serde(rename = "type", borrow)]
    kind: Option<Cow<'a, str>>,
    #[serde(borrow)]
    timestamp: Option<Cow<'a, str>>,
    #[serde(borrow)]
    content: Option<&'a RawValue>,
    #[serde(borrow)]
    model: Option<Cow<'a, str>>,
    #[serde(rename = "toolCalls", borrow)]
    tool_calls: Option<Vec<&'a RawValue>>,
}

#[derive(Deserialize)]
struct GTool<'a> {
    #[serde(borrow)]
    id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    name: Option<Cow<'a, str>>,
    #[serde(borrow)]
    args: Option<&'a RawValue>,
    #[serde(borrow)]
    result: Option<&'a RawValue>,
    #[serde(borrow)]
    status: Option<Cow<'a, str>>,
    #[serde(borrow)]
    timestamp: Option<Cow<'a, str>>,
    #[serde(rename = "resultDisplay", borrow)]
    result_display: Option<&'a RawValue>,
}

#[derive(Deserialize)]
struct ShellArgs<'a> {
    #[serde(borrow)]
    command: Option<Cow<'a, str>>,
}

struct Stored<'a> {
    raw: &'a RawValue,
    line: u64,
    /// The record had a line of its own (not inside `$set.messages`).
    own_line: bool,
}

struct Reader<'a> {
    c: Collector,
    session_id: Option<String>,
    started: Option<i64>,
    last_updated: Option<i64>,
    kind: Option<String>,
    cwd: Option<String>,
    entries: Vec<Option<Stored<'a>>>,
    index: HashMap<String, usize>,
    span: Span,
    models: Distinct,
    calls: Vec<ToolCall>,
    call_idx: HashMap<String, usize>,
    rewound_messages: u64,
    rewound_calls_kept: u64,
}

pub(crate) fn parse_jsonl(path: &Path, bytes: &[u8], opts: &TranscriptOptions) -> ParsedTranscript {
    let mut r = Reader::new(path);
    for (no, line) in lines(bytes) {
        r.line(no, line);
    }
    r.finish(path, opts)
}

pub(crate) fn parse_json(path: &Path, bytes: &[u8], opts: &TranscriptOptions) -> ParsedTranscript {
    let mut r = Reader::new(path);
    let mut cur = Cursor::new(bytes);
    let walked = (|| -> Result<(), super::json_doc::WalkError> {
        cur.begin_object()?;
        let mut first = true;
        while let Some(key) = cur.next_key(&mut first)? {
            if key == "messages" {
                if !cur.begin_array()? {
                    continue;
                }
                let mut f = true;
                let mut idx = 0u64;
                while let Some((item, pos)) = cur.next_item(&mut f)? {
                    let line = cur.line_at(pos);
                    r.document_message(line, idx, item);
                    idx += 1;
                }
            } else {
                let (value, _) = cur.value()?;
                r.document_member(&key, value);
            }
        }
        Ok(())
    })();
    match walked {
        Ok(()) => r.c.used(),
        Err(e) => {
            let line = cur.line_at(e.pos);
            let rest = &bytes[e.pos.min(bytes.len())..];
            r.c.quarantine(
                Some(line),
                None,
                format!("session document: {}", e.reason),
                rest,
            );
        }
    }
    r.finish(path, opts)
}

fn is_string(v: Option<&RawValue>) -> bool {
    v.is_some_and(|v| first_byte(v.get().as_bytes()) == Some(b'"'))
}

impl<'a> Reader<'a> {
    fn new(path: &Path) -> Self {
        Self {
            c: Collector::new(path),
            session_id: None,
            started: None,
            last_updated: None,
            kind: None,
            cwd: None,
            entries: Vec::new(),
            index: HashMap::new(),
            span: Span::default(),
            models: Distinct::default(),
            calls: Vec::new(),
            call_idx: HashMap::new(),
            rewound_messages: 0,
            rewound_calls_kept: 0,
        }
    }

    fn line(&mut self, no: u64, raw: &'a [u8]) {
        let rec: Rec<'a> = match serde_json::from_slice(raw) {
            Ok(r) => r,
            Err(e) => {
                let reason = json_line_reason(raw, &e);
                self.c.quarantine(Some(no), None, reason, raw);
                return;
            }
        };
        if let Some(target) = rec.rewind_to.and_then(json_str) {
            self.rewind(&target);
            self.c.used();
        } else if let Some(id) = rec.id.and_then(json_str) {
            let Ok(whole) = serde_json::from_slice::<&'a RawValue>(raw) else {
                self.c
                    .quarantine(Some(no), None, "unreadable message record", raw);
                return;
            };
            self.upsert(
                &id,
                Stored {
                    raw: whole,
                    line: no,
                    own_line: true,
                },
            );
            // counted when its final fate is known (kept, superseded, rewound)
        } else if let Some(set) = rec
            .set
            .filter(|s| first_byte(s.get().as_bytes()) == Some(b'{'))
        {
            self.metadata(set, no);
            self.c.used();
        } else if is_string(rec.session_id) && is_string(rec.project_hash) {
            if let Ok(whole) = serde_json::from_slice::<&'a RawValue>(raw) {
                self.metadata(whole, no);
            }
            self.c.used();
        } else {
            self.c.skipped("(unrecognised record)");
        }
    }

    fn metadata(&mut self, raw: &'a RawValue, no: u64) {
        let Ok(m) = serde_json::from_str::<Meta<'a>>(raw.get()) else {
            self.c
                .note(format!("line {no}: session metadata could not be read"));
            return;
        };
        if let Some(id) = m.session_id.as_deref() {
            self.session_id = Some(id.to_owned());
        }
        if self.started.is_none() && m.start_time.is_some() {
            self.started = self.c.time(m.start_time.as_deref());
        }
        if m.last_updated.is_some() {
            self.last_updated = self.c.time(m.last_updated.as_deref()).or(self.last_updated);
        }
        if let Some(k) = m.kind.as_deref() {
            self.kind = Some(k.to_owned());
        }
        if let Some(d) = m.directories.as_ref().and_then(|d| d.first()) {
            self.cwd = Some(d.clone());
        }
        if let Some(msgs) = m.messages
            && let Ok(items) = serde_json::from_str::<Vec<&'a RawValue>>(msgs.get())
        {
            for item in items {
                #[derive(Deserialize)]
                struct Id<'b> {
                    #[serde(borrow)]
                    id: Option<Cow<'b, str>>,
                }
                if let Ok(Id { id: Some(id) }) = serde_json::from_str::<Id<'_>>(item.get()) {
                    self.upsert(
                        &id,
                        Stored {
                            raw: item,
                            line: no,
                            own_line: false,
                        },
                    );
                }
            }
        }
    }

    fn document_member(&mut self, key: &str, value: &'a RawValue) {
        let s = json_str(value);
        match key {
            "sessionId" => self.session_id = s.map(Cow::into_owned),
            "startTime" => self.started = self.c.time(s.as_deref()),
            "lastUpdated" => self.last_updated = self.c.time(s.as_deref()),
            "kind" => self.kind = s.map(Cow::into_owned),
            "directories" => {
                self.cwd = serde_json::from_str::<Vec<String>>(value.get())
                    .ok()
                    .and_then(|d| d.into_iter().next());
            }
            _ => {}
        }
    }

    fn document_message(&mut self, line: u64, idx: u64, item: &'a RawValue) {
        #[derive(Deserialize)]
        struct Id<'b> {
            #[serde(borrow)]
            id: Option<Cow<'b, str>>,
        }
        match serde_json::from_str::<Id<'_>>(item.get()) {
            Ok(Id { id: Some(id) }) => self.upsert(
                &id,
                Stored {
                    raw: item,
                    line,
                    own_line: true,
                },
            ),
            Ok(Id { id: None }) => self.c.skipped("message without id"),
            Err(e) => self.c.quarantine(
                Some(line),
                Some(idx),
                format!("message record is not an object with a string id: {e}"),
                item.get().as_bytes(),
            ),
        }
    }

    fn upsert(&mut self, id: &str, stored: Stored<'a>) {
        if let Some(&i) = self.index.get(id) {
            let old = self.entries[i].replace(stored);
            if old.is_some_and(|o| o.own_line) {
                self.c
                    .skipped("superseded by a later record with the same id");
            }
        } else {
            self.index.insert(id.to_owned(), self.entries.len());
            self.entries.push(Some(stored));
        }
    }

    fn rewind(&mut self, target: &str) {
        let from = match self.index.get(target) {
            Some(&i) => i,
            None => 0,
        };
        let removed: Vec<Stored<'a>> = self.entries[from..]
            .iter_mut()
            .filter_map(Option::take)
            .collect();
        self.index.retain(|_, &mut i| i < from);
        self.entries.truncate(from);
        for s in removed {
            self.rewound_messages += 1;
            let kept = self.message(&s, true);
            if s.own_line {
                if kept {
                    self.c.used();
                } else {
                    self.c.skipped("rewound");
                }
            }
        }
    }

    /// Turns a final (or rewound) message record into rows. For a rewound
    /// one only the tool calls that ran are kept; returns whether any row was made.
    fn message(&mut self, s: &Stored<'a>, rewound: bool) -> bool {
        let Ok(m) = serde_json::from_str::<GMsg<'_>>(s.raw.get()) else {
            return false;
        };
        let time = self.c.time(m.timestamp.as_deref());
        let mut produced = false;
        if !rewound {
            self.span.add(time);
            let role = match m.kind.as_deref() {
                Some("user") => Some(Role::User),
                Some("gemini") => Some(Role::Assistant),
                Some("info" | "error" | "warning") => Some(Role::System),
                _ => None,
            };
            if let (Some(role), Some(content)) = (role, m.content) {
                // the session id is filled in at the end
                produced |= self.c.message("", time, role, &text_of(content), s.line);
            }
            if let Some(model) = m.model.as_deref() {
                self.models.push(model);
            }
        }
        for tc in m.tool_calls.unwrap_or_default() {
            let Ok(t) = serde_json::from_str::<GTool<'_>>(tc.get()) else {
                continue;
            };
            let ran = matches!(t.status.as_deref(), Some("success" | "error"));
            if rewound && !ran {
                continue;
            }
            let call = self.tool_call(&t, time, s.line);
            if rewound {
                self.rewound_calls_kept += 1;
            } else {
                self.span.add(call.started_at);
            }
            match self.call_idx.get(&call.call_id) {
                Some(&i) => self.calls[i] = call,
                None => {
                    self.call_idx.insert(call.call_id.clone(), self.calls.len());
                    self.calls.push(call);
                }
            }
            produced = true;
        }
        produced
    }

    fn tool_call(&mut self, t: &GTool<'_>, msg_time: Option<i64>, line: u64) -> ToolCall {
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
            call.command = Some(render_mcp(server, tool, t.args));
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

    fn finish(mut self, path: &Path, opts: &TranscriptOptions) -> ParsedTranscript {
        let entries = std::mem::take(&mut self.entries);
        for s in entries.into_iter().flatten() {
            self.message(&s, false);
            if s.own_line {
                self.c.used();
            }
        }
        let session_id = self.session_id.clone().unwrap_or_else(|| {
            self.c
                .note("no session metadata; the session id was taken from the file name");
            file_stem(path)
        });
        for m in &mut self.c.out.messages {
            m.session_id.clone_from(&session_id);
        }
        for mut call in std::mem::take(&mut self.calls) {
            call.session_id.clone_from(&session_id);
            self.c.out.tool_calls.push(call);
        }
        if self.rewound_messages > 0 {
            let (m, k) = (self.rewound_messages, self.rewound_calls_kept);
            self.c.note(format!(
                "{m} message(s) were dropped by $rewindTo; {k} tool call(s) in them had already run and were kept"
            ));
        }
        let parent = (self.kind.as_deref() == Some("subagent"))
            .then(|| {
                path.parent()
                    .and_then(Path::file_name)
                    .map(|n| n.to_string_lossy().into_owned())
                    .filter(|n| n != "chats")
            })
            .flatten();
        let operator = operator_for(path, self.cwd.as_deref(), opts);
        let source_file = self.c.source_file.clone();
        self.c.out.sessions.push(AgentSession {
            session_id,
            agent: "gemini-cli".to_owned(),
            agent_version: None,
            model: self.models.joined(),
            started_at: self.started.or(self.span.first),
            ended_at: self.span.last.or(self.last_updated),
            cwd: self.cwd,
            git_branch: None,
            operator,
            approval_mode: None,
            sandbox: None,
            parent_session_id: parent,
            source_file,
        });
        self.c.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests_support::{fixture, parse_fixture};
    use super::super::{TranscriptFormat, detect};
    use super::*;

    const MAIN: &str = "gemini/tmp/infra/chats/session-2026-04-20T10-00-1a2b3c4d.jsonl";
    const SUB: &str = "gemini/tmp/infra/chats/1a2b3c4d-0000-4000-8000-00000000aaaa/5e6f7a8b-0000-4000-8000-00000000bbbb.jsonl";
    const LEGACY: &str = "gemini/tmp/oldproj/chats/session-2025-09-01T10-00-abcd1234.json";

    use super::super::tests_support::call;

    #[test]
    fn session_metadata_and_last_record_per_id_wins() {
        let p = parse_fixture(TranscriptFormat::GeminiJsonl, MAIN);
        let s = &p.sessions[0];
        assert_eq!(s.session_id, "1a2b3c4d-0000-4000-8000-00000000aaaa");
        assert_eq!(s.agent, "gemini-cli");
        assert_eq!(s.model.as_deref(), Some("gemini-2.5-pro"));
        assert_eq!(s.started_at, Some(1_776_679_200_000_000));
        let c = call(&p, "run_shell_command-1");
        assert_eq!(c.command.as_deref(), Some("aws s3 ls"));
        assert_eq!(
            (c.outcome, c.exit_code),
            (Outcome::Ok, Some(0)),
            "executing → success"
        );
        assert!(
            c.output_excerpt
                .as_deref()
                .is_some_and(|o| o.contains("bucket-a"))
        );
        assert_eq!(
            p.counts
                .skipped_by_type
                .get("superseded by a later record with the same id"),
            Some(&1)
        );
        assert!(p.tool_calls.iter().all(|c| c.session_id == s.session_id));
        assert!(p.messages.iter().all(|m| m.session_id == s.session_id));
    }

    #[test]
    fn rewind_drops_messages_but_keeps_calls_that_ran() {
        let p = parse_fixture(TranscriptFormat::GeminiJsonl, MAIN);
        assert!(
            !p.messages
                .iter()
                .any(|m| m.text_excerpt.contains("eu-west-1 instead"))
        );
        assert!(
            p.messages
                .iter()
                .any(|m| m.text_excerpt == "never mind, show the caller identity")
        );
        let ran = call(&p, "run_shell_command-3");
        assert_eq!((ran.outcome, ran.exit_code), (Outcome::Error, Some(254)));
        assert!(
            !p.tool_calls
                .iter()
                .any(|c| c.call_id == "run_shell_command-5"),
            "cancelled and rewound"
        );
        assert!(
            p.notes.iter().any(|n| n.contains("$rewindTo")),
            "{:?}",
            p.notes
        );
        assert_eq!(p.counts.skipped_by_type.get("rewound"), Some(&2));
    }

    #[test]
    fn denials_and_statuses() {
        let p = parse_fixture(TranscriptFormat::GeminiJsonl, MAIN);
        let denied = call(&p, "run_shell_command-2");
        assert_eq!(
            (denied.outcome, denied.approval),
            (Outcome::Rejected, Approval::Rejected)
        );
        let policy = call(&p, "run_shell_command-4");
        assert_eq!(
            (policy.outcome, policy.approval),
            (Outcome::Denied, Approval::Rejected)
        );
        let mcp = call(&p, "mcp-1");
        assert_eq!(
            mcp.command.as_deref(),
            Some(r#"mcp:awslabs.call_aws {"cli_command":"aws iam list-roles"}"#)
        );
        assert!(
            p.messages
                .iter()
                .any(|m| m.role == Role::System && m.text_excerpt == "Request cancelled.")
        );
    }

    #[test]
    fn bad_lines_quarantined() {
        let p = parse_fixture(TranscriptFormat::GeminiJsonl, MAIN);
        let lines: Vec<_> = p.quarantined.iter().map(|q| q.line).collect();
        assert_eq!(lines, vec![Some(17), Some(18)]);
        assert_eq!(
            p.counts.skipped_by_type.get("(unrecognised record)"),
            Some(&1)
        );
    }

    #[test]
    fn subagent_has_parent_from_directory() {
        let p = parse_fixture(TranscriptFormat::GeminiJsonl, SUB);
        let s = &p.sessions[0];
        assert_eq!(
            s.parent_session_id.as_deref(),
            Some("1a2b3c4d-0000-4000-8000-00000000aaaa")
        );
        assert_eq!(s.cwd.as_deref(), Some("/home/dana/infra"));
        assert_eq!(s.operator.as_deref(), Some("dana"));
    }

    #[test]
    fn legacy_single_document() {
        let p = parse_fixture(TranscriptFormat::GeminiJson, LEGACY);
        let s = &p.sessions[0];
        assert_eq!(s.session_id, "abcd1234-1111-4222-8333-444455556666");
        let c = call(&p, "run_shell_command-1757");
        assert_eq!(
            c.command.as_deref(),
            Some("aws s3api delete-bucket --bucket tmp-bucket")
        );
        assert_eq!((c.outcome, c.exit_code), (Outcome::Error, Some(1)));
        assert_eq!(
            c.source_line, 13,
            "the line where its message record starts"
        );
        assert_eq!(p.messages.len(), 1, "the empty gemini turn is no message");
        assert_eq!(p.counts.lines_read, 3, "envelope + two messages");
    }

    #[test]
    fn set_messages_upsert_and_unknown_rewind_target_clears() {
        let text = concat!(
            r#"{"sessionId":"s1","projectHash":"h"}"#,
            "\n",
            r#"{"id":"a","timestamp":"2026-04-20T10:00:00Z","type":"user","content":"first"}"#,
            "\n",
            r#"{"$set":{"messages":[{"id":"a","timestamp":"2026-04-20T10:00:00Z","type":"user","content":"first, masked"},{"id":"b","timestamp":"2026-04-20T10:00:01Z","type":"gemini","content":"reply"}]}}"#,
            "\n"
        );
        let p = super::super::parse(
            TranscriptFormat::GeminiJsonl,
            Path::new("session-x.jsonl"),
            text.as_bytes(),
            &TranscriptOptions::default(),
        );
        let texts: Vec<_> = p.messages.iter().map(|m| m.text_excerpt.as_str()).collect();
        assert_eq!(texts, vec!["first, masked", "reply"]);
        let rewound = format!("{text}{}\n", r#"{"$rewindTo":"no-such-id"}"#);
        let p = super::super::parse(
            TranscriptFormat::GeminiJsonl,
            Path::new("session-x.jsonl"),
            rewound.as_bytes(),
            &TranscriptOptions::default(),
        );
        assert!(
            p.messages.is_empty(),
            "an unknown target clears the history"
        );
        assert!(p.counts.reconciles());
    }

    #[test]
    fn detects_both_shapes() {
        for (rel, f) in [
            (MAIN, TranscriptFormat::GeminiJsonl),
            (LEGACY, TranscriptFormat::GeminiJson),
        ] {
            let path = fixture(rel);
            let bytes = std::fs::read(&path).unwrap();
            assert_eq!(detect(&path, &bytes), Some(f), "{rel}");
        }
    }
}
