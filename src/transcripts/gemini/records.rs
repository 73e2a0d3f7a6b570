//! The record shapes of a Gemini CLI recording, as serde reads them: a log
//! line (`$rewindTo`, `$set`, a message or the metadata line), session
//! metadata, a message and a tool call inside it.

use std::borrow::Cow;

use serde::Deserialize;
use serde_json::value::RawValue;

#[derive(Deserialize)]
pub(super) struct Rec<'a> {
    #[serde(rename = "$rewindTo", borrow)]
    pub(super) rewind_to: Option<&'a RawValue>,
    #[serde(borrow)]
    pub(super) id: Option<&'a RawValue>,
    #[serde(rename = "$set", borrow)]
    pub(super) set: Option<&'a RawValue>,
    #[serde(rename = "sessionId", borrow)]
    pub(super) session_id: Option<&'a RawValue>,
    #[serde(rename = "projectHash", borrow)]
    pub(super) project_hash: Option<&'a RawValue>,
}

#[derive(Deserialize, Default)]
pub(super) struct Meta<'a> {
    #[serde(rename = "sessionId", borrow)]
    pub(super) session_id: Option<Cow<'a, str>>,
    #[serde(rename = "startTime", borrow)]
    pub(super) start_time: Option<Cow<'a, str>>,
    #[serde(rename = "lastUpdated", borrow)]
    pub(super) last_updated: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub(super) kind: Option<Cow<'a, str>>,
    pub(super) directories: Option<Vec<String>>,
    #[serde(borrow)]
    pub(super) messages: Option<&'a RawValue>,
}

#[derive(Deserialize)]
pub(super) struct GMsg<'a> {
    #[serde(rename = "type", borrow)]
    pub(super) kind: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub(super) timestamp: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub(super) content: Option<&'a RawValue>,
    #[serde(borrow)]
    pub(super) model: Option<Cow<'a, str>>,
    #[serde(rename = "toolCalls", borrow)]
    pub(super) tool_calls: Option<Vec<&'a RawValue>>,
}

#[derive(Deserialize)]
pub(super) struct GTool<'a> {
    #[serde(borrow)]
    pub(super) id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub(super) name: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub(super) args: Option<&'a RawValue>,
    #[serde(borrow)]
    pub(super) result: Option<&'a RawValue>,
    #[serde(borrow)]
    pub(super) status: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub(super) timestamp: Option<Cow<'a, str>>,
    #[serde(rename = "resultDisplay", borrow)]
    pub(super) result_display: Option<&'a RawValue>,
}

#[derive(Deserialize)]
pub(super) struct ShellArgs<'a> {
    #[serde(borrow)]
    pub(super) command: Option<Cow<'a, str>>,
}
