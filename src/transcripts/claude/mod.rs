//! Claude Code transcripts: `~/.claude/projects/<slug>/<session>.jsonl`, one
//! JSON record per line, and subagent files
//! `<session>/subagents/agent-<id>.jsonl` (a session of their own whose
//! parent is `<session>`). Also reads the `{"loglines": […]}` web export,
//! which holds the same records in one document.
//!
//! What matters here: `user` / `assistant` lines carry the Messages-API
//! content blocks; an API response may be split over several lines that
//! share `message.id`, so tool uses are de-duplicated by id; `tool_result`
//! blocks are paired with their `tool_use` by `tool_use_id` whatever the
//! order; the exit status exists only as `Exit code N` in error text; the
//! approval is never stored per call, so it is inferred from the
//! permission mode in force (`permissionMode` on user lines and
//! `permission-mode` records) and from the fixed rejection and denial
//! strings. Other record types (`summary`, `file-history-snapshot`,
//! `progress`, `system`, unknown ones) are counted and skipped; lines that
//! are not JSON objects are quarantined.

use std::borrow::Cow;
use std::collections::HashMap;
use std::marker::PhantomData;
use std::path::Path;

use serde::Deserialize;
use serde::de::value::MapAccessDeserializer;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

use super::command::{command_from_str, mcp_parts, number_after, render_mcp};
use super::json_doc::Cursor;
use super::text::{excerpt, first_byte, json_str_prefix, text_of_limited};
use super::util::{
    Collector, Distinct, Span, file_stem, json_line_reason, lines, new_call, operator_for,
};
use super::{AgentSession, Approval, Outcome, ParsedTranscript, Role, ToolCall, TranscriptOptions};

/// The result text Claude Code writes when the user declines a tool use.
const REJECTED: &str = "The user doesn't want to proceed with this tool use";
const REJECTED_ALT: &str = "The user doesn't want to take this action right now";
const INTERRUPTED: &str = "[Request interrupted by user";

/// How much of a long text is unescaped: enough for an excerpt and the
/// markers at its start.
const TEXT_PREFIX: usize = super::text::EXCERPT_MAX + 512;

/// Tools that never ask for permission.
const READ_ONLY_TOOLS: &[&str] = &[
    "Read",
    "Glob",
    "Grep",
    "LS",
    "NotebookRead",
    "TodoWrite",
    "TodoRead",
    "BashOutput",
    "Task",
    "Agent",
];
/// Tools that `acceptEdits` mode lets through.
const EDIT_TOOLS: &[&str] = &["Edit", "MultiEdit", "Write", "NotebookEdit"];
/// Tools whose `input.command` is a shell command.
const SHELL_TOOLS: &[&str] = &["Bash", "PowerShell"];

#[derive(Deserialize)]
struct Line<'a> {
    #[serde(rename = "type", borrow)]
    kind: Option<Cow<'a, str>>,
    #[serde(rename = "sessionId", borrow)]
    session_id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    timestamp: Option<Cow<'a, str>>,
    #[serde(borrow)]
    cwd: Option<Cow<'a, str>>,
    #[serde(rename = "gitBranch", borrow)]
    git_branch: Option<Cow<'a, str>>,
    #[serde(borrow)]
    version: Option<Cow<'a, str>>,
    #[serde(rename = "isMeta")]
    is_meta: Option<bool>,
    #[serde(rename = "isCompactSummary")]
    is_compact_summary: Option<bool>,
    #[serde(rename = "permissionMode", borrow)]
    permission_mode: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    message: MsgField<'a>,
    #[serde(rename = "toolUseResult", borrow)]
    tool_use_result: Option<&'a RawValue>,
}

/// `message` is an object in every real file but something else in damaged
/// ones; anything but an object reads as no message. Read in the same pass
/// as the line (no re-scan of the content).
#[derive(Default)]
struct MsgField<'a>(Option<Msg<'a>>);

#[derive(Deserialize)]
struct Msg<'a> {
    #[serde(borrow)]
    model: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    content: Content<'a>,
}

/// Message content: a string, or a list of content blocks.
#[derive(Default)]
enum Content<'a> {
    #[default]
    None,
    Text(Cow<'a, str>),
    Items(Vec<Item<'a>>),
}

/// One entry of a content list; damaged files hold bare strings and other values.
enum Item<'a> {
    Text(Cow<'a, str>),
    Block(Block<'a>),
    Other,
}

#[derive(Deserialize)]
struct Block<'a> {
    #[serde(rename = "type", borrow)]
    kind: Option<Cow<'a, str>>,
    #[serde(borrow)]
    text: Option<&'a RawValue>,
    #[serde(borrow)]
    id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    name: Option<Cow<'a, str>>,
    #[serde(borrow)]
    input: Option<&'a RawValue>,
    #[serde(borrow)]
    tool_use_id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    content: Option<&'a RawValue>,
    #[serde(borrow)]
    is_error: Option<&'a RawValue>,
}

/// Visits any JSON value: maps go to `on_map`, strings to `on_str`,
/// everything else is skipped and gives `other`.
macro_rules! lenient_visitor {
    ($name:ident, $out:ty, $expect:literal, map => $on_map:expr, str => $on_str:expr, seq => $on_seq:expr, other => $other:expr) => {
        struct $name<'a>(PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for $name<'a> {
            type Value = $out;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str($expect)
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                $on_map(map)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
                $on_seq(seq)
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok($on_str(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok($on_str(Cow::Owned(v.to_owned())))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
                Ok($other)
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
                Ok($other)
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
                Ok($other)
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
                Ok($other)
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok($other)
            }
            fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok($other)
            }
        }
    };
}

fn drain<'de, A: SeqAccess<'de>>(mut seq: A) -> Result<(), A::Error> {
    while seq.next_element::<IgnoredAny>()?.is_some() {}
    Ok(())
}

lenient_visitor!(MsgVisitor, MsgField<'a>, "a message object",
    map => |map| Msg::deserialize(MapAccessDeserializer::new(map)).map(|m| MsgField(Some(m))),
    str => |_: Cow<'_, str>| MsgField(None),
    seq => |seq| drain(seq).map(|()| MsgField(None)),
    other => MsgField(None));

lenient_visitor!(ContentVisitor, Content<'a>, "message content",
    map => |map| {
        let mut map: A = map;
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Content::None)
    },
    str => Content::Text,
    seq => |mut seq: A| {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Item<'a>>()? {
            items.push(item);
        }
        Ok(Content::Items(items))
    },
    other => Content::None);

lenient_visitor!(ItemVisitor, Item<'a>, "a content block",
    map => |map| Block::deserialize(MapAccessDeserializer::new(map)).map(Item::Block),
    str => Item::Text,
    seq => |seq| drain(seq).map(|()| Item::Other),
    other => Item::Other);

impl<'de: 'a, 'a> Deserialize<'de> for MsgField<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(MsgVisitor(PhantomData))
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Content<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ContentVisitor(PhantomData))
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Item<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ItemVisitor(PhantomData))
    }
}

#[derive(Deserialize)]
struct ShellInput<'a> {
    #[serde(borrow)]
    command: Option<Cow<'a, str>>,
    run_in_background: Option<bool>,
}

#[derive(Default)]
struct SessionAcc {
    id: String,
    parent: Option<String>,
    span: Span,
    version: Option<String>,
    cwd: Option<String>,
    branch: Option<String>,
    models: Distinct,
    modes: Distinct,
    /// The permission mode in force now.
    mode: Option<String>,
}

impl SessionAcc {
    fn set_mode(&mut self, m: &str) {
        self.modes.push(m);
        if self.mode.as_deref() != Some(m) {
            self.mode = Some(m.to_owned());
        }
    }
}

/// What a result tells, worked out when it is read so that only an
/// excerpt is kept until the end of the file.
struct ResultInfo {
    time: Option<i64>,
    outcome: Outcome,
    /// `Exit code N` from the error text or from a string `toolUseResult`.
    error_exit: Option<i64>,
    excerpt: Option<String>,
}

struct PendingCall {
    call: ToolCall,
    mode: Option<String>,
    shell: bool,
    background: bool,
    result: Option<ResultInfo>,
}

struct Reader<'o> {
    c: Collector,
    opts: &'o TranscriptOptions,
    path: &'o Path,
    default_session: String,
    /// `(session id, parent id)` when the file is a subagent's.
    subagent: Option<(String, String)>,
    sessions: Vec<SessionAcc>,
    session_idx: HashMap<String, usize>,
    current: Option<usize>,
    calls: Vec<PendingCall>,
    call_idx: HashMap<String, usize>,
    orphan_results: HashMap<String, ResultInfo>,
}

pub(crate) fn parse(path: &Path, bytes: &[u8], opts: &TranscriptOptions) -> ParsedTranscript {
    let mut r = Reader::new(path, opts);
    if is_loglines_doc(bytes) {
        r.read_loglines(bytes);
    } else {
        for (no, line) in lines(bytes) {
            r.record(no, line);
        }
    }
    r.finish()
}

/// The web export wraps the records as `{"loglines": […]}`.
fn is_loglines_doc(bytes: &[u8]) -> bool {
    let mut c = Cursor::new(bytes);
    if c.begin_object().is_err() {
        return false;
    }
    let mut first = true;
    matches!(c.next_key(&mut first), Ok(Some(k)) if k == "loglines")
}

fn subagent_ids(path: &Path) -> Option<(String, String)> {
    let stem = file_stem(path);
    let dir = path.parent()?;
    if dir.file_name()? != "subagents" || !stem.starts_with("agent-") {
        return None;
    }
    let parent = dir.parent()?.file_name()?.to_string_lossy().into_owned();
    Some((format!("{parent}/{stem}"), parent))
}

impl<'o> Reader<'o> {
    fn new(path: &'o Path, opts: &'o TranscriptOptions) -> Self {
        Self {
            c: Collector::new(path),
            opts,
            path,
            default_session: file_stem(path),
            subagent: subagent_ids(path),
            sessions: Vec::new(),
            session_idx: HashMap::new(),
            current: None,
            calls: Vec::new(),
            call_idx: HashMap::new(),
            orphan_results: HashMap::new(),
        }
    }

    fn read_loglines(&mut self, bytes: &[u8]) {
        let mut cur = Cursor::new(bytes);
        let walked = (|| -> Result<(), super::json_doc::WalkError> {
            cur.begin_object()?;
            let mut first = true;
            while let Some(key) = cur.next_key(&mut first)? {
                if key != "loglines" {
                    cur.skip_value()?;
                    continue;
                }
                if !cur.begin_array()? {
                    continue;
                }
                let mut f = true;
                while let Some((item, pos)) = cur.next_item(&mut f)? {
                    let line = cur.line_at(pos);
                    self.record(line, item.get().as_bytes());
                }
            }
            Ok(())
        })();
        match walked {
            Ok(()) => self.c.used(),
            Err(e) => {
                let line = cur.line_at(e.pos);
                let rest = &bytes[e.pos.min(bytes.len())..];
                self.c.quarantine(
                    Some(line),
                    None,
                    format!("loglines export: {}", e.reason),
                    rest,
                );
            }
        }
    }

    fn session(&mut self, line_session: Option<&str>) -> usize {
        let (key, parent) = match &self.subagent {
            Some((id, parent)) => (id.as_str(), Some(line_session.unwrap_or(parent))),
            None => (line_session.unwrap_or(&self.default_session), None),
        };
        if let Some(&i) = self.session_idx.get(key) {
            self.current = Some(i);
            return i;
        }
        let i = self.sessions.len();
        self.sessions.push(SessionAcc {
            id: key.to_owned(),
            parent: parent.map(str::to_owned),
            ..SessionAcc::default()
        });
        self.session_idx.insert(key.to_owned(), i);
        self.current = Some(i);
        i
    }

    fn record(&mut self, no: u64, raw: &[u8]) {
        // Validated once here, so that borrowed values are not re-validated.
        let Ok(text) = std::str::from_utf8(raw) else {
            self.c.quarantine(Some(no), None, "not UTF-8 text", raw);
            return;
        };
        let rec: Line<'_> = match serde_json::from_str(text) {
            Ok(r) => r,
            Err(e) => {
                let reason = json_line_reason(raw, &e);
                self.c.quarantine(Some(no), None, reason, raw);
                return;
            }
        };
        match rec.kind.as_deref() {
            Some(kind @ ("user" | "assistant")) => {
                let produced = self.message_line(no, &rec, kind == "user");
                if produced {
                    self.c.used();
                } else if kind == "user" {
                    self.c.skipped("user:no-rows");
                } else {
                    self.c.skipped("assistant:no-rows");
                }
            }
            Some("permission-mode") => {
                let s = match (&rec.session_id, self.current) {
                    (Some(id), _) => self.session(Some(id)),
                    (None, Some(i)) => i,
                    (None, None) => self.session(None),
                };
                if let Some(m) = rec.permission_mode.as_deref() {
                    self.sessions[s].set_mode(m);
                }
                self.c.used();
            }
            Some(kind) => self.c.skipped(kind),
            None => self.c.skipped("(no type)"),
        }
    }

    /// Reads a user or assistant line; returns whether it produced anything.
    fn message_line(&mut self, no: u64, rec: &Line<'_>, is_user: bool) -> bool {
        let s = self.session(rec.session_id.as_deref());
        let time = self.c.time(rec.timestamp.as_deref());
        let sess = &mut self.sessions[s];
        sess.span.add(time);
        if sess.version.is_none() {
            sess.version = rec.version.as_deref().map(str::to_owned);
        }
        if sess.cwd.is_none() {
            sess.cwd = rec.cwd.as_deref().map(str::to_owned);
        }
        if sess.branch.is_none() {
            sess.branch = rec
                .git_branch
                .as_deref()
                .filter(|b| !b.is_empty())
                .map(str::to_owned);
        }
        if let Some(m) = rec.permission_mode.as_deref() {
            sess.set_mode(m);
        }
        let session_id = sess.id.clone();

        let Some(msg) = &rec.message.0 else {
            return false;
        };
        if !is_user && let Some(model) = msg.model.as_deref().filter(|m| *m != "<synthetic>") {
            self.sessions[s].models.push(model);
        }
        let user_role = || {
            if rec.is_meta == Some(true) || rec.is_compact_summary == Some(true) {
                Role::System
            } else {
                Role::User
            }
        };
        let text_role = |text: &str| {
            if is_user {
                classify_user_text(text, user_role())
            } else {
                Role::Assistant
            }
        };
        match &msg.content {
            Content::Text(text) => self.c.message(&session_id, time, text_role(text), text, no),
            Content::Items(items) => {
                let results = items
                    .iter()
                    .filter(
                        |i| matches!(i, Item::Block(b) if b.kind.as_deref() == Some("tool_result")),
                    )
                    .count();
                let mut produced = false;
                for (idx, item) in items.iter().enumerate() {
                    let block = match item {
                        Item::Text(text) => {
                            produced |=
                                self.c.message(&session_id, time, text_role(text), text, no);
                            continue;
                        }
                        Item::Block(b) => b,
                        Item::Other => continue,
                    };
                    match block.kind.as_deref() {
                        Some("text") => {
                            let text = block
                                .text
                                .and_then(|t| json_str_prefix(t.get(), TEXT_PREFIX))
                                .unwrap_or_default();
                            produced |=
                                self.c
                                    .message(&session_id, time, text_role(&text), &text, no);
                        }
                        Some("tool_use") if !is_user => {
                            self.tool_use(&session_id, s, time, no, idx, block);
                            produced = true;
                        }
                        Some("tool_result") => {
                            let use_result = if results == 1 {
                                rec.tool_use_result
                            } else {
                                None
                            };
                            self.tool_result(time, block, use_result);
                            produced = true;
                        }
                        _ => {}
                    }
                }
                produced
            }
            Content::None => false,
        }
    }

    fn tool_use(
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
        let mut background = false;
        if shell {
            if let Some(input) = block
                .input
                .and_then(|i| serde_json::from_str::<ShellInput<'_>>(i.get()).ok())
            {
                background = input.run_in_background == Some(true);
                if let Some(cmd) = input.command.as_deref() {
                    let (c, raw) = command_from_str(cmd);
                    call.command = Some(c);
                    call.command_raw = raw;
                }
            }
        } else if let Some((server, tool)) = mcp_parts(name) {
            call.command = Some(render_mcp(server, tool, block.input));
        }
        let mode = self.sessions[s].mode.clone();
        self.call_idx.insert(call_id, self.calls.len());
        self.calls.push(PendingCall {
            call,
            mode,
            shell,
            background,
            result: None,
        });
    }

    fn tool_result(&mut self, time: Option<i64>, block: &Block<'_>, use_result: Option<&RawValue>) {
        let is_error = block.is_error.is_some_and(|e| e.get() == "true");
        let text = block
            .content
            .map(|c| text_of_limited(c, TEXT_PREFIX))
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

    fn finish(mut self) -> ParsedTranscript {
        let mut unmatched = 0;
        for (id, info) in std::mem::take(&mut self.orphan_results) {
            match self.call_idx.get(&id) {
                Some(&i) if self.calls[i].result.is_none() => self.calls[i].result = Some(info),
                _ => unmatched += 1,
            }
        }
        if unmatched > 0 {
            self.c.note(format!(
                "{unmatched} tool result(s) have no matching tool_use in this file"
            ));
        }
        for p in std::mem::take(&mut self.calls) {
            let call = finish_call(p);
            self.c.out.tool_calls.push(call);
        }
        for s in std::mem::take(&mut self.sessions) {
            let operator = operator_for(self.path, s.cwd.as_deref(), self.opts);
            self.c.out.sessions.push(AgentSession {
                session_id: s.id,
                agent: "claude-code".to_owned(),
                agent_version: s.version,
                model: s.models.joined(),
                started_at: s.span.first,
                ended_at: s.span.last,
                cwd: s.cwd,
                git_branch: s.branch,
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

/// Injected text (caveats, local command output, compaction summaries) is
/// the tool's, not the person's.
fn classify_user_text(text: &str, default: Role) -> Role {
    let t = text.trim_start();
    let injected = [
        "<local-command-stdout>",
        "<local-command-stderr>",
        "<local-command-caveat>",
        "<system-reminder>",
        "Caveat: The messages below were generated by the user while running local commands",
    ];
    if injected.iter().any(|p| t.starts_with(p)) {
        Role::System
    } else {
        default
    }
}

fn finish_call(p: PendingCall) -> ToolCall {
    let PendingCall {
        mut call,
        mode,
        shell,
        background,
        result,
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

fn approval_of(call: &ToolCall, mode: Option<&str>) -> (Approval, Option<String>) {
    match call.outcome {
        Outcome::Rejected => {
            return (
                Approval::Rejected,
                Some("rejection string: the user declined this tool use".to_owned()),
            );
        }
        Outcome::Denied => {
            let why = call
                .output_excerpt
                .as_deref()
                .and_then(|t| t.lines().next())
                .map(|l| super::text::bounded(l, 200))
                .unwrap_or_default();
            return (
                Approval::Rejected,
                Some(format!("permission rule denial: {why}")),
            );
        }
        _ => {}
    }
    let name = call.tool_name.as_str();
    match mode {
        Some("bypassPermissions") => (
            Approval::Auto,
            Some("permissionMode=bypassPermissions".into()),
        ),
        Some("dontAsk") => (
            Approval::Auto,
            Some("permissionMode=dontAsk (only pre-approved tools run)".into()),
        ),
        Some("acceptEdits") if EDIT_TOOLS.contains(&name) => (
            Approval::Auto,
            Some("permissionMode=acceptEdits (file edits are accepted without asking)".into()),
        ),
        _ if READ_ONLY_TOOLS.contains(&name) => (
            Approval::Auto,
            Some(match mode {
                Some(m) => format!("read-only tool, never asks (permissionMode={m})"),
                None => "read-only tool, never asks".to_owned(),
            }),
        ),
        Some(m) => (Approval::Unknown, Some(format!("permissionMode={m}"))),
        None => (Approval::Unknown, None),
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests_support::{fixture, parse_fixture};
    use super::super::{TranscriptFormat, detect};
    use super::*;

    use super::super::tests_support::call;

    #[test]
    fn main_session_rows_and_counts() {
        let p = parse_fixture(
            TranscriptFormat::ClaudeCode,
            "claude-code/session-main.jsonl",
        );
        assert!(p.counts.reconciles(), "{:?}", p.counts);
        assert_eq!(p.sessions.len(), 1);
        let s = &p.sessions[0];
        assert_eq!(s.session_id, "3f0c9a1e-5b7d-4c2a-9e8f-1a2b3c4d5e6f");
        assert_eq!(s.agent, "claude-code");
        assert_eq!(s.agent_version.as_deref(), Some("2.0.14"));
        assert_eq!(s.model.as_deref(), Some("claude-sonnet-4-5-20250929"));
        assert_eq!(s.cwd.as_deref(), Some("/home/alice/src/infra"));
        assert_eq!(s.git_branch.as_deref(), Some("main"));
        assert_eq!(s.operator.as_deref(), Some("alice"));
        assert_eq!(
            s.approval_mode.as_deref(),
            Some("default,bypassPermissions")
        );
        assert_eq!(s.started_at, Some(1_768_557_600_000_000));
        assert_eq!(p.counts.skipped_by_type.get("summary"), Some(&1));
        assert_eq!(
            p.counts.skipped_by_type.get("file-history-snapshot"),
            Some(&1)
        );
        assert_eq!(
            p.counts.skipped_by_type.get("brand-new-record-type"),
            Some(&1)
        );
    }

    #[test]
    fn split_response_lines_do_not_duplicate_calls() {
        let p = parse_fixture(
            TranscriptFormat::ClaudeCode,
            "claude-code/session-main.jsonl",
        );
        let n = p
            .tool_calls
            .iter()
            .filter(|c| c.call_id == "toolu_01LIST")
            .count();
        assert_eq!(n, 1);
        // the text half and the tool half of one response both count
        assert!(
            p.messages
                .iter()
                .any(|m| m.text_excerpt.starts_with("I'll list the buckets"))
        );
    }

    #[test]
    fn results_pair_by_id_even_out_of_order() {
        let p = parse_fixture(
            TranscriptFormat::ClaudeCode,
            "claude-code/session-main.jsonl",
        );
        let c = call(&p, "toolu_01LIST");
        assert_eq!(
            c.command.as_deref(),
            Some("aws s3api list-buckets --region us-east-1")
        );
        assert_eq!(c.outcome, Outcome::Ok);
        assert_eq!(c.exit_code, Some(0));
        assert_eq!(c.started_at, Some(1_768_557_605_000_000));
        assert_eq!(c.ended_at, Some(1_768_557_607_000_000));
        assert!(
            c.output_excerpt
                .as_deref()
                .is_some_and(|o| o.contains("prod-logs"))
        );
        // result line precedes the tool_use line in the file
        let early = call(&p, "toolu_01EARLY");
        assert_eq!(early.outcome, Outcome::Ok);
        assert_eq!(early.output_excerpt.as_deref(), Some("ok"));
    }

    #[test]
    fn exit_code_from_error_text_and_string_tool_use_result() {
        let p = parse_fixture(
            TranscriptFormat::ClaudeCode,
            "claude-code/session-main.jsonl",
        );
        let c = call(&p, "toolu_01FAIL");
        assert_eq!(c.outcome, Outcome::Error);
        assert_eq!(c.exit_code, Some(254));
        let c = call(&p, "toolu_01FAIL2");
        assert_eq!(c.outcome, Outcome::Error);
        assert_eq!(c.exit_code, Some(2), "from toolUseResult string");
    }

    #[test]
    fn rejection_denial_and_interruption() {
        let p = parse_fixture(
            TranscriptFormat::ClaudeCode,
            "claude-code/session-main.jsonl",
        );
        let r = call(&p, "toolu_01RB");
        assert_eq!(
            r.command.as_deref(),
            Some("aws s3 rb s3://prod-logs --force")
        );
        assert_eq!(
            (r.outcome, r.approval),
            (Outcome::Rejected, Approval::Rejected)
        );
        assert!(
            r.approval_evidence
                .as_deref()
                .is_some_and(|e| e.contains("rejection string"))
        );
        assert!(p.messages.iter().any(|m| {
            m.role == Role::User
                && m.text_excerpt
                    .contains("[Request interrupted by user for tool use]")
        }));
        let d = call(&p, "toolu_01DENY");
        assert_eq!(
            (d.outcome, d.approval),
            (Outcome::Denied, Approval::Rejected)
        );
        let i = call(&p, "toolu_01INT");
        assert_eq!(i.outcome, Outcome::Interrupted);
        let none = call(&p, "toolu_01NORESULT");
        assert_eq!((none.outcome, none.ended_at), (Outcome::Unknown, None));
    }

    #[test]
    fn approval_follows_permission_mode() {
        let p = parse_fixture(
            TranscriptFormat::ClaudeCode,
            "claude-code/session-main.jsonl",
        );
        let before = call(&p, "toolu_01LIST");
        assert_eq!(before.approval, Approval::Unknown);
        assert_eq!(
            before.approval_evidence.as_deref(),
            Some("permissionMode=default")
        );
        let after = call(&p, "toolu_01BYPASS");
        assert_eq!(after.approval, Approval::Auto);
        assert_eq!(
            after.approval_evidence.as_deref(),
            Some("permissionMode=bypassPermissions")
        );
        let read = call(&p, "toolu_01READ");
        assert_eq!(read.approval, Approval::Auto);
    }

    #[test]
    fn mcp_calls_render_server_tool_and_args() {
        let p = parse_fixture(
            TranscriptFormat::ClaudeCode,
            "claude-code/session-main.jsonl",
        );
        let m = call(&p, "toolu_01MCP");
        assert_eq!(
            m.command.as_deref(),
            Some(r#"mcp:aws-api.call_aws {"cli_command":"aws ec2 describe-instances"}"#)
        );
    }

    #[test]
    fn messages_have_roles_and_tool_results_are_not_messages() {
        let p = parse_fixture(
            TranscriptFormat::ClaudeCode,
            "claude-code/session-main.jsonl",
        );
        assert!(
            p.messages
                .iter()
                .any(|m| m.role == Role::User && m.text_excerpt == "Clean up the old log buckets")
        );
        assert!(p.messages.iter().any(
            |m| m.role == Role::System && m.text_excerpt.starts_with("<local-command-stdout>")
        ));
        assert!(
            !p.messages
                .iter()
                .any(|m| m.text_excerpt.contains("prod-logs\n"))
        );
    }

    #[test]
    fn bad_lines_are_quarantined_and_the_rest_read() {
        let p = parse_fixture(TranscriptFormat::ClaudeCode, "claude-code/malformed.jsonl");
        assert!(p.counts.reconciles(), "{:?}", p.counts);
        let lines: Vec<_> = p.quarantined.iter().map(|q| q.line).collect();
        assert_eq!(
            lines,
            vec![Some(3), Some(5), Some(7)],
            "{:?}",
            p.quarantined
        );
        assert!(
            p.quarantined[2].reason.contains("truncated"),
            "{}",
            p.quarantined[2].reason
        );
        assert!(p.quarantined[1].reason.contains("not an object"));
        assert_eq!(p.tool_calls.len(), 1);
        assert!(
            p.notes.iter().any(|n| n.contains("no timestamp")),
            "{:?}",
            p.notes
        );
        let m = p
            .messages
            .iter()
            .find(|m| m.text_excerpt == "no time here")
            .expect("kept");
        assert_eq!(m.time, None);
    }

    #[test]
    fn subagent_file_is_its_own_session_with_parent() {
        let rel = "claude-code/3f0c9a1e-5b7d-4c2a-9e8f-1a2b3c4d5e6f/subagents/agent-a1b2c3d4.jsonl";
        let p = parse_fixture(TranscriptFormat::ClaudeCode, rel);
        assert_eq!(p.sessions.len(), 1);
        let s = &p.sessions[0];
        assert_eq!(
            s.session_id,
            "3f0c9a1e-5b7d-4c2a-9e8f-1a2b3c4d5e6f/agent-a1b2c3d4"
        );
        assert_eq!(
            s.parent_session_id.as_deref(),
            Some("3f0c9a1e-5b7d-4c2a-9e8f-1a2b3c4d5e6f")
        );
        assert_eq!(p.tool_calls[0].session_id, s.session_id);
        assert_eq!(
            p.tool_calls[0].command.as_deref(),
            Some("aws sts get-caller-identity")
        );
    }

    #[test]
    fn detects_claude_files() {
        let path = fixture("claude-code/session-main.jsonl");
        let bytes = std::fs::read(&path).unwrap();
        assert_eq!(detect(&path, &bytes), Some(TranscriptFormat::ClaudeCode));
    }
}
