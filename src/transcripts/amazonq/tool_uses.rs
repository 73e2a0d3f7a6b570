//! The assistant's side of an Amazon Q / Kiro history entry: its text and
//! its tool uses, each a call with its command (a shell command, the `aws`
//! command a `use_aws` call runs, or an MCP tool) and what the CLI allows
//! without asking.

use serde_json::value::RawValue;

use super::super::command::{command_from_str, mcp_parts, render_argv, render_mcp};
use super::super::util::new_call;
use super::super::{Approval, Role};
use super::conversation::Conversation;
use super::records::{Assistant, ShellArgs, UseAws};

const SHELL_TOOLS: &[&str] = &["execute_bash", "execute_cmd", "shell"];
const AWS_TOOLS: &[&str] = &["use_aws", "aws"];
/// Tools that never ask: they only read (Amazon Q's and Kiro's `fs_read`,
/// Kiro's `read`, `glob`, `grep`).
const READ_TOOLS: &[&str] = &["fs_read", "read", "glob", "grep", "introspect"];
/// `use_aws` operations allowed without asking: the read-only verbs.
const READ_OPERATION_PREFIXES: &[&str] = &["get", "describe", "list", "ls", "search", "batch_get"];

/// Tool names only Kiro CLI uses.
const KIRO_TOOLS: &[&str] = &["shell", "aws"];

impl Conversation {
    pub(super) fn assistant(&mut self, raw: &RawValue, time: Option<i64>, line: u64) {
        let Ok(a) = serde_json::from_str::<Assistant<'_>>(raw.get()) else {
            return;
        };
        let Some(body) = a.tool_use.or(a.response) else {
            return;
        };
        if let Some(text) = body.content.as_deref() {
            self.messages
                .push((time, Role::Assistant, text.to_owned(), line));
        }
        for (n, tu) in body.tool_uses.unwrap_or_default().into_iter().enumerate() {
            let name = tu
                .name
                .as_deref()
                .or(tu.orig_name.as_deref())
                .unwrap_or("unknown");
            let orig = tu.orig_name.as_deref().unwrap_or(name);
            if KIRO_TOOLS.contains(&name) || KIRO_TOOLS.contains(&orig) {
                self.kiro_tools = true;
            }
            let call_id = tu
                .id
                .as_deref()
                .map_or_else(|| format!("entry{line}-{n}"), str::to_owned);
            if self.call_idx.contains_key(&call_id) {
                continue;
            }
            let mut call = new_call("", &call_id, name, "", line);
            call.started_at = time;
            if SHELL_TOOLS.contains(&name) || SHELL_TOOLS.contains(&orig) {
                if let Some(cmd) = tu
                    .args
                    .and_then(|a| serde_json::from_str::<ShellArgs>(a.get()).ok())
                    .and_then(|a| a.command)
                {
                    let (c, raw) = command_from_str(&cmd);
                    call.command = Some(c);
                    call.command_raw = raw;
                }
            } else if AWS_TOOLS.contains(&name) || AWS_TOOLS.contains(&orig) {
                if let Some(u) = tu
                    .args
                    .and_then(|a| serde_json::from_str::<UseAws>(a.get()).ok())
                {
                    call.command = Some(render_use_aws(&u));
                    call.aws_service = u.service_name;
                    call.aws_operation = u.operation_name;
                    call.aws_region = u.region;
                    call.aws_profile = u.profile_name;
                }
            } else if let Some((server, tool)) = mcp_parts(name) {
                call.command = Some(render_mcp(server, tool, tu.args.map(RawValue::get)));
            }
            // What the CLI allows without asking; everything else asks
            // unless trusted, and the decision is not stored.
            let read_op = call.aws_operation.as_deref().is_some_and(|op| {
                let op = op.to_ascii_lowercase().replace('-', "_");
                READ_OPERATION_PREFIXES.iter().any(|p| op.starts_with(p))
            });
            if READ_TOOLS.contains(&name) || READ_TOOLS.contains(&orig) {
                call.approval = Approval::Auto;
                call.approval_evidence = Some(format!("read-only tool {name}, never asks"));
            } else if read_op {
                call.approval = Approval::Auto;
                call.approval_evidence = Some(
                    "use_aws read-only operation (get/describe/list…), never asks".to_string(),
                );
            } else {
                call.approval_evidence =
                    Some("asks unless trusted; the answer is not stored".to_string());
            }
            self.call_idx.insert(call_id, self.calls.len());
            self.calls.push(call);
        }
    }
}

/// The `aws` command a `use_aws` call runs: parameters as kebab-case flags
/// (sorted, as the tool's map has no order), then region and profile.
fn render_use_aws(u: &UseAws) -> String {
    let mut argv = vec!["aws".to_owned()];
    argv.push(u.service_name.clone().unwrap_or_default());
    argv.push(u.operation_name.clone().unwrap_or_default());
    for (name, value) in u.parameters.iter().flatten() {
        argv.push(format!("--{}", kebab(name.trim_start_matches("--"))));
        let v = match value {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        if !v.is_empty() {
            argv.push(v);
        }
    }
    if let Some(r) = &u.region {
        argv.push("--region".to_owned());
        argv.push(r.clone());
    }
    if let Some(p) = &u.profile_name {
        argv.push("--profile".to_owned());
        argv.push(p.clone());
    }
    render_argv(&argv)
}

/// `TableName` → `table-name`, `DBInstanceIdentifier` → `db-instance-identifier`.
pub(super) fn kebab(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::new();
    for (i, &ch) in chars.iter().enumerate() {
        if matches!(ch, '_' | '-' | ' ') {
            if !out.is_empty() && !out.ends_with('-') {
                out.push('-');
            }
            continue;
        }
        if ch.is_uppercase() && i > 0 {
            let prev = chars[i - 1];
            let next_lower = chars.get(i + 1).is_some_and(|c| c.is_lowercase());
            if (prev.is_lowercase() || prev.is_ascii_digit() || (prev.is_uppercase() && next_lower))
                && !out.ends_with('-')
            {
                out.push('-');
            }
        }
        out.extend(ch.to_lowercase());
    }
    out
}
