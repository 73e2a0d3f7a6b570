//! One `ConversationState` read into a session: the history walked entry
//! by entry (objects or older `[user, assistant]` pairs), prompts,
//! results and cancellations from the user side, the pending
//! `next_message`, and the session row at the end.

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::Path;

use serde_json::value::RawValue;

use super::super::json_doc::{Cursor, WalkError};
use super::super::text::{bounded, excerpt, first_byte, json_str, text_of};
use super::super::time::millis_to_micros;
use super::super::util::{Collector, Distinct, Span, operator_for};
use super::super::{AgentSession, Approval, Outcome, Role, ToolCall, TranscriptOptions};
use super::Source;
use super::records::{
    Block, EntryObj, ExecJson, ModelInfo, PromptObj, ToolResult, User, UserContent,
};

const CANCELLED: &str = "Tool use was cancelled by the user";
const FORBIDDEN: &str = "was rejected because the arguments supplied were forbidden";

/// One conversation being read.
pub(super) struct Conversation {
    id: Option<String>,
    cwd: Option<String>,
    models: Distinct,
    span: Span,
    pub(super) kiro_tools: bool,
    pub(super) calls: Vec<ToolCall>,
    pub(super) call_idx: HashMap<String, usize>,
    pub(super) messages: Vec<(Option<i64>, Role, String, u64)>,
}

pub(super) fn read_state(
    c: &mut Collector,
    path: &Path,
    bytes: &[u8],
    src: &Source,
    opts: &TranscriptOptions,
) {
    let mut conv = Conversation {
        id: None,
        cwd: src.key.clone(),
        models: Distinct::default(),
        span: Span::default(),
        kiro_tools: false,
        calls: Vec::new(),
        call_idx: HashMap::new(),
        messages: Vec::new(),
    };
    let mut cur = Cursor::new(bytes);
    let mut index = 0u64;
    let mut next: Option<(&RawValue, usize)> = None;
    let walked = (|| -> Result<(), WalkError> {
        cur.begin_object()?;
        let mut first = true;
        while let Some(key) = cur.next_key(&mut first)? {
            match key.as_str() {
                "history" => {
                    if !cur.begin_array()? {
                        continue;
                    }
                    let mut f = true;
                    while let Some((item, pos)) = cur.next_item(&mut f)? {
                        let line = if src.lines {
                            cur.line_at(pos)
                        } else {
                            index + 1
                        };
                        conv.entry(c, src, item, index, line);
                        index += 1;
                    }
                }
                "next_message" => {
                    // Read after the history: it holds results of its last calls.
                    let (v, pos) = cur.value()?;
                    if v.get() != "null" {
                        next = Some((v, pos));
                    }
                }
                "conversation_id" => conv.id = json_str(cur.value()?.0).map(Cow::into_owned),
                "model" => {
                    if let Some(m) = json_str(cur.value()?.0) {
                        conv.models.push(&m);
                    }
                }
                "model_info" => {
                    let (v, _) = cur.value()?;
                    if let Some(m) = serde_json::from_str::<ModelInfo>(v.get())
                        .ok()
                        .and_then(|m| m.model_id)
                    {
                        conv.models.push(&m);
                    }
                }
                _ => cur.skip_value()?,
            }
        }
        Ok(())
    })();
    if let Some((v, pos)) = next {
        let line = if src.lines {
            cur.line_at(pos)
        } else {
            index + 1
        };
        conv.user(c, v, None, line);
        c.used();
    }
    let label = src
        .label
        .as_deref()
        .map(|l| format!("{l}: "))
        .unwrap_or_default();
    match walked {
        Ok(()) => c.used(),
        Err(e) => {
            let line = src.lines.then(|| cur.line_at(e.pos));
            let rest = &bytes[e.pos.min(bytes.len())..];
            let reason = format!(
                "{label}conversation state (after {index} history entries): {}",
                e.reason
            );
            c.quarantine(line, src.row, reason, rest);
        }
    }
    conv.finish(c, path, src, opts);
}

impl Conversation {
    fn entry(&mut self, c: &mut Collector, src: &Source, item: &RawValue, index: u64, line: u64) {
        let parsed = match first_byte(item.get().as_bytes()) {
            Some(b'{') => serde_json::from_str::<EntryObj<'_>>(item.get())
                .map(|e| (e.user, e.assistant, e.request_metadata))
                .map_err(|e| e.to_string()),
            Some(b'[') => serde_json::from_str::<Vec<&RawValue>>(item.get())
                .map_err(|e| e.to_string())
                .and_then(|v| match v.as_slice() {
                    [u, a, ..] => Ok((Some(*u), Some(*a), None)),
                    _ => Err("a pair needs two items".to_owned()),
                }),
            _ => Err("not an object or a pair".to_owned()),
        };
        let (user, assistant, meta) = match parsed {
            Ok(p) => p,
            Err(e) => {
                let label = src
                    .label
                    .as_deref()
                    .map(|l| format!("{l}: "))
                    .unwrap_or_default();
                c.quarantine(
                    src.lines.then_some(line),
                    src.row.or(Some(index)),
                    format!("{label}history entry {index} unreadable: {e}"),
                    item.get().as_bytes(),
                );
                return;
            }
        };
        let meta = meta.unwrap_or_default();
        if let Some(m) = &meta.model_id {
            self.models.push(m);
        }
        let start = meta.request_start_timestamp_ms.and_then(millis_to_micros);
        let end = meta.stream_end_timestamp_ms.and_then(millis_to_micros);
        if let Some(u) = user {
            self.user(c, u, start, line);
        }
        if let Some(a) = assistant {
            self.assistant(a, end.or(start), line);
        }
        self.span.add(start);
        self.span.add(end);
        c.used();
    }

    fn user(&mut self, c: &mut Collector, raw: &RawValue, request_start: Option<i64>, line: u64) {
        let Ok(u) = serde_json::from_str::<User<'_>>(raw.get()) else {
            return;
        };
        let time = match u.timestamp.as_deref() {
            Some(t) => c.time(Some(t)),
            None => request_start,
        };
        self.span.add(time);
        if self.cwd.is_none() {
            self.cwd = u
                .env_context
                .and_then(|e| e.env_state)
                .and_then(|s| s.current_working_directory);
        }
        let Some(content) = u
            .content
            .and_then(|c| serde_json::from_str::<UserContent<'_>>(c.get()).ok())
        else {
            return;
        };
        // Results of the previous entry's calls: they ended when this message was sent.
        let ended = time.or(request_start);
        if let Some(p) = content.prompt {
            let text = json_str(p).map(Cow::into_owned).or_else(|| {
                serde_json::from_str::<PromptObj<'_>>(p.get())
                    .ok()
                    .and_then(|o| o.prompt.map(Cow::into_owned))
            });
            if let Some(text) = text {
                self.messages.push((time, Role::User, text, line));
            }
        }
        if let Some(r) = content.results {
            let list = match first_byte(r.get().as_bytes()) {
                Some(b'[') => Some(r),
                _ => serde_json::from_str::<PromptObj<'_>>(r.get())
                    .ok()
                    .and_then(|o| o.tool_use_results),
            };
            if let Some(list) = list {
                self.results(list, ended, None);
            }
        }
        if let Some(cancel) = content.cancelled
            && let Ok(o) = serde_json::from_str::<PromptObj<'_>>(cancel.get())
        {
            let prompt = o.prompt.as_deref().unwrap_or("");
            let forbidden = prompt.contains(FORBIDDEN);
            if !prompt.trim().is_empty() {
                let role = if forbidden { Role::System } else { Role::User };
                self.messages.push((time, role, prompt.to_owned(), line));
            }
            if let Some(list) = o.tool_use_results {
                let why = if forbidden { Some(prompt) } else { None };
                self.results(list, ended, Some(why));
            }
        }
    }

    /// Applies tool results; `cancelled` is `Some(forbidden notice)` for
    /// `CancelledToolUses`.
    fn results(&mut self, list: &RawValue, ended: Option<i64>, cancelled: Option<Option<&str>>) {
        let Ok(items) = serde_json::from_str::<Vec<ToolResult<'_>>>(list.get()) else {
            return;
        };
        for r in items {
            let Some(&i) = r
                .tool_use_id
                .as_deref()
                .and_then(|id| self.call_idx.get(id))
            else {
                continue;
            };
            let call = &mut self.calls[i];
            call.ended_at = ended;
            let text = r.content.map(text_of).unwrap_or_default();
            call.output_excerpt = excerpt(&text);
            let error = r
                .status
                .as_deref()
                .is_some_and(|s| s.eq_ignore_ascii_case("error"));
            match cancelled {
                Some(Some(notice)) => {
                    call.outcome = Outcome::Denied;
                    call.approval = Approval::Rejected;
                    let first = notice.lines().next().unwrap_or(notice);
                    call.approval_evidence = Some(format!(
                        "forbidden-arguments notice: {}",
                        bounded(first, 200)
                    ));
                }
                Some(None) => {
                    call.outcome = Outcome::Rejected;
                    call.approval = Approval::Rejected;
                    call.approval_evidence = Some(format!("cancellation string: {CANCELLED}"));
                }
                None => {
                    let exit = r.content.and_then(exit_status);
                    call.exit_code = exit;
                    call.outcome = match (error, exit) {
                        (_, Some(e)) if e != 0 => Outcome::Error,
                        (true, _) => Outcome::Error,
                        (false, _) => Outcome::Ok,
                    };
                }
            }
        }
    }

    fn finish(self, c: &mut Collector, path: &Path, src: &Source, opts: &TranscriptOptions) {
        let session_id = self.id.unwrap_or_else(|| src.fallback_id.clone());
        let p = path.to_string_lossy().to_ascii_lowercase();
        let agent = if p.contains("kiro") || self.kiro_tools {
            "kiro"
        } else {
            "amazon-q"
        };
        for (time, role, text, line) in self.messages {
            c.message(&session_id, time, role, &text, line);
        }
        for mut call in self.calls {
            call.session_id.clone_from(&session_id);
            call.source_file.clone_from(&c.source_file);
            c.out.tool_calls.push(call);
        }
        let operator = operator_for(path, self.cwd.as_deref(), opts);
        c.out.sessions.push(AgentSession {
            session_id,
            agent: agent.to_owned(),
            agent_version: None,
            model: self.models.joined(),
            started_at: self.span.first,
            ended_at: self.span.last,
            cwd: self.cwd,
            git_branch: None,
            operator,
            approval_mode: None,
            sandbox: None,
            parent_session_id: None,
            source_file: c.source_file.clone(),
        });
    }
}

/// `exit_status` of the first JSON block (a string `"0"` or a number).
fn exit_status(content: &RawValue) -> Option<i64> {
    let blocks = serde_json::from_str::<Vec<Block<'_>>>(content.get()).ok()?;
    blocks.into_iter().find_map(|b| {
        let j = serde_json::from_str::<ExecJson<'_>>(b.json?.get()).ok()?;
        let v = j.exit_status?;
        match json_str(v) {
            Some(s) => s.trim().parse().ok(),
            None => v.get().trim().parse().ok(),
        }
    })
}
