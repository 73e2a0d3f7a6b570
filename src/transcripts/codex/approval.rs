//! How a Codex call was approved: from the rejection strings, an
//! `exec_approval_request`, an escalation request and the
//! `approval_policy` / sandbox in force when the call was made.

use std::collections::HashMap;

use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::value::RawValue;

use super::super::text::json_str;
use super::super::{Approval, Outcome, ToolCall};
use super::calls::REJECTED_EXEC;

/// `never`, `on-request`, …; a structured policy is named by its key.
pub(super) fn policy_name(raw: &RawValue) -> Option<String> {
    if let Some(s) = json_str(raw) {
        return Some(s.into_owned());
    }
    let map = serde_json::from_str::<HashMap<String, IgnoredAny>>(raw.get()).ok()?;
    let mut keys: Vec<_> = map.into_keys().collect();
    keys.sort();
    (!keys.is_empty()).then(|| keys.join("+"))
}

/// `{"mode": …}` (older) or `{"type": …}` (newer) or a bare string.
pub(super) fn sandbox_mode(raw: &RawValue) -> Option<String> {
    #[derive(Deserialize)]
    struct Sandbox {
        mode: Option<String>,
        #[serde(rename = "type")]
        kind: Option<String>,
    }
    if let Some(s) = json_str(raw) {
        return Some(s.into_owned());
    }
    let s = serde_json::from_str::<Sandbox>(raw.get()).ok()?;
    s.mode.or(s.kind)
}

pub(super) fn approval_of(
    call: &ToolCall,
    policy: Option<&str>,
    sandbox: Option<&str>,
    escalated: bool,
    shell: bool,
    requested: bool,
) -> (Approval, Option<String>) {
    match call.outcome {
        Outcome::Rejected => {
            return (
                Approval::Rejected,
                Some(format!("rejection string: {REJECTED_EXEC}")),
            );
        }
        Outcome::Denied => {
            return (
                Approval::Rejected,
                Some("automatic reviewer: rejected due to unacceptable risk".to_owned()),
            );
        }
        _ => {}
    }
    if requested {
        return (
            Approval::Explicit,
            Some("exec_approval_request recorded, then the command ran".to_owned()),
        );
    }
    let with_sandbox = |p: &str| match sandbox {
        Some(s) => format!("approval_policy={p}, sandbox={s}"),
        None => format!("approval_policy={p}"),
    };
    match policy {
        Some("never") => {
            let yolo = if sandbox == Some("danger-full-access") {
                " (yolo)"
            } else {
                ""
            };
            (
                Approval::Auto,
                Some(format!("{}{yolo}", with_sandbox("never"))),
            )
        }
        Some(p) if escalated => (
            Approval::Unknown,
            Some(format!(
                "{}; escalation requested: approved by a person, a rule or the session cache",
                with_sandbox(p)
            )),
        ),
        Some(p @ ("on-request" | "on-failure")) if shell => (
            Approval::Auto,
            Some(format!(
                "{}; ran in the sandbox without asking",
                with_sandbox(p)
            )),
        ),
        Some(p) => (Approval::Unknown, Some(with_sandbox(p))),
        None => (Approval::Unknown, None),
    }
}
