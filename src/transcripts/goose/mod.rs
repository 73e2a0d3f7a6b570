//! Goose (block/goose). Sessions live in the SQLite database
//! `~/.local/share/goose/sessions/sessions.db` (schema version 5, written
//! by `crates/goose/src/session/session_manager.rs`): `sessions` (`id`
//! `YYYYMMDD_n`, `working_dir`, `session_type` user / scheduled /
//! sub_agent / hidden, `created_at`, `updated_at`, …) and `messages`
//! (`session_id`, `role`, `content_json`, `created_timestamp` in seconds,
//! `metadata_json`). Before it, each session was a `.jsonl` file in the
//! same folder: a metadata line (`working_dir`, `description`,
//! `message_count`, …), then one message per line (`role`, `created`,
//! `content`); Goose imports them into the database once and leaves them.
//!
//! Content items are tagged by `type`: `text`, `toolRequest` (`id`,
//! `toolCall: {status, value: {name, arguments}}`, the shell being
//! `developer__shell` with `arguments.command`), `toolResponse` (`id`,
//! `toolResult: {status, value | error}`), `toolConfirmationRequest`,
//! `actionRequired`, `thinking`, …. The agent is `goose` (AWS gives it no
//! user-agent marker).
//!
//! `database` reads the SQLite store through a private copy with its
//! `-wal` (`transcripts::sqlite`), `jsonl` a legacy file, `conversation`
//! one session's messages, `records` the serde shapes.

mod conversation;
mod database;
mod jsonl;
mod records;
#[cfg(test)]
mod tests;

use std::path::Path;

use super::util::Collector;
use super::{ParsedTranscript, TranscriptOptions};

/// The agent name.
pub(crate) const AGENT: &str = "goose";

pub(crate) fn parse_sqlite(
    path: &Path,
    bytes: &[u8],
    opts: &TranscriptOptions,
) -> ParsedTranscript {
    let c = super::sqlite::parse_with(path, bytes, opts, "Goose database", database::read_database);
    c.finish()
}

pub(crate) fn parse_jsonl(path: &Path, bytes: &[u8], opts: &TranscriptOptions) -> ParsedTranscript {
    let mut c = Collector::new(path);
    jsonl::read(&mut c, path, bytes, opts);
    c.finish()
}
