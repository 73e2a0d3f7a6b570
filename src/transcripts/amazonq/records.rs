//! The shapes inside an Amazon Q / Kiro `ConversationState`, as serde
//! reads them: history entries, user content (externally tagged), the
//! assistant's response or tool uses, tool results and their JSON blocks,
//! and the arguments of shell and `use_aws` calls.

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::value::RawValue;

#[derive(Deserialize)]
pub(super) struct EntryObj<'a> {
    #[serde(borrow)]
    pub(super) user: Option<&'a RawValue>,
    #[serde(borrow)]
    pub(super) assistant: Option<&'a RawValue>,
    pub(super) request_metadata: Option<ReqMeta>,
}

#[derive(Deserialize, Default, Clone)]
pub(super) struct ReqMeta {
    pub(super) request_start_timestamp_ms: Option<u64>,
    pub(super) stream_end_timestamp_ms: Option<u64>,
    pub(super) model_id: Option<String>,
}

#[derive(Deserialize)]
pub(super) struct User<'a> {
    #[serde(borrow)]
    pub(super) content: Option<&'a RawValue>,
    #[serde(borrow)]
    pub(super) timestamp: Option<Cow<'a, str>>,
    pub(super) env_context: Option<EnvContext>,
}

#[derive(Deserialize)]
pub(super) struct EnvContext {
    pub(super) env_state: Option<EnvState>,
}

#[derive(Deserialize)]
pub(super) struct EnvState {
    pub(super) current_working_directory: Option<String>,
}

#[derive(Deserialize)]
pub(super) struct UserContent<'a> {
    #[serde(rename = "Prompt", borrow)]
    pub(super) prompt: Option<&'a RawValue>,
    #[serde(rename = "ToolUseResults", borrow)]
    pub(super) results: Option<&'a RawValue>,
    #[serde(rename = "CancelledToolUses", borrow)]
    pub(super) cancelled: Option<&'a RawValue>,
}

#[derive(Deserialize)]
pub(super) struct PromptObj<'a> {
    #[serde(borrow)]
    pub(super) prompt: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub(super) tool_use_results: Option<&'a RawValue>,
}

#[derive(Deserialize)]
pub(super) struct ToolResult<'a> {
    #[serde(borrow)]
    pub(super) tool_use_id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub(super) content: Option<&'a RawValue>,
    #[serde(borrow)]
    pub(super) status: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
pub(super) struct Block<'a> {
    #[serde(rename = "Json", borrow)]
    pub(super) json: Option<&'a RawValue>,
}

#[derive(Deserialize)]
pub(super) struct ExecJson<'a> {
    #[serde(borrow)]
    pub(super) exit_status: Option<&'a RawValue>,
}

#[derive(Deserialize)]
pub(super) struct Assistant<'a> {
    #[serde(rename = "Response", borrow)]
    pub(super) response: Option<Body<'a>>,
    #[serde(rename = "ToolUse", borrow)]
    pub(super) tool_use: Option<Body<'a>>,
}

#[derive(Deserialize)]
pub(super) struct Body<'a> {
    #[serde(borrow)]
    pub(super) content: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub(super) tool_uses: Option<Vec<ToolUse<'a>>>,
}

#[derive(Deserialize)]
pub(super) struct ToolUse<'a> {
    #[serde(borrow)]
    pub(super) id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub(super) name: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub(super) orig_name: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub(super) args: Option<&'a RawValue>,
}

#[derive(Deserialize)]
pub(super) struct ShellArgs {
    pub(super) command: Option<String>,
}

#[derive(Deserialize)]
pub(super) struct UseAws {
    pub(super) service_name: Option<String>,
    pub(super) operation_name: Option<String>,
    pub(super) parameters: Option<BTreeMap<String, serde_json::Value>>,
    pub(super) region: Option<String>,
    pub(super) profile_name: Option<String>,
}

#[derive(Deserialize)]
pub(super) struct ModelInfo {
    pub(super) model_id: Option<String>,
}
