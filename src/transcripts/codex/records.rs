//! The record shapes of a Codex rollout, as serde reads them: the
//! envelope, `session_meta`, `turn_context`, `response_item` and
//! `event_msg` payloads, and the JSON inside arguments and outputs. Text is
//! borrowed from the line where it can be; nested values stay raw until
//! something needs them.

use std::borrow::Cow;

use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::value::RawValue;

#[derive(Deserialize)]
pub(super) struct Envelope<'a> {
    #[serde(borrow)]
    pub(super) timestamp: Option<Cow<'a, str>>,
    #[serde(rename = "type", borrow)]
    pub(super) kind: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub(super) payload: Option<&'a RawValue>,
    pub(super) id: Option<IgnoredAny>,
    pub(super) record_type: Option<IgnoredAny>,
}

#[derive(Deserialize)]
pub(super) struct Meta<'a> {
    #[serde(borrow)]
    pub(super) id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub(super) session_id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub(super) timestamp: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub(super) cwd: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub(super) cli_version: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub(super) source: Option<&'a RawValue>,
    #[serde(borrow)]
    pub(super) git: Option<Git<'a>>,
}

#[derive(Deserialize)]
pub(super) struct Git<'a> {
    #[serde(borrow)]
    pub(super) branch: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
pub(super) struct TurnContext<'a> {
    #[serde(borrow)]
    pub(super) cwd: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub(super) model: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub(super) approval_policy: Option<&'a RawValue>,
    #[serde(borrow)]
    pub(super) sandbox_policy: Option<&'a RawValue>,
}

#[derive(Deserialize)]
pub(super) struct Item<'a> {
    #[serde(rename = "type", borrow)]
    pub(super) kind: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub(super) role: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub(super) content: Option<&'a RawValue>,
    #[serde(borrow)]
    pub(super) name: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub(super) arguments: Option<&'a RawValue>,
    #[serde(borrow)]
    pub(super) call_id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub(super) id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub(super) output: Option<&'a RawValue>,
    #[serde(borrow)]
    pub(super) action: Option<&'a RawValue>,
}

#[derive(Deserialize)]
pub(super) struct Event<'a> {
    #[serde(rename = "type", borrow)]
    pub(super) kind: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub(super) message: Option<Cow<'a, str>>,
    /// Older builds marked injected user messages: `plain`,
    /// `user_instructions`, `environment_context`.
    #[serde(rename = "kind", borrow)]
    pub(super) message_kind: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub(super) call_id: Option<Cow<'a, str>>,
    pub(super) exit_code: Option<i64>,
    #[serde(borrow)]
    pub(super) aggregated_output: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub(super) formatted_output: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub(super) stdout: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub(super) stderr: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub(super) command: Option<&'a RawValue>,
    #[serde(borrow)]
    pub(super) invocation: Option<&'a RawValue>,
    #[serde(borrow)]
    pub(super) result: Option<&'a RawValue>,
}

#[derive(Deserialize, Default)]
pub(super) struct ShellArgs {
    pub(super) command: Option<Box<RawValue>>,
    pub(super) cmd: Option<String>,
    pub(super) chars: Option<String>,
    pub(super) with_escalated_permissions: Option<bool>,
    pub(super) sandbox_permissions: Option<String>,
}

#[derive(Deserialize)]
pub(super) struct LocalShellAction {
    pub(super) command: Option<Vec<String>>,
}

#[derive(Deserialize)]
pub(super) struct JsonOutput {
    pub(super) output: Option<String>,
    pub(super) metadata: Option<JsonOutputMeta>,
}

#[derive(Deserialize)]
pub(super) struct JsonOutputMeta {
    pub(super) exit_code: Option<i64>,
}

#[derive(Deserialize)]
pub(super) struct McpInvocation<'a> {
    #[serde(borrow)]
    pub(super) server: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub(super) tool: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub(super) arguments: Option<&'a RawValue>,
}

#[derive(Deserialize)]
pub(super) struct McpResult<'a> {
    #[serde(rename = "Ok", borrow)]
    pub(super) ok: Option<&'a RawValue>,
    #[serde(rename = "Err", borrow)]
    pub(super) err: Option<&'a RawValue>,
}

#[derive(Deserialize)]
pub(super) struct McpOk {
    #[serde(rename = "isError")]
    pub(super) is_error: Option<bool>,
}
