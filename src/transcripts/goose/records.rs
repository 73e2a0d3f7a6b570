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

/// One item of a message's content. `C` is what the tool request's
/// result is read as: its JSON text (`Item`, each item read on its own,
/// the request's `value` read only when it is needed, so an item whose
/// request cannot be read is still an item), or the request itself
/// (`FullItem`, the whole content read in one pass, which succeeds only
/// when every layer of the other reading would).
#[derive(Deserialize)]
pub(super) struct Item<'a, C = ToolResult<'a>> {
    #[serde(rename = "type", borrow)]
    pub(super) kind: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub(super) id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub(super) text: Option<Cow<'a, str>>,
    #[serde(rename = "toolCall")]
    pub(super) tool_call: Option<C>,
    #[serde(rename = "toolResult", borrow)]
    pub(super) tool_result: Option<ToolResult<'a>>,
    /// `actionRequired`: `{actionType: "toolConfirmation", id, …}`.
    pub(super) data: Option<ActionData>,
}

/// An item read with its tool request in the same pass.
pub(super) type FullItem<'a> = Item<'a, ToolResult<'a, CallParam<'a>>>;

/// Goose's `ToolResult<T>` as stored: `{status: "success", value}` or
/// `{status: "error", error}`; `value` as its JSON text, or read as `V`.
#[derive(Deserialize)]
pub(super) struct ToolResult<'a, V = &'a RawValue> {
    #[serde(borrow)]
    pub(super) status: Option<Cow<'a, str>>,
    pub(super) value: Option<V>,
    #[serde(borrow)]
    pub(super) error: Option<Cow<'a, str>>,
}

/// A tool request's `value`: MCP `CallToolRequestParam`.
#[derive(Deserialize)]
pub(super) struct CallParam<'a> {
    #[serde(borrow)]
    pub(super) name: Option<Cow<'a, str>>,
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
