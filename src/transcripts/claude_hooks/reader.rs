//! The reader of hook payloads into sessions, tool calls and prompts. A
//! call is opened by `PreToolUse` and closed by `PostToolUse`,
//! `PostToolUseFailure` or `PermissionDenied`, all keyed by `tool_use_id`
//! (the id of the transcript's `tool_use` block). A `PermissionRequest`
//! (or a `permission_prompt` notification) marks the open call with the
//! same tool and input as asked: a person saw the dialog. How each call was
//! approved is decided at the end, from what was recorded about it.

use std::path::Path;

use polars::prelude::PlHashMap;
use serde_json::value::RawValue;

use super::super::claude::approval::approval_of;
use super::super::claude::calls::{REJECTED, REJECTED_ALT, SHELL_TOOLS, set_command};
use super::super::command::number_after;
use super::super::text::{bounded, excerpt, json_str, text_of_limited};
use super::super::util::{
    Collector, Distinct, Span, home_user, json_line_reason, new_call, operator_for, stable_id,
};
use super::super::{AgentSession, Approval, Outcome, ParsedTranscript, Role, ToolCall};
use super::super::{TranscriptOptions, text::compact_json};
use super::records::{EVENTS, Payload};

/// How much of a tool's output or error is unescaped.
const TEXT_PREFIX: usize = super::super::text::EXCERPT_MAX + 512;

#[derive(Default)]
struct SessionAcc {
    id: String,
    parent: Option<String>,
    span: Span,
    cwd: Option<String>,
    transcript_path: Option<String>,
    models: Distinct,
    modes: Distinct,
}

/// What the log says about one call's permission.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Asked {
    No,
    /// A dialog was shown; the text names the record that shows it.
    Yes(&'static str),
    /// A `PermissionRequest` hook answered by itself.
    HookAnswered(String),
}

struct PendingCall {
    call: ToolCall,
    mode: Option<String>,
    shell: bool,
    background: bool,
    /// `tool_input` as logged, and re-printed (when first needed) to
    /// match a `PermissionRequest` or a payload without `tool_use_id`.
    input: Option<Box<str>>,
    input_key: std::cell::OnceCell<String>,
    asked: Asked,
    /// A `PreToolUse` hook's logged answer: allow, deny or ask.
    pre_decision: Option<(String, Option<String>)>,
    /// Auto mode refused it (`PermissionDenied`), with the reason.
    denied: Option<String>,
    closed: bool,
}

impl PendingCall {
    fn input_key(&self) -> &str {
        self.input_key
            .get_or_init(|| self.input.as_deref().map(compact_json).unwrap_or_default())
    }
}

/// A permission dialog not yet matched to a call.
struct Ask {
    session: usize,
    tool: String,
    input_key: String,
    how: Asked,
}

pub(super) struct Reader<'o> {
    pub(super) c: Collector,
    opts: &'o TranscriptOptions,
    path: &'o Path,
    sessions: Vec<SessionAcc>,
    session_idx: PlHashMap<String, usize>,
    calls: Vec<PendingCall>,
    call_idx: PlHashMap<(usize, String), usize>,
    asks: Vec<Ask>,
    /// The log records permission dialogs at all (a `PermissionRequest`
    /// or a `permission_prompt` notification was seen): then a call with
    /// none ran without asking.
    sees_prompts: bool,
}

impl<'o> Reader<'o> {
    pub(super) fn new(path: &'o Path, opts: &'o TranscriptOptions) -> Self {
        Self {
            c: Collector::new(path),
            opts,
            path,
            sessions: Vec::new(),
            session_idx: PlHashMap::default(),
            calls: Vec::new(),
            call_idx: PlHashMap::default(),
            asks: Vec::new(),
            sees_prompts: false,
        }
    }

    /// Reads one payload (a line, or an element of an array).
    pub(super) fn record(&mut self, no: u64, raw: &[u8]) {
        let Ok(text) = std::str::from_utf8(raw) else {
            self.c.quarantine(Some(no), None, "not UTF-8 text", raw);
            return;
        };
        // trailblame's wrapper read in one pass: the payload inside, the
        // time outside. A line it does not read so is read in two, which
        // words what is wrong with it.
        // Made once (`memmem::find` makes a finder per call).
        static HOOK: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
            std::sync::LazyLock::new(|| memchr::memmem::Finder::new(b"\"hook\""));
        let one_pass = HOOK
            .find(raw)
            .and_then(|_| serde_json::from_str::<Payload<'_, Box<Payload<'_>>>>(text).ok())
            .and_then(|outer| {
                let time = outer.logged_time();
                outer.hook.map(|inner| (*inner, time))
            });
        if let Some((inner, outer_time)) = one_pass {
            self.payload(no, raw, &inner, outer_time);
            return;
        }
        self.two_passes(no, raw, text);
    }

    /// A payload read as JSON text first, then, in a wrapper, its `hook`.
    pub(super) fn two_passes(&mut self, no: u64, raw: &[u8], text: &str) {
        let outer: Payload<'_> = match serde_json::from_str(text) {
            Ok(p) => p,
            Err(e) => {
                let reason = format!("hook payload: {}", json_line_reason(raw, &e));
                self.c.quarantine(Some(no), None, reason, raw);
                return;
            }
        };
        match outer.hook {
            Some(inner) => match serde_json::from_str::<Payload<'_>>(inner.get()) {
                Ok(p) => self.payload(no, raw, &p, outer.logged_time()),
                Err(e) => {
                    let reason = format!("hook payload inside the log wrapper: {e}");
                    self.c.quarantine(Some(no), None, reason, raw);
                }
            },
            None => self.payload(no, raw, &outer, None),
        }
    }

    /// One payload; `outer_time` is the time a wrapper around it logged.
    fn payload(&mut self, no: u64, raw: &[u8], p: &Payload<'_>, outer_time: Option<&RawValue>) {
        let (Some(event), Some(session)) = (p.hook_event_name.as_deref(), p.session_id.as_deref())
        else {
            // Hand-piped test input and other JSON: named, never guessed at.
            self.c.quarantine(
                Some(no),
                None,
                "not a Claude Code hook payload (hook_event_name or session_id missing)",
                raw,
            );
            return;
        };
        let time = self.c.logged_time(outer_time.or(p.logged_time()));
        let s = self.session(session, p.agent_id.as_deref());
        let acc = &mut self.sessions[s];
        acc.span.add(time);
        if acc.cwd.is_none() {
            acc.cwd = p.cwd.as_deref().map(str::to_owned);
        }
        if acc.transcript_path.is_none() {
            acc.transcript_path = p.transcript_path.as_deref().map(str::to_owned);
        }
        if let Some(m) = p.permission_mode.as_deref() {
            acc.modes.push(m);
        }
        let used = match event {
            "PreToolUse" => self.pre_tool_use(s, no, time, p),
            "PostToolUse" | "PostToolUseFailure" | "PermissionDenied" => {
                self.close(s, no, time, event, p)
            }
            "PermissionRequest" => self.permission_request(s, p),
            "Notification" => self.notification(s, p),
            "UserPromptSubmit" => {
                let text = p.prompt.and_then(json_str).unwrap_or_default();
                let id = self.sessions[s].id.clone();
                self.c.message(&id, time, Role::User, &text, no)
            }
            "SessionStart" => match p.model.and_then(json_str) {
                Some(m) => {
                    self.sessions[s].models.push(&m);
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
            self.c.skipped("(unknown hook event)");
        }
    }

    fn session(&mut self, session: &str, agent: Option<&str>) -> usize {
        // A subagent's calls live in `<session>/agent-<id>`, as the
        // transcript reader names the subagent's file.
        let (key, parent) = match agent.filter(|a| !a.is_empty()) {
            Some(a) => (format!("{session}/agent-{a}"), Some(session.to_owned())),
            None => (session.to_owned(), None),
        };
        if let Some(&i) = self.session_idx.get(&key) {
            return i;
        }
        let i = self.sessions.len();
        self.sessions.push(SessionAcc {
            id: key.clone(),
            parent,
            ..SessionAcc::default()
        });
        self.session_idx.insert(key, i);
        i
    }

    /// The call for this payload's `tool_use_id`, opened if new. Payloads
    /// of versions before `tool_use_id` close the latest open call of the
    /// same tool and input.
    fn call_for(
        &mut self,
        s: usize,
        no: u64,
        time: Option<i64>,
        p: &Payload<'_>,
        closing: bool,
    ) -> usize {
        let tool = p.tool_name.as_deref().unwrap_or("unknown");
        let id = match p.tool_use_id.as_deref() {
            Some(id) => id.to_owned(),
            None => {
                let key = p
                    .tool_input
                    .map(|i| compact_json(i.get()))
                    .unwrap_or_default();
                let sid = &self.sessions[s].id;
                let open = self.calls.iter().rposition(|c| {
                    !c.closed
                        && c.call.session_id == *sid
                        && c.call.tool_name == tool
                        && c.input_key() == key
                });
                match open {
                    Some(i) if closing => return i,
                    _ => format!("hook-{}", stable_id(&[sid, &no.to_string()])),
                }
            }
        };
        if let Some(&i) = self.call_idx.get(&(s, id.clone())) {
            return i;
        }
        let session_id = self.sessions[s].id.clone();
        let mut call = new_call(&session_id, &id, tool, &self.c.source_file, no);
        call.started_at = time;
        let shell = SHELL_TOOLS.contains(&tool);
        let background = set_command(&mut call, tool, p.tool_input.map(|i| i.get()));
        let i = self.calls.len();
        self.calls.push(PendingCall {
            call,
            mode: p.permission_mode.as_deref().map(str::to_owned),
            shell,
            background,
            input: p.tool_input.map(|i| i.get().into()),
            input_key: std::cell::OnceCell::new(),
            asked: Asked::No,
            pre_decision: None,
            denied: None,
            closed: false,
        });
        self.call_idx.insert((s, id), i);
        i
    }

    fn pre_tool_use(&mut self, s: usize, no: u64, time: Option<i64>, p: &Payload<'_>) -> bool {
        let i = self.call_for(s, no, time, p, false);
        let pc = &mut self.calls[i];
        if pc.call.started_at.is_none() {
            pc.call.started_at = time;
        }
        if let Some(d) = p
            .output
            .as_ref()
            .and_then(|o| o.permission_decision.as_deref())
        {
            let reason = p.output.as_ref().and_then(|o| o.reason.as_deref());
            pc.pre_decision = Some((d.to_owned(), reason.map(|r| bounded(r, 200))));
        }
        true
    }

    fn close(
        &mut self,
        s: usize,
        no: u64,
        time: Option<i64>,
        event: &str,
        p: &Payload<'_>,
    ) -> bool {
        let i = self.call_for(s, no, time, p, true);
        self.match_ask(i, s);
        let pc = &mut self.calls[i];
        pc.closed = true;
        pc.call.ended_at = time.or(pc.call.ended_at);
        match event {
            "PostToolUse" => {
                let out = p
                    .tool_response
                    .map(|r| text_of_limited(r.get(), TEXT_PREFIX))
                    .unwrap_or_default();
                let interrupted = p
                    .tool_response
                    .is_some_and(|r| r.get().contains("\"interrupted\":true"));
                pc.call.outcome = if interrupted {
                    Outcome::Interrupted
                } else {
                    Outcome::Ok
                };
                if pc.shell && !pc.background && !interrupted {
                    pc.call.exit_code = Some(0);
                }
                pc.call.output_excerpt = excerpt(&out);
            }
            "PostToolUseFailure" => {
                let err = p.error.map(|e| text_of_limited(e.get(), TEXT_PREFIX));
                let head = err.as_deref().unwrap_or("").trim_start();
                pc.call.outcome = if p.is_interrupt == Some(true) {
                    Outcome::Interrupted
                } else if head.starts_with(REJECTED) || head.starts_with(REJECTED_ALT) {
                    Outcome::Rejected
                } else {
                    Outcome::Error
                };
                if pc.shell && pc.call.outcome == Outcome::Error {
                    pc.call.exit_code = number_after(head, "Exit code");
                }
                pc.call.output_excerpt = excerpt(head);
            }
            _ => {
                let why = p
                    .reason
                    .map(|r| text_of_limited(r.get(), 400))
                    .unwrap_or_default();
                pc.call.outcome = Outcome::Denied;
                pc.call.output_excerpt = excerpt(&why);
                pc.denied = Some(bounded(why.trim(), 200));
            }
        }
        true
    }

    /// A `PermissionRequest`: the open call with this tool and input was
    /// shown to a person (or answered by the hook itself).
    fn permission_request(&mut self, s: usize, p: &Payload<'_>) -> bool {
        self.sees_prompts = true;
        let behavior = p
            .output
            .as_ref()
            .and_then(|o| o.decision.as_ref())
            .and_then(|d| d.behavior.as_deref());
        let how = match behavior {
            Some(b @ ("allow" | "deny")) => Asked::HookAnswered(b.to_owned()),
            _ => Asked::Yes("PermissionRequest"),
        };
        let tool = p.tool_name.as_deref().unwrap_or("unknown").to_owned();
        let input_key = p
            .tool_input
            .map(|i| compact_json(i.get()))
            .unwrap_or_default();
        let by_id = p
            .tool_use_id
            .as_deref()
            .and_then(|id| self.call_idx.get(&(s, id.to_owned())).copied());
        let open = by_id.or_else(|| {
            self.calls.iter().rposition(|c| {
                !c.closed
                    && c.asked == Asked::No
                    && c.call.session_id == self.sessions[s].id
                    && c.call.tool_name == tool
                    && c.input_key() == input_key
            })
        });
        match open {
            Some(i) => self.calls[i].asked = how,
            None => self.asks.push(Ask {
                session: s,
                tool,
                input_key,
                how,
            }),
        }
        true
    }

    /// `Notification` with `notification_type: permission_prompt` ("Claude
    /// needs your permission to use Bash"): the latest open call of that
    /// tool was shown to a person.
    fn notification(&mut self, s: usize, p: &Payload<'_>) -> bool {
        let text = p.message.and_then(json_str).unwrap_or_default();
        let marker = "needs your permission to use ";
        let is_prompt =
            p.notification_type.as_deref() == Some("permission_prompt") || text.contains(marker);
        if !is_prompt {
            return false;
        }
        self.sees_prompts = true;
        let tool = text
            .split_once(marker)
            .map(|(_, t)| t.trim().trim_end_matches('.').to_owned());
        let sid = self.sessions[s].id.clone();
        let open = self.calls.iter().rposition(|c| {
            !c.closed
                && c.call.session_id == sid
                && tool.as_deref().is_none_or(|t| c.call.tool_name == t)
        });
        match open {
            Some(i) if self.calls[i].asked == Asked::No => {
                self.calls[i].asked = Asked::Yes("Notification permission_prompt");
                true
            }
            Some(_) => true,
            None => false,
        }
    }

    /// A dialog recorded before its call was opened.
    fn match_ask(&mut self, i: usize, s: usize) {
        if self.calls[i].asked != Asked::No {
            return;
        }
        let c = &self.calls[i];
        if let Some(at) = self.asks.iter().position(|a| {
            a.session == s && a.tool == c.call.tool_name && a.input_key == c.input_key()
        }) {
            self.calls[i].asked = self.asks.remove(at).how;
        }
    }

    pub(super) fn finish(mut self) -> ParsedTranscript {
        if !self.asks.is_empty() {
            let n = self.asks.len();
            self.c.note(format!(
                "{n} permission request(s) match no tool call in this log"
            ));
        }
        let sees_prompts = self.sees_prompts;
        let calls = std::mem::take(&mut self.calls);
        self.c.out.tool_calls.reserve(calls.len());
        for p in calls {
            let (approval, evidence) = approval(&p, sees_prompts);
            let mut call = p.call;
            call.approval = approval;
            call.approval_evidence = Some(format!("{evidence} (Claude Code hook log)"));
            self.c.out.tool_calls.push(call);
        }
        for s in std::mem::take(&mut self.sessions) {
            // The home directory in the cwd, else in the transcript path.
            let home = [s.cwd.as_deref(), s.transcript_path.as_deref()]
                .into_iter()
                .flatten()
                .find(|p| home_user(p).is_some());
            let operator = operator_for(self.path, home, self.opts);
            // Codex runs Claude Code–compatible hooks; its payloads name
            // a rollout under `.codex/`.
            let codex = s
                .transcript_path
                .as_deref()
                .is_some_and(|t| t.replace('\\', "/").contains("/.codex/"));
            self.c.out.sessions.push(AgentSession {
                session_id: s.id,
                agent: if codex { "codex" } else { "claude-code" }.to_owned(),
                agent_version: None,
                model: s.models.joined(),
                started_at: s.span.first,
                ended_at: s.span.last,
                cwd: s.cwd,
                git_branch: None,
                operator,
                approval_mode: s.modes.joined(),
                sandbox: None,
                parent_session_id: s.parent,
                source_file: self.c.source_file.clone(),
            });
        }
        self.c.finish()
    }
}

/// The approval of one call from what the log recorded, strongest first: a
/// refusal, a person's dialog, a hook's answer, then no dialog in a log
/// that records dialogs, then the permission mode (as for transcripts).
fn approval(p: &PendingCall, sees_prompts: bool) -> (Approval, String) {
    let ran = matches!(
        p.call.outcome,
        Outcome::Ok | Outcome::Error | Outcome::Interrupted
    );
    let mode = p.mode.as_deref().unwrap_or("default");
    if p.call.outcome == Outcome::Rejected {
        return (
            Approval::Rejected,
            "PostToolUseFailure: the user declined this tool use".into(),
        );
    }
    if let Some(why) = &p.denied {
        return (
            Approval::Rejected,
            format!("PermissionDenied: auto mode refused it ({why})"),
        );
    }
    if let Some((d, why)) = &p.pre_decision {
        let why = why.as_deref().map(|w| format!(": {w}")).unwrap_or_default();
        match d.as_str() {
            "deny" => {
                return (
                    Approval::Rejected,
                    format!("PreToolUse hook answered deny{why}"),
                );
            }
            "allow" if p.asked == Asked::No => {
                return (
                    Approval::Auto,
                    format!("PreToolUse hook answered allow{why}"),
                );
            }
            _ => {}
        }
    }
    match &p.asked {
        Asked::HookAnswered(b) if b == "deny" => {
            return (
                Approval::Rejected,
                "PermissionRequest hook answered deny".into(),
            );
        }
        Asked::HookAnswered(_) => {
            return (
                Approval::Auto,
                "PermissionRequest hook answered allow".into(),
            );
        }
        Asked::Yes(how) if ran => {
            return (
                Approval::Explicit,
                format!("{how}: a permission dialog was shown and the tool ran"),
            );
        }
        Asked::Yes(how) => {
            return (
                Approval::Unknown,
                format!("{how}: a permission dialog was shown; no answer recorded"),
            );
        }
        Asked::No => {}
    }
    if ran && sees_prompts {
        return (
            Approval::Auto,
            format!(
                "permissionMode={mode}: ran without a permission dialog (an allow rule or the mode let it through)"
            ),
        );
    }
    let (a, why) = approval_of(&p.call, Some(mode));
    (a, why.unwrap_or_else(|| format!("permissionMode={mode}")))
}
