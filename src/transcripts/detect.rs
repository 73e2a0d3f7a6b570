//! Recognises a transcript format from its content (the path only breaks
//! ties and names the SQLite database), so that `trailblame ingest` can be
//! pointed at mixed folders. JSON Lines formats are told apart by the keys
//! of their first records; single-document formats by their first
//! top-level keys, read with the truncation-tolerant cursor because the
//! head is cut at 64 KiB; Aider by its Markdown markers and Cursor's plain
//! transcripts by their `user:` / `assistant:` lines; JSON arrays by their
//! first element (hook payloads, Cline messages); the Amazon Q / Kiro,
//! OpenCode and Goose databases by the SQLite header and the tables their
//! schema page creates (the file name when the schema is not there yet), a
//! database's `-wal` / `-shm` by its name beside the database; OpenCode's
//! legacy storage files by their `ses_` / `msg_` / `prt_` ids.
//! Anything else — another agent's transcript, a CloudTrail file — gives
//! `None`.

use std::borrow::Cow;
use std::path::Path;

use serde::Deserialize;
use serde::de::IgnoredAny;

use super::TranscriptFormat;
use super::json_doc::Cursor;
use super::text::first_byte;
use super::util::lines;

/// How many complete JSON lines to look at.
const PROBE_LINES: usize = 16;

/// Content-based detection from the path and the first bytes of a file (up
/// to 64 KiB, already decompressed).
pub fn detect(path: &Path, head: &[u8]) -> Option<TranscriptFormat> {
    if is_sidecar(path, head) {
        return Some(TranscriptFormat::SqliteSidecar);
    }
    if head.starts_with(super::sqlite::HEADER) {
        return detect_database(path, head);
    }
    if is_aider(path, head) {
        return Some(TranscriptFormat::Aider);
    }
    let json = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    match first_byte(json) {
        Some(b'{') => {}
        Some(b'[') => return detect_array(path, head),
        Some(_) if super::cursor::is_text_transcript(head) => {
            return Some(TranscriptFormat::CursorText);
        }
        _ => return None,
    }
    if super::opencode::is_storage_file(json) {
        return Some(TranscriptFormat::OpenCodeJson);
    }
    if let Some(f) = detect_jsonl(path, head) {
        return Some(f);
    }
    detect_document(head)
}

/// A database by the tables its schema page creates, else by its name (a
/// database in WAL mode may keep even its schema in the `-wal` for a while).
fn detect_database(path: &Path, head: &[u8]) -> Option<TranscriptFormat> {
    use super::sqlite::creates_table;
    if is_q_database(path, head) {
        return Some(TranscriptFormat::AmazonQSqlite);
    }
    if super::opencode::TABLES
        .iter()
        .all(|t| creates_table(head, t))
    {
        return Some(TranscriptFormat::OpenCodeSqlite);
    }
    if creates_table(head, "sessions")
        && creates_table(head, "messages")
        && memchr::memmem::find(head, b"content_json").is_some()
    {
        return Some(TranscriptFormat::GooseSqlite);
    }
    let p = path
        .to_string_lossy()
        .replace('\\', "/")
        .to_ascii_lowercase();
    let name = p.rsplit('/').next().unwrap_or("");
    if name == "opencode.db" {
        Some(TranscriptFormat::OpenCodeSqlite)
    } else if name == "sessions.db" && p.contains("/goose/") {
        Some(TranscriptFormat::GooseSqlite)
    } else {
        None
    }
}

/// `<db>-wal` or `<db>-shm` with the database `<db>` beside it.
fn is_sidecar(path: &Path, head: &[u8]) -> bool {
    let Some(db) = super::sqlite::database_of(path) else {
        return false;
    };
    // A WAL file starts with its magic number; a -shm has none.
    let shm = path.as_os_str().as_encoded_bytes().ends_with(b"-shm");
    let plausible = head.is_empty() || super::sqlite::is_wal_magic(head) || shm;
    plausible && db.is_file()
}

fn is_q_database(path: &Path, head: &[u8]) -> bool {
    let p = path.to_string_lossy().to_ascii_lowercase();
    let named = p.contains("amazon-q") || p.contains("kiro") || p.contains("codewhisperer");
    let has_table = memchr::memmem::find(head, b"CREATE TABLE conversations").is_some();
    has_table || (named && p.ends_with("data.sqlite3"))
}

fn is_aider(path: &Path, head: &[u8]) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    if name.ends_with(".aider.chat.history.md") {
        return true;
    }
    // JSON is never an Aider transcript; skip the text scan for it.
    let first = head.iter().find(|c| !c.is_ascii_whitespace());
    if matches!(first, Some(b'{' | b'[')) {
        return false;
    }
    let text = String::from_utf8_lossy(head);
    let header = text
        .lines()
        .any(|l| l.trim_end().starts_with("# aider chat started at "));
    if header {
        return true;
    }
    // The aider.chat website wraps transcripts in `<div class="chat-transcript">`.
    let is_md = name.ends_with(".md") || name.ends_with(".markdown");
    is_md
        && text.contains("class=\"chat-transcript\"")
        && text.lines().any(|l| l.starts_with("#### "))
}

#[derive(Deserialize, Default)]
struct Probe<'a> {
    #[serde(rename = "type", borrow)]
    kind: Option<Cow<'a, str>>,
    payload: Option<IgnoredAny>,
    #[serde(rename = "sessionId")]
    session_id: Option<IgnoredAny>,
    #[serde(rename = "projectHash")]
    project_hash: Option<IgnoredAny>,
    message: Option<IgnoredAny>,
    uuid: Option<IgnoredAny>,
    #[serde(rename = "leafUuid")]
    leaf_uuid: Option<IgnoredAny>,
    #[serde(rename = "messageId")]
    message_id: Option<IgnoredAny>,
    id: Option<IgnoredAny>,
    content: Option<IgnoredAny>,
    timestamp: Option<IgnoredAny>,
    instructions: Option<IgnoredAny>,
    record_type: Option<IgnoredAny>,
    messages: Option<IgnoredAny>,
    #[serde(rename = "$set")]
    set: Option<IgnoredAny>,
    #[serde(rename = "$rewindTo")]
    rewind_to: Option<IgnoredAny>,
    conversation_id: Option<IgnoredAny>,
    history: Option<IgnoredAny>,
    loglines: Option<IgnoredAny>,
    /// Raw, so that a value of another type does not fail the probe.
    #[serde(borrow)]
    hook_event_name: Option<&'a serde_json::value::RawValue>,
    /// Cursor hook payloads: `conversation_id` (above), these, camelCase
    /// event names.
    generation_id: Option<IgnoredAny>,
    cursor_version: Option<IgnoredAny>,
    /// Cursor agent transcripts: `{role, message}` with no `type`.
    #[serde(borrow)]
    role: Option<&'a serde_json::value::RawValue>,
    #[serde(rename = "session_id")]
    session_id_snake: Option<IgnoredAny>,
    /// trailblame's hook-log wrapper: `{"logged_at", "agent", "hook": {…}}`.
    #[serde(borrow)]
    hook: Option<&'a serde_json::value::RawValue>,
    logged_at: Option<IgnoredAny>,
    #[serde(rename = "resourceLogs")]
    resource_logs: Option<IgnoredAny>,
    #[serde(rename = "resourceSpans")]
    resource_spans: Option<IgnoredAny>,
    /// Log-store exports: a hit, or a stored record.
    #[serde(rename = "_source")]
    source: Option<IgnoredAny>,
    #[serde(rename = "@timestamp")]
    at_timestamp: Option<IgnoredAny>,
    time: Option<IgnoredAny>,
    /// Copilot CLI session events: `{type, id, timestamp, parentId, data}`.
    data: Option<IgnoredAny>,
    /// Legacy Goose sessions: a metadata line, then `{role, created, content}`.
    working_dir: Option<IgnoredAny>,
    description: Option<IgnoredAny>,
    message_count: Option<IgnoredAny>,
    #[serde(borrow)]
    created: Option<&'a serde_json::value::RawValue>,
}

const CODEX_ENVELOPES: &[&str] = &[
    "session_meta",
    "response_item",
    "turn_context",
    "event_msg",
    "compacted",
    "inter_agent_communication",
    "world_state",
];
const CODEX_BARE_ITEMS: &[&str] = &[
    "message",
    "function_call",
    "function_call_output",
    "local_shell_call",
    "reasoning",
    "custom_tool_call",
    "custom_tool_call_output",
];
const CLAUDE_TYPES: &[&str] = &[
    "user",
    "assistant",
    "summary",
    "system",
    "file-history-snapshot",
    "permission-mode",
    "queue-operation",
    "progress",
    "last-prompt",
    "ai-title",
    "custom-title",
    "attachment",
    "agent-name",
];
const GEMINI_TYPES: &[&str] = &["user", "gemini", "info", "error", "warning"];

/// The hook log a payload belongs to, bare or in trailblame's wrapper:
/// Cursor's carry `conversation_id` / `generation_id` / `cursor_version`
/// and camelCase event names, Claude Code's `session_id` (Gemini CLI's are
/// told apart by their event names in the reader).
fn hook_format(p: &Probe<'_>) -> Option<TranscriptFormat> {
    if let Some(f) = payload_format(p) {
        return Some(f);
    }
    match p.hook {
        Some(inner) if p.logged_at.is_some() => serde_json::from_str::<Probe<'_>>(inner.get())
            .ok()
            .and_then(|i| payload_format(&i)),
        _ => None,
    }
}

fn payload_format(p: &Probe<'_>) -> Option<TranscriptFormat> {
    let event = super::text::json_str(p.hook_event_name?);
    let cursor_keys =
        p.conversation_id.is_some() || p.generation_id.is_some() || p.cursor_version.is_some();
    if cursor_keys && event.is_some_and(|e| super::cursor::is_event_name(&e)) {
        Some(TranscriptFormat::CursorHookLog)
    } else if p.session_id_snake.is_some() {
        Some(TranscriptFormat::ClaudeHookLog)
    } else {
        None
    }
}

fn classify(p: &Probe<'_>, first: bool) -> Option<TranscriptFormat> {
    if let Some(f) = hook_format(p) {
        return Some(f);
    }
    if p.resource_logs.is_some() || p.resource_spans.is_some() {
        return Some(TranscriptFormat::OtelJson);
    }
    let kind = p.kind.as_deref();
    if p.data.is_some()
        && p.id.is_some()
        && p.timestamp.is_some()
        && kind.is_some_and(super::copilot::is_event_type)
    {
        return Some(TranscriptFormat::CopilotCli);
    }
    if p.payload.is_some() && kind.is_some_and(|k| CODEX_ENVELOPES.contains(&k)) {
        return Some(TranscriptFormat::Codex);
    }
    if p.set.is_some() || p.rewind_to.is_some() {
        return Some(TranscriptFormat::GeminiJsonl);
    }
    if p.session_id.is_some() && p.project_hash.is_some() {
        return Some(if p.messages.is_some() {
            TranscriptFormat::GeminiJson
        } else {
            TranscriptFormat::GeminiJsonl
        });
    }
    if p.loglines.is_some() {
        return Some(TranscriptFormat::ClaudeCode);
    }
    if p.conversation_id.is_some() && p.history.is_some() {
        return Some(TranscriptFormat::AmazonQJson);
    }
    if let Some(k) = kind {
        let claude_keys = p.message.is_some()
            || p.session_id.is_some()
            || p.uuid.is_some()
            || p.leaf_uuid.is_some()
            || p.message_id.is_some();
        if CLAUDE_TYPES.contains(&k) && claude_keys && p.payload.is_none() {
            return Some(TranscriptFormat::ClaudeCode);
        }
        if GEMINI_TYPES.contains(&k) && p.id.is_some() && p.content.is_some() && p.message.is_none()
        {
            return Some(TranscriptFormat::GeminiJsonl);
        }
        if CODEX_BARE_ITEMS.contains(&k) && p.payload.is_none() && p.message.is_none() {
            return Some(TranscriptFormat::Codex);
        }
    }
    // Codex rollouts before the envelope began with a bare session header.
    if first
        && kind.is_none()
        && p.id.is_some()
        && p.timestamp.is_some()
        && p.instructions.is_some()
    {
        return Some(TranscriptFormat::Codex);
    }
    if p.record_type.is_some() && kind.is_none() {
        return Some(TranscriptFormat::Codex);
    }
    let cursor_role = p
        .role
        .is_some_and(|r| matches!(r.get(), r#""user""# | r#""assistant""#));
    if cursor_role
        && kind.is_none()
        && p.message.is_some()
        && p.session_id.is_none()
        && p.uuid.is_none()
        && p.payload.is_none()
    {
        return Some(TranscriptFormat::CursorJsonl);
    }
    if is_goose_line(p, first) {
        return Some(TranscriptFormat::GooseJsonl);
    }
    None
}

/// A legacy Goose session line: the metadata line first, or a message
/// (`role`, numeric `created`, `content`, no `type`).
fn is_goose_line(p: &Probe<'_>, first: bool) -> bool {
    let untyped = p.kind.is_none() && p.message.is_none() && p.payload.is_none();
    let metadata =
        first && p.working_dir.is_some() && (p.description.is_some() || p.message_count.is_some());
    let numeric = |v: &serde_json::value::RawValue| {
        first_byte(v.get().as_bytes()).is_some_and(|b| b.is_ascii_digit())
    };
    let message = p.role.is_some() && p.created.is_some_and(numeric) && p.content.is_some();
    untyped && (metadata || message)
}

fn detect_jsonl(path: &Path, head: &[u8]) -> Option<TranscriptFormat> {
    let complete = match memchr::memrchr(b'\n', head) {
        Some(i) => &head[..i],
        None => head,
    };
    let mut parsed_any = false;
    for (i, (_, line)) in lines(complete).take(PROBE_LINES).enumerate() {
        let Ok(p) = serde_json::from_slice::<Probe<'_>>(line) else {
            if i == 0 {
                return None; // a pretty-printed document, not JSON Lines
            }
            continue;
        };
        parsed_any = true;
        if let Some(f) = classify(&p, i == 0) {
            return Some(f);
        }
        if (p.source.is_some() || p.at_timestamp.is_some() || p.time.is_some())
            && super::otel::is_stored_telemetry(line, true)
        {
            return Some(TranscriptFormat::OtelJson);
        }
    }
    if !parsed_any {
        return None;
    }
    // Records of no known shape: let the location decide, when it is telling.
    let p = path.to_string_lossy().replace('\\', "/");
    if p.contains("/.claude/projects/") {
        Some(TranscriptFormat::ClaudeCode)
    } else if p.contains("/.codex/sessions/") {
        Some(TranscriptFormat::Codex)
    } else if p.contains("/agent-transcripts/") {
        Some(TranscriptFormat::CursorJsonl)
    } else {
        None
    }
}

/// A JSON array whose first element is a hook payload or a Cline message
/// (`ui_messages.json`; `api_conversation_history.json`, plain Anthropic
/// messages, only under its own name).
fn detect_array(path: &Path, head: &[u8]) -> Option<TranscriptFormat> {
    let mut c = Cursor::new(head);
    if !c.begin_array().ok()? {
        return None;
    }
    let mut first = true;
    let (item, _) = c.next_item(&mut first).ok()??;
    let p: Probe<'_> = serde_json::from_str(item.get()).ok()?;
    if let Some(f) = hook_format(&p) {
        return Some(f);
    }
    let v: serde_json::Value = serde_json::from_str(item.get()).ok()?;
    if super::cline::is_ui_message(&v) {
        return Some(TranscriptFormat::ClineTask);
    }
    let named = path
        .file_name()
        .is_some_and(|n| n == "api_conversation_history.json");
    (named && p.role.is_some() && p.content.is_some()).then_some(TranscriptFormat::ClineTask)
}

/// The first top-level keys of a (possibly cut) JSON document.
fn detect_document(head: &[u8]) -> Option<TranscriptFormat> {
    let mut c = Cursor::new(head);
    c.begin_object().ok()?;
    let mut first = true;
    let mut keys: Vec<String> = Vec::new();
    while let Ok(Some(k)) = c.next_key(&mut first) {
        keys.push(k);
        if c.skip_value().is_err() || keys.len() > 32 {
            break;
        }
    }
    let has = |k: &str| keys.iter().any(|x| x == k);
    if has("loglines") {
        Some(TranscriptFormat::ClaudeCode)
    } else if has("resourceLogs") || has("resourceSpans") {
        Some(TranscriptFormat::OtelJson)
    } else if has("hits")
        && (has("took") || has("_shards") || keys.len() == 1)
        && super::otel::is_stored_telemetry(head, false)
    {
        // An Elasticsearch / OpenSearch search response of agent telemetry.
        Some(TranscriptFormat::OtelJson)
    } else if has("conversation_id") && (has("history") || has("next_message") || keys.len() == 1) {
        Some(TranscriptFormat::AmazonQJson)
    } else if has("sessionId") && (has("projectHash") || has("messages")) {
        Some(TranscriptFormat::GeminiJson)
    } else if has("files_in_context") || (has("model_usage") && has("environment_history")) {
        // A Cline task's `task_metadata.json`.
        Some(TranscriptFormat::ClineTask)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(path: &str, s: &str) -> Option<TranscriptFormat> {
        detect(Path::new(path), s.as_bytes())
    }

    #[test]
    fn json_lines_formats_by_keys() {
        let claude = r#"{"type":"summary","summary":"x","leafUuid":"u1"}
{"type":"user","sessionId":"s","message":{"role":"user","content":"hi"}}
"#;
        assert_eq!(d("x.jsonl", claude), Some(TranscriptFormat::ClaudeCode));
        let codex = r#"{"timestamp":"2025-01-01T00:00:00Z","type":"session_meta","payload":{"id":"a"}}
"#;
        assert_eq!(d("x.jsonl", codex), Some(TranscriptFormat::Codex));
        let codex_old = r#"{"id":"a","timestamp":"2025-05-01T00:00:00Z","instructions":null}
{"record_type":"state"}
"#;
        assert_eq!(d("x.jsonl", codex_old), Some(TranscriptFormat::Codex));
        let gemini = r#"{"sessionId":"s","projectHash":"h","startTime":"2026-01-01T00:00:00Z","kind":"main"}
"#;
        assert_eq!(d("x.jsonl", gemini), Some(TranscriptFormat::GeminiJsonl));
        let snapshot_first = r#"{"type":"file-history-snapshot","messageId":"m","snapshot":{},"isSnapshotUpdate":false}
"#;
        assert_eq!(
            d("s.jsonl", snapshot_first),
            Some(TranscriptFormat::ClaudeCode)
        );
    }

    #[test]
    fn documents_by_first_keys_even_when_cut() {
        let gem = "{\n  \"sessionId\": \"s\",\n  \"projectHash\": \"h\",\n  \"messages\": [ {\"id\": \"m1\", \"type\": \"us";
        assert_eq!(d("session-1.json", gem), Some(TranscriptFormat::GeminiJson));
        let q = "{\n \"conversation_id\": \"c\",\n \"next_message\": null,\n \"history\": [";
        assert_eq!(d("q.json", q), Some(TranscriptFormat::AmazonQJson));
        let web = "{\n  \"loglines\": [\n {\"type\":";
        assert_eq!(d("s.json", web), Some(TranscriptFormat::ClaudeCode));
    }

    #[test]
    fn unknown_agents_and_other_files_give_none() {
        let pi = r#"{"type":"session","id":"p","timestamp":"2025-01-15T10:00:00.000Z","cwd":"/home/u"}
{"type":"message","timestamp":"2025-01-15T10:00:01.000Z","message":{"role":"user","content":[]}}
"#;
        assert_eq!(d("pi.jsonl", pi), None);
        assert_eq!(
            d("trail.json", r#"{"Records":[{"eventVersion":"1.08"}]}"#),
            None
        );
        assert_eq!(d("notes.md", "# Notes\n\nhello\n"), None);
        assert_eq!(d("empty", ""), None);
        assert_eq!(d("bin", "\u{0}\u{1}"), None);
    }

    #[test]
    fn aider_and_sqlite() {
        assert_eq!(
            d("/r/.aider.chat.history.md", "anything"),
            Some(TranscriptFormat::Aider)
        );
        assert_eq!(
            d(
                "chat.md",
                "\n# aider chat started at 2024-05-01 10:00:00\n\n#### hi\n"
            ),
            Some(TranscriptFormat::Aider)
        );
        let mut db = b"SQLite format 3\0".to_vec();
        db.extend_from_slice(b"....CREATE TABLE conversations (key TEXT PRIMARY KEY, value TEXT)");
        assert_eq!(
            detect(Path::new("x.db"), &db),
            Some(TranscriptFormat::AmazonQSqlite)
        );
        assert_eq!(
            detect(
                Path::new("other.db"),
                b"SQLite format 3\0 CREATE TABLE t(x)"
            ),
            None
        );
    }

    #[test]
    fn opencode_and_goose_by_content() {
        let mut oc = b"SQLite format 3\0".to_vec();
        oc.extend_from_slice(
            b"..CREATE TABLE `session` (`id` text)..CREATE TABLE `message` (`id` text)..CREATE TABLE `part` (`id` text)",
        );
        assert_eq!(
            detect(Path::new("x.db"), &oc),
            Some(TranscriptFormat::OpenCodeSqlite)
        );
        let mut goose = b"SQLite format 3\0".to_vec();
        goose.extend_from_slice(
            b"..CREATE TABLE sessions (id TEXT)..CREATE TABLE messages (content_json TEXT)",
        );
        assert_eq!(
            detect(Path::new("x.db"), &goose),
            Some(TranscriptFormat::GooseSqlite)
        );
        // The schema still only in the -wal: the name decides.
        let bare = b"SQLite format 3\0";
        assert_eq!(
            detect(Path::new("/h/.local/share/opencode/opencode.db"), bare),
            Some(TranscriptFormat::OpenCodeSqlite)
        );
        assert_eq!(
            detect(
                Path::new("/h/.local/share/goose/sessions/sessions.db"),
                bare
            ),
            Some(TranscriptFormat::GooseSqlite)
        );
        assert_eq!(detect(Path::new("/h/other/sessions.db"), bare), None);
        let goose_jsonl = r#"{"working_dir":"/h","description":"x","schedule_id":null,"message_count":2}
{"role":"user","created":1740837600,"content":[{"type":"text","text":"hi"}]}
"#;
        assert_eq!(
            d("20250301_1.jsonl", goose_jsonl),
            Some(TranscriptFormat::GooseJsonl)
        );
        let part = "{\n  \"id\": \"prt_01\",\n  \"sessionID\": \"ses_01\",\n  \"messageID\": \"msg_01\",\n  \"type\": \"tool\"";
        assert_eq!(d("prt_01.json", part), Some(TranscriptFormat::OpenCodeJson));
    }

    #[test]
    fn a_wal_or_shm_beside_its_database_is_a_sidecar() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("opencode.db");
        std::fs::write(&db, b"SQLite format 3\0").unwrap();
        let wal = dir.path().join("opencode.db-wal");
        assert_eq!(
            detect(&wal, &[0x37, 0x7f, 0x06, 0x82, 0, 0]),
            Some(TranscriptFormat::SqliteSidecar)
        );
        assert_eq!(
            detect(&dir.path().join("opencode.db-shm"), &[0; 8]),
            Some(TranscriptFormat::SqliteSidecar)
        );
        assert_eq!(
            detect(&dir.path().join("gone.db-wal"), &[0x37, 0x7f, 0x06, 0x82]),
            None
        );
        assert_eq!(detect(&wal, b"{\"a\":1}"), None);
    }
}
