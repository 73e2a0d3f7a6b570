//! How a Claude Code call was approved: the rejection and denial strings,
//! else the permission mode in force and the kind of tool. The approval is
//! never stored per call.

use super::super::text::bounded;
use super::super::{Approval, Outcome, ToolCall};

/// Tools that never ask for permission.
const READ_ONLY_TOOLS: &[&str] = &[
    "Read",
    "Glob",
    "Grep",
    "LS",
    "NotebookRead",
    "TodoWrite",
    "TodoRead",
    "BashOutput",
    "Task",
    "Agent",
];
/// Tools that `acceptEdits` mode lets through.
const EDIT_TOOLS: &[&str] = &["Edit", "MultiEdit", "Write", "NotebookEdit"];

pub(in crate::transcripts) fn approval_of(
    call: &ToolCall,
    mode: Option<&str>,
) -> (Approval, Option<String>) {
    match call.outcome {
        Outcome::Rejected => {
            return (
                Approval::Rejected,
                Some("rejection string: the user declined this tool use".to_owned()),
            );
        }
        Outcome::Denied => {
            let why = call
                .output_excerpt
                .as_deref()
                .and_then(|t| t.lines().next())
                .map(|l| bounded(l, 200))
                .unwrap_or_default();
            return (
                Approval::Rejected,
                Some(format!("permission rule denial: {why}")),
            );
        }
        _ => {}
    }
    let name = call.tool_name.as_str();
    match mode {
        Some("bypassPermissions") => (
            Approval::Auto,
            Some("permissionMode=bypassPermissions".into()),
        ),
        Some("dontAsk") => (
            Approval::Auto,
            Some("permissionMode=dontAsk (only pre-approved tools run)".into()),
        ),
        Some("acceptEdits") if EDIT_TOOLS.contains(&name) => (
            Approval::Auto,
            Some("permissionMode=acceptEdits (file edits are accepted without asking)".into()),
        ),
        _ if READ_ONLY_TOOLS.contains(&name) => (
            Approval::Auto,
            Some(match mode {
                Some(m) => format!("read-only tool, never asks (permissionMode={m})"),
                None => "read-only tool, never asks".to_owned(),
            }),
        ),
        Some(m) => (Approval::Unknown, Some(format!("permissionMode={m}"))),
        None => (Approval::Unknown, None),
    }
}
