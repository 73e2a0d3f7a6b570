//! Agent transcripts: reads what AI coding agents wrote on disk (Claude Code
//! and its hook logs, Codex CLI, Gemini CLI, Aider, Amazon Q / Kiro CLI,
//! GitHub Copilot CLI, Cursor and its hook logs, Cline / Roo Code task
//! folders, OpenCode, Goose) and the telemetry they export (OpenTelemetry
//! JSON) into three kinds of
//! rows — sessions, tool calls and messages — so that attribution can set an
//! agent's own account of a command beside the CloudTrail events it caused.
//!
//! The ingest pipeline calls [`detect`] on a file's path and first bytes and,
//! when a format is recognised, [`parse`] on the whole (already decompressed)
//! content. Parsing never fails and never panics: a record that cannot be
//! read is quarantined with its file, line and reason, records of types that
//! do not matter are counted and skipped, and the counts always reconcile:
//! `lines_read == records_used + records_skipped + quarantined`.
//!
//! One folder per agent holds the format knowledge (`claude`,
//! `claude_hooks`, `codex`, `gemini`, `aider`, `amazonq`, `copilot`,
//! `cursor`, `cline`, `opencode`, `goose`, and `otel` for telemetry);
//! `detect` recognises formats by content; `sqlite` opens an agent's
//! database (and its `-wal`) through a private read-only copy; the rest is
//! shared: `util` (record counting, rows, operator), `text`
//! (bounded excerpts, text out of JSON), `time`, `command` (shell-command
//! rendering and unwrapping, MCP names, exit-code markers) and `json_doc`
//! (a truncation-tolerant JSON walker).

mod aider;
mod amazonq;
mod claude;
mod claude_hooks;
mod cline;
mod codex;
mod command;
mod copilot;
mod cursor;
mod detect;
mod gemini;
mod goose;
mod json_doc;
mod lenient;
mod opencode;
mod otel;
mod sqlite;
mod text;
mod time;
pub(crate) mod util;

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{FixedOffset, Offset};

pub use detect::detect;
pub use sqlite::{is_database_head, is_wal_magic, names_wal_of_database, wal_beside};

/// The on-disk transcript formats this module reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TranscriptFormat {
    /// `~/.claude/projects/<slug>/<session>.jsonl` (and `subagents/agent-*.jsonl`).
    ClaudeCode,
    /// Claude Code hook payloads kept by a logging hook (JSON Lines or an
    /// array): `PreToolUse`, `PermissionRequest`, `PostToolUse`, ….
    ClaudeHookLog,
    /// `~/.codex/sessions/YYYY/MM/DD/rollout-*.jsonl`, all known versions.
    Codex,
    /// `~/.gemini/tmp/<project>/chats/session-*.jsonl` (append log with `$set` / `$rewindTo`).
    GeminiJsonl,
    /// The older single-document `session-*.json` `ConversationRecord`.
    GeminiJson,
    /// `.aider.chat.history.md`.
    Aider,
    /// An Amazon Q / Kiro CLI `ConversationState` JSON document (as exported by `/save`).
    AmazonQJson,
    /// The Amazon Q / Kiro CLI SQLite database (`conversations`, `conversations_v2` tables).
    AmazonQSqlite,
    /// GitHub Copilot CLI session events (`session-state/<id>/events.jsonl`).
    CopilotCli,
    /// Cursor agent transcripts
    /// (`~/.cursor/projects/<workspace>/agent-transcripts/<id>/<id>.jsonl`).
    CursorJsonl,
    /// The older plain-text Cursor transcript (`<id>.txt`).
    CursorText,
    /// Cursor hook payloads kept by a logging hook (`beforeShellExecution`,
    /// `afterShellExecution`, …), JSON Lines or an array.
    CursorHookLog,
    /// A Cline / Roo Code / Kilo Code task folder's files
    /// (`tasks/<id>/ui_messages.json`, `api_conversation_history.json`,
    /// `task_metadata.json`).
    ClineTask,
    /// Agent telemetry as OTLP/JSON (`resourceLogs`, `resourceSpans`), one
    /// request per line (the Collector's `file` exporter) or a document:
    /// Claude Code, Codex and Gemini CLI events; GenAI `execute_tool` spans
    /// (GitHub Copilot CLI, other instrumented agents).
    OtelJson,
    /// The OpenCode SQLite store (`opencode.db`: `session`, `message`,
    /// `part` tables), read with its `-wal`.
    OpenCodeSqlite,
    /// One file of OpenCode's legacy JSON storage (`storage/session/…`,
    /// `storage/message/…`, `storage/part/…`).
    OpenCodeJson,
    /// The Goose SQLite store (`sessions.db`: `sessions`, `messages`), read
    /// with its `-wal`.
    GooseSqlite,
    /// A legacy Goose session file (`sessions/<id>.jsonl`).
    GooseJsonl,
    /// The `-wal` or `-shm` file of a database beside it: read with the
    /// database (OpenCode, Goose), nothing of its own.
    SqliteSidecar,
}

impl TranscriptFormat {
    /// A stable lower-case name, for logs and for the `source_format` of a file.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ClaudeCode => "claude-code",
            Self::ClaudeHookLog => "claude-hook-log",
            Self::Codex => "codex",
            Self::GeminiJsonl => "gemini-jsonl",
            Self::GeminiJson => "gemini-json",
            Self::Aider => "aider",
            Self::AmazonQJson => "amazon-q-json",
            Self::AmazonQSqlite => "amazon-q-sqlite",
            Self::CopilotCli => "copilot-cli",
            Self::CursorJsonl => "cursor-jsonl",
            Self::CursorText => "cursor-txt",
            Self::CursorHookLog => "cursor-hook-log",
            Self::ClineTask => "cline-task",
            Self::OtelJson => "otel-json",
            Self::OpenCodeSqlite => "opencode-sqlite",
            Self::OpenCodeJson => "opencode-json",
            Self::GooseSqlite => "goose-sqlite",
            Self::GooseJsonl => "goose-jsonl",
            Self::SqliteSidecar => "sqlite-sidecar",
        }
    }
}

/// Choices the caller makes for the whole run.
#[derive(Debug, Clone)]
pub struct TranscriptOptions {
    /// Aider writes local wall-clock times with no zone; they are read in this
    /// offset (default UTC) and the output says so in `notes`.
    pub aider_timezone: FixedOffset,
    /// The human who ran the agents, when the caller knows it for every file.
    pub operator: Option<String>,
    /// `(path prefix or user name, operator)` pairs: a prefix of the source
    /// path, or the user name found in a home directory, maps to an operator.
    pub operator_map: Vec<(String, String)>,
}

impl Default for TranscriptOptions {
    fn default() -> Self {
        Self {
            aider_timezone: utc_offset(),
            operator: None,
            operator_map: Vec::new(),
        }
    }
}

/// UTC as a `FixedOffset`.
pub fn utc_offset() -> FixedOffset {
    chrono::Utc.fix()
}

/// Everything read from one transcript file.
#[derive(Debug, Clone, Default)]
pub struct ParsedTranscript {
    pub sessions: Vec<AgentSession>,
    pub tool_calls: Vec<ToolCall>,
    pub messages: Vec<Message>,
    pub quarantined: Vec<QuarantinedRecord>,
    pub counts: TranscriptCounts,
    /// Plain sentences about assumptions made for this file (a zone assumed,
    /// timestamps missing, rewound messages …).
    pub notes: Vec<String>,
}

/// How the records of one file were accounted for. A "line" is a line of a
/// JSONL or Markdown file (blank lines are not counted), or one record of a
/// JSON document or database row (the document envelope counts as one).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TranscriptCounts {
    pub lines_read: u64,
    pub records_used: u64,
    /// Known but irrelevant record types, and unknown types.
    pub records_skipped: u64,
    pub skipped_by_type: BTreeMap<String, u64>,
    pub quarantined: u64,
}

impl TranscriptCounts {
    /// `lines_read == records_used + records_skipped + quarantined`.
    pub fn reconciles(&self) -> bool {
        self.lines_read == self.records_used + self.records_skipped + self.quarantined
            && self.records_skipped == self.skipped_by_type.values().sum::<u64>()
    }
}

/// A record that could not be read, kept for the quarantine table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuarantinedRecord {
    pub source_file: String,
    /// 1-based line in the file, when the record has one.
    pub line: Option<u64>,
    /// 0-based index of the record inside a document or database, when it has one.
    pub record_index: Option<u64>,
    pub reason: String,
    /// The record's text, bounded to 64 KiB (cut on a character boundary).
    pub raw: String,
}

/// One agent session (one conversation; a subagent is a session of its own).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AgentSession {
    pub session_id: String,
    /// `claude-code`, `codex`, `gemini-cli`, `aider`, `amazon-q`, `kiro`,
    /// `copilot-cli`, `cursor`, `cline`, `roo-code`, `kilo-code`, `opencode`
    /// or `goose`.
    pub agent: String,
    pub agent_version: Option<String>,
    /// Distinct models in order of first use, joined by `,`.
    pub model: Option<String>,
    /// Microseconds since the Unix epoch, UTC.
    pub started_at: Option<i64>,
    pub ended_at: Option<i64>,
    pub cwd: Option<String>,
    pub git_branch: Option<String>,
    pub operator: Option<String>,
    /// The permission / approval mode as the agent recorded it; distinct
    /// values in order of appearance joined by `,` when it changed.
    pub approval_mode: Option<String>,
    /// Codex `sandbox_policy` mode (distinct values joined by `,`).
    pub sandbox: Option<String>,
    pub parent_session_id: Option<String>,
    pub source_file: String,
}

/// How a tool call ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Outcome {
    Ok,
    Error,
    /// A person said no.
    Rejected,
    /// A rule, policy or automatic reviewer said no.
    Denied,
    Interrupted,
    Unknown,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Error => "error",
            Self::Rejected => "rejected",
            Self::Denied => "denied",
            Self::Interrupted => "interrupted",
            Self::Unknown => "unknown",
        }
    }
}

/// Whether a person approved a tool call, as far as the transcript tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Approval {
    /// Ran without asking (a mode, a rule or a read-only tool allowed it).
    Auto,
    /// A person approved it, or started it themselves.
    Explicit,
    /// Not approved (by a person or a rule); see `outcome`.
    Rejected,
    Unknown,
}

impl Approval {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Auto => "auto",
            Self::Explicit => "explicit",
            Self::Rejected => "rejected",
            Self::Unknown => "unknown",
        }
    }
}

/// One tool call made in a session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolCall {
    pub session_id: String,
    pub call_id: String,
    pub started_at: Option<i64>,
    /// When the result was recorded.
    pub ended_at: Option<i64>,
    pub tool_name: String,
    /// The shell command as it ran (a `bash -lc '<cmd>'` wrapper unwrapped to
    /// `<cmd>`), or a rendering of a structured call: `aws <service> <op> …`
    /// for `use_aws`, `mcp:<server>.<tool> <args json>` for MCP tools.
    pub command: Option<String>,
    /// The exact text before unwrapping, when `command` was unwrapped or
    /// rendered from an argv array.
    pub command_raw: Option<String>,
    pub exit_code: Option<i64>,
    pub outcome: Outcome,
    pub approval: Approval,
    pub approval_evidence: Option<String>,
    /// At most 2 KiB, cut on a character boundary.
    pub output_excerpt: Option<String>,
    pub aws_service: Option<String>,
    pub aws_operation: Option<String>,
    pub aws_region: Option<String>,
    pub aws_profile: Option<String>,
    pub source_file: String,
    /// 1-based line of the call (for database rows: the history entry, 1-based).
    pub source_line: u64,
    /// Why the call's record is outside a consistent record chain in its
    /// file (Claude Code: `uuid` / `parentUuid`), as `<kind>: <where>`;
    /// `None` when it fits or the format has no chain.
    pub chain_break: Option<String>,
}

/// Who wrote a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    User,
    Assistant,
    /// Text the tool injected (caveats, environment context, notices).
    System,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::User => "user",
            Self::Assistant => "assistant",
            Self::System => "system",
        }
    }
}

/// A user prompt or assistant text, for the postmortem timeline. Tool results
/// are not messages; a rejection notice the user caused is a user message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub session_id: String,
    pub time: Option<i64>,
    pub role: Role,
    /// At most 2 KiB, cut on a character boundary.
    pub text_excerpt: String,
    pub source_file: String,
    pub source_line: u64,
}

/// Reads one transcript file of a known format. Never fails: what cannot be
/// read is quarantined and counted.
pub fn parse(
    format: TranscriptFormat,
    path: &Path,
    bytes: &[u8],
    opts: &TranscriptOptions,
) -> ParsedTranscript {
    let parsed = match format {
        TranscriptFormat::ClaudeCode => claude::parse(path, bytes, opts),
        TranscriptFormat::ClaudeHookLog => claude_hooks::parse(path, bytes, opts),
        TranscriptFormat::Codex => codex::parse(path, bytes, opts),
        TranscriptFormat::GeminiJsonl => gemini::parse_jsonl(path, bytes, opts),
        TranscriptFormat::GeminiJson => gemini::parse_json(path, bytes, opts),
        TranscriptFormat::Aider => aider::parse(path, bytes, opts),
        TranscriptFormat::AmazonQJson => amazonq::parse_json(path, bytes, opts),
        TranscriptFormat::AmazonQSqlite => amazonq::parse_sqlite(path, bytes, opts),
        TranscriptFormat::CopilotCli => copilot::parse(path, bytes, opts),
        TranscriptFormat::CursorJsonl => cursor::parse_jsonl(path, bytes, opts),
        TranscriptFormat::CursorText => cursor::parse_text(path, bytes, opts),
        TranscriptFormat::CursorHookLog => cursor::parse_hook_log(path, bytes, opts),
        TranscriptFormat::ClineTask => cline::parse(path, bytes, opts),
        TranscriptFormat::OtelJson => otel::parse(path, bytes, opts),
        TranscriptFormat::OpenCodeSqlite => opencode::parse_sqlite(path, bytes, opts),
        TranscriptFormat::OpenCodeJson => opencode::parse_json(path, bytes, opts),
        TranscriptFormat::GooseSqlite => goose::parse_sqlite(path, bytes, opts),
        TranscriptFormat::GooseJsonl => goose::parse_jsonl(path, bytes, opts),
        TranscriptFormat::SqliteSidecar => sidecar(path),
    };
    debug_assert!(parsed.counts.reconciles(), "{:?}", parsed.counts);
    parsed
}

/// A database's `-wal` / `-shm` file: no records of its own (the reader
/// of the database beside it reads the WAL), said in a note.
fn sidecar(path: &Path) -> ParsedTranscript {
    let mut c = util::Collector::new(path);
    c.note("part of the SQLite database beside it (read with the database)");
    c.finish()
}

/// The record for a file that [`detect`] did not recognise (another
/// agent's transcript, or not a transcript): one quarantined record naming
/// the file, so that it is counted and reported rather than dropped.
pub fn unrecognised(path: &Path, bytes: &[u8]) -> ParsedTranscript {
    let mut c = util::Collector::new(path);
    c.quarantine(
        Some(1),
        None,
        "not a transcript format trailblame reads (unknown agent or not a transcript)",
        bytes,
    );
    c.finish()
}

#[cfg(test)]
mod tests_support;

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use super::tests_support::fixtures_root;
    use super::*;

    fn files_under(dir: &Path) -> Vec<PathBuf> {
        let mut out = Vec::new();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(d) = stack.pop() {
            let Ok(rd) = std::fs::read_dir(&d) else {
                continue;
            };
            for e in rd.flatten() {
                let p = e.path();
                if p.is_dir() {
                    stack.push(p);
                } else {
                    out.push(p);
                }
            }
        }
        out.sort();
        out
    }

    /// What each fixture folder holds.
    fn expected_fixture_format(rel: &Path) -> Option<TranscriptFormat> {
        if rel.file_name().is_some_and(|n| n == "README.md") {
            return None; // where a folder's fixtures come from
        }
        let top = rel.components().next()?.as_os_str().to_str()?;
        let ext = rel.extension().and_then(|e| e.to_str()).unwrap_or("");
        match top {
            "claude-code" => Some(TranscriptFormat::ClaudeCode),
            "claude-hooks" => Some(TranscriptFormat::ClaudeHookLog),
            "codex" => Some(TranscriptFormat::Codex),
            "gemini" if ext == "json" => Some(TranscriptFormat::GeminiJson),
            "gemini" => Some(TranscriptFormat::GeminiJsonl),
            "aider" => Some(TranscriptFormat::Aider),
            "amazon-q" => Some(TranscriptFormat::AmazonQJson),
            "kiro" => Some(TranscriptFormat::AmazonQSqlite),
            "otel" => Some(TranscriptFormat::OtelJson),
            "copilot" => Some(TranscriptFormat::CopilotCli),
            "cursor" if ext == "txt" => Some(TranscriptFormat::CursorText),
            "cursor" if rel.to_string_lossy().contains("hook") => {
                Some(TranscriptFormat::CursorHookLog)
            }
            "cursor" => Some(TranscriptFormat::CursorJsonl),
            "cline" => Some(TranscriptFormat::ClineTask),
            // The databases are built from `.sql` scripts by the tests.
            "opencode" if ext == "json" => Some(TranscriptFormat::OpenCodeJson),
            "goose" if ext == "jsonl" => Some(TranscriptFormat::GooseJsonl),
            _ => None,
        }
    }

    fn head(bytes: &[u8]) -> &[u8] {
        &bytes[..bytes.len().min(64 * 1024)]
    }

    #[test]
    fn every_fixture_is_detected_as_its_format() {
        let root = fixtures_root();
        let files = files_under(&root);
        assert!(
            files.len() >= 15,
            "fixtures missing under {}",
            root.display()
        );
        for path in files {
            let rel = path.strip_prefix(&root).unwrap_or(&path);
            let bytes = std::fs::read(&path).unwrap_or_default();
            assert_eq!(
                detect(&path, head(&bytes)),
                expected_fixture_format(rel),
                "{}",
                rel.display()
            );
        }
    }

    #[test]
    fn unknown_agent_transcripts_are_not_claimed_but_quarantined() {
        let root = fixtures_root().join("unknown");
        let files = files_under(&root);
        assert!(!files.is_empty());
        for path in files {
            let bytes = std::fs::read(&path).unwrap_or_default();
            assert_eq!(detect(&path, &bytes), None, "{}", path.display());
            let p = unrecognised(&path, &bytes);
            assert!(p.counts.reconciles());
            assert_eq!(p.quarantined.len(), 1);
            assert_eq!(p.quarantined[0].line, Some(1));
            assert!(
                p.quarantined[0]
                    .source_file
                    .ends_with(&*path.file_name().unwrap().to_string_lossy())
            );
        }
    }

    /// Every fixture cut at many byte offsets, and with bytes overwritten:
    /// no panic, counts reconcile, and nothing the cut file yields is lost
    /// without a trace (a cut JSON line is quarantined, not dropped).
    #[test]
    fn truncated_and_damaged_fixtures_never_panic_and_counts_reconcile() {
        let root = fixtures_root();
        let opts = TranscriptOptions::default();
        for path in files_under(&root) {
            let rel = path.strip_prefix(&root).unwrap_or(&path).to_path_buf();
            let Some(format) = expected_fixture_format(&rel) else {
                continue;
            };
            let bytes = std::fs::read(&path).unwrap_or_default();
            let n = bytes.len();
            let step = (n / 400).max(1);
            let mut cuts: Vec<usize> = (0..=n).step_by(step).collect();
            cuts.extend(n.saturating_sub(80)..=n);
            for cut in cuts {
                let part = &bytes[..cut];
                let _ = detect(&path, part);
                let p = parse(format, &path, part, &opts);
                assert!(
                    p.counts.reconciles(),
                    "{} cut at {cut}: {:?}",
                    rel.display(),
                    p.counts
                );
                assert_eq!(p.counts.quarantined, p.quarantined.len() as u64);
                for q in &p.quarantined {
                    assert!(q.raw.len() <= util::RAW_MAX);
                }
                for c in &p.tool_calls {
                    assert!(
                        c.output_excerpt
                            .as_ref()
                            .is_none_or(|o| o.len() <= text::EXCERPT_MAX)
                    );
                }
            }
            let mut seed = 0x9E37_79B9_7F4A_7C15u64 ^ n as u64;
            for _ in 0..60 {
                let mut damaged = bytes.clone();
                for _ in 0..8 {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    if !damaged.is_empty() {
                        let at = (seed as usize) % damaged.len();
                        damaged[at] = (seed >> 32) as u8;
                    }
                }
                let p = parse(format, &path, &damaged, &opts);
                assert!(
                    p.counts.reconciles(),
                    "{} damaged: {:?}",
                    rel.display(),
                    p.counts
                );
            }
        }
    }

    #[test]
    fn any_format_on_any_bytes_never_panics() {
        let opts = TranscriptOptions::default();
        let inputs: [&[u8]; 8] = [
            b"",
            b"\n\n\n",
            b"{",
            b"[[[[[[[[",
            b"\xff\xfe\x00garbage\n{\"type\":\"user\"}\n",
            b"{\"type\":\"assistant\",\"message\":{\"content\":[{\"type\":\"tool_use\"}]}}",
            b"# aider chat started at not-a-date\n#### /run\n> Running \n",
            b"SQLite format 3\0",
        ];
        let formats = [
            TranscriptFormat::ClaudeCode,
            TranscriptFormat::ClaudeHookLog,
            TranscriptFormat::Codex,
            TranscriptFormat::GeminiJsonl,
            TranscriptFormat::GeminiJson,
            TranscriptFormat::Aider,
            TranscriptFormat::AmazonQJson,
            TranscriptFormat::AmazonQSqlite,
            TranscriptFormat::OtelJson,
            TranscriptFormat::CopilotCli,
            TranscriptFormat::CursorJsonl,
            TranscriptFormat::CursorText,
            TranscriptFormat::CursorHookLog,
            TranscriptFormat::ClineTask,
            TranscriptFormat::OpenCodeSqlite,
            TranscriptFormat::OpenCodeJson,
            TranscriptFormat::GooseSqlite,
            TranscriptFormat::GooseJsonl,
            TranscriptFormat::SqliteSidecar,
        ];
        for f in formats {
            for input in inputs {
                let p = parse(f, Path::new("x"), input, &opts);
                assert!(p.counts.reconciles(), "{f:?} on {input:?}: {:?}", p.counts);
            }
        }
    }

    /// The real public samples in `../shared/samples/transcripts` (skipped
    /// when absent): each file is detected as the agent its folder names,
    /// yields sessions, and nothing is quarantined except the deliberately
    /// broken non-object lines of `edge_cases.jsonl`.
    #[test]
    fn shared_samples_parse_without_quarantine() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/samples/transcripts");
        if !root.is_dir() {
            return;
        }
        let opts = TranscriptOptions::default();
        let mut parsed_files = 0;
        for path in files_under(&root) {
            let rel = path.strip_prefix(&root).unwrap_or(&path);
            let name = rel.to_string_lossy();
            let expected = match rel.components().next().and_then(|c| c.as_os_str().to_str()) {
                Some("claude-code") => Some(TranscriptFormat::ClaudeCode),
                Some("codex") => Some(TranscriptFormat::Codex),
                Some("aider") => Some(TranscriptFormat::Aider),
                Some("other") if name.contains("kiro") => Some(TranscriptFormat::AmazonQJson),
                _ => None,
            };
            let bytes = std::fs::read(&path).unwrap_or_default();
            let format = detect(&path, head(&bytes));
            assert_eq!(format, expected, "{name}");
            let Some(format) = format else {
                continue;
            };
            let p = parse(format, &path, &bytes, &opts);
            parsed_files += 1;
            assert!(p.counts.reconciles(), "{name}: {:?}", p.counts);
            assert!(!p.sessions.is_empty(), "{name}: no session");
            if name.ends_with("edge_cases.jsonl") {
                assert!(!p.quarantined.is_empty());
                for q in &p.quarantined {
                    assert_eq!(q.reason, "valid JSON but not an object", "{name}: {q:?}");
                }
            } else {
                assert!(p.quarantined.is_empty(), "{name}: {:?}", p.quarantined);
            }
        }
        assert!(parsed_files > 0);
    }
}
