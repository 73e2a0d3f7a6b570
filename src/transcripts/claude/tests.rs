//! The Claude Code reader on the fixture sessions (main, split responses,
//! out-of-order results, subagents, damaged lines).

use super::super::tests_support::{fixture, parse_fixture};
use super::super::{Approval, Outcome, Role, TranscriptFormat, detect};

use super::super::tests_support::call;

#[test]
fn main_session_rows_and_counts() {
    let p = parse_fixture(
        TranscriptFormat::ClaudeCode,
        "claude-code/session-main.jsonl",
    );
    assert!(p.counts.reconciles(), "{:?}", p.counts);
    assert_eq!(p.sessions.len(), 1);
    let s = &p.sessions[0];
    assert_eq!(s.session_id, "3f0c9a1e-5b7d-4c2a-9e8f-1a2b3c4d5e6f");
    assert_eq!(s.agent, "claude-code");
    assert_eq!(s.agent_version.as_deref(), Some("2.0.14"));
    assert_eq!(s.model.as_deref(), Some("claude-sonnet-4-5-20250929"));
    assert_eq!(s.cwd.as_deref(), Some("/home/alice/src/infra"));
    assert_eq!(s.git_branch.as_deref(), Some("main"));
    assert_eq!(s.operator.as_deref(), Some("alice"));
    assert_eq!(
        s.approval_mode.as_deref(),
        Some("default,bypassPermissions")
    );
    assert_eq!(s.started_at, Some(1_768_557_600_000_000));
    assert_eq!(p.counts.skipped_by_type.get("summary"), Some(&1));
    assert_eq!(
        p.counts.skipped_by_type.get("file-history-snapshot"),
        Some(&1)
    );
    assert_eq!(
        p.counts.skipped_by_type.get("brand-new-record-type"),
        Some(&1)
    );
}

#[test]
fn split_response_lines_do_not_duplicate_calls() {
    let p = parse_fixture(
        TranscriptFormat::ClaudeCode,
        "claude-code/session-main.jsonl",
    );
    let n = p
        .tool_calls
        .iter()
        .filter(|c| c.call_id == "toolu_01LIST")
        .count();
    assert_eq!(n, 1);
    // the text half and the tool half of one response both count
    assert!(
        p.messages
            .iter()
            .any(|m| m.text_excerpt.starts_with("I'll list the buckets"))
    );
}

#[test]
fn results_pair_by_id_even_out_of_order() {
    let p = parse_fixture(
        TranscriptFormat::ClaudeCode,
        "claude-code/session-main.jsonl",
    );
    let c = call(&p, "toolu_01LIST");
    assert_eq!(
        c.command.as_deref(),
        Some("aws s3api list-buckets --region us-east-1")
    );
    assert_eq!(c.outcome, Outcome::Ok);
    assert_eq!(c.exit_code, Some(0));
    assert_eq!(c.started_at, Some(1_768_557_605_000_000));
    assert_eq!(c.ended_at, Some(1_768_557_607_000_000));
    assert!(
        c.output_excerpt
            .as_deref()
            .is_some_and(|o| o.contains("prod-logs"))
    );
    // result line precedes the tool_use line in the file
    let early = call(&p, "toolu_01EARLY");
    assert_eq!(early.outcome, Outcome::Ok);
    assert_eq!(early.output_excerpt.as_deref(), Some("ok"));
    // Paired all the same, but Claude Code never writes a result above
    // its use: the call is outside the record chain (issue 23).
    assert_eq!(
        early.chain_break.as_deref(),
        Some("result_before_use: the tool_result on line 8 is above its tool_use on line 9")
    );
    assert_eq!(c.chain_break, None);
}

#[test]
fn exit_code_from_error_text_and_string_tool_use_result() {
    let p = parse_fixture(
        TranscriptFormat::ClaudeCode,
        "claude-code/session-main.jsonl",
    );
    let c = call(&p, "toolu_01FAIL");
    assert_eq!(c.outcome, Outcome::Error);
    assert_eq!(c.exit_code, Some(254));
    let c = call(&p, "toolu_01FAIL2");
    assert_eq!(c.outcome, Outcome::Error);
    assert_eq!(c.exit_code, Some(2), "from toolUseResult string");
}

#[test]
fn rejection_denial_and_interruption() {
    let p = parse_fixture(
        TranscriptFormat::ClaudeCode,
        "claude-code/session-main.jsonl",
    );
    let r = call(&p, "toolu_01RB");
    assert_eq!(
        r.command.as_deref(),
        Some("aws s3 rb s3://prod-logs --force")
    );
    assert_eq!(
        (r.outcome, r.approval),
        (Outcome::Rejected, Approval::Rejected)
    );
    assert!(
        r.approval_evidence
            .as_deref()
            .is_some_and(|e| e.contains("rejection string"))
    );
    assert!(p.messages.iter().any(|m| {
        m.role == Role::User
            && m.text_excerpt
                .contains("[Request interrupted by user for tool use]")
    }));
    let d = call(&p, "toolu_01DENY");
    assert_eq!(
        (d.outcome, d.approval),
        (Outcome::Denied, Approval::Rejected)
    );
    let i = call(&p, "toolu_01INT");
    assert_eq!(i.outcome, Outcome::Interrupted);
    let none = call(&p, "toolu_01NORESULT");
    assert_eq!((none.outcome, none.ended_at), (Outcome::Unknown, None));
}

#[test]
fn approval_follows_permission_mode() {
    let p = parse_fixture(
        TranscriptFormat::ClaudeCode,
        "claude-code/session-main.jsonl",
    );
    let before = call(&p, "toolu_01LIST");
    assert_eq!(before.approval, Approval::Unknown);
    assert_eq!(
        before.approval_evidence.as_deref(),
        Some("permissionMode=default")
    );
    let after = call(&p, "toolu_01BYPASS");
    assert_eq!(after.approval, Approval::Auto);
    assert_eq!(
        after.approval_evidence.as_deref(),
        Some("permissionMode=bypassPermissions")
    );
    let read = call(&p, "toolu_01READ");
    assert_eq!(read.approval, Approval::Auto);
}

#[test]
fn mcp_calls_render_server_tool_and_args() {
    let p = parse_fixture(
        TranscriptFormat::ClaudeCode,
        "claude-code/session-main.jsonl",
    );
    let m = call(&p, "toolu_01MCP");
    assert_eq!(
        m.command.as_deref(),
        Some(r#"mcp:aws-api.call_aws {"cli_command":"aws ec2 describe-instances"}"#)
    );
}

#[test]
fn messages_have_roles_and_tool_results_are_not_messages() {
    let p = parse_fixture(
        TranscriptFormat::ClaudeCode,
        "claude-code/session-main.jsonl",
    );
    assert!(
        p.messages
            .iter()
            .any(|m| m.role == Role::User && m.text_excerpt == "Clean up the old log buckets")
    );
    assert!(p.messages.iter().any(
        |m| m.role == Role::System && m.text_excerpt.starts_with("<local-command-stdout>")
    ));
    assert!(
        !p.messages
            .iter()
            .any(|m| m.text_excerpt.contains("prod-logs\n"))
    );
}

#[test]
fn bad_lines_are_quarantined_and_the_rest_read() {
    let p = parse_fixture(TranscriptFormat::ClaudeCode, "claude-code/malformed.jsonl");
    assert!(p.counts.reconciles(), "{:?}", p.counts);
    let lines: Vec<_> = p.quarantined.iter().map(|q| q.line).collect();
    assert_eq!(
        lines,
        vec![Some(3), Some(5), Some(7)],
        "{:?}",
        p.quarantined
    );
    assert!(
        p.quarantined[2].reason.contains("truncated"),
        "{}",
        p.quarantined[2].reason
    );
    assert!(p.quarantined[1].reason.contains("not an object"));
    assert_eq!(p.tool_calls.len(), 1);
    assert!(
        p.notes.iter().any(|n| n.contains("no timestamp")),
        "{:?}",
        p.notes
    );
    let m = p
        .messages
        .iter()
        .find(|m| m.text_excerpt == "no time here")
        .expect("kept");
    assert_eq!(m.time, None);
}

#[test]
fn subagent_file_is_its_own_session_with_parent() {
    let rel = "claude-code/3f0c9a1e-5b7d-4c2a-9e8f-1a2b3c4d5e6f/subagents/agent-a1b2c3d4.jsonl";
    let p = parse_fixture(TranscriptFormat::ClaudeCode, rel);
    assert_eq!(p.sessions.len(), 1);
    let s = &p.sessions[0];
    assert_eq!(
        s.session_id,
        "3f0c9a1e-5b7d-4c2a-9e8f-1a2b3c4d5e6f/agent-a1b2c3d4"
    );
    assert_eq!(
        s.parent_session_id.as_deref(),
        Some("3f0c9a1e-5b7d-4c2a-9e8f-1a2b3c4d5e6f")
    );
    assert_eq!(p.tool_calls[0].session_id, s.session_id);
    assert_eq!(
        p.tool_calls[0].command.as_deref(),
        Some("aws sts get-caller-identity")
    );
}

#[test]
fn detects_claude_files() {
    let path = fixture("claude-code/session-main.jsonl");
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(detect(&path, &bytes), Some(TranscriptFormat::ClaudeCode));
}
