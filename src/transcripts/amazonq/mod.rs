//! Amazon Q Developer CLI and its successor Kiro CLI keep each
//! conversation as one `ConversationState` JSON value: in the SQLite
//! database `data.sqlite3` (table `conversations`, key = the working
//! directory; since migration 008 also `conversations_v2`, key +
//! `conversation_id`), and in files written by `/save` (the same JSON).
//! Only the latest state per conversation survives.
//!
//! `history` is a list of `{user, assistant, request_metadata}` entries
//! (older builds: `[user, assistant]` pairs). User content is externally
//! tagged: `Prompt`, `ToolUseResults` or `CancelledToolUses`; assistant
//! content is `Response` or `ToolUse` with `tool_uses` `{id, name, args}`.
//! Shell tools are `execute_bash` / `execute_cmd` (Kiro: `shell`) with
//! `{command}`; `use_aws` (Kiro: `aws`) has `{service_name, operation_name,
//! parameters, region, profile_name}` and is rendered as the `aws` command
//! it runs. Results carry `status` and, for shell and AWS calls, JSON
//! `{exit_status, stdout, stderr}`. A refusal is recorded as
//! `CancelledToolUses` ("Tool use was cancelled by the user", or the
//! forbidden-arguments notice for a rule). Times come from the user
//! message `timestamp` and the request metadata (milliseconds). The agent
//! is `kiro` when the path or the tool names say so, else `amazon-q`.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Read;
use std::path::Path;

use rusqlite::types::ValueRef;
use rusqlite::{Connection, MAIN_DB};
use serde::Deserialize;
use serde_json::value::RawValue;

use super::command::{command_from_str, mcp_parts, render_argv, render_mcp};
use super::json_doc::{Cursor, WalkError};
use super::text::{excerpt, first_byte, json_str, text_of};
use super::time::millis_to_micros;
use super::util::{Collector, Distinct, Span, file_stem, new_call, operator_for, stable_id};
use super::{AgentSession, Approval, Outcome, ParsedTranscript, Role, ToolCall, TranscriptOptions};

const CANCELLED: &str = "Tool use was cancelled by the user";
const FORBIDDEN: &str = "was rejected because the arguments supplied were forbidden";
const SHELL_TOOLS: &[&str] = &["execute_bash", "execute_cmd", "shell"];
const AWS_TOOLS: &[&str] = &["use_aws", "aws"];
/// Tools that never ask: they only read (Amazon Q's and Kiro's `fs_read`,
/// Kiro's `read`, `glob`, `grep`).
const READ_TOOLS: &[&str] = &["fs_read", "read", "glob", "grep", "introspect"];
/// `use_aws` operations allowed without asking: the read-only verbs.
const READ_OPERATION_PREFIXES: &[&str] = &["get", "describe", "list", "ls", "search", "batch_get"];

/// Tool names only Kiro CLI uses.
const KIRO_TOOLS: &[&str] = &["shell", "aws"];

#[derive(Deserialize)]
struct EntryObj<'a> {
    #[serde(borrow)]
    user: Option<&'a RawValue>,
    #[serde(borrow)]
    assistant: Option<&'a RawValue>,
    request_metadata: Option<ReqMeta>,
}

#[derive(Deserialize, Default, Clone)]
struct ReqMeta {
    request_start_timestamp_ms: Option<u64>,
    stream_end_timestamp_ms: Option<u64>,
    model_id: Option<String>,
}

#[derive(Deserialize)]
struct User<'a> {
    #[serde(borrow)]
    content: Option<&'a RawValue>,
    #[serde(borrow)]
    timestamp: Option<Cow<'a, str>>,
    env_context: Option<EnvContext>,
}

#[derive(Deserialize)]
struct EnvContext {
    env_state: Option<EnvState>,
}

#[derive(Deserialize)]
struct EnvState {
    current_working_directory: Option<String>,
}

#[derive(Deserialize)]
struct UserContent<'a> {
    #[serde(rename = "Prompt", borrow)]
    prompt: Option<&'a RawValue>,
    #[serde(rename = "ToolUseResults", borrow)]
    results: Option<&'a RawValue>,
    #[serde(rename = "CancelledToolUses", borrow)]
    cancelled: Option<&'a RawValue>,
}

#[derive(Deserialize)]
struct PromptObj<'a> {
    #[serde(borrow)]
    prompt: Option<Cow<'a, str>>,
    #[serde(borrow)]
    tool_use_results: Option<&'a RawValue>,
}

#[derive(Deserialize)]
struct ToolResult<'a> {
    #[serde(borrow)]
    tool_use_id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    content: Option<&'a RawValue>,
    #[serde(borrow)]
    status: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
struct Block<'a> {
    #[serde(rename = "Json", borrow)]
    json: Option<&'a RawValue>,
}

#[derive(Deserialize)]
struct ExecJson<'a> {
    #[serde(borrow)]
    exit_status: Option<&'a RawValue>,
}

#[derive(Deserialize)]
struct Assistant<'a> {
    #[serde(rename = "Response", borrow)]
    response: Option<Body<'a>>,
    #[serde(rename = "ToolUse", borrow)]
    tool_use: Option<Body<'a>>,
}

#[derive(Deserialize)]
struct Body<'a> {
    #[serde(borrow)]
    content: Option<Cow<'a, str>>,
    #[serde(borrow)]
    tool_uses: Option<Vec<ToolUse<'a>>>,
}

#[derive(Deserialize)]
struct ToolUse<'a> {
    #[serde(borrow)]
    id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    name: Option<Cow<'a, str>>,
    #[serde(borrow)]
    orig_name: Option<Cow<'a, str>>,
    #[serde(borrow)]
    args: Option<&'a RawValue>,
}

#[derive(Deserialize)]
struct ShellArgs {
    command: Option<String>,
}

#[derive(Deserialize)]
struct UseAws {
    service_name: Option<String>,
    operation_name: Option<String>,
    parameters: Option<BTreeMap<String, serde_json::Value>>,
    region: Option<String>,
    profile_name: Option<String>,
}

#[derive(Deserialize)]
struct ModelInfo {
    model_id: Option<String>,
}

/// Where a conversation came from, for ids, positions and the cwd.
struct Source {
    /// Line numbers are meaningful (a JSON file), or record indexes are used (a database value).
    lines: bool,
    /// `conversations_v2 row 3` …, for reasons.
    label: Option<String>,
    /// The database key: the working directory.
    key: Option<String>,
    /// The database row, the position reported for anything wrong inside it.
    row: Option<u64>,
    fallback_id: String,
}

/// One conversation being read.
struct Conversation {
    id: Option<String>,
    cwd: Option<String>,
    models: Distinct,
    span: Span,
    kiro_tools: bool,
    calls: Vec<ToolCall>,
    call_idx: HashMap<String, usize>,
    messages: Vec<(Option<i64>, Role, String, u64)>,
}

pub(crate) fn parse_json(path: &Path, bytes: &[u8], opts: &TranscriptOptions) -> ParsedTranscript {
    let mut c = Collector::new(path);
    let src = Source {
        lines: true,
        label: None,
        key: None,
        row: None,
        fallback_id: file_stem(path),
    };
    read_state(&mut c, path, bytes, &src, opts);
    c.finish()
}

pub(crate) fn parse_sqlite(
    path: &Path,
    bytes: &[u8],
    opts: &TranscriptOptions,
) -> ParsedTranscript {
    let mut c = Collector::new(path);
    if let Err(e) = read_database(&mut c, path, bytes, opts) {
        let head = &bytes[..bytes.len().min(100)];
        c.quarantine(
            None,
            None,
            format!("SQLite database could not be read: {e:#}"),
            head,
        );
    }
    let wal = format!("{}-wal", path.to_string_lossy());
    if Path::new(&wal).exists() {
        c.note("a -wal file sits beside the database; changes not yet checkpointed were not read");
    }
    c.finish()
}

/// Opens the database from memory (the bytes may have been decompressed)
/// and reads every conversation in `conversations_v2` then `conversations`.
fn read_database(
    c: &mut Collector,
    path: &Path,
    bytes: &[u8],
    opts: &TranscriptOptions,
) -> anyhow::Result<()> {
    anyhow::ensure!(
        bytes.len() >= 100,
        "only {} bytes, not a whole database",
        bytes.len()
    );
    let mut conn = Connection::open_in_memory()?;
    // A WAL-mode header (file format 2) cannot be opened from memory; the
    // main file reads the same as a rollback-journal one.
    let wal_mode = bytes[18] == 2 && bytes[19] == 2;
    let header: &[u8] = if wal_mode { &[1, 1] } else { &bytes[18..20] };
    let reader = bytes[..18].chain(header).chain(&bytes[20..]);
    conn.deserialize_read_exact(MAIN_DB, reader, bytes.len(), true)?;
    let tables: HashSet<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")?
        .query_map([], |r| r.get::<_, String>(0))?
        .collect::<Result<_, _>>()?;
    anyhow::ensure!(
        tables.contains("conversations") || tables.contains("conversations_v2"),
        "no conversations table (tables: {})",
        tables.iter().cloned().collect::<Vec<_>>().join(", ")
    );
    let mut seen: HashSet<String> = HashSet::new();
    let mut row_index = 0u64;
    for (table, sql) in [
        (
            "conversations_v2",
            "SELECT key, value FROM conversations_v2 ORDER BY updated_at, key",
        ),
        (
            "conversations",
            "SELECT key, value FROM conversations ORDER BY key",
        ),
    ] {
        if !tables.contains(table) {
            continue;
        }
        let mut stmt = conn.prepare(sql)?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            let idx = row_index;
            row_index += 1;
            let key = match row.get_ref(0)? {
                ValueRef::Text(t) | ValueRef::Blob(t) => {
                    Some(String::from_utf8_lossy(t).into_owned())
                }
                _ => None,
            };
            let value: &[u8] = match row.get_ref(1)? {
                ValueRef::Text(t) | ValueRef::Blob(t) => t,
                _ => {
                    c.quarantine(
                        None,
                        Some(idx),
                        format!("{table} row {idx}: value is not text"),
                        b"",
                    );
                    continue;
                }
            };
            let id = conversation_id(value);
            if let Some(id) = &id
                && !seen.insert(id.clone())
            {
                c.skipped("conversation superseded by conversations_v2");
                continue;
            }
            let src = Source {
                lines: false,
                label: Some(format!("{table} row {idx}")),
                key: key.clone(),
                row: Some(idx),
                fallback_id: format!(
                    "{}-{}",
                    file_stem(path),
                    stable_id(&[table, key.as_deref().unwrap_or("")])
                ),
            };
            read_state(c, path, value, &src, opts);
        }
    }
    Ok(())
}

/// The `conversation_id` of a state, read without the history.
fn conversation_id(value: &[u8]) -> Option<String> {
    let mut cur = Cursor::new(value);
    cur.begin_object().ok()?;
    let mut first = true;
    while let Ok(Some(key)) = cur.next_key(&mut first) {
        let (v, _) = cur.value().ok()?;
        if key == "conversation_id" {
            return json_str(v).map(Cow::into_owned);
        }
    }
    None
}

fn read_state(
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
                        super::text::bounded(first, 200)
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

    fn assistant(&mut self, raw: &RawValue, time: Option<i64>, line: u64) {
        let Ok(a) = serde_json::from_str::<Assistant<'_>>(raw.get()) else {
            return;
        };
        let Some(body) = a.tool_use.or(a.response) else {
            return;
        };
        if let Some(text) = body.content.as_deref() {
            self.messages
                .push((time, Role::Assistant, text.to_owned(), line));
        }
        for (n, tu) in body.tool_uses.unwrap_or_default().into_iter().enumerate() {
            let name = tu
                .name
                .as_deref()
                .or(tu.orig_name.as_deref())
                .unwrap_or("unknown");
            let orig = tu.orig_name.as_deref().unwrap_or(name);
            if KIRO_TOOLS.contains(&name) || KIRO_TOOLS.contains(&orig) {
                self.kiro_tools = true;
            }
            let call_id = tu
                .id
                .as_deref()
                .map_or_else(|| format!("entry{line}-{n}"), str::to_owned);
            if self.call_idx.contains_key(&call_id) {
                continue;
            }
            let mut call = new_call("", &call_id, name, "", line);
            call.started_at = time;
            if SHELL_TOOLS.contains(&name) || SHELL_TOOLS.contains(&orig) {
                if let Some(cmd) = tu
                    .args
                    .and_then(|a| serde_json::from_str::<ShellArgs>(a.get()).ok())
                    .and_then(|a| a.command)
                {
                    let (c, raw) = command_from_str(&cmd);
                    call.command = Some(c);
                    call.command_raw = raw;
                }
            } else if AWS_TOOLS.contains(&name) || AWS_TOOLS.contains(&orig) {
                if let Some(u) = tu
                    .args
                    .and_then(|a| serde_json::from_str::<UseAws>(a.get()).ok())
                {
                    call.command = Some(render_use_aws(&u));
                    call.aws_service = u.service_name;
                    call.aws_operation = u.operation_name;
                    call.aws_region = u.region;
                    call.aws_profile = u.profile_name;
                }
            } else if let Some((server, tool)) = mcp_parts(name) {
                call.command = Some(render_mcp(server, tool, tu.args));
            }
            // What the CLI allows without asking; everything else asks
            // unless trusted, and the decision is not stored.
            let read_op = call.aws_operation.as_deref().is_some_and(|op| {
                let op = op.to_ascii_lowercase().replace('-', "_");
                READ_OPERATION_PREFIXES.iter().any(|p| op.starts_with(p))
            });
            if READ_TOOLS.contains(&name) || READ_TOOLS.contains(&orig) {
                call.approval = Approval::Auto;
                call.approval_evidence = Some(format!("read-only tool {name}, never asks"));
            } else if read_op {
                call.approval = Approval::Auto;
                call.approval_evidence = Some(
                    "use_aws read-only operation (get/describe/list…), never asks".to_string(),
                );
            } else {
                call.approval_evidence =
                    Some("asks unless trusted; the answer is not stored".to_string());
            }
            self.call_idx.insert(call_id, self.calls.len());
            self.calls.push(call);
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

/// The `aws` command a `use_aws` call runs: parameters as kebab-case flags
/// (sorted, as the tool's map has no order), then region and profile.
fn render_use_aws(u: &UseAws) -> String {
    let mut argv = vec!["aws".to_owned()];
    argv.push(u.service_name.clone().unwrap_or_default());
    argv.push(u.operation_name.clone().unwrap_or_default());
    for (name, value) in u.parameters.iter().flatten() {
        argv.push(format!("--{}", kebab(name.trim_start_matches("--"))));
        let v = match value {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        if !v.is_empty() {
            argv.push(v);
        }
    }
    if let Some(r) = &u.region {
        argv.push("--region".to_owned());
        argv.push(r.clone());
    }
    if let Some(p) = &u.profile_name {
        argv.push("--profile".to_owned());
        argv.push(p.clone());
    }
    render_argv(&argv)
}

/// `TableName` → `table-name`, `DBInstanceIdentifier` → `db-instance-identifier`.
fn kebab(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::new();
    for (i, &ch) in chars.iter().enumerate() {
        if matches!(ch, '_' | '-' | ' ') {
            if !out.is_empty() && !out.ends_with('-') {
                out.push('-');
            }
            continue;
        }
        if ch.is_uppercase() && i > 0 {
            let prev = chars[i - 1];
            let next_lower = chars.get(i + 1).is_some_and(|c| c.is_lowercase());
            if (prev.is_lowercase() || prev.is_ascii_digit() || (prev.is_uppercase() && next_lower))
                && !out.ends_with('-')
            {
                out.push('-');
            }
        }
        out.extend(ch.to_lowercase());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::tests_support::{fixture, parse_fixture};
    use super::super::{TranscriptFormat, detect, parse};
    use super::*;

    const EXPORT: &str = "amazon-q/conversation-export.json";
    const DB: &str = "kiro/home/gus/.local/share/kiro-cli/data.sqlite3";

    use super::super::tests_support::call;

    #[test]
    fn kebab_case_like_the_cli() {
        assert_eq!(kebab("TableName"), "table-name");
        assert_eq!(kebab("DBInstanceIdentifier"), "db-instance-identifier");
        assert_eq!(kebab("bucket"), "bucket");
        assert_eq!(kebab("max_items"), "max-items");
    }

    #[test]
    fn export_session_and_use_aws_rendering() {
        let p = parse_fixture(TranscriptFormat::AmazonQJson, EXPORT);
        let s = &p.sessions[0];
        assert_eq!(s.session_id, "6b1d2c3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e");
        assert_eq!(s.agent, "amazon-q");
        assert_eq!(s.cwd.as_deref(), Some("/home/hana/billing"));
        assert_eq!(s.operator.as_deref(), Some("hana"));
        assert_eq!(s.model.as_deref(), Some("claude-sonnet-4"));
        let list = call(&p, "tooluse_list");
        assert_eq!(
            list.command.as_deref(),
            Some("aws s3api list-buckets --region us-east-1")
        );
        assert_eq!(list.aws_service.as_deref(), Some("s3api"));
        assert_eq!(list.aws_operation.as_deref(), Some("list-buckets"));
        assert_eq!(list.aws_region.as_deref(), Some("us-east-1"));
        assert_eq!((list.outcome, list.exit_code), (Outcome::Ok, Some(0)));
        assert_eq!(list.started_at, Some(1_768_900_003_000_000));
        assert_eq!(list.ended_at, Some(1_768_900_010_000_000));
        let del = call(&p, "tooluse_delete");
        assert_eq!(
            del.command.as_deref(),
            Some(
                "aws dynamodb delete-table --table-name 'billing events' --region eu-west-1 --profile prod"
            )
        );
        assert_eq!(del.aws_profile.as_deref(), Some("prod"));
        assert_eq!(
            (del.outcome, del.approval),
            (Outcome::Rejected, Approval::Rejected)
        );
    }

    #[test]
    fn read_only_calls_never_ask_and_the_rest_is_unknown() {
        let p = parse_fixture(TranscriptFormat::AmazonQJson, EXPORT);
        // `use_aws s3api list-buckets`: a read verb, allowed without asking.
        let list = call(&p, "tooluse_list");
        assert_eq!(
            list.approval,
            Approval::Auto,
            "{:?}",
            list.approval_evidence
        );
        // A shell command asks unless trusted, and the answer is not stored.
        let bash = call(&p, "tooluse_bash");
        assert_eq!(bash.approval, Approval::Unknown);
        assert!(
            bash.approval_evidence
                .as_deref()
                .is_some_and(|e| e.contains("not stored"))
        );
    }

    #[test]
    fn execute_bash_results_and_failures() {
        let p = parse_fixture(TranscriptFormat::AmazonQJson, EXPORT);
        let ok = call(&p, "tooluse_bash");
        assert_eq!(ok.command.as_deref(), Some("aws sts get-caller-identity"));
        assert_eq!((ok.outcome, ok.exit_code), (Outcome::Ok, Some(0)));
        assert!(
            ok.output_excerpt
                .as_deref()
                .is_some_and(|o| o.contains("123456789012"))
        );
        let bad = call(&p, "tooluse_fail");
        assert_eq!((bad.outcome, bad.exit_code), (Outcome::Error, Some(255)));
        let forbidden = call(&p, "tooluse_forbidden");
        assert_eq!(
            (forbidden.outcome, forbidden.approval),
            (Outcome::Denied, Approval::Rejected)
        );
        let mcp = call(&p, "tooluse_mcp");
        assert_eq!(
            mcp.command.as_deref(),
            Some(r#"mcp:awslabs.get_cost {"granularity":"DAILY"}"#)
        );
        let pending = call(&p, "tooluse_pending");
        assert_eq!(pending.outcome, Outcome::Ok, "result in next_message");
    }

    #[test]
    fn export_messages_and_counts() {
        let p = parse_fixture(TranscriptFormat::AmazonQJson, EXPORT);
        assert!(
            p.messages
                .iter()
                .any(|m| m.role == Role::User && m.text_excerpt == "which buckets do we have?")
        );
        assert!(
            p.messages
                .iter()
                .any(|m| m.role == Role::Assistant && m.text_excerpt.starts_with("I'll list"))
        );
        assert!(
            p.messages
                .iter()
                .any(|m| m.role == Role::System && m.text_excerpt.contains("forbidden"))
        );
        // envelope + 6 history entries + next_message
        assert_eq!(p.counts.lines_read, 8);
        assert!(p.quarantined.is_empty());
    }

    #[test]
    fn database_rows_are_conversations_deduplicated() {
        let p = parse_fixture(TranscriptFormat::AmazonQSqlite, DB);
        // the cut row still names its conversation; what follows the cut is quarantined
        assert_eq!(p.sessions.len(), 3, "{:?}", p.sessions);
        assert!(p.sessions.iter().all(|s| s.agent == "kiro"));
        let s = p
            .sessions
            .iter()
            .find(|s| s.session_id == "kiro-conv-1")
            .unwrap();
        assert_eq!(s.cwd.as_deref(), Some("/home/gus/app"));
        assert_eq!(s.operator.as_deref(), Some("gus"));
        assert_eq!(
            p.counts
                .skipped_by_type
                .get("conversation superseded by conversations_v2"),
            Some(&1)
        );
        let shell = call(&p, "tu-shell");
        assert_eq!(shell.command.as_deref(), Some("aws ec2 describe-vpcs"));
        assert_eq!(shell.source_line, 1);
        let bad: Vec<_> = p
            .quarantined
            .iter()
            .map(|q| (q.line, q.record_index))
            .collect();
        assert_eq!(bad, vec![(None, Some(3))], "{:?}", p.quarantined);
    }

    #[test]
    fn not_a_database_is_quarantined_not_a_panic() {
        let path = fixture(DB);
        let mut bytes = std::fs::read(&path).unwrap();
        bytes.truncate(bytes.len() / 2);
        let p = parse(
            TranscriptFormat::AmazonQSqlite,
            &path,
            &bytes,
            &TranscriptOptions::default(),
        );
        assert!(p.counts.reconciles());
        let p = parse(
            TranscriptFormat::AmazonQSqlite,
            &path,
            b"SQLite format 3\0",
            &TranscriptOptions::default(),
        );
        assert_eq!(p.counts.quarantined, 1);
    }

    #[test]
    fn older_pair_entries_and_string_exit_status() {
        let text = r#"{"conversation_id":"old-1","history":[[{"content":{"Prompt":{"prompt":"hi"}},"timestamp":null},{"ToolUse":{"message_id":"m","content":"","tool_uses":[{"id":"t1","name":"execute_bash","orig_name":"execute_bash","args":{"command":"aws s3 ls"},"orig_args":{}}]}}],[{"content":{"ToolUseResults":{"tool_use_results":[{"tool_use_id":"t1","content":[{"Json":{"exit_status":"1","stdout":"","stderr":"denied"}}],"status":"Success"}]}},"timestamp":null},{"Response":{"message_id":"m2","content":"failed"}}]]}"#;
        let p = super::super::parse(
            TranscriptFormat::AmazonQJson,
            Path::new("/home/ivy/q.json"),
            text.as_bytes(),
            &TranscriptOptions::default(),
        );
        assert_eq!(p.sessions[0].session_id, "old-1");
        let c = &p.tool_calls[0];
        assert_eq!((c.outcome, c.exit_code), (Outcome::Error, Some(1)));
        assert!(p.quarantined.is_empty());
    }

    #[test]
    fn detects_export_and_database() {
        for (rel, f) in [
            (EXPORT, TranscriptFormat::AmazonQJson),
            (DB, TranscriptFormat::AmazonQSqlite),
        ] {
            let path = fixture(rel);
            let bytes = std::fs::read(&path).unwrap();
            let head = &bytes[..bytes.len().min(64 * 1024)];
            assert_eq!(detect(&path, head), Some(f), "{rel}");
        }
    }
}
