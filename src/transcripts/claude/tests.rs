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

#[test]
fn the_scanner_reads_a_line_as_serde_does() {
    use super::records::Line;
    let lines = [
        r#"{"parentUuid":null,"isSidechain":false,"cwd":"/home/dev/src","sessionId":"s-1","version":"2.0.14","gitBranch":"main","type":"user","message":{"role":"user","content":"fix the \"policy\"\n"},"uuid":"u1","timestamp":"2026-12-21T05:00:00.000Z","permissionMode":"default","isMeta":true}"#,
        r#"{"parentUuid":"u1","sessionId":"s-1","message":{"id":"m","model":"claude-sonnet-4-5","content":[{"type":"tool_use","id":"toolu_1","name":"Bash","input":{"command":"aws s3 ls","description":"x"}},{"type":"text","text":"caf\u00e9"},"bare",7,null,[1,{"a":2}]],"usage":{"input_tokens":1523}},"type":"assistant","uuid":"a1","timestamp":"2026-12-21T05:00:07.000Z"}"#,
        r#" {"type":"user","message":{"content":[{"tool_use_id":"toolu_1","type":"tool_result","content":[{"type":"text","text":"ok"}],"is_error":true}]},"toolUseResult":{"stdout":"","interrupted":false},"uuid":"u2","parentUuid":"a1","logicalParentUuid":null,"subtype":"compact_boundary","isCompactSummary":false} "#,
        r#"{"type":"system","message":"a string","cwd":null,"x":[-0.5,1e5,true]}"#,
        r#"{"type":"assistant","message":{"content":{"odd":"object"},"model":null}}"#,
        r#"{"type":"assistant","message":[1,2],"toolUseResult":"Error: Exit code 1"}"#,
        r#"{"type":"assistant","message":12.5}"#,
    ];
    // What serde refuses and a scanner could miss: a member repeated (at
    // each level), a record written as an array, numbers out of range
    // where serde reads them.
    let odd = [
        r#"{"type":"user","type":"assistant"}"#,
        r#"{"message":{"model":"a","model":"b"}}"#,
        r#"{"message":{"content":[{"id":"a","id":"b"}]}}"#,
        r#"["user","s-1"]"#,
        r#"{"message":1e999}"#,
        r#"{"message":{"content":[1e999]}}"#,
        r#"{"message":{"content":-1e400}}"#,
        r#"{"isMeta":"yes"}"#,
    ];
    crate::transcripts::tests_support::scanner_matches_serde(
        &lines,
        &odd,
        |t| Line::scan(t).map(|l| format!("{l:?}")),
        |t| {
            serde_json::from_str::<Line<'_>>(t)
                .ok()
                .map(|l| format!("{l:?}"))
        },
    );
}
