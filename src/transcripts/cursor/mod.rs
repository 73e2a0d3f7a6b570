//! Cursor (the IDE's agent and the `cursor-agent` CLI): the agent
//! transcripts it writes (`transcript`: JSON Lines, and the older plain
//! text) and the payloads its hooks receive, as a logging hook keeps them
//! (`hooks`). The transcripts hold the conversation and the tool calls
//! without times (and sometimes with their input `REDACTED`); the hook log
//! holds each shell command exactly, with the time the logger added. Both
//! name the session by the conversation id, so the two are one session.

mod hooks;
mod payload;
#[cfg(test)]
mod tests;
mod transcript;

pub(crate) use hooks::{is_event_name, parse as parse_hook_log};
pub(crate) use transcript::{is_text_transcript, parse_jsonl, parse_text};

/// The agent's name, as `catalogs/agent_markers.tsv` names it (`m/AW`).
pub(crate) const AGENT: &str = "cursor";
