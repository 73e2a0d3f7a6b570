//! The shapes OpenCode stores, as serde reads them: message info (`role`,
//! times, model, path), parts (`text`, `tool` with its state), a session
//! file of the legacy JSON storage, and permission rules. In the database
//! the ids live in columns; in the legacy files they are in the JSON.

use serde::Deserialize;
use serde_json::value::RawValue;

use super::super::lenient::{RawText, Text};

#[derive(Deserialize, Default)]
pub(super) struct MessageInfo {
    pub(super) id: Option<String>,
    #[serde(rename = "sessionID")]
    pub(super) session_id: Option<String>,
    pub(super) role: Option<String>,
    pub(super) time: Option<Times>,
    #[serde(rename = "modelID")]
    pub(super) model_id: Option<String>,
    /// A user message names the model it asked for.
    pub(super) model: Option<ModelRef>,
    pub(super) path: Option<MessagePath>,
}

#[derive(Deserialize, Default, Clone, Copy)]
pub(super) struct Times {
    pub(super) created: Option<f64>,
    pub(super) updated: Option<f64>,
    pub(super) completed: Option<f64>,
    pub(super) start: Option<f64>,
    pub(super) end: Option<f64>,
}

#[derive(Deserialize)]
pub(super) struct ModelRef {
    #[serde(rename = "modelID", alias = "id")]
    pub(super) model_id: Option<String>,
}

#[derive(Deserialize)]
pub(super) struct MessagePath {
    pub(super) cwd: Option<String>,
}

/// A part, its text borrowed from the row or file where it has no escapes:
/// a database holds a million of them.
#[derive(Deserialize)]
pub(super) struct Part<'a> {
    #[serde(borrow)]
    pub(super) id: Option<Text<'a>>,
    #[serde(rename = "sessionID", borrow)]
    pub(super) session_id: Option<Text<'a>>,
    #[serde(rename = "messageID", borrow)]
    pub(super) message_id: Option<Text<'a>>,
    #[serde(rename = "type", borrow)]
    pub(super) kind: Option<Text<'a>>,
    #[serde(borrow)]
    pub(super) text: Option<Text<'a>>,
    pub(super) synthetic: Option<bool>,
    pub(super) ignored: Option<bool>,
    #[serde(rename = "callID", borrow)]
    pub(super) call_id: Option<Text<'a>>,
    #[serde(borrow)]
    pub(super) tool: Option<Text<'a>>,
    #[serde(borrow)]
    pub(super) state: Option<ToolState<'a>>,
    pub(super) time: Option<Times>,
}

#[derive(Deserialize)]
pub(super) struct ToolState<'a> {
    #[serde(borrow)]
    pub(super) status: Option<Text<'a>>,
    #[serde(borrow)]
    pub(super) input: Option<&'a RawValue>,
    /// Only an excerpt is kept: left as JSON (a `read` tool's output is
    /// a whole file).
    #[serde(borrow)]
    pub(super) output: Option<RawText<'a>>,
    #[serde(borrow)]
    pub(super) error: Option<Text<'a>>,
    pub(super) metadata: Option<ToolMetadata>,
    pub(super) time: Option<Times>,
}

#[derive(Deserialize)]
pub(super) struct ToolMetadata {
    /// The bash tool's exit code (null when killed).
    pub(super) exit: Option<serde_json::Value>,
    pub(super) interrupted: Option<bool>,
}

#[derive(Deserialize)]
pub(super) struct BashInput {
    pub(super) command: Option<String>,
}

/// `storage/session/<projectID>/<sessionID>.json`.
#[derive(Deserialize)]
pub(super) struct SessionFile {
    pub(super) id: Option<String>,
    #[serde(rename = "parentID")]
    pub(super) parent_id: Option<String>,
    pub(super) directory: Option<String>,
    pub(super) version: Option<String>,
    pub(super) time: Option<Times>,
}

/// One permission rule: `{permission, pattern, action}`; the last rule
/// that matches decides.
#[derive(Deserialize, Clone, Debug)]
pub(super) struct Rule {
    pub(super) permission: String,
    pub(super) pattern: String,
    pub(super) action: String,
}
