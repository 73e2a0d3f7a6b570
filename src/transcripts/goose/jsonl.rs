//! A legacy Goose session file (`<id>.jsonl`): the first line is the
//! session's metadata, each later line one message. The session id is the
//! file name, as Goose used it.

use std::path::Path;

use super::super::util::{Collector, file_stem, json_line_reason, lines, operator_for};
use super::super::{AgentSession, TranscriptOptions};
use super::AGENT;
use super::conversation::{Conversation, role_of, seconds};
use super::records::{LineMessage, LineMetadata};

pub(super) fn read(c: &mut Collector, path: &Path, bytes: &[u8], opts: &TranscriptOptions) {
    let session_id = file_stem(path);
    let mut conv = Conversation::new(&session_id);
    let mut cwd: Option<String> = None;
    let mut first = true;
    for (n, line) in lines(bytes) {
        let is_first = std::mem::take(&mut first);
        if is_first
            && let Ok(m) = serde_json::from_slice::<LineMetadata>(line)
            && m.working_dir.is_some()
        {
            cwd = m.working_dir;
            c.used();
            continue;
        }
        let msg = match serde_json::from_slice::<LineMessage<'_>>(line) {
            Ok(m) => m,
            Err(e) => {
                c.quarantine(Some(n), None, json_line_reason(line, &e), line);
                continue;
            }
        };
        let (Some(role), Some(content)) = (msg.role.as_deref(), msg.content) else {
            c.quarantine(
                Some(n),
                None,
                "a message line without role or content",
                line,
            );
            continue;
        };
        let time = seconds(msg.created);
        match conv.message(c, role_of(role), time, content.get(), n) {
            Ok(()) => c.used(),
            Err(e) => c.quarantine(Some(n), None, e, line),
        }
    }
    let span = conv.finish(c);
    let operator = operator_for(path, cwd.as_deref(), opts);
    c.out.sessions.push(AgentSession {
        session_id,
        agent: AGENT.to_owned(),
        started_at: span.first,
        ended_at: span.last,
        cwd,
        operator,
        source_file: c.source_file.clone(),
        // The legacy file stores no model, version, branch, mode or parent.
        ..AgentSession::default()
    });
}
