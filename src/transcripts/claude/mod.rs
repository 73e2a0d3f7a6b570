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
//!
//! `records` holds the serde shapes, `reader` reads lines into sessions and
//! messages, `calls` opens and closes tool calls, `approval` infers how
//! each call was approved, `chain` checks that each call sits in the
//! file's `uuid` / `parentUuid` chain (`tool_calls.chain_break`).

pub(super) mod approval;
pub(super) mod calls;
mod chain;
mod reader;
mod records;
#[cfg(test)]
mod tests;

use std::path::Path;

use super::json_doc::Cursor;
use super::util::lines;
use super::{ParsedTranscript, TranscriptOptions};
use reader::Reader;

/// How much of a long text is unescaped: enough for an excerpt and the
/// markers at its start.
const TEXT_PREFIX: usize = super::text::EXCERPT_MAX + 512;

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
