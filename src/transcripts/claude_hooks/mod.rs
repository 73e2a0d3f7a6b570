//! Claude Code hook logs: the JSON payloads Claude Code hands its hooks on
//! stdin, as a logging hook keeps them — one per line (JSON Lines), or a
//! JSON array of them (as the widely copied `logs/<event>.json` loggers
//! write). Organisations collect these centrally where laptops' transcripts
//! are out of reach, and they are the only Claude Code record of a
//! permission dialog: `PermissionRequest` (or a `Notification` of type
//! `permission_prompt`) followed by `PostToolUse` means a person approved
//! the call; `PermissionDenied` means auto mode refused it.
//!
//! Rows use the transcript's own ids (`session_id` is the transcript's
//! `sessionId`, `tool_use_id` its `tool_use` id), so a call seen in both is
//! one call: attribution keeps the stronger approval of the two. Payloads
//! carry no time; the logger's (`timestamp`, `time`, `ts`, `logged_at`, or
//! trailblame's wrapper `{"logged_at", "agent", "hook"}`) is used, and a
//! call without one is kept but cannot be joined to CloudTrail on its own.
//! Payloads of other hook events are counted and skipped; anything that is
//! not a payload (hand-piped test input, broken lines) is quarantined with
//! its line.

mod reader;
mod records;
#[cfg(test)]
mod tests;

use std::path::Path;

use super::json_doc::{ArrayPart, walk_array};
use super::text::first_byte;
use super::util::lines;
use super::{ParsedTranscript, TranscriptOptions};
use reader::Reader;

pub(crate) fn parse(path: &Path, bytes: &[u8], opts: &TranscriptOptions) -> ParsedTranscript {
    let mut r = Reader::new(path, opts);
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if first_byte(body) == Some(b'[') {
        read_array(&mut r, bytes);
    } else {
        for (no, line) in lines(bytes) {
            r.record(no, line);
        }
    }
    r.finish()
}

/// A JSON array of payloads: each element is a record; a cut or broken
/// tail is one quarantined record naming its line.
fn read_array(r: &mut Reader<'_>, bytes: &[u8]) {
    walk_array(bytes, "hook payload array", |part| match part {
        ArrayPart::Item { line, raw, .. } => r.record(line, raw.as_bytes()),
        ArrayPart::Broken {
            line, why, rest, ..
        } => r.c.quarantine(Some(line), None, why, rest),
    });
}
