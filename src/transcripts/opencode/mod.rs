//! OpenCode (anomalyco/opencode, formerly sst/opencode). Since v1.2 it
//! keeps everything in one SQLite database, `$XDG_DATA_HOME/opencode/
//! opencode.db`, in WAL mode: `session` (`id` `ses_…`, `project_id`,
//! `parent_id`, `directory`, `version`, `permission` ruleset JSON, times in
//! epoch ms), `message` (`id` `msg_…`, `session_id`, `data` JSON: `role`,
//! `time`, `modelID`, `path.cwd`), `part` (`id` `prt_…`, `message_id`,
//! `session_id`, `data` JSON: a `text` part, a `tool` part `{callID, tool,
//! state: {status, input, output | error, metadata, time}}`, …) and
//! `permission` (`project_id`, `data`: the rules a person saved with
//! "always"). Earlier versions wrote the same JSON as files under
//! `storage/`: `session/<projectID>/<sessionID>.json`,
//! `message/<sessionID>/<msgID>.json`, `part/<msgID>/<partID>.json`.
//!
//! A faulty migration left some users with both (anomalyco/opencode
//! #13654), so both are read. Every row keeps OpenCode's own session and
//! call ids, so a session found in both is the same session to
//! attribution (sessions are taken once by id; a call recorded by two
//! files is one call, `attribution::input::calls`).
//!
//! `database` reads the SQLite store through a private copy (its `-wal`
//! included; `transcripts::sqlite`), `storage` one legacy file, `parts`
//! turns a part into a call or a message, `records` holds the serde shapes.

mod database;
mod parts;
mod records;
mod storage;
#[cfg(test)]
mod tests;

use std::path::Path;

use super::util::Collector;
use super::{ParsedTranscript, TranscriptOptions};

pub(crate) use storage::is_storage_file;

/// The agent name, as `catalogs/agent_markers.tsv` names OpenCode (`m/AR`).
pub(crate) const AGENT: &str = "opencode";

/// Tables that make a database OpenCode's.
pub(crate) const TABLES: [&str; 3] = ["session", "message", "part"];

pub(crate) fn parse_sqlite(
    path: &Path,
    bytes: &[u8],
    opts: &TranscriptOptions,
) -> ParsedTranscript {
    let c = super::sqlite::parse_with(
        path,
        bytes,
        opts,
        "OpenCode database",
        database::read_database,
    );
    c.finish()
}

pub(crate) fn parse_json(path: &Path, bytes: &[u8], opts: &TranscriptOptions) -> ParsedTranscript {
    let mut c = Collector::new(path);
    storage::read_file(&mut c, path, bytes, opts);
    c.finish()
}
