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
//!
//! `database` reads the SQLite store, `conversation` one state into a
//! session, `tool_uses` the assistant's calls, `records` holds the serde
//! shapes.

mod conversation;
mod database;
mod records;
#[cfg(test)]
mod tests;
mod tool_uses;

use std::path::Path;

use super::util::{Collector, file_stem};
use super::{ParsedTranscript, TranscriptOptions};
use conversation::read_state;
use database::read_database;

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
    let mut c = super::sqlite::parse_with(path, bytes, opts, "SQLite database", read_database);
    let wal = format!("{}-wal", path.to_string_lossy());
    if Path::new(&wal).exists() {
        c.note("a -wal file sits beside the database; changes not yet checkpointed were not read");
    }
    c.finish()
}
