//! The hook-log reader on the fixtures: calls opened and closed by id,
//! each way a permission is recorded, the wrapper and bare payloads, the
//! array form, and bad lines quarantined with their line.

use super::super::tests_support::{call, parse_fixture};
use super::super::{Approval, Outcome, Role, TranscriptFormat};

const LOG: &str = "claude-hooks/home/bob/.claude/hook-log.jsonl";
const SESSION: &str = "9c1d2e3f-4a5b-4c6d-8e7f-0a1b2c3d4e5f";

#[test]
fn sessions_prompts_and_accounting() {
    let p = parse_fixture(TranscriptFormat::ClaudeHookLog, LOG);
    let ids: Vec<&str> = p.sessions.iter().map(|s| s.session_id.as_str()).collect();
    assert_eq!(
        ids,
        [SESSION, "9c1d2e3f-4a5b-4c6d-8e7f-0a1b2c3d4e5f/agent-a1b2c3"]
    );
    let s = &p.sessions[0];
    assert_eq!(s.agent, "claude-code");
    assert_eq!(s.operator.as_deref(), Some("bob"));
    assert_eq!(s.cwd.as_deref(), Some("/home/bob/src/app"));
    assert_eq!(s.model.as_deref(), Some("claude-sonnet-4-5-20250929"));
    assert_eq!(s.approval_mode.as_deref(), Some("default,auto"));
    assert_eq!(s.started_at, Some(1_768_557_600_000_000));
    assert_eq!(p.sessions[1].parent_session_id.as_deref(), Some(SESSION));
    assert_eq!(p.counts.lines_read, 22);
    assert_eq!(p.counts.quarantined, 2);
    assert_eq!(p.counts.skipped_by_type.get("Stop"), Some(&1));
    assert_eq!(p.counts.skipped_by_type.get("SessionEnd"), Some(&1));
    let lines: Vec<_> = p.quarantined.iter().map(|q| q.line).collect();
    assert_eq!(lines, [Some(11), Some(18)]);
    assert!(
        p.quarantined[0]
            .reason
            .contains("not a Claude Code hook payload")
    );
    assert!(
        p.quarantined[1].reason.contains("truncated"),
        "{:?}",
        p.quarantined[1]
    );
    let prompt = &p.messages[0];
    assert_eq!(prompt.role, Role::User);
    assert!(prompt.text_excerpt.starts_with("The demo-tmp bucket"));
}

#[test]
fn each_recorded_permission_becomes_an_approval() {
    let p = parse_fixture(TranscriptFormat::ClaudeHookLog, LOG);
    let rb = call(&p, "toolu_H1RB");
    assert_eq!(
        rb.command.as_deref(),
        Some("aws s3 rb s3://demo-tmp-bucket --force")
    );
    assert_eq!(
        (rb.started_at, rb.ended_at),
        (Some(1_768_557_605_000_000), Some(1_768_557_609_000_000))
    );
    assert_eq!((rb.outcome, rb.exit_code), (Outcome::Ok, Some(0)));
    assert_eq!(rb.approval, Approval::Explicit);
    assert!(
        rb.approval_evidence
            .as_deref()
            .unwrap()
            .starts_with("PermissionRequest")
    );
    assert!(
        rb.output_excerpt
            .as_deref()
            .unwrap()
            .contains("remove_bucket")
    );

    let read = call(&p, "toolu_H2READ");
    assert_eq!(read.approval, Approval::Auto);
    assert!(
        read.approval_evidence
            .as_deref()
            .unwrap()
            .starts_with("permissionMode=default: ran without")
    );

    let ls = call(&p, "toolu_H3LS");
    assert_eq!(ls.approval, Approval::Auto);
    assert!(
        ls.approval_evidence
            .as_deref()
            .unwrap()
            .contains("PreToolUse hook answered allow: read-only")
    );

    let deny = call(&p, "toolu_H4DENY");
    assert_eq!(
        (deny.outcome, deny.approval),
        (Outcome::Denied, Approval::Rejected)
    );
    assert!(
        deny.approval_evidence
            .as_deref()
            .unwrap()
            .contains("outside the task")
    );

    let fail = call(&p, "toolu_H5FAIL");
    assert_eq!((fail.outcome, fail.exit_code), (Outcome::Error, Some(255)));
    assert_eq!(fail.approval, Approval::Auto);

    // A dialog with no answer in the log (the result line is cut).
    let ask = call(&p, "toolu_H6ASK");
    assert_eq!(
        (ask.outcome, ask.approval),
        (Outcome::Unknown, Approval::Unknown)
    );
    assert!(
        ask.approval_evidence
            .as_deref()
            .unwrap()
            .contains("no answer recorded")
    );

    let sub = call(&p, "toolu_H7SUB");
    assert_eq!(sub.session_id, format!("{SESSION}/agent-a1b2c3"));
    assert_eq!(p.tool_calls.len(), 7);
    for c in &p.tool_calls {
        assert!(
            c.approval_evidence
                .as_deref()
                .unwrap()
                .ends_with("(Claude Code hook log)")
        );
    }
}

#[test]
fn the_array_form_without_times() {
    let p = parse_fixture(
        TranscriptFormat::ClaudeHookLog,
        "claude-hooks/home/bob/.claude/logs/pre_tool_use.json",
    );
    assert_eq!((p.counts.lines_read, p.counts.records_used), (2, 2));
    let a1 = call(&p, "toolu_A1");
    assert_eq!(a1.command.as_deref(), Some("aws s3 ls s3://prod-logs"));
    assert_eq!((a1.started_at, a1.source_line), (None, 2));
    let a2 = call(&p, "toolu_A2");
    assert_eq!(
        a2.command.as_deref(),
        Some(r#"mcp:aws-api.call_aws {"cli_command":"aws s3 ls"}"#)
    );
    assert!(
        p.notes.iter().any(|n| n.contains("no timestamp")),
        "{:?}",
        p.notes
    );
}

#[test]
fn codex_payloads_name_codex_and_epoch_times_are_read() {
    let log = br#"{"session_id":"c1","transcript_path":"/home/eve/.codex/sessions/2026/01/16/rollout-x.jsonl","cwd":"/w","hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":"aws s3 ls"},"tool_use_id":"call_1","ts":1768557605}
{"session_id":"c1","hook_event_name":"PostToolUse","tool_name":"Bash","tool_input":{"command":"aws s3 ls"},"tool_use_id":"call_1","ts":1768557606500}
[1,2]
"#;
    let p = super::parse(std::path::Path::new("x.jsonl"), log, &Default::default());
    assert!(p.counts.reconciles());
    assert_eq!(p.sessions[0].agent, "codex");
    assert_eq!(p.sessions[0].operator.as_deref(), Some("eve"));
    let c = call(&p, "call_1");
    assert_eq!(
        (c.started_at, c.ended_at),
        (Some(1_768_557_605_000_000), Some(1_768_557_606_500_000))
    );
    assert_eq!(p.quarantined[0].line, Some(3));
    assert!(
        p.quarantined[0].reason.contains("not an object"),
        "{:?}",
        p.quarantined
    );
}

/// trailblame's wrapper read in one pass gives what two passes give, line
/// by line: every line of the log fixture, each one-byte edit of its
/// wrapper lines, and wrappers whose outer members or `hook` are odd. A
/// payload logged without `tool_use_id` matches its call through the
/// re-printed input, which the one-pass reader prints only when needed.
#[test]
fn one_pass_reads_the_wrapper_as_two_passes_do() {
    let path = super::super::tests_support::fixture(LOG);
    let text = std::fs::read_to_string(&path).unwrap();
    let wrapped: Vec<&str> = text.lines().filter(|l| l.contains("\"hook\"")).collect();
    assert!(wrapped.len() > 5);
    let mut lines = super::super::tests_support::one_byte_edits(&wrapped);
    let odd = [
        r#"{"logged_at":"2026-01-16T10:00:05Z","agent":"claude-code","hook":null}"#,
        r#"{"logged_at":"2026-01-16T10:00:05Z","session_id":5,"hook":{"session_id":"s","hook_event_name":"Stop"}}"#,
        r#"{"logged_at":"2026-01-16T10:00:05Z","hook":{"session_id":"s","hook_event_name":"Stop"},"hook":{"session_id":"t","hook_event_name":"Stop"}}"#,
        r#"{"logged_at":"2026-01-16T10:00:05Z","hook":"{\"session_id\":\"s\"}"}"#,
        r#"{"hook":{"session_id":"s","hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":"aws s3 ls"},"timestamp":"2026-01-16T10:00:06Z"}}"#,
        r#"{"logged_at":"2026-01-16T10:00:07Z","hook":{"session_id":"s","hook_event_name":"PermissionRequest","tool_name":"Bash","tool_input":{ "command" : "aws s3 ls" }}}"#,
        r#"{"logged_at":"2026-01-16T10:00:08Z","hook":{"session_id":"s","hook_event_name":"PostToolUse","tool_name":"Bash","tool_input":{"command":"aws s3 ls"},"tool_response":{"stdout":"ok"}}}"#,
    ];
    lines.extend(odd.iter().map(|l| l.as_bytes().to_vec()));
    lines.extend(text.lines().map(|l| l.as_bytes().to_vec()));
    let opts = super::super::TranscriptOptions::default();
    let read = |two: bool| {
        let mut r = super::reader::Reader::new(&path, &opts);
        for (no, line) in lines.iter().enumerate() {
            let no = no as u64 + 1;
            match (two, std::str::from_utf8(line)) {
                (true, Ok(t)) => r.two_passes(no, line, t),
                _ => r.record(no, line),
            }
        }
        format!("{:?}", r.finish())
    };
    let (one, two) = (read(false), read(true));
    assert_eq!(one, two);
    // The odd lines' call was matched by its input, asked, then closed.
    assert!(one.contains("PermissionRequest"), "{one}");
}
