//! One OpenCode part into a row: a `tool` part into a tool call (the bash
//! command, exit code, outcome and what the record says about approval),
//! a `text` part into a message. Shared by the database and the legacy
//! files, which store the same part JSON.
//!
//! Approval: a refusal is the tool state `error` holding the permission
//! error's text: "The user rejected permission to use this specific tool
//! call" (or "… with feedback: …") when a person said no, "Rule prevents
//! tool usage" / "Permission denied by ruleset" when a rule did. A call
//! that ran is `auto` only when a recorded rule allows it: the session's
//! own `permission` ruleset or the project's saved "always" answers (the
//! `permission` table), the last matching rule deciding as OpenCode does.
//! Otherwise it is `unknown`: OpenCode asks or allows by configuration
//! that is not in the store, and a one-time answer is not stored.

use super::super::command::{command_from_str, mcp_parts, render_mcp};
use super::super::lenient::RawJson;
use super::super::text::excerpt;
use super::super::util::new_call;
use super::super::{Approval, Outcome, ToolCall};
use super::records::{BashInput, Part, Rule};

const REJECTED: &str = "The user rejected permission";
const DENIED: &[&str] = &["Rule prevents tool usage", "Permission denied by ruleset"];

/// Milliseconds (possibly fractional) since the epoch → microseconds.
pub(super) fn ms(t: Option<f64>) -> Option<i64> {
    let t = t?;
    (t.is_finite() && (0.0..1e15).contains(&t)).then(|| (t * 1000.0).round() as i64)
}

/// The rules a call is checked against, each with where it came from.
#[derive(Default)]
pub(super) struct RuleSets<'a> {
    pub(super) session: &'a [Rule],
    pub(super) saved: &'a [Rule],
}

/// A tool part → a call; `line` is the position reported for it.
pub(super) fn tool_call(
    session_id: &str,
    part_id: &str,
    part: &Part<'_>,
    line: u64,
    rules: &RuleSets<'_>,
) -> ToolCall {
    let tool = part.tool.as_deref().unwrap_or("unknown");
    let call_id = part.call_id.as_deref().unwrap_or(part_id);
    let mut call = new_call(session_id, call_id, tool, "", line);
    let Some(state) = &part.state else {
        call.approval_evidence = Some(no_answer(tool));
        return call;
    };
    let time = state.time.unwrap_or_default();
    call.started_at = ms(time.start).or_else(|| ms(part.time.and_then(|t| t.start)));
    call.ended_at = ms(time.end);
    call.command = command(tool, state.input);
    if tool == "bash"
        && let Some(c) = &call.command
    {
        let (cmd, raw) = command_from_str(c);
        call.command = Some(cmd);
        call.command_raw = raw;
    }
    call.exit_code = state
        .metadata
        .as_ref()
        .and_then(|m| m.exit.as_ref())
        .and_then(serde_json::Value::as_i64);
    let interrupted = state
        .metadata
        .as_ref()
        .and_then(|m| m.interrupted)
        .unwrap_or(false);
    let status = state.status.as_deref().unwrap_or("");
    let error = state.error.as_deref().unwrap_or("");
    call.output_excerpt = match status {
        "error" => excerpt(error),
        _ => state.output.and_then(|o| o.excerpt()),
    };
    call.outcome = match status {
        "completed" => match call.exit_code {
            Some(e) if e != 0 => Outcome::Error,
            _ => Outcome::Ok,
        },
        "error" if error.contains(REJECTED) => Outcome::Rejected,
        "error" if DENIED.iter().any(|d| error.contains(d)) => Outcome::Denied,
        "error" if interrupted => Outcome::Interrupted,
        "error" => Outcome::Error,
        _ => Outcome::Unknown,
    };
    match call.outcome {
        Outcome::Rejected | Outcome::Denied => {
            call.approval = Approval::Rejected;
            let first = error.lines().next().unwrap_or(error);
            call.approval_evidence = Some(format!(
                "tool state error: {}",
                super::super::text::bounded(first.trim(), 200)
            ));
        }
        _ => match allowing_rule(tool, call.command.as_deref(), rules) {
            Some(evidence) => {
                call.approval = Approval::Auto;
                call.approval_evidence = Some(evidence);
            }
            None => call.approval_evidence = Some(no_answer(tool)),
        },
    }
    call
}

fn no_answer(tool: &str) -> String {
    format!("{tool}: asked or allowed by configuration not in the store; the answer is not stored")
}

/// The command a tool ran: bash's `command`, an MCP tool rendered.
fn command(tool: &str, input: Option<RawJson<'_>>) -> Option<String> {
    if tool == "bash" {
        return input
            .and_then(|i| serde_json::from_str::<BashInput>(i.0).ok())
            .and_then(|b| b.command);
    }
    let (server, name) = mcp_parts(tool)?;
    Some(render_mcp(server, name, input.map(|i| i.get())))
}

/// The recorded rule that lets this call run, in words, if the last rule
/// matching it says `allow`.
fn allowing_rule(tool: &str, command: Option<&str>, rules: &RuleSets<'_>) -> Option<String> {
    let subject = command.unwrap_or("*");
    let mut last: Option<(&Rule, &str)> = None;
    for (set, name) in [
        (rules.session, "session ruleset"),
        (rules.saved, "saved always-allow rules"),
    ] {
        for r in set {
            if wildcard(&r.permission, tool) && wildcard(&r.pattern, subject) {
                last = Some((r, name));
            }
        }
    }
    let (r, from) = last?;
    (r.action == "allow").then(|| {
        format!(
            "opencode rule {} {:?} allow ({from})",
            r.permission, r.pattern
        )
    })
}

/// OpenCode's wildcard: `*` any text, `?` one character, the whole text;
/// a pattern ending in ` *` also matches the command without arguments.
pub(super) fn wildcard(pattern: &str, text: &str) -> bool {
    if let Some(head) = pattern.strip_suffix(" *")
        && glob(head, text)
    {
        return true;
    }
    glob(pattern, text)
}

fn glob(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_match_as_opencode_does() {
        assert!(wildcard("*", "anything at all"));
        assert!(wildcard("aws s3 ls*", "aws s3 ls s3://b"));
        assert!(wildcard("git status *", "git status"));
        assert!(wildcard("git status *", "git status -s"));
        assert!(!wildcard("aws s3 ls*", "aws s3 rb s3://b"));
        assert!(wildcard("ba?h", "bash"));
        assert!(!wildcard("bash", "bash2"));
    }

    #[test]
    fn a_long_output_gives_the_excerpt_the_whole_text_would() {
        let line = r#"total 48\tdrwxr-xr-x \"quoted\" caf\u00e9 \u2603\n"#;
        let output = format!(r"  \n{}", line.repeat(4000));
        let json = format!(
            r#"{{"type":"tool","callID":"c1","tool":"read","state":{{"status":"completed","input":{{}},"output":"{output}"}}}}"#
        );
        let part: Part<'_> = serde_json::from_str(&json).unwrap();
        let call = tool_call("s", "p", &part, 1, &RuleSets::default());
        let whole: String = serde_json::from_str(&format!("\"{output}\"")).unwrap();
        assert!(whole.len() > 100_000);
        assert_eq!(call.output_excerpt, excerpt(&whole));
        assert!(
            call.output_excerpt
                .unwrap()
                .starts_with("total 48\tdrwxr-xr-x \"quoted\" café ☃")
        );

        // An output that is not text is unreadable data, as before.
        for bad in ["5", "true", "[\"a\"]", "{}", "null"] {
            let json = format!(
                r#"{{"type":"tool","tool":"bash","state":{{"status":"completed","output":{bad}}}}}"#
            );
            let err = serde_json::from_str::<Part<'_>>(&json).err();
            assert_eq!(err.is_some(), bad != "null", "{bad}: {err:?}");
        }
    }

    #[test]
    fn fractional_and_absurd_times() {
        assert_eq!(ms(Some(1_700_000_000_123.0)), Some(1_700_000_000_123_000));
        assert_eq!(ms(Some(f64::NAN)), None);
        assert_eq!(ms(Some(-1.0)), None);
        assert_eq!(ms(None), None);
    }
}
