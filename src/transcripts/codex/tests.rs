//! The Codex reader on the fixture rollouts (current, older and legacy
//! shapes, malformed lines) and on inline lines.

use std::path::Path;

use super::super::tests_support::{fixture, parse_fixture};
use super::super::{Approval, Outcome, Role, TranscriptFormat, TranscriptOptions, detect};

const MAIN: &str =
    "codex/2026/01/20/rollout-2026-01-20T09-15-00-019bd2f1-7a3c-7e21-9b1d-3c4d5e6f7a8b.jsonl";

use super::super::tests_support::call;

#[test]
fn session_from_meta_and_turn_context() {
    let p = parse_fixture(TranscriptFormat::Codex, MAIN);
    assert_eq!(p.sessions.len(), 1);
    let s = &p.sessions[0];
    assert_eq!(s.session_id, "019bd2f1-7a3c-7e21-9b1d-3c4d5e6f7a8b");
    assert_eq!(s.agent, "codex");
    assert_eq!(s.agent_version.as_deref(), Some("0.63.0"));
    assert_eq!(s.model.as_deref(), Some("gpt-5-codex"));
    assert_eq!(s.cwd.as_deref(), Some("/home/bob/proj"));
    assert_eq!(s.git_branch.as_deref(), Some("feature/cleanup"));
    assert_eq!(s.approval_mode.as_deref(), Some("on-request,never"));
    assert_eq!(
        s.sandbox.as_deref(),
        Some("workspace-write,danger-full-access")
    );
    assert_eq!(s.operator.as_deref(), Some("bob"));
    assert!(p.tool_calls.iter().all(|c| c.session_id == s.session_id));
}

#[test]
fn shell_argv_is_unwrapped_and_raw_kept() {
    let p = parse_fixture(TranscriptFormat::Codex, MAIN);
    let c = call(&p, "call_1");
    assert_eq!(
        c.command.as_deref(),
        Some("aws cloudformation describe-stacks --region us-west-2")
    );
    assert_eq!(
        c.command_raw.as_deref(),
        Some("bash -lc 'aws cloudformation describe-stacks --region us-west-2'")
    );
    assert_eq!(
        (c.exit_code, c.outcome),
        (Some(0), Outcome::Ok),
        "JSON metadata.exit_code"
    );
    assert!(
        c.output_excerpt
            .as_deref()
            .is_some_and(|o| o.contains("StackStatus"))
    );
    assert_eq!(c.approval, Approval::Auto);
}

#[test]
fn every_output_form_gives_the_exit_code() {
    let p = parse_fixture(TranscriptFormat::Codex, MAIN);
    let exec = call(&p, "call_3");
    assert_eq!(
        exec.command.as_deref(),
        Some("aws s3 rm s3://old-artifacts --recursive")
    );
    assert_eq!(
        (exec.exit_code, exec.outcome),
        (Some(1), Outcome::Error),
        "Process exited"
    );
    let sc = call(&p, "call_4");
    assert_eq!(sc.command.as_deref(), Some("aws sts get-caller-identity"));
    assert_eq!(sc.exit_code, Some(0), "Exit code:");
    let local = call(&p, "call_5");
    assert_eq!(local.command.as_deref(), Some("aws ec2 describe-regions"));
    assert_eq!(
        (local.exit_code, local.outcome),
        (Some(3), Outcome::Error),
        "Shell exit code"
    );
}

#[test]
fn rejections_and_guardian_denials() {
    let p = parse_fixture(TranscriptFormat::Codex, MAIN);
    let r = call(&p, "call_2");
    assert_eq!(
        (r.outcome, r.approval),
        (Outcome::Rejected, Approval::Rejected)
    );
    let g = call(&p, "call_8");
    assert_eq!(
        (g.outcome, g.approval),
        (Outcome::Denied, Approval::Rejected)
    );
}

#[test]
fn approval_policy_in_force_at_the_call() {
    let p = parse_fixture(TranscriptFormat::Codex, MAIN);
    let before = call(&p, "call_1");
    assert_eq!(
        before.approval_evidence.as_deref(),
        Some(
            "approval_policy=on-request, sandbox=workspace-write; ran in the sandbox without asking"
        )
    );
    let after = call(&p, "call_4");
    assert_eq!(after.approval, Approval::Auto);
    assert_eq!(
        after.approval_evidence.as_deref(),
        Some("approval_policy=never, sandbox=danger-full-access (yolo)")
    );
}

#[test]
fn mcp_custom_and_interrupted_calls() {
    let p = parse_fixture(TranscriptFormat::Codex, MAIN);
    let m = call(&p, "call_6");
    assert_eq!(
        m.command.as_deref(),
        Some(r#"mcp:aws-api.call_aws {"cli_command":"aws iam list-users"}"#)
    );
    assert_eq!(m.outcome, Outcome::Ok);
    let patch = call(&p, "call_7");
    assert_eq!(
        (patch.tool_name.as_str(), patch.command.as_deref()),
        ("apply_patch", None)
    );
    assert_eq!(patch.exit_code, Some(0));
    let running = call(&p, "call_9");
    assert_eq!(running.outcome, Outcome::Unknown);
    let aborted = call(&p, "call_10");
    assert_eq!(aborted.outcome, Outcome::Interrupted);
}

#[test]
fn messages_from_events_not_duplicated() {
    let p = parse_fixture(TranscriptFormat::Codex, MAIN);
    let users: Vec<_> = p.messages.iter().filter(|m| m.role == Role::User).collect();
    assert_eq!(users.len(), 1, "{users:?}");
    assert_eq!(
        users[0].text_excerpt,
        "delete the old stack and its artifacts bucket"
    );
    assert!(
        p.messages
            .iter()
            .any(|m| m.role == Role::System && m.text_excerpt.contains("Use the prod profile")),
        "an injected user_message event is the tool's, not the person's"
    );
    assert!(
        p.counts
            .skipped_by_type
            .contains_key("response_item.message (duplicate of event_msg)")
    );
    assert!(
        p.counts
            .skipped_by_type
            .contains_key("event_msg.token_count")
    );
    assert!(p.counts.skipped_by_type.contains_key("world_state"));
}

#[test]
fn older_rollout_with_exec_events_and_approval_request() {
    let p = parse_fixture(
        TranscriptFormat::Codex,
        "codex/rollout-2025-08-02T14-00-00-older.jsonl",
    );
    let s = &p.sessions[0];
    assert_eq!(s.sandbox.as_deref(), Some("workspace-write"));
    assert_eq!(s.approval_mode.as_deref(), Some("untrusted"));
    let c = call(&p, "call_a");
    assert_eq!(c.command.as_deref(), Some("aws s3 ls"));
    assert_eq!((c.exit_code, c.outcome), (Some(2), Outcome::Error));
    let ended = call(&p, "call_b");
    assert_eq!(
        (ended.exit_code, ended.outcome),
        (Some(0), Outcome::Ok),
        "exec_command_end"
    );
    assert_eq!(ended.approval, Approval::Explicit);
    // no event messages in this file: response_item messages are used, context as system
    assert!(
        p.messages
            .iter()
            .any(|m| m.role == Role::User && m.text_excerpt == "list my buckets")
    );
    assert!(p.messages.iter().any(|m| m.role == Role::System));
}

#[test]
fn legacy_bare_lines_without_envelope() {
    let p = parse_fixture(
        TranscriptFormat::Codex,
        "codex/rollout-2025-05-07-legacy.jsonl",
    );
    let s = &p.sessions[0];
    assert_eq!(s.session_id, "5973b6c0-94b8-487b-a530-2aeb6098ae0e");
    let c = &p.tool_calls[0];
    assert_eq!(
        c.command.as_deref(),
        Some("aws ec2 describe-instances --profile dev")
    );
    assert_eq!((c.exit_code, c.outcome), (Some(0), Outcome::Ok));
    assert_eq!(c.started_at, None);
    assert_eq!(p.counts.skipped_by_type.get("state"), Some(&1));
    assert!(p.notes.iter().any(|n| n.contains("no timestamp")));
}

#[test]
fn malformed_lines_quarantined_rest_read() {
    let p = parse_fixture(TranscriptFormat::Codex, "codex/rollout-malformed.jsonl");
    let lines: Vec<_> = p.quarantined.iter().map(|q| q.line).collect();
    assert_eq!(lines, vec![Some(3), Some(6)]);
    assert_eq!(p.tool_calls.len(), 1);
    assert_eq!(p.tool_calls[0].outcome, Outcome::Ok);
}

#[test]
fn newer_session_id_key_and_write_stdin() {
    let text = concat!(
        r#"{"timestamp":"2026-03-01T10:00:00.000Z","type":"session_meta","payload":{"session_id":"sid-new","cwd":"/srv"}}"#,
        "\n",
        r#"{"timestamp":"2026-03-01T10:00:01.000Z","type":"response_item","payload":{"type":"function_call","name":"write_stdin","arguments":"{\"session_id\":3,\"chars\":\"aws s3 ls\\n\"}","call_id":"c1"}}"#,
        "\n"
    );
    let p = super::super::parse(
        TranscriptFormat::Codex,
        Path::new("rollout-x.jsonl"),
        text.as_bytes(),
        &TranscriptOptions::default(),
    );
    assert_eq!(p.sessions[0].session_id, "sid-new");
    assert_eq!(p.tool_calls[0].command.as_deref(), Some("aws s3 ls"));
}

#[test]
fn detects_rollouts() {
    for rel in [MAIN, "codex/rollout-2025-05-07-legacy.jsonl"] {
        let path = fixture(rel);
        let bytes = std::fs::read(&path).unwrap();
        assert_eq!(
            detect(&path, &bytes),
            Some(TranscriptFormat::Codex),
            "{rel}"
        );
    }
}
