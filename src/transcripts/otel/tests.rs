//! The telemetry reader on the Collector file-exporter fixture: one
//! session per agent, calls with commands, times and the approval each
//! decision recorded, and every record accounted for.

use super::super::tests_support::{call, parse_fixture};
use super::super::{Approval, Outcome, Role, TranscriptFormat};

const FILE: &str = "otel/collector-file-exporter.jsonl";

#[test]
fn sessions_operators_and_accounting() {
    let p = parse_fixture(TranscriptFormat::OtelJson, FILE);
    let s: Vec<(&str, &str, Option<&str>)> = p
        .sessions
        .iter()
        .map(|s| {
            (
                s.session_id.as_str(),
                s.agent.as_str(),
                s.operator.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        s,
        [
            (
                "7e3a9b1c-2d4f-4e6a-8b0c-1d2e3f4a5b6c",
                "claude-code",
                Some("dana@example.com")
            ),
            (
                "0199a2b3-c4d5-7e6f-8a9b-0c1d2e3f4a5b",
                "codex",
                Some("erin@example.com")
            ),
            (
                "b1c2d3e4-5f60-4718-9a0b-c1d2e3f4a5b6",
                "gemini-cli",
                Some("frank@example.com")
            ),
        ]
    );
    assert_eq!(p.sessions[0].agent_version.as_deref(), Some("2.0.31"));
    assert_eq!(p.sessions[1].model.as_deref(), Some("gpt-5-codex"));
    // 6 + 4 + 2 records, a metrics line, a cut line, another service's log.
    assert_eq!(p.counts.lines_read, 15);
    assert_eq!(p.counts.quarantined, 1);
    assert_eq!(p.quarantined[0].line, Some(5));
    assert_eq!(p.counts.skipped_by_type.get("resourceMetrics"), Some(&1));
    assert_eq!(p.counts.skipped_by_type.get("(other log record)"), Some(&1));
    assert_eq!(
        p.counts
            .skipped_by_type
            .get("claude_code event without rows"),
        Some(&2),
        "api_request and the accepted tool_decision"
    );
    let prompts: Vec<_> = p.messages.iter().filter(|m| m.role == Role::User).collect();
    assert_eq!(prompts.len(), 3);
    assert_eq!(prompts[0].text_excerpt, "[prompt not exported]");
}

#[test]
fn calls_carry_commands_times_and_decisions() {
    let p = parse_fixture(TranscriptFormat::OtelJson, FILE);
    let rb = p
        .tool_calls
        .iter()
        .find(|c| c.command.as_deref() == Some("aws s3 rb s3://demo-tmp-bucket --force"))
        .expect("the rb call");
    assert_eq!(rb.ended_at, Some(1_768_557_609_000_000));
    assert_eq!(rb.started_at, Some(1_768_557_605_500_000));
    assert_eq!((rb.outcome, rb.approval), (Outcome::Ok, Approval::Explicit));
    assert!(
        rb.approval_evidence
            .as_deref()
            .unwrap()
            .contains("source=user_temporary")
    );
    let refused = p
        .tool_calls
        .iter()
        .find(|c| c.outcome == Outcome::Rejected && c.session_id.starts_with("7e3a"))
        .expect("the refused call");
    assert_eq!(refused.approval, Approval::Rejected);
    let failed = p
        .tool_calls
        .iter()
        .find(|c| c.command.as_deref() == Some("aws s3 ls --profile sandbox"))
        .unwrap();
    assert_eq!(
        (failed.outcome, failed.approval),
        (Outcome::Error, Approval::Auto)
    );
    assert!(
        failed
            .approval_evidence
            .as_deref()
            .unwrap()
            .starts_with("decision=accept source=config")
    );

    let codex = call(&p, "call_Q1w2E3r4");
    assert_eq!(
        codex.command.as_deref(),
        Some("aws ec2 describe-instances --region us-east-1")
    );
    assert!(
        codex
            .command_raw
            .as_deref()
            .unwrap()
            .starts_with("bash -lc")
    );
    assert_eq!(
        (codex.outcome, codex.approval),
        (Outcome::Ok, Approval::Explicit)
    );
    let denied = call(&p, "call_T5y6U7i8");
    assert_eq!(
        (denied.outcome, denied.approval),
        (Outcome::Rejected, Approval::Rejected)
    );

    let gem = p
        .tool_calls
        .iter()
        .find(|c| c.tool_name == "run_shell_command")
        .unwrap();
    assert_eq!(gem.command.as_deref(), Some("aws s3 ls"));
    assert_eq!(gem.approval, Approval::Auto);
    assert!(
        gem.approval_evidence
            .as_deref()
            .unwrap()
            .starts_with("decision=auto_accept")
    );
    assert_eq!(p.tool_calls.len(), 6);
}

#[test]
fn a_pretty_printed_request_reads_the_same() {
    let line = std::fs::read_to_string(super::super::tests_support::fixture(FILE)).unwrap();
    let first: serde_json::Value = serde_json::from_str(line.lines().next().unwrap()).unwrap();
    let pretty = serde_json::to_string_pretty(&first).unwrap() + "\n[1]\n";
    let p = super::parse(
        std::path::Path::new("x.json"),
        pretty.as_bytes(),
        &Default::default(),
    );
    assert!(p.counts.reconciles());
    assert_eq!(p.tool_calls.len(), 3);
    assert_eq!(p.counts.quarantined, 1);
    assert!(p.quarantined[0].reason.contains("not an object"));
}

const TRACES: &str = "otel/collector-traces.jsonl";

#[test]
fn execute_tool_spans_are_calls_with_the_span_times_and_status() {
    let p = parse_fixture(TranscriptFormat::OtelJson, TRACES);
    let agents: Vec<(&str, &str)> = p
        .sessions
        .iter()
        .map(|s| (s.session_id.as_str(), s.agent.as_str()))
        .collect();
    assert_eq!(
        agents,
        [
            ("5c1f0e2a-9b3d-4c7e-8f10-2a3b4c5d6e7f", "copilot-cli"),
            ("otel-trace-0af7651916cd43dd8448eb211c80319c", "genai-agent"),
        ]
    );
    assert_eq!(p.sessions[0].agent_version.as_deref(), Some("1.0.41"));
    let rb = call(&p, "toolu_01CopilotRb");
    assert_eq!(
        rb.command.as_deref(),
        Some("aws s3api delete-bucket --bucket old-logs-2019 --region eu-west-1")
    );
    assert_eq!(rb.started_at, Some(1_768_561_203_000_000));
    assert_eq!(rb.ended_at, Some(1_768_561_205_250_000));
    assert_eq!((rb.outcome, rb.approval), (Outcome::Ok, Approval::Unknown));
    let iam = call(&p, "toolu_02CopilotIam");
    assert_eq!(
        iam.command.as_deref(),
        Some("aws iam delete-user --user-name ci-bot")
    );
    assert_eq!(iam.outcome, Outcome::Error);
    assert!(
        iam.output_excerpt
            .as_deref()
            .unwrap()
            .contains("DeleteConflict")
    );
    // No call id: the span id stands in; argv arguments become the command.
    let other = call(&p, "span-b7ad6b7169203331");
    assert_eq!(
        other.command.as_deref(),
        Some("aws sts get-caller-identity")
    );
    assert_eq!(other.outcome, Outcome::Ok);
    // 4 + 1 spans and a cut line: 3 calls, 2 spans skipped by kind.
    assert_eq!(p.counts.lines_read, 6);
    assert_eq!(p.counts.records_used, 3);
    assert_eq!(p.counts.skipped_by_type.get("span: agent"), Some(&1));
    assert_eq!(p.counts.skipped_by_type.get("span: model call"), Some(&1));
    assert_eq!(p.quarantined.len(), 1);
    assert_eq!(p.quarantined[0].line, Some(3));
    assert!(p.quarantined[0].reason.starts_with("telemetry line"));
}
