use std::path::Path;

use super::super::tests_support::{call, parse_fixture};
use super::super::{Approval, Outcome, TranscriptFormat, TranscriptOptions, detect, parse};

const TASK: &str =
    "cline/home/gil/.config/Code/User/globalStorage/saoudrizwan.claude-dev/tasks/1768564800000";
const ROO: &str = "cline/home/gil/.config/Code/User/globalStorage/rooveterinaryinc.roo-cline/tasks/7f3e2d1c-0b9a-4876-9543-210fedcba987";

#[test]
fn ui_messages_give_calls_approvals_and_times() {
    let p = parse_fixture(
        TranscriptFormat::ClineTask,
        &format!("{TASK}/ui_messages.json"),
    );
    assert_eq!(p.sessions.len(), 1);
    let s = &p.sessions[0];
    assert_eq!(
        (s.session_id.as_str(), s.agent.as_str()),
        ("1768564800000", "cline")
    );
    assert_eq!(s.operator.as_deref(), Some("gil"));
    assert_eq!(s.started_at, Some(1_768_564_800_000_000));
    let got: Vec<(&str, Option<&str>, Outcome, Approval)> = p
        .tool_calls
        .iter()
        .map(|c| {
            (
                c.call_id.as_str(),
                c.command.as_deref(),
                c.outcome,
                c.approval,
            )
        })
        .collect();
    assert_eq!(
        got[..3],
        [
            (
                "ts-1768564803200",
                Some("aws s3 ls"),
                Outcome::Ok,
                Approval::Auto
            ),
            (
                "ts-1768564808000",
                Some("aws s3 rb s3://staging-leftovers --force"),
                Outcome::Ok,
                Approval::Explicit
            ),
            (
                "ts-1768564815000",
                Some("aws iam delete-role --role-name staging-deployer"),
                Outcome::Rejected,
                Approval::Rejected
            ),
        ]
    );
    let rb = call(&p, "ts-1768564808000");
    let why = rb.approval_evidence.as_deref().unwrap();
    assert!(
        why.contains("requires_approval") && why.ends_with("(Cline ui_messages.json)"),
        "{why}"
    );
    assert_eq!(rb.ended_at, Some(1_768_564_813_000_000));
    assert!(
        rb.output_excerpt
            .as_deref()
            .unwrap()
            .contains("remove_bucket")
    );
    let auto = call(&p, "ts-1768564803200");
    assert!(
        auto.approval_evidence
            .as_deref()
            .unwrap()
            .starts_with("say:command")
    );
    let mcp = call(&p, "ts-1768564844000");
    assert_eq!(
        (mcp.outcome, mcp.approval),
        (Outcome::Ok, Approval::Explicit)
    );
    assert!(
        mcp.command
            .as_deref()
            .unwrap()
            .starts_with("mcp:awslabs.aws-api-mcp-server.call_aws")
    );
    assert_eq!(p.tool_calls.len(), 4, "the partial ask is not a call");
    // The hand-pasted element and the cut tail are quarantined.
    let q: Vec<(Option<u64>, Option<u64>)> = p
        .quarantined
        .iter()
        .map(|q| (q.line, q.record_index))
        .collect();
    assert_eq!(q, [(Some(18), Some(16)), (Some(21), Some(19))]);
    assert_eq!(
        p.counts.skipped_by_type.get("ask:command (partial)"),
        Some(&1)
    );
    let roles: Vec<&str> = p.messages.iter().map(|m| m.role.as_str()).collect();
    assert_eq!(roles, ["user", "assistant", "user"]);
}

#[test]
fn roo_code_denial_and_agent_name() {
    let p = parse_fixture(
        TranscriptFormat::ClineTask,
        &format!("{ROO}/ui_messages.json"),
    );
    assert_eq!(p.sessions[0].agent, "roo-code");
    let c = &p.tool_calls[0];
    assert_eq!(
        (c.outcome, c.approval),
        (Outcome::Rejected, Approval::Rejected)
    );
}

#[test]
fn the_other_task_files_are_counted_as_skipped() {
    let h = parse_fixture(
        TranscriptFormat::ClineTask,
        &format!("{TASK}/api_conversation_history.json"),
    );
    assert_eq!((h.counts.lines_read, h.counts.records_skipped), (2, 2));
    let m = parse_fixture(
        TranscriptFormat::ClineTask,
        &format!("{TASK}/task_metadata.json"),
    );
    assert_eq!((m.counts.lines_read, m.counts.records_skipped), (1, 1));
    assert!(h.sessions.is_empty() && m.sessions.is_empty());
}

#[test]
fn an_asked_command_with_no_answer_stays_unknown() {
    let doc = r#"[{"ts":1768564800000,"type":"ask","ask":"command","text":"aws s3 ls"}]"#;
    let p = parse(
        TranscriptFormat::ClineTask,
        Path::new("tasks/t1/ui_messages.json"),
        doc.as_bytes(),
        &TranscriptOptions::default(),
    );
    assert_eq!(p.tool_calls[0].approval, Approval::Unknown);
    assert_eq!(p.tool_calls[0].session_id, "t1");
    assert_eq!(
        detect(Path::new("ui_messages.json"), doc.as_bytes()),
        Some(TranscriptFormat::ClineTask)
    );
    // Plain Anthropic messages are Cline's only under their own name.
    let api = br#"[{"role":"user","content":"hi"}]"#;
    assert_eq!(detect(Path::new("messages.json"), api), None);
    assert_eq!(
        detect(Path::new("t/api_conversation_history.json"), api),
        Some(TranscriptFormat::ClineTask)
    );
}
