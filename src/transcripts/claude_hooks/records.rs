//! The shape of one Claude Code hook payload as a log keeps it, read in
//! one serde pass. Claude Code writes the payload on the hook's stdin
//! (hooks reference: `session_id`, `transcript_path`, `cwd`,
//! `permission_mode`, `hook_event_name`, then per event `tool_name`,
//! `tool_input`, `tool_use_id`, `tool_response`, `error`, `is_interrupt`,
//! `reason`, `message`, `notification_type`, `prompt`, `model`, `agent_id`).
//! The payload carries no time of its own: loggers add one (`timestamp`,
//! `time`, `ts`, `logged_at`), or wrap it as `{"logged_at", "agent",
//! "hook": {…}}` (trailblame's `scripts/hooks/trailblame-hook-log`), and
//! some also keep the hook's answer (`hookSpecificOutput`).

use std::borrow::Cow;

use serde::Deserialize;
use serde_json::value::RawValue;

/// `H` is how the wrapper's `hook` member is read: kept as JSON text
/// (`RawValue`, the general path) or read as the payload in the same pass
/// (`Box<Payload>`, `reader`'s fast path for trailblame's wrapper).
#[derive(Deserialize, Default)]
pub(super) struct Payload<'a, H = &'a RawValue> {
    #[serde(borrow)]
    pub(super) hook_event_name: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub(super) session_id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub(super) transcript_path: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub(super) cwd: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub(super) permission_mode: Option<Cow<'a, str>>,
    /// Set when the hook fired inside a subagent.
    #[serde(borrow)]
    pub(super) agent_id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub(super) tool_name: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub(super) tool_use_id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub(super) tool_input: Option<&'a RawValue>,
    #[serde(borrow)]
    pub(super) tool_response: Option<&'a RawValue>,
    /// `PostToolUseFailure`: the error text.
    #[serde(borrow)]
    pub(super) error: Option<&'a RawValue>,
    pub(super) is_interrupt: Option<bool>,
    /// `PermissionDenied`: why auto mode refused; `SessionEnd`: why it ended.
    #[serde(borrow)]
    pub(super) reason: Option<&'a RawValue>,
    #[serde(borrow)]
    pub(super) message: Option<&'a RawValue>,
    #[serde(borrow)]
    pub(super) notification_type: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub(super) prompt: Option<&'a RawValue>,
    #[serde(borrow)]
    pub(super) model: Option<&'a RawValue>,
    /// Times a logger added.
    #[serde(borrow)]
    pub(super) timestamp: Option<&'a RawValue>,
    #[serde(borrow)]
    pub(super) time: Option<&'a RawValue>,
    #[serde(borrow)]
    pub(super) ts: Option<&'a RawValue>,
    #[serde(borrow)]
    pub(super) logged_at: Option<&'a RawValue>,
    /// The hook's own answer, when the logger kept it.
    #[serde(rename = "hookSpecificOutput", borrow)]
    pub(super) output: Option<HookOutput<'a>>,
    /// trailblame's wrapper: the payload itself.
    pub(super) hook: Option<H>,
}

impl<'a, H> Payload<'a, H> {
    /// The time the logger recorded, as JSON (text or epoch number).
    pub(super) fn logged_time(&self) -> Option<&'a RawValue> {
        self.logged_at.or(self.timestamp).or(self.time).or(self.ts)
    }
}

/// `hookSpecificOutput` of a `PreToolUse` (`permissionDecision`) or
/// `PermissionRequest` (`decision.behavior`) hook.
#[derive(Deserialize, Default)]
pub(super) struct HookOutput<'a> {
    #[serde(rename = "permissionDecision", borrow)]
    pub(super) permission_decision: Option<Cow<'a, str>>,
    #[serde(rename = "permissionDecisionReason", borrow)]
    pub(super) reason: Option<Cow<'a, str>>,
    pub(super) decision: Option<RequestDecision<'a>>,
}

#[derive(Deserialize, Default)]
pub(super) struct RequestDecision<'a> {
    #[serde(borrow)]
    pub(super) behavior: Option<Cow<'a, str>>,
}

/// The known hook events (anything else is counted under its own name).
pub(super) const EVENTS: &[&str] = &[
    "PreToolUse",
    "PostToolUse",
    "PostToolUseFailure",
    "PermissionRequest",
    "PermissionDenied",
    "Notification",
    "UserPromptSubmit",
    "SessionStart",
    "SessionEnd",
    "Stop",
    "StopFailure",
    "SubagentStart",
    "SubagentStop",
    "PreCompact",
    "PostCompact",
    "PostToolBatch",
    "Setup",
    "UserPromptExpansion",
    "TaskCreated",
    "TaskCompleted",
    "TeammateIdle",
    "Elicitation",
    "ElicitationResult",
    "WorktreeCreate",
    "WorktreeRemove",
    "ConfigChange",
    "InstructionsLoaded",
    "CwdChanged",
    "FileChanged",
];
