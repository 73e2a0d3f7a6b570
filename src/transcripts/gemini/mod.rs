//! Gemini CLI chat recordings: the JSONL append log
//! (`~/.gemini/tmp/<project>/chats/session-*.jsonl`, since April 2026) and
//! the older single-document `session-*.json` `ConversationRecord`.
//! Subagents live in `chats/<parentSessionId>/<sessionId>.jsonl`.
//!
//! The log is replayed the way gemini-cli's own loader does it: the first
//! line is session metadata; message records are upserted by `id` (the last
//! record per id wins, keeping its first position); `{"$set": {…}}` patches
//! metadata (and may carry `messages`, which are upserted too);
//! `{"$rewindTo": id}` drops that message and every later one (all of them
//! when the id is unknown). Dropped messages are not reported, but a tool
//! call inside one that had already run (status `success` or `error`) is
//! kept, because it acted on the world before the rewind; the notes say how
//! many. Shell calls are `run_shell_command` with `args.command`; the
//! result text holds `Exit Code: N` (only when N ≠ 0 in current builds);
//! `status` is `success`, `error` or `cancelled`, and the denial strings
//! tell a user's refusal from a policy's. Approval is never recorded.
//!
//! `records` holds the serde shapes, `reader` replays the records into the
//! session and its messages, `calls` reads each tool call.

mod calls;
mod reader;
mod records;
#[cfg(test)]
mod tests;

use std::path::Path;

use super::json_doc::{Cursor, WalkError};
use super::util::lines;
use super::{ParsedTranscript, TranscriptOptions};
use reader::Reader;

pub(crate) fn parse_jsonl(path: &Path, bytes: &[u8], opts: &TranscriptOptions) -> ParsedTranscript {
    let mut r = Reader::new(path);
    for (no, line) in lines(bytes) {
        r.line(no, line);
    }
    r.finish(path, opts)
}

pub(crate) fn parse_json(path: &Path, bytes: &[u8], opts: &TranscriptOptions) -> ParsedTranscript {
    let mut r = Reader::new(path);
    let mut cur = Cursor::new(bytes);
    let walked = (|| -> Result<(), WalkError> {
        cur.begin_object()?;
        let mut first = true;
        while let Some(key) = cur.next_key(&mut first)? {
            if key == "messages" {
                if !cur.begin_array()? {
                    continue;
                }
                let mut f = true;
                let mut idx = 0u64;
                while let Some((item, pos)) = cur.next_item(&mut f)? {
                    let line = cur.line_at(pos);
                    r.document_message(line, idx, item);
                    idx += 1;
                }
            } else {
                let (value, _) = cur.value()?;
                r.document_member(&key, value);
            }
        }
        Ok(())
    })();
    match walked {
        Ok(()) => r.c.used(),
        Err(e) => {
            let line = cur.line_at(e.pos);
            let rest = &bytes[e.pos.min(bytes.len())..];
            r.c.quarantine(
                Some(line),
                None,
                format!("session document: {}", e.reason),
                rest,
            );
        }
    }
    r.finish(path, opts)
}
