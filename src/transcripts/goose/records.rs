//! The shapes Goose stores, as serde reads them: a message (`role`,
//! `created` in seconds, `content` items tagged by `type`), the tool
//! request and response inside it (each a `{status, value | error}`
//! result), and the first line of a legacy `.jsonl` session.

use std::borrow::Cow;

use serde::Deserialize;
use serde_json::value::RawValue;

/// A legacy `.jsonl` line after the first (the database keeps the same
/// fields in columns).
#[derive(Deserialize)]
pub(super) struct LineMessage<'a> {
    pub(super) role: Option<String>,
    pub(super) created: Option<f64>,
    #[serde(borrow)]
    pub(super) content: Option<&'a RawValue>,
}

/// The first line of a legacy `.jsonl` session.
#[derive(Deserialize)]
pub(super) struct LineMetadata {
    pub(super) working_dir: Option<String>,
}

/// One item of a message's content.
#[derive(Deserialize)]
pub(super) struct Item<'a> {
    #[serde(rename = "type", borrow)]
    pub(super) kind: Option<Cow<'a, str>>,
    pub(super) id: Option<String>,
    pub(super) text: Option<String>,
    #[serde(rename = "toolCall", borrow)]
    pub(super) tool_call: Option<ToolResult<'a>>,
    #[serde(rename = "toolResult", borrow)]
    pub(super) tool_result: Option<ToolResult<'a>>,
    /// `actionRequired`: `{actionType: "toolConfirmation", id, …}`.
    pub(super) data: Option<ActionData>,
}

/// Goose's `ToolResult<T>` as stored: `{status: "success", value}` or
/// `{status: "error", error}`.
#[derive(Deserialize)]
pub(super) struct ToolResult<'a> {
    pub(super) status: Option<String>,
    #[serde(borrow)]
    pub(super) value: Option<&'a RawValue>,
    pub(super) error: Option<String>,
}

/// A tool request's `value`: MCP `CallToolRequestParam`.
#[derive(Deserialize)]
pub(super) struct CallParam<'a> {
    pub(super) name: Option<String>,
    #[serde(borrow)]
    pub(super) arguments: Option<&'a RawValue>,
}

#[derive(Deserialize)]
pub(super) struct ShellArgs {
    pub(super) command: Option<String>,
}

/// A tool response's `value` in newer builds: MCP `CallToolResult`.
#[derive(Deserialize)]
pub(super) struct CallResult<'a> {
    #[serde(borrow)]
    pub(super) content: Option<&'a RawValue>,
    #[serde(rename = "isError")]
    pub(super) is_error: Option<bool>,
}

#[derive(Deserialize)]
pub(super) struct ActionData {
    #[serde(rename = "actionType")]
    pub(super) action_type: Option<String>,
    pub(super) id: Option<String>,
}
